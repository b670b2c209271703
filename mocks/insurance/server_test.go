package insurance

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

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

var fixedNow = time.Date(2026, 1, 15, 9, 30, 0, 0, vnZone)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func newServer(t testing.TB, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{Population: population(t), Now: func() time.Time { return fixedNow }}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

type call struct {
	method, path, key, body string
}

func lookupCall(body string) call {
	return call{method: http.MethodPost, path: PathLookup, key: DefaultAPIKey, body: body}
}

func idsBody(requestID string, ids ...string) string {
	b, _ := json.Marshal(lookupRequest{MaYeuCau: requestID, DsSoDinhDanh: ids})
	return string(b)
}

func (c call) do(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	if c.key != "" {
		req.Header.Set(APIKeyHeader, c.key)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

type wireEnvelope struct {
	MaKetQua  string          `json:"maKetQua"`
	ThongDiep string          `json:"thongDiep"`
	MaYeuCau  string          `json:"maYeuCau"`
	ThoiGian  string          `json:"thoiGian"`
	DuLieu    json.RawMessage `json:"duLieu"`
}

type wireCard struct {
	SoDinhDanh     string `json:"soDinhDanh"`
	MaKetQua       string `json:"maKetQua"`
	ThongDiep      string `json:"thongDiep"`
	MaThe          string `json:"maThe"`
	MaSoBhxh       string `json:"maSoBhxh"`
	HoTen          string `json:"hoTen"`
	NgaySinh       string `json:"ngaySinh"`
	GioiTinh       int    `json:"gioiTinh"`
	MaDoiTuong     string `json:"maDoiTuong"`
	MucHuong       int    `json:"mucHuong"`
	MaTinh         string `json:"maTinh"`
	GtTheTu        string `json:"gtTheTu"`
	GtTheDen       string `json:"gtTheDen"`
	MaDKBD         string `json:"maDKBD"`
	TenDKBD        string `json:"tenDKBD"`
	ThoiDiemDu5Nam string `json:"thoiDiemDu5Nam"`
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) (wireEnvelope, []wireCard) {
	t.Helper()
	var env wireEnvelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("answer is not the envelope: %v\n%s", err, rec.Body.String())
	}
	var cards []wireCard
	if len(env.DuLieu) > 0 && string(env.DuLieu) != "null" && env.DuLieu[0] == '[' {
		if err := json.Unmarshal(env.DuLieu, &cards); err != nil {
			t.Fatalf("duLieu: %v", err)
		}
	}
	return env, cards
}

// picks are citizens chosen by what the golden and behaviour tests need.
type picks struct {
	oldCard, newCard, uninsured string
	quirked                     map[quirk]string
	insured                     []int64
}

// choose scans the population once per test binary; the picks are
// deterministic, so sharing them cannot couple tests.
func choose(t testing.TB, p *synth.Population) picks {
	t.Helper()
	if p != population(t) {
		t.Fatal("choose works on the shared test population only")
	}
	pk, err := testPicks()
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

var testPicks = sync.OnceValues(func() (picks, error) {
	p, err := testPop()
	if err != nil {
		return picks{}, err
	}
	return scanPicks(p)
})

func scanPicks(p *synth.Population) (picks, error) {
	var pk picks
	pk.quirked = map[quirk]string{}
	for i := range p.Size() {
		id := p.At(i).ID
		card, ok := p.Insurance(i)
		if !ok {
			if pk.uninsured == "" {
				pk.uninsured = id
			}
			continue
		}
		pk.insured = append(pk.insured, i)
		q := quirkFor(p.Config().Seed, id)
		switch {
		case q != quirkNone:
			if _, have := pk.quirked[q]; !have && (q != quirkLowerCardCode || card.CardCode != "") {
				pk.quirked[q] = id
			}
		case card.CardCode != "" && pk.oldCard == "":
			pk.oldCard = id
		case card.CardCode == "" && pk.newCard == "":
			pk.newCard = id
		}
	}
	if pk.oldCard == "" || pk.newCard == "" || pk.uninsured == "" || len(pk.quirked) != int(quirkKinds-1) {
		return pk, fmt.Errorf("population lacks a needed citizen")
	}
	return pk, nil
}

// unknownID is a well-formed ID that no citizen holds.
func unknownID(t testing.TB, p *synth.Population) string {
	t.Helper()
	for n := 0; n < 1000; n++ {
		id := fmt.Sprintf("0019%02d%06d", 99-n%100, 999999-n)
		if _, ok := p.Lookup(id); !ok {
			return id
		}
	}
	t.Fatal("no unknown ID found")
	return ""
}

// snapshot renders an answer as the golden files store it: status, the
// headers a client acts on, and the body.
func snapshot(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP %d\n", rec.Code)
	for _, h := range []string{"Content-Type", "Retry-After", "Allow"} {
		if v := rec.Header().Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	b.WriteString("\n")
	b.Write(rec.Body.Bytes())
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Fatalf("%s differs from the golden file (run go test -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	p := population(t)
	pk := choose(t, p)
	unknown := unknownID(t, p)
	hundredOne := make([]string, MaxBatch+1)
	for k := range hundredOne {
		hundredOne[k] = p.At(int64(k)).ID
	}
	noSleep := faults.WithSleep(func(context.Context, time.Duration) error { return nil })
	clock := &fakeClock{now: fixedNow}

	tests := []struct {
		name    string
		profile faults.Profile
		warmup  int // requests sent first (to drain a rate-limit bucket)
		call    call
	}{
		{name: "tra-cuu-lo_ok", call: lookupCall(idsBody("golden-1", pk.oldCard, pk.newCard, pk.uninsured, unknown, "12345"))},
		{name: "tra-cuu-lo_quirks", call: lookupCall(idsBody("golden-2",
			pk.quirked[quirkUpperName], pk.quirked[quirkUnpaddedDate], pk.quirked[quirkTrailingSpace], pk.quirked[quirkLowerCardCode]))},
		{name: "tra-cuu-lo_batch-limit", call: lookupCall(idsBody("golden-3", hundredOne...))},
		{name: "tra-cuu-lo_empty-list", call: lookupCall(`{"maYeuCau":"golden-4","dsSoDinhDanh":[]}`)},
		{name: "tra-cuu-lo_bad-json", call: lookupCall(`{"dsSoDinhDanh":["0010`)},
		{name: "tra-cuu-lo_no-key", call: call{method: http.MethodPost, path: PathLookup, body: idsBody("", pk.newCard)}},
		{name: "tra-cuu-lo_wrong-key", call: call{method: http.MethodPost, path: PathLookup, key: "khoa-sai", body: idsBody("", pk.newCard)}},
		{name: "tra-cuu-lo_wrong-method", call: call{method: http.MethodGet, path: PathLookup, key: DefaultAPIKey}},
		{name: "health_ok", call: call{method: http.MethodGet, path: PathHealth, key: DefaultAPIKey}},
		{name: "no-route", call: call{method: http.MethodGet, path: "/api/bhyt/v2/the", key: DefaultAPIKey}},
		{name: "fault_outage", profile: faults.Profile{Outage: true}, call: lookupCall(idsBody("", pk.newCard))},
		{name: "fault_rate-limited", profile: faults.Profile{RateLimit: 0.2, RateBurst: 1}, warmup: 1,
			call: lookupCall(idsBody("", pk.newCard))},
		{name: "fault_internal", profile: faults.Profile{ErrorRate: 1}, call: lookupCall(idsBody("", pk.newCard))},
		{name: "fault_timeout", profile: faults.Profile{TimeoutRate: 1}, call: lookupCall(idsBody("", pk.newCard))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, func(c *Config) {
				c.Faults = tt.profile
				c.FaultOptions = []faults.Option{noSleep, faults.WithClock(clock)}
			})
			for range tt.warmup {
				tt.call.do(t, s.Handler())
			}
			checkGolden(t, tt.name, snapshot(tt.call.do(t, s.Handler())))
		})
	}
	t.Run("openapi", func(t *testing.T) {
		rec := call{method: http.MethodGet, path: PathOpenAPI}.do(t, newServer(t, nil).Handler())
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		checkGolden(t, "openapi.json", rec.Body.Bytes())
	})
}

func TestLookupAnswersEachID(t *testing.T) {
	p := population(t)
	pk := choose(t, p)
	unknown := unknownID(t, p)
	s := newServer(t, nil)
	ids := []string{pk.newCard, unknown, pk.uninsured, "0123", pk.oldCard, pk.newCard}
	rec := lookupCall(idsBody("abc-1", ids...)).do(t, s.Handler())
	env, cards := decode(t, rec)
	if rec.Code != http.StatusOK || env.MaKetQua != codeOK || env.MaYeuCau != "abc-1" {
		t.Fatalf("got %d %q %q", rec.Code, env.MaKetQua, env.MaYeuCau)
	}
	if env.ThoiGian != "15/01/2026 09:30:00" {
		t.Fatalf("thoiGian %q, want the configured clock in Vietnam time", env.ThoiGian)
	}
	wantCodes := []string{codeOK, codeNotFound, codeNotFound, codeInvalidID, codeOK, codeOK}
	if len(cards) != len(ids) {
		t.Fatalf("%d results for %d IDs", len(cards), len(ids))
	}
	for k, c := range cards {
		if c.MaKetQua != wantCodes[k] {
			t.Errorf("result %d: maKetQua %q, want %q", k, c.MaKetQua, wantCodes[k])
		}
		if c.SoDinhDanh != ids[k] {
			t.Errorf("result %d answers %q, want %q (request order)", k, c.SoDinhDanh, ids[k])
		}
		if c.MaKetQua != codeOK && c.HoTen != "" {
			t.Errorf("result %d: a not-found answer carries card fields", k)
		}
	}
	if cards[0] != cards[5] {
		t.Error("the same ID asked twice got different answers")
	}
}

func TestLookupMatchesPopulation(t *testing.T) {
	p := population(t)
	s := newServer(t, nil)
	pk := choose(t, p)
	checked := 0
	for _, i := range pk.insured[:300] {
		id := p.At(i).ID
		if quirkFor(p.Config().Seed, id) != quirkNone {
			continue
		}
		card, _ := p.Insurance(i)
		_, got := decode(t, lookupCall(idsBody("", id)).do(t, s.Handler()))
		wantCode := card.CardCode
		if wantCode == "" {
			wantCode = card.SocialNumber
		}
		want := wireCard{
			SoDinhDanh: id, MaKetQua: codeOK, ThongDiep: msgOK,
			MaThe: wantCode, MaSoBhxh: card.SocialNumber, HoTen: card.HolderName,
			NgaySinh: formatDMY(card.BirthDate), GioiTinh: sexCode(card.Sex),
			MaDoiTuong: card.GroupCode, MucHuong: card.BenefitLevel, MaTinh: card.ProvinceCode,
			GtTheTu: formatDMY(card.ValidFrom), GtTheDen: formatDMY(card.ValidTo),
			MaDKBD: card.ClinicCode, TenDKBD: card.ClinicName, ThoiDiemDu5Nam: formatDMY(card.FiveYearsSince),
		}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("citizen %d:\n got %+v\nwant %+v", i, got, want)
		}
		if card.HolderID != id {
			t.Fatalf("synth card of citizen %d is held by another ID", i)
		}
		checked++
	}
	if checked < 250 {
		t.Fatalf("only %d cards checked", checked)
	}
}

func TestAuth(t *testing.T) {
	p := population(t)
	id := p.At(0).ID
	tests := []struct {
		name       string
		configured string
		sent       string
		wantStatus int
		wantMsg    string
	}{
		{"default key", "", DefaultAPIKey, http.StatusOK, msgOK},
		{"configured key", "khoa-rieng", "khoa-rieng", http.StatusOK, msgOK},
		{"missing", "", "", http.StatusUnauthorized, msgNoKey},
		{"wrong", "", "bhxh-demo", http.StatusUnauthorized, msgBadKey},
		{"case differs", "", strings.ToUpper(DefaultAPIKey), http.StatusUnauthorized, msgBadKey},
		{"default refused when another is configured", "khoa-rieng", DefaultAPIKey, http.StatusUnauthorized, msgBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, func(c *Config) { c.APIKey = tt.configured })
			for _, c := range []call{
				{method: http.MethodPost, path: PathLookup, key: tt.sent, body: idsBody("", id)},
				{method: http.MethodGet, path: PathHealth, key: tt.sent},
			} {
				rec := c.do(t, s.Handler())
				env, _ := decode(t, rec)
				if tt.wantStatus == http.StatusOK && rec.Code == http.StatusOK && env.MaKetQua == codeOK {
					continue
				}
				if rec.Code != tt.wantStatus || env.ThongDiep != tt.wantMsg {
					t.Fatalf("%s: got %d %q, want %d %q", c.path, rec.Code, env.ThongDiep, tt.wantStatus, tt.wantMsg)
				}
				if rec.Code == http.StatusUnauthorized && (env.MaKetQua != codeAuth || string(env.DuLieu) != "null") {
					t.Fatalf("%s: 401 answer %q with data %s", c.path, env.MaKetQua, env.DuLieu)
				}
			}
		})
	}
	t.Run("openapi needs no key", func(t *testing.T) {
		if rec := (call{method: http.MethodGet, path: PathOpenAPI}).do(t, newServer(t, nil).Handler()); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	})
}

