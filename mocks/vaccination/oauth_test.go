package vaccination

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		basicID     string
		basicSecret string
		wantStatus  int
		wantError   string
		wantBasic   bool // WWW-Authenticate: Basic expected
	}{
		{"basic ok", "application/x-www-form-urlencoded", "grant_type=client_credentials", DefaultClientID, DefaultClientSecret, 200, "", false},
		{"form ok", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=hub-demo&client_secret=hub-demo-secret", "", "", 200, "", false},
		{"wrong secret basic", "application/x-www-form-urlencoded", "grant_type=client_credentials", DefaultClientID, "nope", 401, "invalid_client", true},
		{"wrong secret form", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=hub-demo&client_secret=nope", "", "", 401, "invalid_client", false},
		{"unknown client", "application/x-www-form-urlencoded", "grant_type=client_credentials", "someone", DefaultClientSecret, 401, "invalid_client", true},
		{"no credentials", "application/x-www-form-urlencoded", "grant_type=client_credentials", "", "", 401, "invalid_client", false},
		{"no grant type", "application/x-www-form-urlencoded", "scope=vaccination.read", DefaultClientID, DefaultClientSecret, 400, "invalid_request", false},
		{"password grant", "application/x-www-form-urlencoded", "grant_type=password", DefaultClientID, DefaultClientSecret, 400, "unsupported_grant_type", false},
		{"two auth methods", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=hub-demo", DefaultClientID, DefaultClientSecret, 400, "invalid_request", false},
		{"json body", "application/json", `{"grant_type":"client_credentials"}`, DefaultClientID, DefaultClientSecret, 400, "invalid_request", false},
		{"unknown scope", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=admin", DefaultClientID, DefaultClientSecret, 400, "invalid_scope", false},
		{"repeated parameter", "application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=client_credentials", DefaultClientID, DefaultClientSecret, 400, "invalid_request", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/oauth2/token", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			if tt.basicID != "" {
				req.SetBasicAuth(url.QueryEscape(tt.basicID), url.QueryEscape(tt.basicSecret))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tt.wantStatus, body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("token answers must not be cached")
			}
			if tt.wantError == "" {
				if body["token_type"] != "Bearer" || body["expires_in"] != float64(300) || body["access_token"] == "" {
					t.Errorf("token response %v", body)
				}
				return
			}
			if body["error"] != tt.wantError {
				t.Errorf("error %v, want %s", body["error"], tt.wantError)
			}
			if got := strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic"); got != tt.wantBasic {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = 2 * time.Minute })
	tok := e.token
	read := func() response {
		return e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people("001090000001"), "Authorization", "Bearer "+tok)
	}
	wantStatus(t, read(), 200, "")
	e.clock.Advance(2*time.Minute - time.Second)
	wantStatus(t, read(), 200, "")
	e.clock.Advance(time.Second)
	r := read()
	wantStatus(t, r, 401, codeUnauthenticated)
	if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate %q", h)
	}
	// A fresh token works again.
	tok = e.newToken(t, "")
	wantStatus(t, read(), 200, "")
}

func TestBearerErrors(t *testing.T) {
	e := newEnv(t)
	readOnly := e.newToken(t, ScopeRead)
	tests := []struct {
		name      string
		authz     string
		path      string
		body      any
		status    int
		challenge string
	}{
		{"missing", "", "/api/v1/vaccinations:batchGet", people("001090000001"), 401, `Bearer realm="vaccination"`},
		{"unknown token", "Bearer abc", "/api/v1/vaccinations:batchGet", people("001090000001"), 401, `error="invalid_token"`},
		{"basic scheme", "Basic aGk6aGk=", "/api/v1/vaccinations:batchGet", people("001090000001"), 401, `error="invalid_request"`},
		{"lower-case scheme", "bearer " + e.token, "/api/v1/vaccinations:batchGet", people("001090000001"), 200, ""},
		{"read scope cannot write", "Bearer " + readOnly, "/api/v1/feedback", map[string]string{"personId": "001090000001"}, 403, `error="insufficient_scope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// An empty value removes the header.
			r := e.call(t, http.MethodPost, tt.path, tt.body, "Authorization", tt.authz)
			wantStatus(t, r, tt.status, "")
			if tt.challenge != "" && !strings.Contains(r.header.Get("WWW-Authenticate"), tt.challenge) {
				t.Errorf("WWW-Authenticate %q, want %q", r.header.Get("WWW-Authenticate"), tt.challenge)
			}
		})
	}
}
