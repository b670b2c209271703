package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxNormalizeRounds bounds the fixpoint loop in Normalize. Every round that
// changes its input shortens it (a repaired mojibake sequence, a dropped
// control, a collapsed space, an NFC composition) or maps Ð once, so real input
// settles in one or two rounds; the bound only guards against the unforeseen.
const maxNormalizeRounds = 32

// Normalize returns s as the hub stores text: valid UTF-8, mojibake repaired,
// control and format characters removed (CR, LF, TAB and other white space
// become one space), runs of white space collapsed, trimmed, the look-alike
// Ð/ð (U+00D0/U+00F0) mapped to Đ/đ, and composed to NFC. It is idempotent:
// Normalize(Normalize(x)) == Normalize(x). Invalid UTF-8 bytes become U+FFFD.
// Already-clean input is returned as is, without copying.
func Normalize(s string) string {
	for range maxNormalizeRounds {
		if isNormal(s) {
			return s
		}
		t := normalizeOnce(s)
		if t == s {
			return s
		}
		s = t
	}
	return s
}

// isNormal reports whether normalizeOnce would return s unchanged; it is the
// allocation-free fast path for text that is already clean.
func isNormal(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	ascii, prevSpace, prevLead := true, false, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c == ' ' {
				if prevSpace {
					return false
				}
				prevSpace = true
			} else {
				prevSpace = false
			}
			prevLead = false
			i++
			continue
		}
		ascii, prevSpace = false, false
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
		if r == 'Ð' || r == 'ð' || (r >= 0x80 && r <= 0x9f) {
			return false
		}
		if prevLead && isContinuationLike(r) {
			return false // a possible mojibake sequence: let the slow path judge it
		}
		prevLead = isLeadLike(r)
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return false
		}
	}
	return ascii || norm.NFC.IsNormalString(s)
}

// normalizeOnce runs every normalisation step once, in an order where no step
// undoes an earlier one: mojibake first (it needs the C1 controls that
// CP1252-undefined bytes turn into), then controls and spaces, then NFC.
func normalizeOnce(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = repairMojibake(s)
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		switch r {
		case 'Ð':
			r = 'Đ'
		case 'ð':
			r = 'đ'
		}
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