func TestBatchLimit(t *testing.T) {
	p := population(t)
	s := newServer(t, nil)
	ids := make([]string, MaxBatch+1)
	for k := range ids {
		ids[k] = p.At(int64(k)).ID
	}
	rec := lookupCall(idsBody("", ids[:MaxBatch]...)).do(t, s.Handler())
	env, cards := decode(t, rec)
	if rec.Code != http.StatusOK || env.MaKetQua != codeOK || len(cards) != MaxBatch {
		t.Fatalf("a full batch: %d %q with %d results", rec.Code, env.MaKetQua, len(cards))
	}
	rec = lookupCall(idsBody("", ids...)).do(t, s.Handler())
	env, cards = decode(t, rec)
	// A business error: HTTP 200 with the system's own code, and no data.
	if rec.Code != http.StatusOK || env.MaKetQua != codeTooMany || cards != nil || string(env.DuLieu) != "null" {
		t.Fatalf("over the limit: %d %q %s", rec.Code, env.MaKetQua, env.DuLieu)
	}
}

func TestRequestValidation(t *testing.T) {
	s := newServer(t, nil)
	tests := []struct {
		name, body, want string
	}{
		{"empty body", "", codeBadRequest},
		{"not json", "dsSoDinhDanh=001", codeBadRequest},
		{"truncated", `{"dsSoDinhDanh":["001`, codeBadRequest},
		{"two documents", `{"dsSoDinhDanh":["001200000001"]} {}`, codeBadRequest},
		{"ids not a list", `{"dsSoDinhDanh":"001200000001"}`, codeBadRequest},
		{"missing list", `{"maYeuCau":"x"}`, codeBadRequest},
		{"null list", `{"dsSoDinhDanh":null}`, codeBadRequest},
		{"request id with spaces", `{"maYeuCau":"a b","dsSoDinhDanh":["001200000001"]}`, codeBadRequest},
		{"request id too long", `{"maYeuCau":"` + strings.Repeat("a", 65) + `","dsSoDinhDanh":["001200000001"]}`, codeBadRequest},
		{"body too large", `{"dsSoDinhDanh":["` + strings.Repeat("1", maxRequestBytes) + `"]}`, codeBadRequest},
		{"unknown fields ignored", `{"dsSoDinhDanh":["001200000001"],"ghiChu":"x"}`, codeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := lookupCall(tt.body).do(t, s.Handler())
			env, _ := decode(t, rec)
			if rec.Code != http.StatusOK || env.MaKetQua != tt.want {
				t.Fatalf("got %d %q, want 200 %q", rec.Code, env.MaKetQua, tt.want)
			}
		})
	}
}

