package vaccination

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
	standin "github.com/vn-epidemic/hub/mocks/vaccination"
)

var testPopulation = sync.OnceValues(func() (*synth.Population, error) {
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: 11, Size: 20_000}, dir)
})

func population(t testing.TB) *synth.Population {
	t.Helper()
	p, err := testPopulation()
	if err != nil {
		t.Fatalf("synthetic population: %v", err)
	}
	return p
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 1, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is the real stand-in over HTTP and an adapter pointed at it. The
// stand-in and the adapter have their own clocks so that tests can make
// them disagree, as real clocks do.
type env struct {
	platform    *standin.Server
	http        *httptest.Server
	client      *Client
	serverClock *clock
	clientClock *clock
}

type envOption struct {
	ttl      time.Duration
	wrap     func(http.Handler) http.Handler
	secret   string
	maxWrite int
}

func newEnv(t testing.TB, opts ...func(*envOption)) *env {
	t.Helper()
	var o envOption
	for _, f := range opts {
		f(&o)
	}
	e := &env{serverClock: newClock(), clientClock: newClock()}
	s, err := standin.New(standin.Config{Population: population(t), Now: e.serverClock.Now, TokenTTL: o.ttl, MaxWrites: o.maxWrite})
	if err != nil {
		t.Fatal(err)
	}
	e.platform = s
	h := s.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	e.http = httptest.NewServer(h)
	t.Cleanup(e.http.Close)
	secret := o.secret
	if secret == "" {
		secret = standin.DefaultClientSecret
	}
	c, err := New(Config{BaseURL: e.http.URL, ClientID: standin.DefaultClientID, ClientSecret: secret},
		upstream.NewCaller(e.http.Client(), 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.now = e.clientClock.Now
	e.client = c
	return e
}

func (e *env) count(op string) int64 { return e.platform.Faults().Count(op) }

// wantKind checks that err is an *domain.UpstreamError of the kind, with the
// reason when one is given.
func wantKind(t testing.TB, err error, kind error, reason string) *domain.UpstreamError {
	t.Helper()
	var ue *domain.UpstreamError
	if !errors.As(err, &ue) || !errors.Is(err, kind) {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	if reason != "" && ue.Reason != reason {
		t.Fatalf("reason %q, want %q", ue.Reason, reason)
	}
	return ue
}

func findCitizen(t testing.TB, pred func(i int64, v synth.Vaccination, ok bool) bool) int64 {
	t.Helper()
	p := population(t)
	for i := int64(0); i < p.Size(); i++ {
		v, ok := p.Vaccination(i)
		if pred(i, v, ok) {
			return i
		}
	}
	t.Fatal("no citizen in the test population fits")
	return -1
}

// keysOf returns keys for n distinct citizens starting at index from.
func keysOf(t testing.TB, from, n int) []PersonKey {
	p := population(t)
	keys := make([]PersonKey, n)
	for k := range keys {
		keys[k] = PersonKey{ID: p.At(int64(from + k)).ID}
	}
	return keys
}
