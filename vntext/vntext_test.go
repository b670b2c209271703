package vntext

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// mangle renders s the way a legacy export shows UTF-8 decoded as CP1252, with
// Latin-1 C1 controls for the bytes CP1252 leaves undefined.
func mangle(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii clean", "Nguyen Van An", "Nguyen Van An"},
		{"trim and collapse", "  Nguyễn   Văn\tAn \r\n", "Nguyễn Văn An"},
		{"NUL removed", "Nguy\x00ễn", "Nguyễn"},
		{"NBSP is space", "Lê\u00a0Thị  Hà", "Lê Thị Hà"},
		{"zero width removed", "Ng\u200buyễn\ufeff", "Nguyễn"},
		{"NFD composed", norm.NFD.String("Nguyễn Thị Hoà"), "Nguyễn Thị Hoà"},
		{"eth upper", "ÐẶNG VĂN ÐÔ", "ĐẶNG VĂN ĐÔ"},
		{"eth lower", "Trần Văn ðức", "Trần Văn đức"},
		{"mojibake name", "Nguyá»…n VÄƒn An", "Nguyễn Văn An"},
		{"mojibake d", "Ä‘Æ°á»\u009dng", "đường"},
		{"mojibake a grave nbsp", "LÃª Thá»‹ HÃ\u00a0", "Lê Thị Hà"},
		{"mojibake single a grave with lowercase", "Phan HÃ\u00a0", "Phan Hà"},
		{"upper XÃ nbsp kept", "XÃ\u00a0BẢO AN", "XÃ BẢO AN"},
		{"upper LÊ quote kept", "“LÊ”", "“LÊ”"},
		{"ellipsis after letters kept", "LÊ… GÌ… NGÃ… Ô\u00a0", "LÊ… GÌ… NGÃ… Ô"},
		{"double mojibake upper", mangle(mangle("TRẦN PHƯƠNG")), "TRẦN PHƯƠNG"},
		{"double mojibake", mangle(mangle("Nguyễn")), "Nguyễn"},
		{"mojibake address", mangle("Số 1, Phường Ba Đình, Hà Nội"), "Số 1, Phường Ba Đình, Hà Nội"},
		{"mojibake en dash", mangle("Hà Nội – Việt Nam"), "Hà Nội – Việt Nam"},
		{"invalid utf8", "Nguy\xffn", "Nguy\ufffdn"},
		{"only spaces", " \t\r\n ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Thị Đào", "NGUYEN THI DAO"},
		{"đặng  văn ðức", "DANG VAN DUC"},
		{norm.NFD.String("Trương Ngọc Ánh"), "TRUONG NGOC ANH"},
		{"Nguyen Van An", "NGUYEN VAN AN"},
		{"Nguyá»…n", "NGUYEN"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalTones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hòa", "Hòa"}, {"Hoà", "Hòa"},
		{"Thủy", "Thủy"}, {"Thuỷ", "Thủy"},
		{"Khỏe", "Khỏe"}, {"Khoẻ", "Khỏe"},
		{"Thúy", "Thúy"}, {"Thuý", "Thúy"},
		{"Hóa", "Hóa"}, {"Hoá", "Hóa"},
		{"Quý", "Quý"}, {"QUÝ", "QUÝ"}, {"Quỳnh", "Quỳnh"},
		{"HOÀ", "HÒA"}, {"THUỶ", "THỦY"}, {"hoÀ", "hòA"},
		{"Hoàng", "Hoàng"}, {"Huỳnh", "Huỳnh"}, {"Khoán", "Khoán"},
		{"Thuyền", "Thuyền"}, {"Xoài", "Xoài"}, {"Khuấy", "Khuấy"},
		{"Uỷ ban", "Ủy ban"}, {"Nguyễn Thị Thanh Thuỵ", "Nguyễn Thị Thanh Thụy"},
		{norm.NFD.String("Lê Hoà"), "Lê Hòa"},
		{"Toà, Hoè.", "Tòa, Hòe."},
	}
	for _, tt := range tests {
		if got := CanonicalTones(tt.in); got != tt.want {
			t.Errorf("CanonicalTones(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Nguyễn Văn An", "Nguyễn Văn An", true},
		{"Nguyễn Văn An", "NGUYỄN VĂN AN", true},
		{"Nguyễn Văn An", " nguyễn  văn an\r\n", true},
		{"Nguyễn Văn An", norm.NFD.String("Nguyễn Văn An"), true},
		{"Lê Thị Hòa", "LÊ THỊ HOÀ", true},
		{"Phạm Thị Thủy", "Phạm Thị Thuỷ", true},
		{"Đặng Văn Đức", "ÐẶNG VĂN ÐỨC", true},
		{"Nguyễn Văn An", "Nguyá»…n VÄƒn An", true},
		{"Nguyen Van An", "Nguyễn Văn An", false},
		{"Nguyễn Văn An", "Nguyễn Văn Ân", false},
		{"Lê Thị Hoa", "Lê Thị Hòa", false},
		{"Dang Van Duc", "Đặng Văn Đức", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := SameName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTitleCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NGUYỄN VĂN AN", "Nguyễn Văn An"},
		{"đặng thị ánh", "Đặng Thị Ánh"},
		{"H'HEN NIÊ", "H'Hen Niê"},
		{"  trần   QUỐC-BẢO ", "Trần Quốc-Bảo"},
		{"ÐỖ", "Đỗ"},
	}
	for _, tt := range tests {
		if got := TitleCase(tt.in); got != tt.want {
			t.Errorf("TitleCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		in   string
		want domain.PersonName
	}{
		{"Nguyễn Văn An", domain.PersonName{Family: "Nguyễn", Middle: "Văn", Given: "An"}},
		{"Tôn Nữ Thị Ngọc Hân", domain.PersonName{Family: "Tôn", Middle: "Nữ Thị Ngọc", Given: "Hân"}},
		{"Lê Hà", domain.PersonName{Family: "Lê", Given: "Hà"}},
		{"  Bình ", domain.PersonName{Given: "Bình"}},
		{"", domain.PersonName{}},
	}
	for _, tt := range tests {
		if got := SplitName(tt.in); got != tt.want {
			t.Errorf("SplitName(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseSexWord(t *testing.T) {
	tests := []struct {
		in     string
		want   domain.Sex
		reason string
	}{
		{"Nam", domain.SexMale, ""},
		{"NAM", domain.SexMale, ""},
		{" nam\r\n", domain.SexMale, ""},
		{"Nữ", domain.SexFemale, ""},
		{"NỮ", domain.SexFemale, ""},
		{"nữ", domain.SexFemale, ""},
		{norm.NFD.String("Nữ"), domain.SexFemale, ""},
		{"Nu", domain.SexFemale, ""},
		{"NU", domain.SexFemale, ""},
		{"Nư", domain.SexFemale, ""},
		{"Ná»¯", domain.SexFemale, ""},
		{"Male", domain.SexUnknown, "want Nam or Nữ"},
		{"Nũ", domain.SexUnknown, "want Nam or Nữ"},
		{"1", domain.SexUnknown, "want Nam or Nữ"},
		{"", domain.SexUnknown, "empty"},
	}
	for _, tt := range tests {
		got, err := ParseSexWord(tt.in)
		if got != tt.want {
			t.Errorf("ParseSexWord(%q) = %v, want %v", tt.in, got, tt.want)
		}
		checkErr(t, err, "sex", tt.reason, tt.in)
	}
}

func checkErr(t *testing.T, err error, field, reason, input string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Errorf("input %q: unexpected error %v", input, err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("input %q: error %v is not *vntext.Error", input, err)
	}
	if e.Field != field || e.Reason != reason {
		t.Errorf("input %q: error %+v, want field %q reason %q", input, e, field, reason)
	}
	if s := strings.TrimSpace(input); len(s) > 1 && strings.Contains(err.Error(), s) {
		t.Errorf("error %q echoes the input", err)
	}
}

func TestParseDMY(t *testing.T) {
	d := func(y int, m time.Month, day int) domain.Date { return domain.Date{Year: y, Month: m, Day: day} }
	tests := []struct {
		in     string
		want   domain.Date
		reason string
	}{
		{"01/01/2003", d(2003, 1, 1), ""},
		{"15-08-2021", d(2021, 8, 15), ""},
		{"29.02.2000", d(2000, 2, 29), ""},
		{"15082021", d(2021, 8, 15), ""},
		{"1/2/1990", d(1990, 2, 1), ""},
		{" 31/12/1999 ", d(1999, 12, 31), ""},
		{"1975", domain.Date{Year: 1975}, ""},
		{"29/02/2001", domain.Date{}, "not a calendar date"},
		{"31042021", domain.Date{}, "not a calendar date"},
		{"00/01/2000", domain.Date{}, "not a calendar date"},
		{"01/13/2000", domain.Date{}, "not a calendar date"},
		{"01/01/1700", domain.Date{}, "year out of range"},
		{"0000", domain.Date{}, "year out of range"},
		{"2003-01-01", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"01/01-2003", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"1/1/03", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"+1/01/2003", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"abcd", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"0101200", domain.Date{}, "want dd/MM/yyyy, ddMMyyyy or yyyy"},
		{"", domain.Date{}, "empty"},
	}
	for _, tt := range tests {
		got, err := ParseDMY(tt.in)
		if got != tt.want {
			t.Errorf("ParseDMY(%q) = %v, want %v", tt.in, got, tt.want)
		}
		checkErr(t, err, "date", tt.reason, tt.in)
	}
}

func TestFormatDMY(t *testing.T) {
	tests := []struct {
		d        domain.Date
		sep      string
		want     string
		roundtip bool
	}{
		{domain.Date{Year: 2003, Month: 1, Day: 1}, "", "01012003", true},
		{domain.Date{Year: 2021, Month: 8, Day: 15}, "/", "15/08/2021", true},
		{domain.Date{Year: 2021, Month: 8, Day: 15}, "-", "15-08-2021", true},
		{domain.Date{Year: 1975}, "/", "1975", true},
		{domain.Date{}, "/", "", false},
	}
	for _, tt := range tests {
		got := FormatDMY(tt.d, tt.sep)
		if got != tt.want {
			t.Errorf("FormatDMY(%v, %q) = %q, want %q", tt.d, tt.sep, got, tt.want)
		}
		if tt.roundtip {
			if back, err := ParseDMY(got); err != nil || back != tt.d {
				t.Errorf("ParseDMY(FormatDMY(%v)) = %v, %v", tt.d, back, err)
			}
		}
	}
}
