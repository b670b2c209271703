package domain

import (
	"fmt"
	"strconv"
)

// IDKind says which identity document a number is.
type IDKind int

const (
	IDUnknown  IDKind = iota
	IDPersonal        // 12-digit personal identification number (số định danh cá nhân, on the CCCD)
	IDOld             // 9-digit legacy identity card number (CMND)
	IDPassport        // passport number of a foreigner
)

func (k IDKind) String() string {
	switch k {
	case IDPersonal:
		return "personal"
	case IDOld:
		return "old"
	case IDPassport:
		return "passport"
	}
	return "unknown"
}

// ClassifyID says what kind of identity number s is, without normalising it:
// callers trim and validate input first.
func ClassifyID(s string) IDKind {
	switch {
	case len(s) == 12 && IsDigits(s):
		return IDPersonal
	case len(s) == 9 && IsDigits(s):
		return IDOld
	case isPassport(s):
		return IDPassport
	}
	return IDUnknown
}

// IsDigits reports whether s is non-empty and all ASCII digits (codes and
// ID numbers; Unicode digits such as full-width ones are not digits here).
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPassport accepts the ICAO 9303 document-number alphabet (A-Z, 0-9), 6 to 9
// characters, with at least one letter so that it cannot be mistaken for an ID.
func isPassport(s string) bool {
	if len(s) < 6 || len(s) > 9 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// PersonalID is the decoded structure of a 12-digit personal ID: PPP G YY RRRRRR.
type PersonalID struct {
	ProvinceCode string // 2-digit province code of the birth registration ("01" Hà Nội)
	Sex          Sex
	BirthYear    int
	Serial       int // the six random digits
}

// ErrMalformedID is returned (wrapped in *InputError) for an ID that is not a
// well-formed 12-digit personal ID.
var ErrMalformedID = fmt.Errorf("malformed personal ID")

// ParsePersonalID decodes a 12-digit personal ID. The century/sex digit G is
// 0/1 for the 1900s, 2/3 for the 2000s, 4/5 for the 2100s, 6/7 for the 2200s,
// 8/9 for the 2300s; even is male, odd is female.
func ParsePersonalID(s string) (PersonalID, error) {
	if len(s) != 12 || !IsDigits(s) || s[0] != '0' {
		return PersonalID{}, ErrMalformedID
	}
	g := int(s[3] - '0')
	yy, _ := strconv.Atoi(s[4:6])
	serial, _ := strconv.Atoi(s[6:])
	sex := SexMale
	if g%2 == 1 {
		sex = SexFemale
	}
	return PersonalID{
		ProvinceCode: s[1:3],
		Sex:          sex,
		BirthYear:    1900 + 100*(g/2) + yy,
		Serial:       serial,
	}, nil
}

// String encodes the ID back into its 12 digits.
func (p PersonalID) String() string {
	g := 2 * ((p.BirthYear - 1900) / 100)
	if p.Sex == SexFemale {
		g++
	}
	return fmt.Sprintf("0%s%d%02d%06d", p.ProvinceCode, g, p.BirthYear%100, p.Serial)
}
