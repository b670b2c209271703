package insurance

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/domain"
)

// baseItem is a tidy old-card element; cases below change one thing at a time.
func baseItem() map[string]any {
	return map[string]any{
		"soDinhDanh": "001190001234", "maKetQua": "000", "thongDiep": "Thành công",
		"maThe": "DN4010112345678", "maSoBhxh": "0112345678", "hoTen": "Nguyễn Văn An",
		"ngaySinh": "01/02/1990", "gioiTinh": 1, "maDoiTuong": "DN", "mucHuong": 4, "maTinh": "01",
		"gtTheTu": "01/03/2025", "gtTheDen": "28/02/2026", "maDKBD": "01500",
		"tenDKBD": "Bệnh viện đa khoa khu vực Ba Đình", "thoiDiemDu5Nam": "01/03/2018",
	}
}

func baseCard() domain.InsuranceCard {
	return domain.InsuranceCard{
		HolderID: "001190001234", CardCode: "DN4010112345678", SocialNumber: "0112345678",
		HolderName: "Nguyễn Văn An", BirthDate: domain.Date{Year: 1990, Month: 2, Day: 1}, Sex: domain.SexMale,
		GroupCode: "DN", BenefitLevel: 4, ProvinceCode: "01",
		ValidFrom: domain.Date{Year: 2025, Month: 3, Day: 1}, ValidTo: domain.Date{Year: 2026, Month: 2, Day: 28},
		ClinicCode: "01500", ClinicName: "Bệnh viện đa khoa khu vực Ba Đình",
		FiveYearsSince: domain.Date{Year: 2018, Month: 3, Day: 1},
	}
}