func TestInvalidIDsAreNotEchoedVerbatim(t *testing.T) {
	s := newServer(t, nil)
	_, cards := decode(t, lookupCall(idsBody("", "<script>", "12345", "0012000000011")).do(t, s.Handler()))
	want := []string{"", "12345", "0012000000011"}
	for k, c := range cards {
		if c.MaKetQua != codeInvalidID || c.SoDinhDanh != want[k] {
			t.Errorf("result %d: %q %q, want %q %q", k, c.MaKetQua, c.SoDinhDanh, codeInvalidID, want[k])
		}
	}
}

func TestNotFound(t *testing.T) {
	p := population(t)
	pk := choose(t, p)
	s := newServer(t, nil)
	// A 9-digit CMND is not a số định danh, even when the citizen holds it.
	var cmnd string
	for i := range p.Size() {
		if old := p.At(i).OldID; old != "" {
			cmnd = old
			break
		}
	}
	for _, tt := range []struct {
		name, id, want string
	}{
		{"unknown ID", unknownID(t, p), codeNotFound},
		{"uninsured citizen", pk.uninsured, codeNotFound},
		{"old CMND", cmnd, codeInvalidID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.id == "" {
				t.Skip("population has no such citizen")
			}
			_, cards := decode(t, lookupCall(idsBody("", tt.id)).do(t, s.Handler()))
			if len(cards) != 1 || cards[0].MaKetQua != tt.want || cards[0].MaThe != "" {
				t.Fatalf("got %+v, want maKetQua %s and no card", cards, tt.want)
			}
		})
	}
}

