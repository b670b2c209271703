package vaccination

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzServer is a stand-in and a live token for driving its handler directly.
func fuzzServer(f *testing.F) (*Server, string) {
	s, err := New(Config{Population: population(f), Now: (&clock{t: testStart}).Now})
	if err != nil {
		f.Fatal(err)
	}
	return s, s.tokens.issue(testStart, DefaultTokenTTL, clientScopes)
}

// serve sends one request to the handler and checks that whatever the input,
// the answer is a client error or success in the platform's JSON shape.
func serve(t *testing.T, s *Server, tok, method, target, contentType, body string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 && rec.Code != http.StatusInsufficientStorage {
		t.Fatalf("%s %s: status %d: %s", method, target, rec.Code, rec.Body)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s: answer is not JSON: %q", method, target, rec.Body)
	}
}

func FuzzBatchRequest(f *testing.F) {
	s, tok := fuzzServer(f)
	f.Add(`{"people":[{"personId":"001090000001","alternateIds":["123456789"]}]}`)
	f.Add(`{"people":[]}`)
	f.Add(`{"people":[{"personId":"B1234567"}],"x":{"y":[1,2,3]}}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/vaccinations:batchGet", "/api/v1/certificates:batchGet", "/api/v1/reconciliation:batchGet"} {
			serve(t, s, tok, http.MethodPost, path, "application/json", body)
		}
	})
}

func FuzzDoseRequest(f *testing.F) {
	s, tok := fuzzServer(f)
	f.Add(`{"personId":"001090000001","fullName":"Nguyễn Văn An","sex":"MALE","birthDate":"1990-01-01","doseNumber":1,"doseType":"basic","date":"2022-01-01","vaccine":"BNT162B2","lot":"FK1234","siteCode":"VS0000101"}`)
	f.Add(`{"personId":"B1234567","doseNumber":-1,"birthDate":"19","date":"9999-99-99"}`)
	f.Add(`{"doseNumber":1e100}`)
	f.Fuzz(func(t *testing.T, body string) {
		serve(t, s, tok, http.MethodPost, "/api/v1/doses", "application/json", body)
	})
}

func FuzzListQueries(f *testing.F) {
	s, tok := fuzzServer(f)
	f.Add("00001", "MISMATCH", "10", "AQID")
	f.Add("99999", "", "-1", "")
	f.Add("0a0b0", "GOOD", "x", "%%%")
	f.Fuzz(func(t *testing.T, commune, status, size, token string) {
		q := "?status=" + escape(status) + "&pageSize=" + escape(size) + "&pageToken=" + escape(token)
		serve(t, s, tok, http.MethodGet, "/api/v1/communes/"+escape(commune)+"/reconciliation"+q, "", "")
		serve(t, s, tok, http.MethodGet, "/api/v1/feedback"+q+"&communeCode="+escape(commune), "", "")
		serve(t, s, tok, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit="+escape(commune), "", "")
	})
}

func FuzzTokenRequest(f *testing.F) {
	s, _ := fuzzServer(f)
	f.Add("grant_type=client_credentials&client_id=hub-demo&client_secret=hub-demo-secret")
	f.Add("grant_type=client_credentials&scope=%zz")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d: %q", rec.Code, rec.Body)
		}
	})
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}
