package vaccination

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

// garbageServer issues tokens properly and answers every API call with the
// given status and body: a platform misbehaving in ways the stand-in never does.
func garbageServer(t *testing.T, status int, body string) *Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/token" {
			_, _ = w.Write([]byte(`{"access_token":"t0k","token_type":"bearer","expires_in":300}`))
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	c, err := New(Config{BaseURL: ts.URL, ClientID: "id", ClientSecret: "secret"}, upstream.NewCaller(ts.Client(), 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGarbageBatchAnswers(t *testing.T) {
	keys := []PersonKey{{ID: "001090000001"}, {ID: "001090000002"}}
	tests := []struct {
		name     string
		status   int
		body     string
		wantKind [2]error // per key
		reason   string
	}{
		{"not JSON", 200, "<html>oops</html>", [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, "batch response"},
		{"truncated", 200, `{"results":[{"requestedId":"001090000001","status":"FOUND"`, [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, "batch response"},
		{"no results", 200, `{}`, [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, "batch response"},
		{"too few results", 200, `{"results":[{"requestedId":"001090000001","status":"NOT_FOUND"}]}`, [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, ""},
		{"one element bad", 200, fixture(t, "batch_one_bad.json"), [2]error{nil, domain.ErrBadUpstreamData}, ""},
		{"out of order", 200, `{"results":[{"requestedId":"001090000002","status":"NOT_FOUND"},{"requestedId":"001090000001","status":"NOT_FOUND"}]}`, [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, ""},
		{"unknown result status", 200, `{"results":[{"requestedId":"001090000001","status":"MAYBE"},{"requestedId":"001090000002","status":"NOT_FOUND"}]}`, [2]error{domain.ErrBadUpstreamData, domain.ErrNotFound}, ""},
		{"HTML 400", 400, "<html>Bad Request</html>", [2]error{domain.ErrRejected, domain.ErrRejected}, "HTTP 400"},
		{"error code with odd characters", 422, `{"error":{"code":"NGUYỄN VĂN A"}}`, [2]error{domain.ErrRejected, domain.ErrRejected}, "HTTP 422"},
		{"redirect status", 304, "", [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, "unexpected HTTP 304"},
		{"oversize", 200, `{"results":[` + strings.Repeat(" ", maxBatchResponse) + `]}`, [2]error{domain.ErrBadUpstreamData, domain.ErrBadUpstreamData}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := garbageServer(t, tt.status, tt.body)
			recs, errs := c.Records(context.Background(), keys)
			for k := range keys {
				if tt.wantKind[k] == nil {
					if errs[k] != nil || recs[k].PersonID != keys[k].ID {
						t.Errorf("key %d: %+v %v", k, recs[k], errs[k])
					}
					continue
				}
				ue := wantKind(t, errs[k], tt.wantKind[k], "")
				if tt.reason != "" && ue.Reason != tt.reason {
					t.Errorf("key %d: reason %q, want %q", k, ue.Reason, tt.reason)
				}
			}
		})
	}
}

func TestGarbageElementsAreRejected(t *testing.T) {
	good := fixture(t, "record_good.json")
	tests := []struct{ name, from, to string }{
		{"bad dose date", `"date": "2021-09-07"`, `"date": "2021-02-30"`},
		{"unknown vaccine", `"vaccine": "AZD1222"`, `"vaccine": "SPUTNIK_LIGHT"`},
		{"dose number zero", `"doseNumber": 1`, `"doseNumber": 0`},
		{"dose number a string", `"doseNumber": 1`, `"doseNumber": "1"`},
		{"unknown dose type", `"doseType": "basic"`, `"doseType": "BASIC"`},
		{"unknown sex", `"sex": "MALE"`, `"sex": "M"`},
		{"birth date with time", `"birthDate": "1937-06-13"`, `"birthDate": "1937-06-13T00:00:00Z"`},
		{"empty name", `"fullName": "Lê Thanh Đạt"`, `"fullName": " \r\n"`},
		{"bad person id", `"personId": "001037172512",
        "identity"`, `"personId": "x",
        "identity"`},
	}
	if c := garbageServer(t, 200, good); true {
		_, errs := c.Records(context.Background(), []PersonKey{{ID: "001037172512"}})
		if errs[0] != nil {
			t.Fatalf("the good fixture fails: %v", errs[0])
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if bad == good {
				t.Fatal("fixture edit did not apply")
			}
			c := garbageServer(t, 200, bad)
			_, errs := c.Records(context.Background(), []PersonKey{{ID: "001037172512"}})
			ue := wantKind(t, errs[0], domain.ErrBadUpstreamData, "batch result")
			if strings.Contains(ue.Error(), "Đạt") || strings.Contains(ue.Error(), "1937") {
				t.Errorf("error leaks personal data: %v", ue)
			}
		})
	}
}

func TestGarbageTokenAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		kind   error
	}{
		{"not JSON", 200, "ok", domain.ErrBadUpstreamData},
		{"no token", 200, `{"token_type":"Bearer","expires_in":300}`, domain.ErrBadUpstreamData},
		{"not bearer", 200, `{"access_token":"a","token_type":"mac","expires_in":300}`, domain.ErrBadUpstreamData},
		{"header injection", 200, `{"access_token":"a\r\nX-Evil: 1","token_type":"Bearer","expires_in":300}`, domain.ErrBadUpstreamData},
		{"negative expiry", 200, `{"access_token":"a","token_type":"Bearer","expires_in":-5}`, domain.ErrBadUpstreamData},
		{"invalid_client", 401, `{"error":"invalid_client"}`, domain.ErrRejected},
		{"invalid_scope", 400, `{"error":"invalid_scope"}`, domain.ErrRejected},
		{"token endpoint missing", 404, `<html>`, domain.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c, err := New(Config{BaseURL: ts.URL, ClientID: "id", ClientSecret: "secret"}, upstream.NewCaller(ts.Client(), 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Ping(context.Background())
			wantKind(t, err, tt.kind, "")
			if !errors.Is(err, tt.kind) {
				t.Errorf("%v", err)
			}
		})
	}
}
