package vaccination

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// The platform checks an identity against the population database the way
// the registry compares names: Unicode-normalised, case-insensitive, tolerant
// of where a tone mark sits ("Hoà" = "Hòa", "Thuỷ" = "Thủy"), but a missing
// or different diacritic is a different name ("Nguyen" ≠ "Nguyễn"). This is
// the platform's own implementation, deliberately not the hub's vntext, so
// that the hub's normalisation is tested against an independent one.

// toneMarks are the five Vietnamese tone diacritics as combining marks after
// NFD. Vowel-quality marks (circumflex, breve, horn) are part of the letter.
var toneMarks = map[rune]bool{
	'\u0300': true, // huyền
	'\u0301': true, // sắc
	'\u0303': true, // ngã
	'\u0309': true, // hỏi
	'\u0323': true, // nặng
}

// nameKey maps a name to a key equal for names the registry deems equal.
func nameKey(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'Ð': // U+00D0 Icelandic eth, a look-alike typed for Đ
			return 'Đ'
		case 'ð':
			return 'đ'
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.ToLower(norm.NFC.String(s))
	var b strings.Builder
	for wi, word := range strings.Fields(s) {
		if wi > 0 {
			b.WriteByte(' ')
		}
		var tone rune
		var base []rune
		for _, r := range norm.NFD.String(word) {
			if toneMarks[r] {
				tone = r
				continue
			}
			base = append(base, r)
		}
		b.WriteString(norm.NFC.String(string(base)))
		if tone != 0 {
			b.WriteByte('#')
			b.WriteRune(tone)
		}
	}
	return b.String()
}

func sameName(a, b string) bool { return nameKey(a) == nameKey(b) }

// sameBirthDate compares dates; a year-only date on either side (the
// registry accepts those) compares by year.
func sameBirthDate(entered, registry domain.Date) bool {
	if entered.YearOnly() || registry.YearOnly() {
		return entered.Year == registry.Year
	}
	return entered == registry
}

// verifyIdentity compares an entered identity with the registry's person and
// returns the fields that differ, in canonical order.
func verifyIdentity(entered domain.RecordedIdentity, p domain.Person) []domain.IdentityField {
	var bad []domain.IdentityField
	if !sameName(entered.FullName, p.Name.Full()) {
		bad = append(bad, domain.FieldFullName)
	}
	if entered.Sex != p.Sex {
		bad = append(bad, domain.FieldSex)
	}
	if !sameBirthDate(entered.BirthDate, p.BirthDate) {
		bad = append(bad, domain.FieldBirthDate)
	}
	return bad
}
