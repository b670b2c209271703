package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Mojibake here is UTF-8 text that some legacy export decoded as CP1252 (or
// Latin-1, which is how CP1252's five undefined bytes 0x81, 0x8D, 0x8F, 0x90,
// 0x9D usually survive, as C1 controls), e.g. "Nguyễn" shown as "Nguyá»…n".
//
// Repair works on runs of characters that map back to single bytes in
// CP1252/Latin-1: it re-encodes each run and decodes every valid multi-byte
// UTF-8 sequence found in it, keeping the original characters elsewhere (so a
// run with a lost byte is repaired as far as it goes). Passes repeat for text
// that was mangled twice. A repaired candidate replaces the original only when
// it scores strictly better: Vietnamese letters count for, while stray CP1252
// symbols, C1 controls, letters foreign to Vietnamese and lead/continuation
// pairs (see mojibakeScore) count against. That
// keeps correct text intact, e.g. an upper-case "LÊ”" (Ê followed by a curly
// quote is valid UTF-8 for "ʔ") or "XÃ" followed by a no-break space.

// latinByte maps r to the byte CP1252 (or, for the C1 range, Latin-1) would
// have decoded to r.
func latinByte(r rune) (byte, bool) {
	if r < utf8.RuneSelf {
		return 0, false
	}
	if r <= 0xff {
		return byte(r), true
	}
	return charmap.Windows1252.EncodeRune(r)
}

// isLeadLike reports whether r is the CP1252/Latin-1 reading of a UTF-8 lead byte.
func isLeadLike(r rune) bool { return r >= 0xc2 && r <= 0xf4 }

// isContinuationLike reports whether r is the CP1252/Latin-1 reading of a UTF-8
// continuation byte (0x80–0xBF).
func isContinuationLike(r rune) bool {
	if r >= 0x80 && r <= 0xbf {
		return true
	}
	if r <= 0xff {
		return false
	}
	b, ok := charmap.Windows1252.EncodeRune(r)
	return ok && b >= 0x80 && b <= 0xbf
}

// hasMojibakeCandidate reports whether s holds a lead-like character followed
// by a continuation-like one, without which nothing can be repaired.
func hasMojibakeCandidate(s string) bool {
	prevLead := false
	for _, r := range s {
		if prevLead && isContinuationLike(r) {
			return true
		}
		prevLead = isLeadLike(r)
	}
	return false
}

func repairMojibake(s string) string {
	if !hasMojibakeCandidate(s) {
		return s
	}
	// An "à" mangled through CP1252 is "Ã" + no-break space, which is also what
	// an upper-case "XÃ" followed by a no-break space looks like. Lower-case
	// letters elsewhere tip the balance: correct upper-case text has none.
	hasLower := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			hasLower = true
			break
		}
	}
	best, bestScore := s, mojibakeScore(s)
	cur, bonus := s, 0
	for {
		next, weak, changed := decodePass(cur)
		if !changed {
			break
		}
		if hasLower {
			bonus += weak
		}
		if sc := mojibakeScore(next) + bonus; sc > bestScore {
			best, bestScore = next, sc
		}
		cur = next
	}
	return best
}

// decodePass re-encodes every run of CP1252/Latin-1 characters and decodes the
// valid multi-byte UTF-8 sequences in it. weak counts the "Ã"+NBSP → "à" decodes.
func decodePass(s string) (out string, weak int, changed bool) {
	var buf []byte // output, allocated on the first change
	var run []byte // the current run re-encoded
	var offs []int // offs[k] is the offset in s of the character that became run[k]
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		b, ok := latinByte(r)
		if !ok {
			if buf != nil {
				buf = append(buf, s[i:i+size]...)
			}
			i += size
			continue
		}
		run, offs = run[:0], offs[:0]
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if b, ok = latinByte(r); !ok {
				break
			}
			run = append(run, b)
			offs = append(offs, i)
			i += size
		}
		offs = append(offs, i)
		for k := 0; k < len(run); {
			if run[k] >= 0xc2 {
				if dr, n := utf8.DecodeRune(run[k:]); dr != utf8.RuneError && n > 1 {
					if buf == nil {
						buf = make([]byte, 0, len(s))
						buf = append(buf, s[:offs[k]]...)
					}
					if dr == 'à' && run[k+1] == 0xa0 {
						weak++
					}
					buf = utf8.AppendRune(buf, dr)
					k += n
					continue
				}
			}
			if buf != nil {
				buf = append(buf, s[offs[k]:offs[k+1]]...)
			}
			k++
		}
	}
	if buf == nil {
		return s, 0, false
	}
	return string(buf), weak, true
}

// mojibakeScore rates how much s looks like Vietnamese rather than mojibake.
// The strongest sign of mojibake is a lead-like character followed by a
// continuation-like one (except the ambiguous no-break space, see
// repairMojibake); letters and marks foreign to Vietnamese weigh as much,
// since a wrong "repair" of correct text produces them.
func mojibakeScore(s string) int {
	sc := 0
	prevLead := false
	for _, r := range s {
		if prevLead && r != 0xa0 && isContinuationLike(r) {
			sc -= 3
		}
		prevLead = isLeadLike(r)
		switch {
		case r < utf8.RuneSelf, r == 0xa0, r >= 0x2010 && r <= 0x2027:
			// ASCII, no-break space and general punctuation are neutral.
		case isVietnameseRune(r):
			sc++
		case r <= 0x9f, r == '€':
			sc -= 2
		case unicode.IsLetter(r), unicode.IsMark(r):
			sc -= 3
		default:
			sc--
		}
	}
	return sc
}

// isVietnameseRune reports whether r is a letter with Vietnamese diacritics
// (precomposed, either case) or one of the combining marks Vietnamese uses.
func isVietnameseRune(r rune) bool {
	switch {
	case r >= 0x1ea0 && r <= 0x1ef9:
		return true
	case r >= 0xc0 && r <= 0xfd:
		switch r | 0x20 {
		case 'à', 'á', 'â', 'ã', 'è', 'é', 'ê', 'ì', 'í', 'ò', 'ó', 'ô', 'õ', 'ù', 'ú', 'ý':
			return true
		}
		return false
	}
	switch r {
	case 'Ă', 'ă', 'Đ', 'đ', 'Ĩ', 'ĩ', 'Ũ', 'ũ', 'Ơ', 'ơ', 'Ư', 'ư',
		0x300, 0x301, 0x302, 0x303, 0x306, 0x309, 0x31b, 0x323:
		return true
	}
	return false
}
