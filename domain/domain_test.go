package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestClassifyID(t *testing.T) {
	tests := []struct {
		in   string
		want IDKind
	}{
		{"001203012345", IDPersonal},
		{"012345678", IDOld},
		{"B1234567", IDPassport},
		{"C12345", IDPassport},
		{"123456", IDUnknown},        // digits only: neither ID nor passport
		{"0012030123456", IDUnknown}, // 13 digits
		{"b1234567", IDUnknown},      // lower case is not the ICAO alphabet
		{"B123 4567", IDUnknown},
		{"", IDUnknown},
		{"００１２０３０１２３４５", IDUnknown}, // full-width digits
	}
	for _, tt := range tests {
		if got := ClassifyID(tt.in); got != tt.want {
			t.Errorf("ClassifyID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParsePersonalID(t *testing.T) {
	tests := []struct {
		in   string
		want PersonalID
		ok   bool
	}{
		{"001203012345", PersonalID{"01", SexMale, 2003, 12345}, true},
		{"079185000001", PersonalID{"79", SexFemale, 1985, 1}, true},
		{"096099999999", PersonalID{"96", SexMale, 1999, 999999}, true},
		{"001300000000", PersonalID{"01", SexFemale, 2000, 0}, true},
		{"001400000000", PersonalID{"01", SexMale, 2100, 0}, true},
		{"101203012345", PersonalID{}, false}, // province part must start with 0
		{"00120301234", PersonalID{}, false},
		{"00120301234x", PersonalID{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePersonalID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePersonalID(%q) = %+v, %v; want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
		if !tt.ok && !errors.Is(err, ErrMalformedID) {
			t.Errorf("error %v is not ErrMalformedID", err)
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in       string
		want     Date
		ok       bool
		yearOnly bool
	}{
		{"1985-03-15", Date{1985, time.March, 15}, true, false},
		{"2000-02-29", Date{2000, time.February, 29}, true, false},
		{"1990", Date{Year: 1990}, true, true},
		{"1900-02-29", Date{}, false, false},
		{"2021-13-01", Date{}, false, false},
		{"15/03/1985", Date{}, false, false},
		{"", Date{}, false, false},
		{"0000", Date{}, false, false},
		{"2500-01-01", Date{}, false, false},
	}
	for _, tt := range tests {
		got, err := ParseISODate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseISODate(%q) = %v, %v", tt.in, got, err)
			continue
		}
		if !tt.ok {
			if !errors.Is(err, ErrBadDate) || (tt.in != "" && strings.Contains(err.Error(), tt.in)) {
				t.Errorf("%q: error %v must be ErrBadDate and not quote the input", tt.in, err)
			}
			continue
		}
		if got.YearOnly() != tt.yearOnly || !got.Valid() || got.String() != tt.in {
			t.Errorf("%q: YearOnly %v Valid %v String %q", tt.in, got.YearOnly(), got.Valid(), got.String())
		}
	}
	if (Date{2021, time.February, 30}).Valid() || (Date{Year: 1200}).Valid() {
		t.Error("invalid dates reported valid")
	}
}

func TestAgeOn(t *testing.T) {
	birth := Date{1990, time.June, 15}
	tests := []struct {
		on   Date
		want int
	}{
		{Date{2020, time.June, 14}, 29},
		{Date{2020, time.June, 15}, 30},
		{Date{2020, time.December, 31}, 30},
	}
	for _, tt := range tests {
		if got := birth.AgeOn(tt.on); got != tt.want {
			t.Errorf("AgeOn(%v) = %d, want %d", tt.on, got, tt.want)
		}
	}
	if got := (Date{Year: 1990}).AgeOn(Date{2020, time.January, 1}); got != 30 {
		t.Errorf("year-only AgeOn = %d", got)
	}
}

func TestVaccinationStatus(t *testing.T) {
	dose := func(v Vaccine) Dose { return Dose{Vaccine: v} }
	tests := []struct {
		doses []Dose
		want  VaccinationStatus
	}{
		{nil, VaccinationNone},
		{[]Dose{dose(VaccineAstraZeneca)}, VaccinationPartial},
		{[]Dose{dose(VaccineJanssen)}, VaccinationFull},
		{[]Dose{dose(VaccineVeroCell), dose(VaccineVeroCell)}, VaccinationFull},
	}
	for _, tt := range tests {
		if got := (VaccinationRecord{Doses: tt.doses}).Status(); got != tt.want {
			t.Errorf("%d doses: %s, want %s", len(tt.doses), got, tt.want)
		}
	}
}

func TestPersonNameAndAgeBand(t *testing.T) {
	if got := (PersonName{"Nguyễn", "", "An"}).Full(); got != "Nguyễn An" {
		t.Errorf("Full = %q", got)
	}
	if got := (PersonName{"Nguyễn", "Thị Ngọc", "Ánh"}).Full(); got != "Nguyễn Thị Ngọc Ánh" {
		t.Errorf("Full = %q", got)
	}
	if (AgeBand{18, 50}).Label() != "18-49" || (AgeBand{65, 0}).Label() != "65+" {
		t.Error("age band labels")
	}
}

func TestUpstreamErrorIsTypedAndSafe(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.1:443: connection refused")
	err := NewUpstreamError(UpstreamInsurance, "the.traCuuLo", ErrUnavailable, "HTTP 503", cause)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) || errors.Is(err, ErrNotFound) {
		t.Fatal("errors.Is does not see kind and cause")
	}
	var ue *UpstreamError
	if !errors.As(error(err), &ue) || ue.Upstream != UpstreamInsurance {
		t.Fatal("errors.As")
	}
	if got := err.Error(); got != "insurance the.traCuuLo: upstream unavailable (HTTP 503)" {
		t.Fatalf("message %q", got)
	}
}

func TestInsuranceCardValidOn(t *testing.T) {
	c := InsuranceCard{ValidFrom: Date{2026, time.January, 1}, ValidTo: Date{2026, time.December, 31}}
	for _, tt := range []struct {
		d    Date
		want bool
	}{
		{Date{2025, time.December, 31}, false},
		{Date{2026, time.January, 1}, true},
		{Date{2026, time.December, 31}, true},
		{Date{2027, time.January, 1}, false},
	} {
		if c.ValidOn(tt.d) != tt.want {
			t.Errorf("ValidOn(%v) != %v", tt.d, tt.want)
		}
	}
}

func FuzzParsePersonalID(f *testing.F) {
	for _, s := range []string{"001203012345", "079185000001", "", "0012030123x5", "999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePersonalID(s)
		if err != nil {
			return
		}
		if ClassifyID(s) != IDPersonal {
			t.Fatalf("parsed %q but ClassifyID disagrees", s)
		}
		if p.String() != s {
			t.Fatalf("round trip %q -> %q", s, p.String())
		}
	})
}

func FuzzParseISODate(f *testing.F) {
	for _, s := range []string{"1985-03-15", "1990", "2000-02-29", "x", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODate(s)
		if err != nil {
			return
		}
		if !d.Valid() {
			t.Fatalf("%q parsed to invalid %v", s, d)
		}
		if again, err := ParseISODate(d.String()); err != nil || again != d {
			t.Fatalf("round trip %q -> %v -> %v, %v", s, d, again, err)
		}
	})
}
