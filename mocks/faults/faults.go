// Package faults makes a ministry stand-in misbehave the way real ministry
// systems do: latency drawn from a distribution, a share of server errors,
// requests that hang until the caller gives up, outages and rate limits with
// Retry-After. It also counts requests per operation so tests can assert how
// many upstream calls the hub made. It knows nothing of any system's wire
// format: each stand-in supplies an ErrorWriter that speaks its own.
package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Profile is the fault configuration of one stand-in. The zero value is a
// perfectly behaved, instant system.
type Profile struct {
	// LatencyMedian and LatencyP99 shape a log-normal latency distribution.
	// Zero median means no added latency; a P99 below the median is treated
	// as equal to it (a fixed latency).
	LatencyMedian Duration `json:"latencyMedian"`
	LatencyP99    Duration `json:"latencyP99"`
	// ErrorRate is the share (0..1) of requests answered with a 500-class error.
	ErrorRate float64 `json:"errorRate"`
	// TimeoutRate is the share (0..1) of requests that hang until the caller
	// gives up (or HangFor passes, then 504).
	TimeoutRate float64  `json:"timeoutRate"`
	HangFor     Duration `json:"hangFor"`
	// Outage answers every request with 503 while true.
	Outage bool `json:"outage"`
	// RateLimit is the sustained requests per second allowed (0 = unlimited);
	// RateBurst the bucket size. Excess requests get 429 with Retry-After.
	RateLimit float64 `json:"rateLimit"`
	RateBurst int     `json:"rateBurst"`
}

// Validate reports a profile that makes no sense.
func (p Profile) Validate() error {
	switch {
	case p.ErrorRate < 0 || p.ErrorRate > 1:
		return fmt.Errorf("errorRate must be between 0 and 1")
	case p.TimeoutRate < 0 || p.TimeoutRate > 1:
		return fmt.Errorf("timeoutRate must be between 0 and 1")
	case p.LatencyMedian < 0 || p.LatencyP99 < 0 || p.HangFor < 0:
		return fmt.Errorf("durations must not be negative")
	case p.RateLimit < 0 || p.RateBurst < 0:
		return fmt.Errorf("rateLimit and rateBurst must not be negative")
	}
	return nil
}

// Duration is a time.Duration that reads and writes JSON as "250ms".
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" { // encoding/json convention: null leaves the value alone
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"250ms\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// ErrorWriter writes an error answer in the stand-in's own wire format.
// code is a short machine code ("UNAVAILABLE", "RATE_LIMITED", "TIMEOUT", "INTERNAL").
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, code, message string)

// Clock is the time source; tests supply their own to control rate limits.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Injector applies a Profile to the handlers it wraps and counts requests.
type Injector struct {
	name     string
	writeErr ErrorWriter
	clock    Clock
	sleep    func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	profile Profile
	rng     *rand.Rand
	tokens  float64
	last    time.Time

	countsMu sync.RWMutex
	counts   map[string]*atomic.Int64
}

// Option customises an Injector.
type Option func(*Injector)

// WithClock replaces the wall clock (used by the rate limiter).
func WithClock(c Clock) Option { return func(i *Injector) { i.clock = c } }

// WithSleep replaces how latency is waited out (tests record instead of sleeping).
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(i *Injector) { i.sleep = f }
}

// WithSeed makes the injector's random choices reproducible.
func WithSeed(seed uint64) Option {
	return func(i *Injector) { i.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
}

// New returns an injector for the named stand-in with an initial profile.
func New(name string, p Profile, writeErr ErrorWriter, opts ...Option) (*Injector, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("faults for %s: %w", name, err)
	}
	i := &Injector{
		name:     name,
		writeErr: writeErr,
		clock:    systemClock{},
		sleep:    sleepCtx,
		profile:  p,
		rng:      rand.New(rand.NewPCG(1, 2)),
		counts:   map[string]*atomic.Int64{},
	}
	for _, o := range opts {
		o(i)
	}
	i.tokens = initialTokens(p)
	i.last = i.clock.Now()
	return i, nil
}

// Profile returns the current profile.
func (i *Injector) Profile() Profile {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.profile
}

// SetProfile replaces the profile at runtime.
func (i *Injector) SetProfile(p Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.profile = p
	i.tokens = initialTokens(p)
	i.last = i.clock.Now()
	return nil
}

// initialTokens fills the bucket: a zero burst still lets one request through.
func initialTokens(p Profile) float64 { return float64(max(p.RateBurst, 1)) }

// Counts returns the number of requests seen per operation since the last reset.
func (i *Injector) Counts() map[string]int64 {
	i.countsMu.RLock()
	defer i.countsMu.RUnlock()
	out := make(map[string]int64, len(i.counts))
	for op, c := range i.counts {
		out[op] = c.Load()
	}
	return out
}

