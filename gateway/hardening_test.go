package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vn-epidemic/hub/auth/issuer"
)

// servedHub runs the hub assembled by Build on a real listener, with every
// upstream pointing at a server that counts the calls it gets (and fails
// them): the requests below must all be refused before any ministry is asked.
func servedHub(t *testing.T, tune func(*Config)) (base string, upstreamCalls *atomic.Int64, token string) {
	t.Helper()
	upstreamCalls = &atomic.Int64{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamCalls.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(up.Close)

	cfg := Defaults()
	u := &cfg.Upstreams
	u.Population.URL, u.Vaccination.URL, u.Insurance.URL, u.Checkpoint.URL = up.URL, up.URL, up.URL, up.URL
	u.Population.AgencyCode, u.Population.ServiceCode, u.Population.IntegrationCode = "000.00.00.H00", "DVC", "HUB"
	u.Population.OfficerCode, u.Population.Username, u.Population.Password = "HUB", "hub", "p"
	u.Vaccination.ClientID, u.Vaccination.ClientSecret = "hub", "s"
	u.Insurance.APIKey, u.Checkpoint.APIKey = "k1", "k2"
	cfg.Auth.Issuer, cfg.Auth.KeysFile, token = testIssuer(t, cfg.Auth.Audience)
	if tune != nil {
		tune(&cfg)
	}
	hub, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Server.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), upstreamCalls, token
}

