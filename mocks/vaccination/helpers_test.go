package vaccination

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testPopulation is built once: it is immutable and safe to share.
var testPopulation = sync.OnceValues(func() (*synth.Population, error) {
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: 7, Size: 20_000}, dir)
})

func population(t testing.TB) *synth.Population {
	t.Helper()
	p, err := testPopulation()
	if err != nil {
		t.Fatalf("synthetic population: %v", err)
	}
	return p
}

// clock is a controlled time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
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

// testStart is a few days after the population's epoch (2026-01-01).
var testStart = time.Date(2026, 1, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

type env struct {
	srv   *Server
	http  *httptest.Server
	clock *clock
	token string
}

func newEnv(t testing.TB, mod ...func(*Config)) *env {
	t.Helper()
	clk := &clock{t: testStart}
	cfg := Config{Population: population(t), Now: clk.Now}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &env{srv: s, http: ts, clock: clk}
	e.token = e.newToken(t, "")
	return e
}

func (e *env) newToken(t testing.TB, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != 200 || tr.AccessToken == "" {
		t.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	return tr.AccessToken
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the code of the platform's error shape.
func (r response) errorCode() string {
	var e apiError
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// call sends a request with the env's token (unless a header overrides
// Authorization). body is marshalled unless it is a string or []byte.
func (e *env) call(t testing.TB, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func wantStatus(t testing.TB, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if code != "" && r.errorCode() != code {
		t.Fatalf("error code %q, want %q; body %s", r.errorCode(), code, r.body)
	}
}

var accessTokenField = regexp.MustCompile(`"access_token":"[^"]*"`)

// golden compares a JSON body, indented, with testdata/<name>.golden.json.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	body = accessTokenField.ReplaceAll(body, []byte(`"access_token":"<random>"`))
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, body)
	}
	got := bytes.TrimSpace(buf.Bytes())
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run with -update if intended)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// Finders over the test population, deterministic by scanning in index order.

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

type batchPeople struct {
	People []personRef `json:"people"`
}

func people(ids ...string) batchPeople {
	var b batchPeople
	for _, id := range ids {
		b.People = append(b.People, personRef{PersonID: id})
	}
	return b
}

func faultsOutage() faults.Profile { return faults.Profile{Outage: true} }
