package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/policy"
	"github.com/vn-epidemic/hub/principal"
)

// harness is NewServer over counting fakes, driven with gqlgen's client.
type harness struct {
	t   testing.TB
	w   *world
	pop *fakePopulation
	vac *fakeVaccination
	ins *fakeInsurance
	chk *fakeCheckpoint
	res *Resolver
	srv http.Handler // NewServer behind authed: the harness's principal in every request
	c   *client.Client
	// caller is the principal every request carries (nil: unauthenticated).
	caller *principal.Principal
}

// tester is the principal of the behaviour tests: the test policy's role
// that sees everything (testdata/policy_everything.yaml).
func tester() *principal.Principal {
	return &principal.Principal{Subject: "officer-07", Roles: []string{"tester"}, Purpose: "epidemic_control"}
}

// as makes the following requests carry p (nil: no principal).
func (h *harness) as(p *principal.Principal) *harness {
	h.caller = p
	return h
}

// authed puts the harness's principal into each request's context, as the
// gateway's authentication middleware does.
func (h *harness) authed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.caller != nil {
			r = r.WithContext(principal.NewContext(r.Context(), h.caller))
		}
		next.ServeHTTP(w, r)
	})
}

// everythingPolicy is the behaviour tests' policy, parsed once per binary.
var everythingPolicy = sync.OnceValues(func() (*policy.Policy, error) {
	dir, err := defaultDirectory()
	if err != nil {
		return nil, err
	}
	f, err := os.Open("testdata/policy_everything.yaml")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return policy.Load(f, dir)
})

// defaultPolicy is the shipped policy, parsed once per binary.
var defaultPolicy = sync.OnceValues(func() (*policy.Policy, error) {
	dir, err := defaultDirectory()
	if err != nil {
		return nil, err
	}
	return policy.Default(dir)
})

func mustPolicy(t testing.TB, load func() (*policy.Policy, error)) *policy.Policy {
	t.Helper()
	p, err := load()
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	return p
}

// defaultDirectory parses the embedded directory once per test binary; a
// Directory is immutable and safe for concurrent use.
var defaultDirectory = sync.OnceValues(adminunit.Default)

func testDirectory(t testing.TB) *adminunit.Directory {
	t.Helper()
	dir, err := defaultDirectory()
	if err != nil {
		t.Fatalf("adminunit.Default: %v", err)
	}
	return dir
}

func testConfig() Config {
	return Config{
		Now:             func() time.Time { return testNow },
		LoaderWait:      time.Millisecond,
		UpstreamTimeout: 5 * time.Second,
	}
}

func newHarness(t testing.TB, tune ...func(*Config)) *harness {
	t.Helper()
	w := newWorld()
	h := &harness{t: t, w: w, pop: &fakePopulation{w: w}, vac: &fakeVaccination{w: w}, ins: &fakeInsurance{w: w}, chk: &fakeCheckpoint{w: w}}
	cfg := testConfig()
	cfg.Policy = mustPolicy(t, everythingPolicy)
	h.caller = tester()
	for _, f := range tune {
		f(&cfg)
	}
	res, err := NewResolver(cfg, Sources{Population: h.pop, Vaccination: h.vac, Insurance: h.ins, Checkpoint: h.chk}, testDirectory(t))
	if err != nil {
		t.Fatalf("NewResolver: %v", err)
	}
	h.res = res
	h.srv = h.authed(NewServer(res, ServerOptions{Introspection: true}))
	h.c = client.New(h.srv)
	return h
}

// upstreamCalls is how many calls all fakes received.
func (h *harness) upstreamCalls() int {
	return h.pop.total() + h.vac.total() + h.ins.total() + h.chk.total()
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string {
	s, _ := e.Extensions["code"].(string)
	return s
}

func (e gqlError) pathString() string {
	parts := make([]string, len(e.Path))
	for i, p := range e.Path {
		if s, ok := p.(string); ok {
			parts[i] = s
			continue
		}
		b, _ := json.Marshal(p)
		parts[i] = string(b)
	}
	return strings.Join(parts, ".")
}

type response struct {
	Data      map[string]any
	Errors    []gqlError
	rawErrors string
}

// errorAt returns the error whose path is path, or fails the test.
func (r response) errorAt(t testing.TB, path string) gqlError {
	t.Helper()
	for _, e := range r.Errors {
		if e.pathString() == path {
			return e
		}
	}
	t.Fatalf("no error at %q; errors: %s", path, r.rawErrors)
	return gqlError{}
}

func (r response) noErrors(t testing.TB) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.rawErrors)
	}
}

// personalData is every identifier and name in the test world: none of it
// may ever appear in an error.
func (h *harness) personalData() []string {
	out := []string{passportNo, "John Smith", "Nguyễn", "Đào", "NGUYEN THI DAO"}
	for _, p := range h.w.people {
		out = append(out, p.ID, p.Name.Full())
		if p.OldID != "" {
			out = append(out, p.OldID)
		}
		if !p.BirthDate.YearOnly() && !p.BirthDate.IsZero() {
			out = append(out, p.BirthDate.String())
		}
	}
	for _, decls := range h.w.declarations {
		for _, d := range decls {
			if d.Phone != "" {
				out = append(out, d.Phone)
			}
		}
	}
	return out
}

// post runs a query over POST and checks, for every response, that no error
// carries personal data.
func (h *harness) post(query string, vars map[string]any) response {
	h.t.Helper()
	opts := make([]client.Option, 0, len(vars))
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	raw, err := h.c.RawPost(query, opts...)
	if err != nil {
		h.t.Fatalf("post: %v", err)
	}
	var out response
	if raw.Data != nil {
		m, ok := raw.Data.(map[string]any)
		if !ok {
			h.t.Fatalf("data is %T", raw.Data)
		}
		out.Data = m
	}
	if len(raw.Errors) > 0 {
		out.rawErrors = string(raw.Errors)
		if err := json.Unmarshal(raw.Errors, &out.Errors); err != nil {
			h.t.Fatalf("decode errors: %v", err)
		}
		for _, pd := range h.personalData() {
			if strings.Contains(out.rawErrors, pd) {
				h.t.Errorf("personal data %q in errors: %s", pd, out.rawErrors)
			}
		}
		for _, e := range out.Errors {
			if e.code() == "" {
				h.t.Errorf("error without code: %+v", e)
			}
		}
	}
	return out
}

// rawPost sends a query over POST with httptest and returns status and body.
func (h *harness) rawPost(query string, vars map[string]any) (int, []byte) {
	h.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		h.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func newClient(h http.Handler) *client.Client { return client.New(h) }
