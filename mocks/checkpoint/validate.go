package checkpoint

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
)

// problems collects field errors in the order they are found.
type problems []fieldError

func (p *problems) add(field, code, message string) {
	*p = append(*p, fieldError{Field: field, Code: code, Message: message})
}

// text checks a free-text field: required or not, bounded in characters,
// valid UTF-8 and free of control characters. It returns the trimmed value
// and whether it is present and well-formed.
func (p *problems) text(field, v string, required bool, maxRunes int) (string, bool) {
	v = trimSpace(v)
	switch {
	case v == "":
		if required {
			p.add(field, feRequired, "is required")
		}
	case !utf8.ValidString(v):
		p.add(field, feInvalidFormat, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > maxRunes:
		p.add(field, feTooLong, fmt.Sprintf("must be at most %d characters", maxRunes))
	case hasControl(v):
		p.add(field, feInvalidFormat, "must not contain control characters")
	default:
		return v, true
	}
	return v, false
}

// personName checks a full name: letters (any script, with combining marks),
// spaces, apostrophes, hyphens and dots, at least one letter.
func (p *problems) personName(field, v string) string {
	v, ok := p.text(field, v, true, 100)
	if !ok {
		return v
	}
	letters := 0
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r), r == ' ', r == '\'', r == '-', r == '.':
		default:
			p.add(field, feInvalidFormat, "must contain only letters, spaces and ' - .")
			return v
		}
	}
	if letters == 0 {
		p.add(field, feInvalidFormat, "must contain letters")
	}
	return v
}

// identity checks an id_type / id_number pair.
func (p *problems) identity(typeField, numberField, idType, number string) string {
	number = trimSpace(number)
	if idType == "" {
		p.add(typeField, feRequired, "is required")
	}
	if number == "" {
		p.add(numberField, feRequired, "is required")
		return number
	}
	switch idType {
	case "":
	case idTypeCCCD:
		if _, err := domain.ParsePersonalID(number); err != nil {
			p.add(numberField, feInvalidFormat, "must be a 12-digit personal ID")
		}
	case idTypeCMND:
		if domain.ClassifyID(number) != domain.IDOld {
			p.add(numberField, feInvalidFormat, "must be a 9-digit ID card number")
		}
	case idTypePassport:
		if domain.ClassifyID(number) != domain.IDPassport {
			p.add(numberField, feInvalidFormat, "must be a passport number of 6-9 characters A-Z 0-9 with a letter")
		}
	default:
		p.add(typeField, feUnknownValue, "must be one of CCCD, CMND, PASSPORT")
	}
	return number
}

// nationality checks an ISO 3166-1 alpha-2 code; citizens' documents imply VN.
func (p *problems) nationality(field, v, idType string, known map[string]bool) string {
	v = trimSpace(v)
	switch {
	case v == "":
		p.add(field, feRequired, "is required")
	case !known[v]:
		p.add(field, feUnknownValue, "must be an ISO 3166-1 alpha-2 code in capitals")
	case (idType == idTypeCCCD || idType == idTypeCMND) && v != "VN":
		p.add(field, feInconsistent, "must be VN for a CCCD or CMND")
	}
	return v
}

// commune checks a 5-digit commune code against the directory.
func (s *Server) commune(p *problems, field, v string) string {
	v = trimSpace(v)
	switch {
	case v == "":
		p.add(field, feRequired, "is required")
	case len(v) != 5 || !digits(v):
		p.add(field, feInvalidFormat, "must be a 5-digit commune code")
	default:
		if _, ok := s.dir.Commune(v); !ok {
			p.add(field, feNotFound, "no such commune")
		}
	}
	return v
}

// phone accepts a Vietnamese mobile number, +84 or 0 followed by 9 digits,
// and returns it in the national format the system stores (0xxxxxxxxx).
func (p *problems) phone(field, v string) string {
	v = trimSpace(v)
	var rest string
	switch {
	case v == "":
		p.add(field, feRequired, "is required")
		return ""
	case len(v) == 12 && v[:3] == "+84":
		rest = v[3:]
	case len(v) == 10 && v[0] == '0':
		rest = v[1:]
	default:
		p.add(field, feInvalidFormat, "must be +84 or 0 followed by 9 digits")
		return v
	}
	if !digits(rest) || !mobilePrefix(rest[0]) {
		p.add(field, feInvalidFormat, "must be a mobile number (+84 or 0, then 3/5/7/8/9 and 8 digits)")
		return v
	}
	return "0" + rest
}

func mobilePrefix(c byte) bool { return c == '3' || c == '5' || c == '7' || c == '8' || c == '9' }

// timestamp parses an RFC 3339 time with an offset.
func (p *problems) timestamp(field, v string, required bool) time.Time {
	if v == "" {
		if required {
			p.add(field, feRequired, "is required")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.add(field, feInvalidFormat, "must be an RFC 3339 time with offset, e.g. 2021-09-15T08:30:00+07:00")
		return time.Time{}
	}
	return t
}

func digits(s string) bool {
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

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && (s[start] == ' ' || s[start] == '\t') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	return s[start:end]
}

// personIDs checks a search's person_ids: 1 to maxSearchIDs identity numbers.
func (p *problems) personIDs(field string, ids []string) []string {
	switch {
	case len(ids) == 0:
		p.add(field, feRequired, "must list at least one ID")
		return nil
	case len(ids) > maxSearchIDs:
		p.add(field, feOutOfRange, fmt.Sprintf("must list at most %d IDs", maxSearchIDs))
		return nil
	}
	for i, id := range ids {
		if domain.ClassifyID(id) == domain.IDUnknown {
			p.add(fmt.Sprintf("%s[%d]", field, i), feInvalidFormat, "must be a 12-digit ID, a 9-digit ID card number or a passport number")
		}
	}
	return uniq(ids)
}
