package population

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// fuzzRequestID is the MaYeuCau of the recorded answers in testdata/.
const fuzzRequestID = "3f2a9c1e5b7d4f60a8e2c4b6d8f0a1c3"

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	if len(files) == 0 {
		f.Fatalf("no seeds match %s", pattern)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(200))
		f.Add(b, uint16(500))
	}
	f.Add([]byte("<html>502</html>"), uint16(502))
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><detail><LoiDichVu><MaLoi>102</MaLoi></LoiDichVu></detail></soap:Fault></soap:Body></soap:Envelope>`), uint16(500))
}

// goldenField reads one element's text from a golden request.
func goldenField(f *testing.F, file, element string) string {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.Fatal(err)
	}
	m := regexp.MustCompile("<" + element + ">([0-9]+)</" + element + ">").FindSubmatch(b)
	if m == nil {
		f.Fatalf("%s has no %s", file, element)
	}
	return string(m[1])
}

func checkTyped(t *testing.T, err error) {
	t.Helper()
	var ue *domain.UpstreamError
	if !errors.As(err, &ue) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// FuzzDecodeLookupResponse: any answer decodes to the citizen asked for, with
// normalised text, or to an *domain.UpstreamError; never a panic.
func FuzzDecodeLookupResponse(f *testing.F) {
	addSeeds(f, "lookup_*.response.xml")
	// Ask for the citizen of the recorded answers, so that seeds can decode.
	requested := []string{
		goldenField(f, "lookup_id.request.xml", "SoDinhDanh"),
		goldenField(f, "lookup_cmnd.request.xml", "SoCMND"),
	}
	f.Fuzz(func(t *testing.T, body []byte, status uint16) {
		raw := rawResponse{status: int(status%500) + 100, header: http.Header{}, body: body}
		for _, requested := range requested {
			p, err := decodeLookup(raw, fuzzRequestID, requested)
			if err != nil {
				checkTyped(t, err)
				continue
			}
			if p.ID != requested && p.OldID != requested {
				t.Fatalf("answer about another citizen accepted")
			}
			if domain.ClassifyID(p.ID) != domain.IDPersonal || p.Name.Given == "" || !p.BirthDate.Valid() {
				t.Fatalf("invalid person accepted: %+v", p)
			}
			for _, s := range []string{p.Name.Family, p.Name.Middle, p.Name.Given, p.Permanent.Detail, p.Current.CommuneName} {
				if vntext.Normalize(s) != s {
					t.Fatalf("text not normalised: %q", s)
				}
			}
		}
	})
}

// FuzzDecodeVerifyResponse: any answer decodes to a consistent result or an
// *domain.UpstreamError; never a panic.
func FuzzDecodeVerifyResponse(f *testing.F) {
	addSeeds(f, "verify*.response.xml")
	f.Fuzz(func(t *testing.T, body []byte, status uint16) {
		r, err := decodeVerify(rawResponse{status: int(status%500) + 100, header: http.Header{}, body: body}, fuzzRequestID)
		if err != nil {
			checkTyped(t, err)
			return
		}
		switch r.Outcome {
		case domain.VerifyNotFound:
			if len(r.Fields) != 0 {
				t.Fatalf("NOT_FOUND with fields")
			}
		case domain.VerifyMatch, domain.VerifyMismatch:
			all := len(r.Fields) == len(domain.IdentityFields)
			for _, f := range domain.IdentityFields {
				v, ok := r.Fields[f]
				all = all && ok && v
				if !ok {
					t.Fatalf("field %s missing", f)
				}
			}
			if all != (r.Outcome == domain.VerifyMatch) {
				t.Fatalf("outcome %s with fields %v", r.Outcome, r.Fields)
			}
		default:
			t.Fatalf("outcome %q", r.Outcome)
		}
	})
}

// FuzzDecodeCountsResponse: counts are per standard band, never negative.
func FuzzDecodeCountsResponse(f *testing.F) {
	addSeeds(f, "counts.response.xml")
	f.Fuzz(func(t *testing.T, body []byte, status uint16) {
		counts, err := decodeCounts(rawResponse{status: int(status%500) + 100, header: http.Header{}, body: body}, fuzzRequestID, "01")
		if err != nil {
			checkTyped(t, err)
			return
		}
		if len(counts) != len(domain.StandardAgeBands) {
			t.Fatalf("%d counts", len(counts))
		}
		for i, c := range counts {
			if c.AgeBand != domain.StandardAgeBands[i] || c.Count < 0 || c.AdminUnit != "01" {
				t.Fatalf("count %+v", c)
			}
		}
	})
}
