package graph

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkCitizenQuery is one request asking all four ministries about a
// citizen (fake sources, in-process): the hub's own overhead per request.
func BenchmarkCitizenQuery(b *testing.B) {
	h := newHarness(b, func(c *Config) { c.LoaderWait = time.Microsecond })
	vars := map[string]any{"id": mainID}
	b.ReportAllocs()
	for b.Loop() {
		if status, body := h.rawPost(citizenQuery, vars); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}

// BenchmarkArrivalsPage is a page of 100 arrivals with three ministries per
// row: the batching path.
func BenchmarkArrivalsPage(b *testing.B) {
	h := newHarness(b, func(c *Config) { c.LoaderWait = time.Microsecond })
	vars := windowVars()
	b.ReportAllocs()
	for b.Loop() {
		if status, body := h.rawPost(arrivalsWithCitizens, vars); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}
