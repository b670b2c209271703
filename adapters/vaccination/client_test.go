package vaccination

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
	standin "github.com/vn-epidemic/hub/mocks/vaccination"
	"github.com/vn-epidemic/hub/vntext"
)

func TestNewValidatesConfig(t *testing.T) {
	caller := upstream.NewCaller(nil, 0)
	tests := []struct {
		name   string
		cfg    Config
		caller *upstream.Caller
	}{
		{"no caller", Config{BaseURL: "http://x", ClientID: "a", ClientSecret: "b"}, nil},
		{"relative URL", Config{BaseURL: "/api", ClientID: "a", ClientSecret: "b"}, caller},
		{"ftp URL", Config{BaseURL: "ftp://x", ClientID: "a", ClientSecret: "b"}, caller},
		{"bad token URL", Config{BaseURL: "http://x", TokenURL: "::", ClientID: "a", ClientSecret: "b"}, caller},
		{"no secret", Config{BaseURL: "http://x", ClientID: "a"}, caller},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg, tt.caller); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	c, err := New(Config{BaseURL: "https://api.example.vn/base/", ClientID: "a", ClientSecret: "b"}, caller)
	if err != nil || c.tokenURL != "https://api.example.vn/base/oauth2/token" {
		t.Fatalf("default token URL %q, %v", c.tokenURL, err)
	}
}

func TestRecordsChunksIntoHundreds(t *testing.T) {
	tests := []struct {
		name      string
		keys      func(t *testing.T) []PersonKey
		wantCalls int64
	}{
		{"1 key", func(t *testing.T) []PersonKey { return keysOf(t, 0, 1) }, 1},
		{"100 keys", func(t *testing.T) []PersonKey { return keysOf(t, 0, 100) }, 1},
		{"101 keys", func(t *testing.T) []PersonKey { return keysOf(t, 0, 101) }, 2},
		{"250 keys", func(t *testing.T) []PersonKey { return keysOf(t, 0, 250) }, 3},
		{"150 keys, 100 distinct", func(t *testing.T) []PersonKey {
			k := keysOf(t, 0, 100)
			return append(k, k[:50]...)
		}, 1},
		{"no keys", func(t *testing.T) []PersonKey { return nil }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			keys := tt.keys(t)
			recs, errs := e.client.Records(context.Background(), keys)
			if len(recs) != len(keys) || len(errs) != len(keys) {
				t.Fatalf("%d records, %d errors for %d keys", len(recs), len(errs), len(keys))
			}
			if got := e.count(standin.OpVaccinationsBatch); got != tt.wantCalls {
				t.Errorf("%d batch calls, want %d", got, tt.wantCalls)
			}
			p := population(t)
			for k, key := range keys {
				i, _ := p.Lookup(key.ID)
				v, ok := p.PlatformRecord(key.ID)
				switch {
				case ok && errs[k] != nil:
					t.Errorf("key %d: %v", k, errs[k])
				case ok && (recs[k].PersonID != key.ID || len(recs[k].Doses) != len(v.Record.Doses)):
					t.Errorf("key %d: record %+v, want %d doses", k, recs[k], len(v.Record.Doses))
				case !ok && !errors.Is(errs[k], domain.ErrNotFound):
					t.Errorf("key %d (citizen %d): %v, want not found", k, i, errs[k])
				}
			}
		})
	}
}

func TestRecordsMapsTheWholeRecord(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && v.Record.PersonID == p.At(i).ID && len(v.Record.Doses) >= 3
	})
	want, _ := p.Vaccination(i)
	recs, errs := e.client.Records(context.Background(), []PersonKey{{ID: p.At(i).ID}})
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	got := recs[0]
	want.Record.Recorded.FullName = vntext.Normalize(want.Record.Recorded.FullName)
	if got.PersonID != want.Record.PersonID || got.Recorded != want.Record.Recorded || len(got.Doses) != len(want.Record.Doses) {
		t.Fatalf("record\n%+v\nwant\n%+v", got, want.Record)
	}
	for k := range got.Doses {
		w := want.Record.Doses[k]
		w.Site.Name = vntext.Normalize(w.Site.Name)
		if got.Doses[k] != w {
			t.Errorf("dose %d\n%+v\nwant\n%+v", k, got.Doses[k], w)
		}
	}
	if got.Status() != want.Record.Status() {
		t.Errorf("status %s, want %s", got.Status(), want.Record.Status())
	}
}