func TestDecodeItem(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   func(c *domain.InsuranceCard) // nil: element is bad data
	}{
		{"tidy", func(map[string]any) {}, func(*domain.InsuranceCard) {}},
		{"all caps name", func(m map[string]any) { m["hoTen"] = "NGUYỄN VĂN AN" }, func(*domain.InsuranceCard) {}},
		{"trailing and inner spaces", func(m map[string]any) {
			m["hoTen"] = " Nguyễn  Văn An "
			m["tenDKBD"] = "Bệnh viện đa khoa khu vực Ba Đình "
		},
			func(*domain.InsuranceCard) {}},
		{"decomposed name", func(m map[string]any) { m["hoTen"] = "Nguye\u0302\u0303n Va\u0306n An" }, func(*domain.InsuranceCard) {}},
		{"single-digit dates", func(m map[string]any) {
			m["ngaySinh"] = "1/2/1990"
			m["gtTheTu"] = "1/3/2025"
			m["thoiDiemDu5Nam"] = "1/3/2018"
		},
			func(*domain.InsuranceCard) {}},
		{"year-only birth", func(m map[string]any) { m["ngaySinh"] = "1944" }, func(c *domain.InsuranceCard) { c.BirthDate = domain.Date{Year: 1944} }},
		{"lower-case card code", func(m map[string]any) { m["maThe"] = "dn4010112345678" }, func(*domain.InsuranceCard) {}},
		{"card code with spaces", func(m map[string]any) { m["maThe"] = "DN 4 01 0112345678" }, func(*domain.InsuranceCard) {}},
		{"group and level from code", func(m map[string]any) { delete(m, "maDoiTuong"); delete(m, "mucHuong") }, func(*domain.InsuranceCard) {}},
		{"social number from code", func(m map[string]any) { delete(m, "maSoBhxh") }, func(*domain.InsuranceCard) {}},
		{"new card", func(m map[string]any) { m["maThe"] = "0112345678" }, func(c *domain.InsuranceCard) { c.CardCode = "" }},
		{"new card without maThe", func(m map[string]any) { m["maThe"] = "" }, func(c *domain.InsuranceCard) { c.CardCode = "" }},
		{"sex as string", func(m map[string]any) { m["gioiTinh"] = "2" }, func(c *domain.InsuranceCard) { c.Sex = domain.SexFemale }},
		{"level as string", func(m map[string]any) { m["mucHuong"] = "4" }, func(*domain.InsuranceCard) {}},
		{"not five years", func(m map[string]any) { m["thoiDiemDu5Nam"] = "" }, func(c *domain.InsuranceCard) { c.FiveYearsSince = domain.Date{} }},
		{"no clinic name", func(m map[string]any) { m["tenDKBD"] = "" }, func(c *domain.InsuranceCard) { c.ClinicName = "" }},
		{"one-day card", func(m map[string]any) { m["gtTheDen"] = "01/03/2025" }, func(c *domain.InsuranceCard) { c.ValidTo = c.ValidFrom }},

		{"sex 0", func(m map[string]any) { m["gioiTinh"] = 0 }, nil},
		{"sex 3", func(m map[string]any) { m["gioiTinh"] = 3 }, nil},
		{"sex word", func(m map[string]any) { m["gioiTinh"] = "Nam" }, nil},
		{"sex missing", func(m map[string]any) { delete(m, "gioiTinh") }, nil},
		{"sex fractional", func(m map[string]any) { m["gioiTinh"] = 1.5 }, nil},
		{"level 0", func(m map[string]any) { m["mucHuong"] = 0; m["maThe"] = "0112345678" }, nil},
		{"level 6", func(m map[string]any) { m["mucHuong"] = 6; m["maThe"] = "0112345678" }, nil},
		{"level contradicts code", func(m map[string]any) { m["mucHuong"] = 3 }, nil},
		{"group contradicts code", func(m map[string]any) { m["maDoiTuong"] = "HS" }, nil},
		{"group not letters", func(m map[string]any) { m["maDoiTuong"] = "D1"; m["maThe"] = "" }, nil},
		{"code level 6", func(m map[string]any) { m["maThe"] = "DN6010112345678"; delete(m, "mucHuong") }, nil},
		{"code too short", func(m map[string]any) { m["maThe"] = "DN401011234567" }, nil},
		{"code number differs", func(m map[string]any) { m["maThe"] = "DN4010112345679" }, nil},
		{"new code differs", func(m map[string]any) { m["maThe"] = "0112345679" }, nil},
		{"no social number at all", func(m map[string]any) { m["maThe"] = ""; m["maSoBhxh"] = "" }, nil},
		{"social number short", func(m map[string]any) { m["maSoBhxh"] = "112345678"; m["maThe"] = "" }, nil},
		{"empty name", func(m map[string]any) { m["hoTen"] = "  " }, nil},
		{"name a number", func(m map[string]any) { m["hoTen"] = 7 }, nil},
		{"birth not a date", func(m map[string]any) { m["ngaySinh"] = "31/02/1990" }, nil},
		{"birth iso", func(m map[string]any) { m["ngaySinh"] = "1990-02-01" }, nil},
		{"birth missing", func(m map[string]any) { delete(m, "ngaySinh") }, nil},
		{"validity year only", func(m map[string]any) { m["gtTheTu"] = "2025" }, nil},
		{"validity reversed", func(m map[string]any) { m["gtTheDen"] = "28/02/2025" }, nil},
		{"province 3 digits", func(m map[string]any) { m["maTinh"] = "001" }, nil},
		{"clinic missing", func(m map[string]any) { m["maDKBD"] = "" }, nil},
		{"clinic junk", func(m map[string]any) { m["maDKBD"] = "01-500" }, nil},
		{"five years junk", func(m map[string]any) { m["thoiDiemDu5Nam"] = "gần đây" }, nil},
		{"unknown element code", func(m map[string]any) { m["maKetQua"] = "00" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseItem()
			tt.change(m)
			raw, _ := json.Marshal(m)
			got, err := decodeItem(opLookup, "001190001234", raw)
			if tt.want == nil {
				if !errors.Is(err, domain.ErrBadUpstreamData) {
					t.Fatalf("got %+v, %v; want ErrBadUpstreamData", got, err)
				}
				for _, v := range []string{"Nguyễn", "001190001234", "0112345678"} {
					if strings.Contains(err.Error(), v) {
						t.Fatalf("error carries personal data: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeItem: %v", err)
			}
			want := baseCard()
			tt.want(&want)
			if got != want {
				t.Fatalf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestDecodeItemOutcomes(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want error
	}{
		{`{"soDinhDanh":"001190001234","maKetQua":"001","thongDiep":"Không tìm thấy"}`, domain.ErrNotFound},
		{`{"soDinhDanh":"001190001234","maKetQua":"002","thongDiep":"Không hợp lệ"}`, domain.ErrRejected},
		{`{"soDinhDanh":"001190001234"}`, domain.ErrBadUpstreamData},
		{`{"soDinhDanh":"001190001234","maKetQua":1}`, domain.ErrBadUpstreamData},
	} {
		_, err := decodeItem(opLookup, "001190001234", json.RawMessage(tt.raw))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.raw, err, tt.want)
		}
	}
}

func TestDecodeCardsAlignsByID(t *testing.T) {
	m1, m2 := baseItem(), baseItem()
	m2["soDinhDanh"], m2["maThe"], m2["maSoBhxh"] = "079301000001", "0212345678", "0212345678"
	m2["maDoiTuong"] = "HS"
	// Answered in the opposite order, with a duplicate of the first (ignored)
	// and an element for an ID nobody asked for.
	dup := baseItem()
	dup["hoTen"] = "Người Khác"
	stray := baseItem()
	stray["soDinhDanh"] = "001000000000"
	items := []any{m2, m1, dup, stray}
	raw, _ := json.Marshal(map[string]any{"maKetQua": "000", "thongDiep": "ok", "duLieu": items})
	cards, errs, err := decodeCards(opLookup, 200, raw, []string{"001190001234", "079301000001", "001000000001"})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || cards[0].HolderID != "001190001234" || cards[0].HolderName != "Nguyễn Văn An" {
		t.Fatalf("element 0: %+v %v", cards[0], errs[0])
	}
	if errs[1] != nil || cards[1].HolderID != "079301000001" || cards[1].GroupCode != "HS" {
		t.Fatalf("element 1: %+v %v", cards[1], errs[1])
	}
	if !errors.Is(errs[2], domain.ErrBadUpstreamData) {
		t.Fatalf("element 2 missing from the answer: %v", errs[2])
	}
}

func FuzzDecodeCards(f *testing.F) {
	item, _ := json.Marshal(baseItem())
	f.Add(200, []byte(`{"maKetQua":"000","thongDiep":"ok","duLieu":[`+string(item)+`]}`))
	f.Add(200, []byte(`{"maKetQua":"000","thongDiep":"ok","duLieu":[{"soDinhDanh":"001190001234","maKetQua":"001"}]}`))
	f.Add(200, []byte(`{"maKetQua":"004","thongDiep":"x","duLieu":null}`))
	f.Add(401, []byte(`{"maKetQua":"401","thongDiep":"Sai khóa API","duLieu":null}`))
	f.Add(200, []byte(`{"maKetQua":"000","duLieu":[{"soDinhDanh":"001190001234","maKetQua":"000","maThe":"dn4010112345678","gioiTinh":"2","mucHuong":"4"}]}`))
	f.Add(200, []byte(`{"maKetQua":"000","duLieu":"`))
	f.Add(200, []byte(`<html>`))
	f.Add(404, []byte(``))
	ids := []string{"001190001234", "079301000001"}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		cards, errs, err := decodeCards(opLookup, status, body, ids)
		if err != nil {
			var ue *domain.UpstreamError
			if !errors.As(err, &ue) || cards != nil || errs != nil {
				t.Fatalf("whole-call failure %v (%T) with results", err, err)
			}
			return
		}
		if len(cards) != len(ids) || len(errs) != len(ids) {
			t.Fatalf("results not aligned: %d cards, %d errors", len(cards), len(errs))
		}
		for k, c := range cards {
			if errs[k] != nil {
				var ue *domain.UpstreamError
				if !errors.As(errs[k], &ue) || c != (domain.InsuranceCard{}) {
					t.Fatalf("element %d: %v (%T) with card %+v", k, errs[k], errs[k], c)
				}
				continue
			}
			// Whatever the upstream sent, a card that gets through is well formed.
			switch {
			case c.HolderID != ids[k]:
				t.Fatalf("card for %q answers %q", ids[k], c.HolderID)
			case !isDigits(c.SocialNumber, 10):
				t.Fatalf("social number %q", c.SocialNumber)
			case c.CardCode != "" && (!isOldCardCode(c.CardCode) || c.CardCode[5:] != c.SocialNumber):
				t.Fatalf("card code %q", c.CardCode)
			case c.BenefitLevel < 1 || c.BenefitLevel > 5:
				t.Fatalf("benefit level %d", c.BenefitLevel)
			case c.Sex != domain.SexMale && c.Sex != domain.SexFemale:
				t.Fatalf("sex %v", c.Sex)
			case c.HolderName == "" || !c.BirthDate.Valid() || !c.ValidFrom.Valid() || !c.ValidTo.Valid():
				t.Fatalf("name or dates missing: %+v", c)
			case c.ValidTo.Time().Before(c.ValidFrom.Time()):
				t.Fatalf("validity reversed")
			case !isLetters(c.GroupCode, 2) || !isDigits(c.ProvinceCode, 2) || !isClinicCode(c.ClinicCode):
				t.Fatalf("codes %q %q %q", c.GroupCode, c.ProvinceCode, c.ClinicCode)
			}
		}
	})
}
