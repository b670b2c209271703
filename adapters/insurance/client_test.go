package insurance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	vss "github.com/vn-epidemic/hub/mocks/insurance"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/vntext"
)

// testPop is one small population shared by the package's tests; building it
// is deterministic, so sharing it cannot couple tests.
var testPop = sync.OnceValues(func() (*synth.Population, error) {
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: 20260101, Size: 20_000}, dir)
})

func population(t testing.TB) *synth.Population {
	t.Helper()
	p, err := testPop()
	if err != nil {
		t.Fatalf("building the synthetic population: %v", err)
	}
	return p
}

// traffic records what crossed the wire, so tests can see how the adapter
// batched and what untidy data it was given.
type traffic struct {
	mu        sync.Mutex
	batchLens []int
	responses [][]byte
}

func (tr *traffic) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == vss.PathLookup {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				DsSoDinhDanh []string `json:"dsSoDinhDanh"`
			}
			_ = json.Unmarshal(body, &req)
			tr.mu.Lock()
			tr.batchLens = append(tr.batchLens, len(req.DsSoDinhDanh))
			tr.mu.Unlock()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		tr.mu.Lock()
		tr.responses = append(tr.responses, rec.Body.Bytes())
		tr.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

type fakeClock struct{ now time.Time }

func (c fakeClock) Now() time.Time { return c.now }

type harness struct {
	vss     *vss.Server
	client  *Client
	traffic *traffic
}

