package qr

import (
	"encoding/hex"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Insurance card field positions (see the package doc).
const (
	insCode = iota
	insName
	insBirth
	insSex
	insAddress
	insClinic
	insValidFrom
	insValidTo
	insIssued
	insSocial
	insHolder
	insFiveYears
	insFixed // number of fixed fields before the extras and the final "$"

	insMaxFields = 32
)

// notPrinted marks an optional insurance field the card leaves blank.
const notPrinted = "-"

func parseInsurance(s string) (Payload, error) {
	var buf [insMaxFields]string
	n := splitFields(s, buf[:])
	if n < 0 || n < insFixed+1 || buf[n-1] != "$" {
		return fail("insurance card field count")
	}
	f := buf[:n-1]
	var c domain.InsuranceCard
	code := f[insCode]
	switch {
	case isCardCode(code):
		c.CardCode = code
		c.GroupCode = code[:2]
		c.BenefitLevel = int(code[2] - '0')
		c.ProvinceCode = code[3:5]
		c.SocialNumber = code[5:]
	case len(code) == 10 && isDigits(code):
		c.SocialNumber = code
	default:
		return fail("insurance card code must be 15 characters or 10 digits")
	}
	name, err := readHexText(f[insName], "insurance name")
	if err != nil {
		return Payload{}, err
	}
	if c.HolderName, err = readName(name, "insurance"); err != nil {
		return Payload{}, err
	}
	if c.BirthDate, err = readDMY(f[insBirth], "insurance birth date", "dd/MM/yyyy"); err != nil {
		return Payload{}, err
	}
	switch f[insSex] {
	case "1":
		c.Sex = domain.SexMale
	case "2":
		c.Sex = domain.SexFemale
	default:
		return fail("insurance sex must be 1 or 2")
	}
	address, err := readHexText(f[insAddress], "insurance address")
	if err != nil {
		return Payload{}, err
	}
	c.ClinicCode = optional(vntext.Normalize(f[insClinic]))
	var issued domain.Date
	dates := [...]struct {
		field int
		dst   *domain.Date
		what  string
	}{
		{insValidFrom, &c.ValidFrom, "insurance valid-from date"},
		{insValidTo, &c.ValidTo, "insurance valid-to date"},
		{insIssued, &issued, "insurance issue date"},
		{insFiveYears, &c.FiveYearsSince, "insurance five-years date"},
	}
	for _, d := range dates {
		if v := optional(f[d.field]); v != "" {
			if *d.dst, err = readDMY(v, d.what, "dd/MM/yyyy"); err != nil {
				return Payload{}, err
			}
			if d.dst.YearOnly() {
				return fail(d.what + " must be dd/MM/yyyy")
			}
		}
	}
	if social := optional(f[insSocial]); social != "" {
		if len(social) != 10 || !isDigits(social) {
			return fail("insurance social number must be 10 digits")
		}
		if social != c.SocialNumber {
			return fail("insurance card code does not agree with social number")
		}
	}
	if c.HolderID = optional(f[insHolder]); c.HolderID != "" {
		if len(c.HolderID) != 12 || !isDigits(c.HolderID) {
			return fail("insurance holder id must be 12 digits")
		}
		pid, err := domain.ParsePersonalID(c.HolderID)
		if err != nil {
			return fail("insurance holder id is malformed")
		}
		if pid.Sex != c.Sex || pid.BirthYear != c.BirthDate.Year {
			return fail("id does not agree with sex/birth year")
		}
	}
	if !c.ValidFrom.IsZero() && !c.ValidTo.IsZero() && c.ValidTo.Time().Before(c.ValidFrom.Time()) {
		return fail("insurance validity ends before it starts")
	}
	p := Payload{
		Kind:          KindInsuranceCard,
		ID:            c.HolderID,
		FullName:      c.HolderName,
		BirthDate:     c.BirthDate,
		Sex:           c.Sex,
		Address:       address,
		IssueDate:     issued,
		InsuranceCode: c.CardCode,
		Insurance:     c,
	}
	if p.InsuranceCode == "" {
		p.InsuranceCode = c.SocialNumber
	}
	if len(f) > insFixed {
		p.Extras = append([]string(nil), f[insFixed:]...)
	}
	return p, nil
}

func optional(s string) string {
	if s == notPrinted {
		return ""
	}
	return s
}

// readHexText decodes a hex-encoded UTF-8 field and normalises it.
func readHexText(s, what string) (string, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", &Error{Reason: what + " is not hex"}
	}
	if !utf8.Valid(b) {
		return "", &Error{Reason: what + " is not valid UTF-8"}
	}
	return vntext.Normalize(string(b)), nil
}
