package checkpoint

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/mocks/synth"
)

var update = flag.Bool("update", false, "rewrite golden files")

// epoch is the synthetic population's "now" and the stand-in's clock in tests.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

const testKey = "test-key"

// population builds the small synthetic population once per test binary:
// it is immutable, so sharing it between tests is safe.
var population = sync.OnceValues(func() (*synth.Population, error) {
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: 7, Size: 20_000, Epoch: epoch}, dir)
})

func testPopulation(t testing.TB) *synth.Population {
	t.Helper()
	pop, err := population()
	if err != nil {
		t.Fatalf("synthetic population: %v", err)
	}
	return pop
}

type testServer struct {
	*Server
	url string
}

// newTestServer starts the stand-in on a real HTTP server.
func newTestServer(t testing.TB, mutate ...func(*Config)) testServer {
	t.Helper()
	cfg := Config{
		Population:   testPopulation(t),
		APIKey:       testKey,
		Now:          func() time.Time { return epoch },
		PageTokenKey: []byte("golden-page-token-key"),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return testServer{Server: s, url: hs.URL}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with the standard headers unless overridden (an
// empty value removes a header).
func (ts testServer) call(t testing.TB, method, path string, body any, headers map[string]string) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, ts.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Api-Key", testKey)
	req.Header.Set("X-Request-Id", "req-1")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
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
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func decode[T any](t testing.TB, a answer) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %T from HTTP %d: %v\n%s", v, a.status, err, a.body)
	}
	return v
}

// golden compares a JSON body, indented, with testdata/golden/name.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from golden file (run with -update if intended)\ngot:\n%s", name, buf.String())
	}
}

func wantStatus(t testing.TB, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("HTTP %d, want %d: %s", a.status, status, a.body)
	}
}

// wantError checks the system's error shape and returns it.
func wantError(t testing.TB, a answer, status int) apiError {
	t.Helper()
	wantStatus(t, a, status)
	e := decode[apiError](t, a)
	if want := errorCode(status); e.Code != want {
		t.Errorf("code %q, want %q", e.Code, want)
	}
	if e.Message == "" {
		t.Error("error without message")
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	return e
}

func hasField(e apiError, field, code string) bool {
	for _, f := range e.Errors {
		if f.Field == field && f.Code == code {
			return true
		}
	}
	return false
}
