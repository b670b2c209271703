package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
)

// The masks turn a value into what a Mask decision may show. They are pure,
// never panic, and on odd input (short, empty, non-ASCII, invalid UTF-8)
// reveal less, never more. Hidden characters become '*', one per character,
// so a front end can lay the value out as usual. Invalid UTF-8 bytes count as
// one character each and never come back out.

const maskRune = '*'

// MaskID hides an identifier number: the 12-digit personal ID, the 9-digit
// CMND, the 10-digit social insurance number, the 15-character insurance
// card code, a passport number. It keeps the first 3 and last 2 characters
// of values of 9 characters or more ("001203012345" -> "001*******45",
// "012345678" -> "012****78"); of 6 to 8 characters only the last 2; of
// fewer than 6 nothing, since a short value would be nearly all revealed.
func MaskID(s string) string {
	n := utf8.RuneCountInString(s)
	head, tail := 0, 0
	switch {
	case n >= 9:
		head, tail = 3, 2
	case n >= 6:
		tail = 2
	}
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for _, r := range s {
		if i < head || i >= n-tail {
			b.WriteRune(r) // invalid bytes were decoded as U+FFFD
		} else {
			b.WriteRune(maskRune)
		}
		i++
	}
	return b.String()
}

// MaskPhone keeps the last 3 digits of a phone number ("0912345678" ->
// "*******678", "+84 912 345 678" -> "************678"). Every other
// character, separators included, is hidden. A value with fewer than 7
// digits is not a phone number anyone can be reached at, and 3 of its few
// digits would say too much: it is hidden entirely.
func MaskPhone(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	keepFrom := digits - 3 // digits with an index at or after this are kept
	if digits < 7 {
		keepFrom = digits + 1
	}
	var b strings.Builder
	b.Grow(len(s))
	d := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if d >= keepFrom {
				b.WriteRune(r)
			} else {
				b.WriteRune(maskRune)
			}
			d++
			continue
		}
		b.WriteRune(maskRune)
	}
	return b.String()
}

// MaskDate keeps the year only: a masked date of birth says the age band,
// not the birthday.
func MaskDate(d domain.Date) domain.Date { return domain.Date{Year: d.Year} }

// MaskAddress keeps the commune and province and drops the detail line
// (house, street, village).
func MaskAddress(a domain.Address) domain.Address {
	return domain.Address{
		CommuneCode:  a.CommuneCode,
		CommuneName:  a.CommuneName,
		ProvinceCode: a.ProvinceCode,
		ProvinceName: a.ProvinceName,
	}
}

// MaskName keeps the family name and reduces the middle and given names to
// initials: Nguyễn Văn An -> Nguyễn V. A. This is how Vietnamese notices
// name people in public; with the sex and birth year it lets an official
// confirm that a record is the person in front of them without reading the
// whole identity. A name with no family part keeps initials only.
func MaskName(n domain.PersonName) domain.PersonName {
	return domain.PersonName{
		Family: sanitize(strings.Join(strings.Fields(n.Family), " ")),
		Middle: initials(n.Middle),
		Given:  initials(n.Given),
	}
}

// MaskFullName masks a name written as one string in Vietnamese order
// (family, middle, given), as declarations and QR codes carry it: the first
// word is kept and the rest become initials ("Nguyễn Thị Đào" -> "Nguyễn T.
// Đ."). A one-word name becomes its initial. Names written in another order
// (foreigners' "JOHN SMITH") keep their first word all the same.
func MaskFullName(s string) string {
	words := strings.Fields(s)
	switch len(words) {
	case 0:
		return ""
	case 1:
		return initials(words[0])
	}
	return sanitize(words[0]) + " " + initials(strings.Join(words[1:], " "))
}

// initials turns each word into its first letter and a full stop.
func initials(s string) string {
	words := strings.Fields(s)
	var b strings.Builder
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			r = maskRune
		}
		b.WriteRune(r)
		b.WriteByte('.')
	}
	return b.String()
}

// sanitize replaces invalid UTF-8 so that masked output is always valid text.
func sanitize(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, string(utf8.RuneError))
}
