package qr

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Parse reads a scanned QR payload, detecting its layout (see the package doc):
// insurance card, chip card, Decision 1405 personal QR, bare ID. Every refusal is
// a *Error whose reason names the field at fault, never its content.
func Parse(s string) (Payload, error) {
	if len(s) > MaxPayloadBytes {
		return fail("payload too large")
	}
	if !utf8.ValidString(s) {
		return fail("payload is not valid UTF-8")
	}
	s = strings.TrimRight(s, " \t\r\n")
	if strings.TrimSpace(s) == "" {
		return fail("empty payload")
	}
	if strings.HasSuffix(s, "$") {
		return parseInsurance(s)
	}
	if !strings.Contains(s, "|") {
		return parseBareID(s)
	}
	var buf [11]string
	switch n := splitFields(s, buf[:]); n {
	case 7, 11:
		return parseChipCard(buf[:n])
	case 6:
		if len(buf[2]) == 8 && isDigits(buf[2]) {
			// A chip card's ddmmyyyy where 1405 has YYYY-MM-DD: a chip card
			// that lost a field (typically the empty old ID) on the way.
			return fail("chip card must have 7 or 11 fields")
		}
		return parse1405(buf[:n])
	}
	return fail("unexpected field count")
}

// splitFields splits s on '|' into dst without allocating, keeping empty
// fields. It returns the number of fields, or -1 when dst is too short.
func splitFields(s string, dst []string) int {
	n := 0
	for {
		if n == len(dst) {
			return -1
		}
		i := strings.IndexByte(s, '|')
		if i < 0 {
			dst[n] = s
			return n + 1
		}
		dst[n] = s[:i]
		s = s[i+1:]
		n++
	}
}

func parseBareID(s string) (Payload, error) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 12 && isDigits(s):
		if _, err := domain.ParsePersonalID(s); err != nil {
			return fail("bare id is malformed")
		}
	case len(s) == 9 && isDigits(s):
	default:
		return fail("unrecognised payload")
	}
	return Payload{Kind: KindBareID, ID: s}, nil
}

func parseChipCard(f []string) (Payload, error) {
	p := Payload{Kind: KindChipCard, ID: f[0], OldID: f[1]}
	if len(p.ID) != 12 || !isDigits(p.ID) {
		return fail("chip card id must be 12 digits")
	}
	pid, err := domain.ParsePersonalID(p.ID)
	if err != nil {
		return fail("chip card id is malformed")
	}
	if p.OldID != "" && (len(p.OldID) != 9 || !isDigits(p.OldID)) {
		return fail("chip card old id must be empty or 9 digits")
	}
	if p.FullName, err = readName(f[2], "chip card"); err != nil {
		return Payload{}, err
	}
	if p.BirthDate, err = readCompactDate(f[3], "chip card birth date"); err != nil {
		return Payload{}, err
	}
	if p.Sex, err = vntext.ParseSexWord(f[4]); err != nil {
		return fail("chip card sex must be Nam or Nữ")
	}
	p.Address = vntext.Normalize(f[5])
	if p.IssueDate, err = readCompactDate(f[6], "chip card issue date"); err != nil {
		return Payload{}, err
	}
	if p.IssueDate.Time().Before(p.BirthDate.Time()) {
		return fail("chip card issue date precedes birth date")
	}
	if pid.Sex != p.Sex || pid.BirthYear != p.BirthDate.Year {
		return fail("id does not agree with sex/birth year")
	}
	if len(f) == 11 {
		p.Extras = append([]string(nil), f[7:]...)
	}
	return p, nil
}

func parse1405(f []string) (Payload, error) {
	p := Payload{Kind: KindPersonal1405, ID: f[0], QID: f[4]}
	var pid domain.PersonalID
	var err error
	switch domain.ClassifyID(p.ID) {
	case domain.IDPersonal:
		if pid, err = domain.ParsePersonalID(p.ID); err != nil {
			return fail("1405 id is malformed")
		}
	case domain.IDOld, domain.IDPassport:
	default:
		return fail("1405 id must be a 12- or 9-digit id or a passport number")
	}
	if p.FullName, err = readName(f[1], "1405"); err != nil {
		return Payload{}, err
	}
	p.BirthDate, err = domain.ParseISODate(f[2])
	if err != nil || !p.BirthDate.Valid() {
		return fail("1405 birth date must be YYYY-MM-DD")
	}
	switch f[3] {
	case "0":
	case "1":
		p.OnBehalf = true
	default:
		return fail("1405 on-behalf flag must be 0 or 1")
	}
	if strings.ContainsFunc(p.QID, unicode.IsControl) {
		return fail("1405 qid has control characters")
	}
	if strings.ContainsFunc(f[5], unicode.IsControl) {
		return fail("1405 extras have control characters")
	}
	if f[5] != "" {
		p.Extras = strings.Split(f[5], "<")
		for _, x := range p.Extras {
			x = vntext.Normalize(x)
			if sex, err := vntext.ParseSexWord(x); err == nil {
				if p.Sex != domain.SexUnknown && p.Sex != sex {
					return fail("1405 extras disagree on sex")
				}
				p.Sex = sex
			} else if isCardCode(x) {
				p.InsuranceCode = x
			}
		}
	}
	if pid.BirthYear != 0 && (pid.BirthYear != p.BirthDate.Year ||
		(p.Sex != domain.SexUnknown && p.Sex != pid.Sex)) {
		return fail("id does not agree with sex/birth year")
	}
	return p, nil
}

// readName normalises a name field and checks it looks like a name: letters,
// combining marks, spaces and the punctuation of ethnic-minority names.
func readName(s, what string) (string, error) {
	name := vntext.Normalize(s)
	if name == "" {
		return "", &Error{Reason: what + " name is missing"}
	}
	letters := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case unicode.Is(unicode.Mn, r), r == ' ', r == '\'', r == '’', r == '-', r == '.':
		default:
			return "", &Error{Reason: what + " name is not a name"}
		}
	}
	if !letters {
		return "", &Error{Reason: what + " name is not a name"}
	}
	return name, nil
}

// readCompactDate reads the chip card's ddmmyyyy.
func readCompactDate(s, what string) (domain.Date, error) {
	if len(s) != 8 || !isDigits(s) {
		return domain.Date{}, &Error{Reason: what + " must be ddmmyyyy"}
	}
	return readDMY(s, what, "ddmmyyyy")
}

// readDMY reads a day-first date and turns vntext's error into this package's.
func readDMY(s, what, layout string) (domain.Date, error) {
	d, err := vntext.ParseDMY(s)
	if err == nil {
		return d, nil
	}
	var ve *vntext.Error
	if errors.As(err, &ve) && (ve.Reason == "not a calendar date" || ve.Reason == "year out of range") {
		return domain.Date{}, &Error{Reason: what + " is not a calendar date"}
	}
	return domain.Date{}, &Error{Reason: what + " must be " + layout}
}

func isDigits(s string) bool {
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

// isCardCode reports whether s is a 15-character insurance card code:
// two upper-case letters (group), benefit level 1–5, two digits (province) and
// the ten-digit social insurance number.
func isCardCode(s string) bool {
	if len(s) != 15 {
		return false
	}
	for i := 0; i < 2; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s[2] >= '1' && s[2] <= '5' && isDigits(s[3:])
}
