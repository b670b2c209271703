package checkpoint

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fuzzServer is a stand-in driven in-process, without a listener, so fuzzing
// measures the parsers rather than the network.
func fuzzServer(f *testing.F) *Server {
	s, err := New(Config{Population: testPopulation(f), APIKey: testKey, Now: func() time.Time { return epoch },
		PageTokenKey: []byte("fuzz")})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

func serve(s *Server, method, target string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("X-Api-Key", testKey)
	req.Header.Set("X-Request-Id", "fuzz")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// checkAnswer fails on a server error or an answer outside the error shape.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, ok ...int) {
	t.Helper()
	for _, s := range ok {
		if rec.Code == s {
			return
		}
	}
	if rec.Code < 400 || rec.Code >= 500 && rec.Code != http.StatusInsufficientStorage {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body.Bytes())
	}
	var e apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != errorCode(rec.Code) {
		t.Fatalf("HTTP %d outside the error shape: %s", rec.Code, rec.Body.Bytes())
	}
}

func FuzzDeclarationBody(f *testing.F) {
	s := fuzzServer(f)
	valid, _ := json.Marshal(validDeclaration(f))
	f.Add(valid)
	f.Add([]byte(`{"declaration_type":"GENERAL","sex":9,"birth_year":-1,"symptoms_14d":["fever","fever"]}`))
	f.Add([]byte(`{"contact":null,"id_type":"PASSPORT","id_number":"ÀB12345"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, serve(s, http.MethodPost, pathDecl, body), http.StatusCreated)
	})
}

func FuzzPassageBody(f *testing.F) {
	s := fuzzServer(f)
	valid, _ := json.Marshal(validPassage(f, s))
	f.Add(valid)
	f.Add([]byte(`{"passed_at":"9999-12-31T23:59:59+14:00","direction":"IN"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, serve(s, http.MethodPost, pathPass, body), http.StatusCreated)
	})
}

func FuzzSearchBody(f *testing.F) {
	s := fuzzServer(f)
	f.Add([]byte(`{"person_ids":["079090001234","C1234567","025123456"],"since":"2025-12-01T00:00:00+07:00"}`))
	f.Add([]byte(`{"person_ids":[""]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, serve(s, http.MethodPost, pathPassSearch, body), http.StatusOK)
		checkAnswer(t, serve(s, http.MethodPost, pathDeclSearch, body), http.StatusOK)
	})
}

// FuzzArrivalsQuery feeds raw query strings, page tokens included.
func FuzzArrivalsQuery(f *testing.F) {
	s := fuzzServer(f)
	from, to := epoch.AddDate(0, 0, -2), epoch
	first := serve(s, http.MethodGet, arrivalsURL("province_code", "79", from, to, 2, ""), nil)
	var page arrivalsResponse
	if err := json.Unmarshal(first.Body.Bytes(), &page); err != nil || page.NextPageToken == "" {
		f.Fatalf("no second page: %s", first.Body.Bytes())
	}
	f.Add(arrivalsURL("province_code", "79", from, to, 2, page.NextPageToken)[len(pathArrivals)+1:])
	f.Add("commune_code=00024&from=2025-12-30T00:00:00Z&to=2025-12-31T00:00:00Z&page_token=e30.AAAA")
	f.Add("province_code=79&province_code=01&from=%zz")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, pathArrivals, nil)
		req.URL.RawQuery = rawQuery
		req.Header.Set("X-Api-Key", testKey)
		req.Header.Set("X-Request-Id", "fuzz")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusOK)
	})
}

func FuzzPageToken(f *testing.F) {
	s := fuzzServer(f)
	f.Add(s.encodeToken(pageToken{V: 1, Unit: "79", From: 1, To: 2, S: 3}))
	f.Add("e30.AAAA")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := s.decodeToken(raw)
		if err != nil {
			return
		}
		if tok.V != 1 || tok.S < 0 {
			t.Fatalf("accepted token %+v", tok)
		}
	})
}