// testIssuer makes an identity provider whose key set is in a file, and a
// token for a national health official acting for epidemic control.
func testIssuer(t *testing.T, audience string) (issuerURL, keysFile, token string) {
	t.Helper()
	iss, err := issuer.New("https://id.test.example", audience)
	if err != nil {
		t.Fatal(err)
	}
	keysFile = filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(keysFile, iss.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	token, err = iss.Mint(issuer.Claims{Subject: "officer-1", Roles: []string{"health_official"}, Agency: "BYT", Purpose: "epidemic_control"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return iss.Issuer(), keysFile, token
}

type hubAnswer struct {
	status int
	header http.Header
	body   []byte
	data   json.RawMessage
	hasKey bool // "data" present
	errs   []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

func send(t *testing.T, req *http.Request) hubAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := hubAnswer{status: resp.StatusCode, header: resp.Header}
	a.body, _ = io.ReadAll(resp.Body)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, a.body)
	}
	a.data, a.hasKey = m["data"]
	if raw, ok := m["errors"]; ok {
		if err := json.Unmarshal(raw, &a.errs); err != nil {
			t.Fatalf("errors: %s", a.body)
		}
	}
	return a
}

func gqlRequest(t *testing.T, method, target, contentType string, body io.Reader, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func queryBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// TestGraphQLHardeningThroughTheGateway drives the configured hub over real
// HTTP: body limit (413 in the documented shape), CSRF rules, batching,
// introspection and the operation limits from the config.
func TestGraphQLHardeningThroughTheGateway(t *testing.T) {
	const personal = "001190012345 Nguyễn Thị Đào"
	oversized := queryBody(`query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": "001190012345", "pad": strings.Repeat(personal, (1<<20+8<<10)/len(personal))})
	type want struct {
		status  int
		code    string // "" for an executed operation
		message string
	}
	tests := []struct {
		name string
		tune func(*Config)
		req  func(base string) *http.Request
		want want
	}{
		{"legitimate POST", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ __typename }`, nil)))
		}, want{200, "", ""}},
		{"legitimate GET with the CSRF header", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodGet, b+"/graphql?query="+url.QueryEscape(`{ __typename }`), "", nil, "X-Hub-CSRF", "1")
		}, want{200, "", ""}},
		{"oversized body", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(oversized))
		}, want{413, "BAD_USER_INPUT", "the request body is larger than the limit of 1048576 bytes"}},
		{"oversized body, chunked", nil, func(b string) *http.Request {
			// A reader of unknown length: sent chunked, no Content-Length to trust.
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", iotest.HalfReader(strings.NewReader(oversized)))
		}, want{413, "BAD_USER_INPUT", "the request body is larger than the limit of 1048576 bytes"}},
		{"body limit from the config", func(c *Config) { c.GraphQL.MaxBodyBytes = 2048 }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", bytes.NewReader([]byte(oversized[:4096])))
		}, want{413, "BAD_USER_INPUT", "the request body is larger than the limit of 2048 bytes"}},
		{"POST text/plain", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "text/plain", strings.NewReader(queryBody(`{ __typename }`, nil)))
		}, want{415, "BAD_USER_INPUT", "a POST to /graphql must have Content-Type: application/json"}},
		{"POST form", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/x-www-form-urlencoded", strings.NewReader("query=%7B__typename%7D"))
		}, want{415, "BAD_USER_INPUT", "a POST to /graphql must have Content-Type: application/json"}},
		{"GET without the CSRF header", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodGet, b+"/graphql?query="+url.QueryEscape(`{ __typename }`), "", nil)
		}, want{400, "BAD_USER_INPUT", "a GET to /graphql must carry the X-Hub-CSRF header (any value); or use POST with application/json"}},
		{"GET mutation", nil, func(b string) *http.Request {
			q := `mutation { resolveFeedback(id: "FB1", resolution: "` + personal + `") { feedback { id } } }`
			return gqlRequest(t, http.MethodGet, b+"/graphql?query="+url.QueryEscape(q), "", nil, "X-Hub-CSRF", "1")
		}, want{405, "BAD_USER_INPUT", "GET only runs queries: send mutations with POST"}},
		{"batch", nil, func(b string) *http.Request {
			body := "[" + queryBody(`{ __typename }`, nil) + "," + queryBody(`{ __typename }`, nil) + "]"
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(body))
		}, want{400, "BAD_USER_INPUT", "batched requests are not supported: send one operation per request"}},
		{"DELETE", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodDelete, b+"/graphql", "", nil)
		}, want{405, "BAD_USER_INPUT", "only POST with application/json, and GET for queries, are accepted"}},
		{"introspection off in serve", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ __schema { types { name } } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", "introspection is disabled"}},
		{"introspection on when configured", func(c *Config) { c.GraphQL.Introspection = true }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ __type(name: "Citizen") { name } }`, nil)))
		}, want{200, "", ""}},
		{"no suggestions with introspection off", nil, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ citizen(id: "001190012345") { identiti { fullName } } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "…" on type "…".`}},
		{"depth limit from the config", func(c *Config) { c.GraphQL.MaxDepth = 2 }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ citizen(id: "001190012345") { identity { fullName } } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", "the operation nests fields 3 deep; the limit is 2"}},
		{"complexity limit from the config", func(c *Config) { c.GraphQL.MaxComplexity = 50 }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ epidemicZones { name } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", "the operation's estimated cost is 51; the limit is 50"}},
		{"alias limit from the config", func(c *Config) { c.GraphQL.MaxAliases = 1 }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ citizen(id: "001190012345") { a: id b: id } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", "the operation uses 2 aliases; the limit is 1"}},
		{"root-field limit from the config", func(c *Config) { c.GraphQL.MaxRootFields = 1 }, func(b string) *http.Request {
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(`{ a: epidemicZones { name } b: epidemicZones { name } }`, nil)))
		}, want{422, "GRAPHQL_VALIDATION_FAILED", "the operation selects 2 root fields; the limit is 1"}},
		{"token limit from the config", func(c *Config) { c.GraphQL.MaxTokens = 100 }, func(b string) *http.Request {
			q := `{ citizen(id: "001190012345") { ` + strings.Repeat("id ", 200) + `} }`
			return gqlRequest(t, http.MethodPost, b+"/graphql", "application/json", strings.NewReader(queryBody(q, nil)))
		}, want{422, "GRAPHQL_PARSE_FAILED", "exceeded token limit of 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, calls, token := servedHub(t, tt.tune)
			req := tt.req(base)
			req.Header.Set("Authorization", "Bearer "+token)
			a := send(t, req)
			if a.status != tt.want.status {
				t.Fatalf("status %d, want %d: %.400s", a.status, tt.want.status, a.body)
			}
			if a.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("headers %v", a.header)
			}
			if tt.want.code == "" {
				if len(a.errs) > 0 || len(a.data) < 3 {
					t.Fatalf("not executed: %s", a.body)
				}
				return
			}
			if len(a.errs) != 1 || a.errs[0].Extensions["code"] != tt.want.code || !strings.HasPrefix(a.errs[0].Message, tt.want.message) {
				t.Fatalf("errors %+v, want %q (%s)", a.errs, tt.want.message, tt.want.code)
			}
			if a.status != http.StatusUnprocessableEntity && a.hasKey {
				t.Errorf("a request refused before parsing has a data key: %s", a.body)
			}
			for _, leak := range []string{"001190012345", "Nguyễn", "citizen", "identiti", "Did you mean"} {
				if bytes.Contains(a.body, []byte(leak)) {
					t.Errorf("answer quotes the request (%q): %.400s", leak, a.body)
				}
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("%d upstream calls for a refused request", n)
			}
		})
	}
}

func TestGraphQLNeedsAValidToken(t *testing.T) {
	base, _, token := servedHub(t, nil)
	body := queryBody(`{ epidemicZones { name } }`, nil)
	for _, tt := range []struct {
		name, auth string
		status     int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"garbage", "Bearer abc.def.ghi", http.StatusUnauthorized},
		{"token tampered", "Bearer " + token[:len(token)-2] + "xx", http.StatusUnauthorized},
		{"basic scheme", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"valid", "Bearer " + token, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := gqlRequest(t, http.MethodPost, base+"/graphql", "application/json", strings.NewReader(body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			a := send(t, req)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.status == http.StatusUnauthorized && (len(a.errs) != 1 || a.errs[0].Extensions["code"] != "UNAUTHENTICATED") {
				t.Fatalf("body %s", a.body)
			}
		})
	}
	// Health endpoints need no token.
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}