var unpaddedDate = regexp.MustCompile(`^\d/|/\d/`)

func TestBadDataShare(t *testing.T) {
	p := population(t)
	pk := choose(t, p)
	s := newServer(t, nil)
	// The share is decided by ID alone; count it over every card.
	var quirkedIdx, tidyIdx []int64
	for _, i := range pk.insured {
		if quirkFor(p.Config().Seed, p.At(i).ID) != quirkNone {
			quirkedIdx = append(quirkedIdx, i)
		} else if len(tidyIdx) < 2*MaxBatch {
			tidyIdx = append(tidyIdx, i)
		}
	}
	share := float64(len(quirkedIdx)) / float64(len(pk.insured))
	if share < 0.0025 || share > 0.0085 {
		t.Fatalf("untidy share %.4f of %d cards, want about 0.005", share, len(pk.insured))
	}
	// Every untidy card shows its quirk on the wire, and tidy cards show none.
	seen := map[quirk]int{}
	all := append(quirkedIdx, tidyIdx...)
	for start := 0; start < len(all); start += MaxBatch {
		batch := all[start:min(start+MaxBatch, len(all))]
		ids := make([]string, len(batch))
		for k, i := range batch {
			ids[k] = p.At(i).ID
		}
		rec := lookupCall(idsBody("", ids...)).do(t, s.Handler())
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatal("malformed JSON in normal operation")
		}
		_, cards := decode(t, rec)
		for k, c := range cards {
			card, _ := p.Insurance(batch[k])
			q := quirkFor(p.Config().Seed, ids[k])
			visible := false
			switch q {
			case quirkNone:
				if c.HoTen != card.HolderName || c.MaThe != strings.ToUpper(c.MaThe) || strings.HasSuffix(c.TenDKBD, " ") ||
					unpaddedDate.MatchString(c.NgaySinh+" "+c.GtTheTu) {
					t.Fatalf("citizen %d has untidy data without a quirk", batch[k])
				}
				continue
			case quirkUpperName:
				visible = c.HoTen == strings.ToUpper(card.HolderName) && c.HoTen != card.HolderName
			case quirkUnpaddedDate:
				visible = unpaddedDate.MatchString(c.NgaySinh) || unpaddedDate.MatchString(c.GtTheTu) ||
					unpaddedDate.MatchString(c.GtTheDen) || unpaddedDate.MatchString(c.ThoiDiemDu5Nam)
			case quirkTrailingSpace:
				visible = c.HoTen == card.HolderName+" "
			case quirkLowerCardCode:
				visible = (card.CardCode != "" && c.MaThe == strings.ToLower(card.CardCode)) ||
					(card.CardCode == "" && c.HoTen == strings.ToUpper(card.HolderName))
			}
			if visible {
				seen[q]++
			}
		}
	}
	for q := quirkNone + 1; q < quirkKinds; q++ {
		if seen[q] == 0 {
			t.Errorf("quirk %d never visible on the wire", q)
		}
	}
}

