package population

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	standin "github.com/vn-epidemic/hub/mocks/population"
)

func TestWireConstantsAgreeWithStandIn(t *testing.T) {
	if EndpointPath != standin.ServicePath || Namespace != standin.Namespace || HeaderClient != standin.HeaderClient ||
		OpLookup != standin.OpLookup || OpVerify != standin.OpVerify || OpCount != standin.OpCount {
		t.Fatal("the adapter's wire constants differ from the stand-in's")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	caller := upstream.NewCaller(nil, 0)
	for name, mutate := range map[string]func(*Config){
		"relative URL":     func(c *Config) { c.BaseURL = "/dancu" },
		"ftp URL":          func(c *Config) { c.BaseURL = "ftp://x" },
		"no agency":        func(c *Config) { c.AgencyCode = "" },
		"no service code":  func(c *Config) { c.ServiceCode = "" },
		"no integration":   func(c *Config) { c.IntegrationCode = "" },
		"no username":      func(c *Config) { c.Username = "" },
		"no password":      func(c *Config) { c.Password = "" },
		"negative workers": func(c *Config) { c.MaxConcurrency = -1 },
	} {
		cfg := testConfig("http://dancu.example")
		mutate(&cfg)
		if _, err := New(cfg, caller); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(testConfig("http://dancu.example"), nil); err == nil {
		t.Error("New without a caller succeeded")
	}
	c, err := New(testConfig("http://dancu.example/ndxp/"), caller)
	if err != nil {
		t.Fatal(err)
	}
	if c.endpoint != "http://dancu.example/ndxp"+EndpointPath || c.cfg.MaxConcurrency != DefaultMaxConcurrency || c.cfg.OfficerCode != DefaultOfficerCode {
		t.Errorf("defaults: endpoint %q, %d workers, officer %q", c.endpoint, c.cfg.MaxConcurrency, c.cfg.OfficerCode)
	}
}

// TestGoldenRequests pins the envelopes the adapter sends and the answers
// the stand-in gives them (these answers also seed the fuzzers).
func TestGoldenRequests(t *testing.T) {
	rec := &recorder{}
	var answer *captureResponse
	e := newEnv(t, func(h http.Handler) http.Handler {
		rec.next = h
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			answer = &captureResponse{ResponseWriter: w}
			rec.ServeHTTP(answer, r)
		})
	}, nil)
	e.client.newRequestID = func() string { return "3f2a9c1e5b7d4f60a8e2c4b6d8f0a1c3" }
	p := findPerson(t, plain)
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
	}{
		{"lookup_id", func() error { _, err := e.client.Lookup(ctx, p.ID); return err }},
		{"lookup_cmnd", func() error { _, err := e.client.Lookup(ctx, p.OldID); return err }},
		{"lookup_notfound", func() error { _, err := e.client.Lookup(ctx, unknownID(t)); return err }},
		{"verify", func() error {
			_, err := e.client.Verify(ctx, domain.VerifyRequest{ID: p.ID, FullName: p.Name.Full(), Sex: p.Sex, BirthDate: p.BirthDate})
			return err
		}},
		// Markup characters in user text must arrive escaped.
		{"verify_escaped", func() error {
			_, err := e.client.Verify(ctx, domain.VerifyRequest{ID: p.ID, FullName: `Nguyễn <Văn> & "An"</HoVaTen>`, Sex: domain.SexUnknown, BirthDate: domain.Date{Year: 1990}})
			return err
		}},
		{"counts", func() error { _, err := e.client.PopulationCounts(ctx, p.Current.ProvinceCode); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				t.Fatal(err)
			}
			r := rec.last(t)
			golden(t, c.name+".request.xml", r.body)
			golden(t, c.name+".response.xml", answer.buf.Bytes())
			op := map[bool]string{true: OpVerify, false: OpLookup}[strings.HasPrefix(c.name, "verify")]
			if c.name == "counts" {
				op = OpCount
			}
			for h, want := range map[string]string{
				"Content-Type":  "text/xml; charset=utf-8",
				"SOAPAction":    `"http://dancuquocgia.bca/` + op + `"`,
				"X-NDXP-Client": standin.DefaultAgencyCode,
			} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			req, _ := http.NewRequest("POST", "/", nil)
			req.Header = r.header
			if u, pw, ok := req.BasicAuth(); !ok || u != standin.DefaultUsername || pw != standin.DefaultPassword {
				t.Errorf("Basic credentials not sent")
			}
		})
	}
}

