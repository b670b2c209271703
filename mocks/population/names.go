package population

import (
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// Quirk is a defect some records carry in the database's replies, the way
// records entered over two decades by many offices do. It is decided per
// person from the ID, so the same person always comes back the same way.
type Quirk int

const (
	QuirkNone           Quirk = iota
	QuirkDecomposedName       // name parts in decomposed Unicode (NFD), ~1% of people
	QuirkLookalikeD           // 'Đ' (U+0110) in the name typed as 'Ð' (U+00D0), ~0.5%
	QuirkPaddedAddress        // address detail lines with doubled and trailing spaces, ~1%
	QuirkYearOnlyBirth        // born before 1950 and only the year recorded, ~3% of those
)

// QuirkOf says which quirk, if any, the record and replies of the person with
// this 12-digit ID carry.
func QuirkOf(id string) Quirk {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	switch v := h.Sum64() % 1000; {
	case v < 10:
		return QuirkDecomposedName
	case v < 15:
		return QuirkLookalikeD
	case v < 25:
		return QuirkPaddedAddress
	case v < 55:
		if pid, err := domain.ParsePersonalID(id); err == nil && pid.BirthYear < 1950 {
			return QuirkYearOnlyBirth
		}
	}
	return QuirkNone
}

// stored is a citizen as the database holds them: the synthetic person, less
// what old paper registers never recorded.
func stored(p domain.Person) domain.Person {
	if QuirkOf(p.ID) == QuirkYearOnlyBirth {
		p.BirthDate = domain.Date{Year: p.BirthDate.Year}
	}
	return p
}

func decompose(s string) string { return norm.NFD.String(s) }

func lookalikeD(s string) string { return strings.ReplaceAll(s, "Đ", "Ð") }

// pad doubles the spaces of an address line and leaves one trailing, as
// fixed-width legacy forms did.
func pad(s string) string {
	if s == "" {
		return s
	}
	return strings.ReplaceAll(s, " ", "  ") + " "
}

// sameName compares names the way the database does: after Unicode
// normalisation, ignoring case, spacing and where in a syllable the tone mark
// sits ("Hòa" and "Hoà" are one name), but not ignoring a missing or
// different mark ("Hoa" is another name).
func sameName(a, b string) bool { return nameKey(a) == nameKey(b) }

// nameKey writes each syllable as its lower-case letters (vowel-quality marks
// kept) followed by its tone, so that tone placement no longer matters.
func nameKey(s string) string {
	var key strings.Builder
	for i, word := range strings.Fields(norm.NFD.String(s)) {
		if i > 0 {
			key.WriteByte(' ')
		}
		var letters strings.Builder
		var tones []rune
		for _, r := range word {
			switch r {
			case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323': // huyền, sắc, ngã, hỏi, nặng
				tones = append(tones, r)
			default:
				letters.WriteRune(unicode.ToLower(r))
			}
		}
		key.WriteString(norm.NFC.String(letters.String()))
		key.WriteByte('|')
		key.WriteString(string(tones))
	}
	return key.String()
}