func newHarness(t testing.TB, apiKey string, mod func(*vss.Config)) *harness {
	t.Helper()
	cfg := vss.Config{
		Population: population(t),
		FaultOptions: []faults.Option{
			faults.WithSleep(func(context.Context, time.Duration) error { return nil }),
			faults.WithClock(fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}),
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := vss.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr := &traffic{}
	srv := httptest.NewServer(tr.wrap(s.Handler()))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, APIKey: apiKey}, upstream.NewCaller(srv.Client(), 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{vss: s, client: c, traffic: tr}
}

func citizenIDs(t testing.TB, from, n int) []string {
	p := population(t)
	ids := make([]string, n)
	for k := range ids {
		ids[k] = p.At(int64(from + k)).ID
	}
	return ids
}

func TestCardsOneCallPerHundred(t *testing.T) {
	h := newHarness(t, vss.DefaultAPIKey, nil)
	for _, tt := range []struct{ n, calls int }{{1, 1}, {99, 1}, {100, 1}, {101, 2}, {200, 2}, {250, 3}} {
		h.vss.Faults().ResetCounts()
		ids := citizenIDs(t, 1000, tt.n)
		cards, errs := h.client.Cards(context.Background(), ids)
		if got := h.vss.Faults().Count(vss.OpLookup); got != int64(tt.calls) {
			t.Errorf("%d IDs: %d tra-cuu-lo calls, want %d", tt.n, got, tt.calls)
		}
		if len(cards) != tt.n || len(errs) != tt.n {
			t.Fatalf("%d IDs: %d cards, %d errors", tt.n, len(cards), len(errs))
		}
		for k := range ids {
			if (errs[k] == nil) == (cards[k].HolderID == "") {
				t.Fatalf("%d IDs: element %d has neither or both of a card and an error (%v)", tt.n, k, errs[k])
			}
		}
	}
	for _, n := range h.traffic.batchLens {
		if n > MaxBatch {
			t.Fatalf("a request carried %d IDs", n)
		}
	}
}

// TestCardsMapEveryField runs every untidy card of the population plus a
// thousand ordinary citizens through the adapter in one call and compares
// each card with the synthetic truth, so the untidy records are tidied to
// exactly what VSS meant.
func TestCardsMapEveryField(t *testing.T) {
	p := population(t)
	h := newHarness(t, vss.DefaultAPIKey, nil)
	var idx []int64
	kinds := map[string]int{}
	for i := range p.Size() {
		kind := h.vss.UntidyKind(p.At(i).ID)
		if kind != "" || i < 1000 {
			idx = append(idx, i)
			kinds[kind]++
		}
	}
	for _, k := range []string{"UPPER_NAME", "UNPADDED_DATE", "TRAILING_SPACE", "LOWER_CARD_CODE"} {
		if kinds[k] == 0 {
			t.Fatalf("population has no %s card; kinds %v", k, kinds)
		}
	}
	ids := make([]string, len(idx))
	for k, i := range idx {
		ids[k] = p.At(i).ID
	}
	cards, errs := h.client.Cards(context.Background(), ids)
	if got, want := h.vss.Faults().Count(vss.OpLookup), int64(len(ids)+MaxBatch-1)/MaxBatch; got != want {
		t.Fatalf("%d calls, want %d", got, want)
	}
	insured := 0
	for k, i := range idx {
		want, ok := p.Insurance(i)
		if !ok {
			if !errors.Is(errs[k], domain.ErrNotFound) {
				t.Fatalf("uninsured citizen %d: %v, want ErrNotFound", i, errs[k])
			}
			continue
		}
		insured++
		if errs[k] != nil {
			t.Fatalf("citizen %d (%s): %v", i, h.vss.UntidyKind(ids[k]), errs[k])
		}
		want.HolderName = vntext.Normalize(want.HolderName)
		if cards[k] != want {
			t.Fatalf("citizen %d (%s):\n got %+v\nwant %+v", i, h.vss.UntidyKind(ids[k]), cards[k], want)
		}
	}
	if insured < len(idx)*8/10 {
		t.Fatalf("only %d of %d insured", insured, len(idx))
	}

	// The comparison above is only a test of tidying if untidy data crossed the wire.
	quirks := map[string]*regexp.Regexp{
		"all-caps name":   regexp.MustCompile(`"hoTen":"[^"a-zà-ỹđ]*[A-ZĐ][^"a-zà-ỹđ]*"`),
		"unpadded date":   regexp.MustCompile(`"gtTheTu":"\d/`),
		"trailing space":  regexp.MustCompile(`"hoTen":"[^"]* "`),
		"lower card code": regexp.MustCompile(`"maThe":"[a-z]{2}\d{13}"`),
	}
	for name, re := range quirks {
		n := 0
		for _, body := range h.traffic.responses {
			n += len(re.FindAll(body, -1))
		}
		if n == 0 {
			t.Errorf("no %s crossed the wire", name)
		}
	}
}

func TestCardsDedupe(t *testing.T) {
	h := newHarness(t, vss.DefaultAPIKey, nil)
	base := citizenIDs(t, 0, 3)
	ids := []string{base[0], base[1], base[0], base[0], base[2], base[1]}
	cards, errs := h.client.Cards(context.Background(), ids)
	if len(h.traffic.batchLens) != 1 || h.traffic.batchLens[0] != 3 {
		t.Fatalf("requests carried %v IDs, want one request with 3", h.traffic.batchLens)
	}
	for _, same := range [][]int{{0, 2, 3}, {1, 5}} {
		for _, k := range same[1:] {
			if cards[k] != cards[same[0]] || (errs[k] == nil) != (errs[same[0]] == nil) {
				t.Fatalf("positions %d and %d differ", same[0], k)
			}
		}
	}
	// 150 copies of 60 distinct IDs fit one call.
	h.vss.Faults().ResetCounts()
	var many []string
	for range 150 {
		many = append(many, citizenIDs(t, 100, 60)...)
	}
	h.client.Cards(context.Background(), many[:150])
	if got := h.vss.Faults().Count(vss.OpLookup); got != 1 {
		t.Fatalf("%d calls for 60 distinct IDs", got)
	}
}

func TestCardsInvalidIDsNeverSent(t *testing.T) {
	p := population(t)
	h := newHarness(t, vss.DefaultAPIKey, nil)
	var cmnd string
	for i := range p.Size() {
		if cmnd = p.At(i).OldID; cmnd != "" {
			break
		}
	}
	bad := []string{"", "12345", "0012345678901", "B1234567", "001 20000001", " 001200000001", "00120000000a", cmnd}
	cards, errs := h.client.Cards(context.Background(), bad)
	for k := range bad {
		var ie *domain.InputError
		if !errors.As(errs[k], &ie) || cards[k] != (domain.InsuranceCard{}) {
			t.Errorf("%q: %v, want *domain.InputError", bad[k], errs[k])
		}
		if bad[k] != "" && strings.Contains(errs[k].Error(), bad[k]) {
			t.Errorf("error echoes the ID")
		}
	}
	if got := h.vss.Faults().Count(vss.OpLookup); got != 0 {
		t.Fatalf("%d calls for invalid IDs only", got)
	}
	mixed := append([]string{p.At(0).ID}, bad...)
	_, errs = h.client.Cards(context.Background(), mixed)
	if h.traffic.batchLens[0] != 1 {
		t.Fatalf("sent %d IDs, want only the valid one", h.traffic.batchLens[0])
	}
	if _, ok := p.Insurance(0); ok && errs[0] != nil {
		t.Fatalf("valid ID failed: %v", errs[0])
	}
}

func TestCardsEmpty(t *testing.T) {
	h := newHarness(t, vss.DefaultAPIKey, nil)
	cards, errs := h.client.Cards(context.Background(), nil)
	if len(cards) != 0 || len(errs) != 0 || h.vss.Faults().Count(vss.OpLookup) != 0 {
		t.Fatal("no IDs must mean no call")
	}
}

func TestCardsNotFound(t *testing.T) {
	p := population(t)
	h := newHarness(t, vss.DefaultAPIKey, nil)
	var uninsured string
	for i := range p.Size() {
		if _, ok := p.Insurance(i); !ok {
			uninsured = p.At(i).ID
			break
		}
	}
	unknown := "001999999999"
	if _, ok := p.Lookup(unknown); ok {
		t.Fatal("test ID unexpectedly exists")
	}
	_, errs := h.client.Cards(context.Background(), []string{uninsured, unknown})
	for k, err := range errs {
		var ue *domain.UpstreamError
		if !errors.Is(err, domain.ErrNotFound) || !errors.As(err, &ue) || ue.Upstream != domain.UpstreamInsurance {
			t.Fatalf("element %d: %v, want an insurance ErrNotFound", k, err)
		}
	}
}

func TestCardsUpstreamFailures(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		profile   faults.Profile
		warmup    bool
		want      error
		wantRetry time.Duration
	}{
		{name: "outage", key: vss.DefaultAPIKey, profile: faults.Profile{Outage: true}, want: domain.ErrUnavailable},
		{name: "server errors", key: vss.DefaultAPIKey, profile: faults.Profile{ErrorRate: 1}, want: domain.ErrUnavailable},
		{name: "backend timeout", key: vss.DefaultAPIKey, profile: faults.Profile{TimeoutRate: 1}, want: domain.ErrTimeout},
		{name: "rate limited", key: vss.DefaultAPIKey, profile: faults.Profile{RateLimit: 0.2, RateBurst: 1}, warmup: true,
			want: domain.ErrRateLimited, wantRetry: 5 * time.Second},
		{name: "wrong key", key: "khoa-sai", want: domain.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.key, func(c *vss.Config) { c.Faults = tt.profile })
			ids := citizenIDs(t, 0, 120)
			if tt.warmup {
				_ = h.client.Ping(context.Background()) // spends the only token
			}
			_, errs := h.client.Cards(context.Background(), ids[:3])
			for k, err := range errs {
				var ue *domain.UpstreamError
				if !errors.Is(err, tt.want) || !errors.As(err, &ue) {
					t.Fatalf("element %d: %v, want %v", k, err, tt.want)
				}
				if ue.RetryAfter != tt.wantRetry {
					t.Fatalf("RetryAfter %v, want %v", ue.RetryAfter, tt.wantRetry)
				}
			}
			if err := h.client.Ping(context.Background()); !errors.Is(err, tt.want) {
				t.Fatalf("Ping: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCardsPartialChunkFailure(t *testing.T) {
	// One chunk fails, the other succeeds: only the failed chunk's IDs carry the error.
	h := newHarness(t, vss.DefaultAPIKey, func(c *vss.Config) { c.Faults = faults.Profile{RateLimit: 0.001, RateBurst: 1} })
	ids := citizenIDs(t, 0, 150)
	_, errs := h.client.Cards(context.Background(), ids)
	limited, other := 0, 0
	for _, err := range errs {
		if errors.Is(err, domain.ErrRateLimited) {
			limited++
		} else {
			other++
		}
	}
	if !(limited == 100 && other == 50 || limited == 50 && other == 100) {
		t.Fatalf("%d limited, %d not: want one whole chunk each", limited, other)
	}
}

func TestCardsCancelled(t *testing.T) {
	h := newHarness(t, vss.DefaultAPIKey, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs := h.client.Cards(ctx, citizenIDs(t, 0, 250))
	for k, err := range errs {
		var ue *domain.UpstreamError
		if !errors.As(err, &ue) {
			t.Fatalf("element %d: %v, want an upstream error", k, err)
		}
	}
}

func TestPing(t *testing.T) {
	h := newHarness(t, vss.DefaultAPIKey, nil)
	if err := h.client.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if got := h.vss.Faults().Count(vss.OpHealth); got != 1 {
		t.Fatalf("%d health calls", got)
	}
}

// garbage serves one fixed answer, whatever is asked.
func garbage(status int, contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func clientFor(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/", APIKey: "k"}, upstream.NewCaller(srv.Client(), 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const jsonCT = "application/json; charset=utf-8"

func TestGarbageServers(t *testing.T) {
	huge := append([]byte(`{"maKetQua":"000","thongDiep":"`), bytes.Repeat([]byte("a"), maxLookupBody+10)...)
	huge = append(huge, `","duLieu":[]}`...)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        error
	}{
		{"truncated json", 200, jsonCT, `{"maKetQua":"000","thongDiep":"Thành công","duLieu":[{"soDinhDanh":"0010`, domain.ErrBadUpstreamData},
		{"html page", 200, "text/html; charset=utf-8", `<!DOCTYPE html><html><body>Cổng thông tin</body></html>`, domain.ErrBadUpstreamData},
		{"html without content type", 200, "", `<html><body>maintenance</body></html>`, domain.ErrBadUpstreamData},
		{"html 401 from a portal", 401, "text/html", `<html>login</html>`, domain.ErrRejected},
		{"empty body", 200, jsonCT, ``, domain.ErrBadUpstreamData},
		{"json null", 200, jsonCT, `null`, domain.ErrBadUpstreamData},
		{"a list", 200, jsonCT, `[]`, domain.ErrBadUpstreamData},
		{"code as number", 200, jsonCT, `{"maKetQua":0,"thongDiep":"ok","duLieu":[]}`, domain.ErrBadUpstreamData},
		{"missing code", 200, jsonCT, `{"thongDiep":"ok","duLieu":[]}`, domain.ErrBadUpstreamData},
		{"duLieu a string", 200, jsonCT, `{"maKetQua":"000","thongDiep":"ok","duLieu":"[]"}`, domain.ErrBadUpstreamData},
		{"duLieu an object", 200, jsonCT, `{"maKetQua":"000","thongDiep":"ok","duLieu":{}}`, domain.ErrBadUpstreamData},
		{"duLieu null", 200, jsonCT, `{"maKetQua":"000","thongDiep":"ok","duLieu":null}`, domain.ErrBadUpstreamData},
		{"unknown code", 200, jsonCT, `{"maKetQua":"999","thongDiep":"?","duLieu":null}`, domain.ErrBadUpstreamData},
		{"huge body", 200, jsonCT, string(huge), domain.ErrBadUpstreamData},
		{"unexpected 2xx", 202, jsonCT, `{"maKetQua":"000","thongDiep":"ok","duLieu":[]}`, domain.ErrBadUpstreamData},
		{"maintenance code in 200", 200, jsonCT, `{"maKetQua":"503","thongDiep":"Bảo trì","duLieu":null}`, domain.ErrUnavailable},
		{"too many in 200", 200, jsonCT, `{"maKetQua":"004","thongDiep":"Vượt quá","duLieu":null}`, domain.ErrRejected},
		{"quota code in 200", 200, jsonCT, `{"maKetQua":"429","thongDiep":"Vượt hạn mức","duLieu":null}`, domain.ErrRateLimited},
		{"bad request", 200, jsonCT, `{"maKetQua":"003","thongDiep":"Sai","duLieu":null}`, domain.ErrRejected},
		{"401 envelope", 401, jsonCT, `{"maKetQua":"401","thongDiep":"Sai khóa API","duLieu":null}`, domain.ErrRejected},
		{"404", 404, "text/plain", `404 page not found`, domain.ErrRejected},
		{"403 html", 403, "text/html", `<html>Forbidden</html>`, domain.ErrRejected},
		{"404 envelope", 404, jsonCT, `{"maKetQua":"404","thongDiep":"Không tìm thấy","duLieu":null}`, domain.ErrRejected},
		{"502 html", 502, "text/html", `<html>Bad Gateway</html>`, domain.ErrUnavailable},
	}
	ids := []string{"001200000001", "001200000002"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientFor(t, garbage(tt.status, tt.contentType, []byte(tt.body)))
			cards, errs := c.Cards(context.Background(), ids)
			for k := range ids {
				if !errors.Is(errs[k], tt.want) || cards[k] != (domain.InsuranceCard{}) {
					t.Fatalf("element %d: %v, want %v", k, errs[k], tt.want)
				}
				if strings.Contains(errs[k].Error(), "Thành công") || strings.Contains(errs[k].Error(), "<html") {
					t.Fatalf("error message carries upstream text: %v", errs[k])
				}
			}
		})
	}
}

func TestGarbageElements(t *testing.T) {
	good := `{"soDinhDanh":"001200000001","maKetQua":"000","thongDiep":"Thành công","maThe":"0112345678","maSoBhxh":"0112345678",` +
		`"hoTen":"Trần Thị Bình","ngaySinh":"05/11/1975","gioiTinh":2,"maDoiTuong":"GD","mucHuong":4,"maTinh":"01",` +
		`"gtTheTu":"01/01/2025","gtTheDen":"31/12/2025","maDKBD":"01001","tenDKBD":"Trạm Y tế Phường Ba Đình","thoiDiemDu5Nam":""}`
	body := `{"maKetQua":"000","thongDiep":"Thành công","duLieu":[` + good + `,` +
		`{"soDinhDanh":"001200000002","maKetQua":"000","thongDiep":"Thành công","maThe":"0112345679","maSoBhxh":"0112345679",` +
		`"hoTen":"Lê Văn Cường","ngaySinh":"05/11/1975","gioiTinh":"x","maDoiTuong":"GD","mucHuong":4,"maTinh":"01",` +
		`"gtTheTu":"01/01/2025","gtTheDen":"31/12/2025","maDKBD":"01001","tenDKBD":"Trạm Y tế"},` +
		`{"soDinhDanh":"001200000003","maKetQua":"000","hoTen":42},` +
		`{"soDinhDanh":"001200000004","maKetQua":"777"},` +
		`"không phải đối tượng",` +
		`{"soDinhDanh":"001200000099","maKetQua":"000"}]}`
	c := clientFor(t, garbage(200, jsonCT, []byte(body)))
	ids := []string{"001200000001", "001200000002", "001200000003", "001200000004", "001200000005"}
	cards, errs := c.Cards(context.Background(), ids)
	if errs[0] != nil || cards[0].HolderName != "Trần Thị Bình" || cards[0].Sex != domain.SexFemale {
		t.Fatalf("good element: %+v %v", cards[0], errs[0])
	}
	for k := 1; k < len(ids); k++ {
		if !errors.Is(errs[k], domain.ErrBadUpstreamData) {
			t.Errorf("element %d: %v, want ErrBadUpstreamData", k, errs[k])
		}
		if strings.Contains(errs[k].Error(), "Lê Văn") || strings.Contains(errs[k].Error(), ids[k]) {
			t.Errorf("element %d: error carries personal data: %v", k, errs[k])
		}
	}
}

func TestGarbageHealth(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       error
	}{
		{"ok", `{"maKetQua":"000","thongDiep":"ok","duLieu":{"trangThai":"HOAT_DONG","phienBan":"1"}}`, nil},
		{"other state", `{"maKetQua":"000","thongDiep":"ok","duLieu":{"trangThai":"BAO_TRI"}}`, domain.ErrBadUpstreamData},
		{"no data", `{"maKetQua":"000","thongDiep":"ok"}`, domain.ErrBadUpstreamData},
		{"maintenance", `{"maKetQua":"503","thongDiep":"Bảo trì","duLieu":null}`, domain.ErrUnavailable},
		{"truncated", `{"maKetQua":"0`, domain.ErrBadUpstreamData},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := clientFor(t, garbage(200, jsonCT, []byte(tt.body))).Ping(context.Background())
			if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Ping: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRequestCarriesKeyAndJSON(t *testing.T) {
	var got http.Header
	var body []byte
	c := clientFor(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", jsonCT)
		_, _ = io.WriteString(w, `{"maKetQua":"000","thongDiep":"ok","duLieu":[{"soDinhDanh":"001200000001","maKetQua":"001"}]}`)
	}))
	_, errs := c.Cards(context.Background(), []string{"001200000001"})
	if !errors.Is(errs[0], domain.ErrNotFound) {
		t.Fatalf("got %v", errs[0])
	}
	if got.Get(apiKeyHeader) != "k" || !strings.HasPrefix(got.Get("Content-Type"), "application/json") {
		t.Fatalf("headers %v", got)
	}
	var req struct {
		MaYeuCau     string   `json:"maYeuCau"`
		DsSoDinhDanh []string `json:"dsSoDinhDanh"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.DsSoDinhDanh) != 1 || !regexp.MustCompile(`^hub-[0-9a-f]{24}$`).MatchString(req.MaYeuCau) {
		t.Fatalf("request body %s", body)
	}
}

func TestNew(t *testing.T) {
	caller := upstream.NewCaller(nil, 0)
	for _, tt := range []struct {
		name   string
		cfg    Config
		caller *upstream.Caller
		ok     bool
	}{
		{"ok", Config{BaseURL: "https://bhxh.example/", APIKey: "k"}, caller, true},
		{"ok with path", Config{BaseURL: "http://10.0.0.1:8080/gateway", APIKey: "k"}, caller, true},
		{"no key", Config{BaseURL: "https://bhxh.example"}, caller, false},
		{"no url", Config{APIKey: "k"}, caller, false},
		{"relative url", Config{BaseURL: "bhxh.example", APIKey: "k"}, caller, false},
		{"other scheme", Config{BaseURL: "ftp://bhxh.example", APIKey: "k"}, caller, false},
		{"no caller", Config{BaseURL: "https://bhxh.example", APIKey: "k"}, nil, false},
	} {
		c, err := New(tt.cfg, tt.caller)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.name == "ok with path" && c.lookupURL != "http://10.0.0.1:8080/gateway"+pathLookup {
			t.Errorf("lookup URL %q", c.lookupURL)
		}
	}
}
