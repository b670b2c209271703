package qr

import (
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// The encoders build payloads for demos and fixtures. They never fail: a value
// that would break the layout (a '|' in a name, a control character) is
// replaced by a space, and a value the layout cannot express (an unknown sex)
// is written so that Parse refuses it rather than misreads it.

// EncodeChipCard writes p as a chip ID card QR:
// "ID|OLD|Name|ddmmyyyy|Nam|address|ddmmyyyy", plus "||||" when extended (cards
// issued from mid-2024). The address is the permanent address: detail, commune
// and province joined with ", ".
func EncodeChipCard(p domain.Person, issued domain.Date, extended bool) string {
	var addr []string
	for _, part := range []string{p.Permanent.Detail, p.Permanent.CommuneName, p.Permanent.ProvinceName} {
		if part = text(part, "|"); part != "" {
			addr = append(addr, part)
		}
	}
	fields := []string{
		strings.TrimSpace(p.ID),
		strings.TrimSpace(p.OldID),
		text(p.Name.Full(), "|"),
		vntext.FormatDMY(p.BirthDate, ""),
		sexWord(p.Sex),
		strings.Join(addr, ", "),
		vntext.FormatDMY(issued, ""),
	}
	if extended {
		fields = append(fields, "", "", "", "")
	}
	return strings.Join(fields, "|")
}

func sexWord(s domain.Sex) string {
	switch s {
	case domain.SexMale:
		return "Nam"
	case domain.SexFemale:
		return "Nữ"
	}
	return ""
}

// EncodePersonal1405 writes a Decision 1405 personal QR. The name is folded to
// ASCII capitals as the decision requires; birth is YYYY-MM-DD (or YYYY); the
// extras are written as given, joined with '<', except that '|', '<' and control
// characters in them become spaces.
func EncodePersonal1405(id, fullName string, birth domain.Date, onBehalf bool, qid string, extras []string) string {
	flag := "0"
	if onBehalf {
		flag = "1"
	}
	ext := make([]string, len(extras))
	for i, x := range extras {
		ext[i] = replaceSeps(x, "|<")
	}
	return strings.Join([]string{
		strings.TrimSpace(id),
		vntext.Fold(text(fullName, "|<")),
		birth.String(),
		flag,
		replaceSeps(qid, "|"),
		strings.Join(ext, "<"),
	}, "|")
}

// EncodeInsuranceCard writes c as a health insurance card QR in the layout of
// the package doc. The card's issue date is not part of domain.InsuranceCard;
// cards are issued when their validity starts, so ValidFrom is written there.
func EncodeInsuranceCard(c domain.InsuranceCard, address string) string {
	code := strings.ReplaceAll(c.CardCode, " ", "")
	if code == "" {
		code = c.SocialNumber
	}
	sex := "0"
	switch c.Sex {
	case domain.SexMale:
		sex = "1"
	case domain.SexFemale:
		sex = "2"
	}
	orDash := func(s string) string {
		if s = text(s, "|"); s == "" {
			return notPrinted
		}
		return s
	}
	date := func(d domain.Date) string {
		if d.IsZero() {
			return notPrinted
		}
		return vntext.FormatDMY(d, "/")
	}
	return strings.Join([]string{
		code,
		hex.EncodeToString([]byte(vntext.Normalize(c.HolderName))),
		vntext.FormatDMY(c.BirthDate, "/"),
		sex,
		hex.EncodeToString([]byte(vntext.Normalize(address))),
		orDash(c.ClinicCode),
		date(c.ValidFrom),
		date(c.ValidTo),
		date(c.ValidFrom),
		orDash(c.SocialNumber),
		orDash(c.HolderID),
		date(c.FiveYearsSince),
		"$",
	}, "|")
}

// text normalises s for a text field and replaces the layout's separators.
func text(s, seps string) string { return vntext.Normalize(replaceSeps(s, seps)) }

// replaceSeps replaces the layout's separators and control characters with spaces.
func replaceSeps(s, seps string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(seps, r) || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
