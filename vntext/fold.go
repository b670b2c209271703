package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns Normalize(s) with every diacritic removed and letters upper-cased,
// the form used to compare against ASCII-only sources such as the Decision 1405
// QR: "Nguyễn Thị Đào" → "NGUYEN THI DAO". đ and Đ become D explicitly, since
// Unicode does not decompose them.
func Fold(s string) string {
	s = Normalize(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s)
	}
	b := make([]byte, 0, len(s))
	pending := false // a space waits until something follows it: dropped marks can leave one at the end
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= utf8.RuneSelf {
			// The first rune of a canonical decomposition is the base letter.
			if d := norm.NFD.PropertiesString(s[i:]).Decomposition(); d != nil {
				r, _ = utf8.DecodeRune(d)
			}
		}
		i += size
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'D'
		case unicode.Is(unicode.Mn, r):
			continue
		case r == ' ':
			pending = len(b) > 0
			continue
		}
		if pending {
			b = append(b, ' ')
			pending = false
		}
		b = utf8.AppendRune(b, unicode.ToUpper(r))
	}
	return string(b)
}
