package faults_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/mocks/faults"
)

// fakeClock is a Clock the test advances by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sleepRecorder replaces real waiting: it records every duration asked for
// and answers with err (nil = "the wait completed").
type sleepRecorder struct {
	mu   sync.Mutex
	durs []time.Duration
	err  error
}

func (s *sleepRecorder) Sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.durs = append(s.durs, d)
	return s.err
}

func (s *sleepRecorder) Durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.durs)
}

// wireError is the JSON shape the test ErrorWriter speaks, so the tests can
// see which status and code the injector chose.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func testErrorWriter(w http.ResponseWriter, _ *http.Request, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wireError{Code: code, Message: message})
}

// okHandler answers 200 "ok" and counts how often the wrapped system was reached.
type okHandler struct {
	mu    sync.Mutex
	calls int
}

func (h *okHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func (h *okHandler) Calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

func newInjector(t *testing.T, p faults.Profile, opts ...faults.Option) *faults.Injector {
	t.Helper()
	inj, err := faults.New("test", p, testErrorWriter, opts...)
	if err != nil {
		t.Fatalf("faults.New: %v", err)
	}
	return inj
}

func serve(h http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/op", nil))
	return rec
}

func decodeWireError(t *testing.T, rec *httptest.ResponseRecorder) wireError {
	t.Helper()
	var e wireError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not the ErrorWriter's JSON: %v (%q)", err, rec.Body.String())
	}
	return e
}

func TestProfileValidate(t *testing.T) {
	ms := faults.Duration(time.Millisecond)
	tests := []struct {
		name    string
		p       faults.Profile
		wantErr bool
	}{
		{"zero", faults.Profile{}, false},
		{"full", faults.Profile{LatencyMedian: 10 * ms, LatencyP99: 90 * ms, ErrorRate: 0.1, TimeoutRate: 0.05,
			HangFor: 5 * ms, Outage: true, RateLimit: 5, RateBurst: 10}, false},
		{"rates at bounds", faults.Profile{ErrorRate: 1, TimeoutRate: 0}, false},
		{"p99 below median", faults.Profile{LatencyMedian: 10 * ms, LatencyP99: ms}, false},
		{"error rate negative", faults.Profile{ErrorRate: -0.1}, true},
		{"error rate over 1", faults.Profile{ErrorRate: 1.01}, true},
		{"timeout rate negative", faults.Profile{TimeoutRate: -1}, true},
		{"timeout rate over 1", faults.Profile{TimeoutRate: 2}, true},
		{"negative median", faults.Profile{LatencyMedian: -ms}, true},
		{"negative p99", faults.Profile{LatencyP99: -ms}, true},
		{"negative hang", faults.Profile{HangFor: -ms}, true},
		{"negative rate limit", faults.Profile{RateLimit: -1}, true},
		{"negative burst", faults.Profile{RateBurst: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
			_, err := faults.New("test", tt.p, testErrorWriter)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New() = %v, wantErr %v", err, tt.wantErr)
			}
			inj := newInjector(t, faults.Profile{ErrorRate: 0.5})
			err = inj.SetProfile(tt.p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SetProfile() = %v, wantErr %v", err, tt.wantErr)
			}
			want := tt.p
			if tt.wantErr {
				want = faults.Profile{ErrorRate: 0.5} // a refused profile changes nothing
			}
			if got := inj.Profile(); got != want {
				t.Fatalf("Profile() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	b, err := json.Marshal(faults.Duration(250 * time.Millisecond))
	if err != nil || string(b) != `"250ms"` {
		t.Fatalf("Marshal = %s, %v; want \"250ms\"", b, err)
	}
	for _, tt := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{`"1.5s"`, 1500 * time.Millisecond, false},
		{`"0s"`, 0, false},
		{`250`, 0, true},
		{`"soon"`, 0, true},
	} {
		var d faults.Duration
		err := json.Unmarshal([]byte(tt.in), &d)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && time.Duration(d) != tt.want {
			t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, time.Duration(d), tt.want)
		}
	}
}

func TestOutageUsesErrorWriter(t *testing.T) {
	inj := newInjector(t, faults.Profile{Outage: true})
	inner := &okHandler{}
	h := inj.Wrap("op", inner)
	rec := serve(h)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", rec.Code)
	}
	if e := decodeWireError(t, rec); e.Code != "UNAVAILABLE" {
		t.Fatalf("code = %q, want UNAVAILABLE", e.Code)
	}
	if inner.Calls() != 0 {
		t.Fatalf("the system was reached during an outage")
	}
	if err := inj.SetProfile(faults.Profile{}); err != nil {
		t.Fatal(err)
	}
	if rec := serve(h); rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Fatalf("after the outage: %d %q, want 200 ok", rec.Code, rec.Body.String())
	}
}

func TestRateLimitWithFakeClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	inj := newInjector(t, faults.Profile{RateLimit: 2, RateBurst: 3}, faults.WithClock(clock))
	inner := &okHandler{}
	h := inj.Wrap("op", inner)

	for i := range 3 {
		if rec := serve(h); rec.Code != http.StatusOK {
			t.Fatalf("burst request %d: status %d, want 200", i, rec.Code)
		}
	}
	rec := serve(h)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("request over the burst: status %d, want 429", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After = %q, want \"1\" (half a second rounded up)", got)
	}
	if e := decodeWireError(t, rec); e.Code != "RATE_LIMITED" {
		t.Fatalf("code = %q, want RATE_LIMITED", e.Code)
	}

	// Half a second at 2/s refills exactly one token.
	clock.Advance(500 * time.Millisecond)
	if rec := serve(h); rec.Code != http.StatusOK {
		t.Fatalf("after refill: status %d, want 200", rec.Code)
	}
	if rec := serve(h); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("second request after a one-token refill: status %d, want 429", rec.Code)
	}

	// A long pause refills only up to the burst.
	clock.Advance(time.Hour)
	ok := 0
	for range 10 {
		if serve(h).Code == http.StatusOK {
			ok++
		}
	}
	if ok != 3 {
		t.Fatalf("after a long pause %d requests passed, want the burst of 3", ok)
	}
	if inner.Calls() != 3+1+3 {
		t.Fatalf("system reached %d times, want 7", inner.Calls())
	}
	if got := inj.Count("op"); got != 3+1+1+1+10 {
		t.Fatalf("Count = %d, want every request counted (16), limited ones too", got)
	}
}