func TestRecordsFindsOldIDThroughAltIDs(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && p.At(i).OldID != "" && v.Record.PersonID == p.At(i).OldID
	})
	person := p.At(i)
	keys := []PersonKey{
		{ID: person.ID},
		{ID: person.ID, AltIDs: []string{person.OldID}},
		{ID: " " + person.ID + " ", AltIDs: []string{"", person.ID, person.OldID, person.OldID}},
		{ID: "not-an-id"},
		{ID: person.ID, AltIDs: []string{"bad"}},
	}
	recs, errs := e.client.Records(context.Background(), keys)
	wantKind(t, errs[0], domain.ErrNotFound, "NOT_FOUND")
	for _, k := range []int{1, 2} {
		if errs[k] != nil || recs[k].PersonID != person.OldID || len(recs[k].Doses) == 0 {
			t.Errorf("key %d: %+v, %v", k, recs[k], errs[k])
		}
	}
	var ie *domain.InputError
	if !errors.As(errs[3], &ie) || ie.Field != "id" {
		t.Errorf("bad id: %v", errs[3])
	}
	if !errors.As(errs[4], &ie) || ie.Field != "altIds" {
		t.Errorf("bad alt id: %v", errs[4])
	}
	// Keys 1 and 2 are the same person after normalisation: one call, one entry.
	if got := e.count(standin.OpVaccinationsBatch); got != 1 {
		t.Errorf("%d calls", got)
	}

	certs, cerrs := e.client.Certificates(context.Background(), keys[:2])
	wantKind(t, cerrs[0], domain.ErrNotFound, "")
	if cerrs[1] != nil || certs[1].PersonID != person.OldID {
		t.Errorf("certificate %+v, %v", certs[1], cerrs[1])
	}
	recons, rerrs := e.client.Reconciliations(context.Background(), keys[:2])
	wantKind(t, rerrs[0], domain.ErrNotFound, "")
	if rerrs[1] != nil || recons[1].PersonID != person.OldID || recons[1].CommuneCode != person.Current.CommuneCode {
		t.Errorf("reconciliation %+v, %v", recons[1], rerrs[1])
	}
}

func TestCertificatesAndReconciliationsMatchSynth(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	keys := keysOf(t, 1000, 60)
	certs, cerrs := e.client.Certificates(context.Background(), keys)
	recons, rerrs := e.client.Reconciliations(context.Background(), keys)
	for k, key := range keys {
		v, ok := p.PlatformRecord(key.ID)
		if !ok {
			wantKind(t, cerrs[k], domain.ErrNotFound, "")
			wantKind(t, rerrs[k], domain.ErrNotFound, "")
			continue
		}
		if cerrs[k] != nil || rerrs[k] != nil {
			t.Fatalf("key %d: %v / %v", k, cerrs[k], rerrs[k])
		}
		if certs[k].Status != v.Certificate.Status || certs[k].CertificateID != v.Certificate.CertificateID ||
			!certs[k].IssuedAt.Equal(v.Certificate.IssuedAt) || certs[k].ValidUntil != v.Certificate.ValidUntil {
			t.Errorf("key %d: certificate %+v, want %+v", k, certs[k], v.Certificate)
		}
		r, w := recons[k], v.Reconciliation
		if r.Status != w.Status || fmt.Sprint(r.Mismatched) != fmt.Sprint(w.Mismatched) || !r.CheckedAt.Equal(w.CheckedAt) || r.Confirmed != w.Confirmed {
			t.Errorf("key %d: reconciliation %+v, want %+v", k, r, w)
		}
	}
}

func TestTokenIsReusedAndRefreshedBeforeExpiry(t *testing.T) {
	e := newEnv(t) // TTL 5 minutes
	ctx := context.Background()
	for k := 0; k < 5; k++ {
		if _, errs := e.client.Records(ctx, keysOf(t, k, 1)); errs[0] != nil && !errors.Is(errs[0], domain.ErrNotFound) {
			t.Fatal(errs[0])
		}
	}
	if _, err := e.client.VaccinationCounts(ctx, population(t).At(0).Current.ProvinceCode); err != nil {
		t.Fatal(err)
	}
	if got := e.count(standin.OpToken); got != 1 {
		t.Fatalf("%d token requests for 6 calls", got)
	}
	// Inside the refresh margin the adapter replaces the token before the
	// platform would refuse it: no 401 on the way.
	e.serverClock.Advance(4*time.Minute + 40*time.Second)
	e.clientClock.Advance(4*time.Minute + 40*time.Second)
	if _, errs := e.client.Records(ctx, keysOf(t, 0, 1)); errs[0] != nil && !errors.Is(errs[0], domain.ErrNotFound) {
		t.Fatal(errs[0])
	}
	if got := e.count(standin.OpToken); got != 2 {
		t.Errorf("%d token requests, want a proactive refresh", got)
	}
	if got := e.count(standin.OpVaccinationsBatch); got != 6 {
		t.Errorf("%d batch calls, want 6 (no retry)", got)
	}
}