// Count returns the number of requests seen for one operation.
func (i *Injector) Count(op string) int64 {
	i.countsMu.RLock()
	defer i.countsMu.RUnlock()
	if c, ok := i.counts[op]; ok {
		return c.Load()
	}
	return 0
}

// ResetCounts zeroes every counter.
func (i *Injector) ResetCounts() {
	i.countsMu.RLock()
	defer i.countsMu.RUnlock()
	for _, c := range i.counts {
		c.Store(0)
	}
}

func (i *Injector) counter(op string) *atomic.Int64 {
	i.countsMu.Lock()
	defer i.countsMu.Unlock()
	c, ok := i.counts[op]
	if !ok {
		c = new(atomic.Int64)
		i.counts[op] = c
	}
	return c
}

// decision is what happens to one request, drawn under the lock.
type decision struct {
	latency    time.Duration
	outage     bool
	limited    bool
	retryAfter time.Duration
	fail       bool
	hang       bool
	hangFor    time.Duration
}

func (i *Injector) decide() decision {
	i.mu.Lock()
	defer i.mu.Unlock()
	p := i.profile
	var d decision
	if p.Outage {
		d.outage = true
		return d
	}
	if p.RateLimit > 0 {
		now := i.clock.Now()
		burst := float64(max(p.RateBurst, 1))
		i.tokens = math.Min(burst, i.tokens+now.Sub(i.last).Seconds()*p.RateLimit)
		i.last = now
		if i.tokens < 1 {
			d.limited = true
			wait := (1 - i.tokens) / p.RateLimit
			d.retryAfter = time.Duration(math.Ceil(wait)) * time.Second
			return d
		}
		i.tokens--
	}
	d.latency = i.drawLatency(p)
	if p.TimeoutRate > 0 && i.rng.Float64() < p.TimeoutRate {
		d.hang = true
		d.hangFor = time.Duration(p.HangFor)
		if d.hangFor == 0 {
			d.hangFor = 30 * time.Second
		}
		return d
	}
	if p.ErrorRate > 0 && i.rng.Float64() < p.ErrorRate {
		d.fail = true
	}
	return d
}

// drawLatency samples a log-normal with the given median and 99th percentile.
func (i *Injector) drawLatency(p Profile) time.Duration {
	med := float64(p.LatencyMedian)
	if med <= 0 {
		return 0
	}
	p99 := math.Max(float64(p.LatencyP99), med)
	sigma := math.Log(p99/med) / 2.3263478740408408 // z(0.99)
	return time.Duration(med * math.Exp(sigma*i.rng.NormFloat64()))
}

// Wrap counts requests to h under op and applies the current profile to them.
func (i *Injector) Wrap(op string, h http.Handler) http.Handler {
	c := i.counter(op)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Add(1)
		d := i.decide()
		switch {
		case d.outage:
			i.writeErr(w, r, http.StatusServiceUnavailable, "UNAVAILABLE", "service temporarily unavailable")
			return
		case d.limited:
			w.Header().Set("Retry-After", strconv.Itoa(int(d.retryAfter/time.Second)))
			i.writeErr(w, r, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests")
			return
		}
		if d.latency > 0 {
			if err := i.sleep(r.Context(), d.latency); err != nil {
				return // caller gave up
			}
		}
		switch {
		case d.hang:
			if err := i.sleep(r.Context(), d.hangFor); err != nil {
				return
			}
			i.writeErr(w, r, http.StatusGatewayTimeout, "TIMEOUT", "upstream processing timed out")
		case d.fail:
			i.writeErr(w, r, http.StatusInternalServerError, "INTERNAL", "internal error")
		default:
			h.ServeHTTP(w, r)
		}
	})
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ControlPrefix is where every stand-in mounts its control endpoint.
const ControlPrefix = "/_control/"

// ControlHandler serves the documented control endpoint:
//
//	GET  /_control/faults          current profile as JSON
//	PUT  /_control/faults          replace the profile (JSON body, fields as in Profile)
//	GET  /_control/counts          {"operation": count, ...}
//	POST /_control/counts/reset    zero the counters
//
// It is not behind the stand-in's credentials: it belongs to the test harness,
// not to the simulated system.
func (i *Injector) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_control/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, i.Profile())
	})
	mux.HandleFunc("PUT /_control/faults", func(w http.ResponseWriter, r *http.Request) {
		var p Profile
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad profile: " + err.Error()})
			return
		}
		if err := i.SetProfile(p); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
	mux.HandleFunc("GET /_control/counts", func(w http.ResponseWriter, r *http.Request) {
		counts := i.Counts()
		ops := make([]string, 0, len(counts))
		for op := range counts {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		ordered := make(map[string]int64, len(ops))
		for _, op := range ops {
			ordered[op] = counts[op]
		}
		writeJSON(w, http.StatusOK, ordered)
	})
	mux.HandleFunc("POST /_control/counts/reset", func(w http.ResponseWriter, r *http.Request) {
		i.ResetCounts()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
