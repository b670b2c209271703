package explorer

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExplorerServesPageAndAssets(t *testing.T) {
	h, err := New(Config{Title: "Hub", Endpoint: "/graphql", DefaultQuery: "{ a </script> }"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	tests := []struct {
		path, acceptEnc string
		status          int
		contentType     string
		wantGzip        bool
		contains        string
	}{
		{"/", "", 200, "text/html", false, `"endpoint":"/graphql"`},
		{"/assets/graphiql.min.js", "gzip", 200, "text/javascript", true, ""},
		{"/assets/graphiql.min.js", "identity", 200, "text/javascript", false, "GraphiQL"},
		{"/assets/graphiql.min.css", "gzip, br", 200, "text/css", true, ""},
		{"/assets/react.production.min.js", "", 200, "text/javascript", false, "React"},
		{"/assets/explorer.js", "", 200, "text/javascript", false, "createFetcher"},
		{"/assets/nope.js", "", 404, "", false, ""},
		{"/other", "", 404, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.acceptEnc, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			req.Header.Set("Accept-Encoding", tt.acceptEnc)
			tr := &http.Transport{DisableCompression: true}
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			var body io.Reader = resp.Body
			if gotGzip := resp.Header.Get("Content-Encoding") == "gzip"; gotGzip != tt.wantGzip {
				t.Fatalf("gzip %v, want %v", gotGzip, tt.wantGzip)
			} else if gotGzip {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			b, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 || !strings.Contains(string(b), tt.contains) {
				t.Errorf("body (%d bytes) lacks %q", len(b), tt.contains)
			}
		})
	}
}

func TestExplorerPageIsSafe(t *testing.T) {
	h, err := New(Config{Title: "Hub", Endpoint: "/graphql", DefaultQuery: "</script><script>alert(1)</script>"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	page := rec.Body.String()
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("default query not escaped inside the config script")
	}
	if strings.Contains(page, "cdn") || strings.Contains(page, "https://") {
		t.Fatal("page references an external host")
	}
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatal("missing CSP")
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST status %d", rec.Code)
	}
}
