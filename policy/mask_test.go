package policy

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
)

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"001203012345", "001*******45"}, // 12-digit personal ID
		{"012345678", "012****78"},       // 9-digit CMND
		{"0123456789", "012*****89"},     // 10-digit social insurance number
		{"DN4010123456789", "DN4**********89"},
		{"C1234567", "******67"}, // 8-character passport: the last two only
		{"B12345", "****45"},
		{"12345", "*****"}, // too short to reveal anything
		{"1", "*"},
		{"", ""},
		{"ĐĐĐ1234567", "ĐĐĐ*****67"}, // runes, not bytes
		{"\xff\xfe\xfd123456", "\uFFFD\uFFFD\uFFFD****56"},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0912345678", "*******678"},
		{"+84912345678", "*********678"},
		{"+84 912 345 678", "************678"},
		{"091-234-5678", "*********678"},
		{"0912345", "****345"}, // 7 digits: the shortest that shows anything
		{"091234", "******"},
		{"678", "***"},
		{"", ""},
		{"abcdefghij", "**********"},
		{"０９１２３４５６７８", "**********"},      // full-width digits are not digits a phone system dials
		{"09123\xff45678", "********678"}, // an invalid byte is one hidden character
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskDate(t *testing.T) {
	tests := []struct{ in, want domain.Date }{
		{domain.Date{Year: 1985, Month: time.March, Day: 15}, domain.Date{Year: 1985}},
		{domain.Date{Year: 1990}, domain.Date{Year: 1990}},
		{domain.Date{}, domain.Date{}},
		{domain.Date{Month: time.March, Day: 15}, domain.Date{}},
	}
	for _, tt := range tests {
		if got := MaskDate(tt.in); got != tt.want {
			t.Errorf("MaskDate(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	in := domain.Address{Detail: "Số 12 ngõ 34 phố Đội Cấn", CommuneCode: "00038", CommuneName: "Phường Ba Đình", ProvinceCode: "01", ProvinceName: "Hà Nội"}
	want := domain.Address{CommuneCode: "00038", CommuneName: "Phường Ba Đình", ProvinceCode: "01", ProvinceName: "Hà Nội"}
	if got := MaskAddress(in); got != want {
		t.Errorf("MaskAddress = %+v, want %+v", got, want)
	}
	if got := MaskAddress(domain.Address{Detail: "x"}); got != (domain.Address{}) {
		t.Errorf("detail-only address kept %+v", got)
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct {
		in   domain.PersonName
		want string
	}{
		{domain.PersonName{Family: "Nguyễn", Middle: "Văn", Given: "An"}, "Nguyễn V. A."},
		{domain.PersonName{Family: "Trần", Middle: "Thị Ngọc", Given: "Đào"}, "Trần T. N. Đ."},
		{domain.PersonName{Family: "Lê", Given: "Hoa"}, "Lê H."},
		{domain.PersonName{Given: "Mai"}, "M."},
		{domain.PersonName{}, ""},
		{domain.PersonName{Family: "  Phạm ", Middle: " ", Given: " Ánh  "}, "Phạm Á."},
		{domain.PersonName{Family: "Bad\xff", Given: "\xffX"}, "Bad\uFFFD *."},
	}
	for _, tt := range tests {
		if got := MaskName(tt.in).Full(); got != tt.want {
			t.Errorf("MaskName(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskFullName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Thị Đào", "Nguyễn T. Đ."},
		{"NGUYEN VAN AN", "NGUYEN V. A."},
		{"Hồ  Minh\tTuấn ", "Hồ M. T."},
		{"Mai", "M."},
		{"", ""},
		{"   ", ""},
		{"\xff\xfe Long", "\uFFFD L."},
	}
	for _, tt := range tests {
		if got := MaskFullName(tt.in); got != tt.want {
			t.Errorf("MaskFullName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// revealed counts the positions where the masked output shows the input's
// own character.
func revealed(in, out string) (n int, sameLength bool) {
	ir, or := []rune(in), []rune(out)
	if len(ir) != len(or) {
		return 0, false
	}
	for i := range or {
		if or[i] != maskRune && or[i] != utf8.RuneError {
			if or[i] != ir[i] {
				return -1, true // a character that was never there
			}
			n++
		}
	}
	return n, true
}

func FuzzMaskID(f *testing.F) {
	for _, s := range []string{"001203012345", "012345678", "C1234567", "", "1", "ĐĐĐ1234567", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskID(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		n, same := revealed(s, out)
		if !same || n < 0 {
			t.Fatalf("MaskID(%q) = %q: not a masked copy", s, out)
		}
		limit := 5
		switch c := utf8.RuneCountInString(s); {
		case c < 6:
			limit = 0
		case c < 9:
			limit = 2
		}
		if n > limit {
			t.Fatalf("MaskID(%q) = %q reveals %d characters, at most %d", s, out, n, limit)
		}
	})
}

func FuzzMaskPhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84 912 345 678", "", "678", "\xff1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskPhone(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		n, same := revealed(s, out)
		if !same || n < 0 || n > 3 {
			t.Fatalf("MaskPhone(%q) = %q reveals %d characters", s, out, n)
		}
		if strings.Trim(out, "*0123456789") != "" {
			t.Fatalf("MaskPhone(%q) = %q shows something other than digits", s, out)
		}
	})
}

func FuzzMaskName(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn An", "Mai", "", "A B C D", "\xff x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskFullName(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		words := strings.Fields(s)
		got := strings.Fields(out)
		if len(got) != len(words) {
			t.Fatalf("MaskFullName(%q) = %q: %d words, want %d", s, out, len(got), len(words))
		}
		// Beyond the family name, each word shows one character and a stop.
		for i := 1; i < len(got); i++ {
			if utf8.RuneCountInString(got[i]) != 2 || !strings.HasSuffix(got[i], ".") {
				t.Fatalf("MaskFullName(%q) = %q: word %d is not an initial", s, out, i)
			}
		}
		if len(words) == 1 && utf8.RuneCountInString(out) != 2 {
			t.Fatalf("MaskFullName(%q) = %q: a single word must become an initial", s, out)
		}
		pn := MaskName(domain.PersonName{Family: s, Middle: s, Given: s})
		if !utf8.ValidString(pn.Full()) {
			t.Fatalf("MaskName: invalid UTF-8 out of %q", s)
		}
	})
}
