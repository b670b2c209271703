package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A document and variables carrying personal data: no refusal may echo them.
const (
	csrfQuery    = `query($id: ID!) { citizen(id: $id) { id identity { fullName } } }`
	csrfMutation = `mutation { submitFeedback(input: {personId: "001190012345", communeCode: "00024", category: OTHER, text: "Nguyễn Thị Đào"}) { feedback { id } } }`
)

func jsonBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

func getURL(query string, vars map[string]any) string {
	v := url.Values{"query": {query}}
	if vars != nil {
		b, _ := json.Marshal(vars)
		v.Set("variables", string(b))
	}
	return "/graphql?" + v.Encode()
}

// TestTransportAcceptsOnlyJSONPostAndGETWithCSRFHeader goes through every
// request shape a browser, a script or an attacker might send.
func TestTransportAcceptsOnlyJSONPostAndGETWithCSRFHeader(t *testing.T) {
	vars := map[string]any{"id": mainID}
	post := func(contentType, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r
	}
	get := func(target string, header ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	unknownLength := func(r *http.Request) *http.Request { r.ContentLength = -1; return r }
	tests := []struct {
		name    string
		req     *http.Request
		status  int
		code    string // "" for an executed query
		message string
	}{
		{"POST application/json", post("application/json", jsonBody(csrfQuery, vars)), 200, "", ""},
		{"POST application/json with charset", post("application/json; charset=utf-8", jsonBody(csrfQuery, vars)), 200, "", ""},
		{"GET with " + CSRFHeader, get(getURL(csrfQuery, vars), CSRFHeader, "1"), 200, "", ""},
		{"GET with Apollo-Require-Preflight", get(getURL(csrfQuery, vars), "Apollo-Require-Preflight", "true"), 200, "", ""},

		{"GET without the CSRF header", get(getURL(csrfQuery, vars)), 400, CodeBadUserInput, msgNoCSRFHeader},
		{"GET with an empty CSRF header", get(getURL(csrfQuery, vars), CSRFHeader, " "), 400, CodeBadUserInput, msgNoCSRFHeader},
		{"GET mutation", get(getURL(csrfMutation, nil), CSRFHeader, "1"), 405, CodeBadUserInput, msgGETMutation},
		{"GET with unreadable variables", get("/graphql?query=%7B__typename%7D&variables=%7B%22id%22%3A%22001190012345", CSRFHeader, "1"), 400, CodeParseFailed, msgQueryString},
		{"GET with a broken query string", get("/graphql?query=%zz001190012345", CSRFHeader, "1"), 400, CodeParseFailed, msgQueryString},
		{"POST text/plain (a cross-site simple request)", post("text/plain", jsonBody(csrfQuery, vars)), 415, CodeBadUserInput, msgNotJSON},
		{"POST form", post("application/x-www-form-urlencoded", "query="+url.QueryEscape(csrfMutation)), 415, CodeBadUserInput, msgNotJSON},
		{"POST multipart", post("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n"+jsonBody(csrfMutation, nil)+"\r\n--x--\r\n"), 415, CodeBadUserInput, msgNotJSON},
		{"POST application/graphql", post("application/graphql", csrfMutation), 415, CodeBadUserInput, msgNotJSON},
		{"POST without a content type", post("", jsonBody(csrfQuery, vars)), 415, CodeBadUserInput, msgNotJSON},
		{"batched array", post("application/json", "  ["+jsonBody(csrfQuery, vars)+","+jsonBody(csrfMutation, nil)+"]"), 400, CodeBadUserInput, msgBatch},
		{"body over the limit", post("application/json", jsonBody(csrfQuery, map[string]any{"id": mainID, "pad": strings.Repeat(mainName, 400)})),
			413, CodeBadUserInput, "the request body is larger than the limit of 4096 bytes"},
		{"body over the limit, length unknown", unknownLength(post("application/json", jsonBody(csrfQuery, map[string]any{"id": mainID, "pad": strings.Repeat(mainName, 400)}))),
			413, CodeBadUserInput, "the request body is larger than the limit of 4096 bytes"},
		{"not JSON", post("application/json", `{"query": "{ citizen(id: \"001190012345\") { id } }"`), 400, CodeParseFailed, msgBodyNotRequest},
		{"JSON then more", post("application/json", jsonBody(csrfQuery, vars)+` {"query":"`+csrfMutation+`"}`), 400, CodeParseFailed, msgBodyNotRequest},
		{"operationName that is no name", post("application/json", `{"query":"{ __typename }","operationName":"001190012345 Nguyễn Thị Đào"}`), 400, CodeBadUserInput, msgOperationName},
		{"PUT", httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader(jsonBody(csrfMutation, nil))), 405, CodeBadUserInput, msgBadMethod},
		{"OPTIONS (CORS preflight)", httptest.NewRequest(http.MethodOptions, "/graphql", nil), 405, CodeBadUserInput, msgBadMethod},
		{"websocket upgrade", get("/graphql", "Upgrade", "websocket", "Connection", "Upgrade", CSRFHeader, "1"), 405, CodeBadUserInput, msgBadMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.srv = h.authed(NewServer(h.res, ServerOptions{MaxBodyBytes: 4096}))
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, tt.req)
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, body)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
			}
			var resp map[string]json.RawMessage
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if tt.code == "" {
				if !strings.Contains(string(resp["data"]), mainName) || resp["errors"] != nil {
					t.Fatalf("not executed: %s", body)
				}
				return
			}
			if _, ok := resp["data"]; ok {
				t.Errorf("a refused request has a data key: %s", body)
			}
			var errs []gqlError
			if err := json.Unmarshal(resp["errors"], &errs); err != nil || len(errs) != 1 {
				t.Fatalf("errors: %s", body)
			}
			if errs[0].code() != tt.code || errs[0].Message != tt.message {
				t.Errorf("error %q (%s), want %q (%s)", errs[0].Message, errs[0].code(), tt.message, tt.code)
			}
			for _, leak := range []string{mainID, mainName, "citizen", "submitFeedback"} {
				if strings.Contains(string(body), leak) {
					t.Errorf("refusal echoes the request (%q): %s", leak, body)
				}
			}
			if n := h.upstreamCalls(); n != 0 {
				t.Errorf("%d upstream calls for a refused request", n)
			}
		})
	}
}