func TestUntidyKind(t *testing.T) {
	p := population(t)
	pk := choose(t, p)
	s := newServer(t, nil)
	for q, id := range pk.quirked {
		if got := s.UntidyKind(id); got != q.String() || got == "" {
			t.Errorf("UntidyKind of a %v card = %q", q, got)
		}
	}
	for _, id := range []string{pk.oldCard, pk.newCard, pk.uninsured, unknownID(t, p), "", "12345"} {
		if got := s.UntidyKind(id); got != "" {
			t.Errorf("UntidyKind = %q for a tidy or missing card", got)
		}
	}
}

func TestQuirkIsStable(t *testing.T) {
	for _, id := range []string{"001090000001", "079301234567", "048199876543"} {
		if quirkFor(1, id) != quirkFor(1, id) {
			t.Fatalf("quirk not deterministic")
		}
	}
	// Another seed reshuffles which cards are untidy.
	differ := 0
	for n := range 2000 {
		id := fmt.Sprintf("0010%08d", n)
		if quirkFor(1, id) != quirkFor(2, id) {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the seed does not influence the quirks")
	}
}

func TestRenderDates(t *testing.T) {
	tests := []struct {
		d               domain.Date
		padded, unpadde string
	}{
		{domain.Date{Year: 1980, Month: 2, Day: 1}, "01/02/1980", "1/2/1980"},
		{domain.Date{Year: 1999, Month: 12, Day: 31}, "31/12/1999", "31/12/1999"},
		{domain.Date{Year: 1944}, "1944", "1944"},
		{domain.Date{}, "", ""},
	}
	for _, tt := range tests {
		if got := formatDMY(tt.d); got != tt.padded {
			t.Errorf("formatDMY(%v) = %q, want %q", tt.d, got, tt.padded)
		}
		if got := formatDMYUnpadded(tt.d); got != tt.unpadde {
			t.Errorf("formatDMYUnpadded(%v) = %q, want %q", tt.d, got, tt.unpadde)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	rec := call{method: http.MethodGet, path: PathOpenAPI}.do(t, newServer(t, nil).Handler())
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi = %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{PathLookup, PathHealth} {
		if _, ok := paths[p]; !ok {
			t.Errorf("path %s not documented", p)
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	// Every $ref must point at a schema that exists.
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, m := range refs {
		if _, ok := schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	// The documented batch limit is the enforced one.
	req := schemas["YeuCauTraCuuLo"].(map[string]any)["properties"].(map[string]any)["dsSoDinhDanh"].(map[string]any)
	if req["maxItems"] != float64(MaxBatch) {
		t.Errorf("maxItems %v, want %d", req["maxItems"], MaxBatch)
	}
}

func TestFaultCountersPerOperation(t *testing.T) {
	s := newServer(t, nil)
	h := s.Handler()
	lookupCall(idsBody("", "001200000001")).do(t, h)
	lookupCall(idsBody("", "001200000001")).do(t, h)
	call{method: http.MethodGet, path: PathHealth, key: DefaultAPIKey}.do(t, h)
	call{method: http.MethodGet, path: PathOpenAPI}.do(t, h)
	call{method: http.MethodGet, path: "/khac"}.do(t, h)
	want := map[string]int64{OpLookup: 2, OpHealth: 1, OpOpenAPI: 1}
	got := s.Faults().Counts()
	if len(got) != len(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for op, n := range want {
		if got[op] != n {
			t.Fatalf("counts %v, want %v", got, want)
		}
	}
	// The control endpoint is mounted and speaks the injector's JSON.
	rec := call{method: http.MethodGet, path: "/_control/counts"}.do(t, h)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"the.traCuuLo":2`) {
		t.Fatalf("control counts: %d %s", rec.Code, rec.Body.String())
	}
	rec = call{method: http.MethodPut, path: "/_control/faults", body: `{"outage":true}`}.do(t, h)
	if rec.Code != http.StatusOK {
		t.Fatalf("control PUT: %d", rec.Code)
	}
	rec = call{method: http.MethodGet, path: PathHealth, key: DefaultAPIKey}.do(t, h)
	if env, _ := decode(t, rec); rec.Code != http.StatusServiceUnavailable || env.MaKetQua != codeMaintenance {
		t.Fatalf("health during an outage: %d %q", rec.Code, env.MaKetQua)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without a population succeeded")
	}
	if _, err := New(Config{Population: population(t), Faults: faults.Profile{ErrorRate: 2}}); err == nil {
		t.Error("New with an invalid fault profile succeeded")
	}
}

func TestConcurrentLookups(t *testing.T) {
	p := population(t)
	srv := httptest.NewServer(newServer(t, nil).Handler())
	defer srv.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ids := make([]string, 50)
			for k := range ids {
				ids[k] = p.At(int64(g*50 + k)).ID
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+PathLookup, strings.NewReader(idsBody("", ids...)))
			req.Header.Set(APIKeyHeader, DefaultAPIKey)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
}