func TestLookup(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pop := testPopulation(t)
	for i := int64(0); i < 50; i++ {
		p := pop.At(i)
		got, err := e.client.Lookup(ctx, p.ID)
		if err != nil {
			t.Fatalf("Lookup(citizen %d): %v", i, err)
		}
		if want := expected(p); !reflect.DeepEqual(got, want) {
			t.Errorf("citizen %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	p := findPerson(t, plain)
	t.Run("by CMND", func(t *testing.T) {
		got, err := e.client.Lookup(ctx, " "+p.OldID+"\n")
		if err != nil || !reflect.DeepEqual(got, expected(p)) {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := e.client.Lookup(ctx, unknownID(t))
		var ue *domain.UpstreamError
		if !errors.Is(err, domain.ErrNotFound) || !errors.As(err, &ue) || ue.Upstream != domain.UpstreamPopulation || ue.Op != OpLookup {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("bad input makes no call", func(t *testing.T) {
		e.standin.Faults().ResetCounts()
		for _, id := range []string{"", "12345", "0011396262661", "00113962626a", "B1234567", "013 362 255"} {
			_, err := e.client.Lookup(ctx, id)
			var ie *domain.InputError
			if !errors.As(err, &ie) || ie.Field != "id" {
				t.Errorf("Lookup(%q): %v, want an InputError", id, err)
			}
		}
		if n := e.standin.Faults().Count(standin.OpLookup); n != 0 {
			t.Errorf("%d calls made", n)
		}
	})
}

// TestLookupNormalisesQuirks: the records that arrive decomposed, with the
// look-alike Ð, padded or year-only come out as the hub stores text.
func TestLookupNormalisesQuirks(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, c := range []struct {
		quirk standin.Quirk
		ok    func(domain.Person) bool
	}{
		{standin.QuirkDecomposedName, func(p domain.Person) bool { return !norm.NFD.IsNormalString(p.Name.Full()) }},
		{standin.QuirkLookalikeD, func(p domain.Person) bool { return strings.Contains(p.Name.Full(), "Đ") }},
		{standin.QuirkPaddedAddress, func(p domain.Person) bool { return strings.Contains(p.Permanent.Detail, " ") }},
		{standin.QuirkYearOnlyBirth, func(domain.Person) bool { return true }},
	} {
		t.Run(fmt.Sprint(c.quirk), func(t *testing.T) {
			p := findPerson(t, func(p domain.Person) bool { return standin.QuirkOf(p.ID) == c.quirk && c.ok(p) })
			got, err := e.client.Lookup(context.Background(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := expected(p); !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
			if !norm.NFC.IsNormalString(got.Name.Full()) || strings.ContainsRune(got.Name.Full(), 'Ð') || strings.Contains(got.Permanent.Detail, "  ") {
				t.Errorf("text not normalised: %+v", got)
			}
			if c.quirk == standin.QuirkYearOnlyBirth && !got.BirthDate.YearOnly() {
				t.Errorf("birth date %v, want year only", got.BirthDate)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	p := findPerson(t, plain)
	other := map[domain.Sex]domain.Sex{domain.SexMale: domain.SexFemale, domain.SexFemale: domain.SexMale}[p.Sex]
	all := func(id, name, sex, birth bool) map[domain.IdentityField]bool {
		return map[domain.IdentityField]bool{domain.FieldID: id, domain.FieldFullName: name, domain.FieldSex: sex, domain.FieldBirthDate: birth}
	}
	cases := []struct {
		name    string
		req     domain.VerifyRequest
		outcome domain.VerifyOutcome
		fields  map[domain.IdentityField]bool
	}{
		{"match", domain.VerifyRequest{ID: p.ID, FullName: p.Name.Full(), Sex: p.Sex, BirthDate: p.BirthDate}, domain.VerifyMatch, all(true, true, true, true)},
		{"match by CMND, decomposed upper-case name, year only", domain.VerifyRequest{ID: p.OldID, FullName: norm.NFD.String(strings.ToUpper(p.Name.Full())), Sex: p.Sex, BirthDate: domain.Date{Year: p.BirthDate.Year}},
			domain.VerifyMatch, all(true, true, true, true)},
		{"look-alike Ð is normalised before sending", domain.VerifyRequest{ID: p.ID, FullName: strings.ReplaceAll(p.Name.Full(), "Đ", "Ð"), Sex: p.Sex, BirthDate: p.BirthDate}, domain.VerifyMatch, all(true, true, true, true)},
		{"wrong sex", domain.VerifyRequest{ID: p.ID, FullName: p.Name.Full(), Sex: other, BirthDate: p.BirthDate}, domain.VerifyMismatch, all(true, true, false, true)},
		{"unknown sex", domain.VerifyRequest{ID: p.ID, FullName: p.Name.Full(), BirthDate: p.BirthDate}, domain.VerifyMismatch, all(true, true, false, true)},
		{"wrong name and year", domain.VerifyRequest{ID: p.ID, FullName: "Nguyen Van A", Sex: p.Sex, BirthDate: domain.Date{Year: p.BirthDate.Year + 2}}, domain.VerifyMismatch, all(true, false, true, false)},
		{"unknown ID", domain.VerifyRequest{ID: unknownID(t), FullName: p.Name.Full(), Sex: p.Sex, BirthDate: p.BirthDate}, domain.VerifyNotFound, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.client.Verify(ctx, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != c.outcome || len(got.Fields) != len(c.fields) || (c.fields != nil && !reflect.DeepEqual(got.Fields, c.fields)) {
				t.Errorf("got %+v, want %s %v", got, c.outcome, c.fields)
			}
		})
	}

	t.Run("passport is not applicable, without a call", func(t *testing.T) {
		e.standin.Faults().ResetCounts()
		got, err := e.client.Verify(ctx, domain.VerifyRequest{ID: "B1234567", FullName: "John Smith", Sex: domain.SexMale, BirthDate: domain.Date{Year: 1980}})
		if err != nil || got.Outcome != domain.VerifyNotApplicable || len(got.Fields) != 0 {
			t.Fatalf("got %+v, %v", got, err)
		}
		if n := e.standin.Faults().Count(standin.OpVerify); n != 0 {
			t.Errorf("%d calls", n)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, r := range []domain.VerifyRequest{
			{ID: "12345", FullName: "A", BirthDate: domain.Date{Year: 1990}},
			{ID: p.ID, FullName: " \t", BirthDate: domain.Date{Year: 1990}},
			{ID: p.ID, FullName: strings.Repeat("Nguyễn ", 40), BirthDate: domain.Date{Year: 1990}},
			{ID: p.ID, FullName: "A"},
			{ID: p.ID, FullName: "A", BirthDate: domain.Date{Year: 1990, Month: 2, Day: 30}},
		} {
			var ie *domain.InputError
			if _, err := e.client.Verify(ctx, r); !errors.As(err, &ie) {
				t.Errorf("Verify(%+v): %v, want an InputError", r, err)
			}
		}
	})
}

func TestPopulationCounts(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := context.Background()
	pop := testPopulation(t)
	p := findPerson(t, plain)
	for _, unit := range []string{p.Current.ProvinceCode, p.Current.CommuneCode} {
		got, err := e.client.PopulationCounts(ctx, unit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(domain.StandardAgeBands) {
			t.Fatalf("%d counts", len(got))
		}
		for i, b := range domain.StandardAgeBands {
			if want := (domain.PopulationCount{AdminUnit: unit, AgeBand: b, Count: pop.ResidentCount(unit, b)}); got[i] != want {
				t.Errorf("%s: %+v, want %+v", unit, got[i], want)
			}
		}
	}
	if _, err := e.client.PopulationCounts(ctx, "99"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown unit: %v", err)
	}
	for _, unit := range []string{"", "1", "001", "0101", "ab", "Hà Nội"} {
		var ie *domain.InputError
		if _, err := e.client.PopulationCounts(ctx, unit); !errors.As(err, &ie) {
			t.Errorf("unit %q: %v, want an InputError", unit, err)
		}
	}
	if err := e.client.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// gate counts service requests in flight. The first limit requests wait
// until limit of them are in flight together, which proves the pool really
// runs limit calls at once; peak proves it never runs more.
type gate struct {
	next           http.Handler
	limit          int
	mu             sync.Mutex
	inflight, peak int
	arrived        int
	full           chan struct{}
	onArrive       func(n int) // called with the arrival number, outside the lock
}

func newGate(next http.Handler, limit int) *gate {
	return &gate{next: next, limit: limit, full: make(chan struct{})}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != EndpointPath {
		g.next.ServeHTTP(w, r)
		return
	}
	g.mu.Lock()
	g.inflight++
	g.arrived++
	n := g.arrived
	g.peak = max(g.peak, g.inflight)
	if g.inflight == g.limit && g.full != nil {
		close(g.full)
		g.full = nil
	}
	full := g.full
	g.mu.Unlock()
	if g.onArrive != nil {
		g.onArrive(n)
	}
	if full != nil && n <= g.limit {
		select {
		case <-full:
		case <-r.Context().Done():
		}
	}
	g.next.ServeHTTP(w, r)
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
}

func TestLookupMany(t *testing.T) {
	pop := testPopulation(t)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = pop.At(int64(i)).ID
	}
	for _, workers := range []int{4, 0} {
		t.Run(fmt.Sprintf("MaxConcurrency=%d", workers), func(t *testing.T) {
			limit := workers
			if limit == 0 {
				limit = DefaultMaxConcurrency
			}
			var g *gate
			e := newEnv(t, func(h http.Handler) http.Handler { g = newGate(h, limit); return g },
				func(c *Config) { c.MaxConcurrency = workers })
			// A guard against a pool that never reaches the limit, not a timing assertion.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			people, errs := e.client.LookupMany(ctx, ids)
			if len(people) != len(ids) || len(errs) != len(ids) {
				t.Fatalf("%d people, %d errors for %d ids", len(people), len(errs), len(ids))
			}
			for i := range ids {
				if errs[i] != nil {
					t.Fatalf("ids[%d]: %v", i, errs[i])
				}
				if want := expected(pop.At(int64(i))); !reflect.DeepEqual(people[i], want) {
					t.Errorf("ids[%d]: got %+v", i, people[i])
				}
			}
			if n := e.standin.Faults().Count(standin.OpLookup); n != int64(len(ids)) {
				t.Errorf("%d upstream calls, want %d", n, len(ids))
			}
			if g.peak != limit {
				t.Errorf("peak %d calls in flight, want exactly %d", g.peak, limit)
			}
		})
	}

	t.Run("duplicates once, bad ids without a call, aligned", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		p := findPerson(t, plain)
		in := []string{ids[0], ids[1], ids[0], "xyz", " " + ids[0], p.OldID, unknownID(t), ids[1]}
		people, errs := e.client.LookupMany(context.Background(), in)
		if n := e.standin.Faults().Count(standin.OpLookup); n != 4 {
			t.Errorf("%d upstream calls, want 4", n)
		}
		for _, i := range []int{0, 2, 4} {
			if errs[i] != nil || people[i].ID != ids[0] {
				t.Errorf("[%d]: %v %s", i, errs[i], people[i].ID)
			}
		}
		if errs[1] != nil || errs[7] != nil || people[1].ID != ids[1] || people[7].ID != ids[1] {
			t.Errorf("ids[1] positions: %v %v", errs[1], errs[7])
		}
		var ie *domain.InputError
		if !errors.As(errs[3], &ie) {
			t.Errorf("[3]: %v", errs[3])
		}
		if errs[5] != nil || people[5].ID != p.ID {
			t.Errorf("[5] by CMND: %v", errs[5])
		}
		if !errors.Is(errs[6], domain.ErrNotFound) {
			t.Errorf("[6]: %v", errs[6])
		}
	})

	t.Run("cancelled context stops the fan-out", func(t *testing.T) {
		const workers, cancelAt = 4, 10
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		e := newEnv(t, func(h http.Handler) http.Handler {
			g := newGate(h, workers)
			g.onArrive = func(n int) {
				if n == cancelAt {
					cancel()
				}
			}
			return g
		}, func(c *Config) { c.MaxConcurrency = workers })
		people, errs := e.client.LookupMany(ctx, ids)
		// Calls in flight when ctx is cancelled may still start; no new one may.
		for what, calls := range map[string]int64{"sent": e.standin.Faults().Count(standin.OpLookup), "started": e.started.Load()} {
			if calls > cancelAt+workers-1 {
				t.Errorf("%d calls %s after cancelling at the %dth", calls, what, cancelAt)
			}
		}
		cancelled := 0
		for i, err := range errs {
			var ue *domain.UpstreamError
			switch {
			case err == nil:
				if people[i].ID != ids[i] {
					t.Errorf("[%d] wrong person", i)
				}
			case errors.Is(err, context.Canceled) && errors.As(err, &ue):
				cancelled++
			default:
				t.Errorf("[%d]: %v", i, err)
			}
		}
		if cancelled < len(ids)-cancelAt {
			t.Errorf("%d cancelled entries", cancelled)
		}
	})

	t.Run("already cancelled makes no call", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, errs := e.client.LookupMany(ctx, ids[:20])
		for i, err := range errs {
			var ue *domain.UpstreamError
			if !errors.As(err, &ue) || !errors.Is(err, context.Canceled) {
				t.Errorf("[%d]: %v", i, err)
			}
		}
		if n, started := e.standin.Faults().Count(standin.OpLookup), e.started.Load(); n != 0 || started != 0 {
			t.Errorf("%d calls sent, %d started", n, started)
		}
	})
}

func TestUpstreamFailures(t *testing.T) {
	p := findPerson(t, plain)
	ctx := context.Background()
	cases := []struct {
		name       string
		profile    faults.Profile
		mutate     func(*Config)
		kind       error
		retryAfter bool
	}{
		{"outage", faults.Profile{Outage: true}, nil, domain.ErrUnavailable, false},
		{"server errors", faults.Profile{ErrorRate: 1}, nil, domain.ErrUnavailable, false},
		{"hang until 504", faults.Profile{TimeoutRate: 1, HangFor: faults.Duration(time.Millisecond)}, nil, domain.ErrTimeout, false},
		{"bad password", faults.Profile{}, func(c *Config) { c.Password = "sai" }, domain.ErrRejected, false},
		{"other agency", faults.Profile{}, func(c *Config) { c.AgencyCode = "000.00.00.H26" }, domain.ErrRejected, false},
		{"officer code the service refuses", faults.Profile{}, func(c *Config) { c.OfficerCode = "Cán bộ A" }, domain.ErrRejected, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, nil, c.mutate)
			if err := e.standin.Faults().SetProfile(c.profile); err != nil {
				t.Fatal(err)
			}
			calls := []func() error{
				func() error { _, err := e.client.Lookup(ctx, p.ID); return err },
				func() error {
					_, err := e.client.Verify(ctx, domain.VerifyRequest{ID: p.ID, FullName: "A", BirthDate: domain.Date{Year: 1990}})
					return err
				},
				func() error { _, err := e.client.PopulationCounts(ctx, "01"); return err },
				func() error { return e.client.Ping(ctx) },
			}
			for i, call := range calls {
				err := call()
				var ue *domain.UpstreamError
				if !errors.Is(err, c.kind) || !errors.As(err, &ue) {
					t.Errorf("call %d: %v, want %v", i, err, c.kind)
				}
			}
		})
	}

	t.Run("rate limited", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		if err := e.standin.Faults().SetProfile(faults.Profile{RateLimit: 0.001, RateBurst: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Lookup(ctx, p.ID); err != nil {
			t.Fatalf("first call: %v", err)
		}
		_, err := e.client.Lookup(ctx, p.ID)
		var ue *domain.UpstreamError
		if !errors.Is(err, domain.ErrRateLimited) || !errors.As(err, &ue) || ue.RetryAfter <= 0 {
			t.Fatalf("err %v", err)
		}
	})
}

// TestGarbageAnswers: whatever a broken gateway or service sends, the client
// answers with a typed error, never a panic and never a half-read person.
func TestGarbageAnswers(t *testing.T) {
	p := findPerson(t, plain)
	const reqID = "0123456789abcdef0123456789abcdef"
	okAnswer := func(mutate func(string) string) string {
		s := `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<TraCuuThongTinCongDanResponse xmlns="http://dancuquocgia.bca"><TraCuuThongTinCongDanResult>
<MaYeuCau>` + reqID + `</MaYeuCau><MaKetQua>00</MaKetQua><MoTaKetQua>Thành công</MoTaKetQua>
<CongDan><SoDinhDanh>` + p.ID + `</SoDinhDanh><SoCMND>` + p.OldID + `</SoCMND>
<HoVaTen><Ho>Nguyễn</Ho><ChuDem>Văn</ChuDem><Ten>An</Ten></HoVaTen><GioiTinh>1</GioiTinh>
<NgayThangNamSinh>02/01/1990</NgayThangNamSinh><QuocTich>VN</QuocTich><DanToc>Kinh</DanToc>
<NoiThuongTru><ChiTiet>Số 1</ChiTiet><MaXa>00004</MaXa><TenXa>Phường Ba Đình</TenXa><MaTinh>01</MaTinh><TenTinh>Hà Nội</TenTinh></NoiThuongTru>
<NoiOHienTai><ChiTiet>Số 1</ChiTiet><MaXa>00004</MaXa><TenXa>Phường Ba Đình</TenXa><MaTinh>01</MaTinh><TenTinh>Hà Nội</TenTinh></NoiOHienTai>
</CongDan></TraCuuThongTinCongDanResult></TraCuuThongTinCongDanResponse></soap:Body></soap:Envelope>`
		if mutate != nil {
			s = mutate(s)
		}
		return s
	}
	swap := func(old, new string) func(string) string {
		return func(s string) string { return strings.Replace(s, old, new, 1) }
	}
	fault := func(code, maLoi string) string {
		return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>
<faultcode>` + code + `</faultcode><faultstring>x</faultstring><detail><LoiDichVu xmlns="http://dancuquocgia.bca"><MaLoi>` + maLoi + `</MaLoi></LoiDichVu></detail>
</soap:Fault></soap:Body></soap:Envelope>`
	}
	html := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
	cases := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		kind       error
		retryAfter time.Duration
	}{
		{"well-formed control", 200, nil, okAnswer(nil), nil, 0},
		{"truncated", 200, nil, okAnswer(nil)[:700], domain.ErrBadUpstreamData, 0},
		{"empty", 200, nil, "", domain.ErrBadUpstreamData, 0},
		{"huge", 200, nil, okAnswer(swap("Số 1", strings.Repeat("Số 1 ", 60_000))), domain.ErrBadUpstreamData, 0},
		{"SOAP 1.2 envelope", 200, nil, okAnswer(swap("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")), domain.ErrBadUpstreamData, 0},
		{"wrong operation namespace", 200, nil, okAnswer(swap(`xmlns="http://dancuquocgia.bca"`, `xmlns="http://tempuri.org/"`)), domain.ErrBadUpstreamData, 0},
		{"answer to another operation", 200, nil, okAnswer(func(s string) string { return strings.ReplaceAll(s, "TraCuuThongTinCongDan", "ThongKeDanSo") }), domain.ErrBadUpstreamData, 0},
		{"HTML page with 200", 200, nil, html, domain.ErrBadUpstreamData, 0},
		{"HTML page with 404", 404, nil, html, domain.ErrBadUpstreamData, 0},
		{"HTML page with 502", 502, nil, html, domain.ErrUnavailable, 0},
		{"plain 503 with Retry-After", 503, map[string]string{"Retry-After": "7"}, "Service Unavailable", domain.ErrUnavailable, 7 * time.Second},
		{"plain 429", 429, map[string]string{"Retry-After": "3"}, "slow down", domain.ErrRateLimited, 3 * time.Second},
		{"empty 504", 504, nil, "", domain.ErrTimeout, 0},
		{"huge 503 page", 503, nil, strings.Repeat("x", 1<<20), domain.ErrUnavailable, 0},
		{"DTD", 200, nil, `<!DOCTYPE x [<!ENTITY e "a">]>` + okAnswer(nil), domain.ErrBadUpstreamData, 0},
		{"trailing element", 200, nil, okAnswer(nil) + "<x/>", domain.ErrBadUpstreamData, 0},
		{"not UTF-8", 200, nil, strings.Replace(okAnswer(nil), `encoding="UTF-8"`, `encoding="windows-1258"`, 1), domain.ErrBadUpstreamData, 0},
		{"another request's answer", 200, nil, okAnswer(swap(reqID, "ffff")), domain.ErrBadUpstreamData, 0},
		{"another citizen", 200, nil, okAnswer(swap(p.ID, unknownID(t))), domain.ErrBadUpstreamData, 0},
		{"unknown result code", 200, nil, okAnswer(swap("<MaKetQua>00", "<MaKetQua>99")), domain.ErrBadUpstreamData, 0},
		{"found without CongDan", 200, nil, okAnswer(func(s string) string {
			return s[:strings.Index(s, "<CongDan>")] + s[strings.Index(s, "</CongDan>")+10:]
		}), domain.ErrBadUpstreamData, 0},
		{"sex as a word", 200, nil, okAnswer(swap("<GioiTinh>1", "<GioiTinh>Nam")), domain.ErrBadUpstreamData, 0},
		{"ISO birth date", 200, nil, okAnswer(swap("02/01/1990", "1990-01-02")), domain.ErrBadUpstreamData, 0},
		{"impossible birth date", 200, nil, okAnswer(swap("02/01/1990", "30/02/1990")), domain.ErrBadUpstreamData, 0},
		{"commune code of 4 digits", 200, nil, okAnswer(swap("00004", "0004")), domain.ErrBadUpstreamData, 0},
		{"no given name", 200, nil, okAnswer(swap("<Ten>An</Ten>", "<Ten> </Ten>")), domain.ErrBadUpstreamData, 0},
		{"not found", 200, nil, okAnswer(swap("<MaKetQua>00", "<MaKetQua>01")), domain.ErrNotFound, 0},
		{"invalid input code", 200, nil, okAnswer(swap("<MaKetQua>00", "<MaKetQua>02")), domain.ErrRejected, 0},
		{"credentials fault", 500, nil, fault("soap:Client", "102"), domain.ErrRejected, 0},
		{"server fault with any prefix", 500, nil, strings.ReplaceAll(fault("env:Server", "500"), "soap:", "env:"), domain.ErrUnavailable, 0},
		{"server fault with 200", 200, nil, fault("soap:Server.Database", "500"), domain.ErrUnavailable, 0},
		{"rate-limit fault", 429, map[string]string{"Retry-After": "12"}, fault("soap:Client", "429"), domain.ErrRateLimited, 12 * time.Second},
		{"timeout fault", 504, nil, fault("soap:Server", "504"), domain.ErrTimeout, 0},
		{"fault with unknown code", 200, nil, fault("x:Whatever", ""), domain.ErrBadUpstreamData, 0},
		{"200 envelope with an empty body", 200, nil, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`, domain.ErrBadUpstreamData, 0},
		{"500 without a fault", 500, nil, okAnswer(nil), domain.ErrUnavailable, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer ts.Close()
			client, err := New(testConfig(ts.URL), upstream.NewCaller(ts.Client(), 0))
			if err != nil {
				t.Fatal(err)
			}
			client.newRequestID = func() string { return reqID }
			got, err := client.Lookup(context.Background(), p.ID)
			if c.kind == nil {
				if err != nil || got.Name.Full() != "Nguyễn Văn An" || got.BirthDate != (domain.Date{Year: 1990, Month: 1, Day: 2}) {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			var ue *domain.UpstreamError
			if !errors.Is(err, c.kind) || !errors.As(err, &ue) {
				t.Fatalf("err %v, want %v", err, c.kind)
			}
			if ue.RetryAfter != c.retryAfter {
				t.Errorf("RetryAfter %v, want %v", ue.RetryAfter, c.retryAfter)
			}
			if got != (domain.Person{}) {
				t.Errorf("a failed lookup returned data")
			}
			for _, secret := range []string{p.ID, "Nguyễn", "Ba Đình"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error message carries personal data: %v", err)
				}
			}
		})
	}
}
