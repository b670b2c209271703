package vntext

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Real Vietnamese name parts covering đ/Đ, ư, ơ, ă, â, ê, ô and all five tones,
// in both tone placements where they differ.
var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
		"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đoàn", "Trương", "Lương", "Tạ", "Mạc", "Ưng", "Hứa",
		"Kiều", "Lã", "Tôn Nữ", "Ksor", "Niê", "H'Hen"}
	middles = []string{"", "Văn", "Thị", "Hữu", "Đức", "Quốc", "Minh", "Ngọc", "Kim", "Diệu", "Thành",
		"Xuân", "Thuỳ", "Thùy", "Khánh", "Mỹ", "Bảo", "Gia", "Phương", "Trọng", "Tường", "Ánh", "Thị Ngọc"}
	givens = []string{"An", "Ân", "Anh", "Ánh", "Bình", "Cường", "Dũng", "Đạt", "Đào", "Hà", "Hải", "Hằng",
		"Hiếu", "Hòa", "Hoà", "Hóa", "Hoá", "Huệ", "Hùng", "Hương", "Khỏe", "Khoẻ", "Lợi", "Long", "Mừng",
		"Nga", "Ngà", "Ngã", "Ngân", "Nguyệt", "Nhung", "Oanh", "Phúc", "Quý", "Quỳnh", "Sơn", "Tâm", "Thảo",
		"Thủy", "Thuỷ", "Thúy", "Thuý", "Thụy", "Thuỵ", "Toàn", "Trâm", "Trinh", "Tuấn", "Tuyết", "Uyên",
		"Ước", "Vĩnh", "Vỹ", "Xoan", "Yến", "Ý", "Ỷ", "Đông", "Ưng", "Ơn", "Ửng", "Ỹ", "Ậu", "Ẩn", "Ễnh"}
)

// allNames pairs every family name and every middle name with every given
// name (the other part cycling), a few thousand names in all.
func allNames() []string {
	var out []string
	join := func(parts ...string) string { return strings.Join(strings.Fields(strings.Join(parts, " ")), " ") }
	for i, g := range givens {
		for j, f := range families {
			out = append(out, join(f, middles[(i+j)%len(middles)], g))
		}
		for j, m := range middles {
			out = append(out, join(families[(i+j)%len(families)], m, g))
		}
	}
	return out
}

// TestNormalizeKeepsCorrectNames is the guard against "repairs" of text that
// was right: every real name, in title, upper and lower case, composed or
// decomposed, with no-break spaces, normalises to itself.
func TestNormalizeKeepsCorrectNames(t *testing.T) {
	names := allNames()
	if len(names) < 3000 {
		t.Fatalf("only %d names", len(names))
	}
	for _, n := range names {
		for _, v := range []string{n, strings.ToUpper(n), strings.ToLower(n)} {
			if got := Normalize(v); got != v {
				t.Fatalf("Normalize(%q) = %q", v, got)
			}
			if got := Normalize(norm.NFD.String(v)); got != v {
				t.Fatalf("Normalize(NFD %q) = %q", v, got)
			}
			if got := Normalize(strings.ReplaceAll(v, " ", "\u00a0")); got != v {
				t.Fatalf("Normalize(NBSP %q) = %q", v, got)
			}
			if !SameName(v, n) {
				t.Fatalf("SameName(%q, %q) = false", v, n)
			}
		}
	}
}

// TestNormalizeRepairsMojibakeNames mangles every name through CP1252 (once
// and twice) and expects the original back. A name whose only non-ASCII
// letter is a lower-case "à" after an upper-case start without other lower-case
// letters cannot be told from correct upper-case text; none is in the list.
func TestNormalizeRepairsMojibakeNames(t *testing.T) {
	for _, n := range allNames() {
		for _, v := range []string{n, strings.ToUpper(n), strings.ToLower(n)} {
			if got := Normalize(mangle(v)); got != v {
				t.Fatalf("Normalize(mangle(%q)) = %q", v, got)
			}
			if got := Normalize(mangle(mangle(v))); got != v {
				t.Fatalf("Normalize(mangle²(%q)) = %q", v, got)
			}
		}
	}
}

func TestFoldNamesAreASCII(t *testing.T) {
	for _, n := range allNames() {
		f := Fold(n)
		for i := 0; i < len(f); i++ {
			c := f[i]
			if c >= 0x80 || (c >= 'a' && c <= 'z') {
				t.Fatalf("Fold(%q) = %q: not ASCII capitals", n, f)
			}
		}
		if f != Fold(strings.ToLower(norm.NFD.String(n))) {
			t.Fatalf("Fold differs by case or form for %q", n)
		}
	}
}

func TestSameNameAcrossTonePlacements(t *testing.T) {
	pairs := [][2]string{
		{"Lê Thị Hòa", "Lê Thị Hoà"}, {"Phạm Thị Thủy", "Phạm Thị Thuỷ"}, {"Trần Văn Khỏe", "TRẦN VĂN KHOẺ"},
		{"Nguyễn Thị Thúy", "nguyễn thị thuý"}, {"Đỗ Văn Hóa", "ĐỖ VĂN HOÁ"}, {"Vũ Thị Thùy Dung", "Vũ Thị Thuỳ Dung"},
		{"Bùi Thụy", "Bùi Thuỵ"}, {"Lý Ngọc Tòa", "Lý Ngọc Toà"}, {"Đặng Xòe", "Đặng Xoè"},
	}
	for _, p := range pairs {
		if !SameName(p[0], p[1]) {
			t.Errorf("SameName(%q, %q) = false", p[0], p[1])
		}
		if SameName(p[0], Fold(p[1])) {
			t.Errorf("SameName(%q, folded) = true", p[0])
		}
	}
	// Different tones are different names even where placement differs.
	if SameName("Hòa", "Hóa") || SameName("Thủy", "Thúy") || SameName("Quý", "Quỳ") {
		t.Error("different tones compared equal")
	}
}
