package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Pinger reports whether an upstream answers. Adapters implement it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ServerDeps are what the HTTP server serves.
type ServerDeps struct {
	GraphQL   http.Handler      // the GraphQL endpoint
	Explorer  http.Handler      // the explorer page and its assets; nil to disable
	Upstreams map[string]Pinger // by upstream name, for /readyz
	Logger    *slog.Logger
}

// Server is the hub's HTTP server.
type Server struct {
	cfg     Config
	deps    ServerDeps
	handler http.Handler
	ready   *readiness
}

// NewServer builds the routes.
func NewServer(cfg Config, deps ServerDeps) (*Server, error) {
	if deps.GraphQL == nil {
		return nil, errors.New("gateway: no GraphQL handler")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, deps: deps, ready: newReadiness(deps.Upstreams, 2*time.Second, time.Now)}
	mux := http.NewServeMux()
	gql := http.MaxBytesHandler(deps.GraphQL, cfg.GraphQL.MaxBodyBytes)
	gql = http.TimeoutHandler(gql, cfg.GraphQL.RequestTimeout.Std()+time.Second, `{"errors":[{"message":"request timed out","extensions":{"code":"UPSTREAM_TIMEOUT"}}]}`)
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	if deps.Explorer != nil {
		mux.Handle("GET /{$}", deps.Explorer)
		mux.Handle("GET /assets/", deps.Explorer)
	}
	s.handler = s.withRequestContext(mux)
	return s, nil
}

// Handler is the whole HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish within ShutdownTimeout, and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.deps.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("gateway: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout.Std())
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("gateway: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("gateway: serve: %w", err)
	}
	return nil
}

type requestIDKey struct{}

// RequestID returns the request's ID (set by the gateway for every request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestContext gives every request an ID, common security headers, a
// panic guard and one access-log line. The log line carries no query, no
// variables and no personal data: only method, path, status and timing.
func (s *Server) withRequestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.deps.Logger.Error("panic serving request", "request_id", id, "path", r.URL.Path)
				if !rec.wrote {
					writeJSON(rec, http.StatusInternalServerError, map[string]any{"errors": []map[string]any{{
						"message": "internal error", "extensions": map[string]string{"code": "INTERNAL_SERVER_ERROR"}}}})
				}
			}
			s.deps.Logger.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readiness pings the upstreams, at most once per interval whatever the
// probe rate, so that load balancers polling /readyz cannot load the ministries.
type readiness struct {
	upstreams map[string]Pinger
	interval  time.Duration
	now       func() time.Time

	mu      sync.Mutex
	checked time.Time
	last    readyReport
}

type upstreamState struct {
	Status    string `json:"status"` // "up" or "down"
	Error     string `json:"error,omitempty"`
	LatencyMS int64  `json:"latencyMs"`
}

type readyReport struct {
	Status    string                   `json:"status"` // "ready" or "degraded"
	CheckedAt time.Time                `json:"checkedAt"`
	Upstreams map[string]upstreamState `json:"upstreams"`
}

func newReadiness(ups map[string]Pinger, interval time.Duration, now func() time.Time) *readiness {
	return &readiness{upstreams: ups, interval: interval, now: now}
}

func (rd *readiness) report(ctx context.Context) readyReport {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if !rd.checked.IsZero() && rd.now().Sub(rd.checked) < rd.interval {
		return rd.last
	}
	names := make([]string, 0, len(rd.upstreams))
	for n := range rd.upstreams {
		names = append(names, n)
	}
	sort.Strings(names)
	states := make([]upstreamState, len(names))
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := rd.upstreams[n].Ping(ctx)
			st := upstreamState{Status: "up", LatencyMS: time.Since(start).Milliseconds()}
			if err != nil {
				// The error text of adapters names upstream, operation and kind only.
				st.Status, st.Error = "down", err.Error()
			}
			states[i] = st
		}()
	}
	wg.Wait()
	rep := readyReport{Status: "ready", CheckedAt: rd.now().UTC(), Upstreams: map[string]upstreamState{}}
	for i, n := range names {
		rep.Upstreams[n] = states[i]
		if states[i].Status != "up" {
			rep.Status = "degraded"
		}
	}
	rd.checked, rd.last = rd.now(), rep
	return rep
}

// serveReady answers 200 while the hub can serve (an upstream down means
// partial answers, not an unready hub) and 503 with ?strict=1 when any
// upstream is down; the body reports each upstream.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	rep := s.ready.report(r.Context())
	status := http.StatusOK
	if rep.Status != "ready" && r.URL.Query().Get("strict") == "1" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}
