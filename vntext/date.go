package vntext

import (
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// ParseDMY reads a Vietnamese day-first date: "dd/MM/yyyy", "dd-MM-yyyy",
// "dd.MM.yyyy" (day and month may have one digit), "ddMMyyyy" (exactly eight
// digits, as on chip ID cards) or "yyyy" for a year-only date. It rejects dates
// that are not on the calendar and years outside what domain.Date accepts.
func ParseDMY(s string) (domain.Date, error) {
	s = strings.TrimSpace(s)
	var d, m, y int
	var ok bool
	switch {
	case s == "":
		return domain.Date{}, &Error{Field: "date", Reason: "empty"}
	case len(s) == 4:
		if y, ok = atoi(s); !ok {
			return domain.Date{}, dmyFormatError()
		}
		return checkDate(domain.Date{Year: y})
	case len(s) == 8 && isDigits(s):
		d, _ = atoi(s[0:2])
		m, _ = atoi(s[2:4])
		y, _ = atoi(s[4:8])
	default:
		i := strings.IndexAny(s, "/-.")
		if i < 0 {
			return domain.Date{}, dmyFormatError()
		}
		parts := strings.Split(s, s[i:i+1])
		if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
			return domain.Date{}, dmyFormatError()
		}
		var okD, okM, okY bool
		d, okD = atoi(parts[0])
		m, okM = atoi(parts[1])
		y, okY = atoi(parts[2])
		if !okD || !okM || !okY {
			return domain.Date{}, dmyFormatError()
		}
	}
	return checkDate(domain.Date{Year: y, Month: time.Month(m), Day: d})
}

func dmyFormatError() error {
	return &Error{Field: "date", Reason: "want dd/MM/yyyy, ddMMyyyy or yyyy"}
}

func checkDate(d domain.Date) (domain.Date, error) {
	if !(domain.Date{Year: d.Year}).Valid() {
		return domain.Date{}, &Error{Field: "date", Reason: "year out of range"}
	}
	if !d.Valid() {
		return domain.Date{}, &Error{Field: "date", Reason: "not a calendar date"}
	}
	return d, nil
}

// FormatDMY writes d day first with sep between the parts ("" gives ddMMyyyy,
// the chip card form). A year-only date is written as yyyy, a zero date as "".
func FormatDMY(d domain.Date, sep string) string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10+2*len(sep))
	if !d.YearOnly() {
		b = append2(b, d.Day)
		b = append(b, sep...)
		b = append2(b, int(d.Month))
		b = append(b, sep...)
	}
	return string(append4(b, d.Year))
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	if n < 0 || n > 9999 {
		n = 0
	}
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// atoi parses a short run of ASCII digits (no sign, no spaces).
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigits(s string) bool {
	_, ok := atoi(s)
	return ok
}