// TestResponseMediaType: clients asking for application/graphql-response+json
// get it, and the status GraphQL over HTTP prescribes for it (400, not 422).
func TestResponseMediaType(t *testing.T) {
	tests := []struct {
		accept, wantType string
		wantStatus       int
	}{
		{"", "application/json", 422},
		{"application/json", "application/json", 422},
		{"application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json", 400},
		{"*/*", "application/json", 422},
	}
	for _, tt := range tests {
		h := newHarness(t)
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(jsonBody(`{ nope }`, nil)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", tt.accept)
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, r)
		if rec.Code != tt.wantStatus || rec.Header().Get("Content-Type") != tt.wantType {
			t.Errorf("Accept %q: %d %q, want %d %q", tt.accept, rec.Code, rec.Header().Get("Content-Type"), tt.wantStatus, tt.wantType)
		}
	}
}

// FuzzDecodeJSONObject: request bodies and GET parameters come from anyone.
func FuzzDecodeJSONObject(f *testing.F) {
	f.Add(`{"query":"{ __typename }"}`)
	f.Add(`[{"query":"{ a }"}]`)
	f.Add(`{"query": 1}`)
	f.Add(`{} {}`)
	f.Add(`{"variables": {"n": 1e999}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]any
		if err := decodeJSONObject([]byte(s), &m); err == nil && !json.Valid([]byte(s)) {
			t.Errorf("accepted invalid JSON %q", s)
		}
	})
}
