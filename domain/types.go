package domain

import (
	"errors"
	"fmt"
	"time"
)

// Sex as recorded by the population database. Upstreams encode it in their own
// ways (Nam/Nữ, 1/2, M/F); adapters map to this.
type Sex int

const (
	SexUnknown Sex = iota
	SexMale
	SexFemale
)

func (s Sex) String() string {
	switch s {
	case SexMale:
		return "MALE"
	case SexFemale:
		return "FEMALE"
	}
	return "UNKNOWN"
}

// Date is a civil date without time zone. Month and Day are zero when only the
// year is known (the population database accepts year-only birth dates).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d.Year == 0 }

// YearOnly reports whether only the year is known.
func (d Date) YearOnly() bool { return d.Year != 0 && d.Month == 0 }

// Valid reports whether d is a real calendar date (or a plausible year only).
func (d Date) Valid() bool {
	if d.Year < 1850 || d.Year > 2400 {
		return false
	}
	if d.Month == 0 && d.Day == 0 {
		return true
	}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day && t.Month() == d.Month
}

// String formats as ISO 8601 (YYYY-MM-DD), or YYYY when only the year is known.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.YearOnly() {
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time returns midnight UTC of the date (January 1st when only the year is known).
func (d Date) Time() time.Time {
	m, day := d.Month, d.Day
	if m == 0 {
		m, day = time.January, 1
	}
	return time.Date(d.Year, m, day, 0, 0, 0, 0, time.UTC)
}

// ErrBadDate is returned by ParseISODate. Its message never quotes the
// input: dates are often birth dates.
var ErrBadDate = errors.New("want a date as YYYY-MM-DD or YYYY between 1850 and 2400")

// ParseISODate parses YYYY-MM-DD or YYYY and checks it is a real date in range.
func ParseISODate(s string) (Date, error) {
	layout := "2006-01-02"
	if len(s) == 4 {
		layout = "2006"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, ErrBadDate
	}
	d := DateOf(t)
	if len(s) == 4 {
		d = Date{Year: t.Year()}
	}
	if !d.Valid() {
		return Date{}, ErrBadDate
	}
	return d, nil
}

// AgeOn returns the age in whole years on the given day.
func (d Date) AgeOn(on Date) int {
	age := on.Year - d.Year
	if d.Month != 0 && (on.Month < d.Month || (on.Month == d.Month && on.Day < d.Day)) {
		age--
	}
	return age
}

// PersonName is a Vietnamese name split as the population database splits it:
// family name (Họ), middle name (Chữ đệm, may be empty or several words), given name (Tên).
type PersonName struct {
	Family string
	Middle string
	Given  string
}

// Full joins the parts in Vietnamese order.
func (n PersonName) Full() string {
	s := n.Family
	for _, p := range []string{n.Middle, n.Given} {
		if p == "" {
			continue
		}
		if s != "" {
			s += " "
		}
		s += p
	}
	return s
}

// Address is a residence as the population database records it: a free-text
// detail line (house, street, village) and the administrative units.
type Address struct {
	Detail       string
	CommuneCode  string // 5 digits, post-2025 units
	CommuneName  string
	ProvinceCode string // 2 digits
	ProvinceName string
}

// Person is a citizen's identity as held by the National Population Database.
type Person struct {
	ID          string // 12-digit personal ID
	OldID       string // 9-digit CMND, empty when never issued
	Name        PersonName
	Sex         Sex
	BirthDate   Date
	Nationality string // ISO 3166-1 alpha-2, "VN" for citizens
	Ethnicity   string
	Permanent   Address // nơi thường trú
	Current     Address // nơi ở hiện tại
}

// IdentityField names one of the four fields compared by identity verification.
type IdentityField string

const (
	FieldID        IdentityField = "ID_NUMBER"
	FieldFullName  IdentityField = "FULL_NAME"
	FieldSex       IdentityField = "SEX"
	FieldBirthDate IdentityField = "BIRTH_DATE"
)

// IdentityFields lists the four compared fields in canonical order.
var IdentityFields = [...]IdentityField{FieldID, FieldFullName, FieldSex, FieldBirthDate}

// VerifyRequest carries the four fields compared against the population database.
// ID is a 12-digit personal ID or a 9-digit CMND.
type VerifyRequest struct {
	ID        string
	FullName  string
	Sex       Sex
	BirthDate Date // may be year-only
}

// VerifyOutcome is the overall answer of an identity verification.
type VerifyOutcome string

const (
	VerifyMatch         VerifyOutcome = "MATCH"
	VerifyMismatch      VerifyOutcome = "MISMATCH"
	VerifyNotFound      VerifyOutcome = "NOT_FOUND"
	VerifyNotApplicable VerifyOutcome = "NOT_APPLICABLE" // foreigners are not verified
)

// VerifyResult says, per field, whether the presented value matches the
// registry. It never carries the registry's values.
type VerifyResult struct {
	Outcome VerifyOutcome
	Fields  map[IdentityField]bool // empty unless the ID was found
}

// AgeBand is a half-open range of ages [Min, Max); Max 0 means open-ended.
type AgeBand struct {
	Min, Max int
}

// Label renders the band as "18-49" or "65+".
func (b AgeBand) Label() string {
	if b.Max == 0 {
		return fmt.Sprintf("%d+", b.Min)
	}
	return fmt.Sprintf("%d-%d", b.Min, b.Max-1)
}

// StandardAgeBands are the bands every count in the hub is reported in.
var StandardAgeBands = []AgeBand{{0, 5}, {5, 12}, {12, 18}, {18, 50}, {50, 65}, {65, 0}}

// PopulationCount is the number of residents of an admin unit in an age band.
type PopulationCount struct {
	AdminUnit string // 2-digit province or 5-digit commune code
	AgeBand   AgeBand
	Count     int64
}
