package population

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// BenchmarkStandInLookup100M measures the stand-in answering one SOAP
// TraCuuThongTinCongDan for a population of 100 million: request parsing,
// authentication, the O(1) synthetic lookup and the reply, without the network.
func BenchmarkStandInLookup100M(b *testing.B) {
	dir, err := adminunit.Default()
	if err != nil {
		b.Fatal(err)
	}
	pop, err := synth.New(synth.Config{Seed: 1, Size: 100_000_000}, dir)
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Population: pop, Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	const n = 1024
	bodies := make([][]byte, n)
	for i := range bodies {
		id := pop.At(int64(i) * (pop.Size() / n)).ID
		bodies[i] = envelope(OpLookup, append(header("bench"), field{"SoDinhDanh", id})...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, ServicePath, bytes.NewReader(bodies[i%n]))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		req.Header.Set("SOAPAction", `"`+soapAction(OpLookup)+`"`)
		req.SetBasicAuth(DefaultUsername, DefaultPassword)
		req.Header.Set(HeaderClient, DefaultAgencyCode)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
