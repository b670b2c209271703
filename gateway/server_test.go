package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakePinger struct {
	calls atomic.Int64
	mu    sync.Mutex
	err   error
}

func (f *fakePinger) Ping(context.Context) error {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakePinger) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func testConfig() Config {
	cfg := Defaults()
	cfg.GraphQL.MaxBodyBytes = 1024
	cfg.ShutdownTimeout = Duration(5 * time.Second)
	return cfg
}

func TestReadyzReportsEachUpstreamAndCachesProbes(t *testing.T) {
	up, down := &fakePinger{}, &fakePinger{}
	down.setErr(errors.New("vaccination ping: upstream unavailable (HTTP 503)"))
	s, err := NewServer(testConfig(), ServerDeps{
		GraphQL:   http.NotFoundHandler(),
		Upstreams: map[string]Pinger{"population": up, "vaccination": down},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.ready.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

	get := func(path string) (int, readyReport) {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var rep readyReport
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%s: %v: %s", path, err, rec.Body)
		}
		return rec.Code, rep
	}
	code, rep := get("/readyz")
	if code != 200 || rep.Status != "degraded" || rep.Upstreams["population"].Status != "up" || rep.Upstreams["vaccination"].Status != "down" {
		t.Fatalf("code %d report %+v", code, rep)
	}
	if code, _ := get("/readyz?strict=1"); code != http.StatusServiceUnavailable {
		t.Fatalf("strict code %d", code)
	}
	if up.calls.Load() != 1 {
		t.Fatalf("probes within the interval pinged %d times, want 1", up.calls.Load())
	}
	mu.Lock()
	now = now.Add(3 * time.Second)
	mu.Unlock()
	down.setErr(nil)
	code, rep = get("/readyz?strict=1")
	if code != 200 || rep.Status != "ready" || up.calls.Load() != 2 {
		t.Fatalf("after interval: code %d report %+v calls %d", code, rep, up.calls.Load())
	}
}

func TestServerMiddleware(t *testing.T) {
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") != "" {
			panic("boom with personal data 001203012345")
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = w.Write(b)
	})
	var logs strings.Builder
	s, err := NewServer(testConfig(), ServerDeps{GraphQL: gql, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"healthz", httptest.NewRequest(http.MethodGet, "/healthz", nil), 200, `"ok"`},
		{"echo", httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{a}"}`)), 200, `{"query":"{a}"}`},
		{"body limit", httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(strings.Repeat("x", 2048))), 413, "too large"},
		{"panic", httptest.NewRequest(http.MethodPost, "/graphql?panic=1", nil), 500, "INTERNAL_SERVER_ERROR"},
		{"no explorer", httptest.NewRequest(http.MethodGet, "/", nil), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, tt.req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body, tt.status, tt.body)
			}
			if len(rec.Header().Get("X-Request-Id")) != 24 {
				t.Fatalf("request id %q", rec.Header().Get("X-Request-Id"))
			}
		})
	}
	if strings.Contains(logs.String(), "001203012345") || strings.Contains(logs.String(), "boom") {
		t.Fatalf("panic value reached the log: %s", logs.String())
	}
}

func TestGracefulShutdownLetsInFlightRequestsFinish(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	s, err := NewServer(testConfig(), ServerDeps{GraphQL: gql})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/graphql", "application/json", strings.NewReader("{}"))
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-entered
	cancel() // shutdown begins while the request is in flight
	// Wait until shutdown has closed the listener, so the release below
	// happens during shutdown, not before it.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		_ = c.Close()
		if i > 5000 {
			t.Fatal("listener never closed")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("server returned before the in-flight request finished: %v", err)
	default:
	}
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
