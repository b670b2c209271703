// Package explorer serves the GraphiQL explorer from the binary: the page, its
// start-up script and the vendored GraphiQL and React bundles (gzip-compressed
// at rest, see assets/refresh.sh for their provenance). It needs no CDN and no
// internet. It knows nothing of the schema beyond the endpoint it points at.
package explorer

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
)

//go:embed assets/index.html assets/explorer.js assets/*.gz
var assets embed.FS

// Config says where the explorer sends queries and what it shows first.
type Config struct {
	Title        string
	Endpoint     string // e.g. "/graphql"
	DefaultQuery string
	// DefaultHeaders pre-fills the headers editor (a JSON object as text),
	// e.g. a demo token; empty for none.
	DefaultHeaders string
}

type asset struct {
	contentType string
	gz          []byte // compressed body
}

// Handler serves the explorer page at the path it is mounted on and its
// assets below "assets/".
type Handler struct {
	page   []byte
	assets map[string]asset
}

// New renders the page once and loads the assets.
func New(cfg Config) (*Handler, error) {
	tpl, err := template.ParseFS(assets, "assets/index.html")
	if err != nil {
		return nil, fmt.Errorf("explorer page: %w", err)
	}
	var page bytes.Buffer
	err = tpl.Execute(&page, map[string]any{
		"Title": cfg.Title,
		"Base":  "/",
		"Config": map[string]string{
			"endpoint":       cfg.Endpoint,
			"defaultQuery":   cfg.DefaultQuery,
			"defaultHeaders": cfg.DefaultHeaders,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("explorer page: %w", err)
	}
	h := &Handler{page: page.Bytes(), assets: map[string]asset{}}
	for name, ct := range map[string]string{
		"graphiql.min.js":             "text/javascript; charset=utf-8",
		"graphiql.min.css":            "text/css; charset=utf-8",
		"react.production.min.js":     "text/javascript; charset=utf-8",
		"react-dom.production.min.js": "text/javascript; charset=utf-8",
	} {
		b, err := assets.ReadFile("assets/" + name + ".gz")
		if err != nil {
			return nil, fmt.Errorf("explorer asset %s: %w", name, err)
		}
		h.assets[name] = asset{contentType: ct, gz: b}
	}
	js, err := assets.ReadFile("assets/explorer.js")
	if err != nil {
		return nil, fmt.Errorf("explorer asset: %w", err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	h.assets["explorer.js"] = asset{contentType: "text/javascript; charset=utf-8", gz: gz.Bytes()}
	return h, nil
}

// csp allows only the hub's own scripts; GraphiQL needs inline styles.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP serves "/" (the page) and "/assets/<name>".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if name, ok := strings.CutPrefix(r.URL.Path, "/assets/"); ok {
		a, found := h.assets[name]
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(a.gz)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(a.gz))
		if err != nil {
			http.Error(w, "corrupt asset", http.StatusInternalServerError)
			return
		}
		_, _ = io.Copy(w, zr)
		return
	}
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(h.page)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