func TestRateLimitRetryAfterRoundsUp(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	// 0.25 requests per second: an empty bucket needs four seconds for a token.
	inj := newInjector(t, faults.Profile{RateLimit: 0.25, RateBurst: 1}, faults.WithClock(clock))
	h := inj.Wrap("op", &okHandler{})
	if rec := serve(h); rec.Code != http.StatusOK {
		t.Fatalf("first request: %d", rec.Code)
	}
	rec := serve(h)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "4" {
		t.Fatalf("got %d Retry-After %q, want 429 and 4", rec.Code, rec.Header().Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if rec := serve(h); rec.Header().Get("Retry-After") != "3" {
		t.Fatalf("one second later Retry-After = %q, want 3", rec.Header().Get("Retry-After"))
	}
}

func TestSetProfileRefillsBucket(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
	inj := newInjector(t, faults.Profile{RateLimit: 1, RateBurst: 1}, faults.WithClock(clock))
	h := inj.Wrap("op", &okHandler{})
	serve(h)
	if serve(h).Code != http.StatusTooManyRequests {
		t.Fatal("bucket should be empty")
	}
	if err := inj.SetProfile(faults.Profile{RateLimit: 1, RateBurst: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if rec := serve(h); rec.Code != http.StatusOK {
			t.Fatalf("request %d after SetProfile: %d, want a fresh burst", i, rec.Code)
		}
	}
}

func TestErrorRateIsSeededAndProportional(t *testing.T) {
	const n = 4000
	run := func(seed uint64) []int {
		inj := newInjector(t, faults.Profile{ErrorRate: 0.25}, faults.WithSeed(seed))
		h := inj.Wrap("op", &okHandler{})
		codes := make([]int, n)
		for i := range codes {
			rec := serve(h)
			codes[i] = rec.Code
			if rec.Code == http.StatusInternalServerError {
				if e := decodeWireError(t, rec); e.Code != "INTERNAL" {
					t.Fatalf("code = %q, want INTERNAL", e.Code)
				}
			}
		}
		return codes
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave different error sequences")
	}
	failed := 0
	for _, c := range a {
		switch c {
		case http.StatusInternalServerError:
			failed++
		case http.StatusOK:
		default:
			t.Fatalf("unexpected status %d", c)
		}
	}
	if share := float64(failed) / n; share < 0.22 || share > 0.28 {
		t.Fatalf("error share %.3f, want about 0.25", share)
	}
	if c := run(8); slices.Equal(a, c) {
		t.Fatal("different seeds gave identical sequences")
	}
}

func TestErrorRateBounds(t *testing.T) {
	for _, tt := range []struct {
		rate float64
		want int
	}{{0, http.StatusOK}, {1, http.StatusInternalServerError}} {
		inj := newInjector(t, faults.Profile{ErrorRate: tt.rate}, faults.WithSeed(1))
		h := inj.Wrap("op", &okHandler{})
		for range 200 {
			if got := serve(h).Code; got != tt.want {
				t.Fatalf("rate %v: status %d, want %d", tt.rate, got, tt.want)
			}
		}
	}
}

func TestTimeoutSimulation(t *testing.T) {
	tests := []struct {
		name     string
		hangFor  faults.Duration
		sleepErr error
		wantHang time.Duration
		wantCode int // 0: nothing written
	}{
		{"hang then 504", faults.Duration(3 * time.Second), nil, 3 * time.Second, http.StatusGatewayTimeout},
		{"default hang", 0, nil, 30 * time.Second, http.StatusGatewayTimeout},
		{"caller gives up", faults.Duration(3 * time.Second), context.Canceled, 3 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sl := &sleepRecorder{err: tt.sleepErr}
			inj := newInjector(t, faults.Profile{TimeoutRate: 1, HangFor: tt.hangFor}, faults.WithSleep(sl.Sleep))
			inner := &okHandler{}
			rec := serve(inj.Wrap("op", inner))
			if got := sl.Durations(); !slices.Equal(got, []time.Duration{tt.wantHang}) {
				t.Fatalf("waits = %v, want [%v]", got, tt.wantHang)
			}
			if inner.Calls() != 0 {
				t.Fatal("a hanging request reached the system")
			}
			if tt.wantCode == 0 {
				if rec.Body.Len() != 0 {
					t.Fatalf("wrote %q to a caller that gave up", rec.Body.String())
				}
				return
			}
			if rec.Code != tt.wantCode {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantCode)
			}
			if e := decodeWireError(t, rec); e.Code != "TIMEOUT" {
				t.Fatalf("code = %q, want TIMEOUT", e.Code)
			}
		})
	}
}

func TestLatencyDistribution(t *testing.T) {
	sl := &sleepRecorder{}
	p := faults.Profile{
		LatencyMedian: faults.Duration(100 * time.Millisecond),
		LatencyP99:    faults.Duration(800 * time.Millisecond),
	}
	inj := newInjector(t, p, faults.WithSleep(sl.Sleep), faults.WithSeed(3))
	inner := &okHandler{}
	h := inj.Wrap("op", inner)
	const n = 5000
	for range n {
		if rec := serve(h); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if inner.Calls() != n {
		t.Fatalf("system reached %d times, want %d: latency must delay, not drop", inner.Calls(), n)
	}
	d := sl.Durations()
	if len(d) != n {
		t.Fatalf("%d latencies drawn, want %d", len(d), n)
	}
	slices.Sort(d)
	med, p99 := d[n/2], d[n*99/100]
	if med < 85*time.Millisecond || med > 115*time.Millisecond {
		t.Errorf("median %v, want about 100ms", med)
	}
	if p99 < 600*time.Millisecond || p99 > 1050*time.Millisecond {
		t.Errorf("p99 %v, want about 800ms", p99)
	}
	if d[0] <= 0 {
		t.Errorf("non-positive latency %v drawn", d[0])
	}
}

func TestLatencyFixedWhenP99BelowMedian(t *testing.T) {
	sl := &sleepRecorder{}
	p := faults.Profile{LatencyMedian: faults.Duration(40 * time.Millisecond), LatencyP99: faults.Duration(time.Millisecond)}
	inj := newInjector(t, p, faults.WithSleep(sl.Sleep))
	h := inj.Wrap("op", &okHandler{})
	for range 20 {
		serve(h)
	}
	for _, d := range sl.Durations() {
		if d != 40*time.Millisecond {
			t.Fatalf("latency %v, want exactly the median 40ms", d)
		}
	}
}

func TestNoLatencyByDefault(t *testing.T) {
	sl := &sleepRecorder{}
	inj := newInjector(t, faults.Profile{}, faults.WithSleep(sl.Sleep))
	serve(inj.Wrap("op", &okHandler{}))
	if got := sl.Durations(); len(got) != 0 {
		t.Fatalf("waited %v with a zero profile", got)
	}
}

func TestLatencyAbandonedByCaller(t *testing.T) {
	sl := &sleepRecorder{err: context.DeadlineExceeded}
	inj := newInjector(t, faults.Profile{LatencyMedian: faults.Duration(time.Second)}, faults.WithSleep(sl.Sleep))
	inner := &okHandler{}
	rec := serve(inj.Wrap("op", inner))
	if inner.Calls() != 0 || rec.Body.Len() != 0 {
		t.Fatalf("a request whose caller left during latency was served (%d calls, body %q)", inner.Calls(), rec.Body.String())
	}
}

func TestCountersAndReset(t *testing.T) {
	inj := newInjector(t, faults.Profile{})
	a := inj.Wrap("a.get", &okHandler{})
	b := inj.Wrap("b.list", &okHandler{})
	for range 3 {
		serve(a)
	}
	serve(b)
	if got := inj.Count("a.get"); got != 3 {
		t.Fatalf("Count(a.get) = %d, want 3", got)
	}
	if got := inj.Count("never.wrapped"); got != 0 {
		t.Fatalf("Count of an unknown op = %d, want 0", got)
	}
	want := map[string]int64{"a.get": 3, "b.list": 1}
	if got := inj.Counts(); !mapsEqual(got, want) {
		t.Fatalf("Counts = %v, want %v", got, want)
	}
	inj.ResetCounts()
	if got := inj.Counts(); !mapsEqual(got, map[string]int64{"a.get": 0, "b.list": 0}) {
		t.Fatalf("after reset Counts = %v, want zeros", got)
	}
	serve(b)
	if got := inj.Count("b.list"); got != 1 {
		t.Fatalf("counting after reset: %d, want 1", got)
	}
}

func TestCountersConcurrent(t *testing.T) {
	inj := newInjector(t, faults.Profile{ErrorRate: 0.5}, faults.WithSeed(9))
	h := inj.Wrap("op", &okHandler{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				serve(h)
			}
		})
	}
	wg.Wait()
	if got := inj.Count("op"); got != 800 {
		t.Fatalf("Count = %d, want 800", got)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestControlEndpoint(t *testing.T) {
	inj := newInjector(t, faults.Profile{ErrorRate: 0.1, LatencyMedian: faults.Duration(250 * time.Millisecond)})
	mux := http.NewServeMux()
	mux.Handle(faults.ControlPrefix, inj.ControlHandler())
	op := inj.Wrap("op", &okHandler{})
	mux.Handle("/op", op)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, sb.String()
	}

	t.Run("get faults", func(t *testing.T) {
		code, body := do(http.MethodGet, "/_control/faults", "")
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		var p faults.Profile
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if p != inj.Profile() {
			t.Fatalf("GET faults = %+v, want %+v", p, inj.Profile())
		}
		if !strings.Contains(body, `"latencyMedian":"250ms"`) {
			t.Fatalf("durations should be strings such as \"250ms\": %s", body)
		}
	})

	t.Run("put faults", func(t *testing.T) {
		code, body := do(http.MethodPut, "/_control/faults", `{"outage":true,"hangFor":"2s","rateLimit":5,"rateBurst":10}`)
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, body)
		}
		want := faults.Profile{Outage: true, HangFor: faults.Duration(2 * time.Second), RateLimit: 5, RateBurst: 10}
		if got := inj.Profile(); got != want {
			t.Fatalf("profile = %+v, want %+v (PUT replaces, it does not merge)", got, want)
		}
		if code, _ := do(http.MethodGet, "/op", ""); code != http.StatusServiceUnavailable {
			t.Fatalf("after PUT outage the op answered %d, want 503", code)
		}
	})

	bad := []struct{ name, body string }{
		{"bad json", `{"outage":`},
		{"unknown field", `{"outages":true}`},
		{"wrong type", `{"errorRate":"high"}`},
		{"bad duration", `{"latencyMedian":"fast"}`},
		{"invalid profile", `{"errorRate":1.5}`},
	}
	for _, tt := range bad {
		t.Run("put "+tt.name, func(t *testing.T) {
			before := inj.Profile()
			code, body := do(http.MethodPut, "/_control/faults", tt.body)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 (%s)", code, body)
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || e["error"] == "" {
				t.Fatalf("400 body should be {\"error\":...}: %s", body)
			}
			if inj.Profile() != before {
				t.Fatal("a refused PUT changed the profile")
			}
		})
	}

	t.Run("counts and reset", func(t *testing.T) {
		if err := inj.SetProfile(faults.Profile{}); err != nil {
			t.Fatal(err)
		}
		inj.ResetCounts()
		for range 4 {
			do(http.MethodGet, "/op", "")
		}
		code, body := do(http.MethodGet, "/_control/counts", "")
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		var counts map[string]int64
		if err := json.Unmarshal([]byte(body), &counts); err != nil {
			t.Fatal(err)
		}
		if counts["op"] != 4 {
			t.Fatalf("counts = %v, want op=4", counts)
		}
		if _, ok := counts["_control"]; ok {
			t.Fatal("control requests must not be counted as operations")
		}
		code, _ = do(http.MethodPost, "/_control/counts/reset", "")
		if code != http.StatusNoContent {
			t.Fatalf("reset status %d, want 204", code)
		}
		if inj.Count("op") != 0 {
			t.Fatalf("after reset Count = %d", inj.Count("op"))
		}
	})

	t.Run("wrong method", func(t *testing.T) {
		if code, _ := do(http.MethodDelete, "/_control/faults", ""); code != http.StatusMethodNotAllowed {
			t.Fatalf("DELETE faults: %d, want 405", code)
		}
		if code, _ := do(http.MethodGet, "/_control/counts/reset", ""); code == http.StatusNoContent {
			t.Fatal("GET must not reset the counters")
		}
	})
}

func TestRateLimitWithZeroBurstAdmitsFirstRequest(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	inj, err := faults.New("x", faults.Profile{RateLimit: 1}, func(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
		w.WriteHeader(status)
	}, faults.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	h := inj.Wrap("op", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	codes := []int{}
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		codes = append(codes, rec.Code)
	}
	if codes[0] != 200 || codes[1] != http.StatusTooManyRequests {
		t.Fatalf("codes %v, want [200 429]", codes)
	}
}

func TestDurationNullIsIgnored(t *testing.T) {
	d := faults.Duration(5 * time.Second)
	if err := json.Unmarshal([]byte("null"), &d); err != nil || d != faults.Duration(5*time.Second) {
		t.Fatalf("null: %v %v", err, d)
	}
}
