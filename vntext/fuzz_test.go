package vntext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func normalizeSeeds(f *testing.F) {
	for _, s := range []string{"", "Nguyễn Văn An", "  NGUYỄN\tTHỊ\r\nHOA ", norm.NFD.String("Phạm Thị Thuỷ"),
		"Nguyá»…n", mangle(mangle("Đặng Văn Đức")), "ÐẶNG", "XÃ\u00a0BẢO", "“LÊ”", "Phan HÃ\u00a0", "a\x00b\u200bc",
		"Ã\x00©", "A\u0303©", "\xff\xfe", "HoÀ ThuỶ KhoẺ", "Quý"} {
		f.Add(s)
	}
}

func FuzzNormalize(f *testing.F) {
	normalizeSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if !norm.NFC.IsNormalString(n) {
			t.Fatalf("Normalize(%q) = %q: not NFC", s, n)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, n2)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: untrimmed or uncollapsed", s, n)
		}
		for _, r := range n {
			if r != ' ' && (unicode.IsSpace(r) || unicode.IsControl(r) || r == 'Ð' || r == 'ð') {
				t.Fatalf("Normalize(%q) = %q: kept %U", s, n, r)
			}
		}
	})
}

func FuzzCanonicalTones(f *testing.F) {
	normalizeSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		c := CanonicalTones(s)
		if c2 := CanonicalTones(c); c2 != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, c2)
		}
		if Fold(c) != Fold(s) {
			t.Fatalf("moving tones changed letters: %q -> %q", s, c)
		}
		if c != "" && !SameName(s, c) {
			t.Fatalf("SameName(%q, CanonicalTones) = false", s)
		}
	})
}

func FuzzFold(f *testing.F) {
	normalizeSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		fs := Fold(s)
		if Fold(fs) != fs {
			t.Fatalf("Fold not idempotent: %q -> %q -> %q", s, fs, Fold(fs))
		}
		if !utf8.ValidString(fs) {
			t.Fatalf("Fold(%q) invalid UTF-8", s)
		}
	})
}

func FuzzParseDMY(f *testing.F) {
	for _, s := range []string{"01/01/2003", "15082021", "1975", "29.02.2000", "1/2/1990", "31-04-2021", "2003-01-01", "", "99999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDMY(s)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Field != "date" {
				t.Fatalf("ParseDMY(%q): error %v is not a date *Error", s, err)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseDMY(%q) = %v: invalid date accepted", s, d)
		}
		for _, sep := range []string{"", "/", "-", "."} {
			if back, err := ParseDMY(FormatDMY(d, sep)); err != nil || back != d {
				t.Fatalf("ParseDMY(FormatDMY(%v, %q)) = %v, %v", d, sep, back, err)
			}
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"clean", "Nguyễn Thị Thanh Hương"},
		{"ascii", "NGUYEN THI THANH HUONG"},
		{"dirty", "  nguyễn\tthị\r\n" + norm.NFD.String("Thanh Hương") + " "},
		{"mojibake", mangle("Nguyễn Thị Thanh Hương")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Normalize(bc.in)
			}
		})
	}
}

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Fold("Nguyễn Thị Thanh Hương")
	}
}

func BenchmarkSameName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		SameName("Phạm Thị Thủy", "PHẠM THỊ THUỶ")
	}
}
