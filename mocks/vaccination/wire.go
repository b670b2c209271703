package vaccination

import (
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// ict is Indochina Time; the platform writes every timestamp with +07:00.
// A fixed zone keeps the stand-in independent of the host's tzdata.
var ict = time.FixedZone("ICT", 7*3600)

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ict).Format(time.RFC3339)
}

// vaccineCodes are the platform's product codes (WHO/INN development codes),
// not the hub's names.
var vaccineCodes = map[domain.Vaccine]string{
	domain.VaccineAstraZeneca: "AZD1222",
	domain.VaccineSputnikV:    "GAM-COVID-VAC",
	domain.VaccineVeroCell:    "BBIBP-CORV",
	domain.VaccinePfizer:      "BNT162B2",
	domain.VaccineModerna:     "MRNA-1273",
	domain.VaccineJanssen:     "AD26.COV2.S",
	domain.VaccineHayatVax:    "HAYAT-VAX",
	domain.VaccineAbdala:      "CIGB-66",
}

func vaccineByCode(code string) (domain.Vaccine, bool) {
	for v, c := range vaccineCodes {
		if c == code {
			return v, true
		}
	}
	return "", false
}

var doseTypes = map[domain.DoseKind]string{
	domain.DoseBasic:      "basic",
	domain.DoseAdditional: "additional",
	domain.DoseBooster:    "booster",
}

func doseKindByType(t string) (domain.DoseKind, bool) {
	for k, v := range doseTypes {
		if v == t {
			return k, true
		}
	}
	return "", false
}

func sexCode(s domain.Sex) string {
	switch s {
	case domain.SexMale:
		return "MALE"
	case domain.SexFemale:
		return "FEMALE"
	}
	return ""
}

func sexByCode(s string) (domain.Sex, bool) {
	switch s {
	case "MALE":
		return domain.SexMale, true
	case "FEMALE":
		return domain.SexFemale, true
	}
	return domain.SexUnknown, false
}

type wireIdentity struct {
	ID        string `json:"id"`
	FullName  string `json:"fullName"`
	Sex       string `json:"sex,omitempty"`
	BirthDate string `json:"birthDate"`
}

type wireSite struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	CommuneCode string `json:"communeCode"`
}

type wireDose struct {
	RecordID   string   `json:"recordId"`
	PersonID   string   `json:"personId"`
	DoseNumber int      `json:"doseNumber"`
	DoseType   string   `json:"doseType"`
	Date       string   `json:"date"`
	Vaccine    string   `json:"vaccine"`
	Lot        string   `json:"lot"`
	Site       wireSite `json:"site"`
}

type wireVaccination struct {
	PersonID string       `json:"personId"`
	Identity wireIdentity `json:"identity"`
	Doses    []wireDose   `json:"doses"`
}

type wireCertificate struct {
	PersonID      string `json:"personId"`
	Status        string `json:"status"`
	CertificateID string `json:"certificateId,omitempty"`
	IssuedAt      string `json:"issuedAt,omitempty"`
	DosesCovered  int    `json:"dosesCovered"`
	ValidUntil    string `json:"validUntil,omitempty"`
}

type wireReconciliation struct {
	PersonID         string       `json:"personId"`
	CommuneCode      string       `json:"communeCode"`
	Status           string       `json:"status"`
	MismatchedFields []string     `json:"mismatchedFields"`
	RecordedIdentity wireIdentity `json:"recordedIdentity"`
	CheckedAt        string       `json:"checkedAt,omitempty"`
	Confirmed        bool         `json:"confirmed"`
}

func toWireIdentity(id domain.RecordedIdentity) wireIdentity {
	return wireIdentity{ID: id.ID, FullName: id.FullName, Sex: sexCode(id.Sex), BirthDate: id.BirthDate.String()}
}

func toWireDose(d domain.Dose) wireDose {
	code, ok := vaccineCodes[d.Vaccine]
	if !ok {
		code = string(d.Vaccine)
	}
	typ, ok := doseTypes[d.Kind]
	if !ok {
		typ = string(d.Kind)
	}
	return wireDose{
		RecordID: d.RecordID, PersonID: d.PersonID, DoseNumber: d.Number, DoseType: typ,
		Date: d.Date.String(), Vaccine: code, Lot: d.Lot,
		Site: wireSite{Code: d.Site.Code, Name: d.Site.Name, CommuneCode: d.Site.CommuneCode},
	}
}

func toWireVaccination(r domain.VaccinationRecord) wireVaccination {
	out := wireVaccination{PersonID: r.PersonID, Identity: toWireIdentity(r.Recorded), Doses: make([]wireDose, 0, len(r.Doses))}
	for _, d := range r.Doses {
		out.Doses = append(out.Doses, toWireDose(d))
	}
	return out
}

func toWireCertificate(c domain.Certificate) wireCertificate {
	out := wireCertificate{
		PersonID: c.PersonID, Status: string(c.Status), CertificateID: c.CertificateID,
		IssuedAt: formatTime(c.IssuedAt), DosesCovered: c.DosesCovered,
	}
	if !c.ValidUntil.IsZero() {
		out.ValidUntil = c.ValidUntil.String()
	}
	if out.Status == "" {
		out.Status = string(domain.CertificateNone)
	}
	return out
}

func toWireReconciliation(r domain.Reconciliation) wireReconciliation {
	out := wireReconciliation{
		PersonID: r.PersonID, CommuneCode: r.CommuneCode, Status: string(r.Status),
		MismatchedFields: make([]string, 0, len(r.Mismatched)),
		RecordedIdentity: toWireIdentity(r.Recorded), CheckedAt: formatTime(r.CheckedAt), Confirmed: r.Confirmed,
	}
	for _, f := range r.Mismatched {
		out.MismatchedFields = append(out.MismatchedFields, string(f))
	}
	return out
}
