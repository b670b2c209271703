package population

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	standin "github.com/vn-epidemic/hub/mocks/population"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/vntext"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	popOnce sync.Once
	pop     *synth.Population
	popErr  error
)

// testPopulation is a small synthetic population built once per test binary.
func testPopulation(t testing.TB) *synth.Population {
	t.Helper()
	popOnce.Do(func() {
		dir, err := adminunit.Default()
		if err != nil {
			popErr = err
			return
		}
		pop, popErr = synth.New(synth.Config{Seed: 20211016, Size: 20_000}, dir)
	})
	if popErr != nil {
		t.Fatalf("building the test population: %v", popErr)
	}
	return pop
}

// env is one stand-in behind a real HTTP server, and a client for it.
type env struct {
	standin *standin.Server
	server  *httptest.Server
	client  *Client
	// started counts calls entering the caller's middleware chain, sent or not.
	started atomic.Int64
}

// newEnv starts the stand-in; wrap, when given, sits between the HTTP server
// and the stand-in's handler (to count concurrency, record requests, ...).
func newEnv(t *testing.T, wrap func(http.Handler) http.Handler, mutate func(*Config)) *env {
	t.Helper()
	s, err := standin.New(standin.Config{
		Population: testPopulation(t),
		Now:        func() time.Time { return time.Date(2026, 1, 15, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	cfg := testConfig(ts.URL)
	if mutate != nil {
		mutate(&cfg)
	}
	// Keep a connection per worker alive, as the gateway's transport does;
	// the default of two idle connections would redial for most calls.
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	e := &env{standin: s, server: ts}
	count := func(next upstream.RoundTrip) upstream.RoundTrip {
		return func(ctx context.Context, op upstream.Op, req *http.Request) (*http.Response, error) {
			e.started.Add(1)
			return next(ctx, op, req)
		}
	}
	c, err := New(cfg, upstream.NewCaller(&http.Client{Transport: tr}, 0, count))
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}

func testConfig(baseURL string) Config {
	return Config{
		BaseURL:         baseURL,
		AgencyCode:      standin.DefaultAgencyCode,
		ServiceCode:     "1.004227",
		IntegrationCode: "BYT-TCC19-01",
		Username:        standin.DefaultUsername,
		Password:        standin.DefaultPassword,
	}
}

// expected is what Lookup must return for a citizen: the record as the
// database holds it, with text normalised.
func expected(p domain.Person) domain.Person {
	if standin.QuirkOf(p.ID) == standin.QuirkYearOnlyBirth {
		p.BirthDate = domain.Date{Year: p.BirthDate.Year}
	}
	p.Name = domain.PersonName{Family: vntext.Normalize(p.Name.Family), Middle: vntext.Normalize(p.Name.Middle), Given: vntext.Normalize(p.Name.Given)}
	p.Ethnicity = vntext.Normalize(p.Ethnicity)
	for _, a := range []*domain.Address{&p.Permanent, &p.Current} {
		a.Detail, a.CommuneName, a.ProvinceName = vntext.Normalize(a.Detail), vntext.Normalize(a.CommuneName), vntext.Normalize(a.ProvinceName)
	}
	return p
}

// findPerson returns the first citizen satisfying ok.
func findPerson(t *testing.T, ok func(domain.Person) bool) domain.Person {
	t.Helper()
	p := testPopulation(t)
	for i := int64(0); i < p.Size(); i++ {
		if person := p.At(i); ok(person) {
			return person
		}
	}
	t.Fatal("no citizen in the test population fits")
	return domain.Person{}
}

func plain(p domain.Person) bool {
	return standin.QuirkOf(p.ID) == standin.QuirkNone && p.OldID != "" && p.Sex != domain.SexUnknown
}

// unknownID is a well-formed personal ID no citizen holds.
func unknownID(t *testing.T) string {
	t.Helper()
	p := testPopulation(t)
	for _, id := range []string{"001099000001", "079199123456", "096299999999", "001000000000"} {
		if _, ok := p.Lookup(id); !ok {
			return id
		}
	}
	t.Fatal("every candidate ID is taken")
	return ""
}

// recorder keeps the service requests passing through it.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Header.Clone(), body})
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.next.ServeHTTP(w, req)
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request recorded")
	}
	return r.reqs[len(r.reqs)-1]
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// captureResponse records what the stand-in answered, for golden files and fuzz seeds.
type captureResponse struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (c *captureResponse) Write(b []byte) (int, error) {
	c.buf.Write(b)
	return c.ResponseWriter.Write(b)
}
