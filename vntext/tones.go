package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The five tone marks, as combining characters.
const (
	toneGrave = '\u0300' // huyền
	toneAcute = '\u0301' // sắc
	toneTilde = '\u0303' // ngã
	toneHook  = '\u0309' // hỏi
	toneDot   = '\u0323' // nặng
)

func isToneMark(r rune) bool {
	switch r {
	case toneGrave, toneAcute, toneTilde, toneHook, toneDot:
		return true
	}
	return false
}

// CanonicalTones returns Normalize(s) with tone marks in the classic placement
// (see the package doc): a word ending in the open syllable "oa", "oe" or "uy"
// carries its tone on the first of the two vowels — "Hoà" → "Hòa", "Thuỷ" →
// "Thủy", "Khoẻ" → "Khỏe" — while "Quý" and words with a final consonant are left
// alone. Case is preserved.
func CanonicalTones(s string) string {
	s = Normalize(s)
	if !strings.ContainsFunc(s, hasMovableTone) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			b.WriteString(classicWord(s[start:i]))
			start = -1
		}
		b.WriteRune(r)
	}
	if start >= 0 {
		b.WriteString(classicWord(s[start:]))
	}
	return b.String()
}

// hasMovableTone reports whether r is a, e or y carrying a tone and nothing
// else: only those can be the second vowel of a new-style oa, oe, uy.
func hasMovableTone(r rune) bool {
	switch unicode.ToLower(r) {
	case 'à', 'á', 'ả', 'ã', 'ạ', 'è', 'é', 'ẻ', 'ẽ', 'ẹ', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ':
		return true
	}
	return false
}

// cluster is one letter in NFD: its base and the combining marks after it.
type cluster struct {
	base  rune
	marks []rune
}

func isVowelBase(r rune) bool {
	switch unicode.ToLower(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// classicWord moves the tone of one NFC word from the second to the first vowel
// of a word-final "oa", "oe" or "uy", or returns the word unchanged.
func classicWord(w string) string {
	last, _ := utf8.DecodeLastRuneInString(w)
	if !hasMovableTone(last) {
		return w
	}
	var cs []cluster
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) && len(cs) > 0 {
			cs[len(cs)-1].marks = append(cs[len(cs)-1].marks, r)
			continue
		}
		cs = append(cs, cluster{base: r})
	}
	n := len(cs)
	if n < 2 {
		return w
	}
	c1, c2 := &cs[n-2], &cs[n-1]
	b1, b2 := unicode.ToLower(c1.base), unicode.ToLower(c2.base)
	if !(b1 == 'o' && (b2 == 'a' || b2 == 'e')) && !(b1 == 'u' && b2 == 'y') {
		return w
	}
	// The first vowel must be bare (no horn, no circumflex, no tone) and the
	// second must carry exactly one tone mark (not ă, â, ê).
	if len(c1.marks) != 0 || len(c2.marks) != 1 || !isToneMark(c2.marks[0]) {
		return w
	}
	if n >= 3 {
		prev := unicode.ToLower(cs[n-3].base)
		// "qu" is a consonant (Quý keeps its tone on y); a third vowel means
		// this is not the two-vowel syllable the rule is about.
		if prev == 'q' || isVowelBase(prev) {
			return w
		}
	}
	c1.marks, c2.marks = c2.marks, nil
	var b strings.Builder
	b.Grow(len(w) + 2)
	for _, c := range cs {
		b.WriteRune(c.base)
		for _, m := range c.marks {
			b.WriteRune(m)
		}
	}
	return norm.NFC.String(b.String())
}
