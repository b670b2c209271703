package auth

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vn-epidemic/hub/principal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// whoami answers with the principal's subject, or "anonymous".
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if p, ok := principal.FromContext(r.Context()); ok {
		fmt.Fprint(w, p.Subject)
		return
	}
	fmt.Fprint(w, "anonymous")
})

func TestMiddleware(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(t))
	v := newTestVerifier(t, keys, clock, nil)
	good := sign(t, kr.ed, claimsAt(clock.Now()), nil)
	forged := sign(t, kr.otherEd, claimsAt(clock.Now()), nil)

	tests := []struct {
		name     string
		optional bool
		target   string
		headers  []string // Authorization values
		status   int
		body     string // for 200
		golden   string // for refusals
		www      string
		code     string // passed to OnFailure; "" = not called
	}{
		{"good token", false, "/graphql", []string{"Bearer " + good}, 200, "officer-7f3a9c", "", "", ""},
		{"scheme case-insensitive", false, "/graphql", []string{"bearer " + good}, 200, "officer-7f3a9c", "", "", ""},
		{"extra spaces", false, "/graphql", []string{"  BEARER   " + good + " "}, 200, "officer-7f3a9c", "", "", ""},
		{"no header", false, "/graphql", nil, 401, "", "unauthenticated", `Bearer`, CodeMissingToken},
		{"no header, optional", true, "/graphql", nil, 200, "anonymous", "", "", ""},
		{"forged token", false, "/graphql", []string{"Bearer " + forged}, 401, "", "unauthenticated", `Bearer error="invalid_token"`, CodeInvalidSignature},
		{"forged token, optional", true, "/graphql", []string{"Bearer " + forged}, 401, "", "unauthenticated", `Bearer error="invalid_token"`, CodeInvalidSignature},
		{"junk token, optional", true, "/graphql", []string{"Bearer abc"}, 401, "", "unauthenticated", `Bearer error="invalid_token"`, CodeMalformedToken},
		{"empty header, optional", true, "/graphql", []string{""}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"basic scheme", false, "/graphql", []string{"Basic dXNlcjpwYXNz"}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"bearer without token", false, "/graphql", []string{"Bearer"}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"bearer and spaces only", false, "/graphql", []string{"Bearer    "}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"token with a quote", false, "/graphql", []string{`Bearer a"b`}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"two tokens in one header", false, "/graphql", []string{"Bearer " + good + " " + good}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"two headers", false, "/graphql", []string{"Bearer " + good, "Bearer " + good}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"token in query", false, "/graphql?access_token=" + good, nil, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"token in query and header", true, "/graphql?access_token=x", []string{"Bearer " + good}, 401, "", "unauthenticated", `Bearer error="invalid_request"`, CodeInvalidRequest},
		{"other query fine", false, "/graphql?query=%7Bx%7D", []string{"Bearer " + good}, 200, "officer-7f3a9c", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var failures []string
			h := Middleware(v, MiddlewareOptions{
				Optional: tt.optional,
				OnFailure: func(r *http.Request, code string) {
					mu.Lock()
					defer mu.Unlock()
					failures = append(failures, code)
				},
			})(whoami)
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+tt.target, nil)
			for _, a := range tt.headers {
				req.Header.Add("Authorization", a)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.status, body.String())
			}
			if tt.status == 200 {
				if body.String() != tt.body {
					t.Fatalf("body %q, want %q", body.String(), tt.body)
				}
			} else {
				checkGolden(t, tt.golden, body.Bytes())
				if got := resp.Header.Get("WWW-Authenticate"); got != tt.www {
					t.Fatalf("WWW-Authenticate %q, want %q", got, tt.www)
				}
				if resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("headers %v", resp.Header)
				}
				if strings.Contains(body.String(), good[:30]) || strings.Contains(body.String(), "officer") {
					t.Fatal("refusal body echoes the request")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			want := []string(nil)
			if tt.code != "" {
				want = []string{tt.code}
			}
			if fmt.Sprint(failures) != fmt.Sprint(want) {
				t.Fatalf("OnFailure got %v, want %v", failures, want)
			}
		})
	}
}

// TestMiddlewareKeySourceUnavailable: no key set at all → 503, not 401.
func TestMiddlewareKeySourceUnavailable(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	srv := newJWKSServer(t, nil)
	srv.set([]byte("down"), 502, "text/plain")
	v := newTestVerifier(t, newTestJWKSClient(t, srv.URL, clock), clock, nil)
	var code string
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Authorization", "Bearer "+sign(t, kr.ed, claimsAt(clock.Now()), nil))
	Middleware(v, MiddlewareOptions{OnFailure: func(_ *http.Request, c string) { code = c }})(whoami).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || code != CodeKeySourceUnavailable {
		t.Fatalf("status %d, Retry-After %q, code %q", rec.Code, rec.Header().Get("Retry-After"), code)
	}
	if rec.Header().Get("WWW-Authenticate") != "" {
		t.Fatal("503 must not ask for other credentials")
	}
	checkGolden(t, "unavailable", rec.Body.Bytes())
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if !json.Valid(got) {
		t.Fatalf("body is not JSON: %s", got)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}
