package population

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	popOnce sync.Once
	pop     *synth.Population
	popErr  error
)

// testPopulation is a small synthetic population built once per test binary.
func testPopulation(t testing.TB) *synth.Population {
	t.Helper()
	popOnce.Do(func() {
		dir, err := adminunit.Default()
		if err != nil {
			popErr = err
			return
		}
		pop, popErr = synth.New(synth.Config{Seed: 20211016, Size: 20_000}, dir)
	})
	if popErr != nil {
		t.Fatalf("building the test population: %v", popErr)
	}
	return pop
}

// fixedNow is the stand-in's clock in tests, so that answers are byte-stable.
func fixedNow() time.Time { return time.Date(2026, 1, 15, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)) }

func newTestServer(t *testing.T, mutate func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	cfg := Config{Population: testPopulation(t), Now: fixedNow}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

type field struct{ name, value string }

// header is the five fields every request carries, for request id reqID.
func header(reqID string) []field {
	return []field{
		{"MaYeuCau", reqID},
		{"MaDVC", "1.004227"},
		{"MaTichHop", "BYT-TCC19-01"},
		{"MaDonVi", DefaultAgencyCode},
		{"MaCanBo", "CB.0001"},
	}
}

// envelope writes a request as a client would, values escaped.
func envelope(op string, fields ...field) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` + "\n")
	b.WriteString("  <soap:Body>\n")
	b.WriteString(`    <` + op + ` xmlns="` + Namespace + `">` + "\n")
	for _, f := range fields {
		b.WriteString("      <" + f.name + ">")
		_ = xml.EscapeText(&b, []byte(f.value))
		b.WriteString("</" + f.name + ">\n")
	}
	b.WriteString("    </" + op + ">\n  </soap:Body>\n</soap:Envelope>\n")
	return b.Bytes()
}

// post sends body for op with the demo credentials; mods adjust the request.
func post(t *testing.T, url, op string, body []byte, mods ...func(*http.Request)) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+ServicePath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+soapAction(op)+`"`)
	req.SetBasicAuth(DefaultUsername, DefaultPassword)
	req.Header.Set(HeaderClient, DefaultAgencyCode)
	for _, m := range mods {
		m(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// testEnvelope reads any answer of the service.
type testEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Fault *struct {
			Code     string `xml:"faultcode"`
			String   string `xml:"faultstring"`
			MaLoi    string `xml:"detail>LoiDichVu>MaLoi"`
			MaYeuCau string `xml:"detail>LoiDichVu>MaYeuCau"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		Lookup *struct {
			Result lookupResult `xml:"TraCuuThongTinCongDanResult"`
		} `xml:"http://dancuquocgia.bca TraCuuThongTinCongDanResponse"`
		Verify *struct {
			Result verifyResult `xml:"XacThucThongTinCongDanResult"`
		} `xml:"http://dancuquocgia.bca XacThucThongTinCongDanResponse"`
		Count *struct {
			Result countResult `xml:"ThongKeDanSoResult"`
		} `xml:"http://dancuquocgia.bca ThongKeDanSoResponse"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

func decode(t *testing.T, body []byte) testEnvelope {
	t.Helper()
	var env testEnvelope
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Fatalf("answer is not a SOAP envelope: %v\n%s", err, body)
	}
	return env
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// findPerson returns the first citizen satisfying ok.
func findPerson(t *testing.T, ok func(domain.Person) bool) domain.Person {
	t.Helper()
	p := testPopulation(t)
	for i := int64(0); i < p.Size(); i++ {
		if person := p.At(i); ok(person) {
			return person
		}
	}
	t.Fatal("no citizen in the test population fits")
	return domain.Person{}
}

// plain is a citizen whose replies carry no quirk and who has an old CMND.
func plain(p domain.Person) bool {
	return QuirkOf(p.ID) == QuirkNone && p.OldID != "" && !p.BirthDate.YearOnly() && p.Sex != domain.SexUnknown
}

// toneVariants maps syllable endings between new-style ("Hòa") and old-style
// ("Hoà") tone placement, both ways.
var toneVariants = strings.NewReplacer(
	"òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
	"oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa",
	"òe", "oè", "óe", "oé", "ỏe", "oẻ", "õe", "oẽ", "ọe", "oẹ",
	"ùy", "uỳ", "úy", "uý", "ủy", "uỷ", "ũy", "uỹ", "ụy", "uỵ",
	"uỳ", "ùy", "uý", "úy", "uỷ", "ủy", "uỹ", "ũy", "uỵ", "ụy",
)

// toggleTones moves the tone mark of each open oa/oe/uy syllable to the other
// placement; syllables with a final consonant ("Hoàng") keep theirs.
func toggleTones(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		r := []rune(w)
		if len(r) < 2 {
			continue
		}
		tail := string(r[len(r)-2:])
		if v := toneVariants.Replace(tail); v != tail {
			words[i] = string(r[:len(r)-2]) + v
		}
	}
	return strings.Join(words, " ")
}