// When the platform expires a token the adapter still believes valid (clock
// skew, a platform restart), a read is refreshed and retried once.
func TestExpiredTokenIsRefreshedOnceForReads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keys := keysOf(t, 0, 1)
	e.client.Records(ctx, keys)
	e.serverClock.Advance(6 * time.Minute) // the adapter's clock stays put
	_, errs := e.client.Records(ctx, keys)
	if errs[0] != nil && !errors.Is(errs[0], domain.ErrNotFound) {
		t.Fatal(errs[0])
	}
	if tok, calls := e.count(standin.OpToken), e.count(standin.OpVaccinationsBatch); tok != 2 || calls != 3 {
		t.Errorf("%d token requests, %d batch calls; want 2 and 3", tok, calls)
	}
}

func TestConcurrentCallersShareOneTokenFetch(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	for k := 0; k < 16; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.client.Records(context.Background(), keysOf(t, k, 1))
		}()
	}
	wg.Wait()
	if got := e.count(standin.OpToken); got != 1 {
		t.Errorf("%d token requests for 16 concurrent callers", got)
	}
}

func TestAuthFailures(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		e := newEnv(t, func(o *envOption) { o.secret = "wrong" })
		_, errs := e.client.Records(context.Background(), keysOf(t, 0, 1))
		wantKind(t, errs[0], domain.ErrRejected, "auth")
		wantKind(t, e.client.Ping(context.Background()), domain.ErrRejected, "auth")
		if strings.Contains(errs[0].Error(), "wrong") {
			t.Error("error leaks the secret")
		}
	})
	t.Run("401 after refresh", func(t *testing.T) {
		// Something between the hub and the platform strips the token.
		e := newEnv(t, func(o *envOption) {
			o.wrap = func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.URL.Path, "/api/") {
						r.Header.Set("Authorization", "Bearer stripped")
					}
					h.ServeHTTP(w, r)
				})
			}
		})
		_, errs := e.client.Records(context.Background(), keysOf(t, 0, 3))
		for _, err := range errs {
			wantKind(t, err, domain.ErrRejected, "auth")
		}
		if tok, calls := e.count(standin.OpToken), e.count(standin.OpVaccinationsBatch); tok != 2 || calls != 2 {
			t.Errorf("%d token requests, %d calls; want one refresh and one retry", tok, calls)
		}
		// A write is not re-sent after a 401.
		_, err := e.client.CreateFeedback(context.Background(), domain.FeedbackInput{
			PersonID: "001090000001", CommuneCode: population(t).At(0).Current.CommuneCode, Category: domain.FeedbackOther, Text: "x"})
		wantKind(t, err, domain.ErrRejected, "auth")
		if got := e.count(standin.OpFeedbackCreate); got != 1 {
			t.Errorf("write sent %d times", got)
		}
	})
}

func TestOutageAndRateLimit(t *testing.T) {
	t.Run("outage", func(t *testing.T) {
		e := newEnv(t)
		if err := e.platform.Faults().SetProfile(faults.Profile{Outage: true}); err != nil {
			t.Fatal(err)
		}
		_, errs := e.client.Records(context.Background(), keysOf(t, 0, 120))
		for _, err := range errs {
			wantKind(t, err, domain.ErrUnavailable, "HTTP 503")
		}
		wantKind(t, e.client.Ping(context.Background()), domain.ErrUnavailable, "")
	})
	t.Run("rate limited", func(t *testing.T) {
		e := newEnv(t)
		// One request per ~17 minutes: the token request takes the burst.
		if err := e.platform.Faults().SetProfile(faults.Profile{RateLimit: 0.001, RateBurst: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.ReconciliationList(context.Background(), population(t).At(0).Current.CommuneCode, "", domain.PageRequest{})
		ue := wantKind(t, err, domain.ErrRateLimited, "HTTP 429")
		if ue.RetryAfter <= 0 {
			t.Errorf("RetryAfter %v", ue.RetryAfter)
		}
	})
	t.Run("server errors", func(t *testing.T) {
		e := newEnv(t)
		if _, errs := e.client.Records(context.Background(), keysOf(t, 0, 1)); errs[0] != nil && !errors.Is(errs[0], domain.ErrNotFound) {
			t.Fatal(errs[0])
		}
		if err := e.platform.Faults().SetProfile(faults.Profile{ErrorRate: 1}); err != nil {
			t.Fatal(err)
		}
		_, errs := e.client.Records(context.Background(), keysOf(t, 0, 1))
		wantKind(t, errs[0], domain.ErrUnavailable, "HTTP 500")
	})
}

func TestCancelledCallerDoesNotBlock(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs := e.client.Records(ctx, keysOf(t, 0, 1))
	if errs[0] == nil {
		t.Fatal("cancelled call succeeded")
	}
	var ue *domain.UpstreamError
	if !errors.As(errs[0], &ue) {
		t.Fatalf("untyped error %v", errs[0])
	}
}

// keyRecorder records the Idempotency-Key of each dose request.
type keyRecorder struct {
	mu   sync.Mutex
	keys []string
}

func (k *keyRecorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/doses" {
			k.mu.Lock()
			k.keys = append(k.keys, r.Header.Get("Idempotency-Key"))
			k.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}
