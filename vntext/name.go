package vntext

import (
	"strings"
	"unicode"

	"github.com/vn-epidemic/hub/domain"
)

// SameName reports whether a and b name the same person as written: equal after
// Normalize and CanonicalTones, ignoring case (Vietnamese letters fold like any
// other Unicode letter). Diacritics are significant: "Nguyen Van An" is not
// "Nguyễn Văn An", because the population database compares them as written.
// An empty name is never the same as anything.
func SameName(a, b string) bool {
	a, b = CanonicalTones(a), CanonicalTones(b)
	if a == "" || b == "" {
		return false
	}
	return strings.EqualFold(a, b)
}

// TitleCase returns Normalize(s) with the first letter of every word upper-case
// and the rest lower-case: "NGUYỄN VĂN AN" → "Nguyễn Văn An". A word starts
// after a space, hyphen or apostrophe, so "H'HEN NIÊ" → "H'Hen Niê".
func TitleCase(s string) string {
	s = Normalize(s)
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '(' || r == '.':
			start = true
		case unicode.Is(unicode.Mn, r):
			// a stray combining mark belongs to the letter before it
		case unicode.IsLetter(r):
			if start {
				r = unicode.ToTitle(r)
			} else {
				r = unicode.ToLower(r)
			}
			start = false
		default:
			start = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SplitName splits a full name the way the population database does (Họ, Chữ
// đệm, Tên): the first word is the family name, the last the given name, and
// anything between is the middle name. A one-word name is a given name only.
func SplitName(full string) domain.PersonName {
	words := strings.Fields(Normalize(full))
	switch len(words) {
	case 0:
		return domain.PersonName{}
	case 1:
		return domain.PersonName{Given: words[0]}
	}
	return domain.PersonName{
		Family: words[0],
		Middle: strings.Join(words[1:len(words)-1], " "),
		Given:  words[len(words)-1],
	}
}

// ParseSexWord reads the Vietnamese sex words printed on ID cards: "Nam" (male)
// and "Nữ" (female) in any case, composed or decomposed, plus the forms that
// upper-case ASCII payloads and lossy keyboards produce ("NU", "Nu", "Nư").
func ParseSexWord(s string) (domain.Sex, error) {
	n := Normalize(s)
	switch {
	case n == "":
		return domain.SexUnknown, &Error{Field: "sex", Reason: "empty"}
	case strings.EqualFold(n, "nam"):
		return domain.SexMale, nil
	case strings.EqualFold(n, "nữ"), strings.EqualFold(n, "nu"), strings.EqualFold(n, "nư"):
		return domain.SexFemale, nil
	}
	return domain.SexUnknown, &Error{Field: "sex", Reason: "want Nam or Nữ"}
}
