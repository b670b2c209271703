package graph

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Input validation. Every value from a client is checked before any upstream
// is called; errors are *domain.InputError naming the field in the client's
// terms and saying why, never echoing the value.

const (
	maxNameLen        = 100
	maxAddressLen     = 200
	maxTransportLen   = 100
	maxTextLen        = 2000
	maxCodeLen        = 32
	maxFeedbackIDLen  = 64
	maxDoseNumber     = 10
	minBirthYear      = 1900
	futureSkew        = 5 * time.Minute
	maxArrivalsWindow = 31 * 24 * time.Hour
)

// personID accepts a 12-digit personal ID or a 9-digit CMND.
func personID(field, s string) (string, domain.IDKind, error) {
	s = strings.TrimSpace(s)
	switch domain.ClassifyID(s) {
	case domain.IDPersonal:
		if _, err := domain.ParsePersonalID(s); err != nil {
			return "", domain.IDUnknown, inputErr(field, "must be a 12-digit personal ID starting with 0 or a 9-digit CMND")
		}
		return s, domain.IDPersonal, nil
	case domain.IDOld:
		return s, domain.IDOld, nil
	}
	return "", domain.IDUnknown, inputErr(field, "must be a 12-digit personal ID or a 9-digit CMND")
}

// documentNumber accepts a personal ID, a CMND or a passport number (letters
// are upper-cased: passports are printed in capitals).
func documentNumber(field, s string) (string, domain.IDKind, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if id, kind, err := personID(field, s); err == nil {
		return id, kind, nil
	}
	if domain.ClassifyID(s) == domain.IDPassport {
		return s, domain.IDPassport, nil
	}
	return "", domain.IDUnknown, inputErr(field, "must be a 12-digit personal ID, a 9-digit CMND or a passport number (6 to 9 letters and digits)")
}

func (r *Resolver) communeCode(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || !isDigits(s) {
		return "", inputErr(field, "must be a 5-digit commune code")
	}
	if _, ok := r.dir.Commune(s); !ok {
		return "", inputErr(field, "is not a commune code in use since 1 July 2025")
	}
	return s, nil
}

func (r *Resolver) provinceCode(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2 || !isDigits(s) {
		return "", inputErr(field, "must be a 2-digit province code")
	}
	if _, ok := r.dir.Province(s); !ok {
		return "", inputErr(field, "is not a province code in use since 1 July 2025")
	}
	return s, nil
}

// unitCode accepts a province or a commune code.
func (r *Resolver) unitCode(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 2:
		return r.provinceCode(field, s)
	case 5:
		return r.communeCode(field, s)
	}
	return "", inputErr(field, "must be a 2-digit province or 5-digit commune code")
}

// personName normalises a name (NFC, spacing, mojibake) and checks it is
// made of letters, spaces and the few marks names use.
func personName(field, s string) (string, error) {
	s = vntext.Normalize(s)
	n := utf8.RuneCountInString(s)
	if n == 0 || n > maxNameLen {
		return "", inputErr(field, "must be 1 to 100 characters")
	}
	for _, c := range s {
		if !unicode.IsLetter(c) && !unicode.Is(unicode.Mn, c) && c != ' ' && c != '-' && c != '\'' && c != '.' {
			return "", inputErr(field, "may contain only letters, spaces, '-', '.' and apostrophes")
		}
	}
	return s, nil
}

// freeText normalises text and bounds its length.
func freeText(field, s string, minLen, maxLen int) (string, error) {
	s = vntext.Normalize(s)
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		if minLen == 0 {
			return "", inputErr(field, "is too long")
		}
		return "", inputErr(field, "must not be empty and not too long")
	}
	return s, nil
}

// code checks an identifier such as a site or checkpoint code.
func code(field, s string, allowed string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxCodeLen {
		return "", inputErr(field, "must be 1 to 32 characters")
	}
	for _, c := range s {
		if !(c < utf8.RuneSelf && (isASCIILetterOrDigit(byte(c)) || strings.ContainsRune(allowed, c))) {
			return "", inputErr(field, "may contain only letters, digits and "+quoteEach(allowed))
		}
	}
	return s, nil
}

func quoteEach(allowed string) string {
	parts := make([]string, 0, len(allowed))
	for _, c := range allowed {
		parts = append(parts, "'"+string(c)+"'")
	}
	return strings.Join(parts, ", ")
}

func sexInput(field string, s domain.Sex) error {
	if s != domain.SexMale && s != domain.SexFemale {
		return inputErr(field, "must be MALE or FEMALE")
	}
	return nil
}

func birthDate(field string, d domain.Date, now time.Time) error {
	if !d.Valid() || d.Year < minBirthYear || d.Time().After(now) {
		return inputErr(field, "must be a date (or year) of birth between 1900 and today")
	}
	return nil
}

func nationality(field, s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return "", inputErr(field, "must be an ISO 3166-1 alpha-2 country code such as VN")
	}
	return s, nil
}

func phone(field, s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	digits := strings.TrimPrefix(s, "+")
	if len(digits) < 9 || len(digits) > 15 || !isDigits(digits) {
		return "", inputErr(field, "must be 9 to 15 digits with an optional leading +")
	}
	return s, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isASCIILetterOrDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}
