package qr

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func date(y int, m time.Month, d int) domain.Date { return domain.Date{Year: y, Month: m, Day: d} }

func fixture(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseValid(t *testing.T) {
	an := Payload{
		Kind: KindChipCard, ID: "001203012345", OldID: "012345678", FullName: "Nguyễn Văn An",
		BirthDate: date(2003, 1, 1), Sex: domain.SexMale, Address: "Số 1, Phường Ba Đình, Hà Nội",
		IssueDate: date(2021, 8, 15),
	}
	anNoOld := an
	anNoOld.OldID = ""
	tests := []struct {
		file string
		want Payload
	}{
		{"chip_basic", an},
		{"chip_crlf", an},
		{"chip_cr", anNoOld},
		{"chip_upper", Payload{
			Kind: KindChipCard, ID: "079185001234", FullName: "NGUYỄN THỊ HOA", BirthDate: date(1985, 3, 20),
			Sex: domain.SexFemale, Address: "Ấp 3, Xã Tân Thạnh, Huyện Cần Giờ, TP. Hồ Chí Minh", IssueDate: date(2022, 5, 10),
		}},
		{"chip_2024", Payload{
			Kind: KindChipCard, ID: "038301004567", FullName: "Lê Thị Hương", BirthDate: date(2001, 7, 5),
			Sex: domain.SexFemale, Address: "Thôn Đông, Xã Quảng Phú, Thanh Hóa", IssueDate: date(2024, 10, 4),
			Extras: []string{"", "", "", ""},
		}},
		{"chip_nfd", Payload{
			Kind: KindChipCard, ID: "036187009876", OldID: "162345789", FullName: "Phạm Thị Thuỷ", BirthDate: date(1987, 2, 28),
			Sex: domain.SexFemale, Address: "Xóm 2, Xã Hải Hậu, Nam Định", IssueDate: date(2021, 6, 30),
		}},
		{"chip_empty_address", Payload{
			Kind: KindChipCard, ID: "001099000001", FullName: "Đỗ Văn Ba", BirthDate: date(1999, 12, 31),
			Sex: domain.SexMale, IssueDate: date(2021, 7, 1),
		}},
		{"1405_basic", Payload{
			Kind: KindPersonal1405, ID: "001203012345", FullName: "NGUYEN VAN AN", BirthDate: date(2003, 1, 1),
			Sex: domain.SexMale, QID: "QID-7F3A9C", Extras: []string{"NAM", "HS4010120878811"}, InsuranceCode: "HS4010120878811",
		}},
		{"1405_behalf_cmnd", Payload{
			Kind: KindPersonal1405, ID: "123456789", FullName: "TRAN THI BICH NGOC", BirthDate: date(1958, 7, 30),
			OnBehalf: true, QID: "0000412345",
		}},
		{"1405_passport", Payload{
			Kind: KindPersonal1405, ID: "B1234567", FullName: "JOHN SMITH", BirthDate: date(1980, 2, 29), QID: "Q123",
		}},
		{"1405_year_only", Payload{
			Kind: KindPersonal1405, ID: "079185001234", FullName: "NGUYEN THI HOA", BirthDate: domain.Date{Year: 1985},
			Sex: domain.SexFemale, OnBehalf: true, QID: "Q9", Extras: []string{"NU", "", "0912345678"},
		}},
		{"insurance_old_code", Payload{
			Kind: KindInsuranceCard, ID: "001203012345", FullName: "Nguyễn Văn An", BirthDate: date(2003, 1, 1),
			Sex: domain.SexMale, Address: "Số 1, Phường Ba Đình, Hà Nội", IssueDate: date(2021, 1, 1),
			InsuranceCode: "HS4010120878811",
			Insurance: domain.InsuranceCard{
				HolderID: "001203012345", CardCode: "HS4010120878811", SocialNumber: "0120878811",
				HolderName: "Nguyễn Văn An", BirthDate: date(2003, 1, 1), Sex: domain.SexMale, GroupCode: "HS",
				BenefitLevel: 4, ProvinceCode: "01", ValidFrom: date(2021, 1, 1), ValidTo: date(2021, 12, 31),
				ClinicCode: "01-031",
			},
		}},
		{"insurance_new_code", Payload{
			Kind: KindInsuranceCard, FullName: "Nguyễn Thị Hoa", BirthDate: date(1985, 3, 20),
			Sex: domain.SexFemale, Address: "Ấp 3, Xã Tân Thạnh, TP. Hồ Chí Minh", IssueDate: date(2023, 12, 15),
			InsuranceCode: "7920123456", Extras: []string{"4", "A1B2C3"},
			Insurance: domain.InsuranceCard{
				SocialNumber: "7920123456", HolderName: "Nguyễn Thị Hoa", BirthDate: date(1985, 3, 20),
				Sex: domain.SexFemale, ValidFrom: date(2024, 1, 1), ClinicCode: "79-024", FiveYearsSince: date(2020, 1, 1),
			},
		}},
		{"bare_12", Payload{Kind: KindBareID, ID: "001203012345"}},
		{"bare_9", Payload{Kind: KindBareID, ID: "012345678"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(fixture(t, "valid/"+tt.file+".qr"))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ file, reason string }{
		{"empty", "empty payload"},
		{"too_large", "payload too large"},
		{"not_utf8", "payload is not valid UTF-8"},
		{"field_count_8", "unexpected field count"},
		{"field_count_5", "unexpected field count"},
		{"collapsed_empty_old_id", "chip card must have 7 or 11 fields"},
		{"chip_id_short", "chip card id must be 12 digits"},
		{"chip_id_letters", "chip card id must be 12 digits"},
		{"chip_id_malformed", "chip card id is malformed"},
		{"chip_old_id_bad", "chip card old id must be empty or 9 digits"},
		{"chip_name_missing", "chip card name is missing"},
		{"chip_name_digits", "chip card name is not a name"},
		{"chip_birth_format", "chip card birth date must be ddmmyyyy"},
		{"chip_birth_calendar", "chip card birth date is not a calendar date"},
		{"chip_sex_bad", "chip card sex must be Nam or Nữ"},
		{"chip_issue_format", "chip card issue date must be ddmmyyyy"},
		{"chip_issue_calendar", "chip card issue date is not a calendar date"},
		{"chip_issue_before_birth", "chip card issue date precedes birth date"},
		{"chip_id_sex_mismatch", "id does not agree with sex/birth year"},
		{"chip_id_year_mismatch", "id does not agree with sex/birth year"},
		{"1405_id_bad", "1405 id must be a 12- or 9-digit id or a passport number"},
		{"1405_id_malformed", "1405 id is malformed"},
		{"1405_name_missing", "1405 name is missing"},
		{"1405_birth_bad", "1405 birth date must be YYYY-MM-DD"},
		{"1405_birth_calendar", "1405 birth date must be YYYY-MM-DD"},
		{"1405_flag_bad", "1405 on-behalf flag must be 0 or 1"},
		{"1405_qid_control", "1405 qid has control characters"},
		{"1405_ext_control", "1405 extras have control characters"},
		{"1405_sex_conflict", "1405 extras disagree on sex"},
		{"1405_id_disagrees", "id does not agree with sex/birth year"},
		{"1405_id_year_disagrees", "id does not agree with sex/birth year"},
		{"bare_short", "unrecognised payload"},
		{"bare_malformed", "bare id is malformed"},
		{"bare_text", "unrecognised payload"},
		{"ins_field_count", "insurance card field count"},
		{"ins_no_dollar_field", "insurance card field count"},
		{"ins_code_bad", "insurance card code must be 15 characters or 10 digits"},
		{"ins_name_not_hex", "insurance name is not hex"},
		{"ins_name_odd_hex", "insurance name is not hex"},
		{"ins_name_not_utf8", "insurance name is not valid UTF-8"},
		{"ins_name_missing", "insurance name is missing"},
		{"ins_birth_bad", "insurance birth date must be dd/MM/yyyy"},
		{"ins_birth_calendar", "insurance birth date is not a calendar date"},
		{"ins_sex_bad", "insurance sex must be 1 or 2"},
		{"ins_address_not_hex", "insurance address is not hex"},
		{"ins_valid_from_bad", "insurance valid-from date must be dd/MM/yyyy"},
		{"ins_valid_to_calendar", "insurance valid-to date is not a calendar date"},
		{"ins_social_bad", "insurance social number must be 10 digits"},
		{"ins_social_disagrees", "insurance card code does not agree with social number"},
		{"ins_holder_bad", "insurance holder id must be 12 digits"},
		{"ins_holder_malformed", "insurance holder id is malformed"},
		{"ins_holder_disagrees", "id does not agree with sex/birth year"},
		{"ins_validity_reversed", "insurance validity ends before it starts"},
	}
	files, _ := filepath.Glob("testdata/invalid/*.qr")
	if len(files) != len(tests) {
		t.Errorf("%d invalid fixtures, %d table entries: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := fixture(t, "invalid/"+tt.file+".qr")
			got, err := Parse(in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %+v, %v; want *qr.Error", got, err)
			}
			if e.Reason != tt.reason {
				t.Errorf("reason %q, want %q", e.Reason, tt.reason)
			}
			if !reflect.DeepEqual(got, Payload{}) {
				t.Errorf("failed Parse returned data: %+v", got)
			}
			assertNoEcho(t, err, in)
		})
	}
}

// assertNoEcho fails if the error message repeats any field of the payload
// longer than three characters (shorter ones, like "0" or "Nam", are words of
// the reasons themselves).
func assertNoEcho(t *testing.T, err error, payload string) {
	t.Helper()
	msg := err.Error()
	for _, f := range strings.FieldsFunc(payload, func(r rune) bool { return r == '|' || r == '<' || r == '\r' || r == '\n' }) {
		if f = strings.TrimSpace(f); len(f) > 3 && strings.Contains(msg, f) {
			t.Errorf("error %q echoes payload field", msg)
		}
	}
}

func samplePerson() domain.Person {
	return domain.Person{
		ID:        "001203012345",
		OldID:     "012345678",
		Name:      domain.PersonName{Family: "Nguyễn", Middle: "Văn", Given: "An"},
		Sex:       domain.SexMale,
		BirthDate: date(2003, 1, 1),
		Permanent: domain.Address{Detail: "Số 1", CommuneName: "Phường Ba Đình", ProvinceName: "Hà Nội"},
	}
}

func sampleCard() domain.InsuranceCard {
	return domain.InsuranceCard{
		HolderID: "079185001234", CardCode: "DN 4 79 7920123456", SocialNumber: "7920123456",
		HolderName: "Nguyễn Thị Hoa", BirthDate: date(1985, 3, 20), Sex: domain.SexFemale,
		GroupCode: "DN", BenefitLevel: 4, ProvinceCode: "79", ValidFrom: date(2024, 1, 1),
		ValidTo: date(2024, 12, 31), ClinicCode: "79-024", ClinicName: "Trạm Y tế Xã Tân Thạnh",
	}
}

func TestEncodeGolden(t *testing.T) {
	female := samplePerson()
	female.ID, female.OldID, female.Sex = "038301004567", "", domain.SexFemale
	female.Name = domain.PersonName{Family: "Lê", Middle: "Thị", Given: "Hương"}
	female.BirthDate = date(2001, 7, 5)
	female.Permanent = domain.Address{Detail: "Thôn Đông | Xóm 1", CommuneName: "Xã Quảng Phú", ProvinceName: "Thanh Hóa"}
	tests := []struct {
		name string
		got  string
	}{
		{"chipcard", EncodeChipCard(samplePerson(), date(2021, 8, 15), false)},
		{"chipcard_extended", EncodeChipCard(female, date(2024, 10, 4), true)},
		{"personal1405", EncodePersonal1405("001203012345", "Nguyễn Văn An", date(2003, 1, 1), false, "QID-7F3A9C", []string{"NAM", "HS4010120878811"})},
		{"personal1405_behalf", EncodePersonal1405("079185001234", "Đặng Thị Hoà", domain.Date{Year: 1985}, true, "Q9", []string{"NU", "a<b|c"})},
		{"insurance", EncodeInsuranceCard(sampleCard(), "Ấp 3, Xã Tân Thạnh, TP. Hồ Chí Minh")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(tt.got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if tt.got != string(want) {
				t.Errorf("encoded\n got %q\nwant %q", tt.got, want)
			}
			if _, err := Parse(tt.got); err != nil {
				t.Errorf("encoded payload does not parse: %v", err)
			}
		})
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	p := samplePerson()
	for _, ext := range []bool{false, true} {
		got, err := Parse(EncodeChipCard(p, date(2021, 8, 15), ext) + "\r\n")
		if err != nil {
			t.Fatalf("extended=%v: %v", ext, err)
		}
		if got.ID != p.ID || got.OldID != p.OldID || got.FullName != p.Name.Full() || got.Sex != p.Sex ||
			got.BirthDate != p.BirthDate || got.Address != "Số 1, Phường Ba Đình, Hà Nội" || got.IssueDate != date(2021, 8, 15) {
			t.Errorf("extended=%v: round trip gave %+v", ext, got)
		}
		if ext != (got.Extras != nil) {
			t.Errorf("extended=%v: extras %q", ext, got.Extras)
		}
	}

	got, err := Parse(EncodePersonal1405("001203012345", "Nguyễn Văn Đạt", date(2003, 1, 1), true, "Q1", []string{"Nam", "HS4010120878811"}))
	if err != nil {
		t.Fatal(err)
	}
	if got.FullName != "NGUYEN VAN DAT" || !got.OnBehalf || got.Sex != domain.SexMale || got.InsuranceCode != "HS4010120878811" {
		t.Errorf("1405 round trip gave %+v", got)
	}

	c := sampleCard()
	got, err = Parse(EncodeInsuranceCard(c, "Ấp 3"))
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.CardCode = "DN4797920123456" // spaces are not part of the code on the card
	want.ClinicName = ""              // not carried by the QR
	if !reflect.DeepEqual(got.Insurance, want) || got.Address != "Ấp 3" || got.ID != c.HolderID ||
		got.IssueDate != c.ValidFrom || got.InsuranceCode != want.CardCode {
		t.Errorf("insurance round trip:\n got %+v\nwant %+v", got, want)
	}

	// A new card carries only the social insurance number.
	c.CardCode, c.GroupCode, c.BenefitLevel, c.ProvinceCode = "", "", 0, ""
	got, err = Parse(EncodeInsuranceCard(c, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got.InsuranceCode != c.SocialNumber || got.Insurance.CardCode != "" {
		t.Errorf("new card round trip gave %+v", got)
	}
}

func TestEncodeUnknownSexIsRefused(t *testing.T) {
	p := samplePerson()
	p.Sex = domain.SexUnknown
	if _, err := Parse(EncodeChipCard(p, date(2021, 8, 15), false)); err == nil {
		t.Error("chip card with unknown sex parsed")
	}
	c := sampleCard()
	c.Sex = domain.SexUnknown
	if _, err := Parse(EncodeInsuranceCard(c, "")); err == nil {
		t.Error("insurance card with unknown sex parsed")
	}
}

func TestParseNeverCollapsesEmptyFields(t *testing.T) {
	// The same chip card with the empty old ID dropped must not be read as valid.
	in := "001203012345||Nguyễn Văn An|01012003|Nam|Hà Nội|15082021"
	if _, err := Parse(in); err != nil {
		t.Fatalf("valid card: %v", err)
	}
	if _, err := Parse(strings.Replace(in, "||", "|", 1)); err == nil {
		t.Error("card with a collapsed empty field parsed")
	}
}

// personOf rebuilds the person a chip card payload describes, for re-encoding.
func personOf(p Payload) domain.Person {
	return domain.Person{
		ID: p.ID, OldID: p.OldID, Name: vntext.SplitName(p.FullName), Sex: p.Sex,
		BirthDate: p.BirthDate, Permanent: domain.Address{Detail: p.Address},
	}
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.qr"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not *qr.Error", err)
			}
			return
		}
		switch p.Kind {
		case KindChipCard:
			again, err := Parse(EncodeChipCard(personOf(p), p.IssueDate, p.Extras != nil))
			if err != nil {
				t.Fatalf("re-encoded chip card does not parse: %v", err)
			}
			if p.Extras != nil {
				p.Extras = []string{"", "", "", ""} // the encoder writes the mid-2024 fields empty
			}
			if !reflect.DeepEqual(again, p) {
				t.Fatalf("chip card re-encoded differently:\n%+v\n%+v", p, again)
			}
		case KindPersonal1405:
			again, err := Parse(EncodePersonal1405(p.ID, p.FullName, p.BirthDate, p.OnBehalf, p.QID, p.Extras))
			if err != nil {
				t.Fatalf("re-encoded 1405 does not parse: %v", err)
			}
			if again.FullName != vntext.Fold(p.FullName) || again.ID != p.ID || again.BirthDate != p.BirthDate ||
				again.OnBehalf != p.OnBehalf || again.QID != p.QID || again.Sex != p.Sex ||
				again.InsuranceCode != p.InsuranceCode || !reflect.DeepEqual(again.Extras, p.Extras) {
				t.Fatalf("1405 re-encoded differently:\n%+v\n%+v", p, again)
			}
		case KindInsuranceCard:
			again, err := Parse(EncodeInsuranceCard(p.Insurance, p.Address))
			if err != nil {
				t.Fatalf("re-encoded insurance card does not parse: %v", err)
			}
			if !reflect.DeepEqual(again.Insurance, p.Insurance) || again.Address != p.Address {
				t.Fatalf("insurance card re-encoded differently:\n%+v\n%+v", p, again)
			}
		}
	})
}

func BenchmarkParseChipCard(b *testing.B) {
	in := fixture(b, "valid/chip_crlf.qr")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse1405(b *testing.B) {
	in := fixture(b, "valid/1405_basic.qr")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseInsuranceCard(b *testing.B) {
	in := fixture(b, "valid/insurance_old_code.qr")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseSizeLimit(t *testing.T) {
	id := "001203012345"
	atLimit := strings.Repeat(" ", MaxPayloadBytes-len(id)) + id
	if p, err := Parse(atLimit); err != nil || p.ID != id {
		t.Errorf("payload of exactly MaxPayloadBytes: %+v, %v", p, err)
	}
	if _, err := Parse(atLimit + " "); err == nil || err.(*Error).Reason != "payload too large" {
		t.Errorf("payload over MaxPayloadBytes: %v", err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindUnknown: "unknown", KindChipCard: "chip card", KindPersonal1405: "personal 1405",
		KindBareID: "bare id", KindInsuranceCard: "insurance card", Kind(99): "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
	if got := (&Error{Reason: "empty payload"}).Error(); got != "qr: empty payload" {
		t.Errorf("Error() = %q", got)
	}
}
