package domain

import "time"

// Vaccine is one of the eight COVID-19 vaccine products used in Vietnam.
type Vaccine string

const (
	VaccineAstraZeneca Vaccine = "ASTRAZENECA"
	VaccineSputnikV    Vaccine = "SPUTNIK_V"
	VaccineVeroCell    Vaccine = "SINOPHARM_VERO_CELL"
	VaccinePfizer      Vaccine = "PFIZER_BIONTECH"
	VaccineModerna     Vaccine = "MODERNA"
	VaccineJanssen     Vaccine = "JANSSEN"
	VaccineHayatVax    Vaccine = "HAYAT_VAX"
	VaccineAbdala      Vaccine = "ABDALA"
)

// Vaccines lists every product the hub knows.
var Vaccines = []Vaccine{VaccineAstraZeneca, VaccineSputnikV, VaccineVeroCell, VaccinePfizer,
	VaccineModerna, VaccineJanssen, VaccineHayatVax, VaccineAbdala}

// DoseKind distinguishes the basic series from additional and booster doses.
type DoseKind string

const (
	DoseBasic      DoseKind = "BASIC"
	DoseAdditional DoseKind = "ADDITIONAL"
	DoseBooster    DoseKind = "BOOSTER"
)

// PersonKey names one person for a system that may hold their records under
// more than one number: the 12-digit ID plus alternate IDs (the old CMND) a
// record may have been entered under.
type PersonKey struct {
	ID     string
	AltIDs []string
}

// Site is a vaccination site (cơ sở tiêm chủng).
type Site struct {
	Code        string
	Name        string
	CommuneCode string
}

// Dose is one administered dose as recorded on the vaccination platform.
type Dose struct {
	RecordID string
	PersonID string // the ID the platform holds the record under (may be an old ID)
	Number   int    // 1-based dose number
	Kind     DoseKind
	Date     Date
	Vaccine  Vaccine
	Lot      string
	Site     Site
}

// VaccinationStatus is the colour status shown by the apps: one dose yellow, two green.
type VaccinationStatus string

const (
	VaccinationNone    VaccinationStatus = "NONE"
	VaccinationPartial VaccinationStatus = "PARTIAL" // yellow
	VaccinationFull    VaccinationStatus = "FULL"    // green
)

// VaccinationRecord is everything the platform holds on one person's doses,
// together with the identity the platform recorded (which may differ from the
// population database: that is what reconciliation is about).
type VaccinationRecord struct {
	PersonID string // the ID the record was found under
	Recorded RecordedIdentity
	Doses    []Dose
}

// Status derives the colour status from the doses: a Janssen dose or two doses is full.
func (r VaccinationRecord) Status() VaccinationStatus {
	switch {
	case len(r.Doses) == 0:
		return VaccinationNone
	case len(r.Doses) >= 2:
		return VaccinationFull
	case r.Doses[0].Vaccine == VaccineJanssen:
		return VaccinationFull
	}
	return VaccinationPartial
}

// RecordedIdentity is the identity as entered at a vaccination site.
type RecordedIdentity struct {
	ID        string
	FullName  string
	Sex       Sex
	BirthDate Date
}

// CertificateStatus is the state of a person's vaccination certificate.
type CertificateStatus string

const (
	CertificateIssued  CertificateStatus = "ISSUED"
	CertificatePending CertificateStatus = "PENDING" // doses recorded, identity not yet confirmed
	CertificateNone    CertificateStatus = "NONE"
	CertificateRevoked CertificateStatus = "REVOKED"
)

// Certificate is the vaccination certificate the platform prints.
type Certificate struct {
	PersonID      string
	Status        CertificateStatus
	CertificateID string
	IssuedAt      time.Time
	DosesCovered  int
	ValidUntil    Date
}

// ReconciliationStatus is the outcome of comparing a vaccination record with the
// population database ("làm sạch dữ liệu").
type ReconciliationStatus string

const (
	ReconMatch         ReconciliationStatus = "MATCH"
	ReconMismatch      ReconciliationStatus = "MISMATCH"
	ReconPending       ReconciliationStatus = "PENDING"
	ReconNotApplicable ReconciliationStatus = "NOT_APPLICABLE" // foreigners
)

// Reconciliation is the platform's reconciliation state for one person's record.
type Reconciliation struct {
	PersonID    string // the ID the record is held under
	CommuneCode string // commune responsible for confirming or correcting it
	Status      ReconciliationStatus
	Mismatched  []IdentityField // which of the four fields differ; empty unless MISMATCH
	Recorded    RecordedIdentity
	CheckedAt   time.Time
	Confirmed   bool // MATCH records signed off by the commune
}

// DoseInput is what a vaccination site submits to record a new dose.
type DoseInput struct {
	PersonID string
	Number   int
	Kind     DoseKind
	Date     Date
	Vaccine  Vaccine
	Lot      string
	SiteCode string
}

// VaccinationCount is the number of people in an admin unit and age band who
// have received at least DoseNumber doses.
type VaccinationCount struct {
	AdminUnit  string
	DoseNumber int
	AgeBand    AgeBand
	Count      int64
}

// FeedbackStatus is the state of a citizen's feedback ("phản ánh").
type FeedbackStatus string

const (
	FeedbackOpen       FeedbackStatus = "OPEN"
	FeedbackInProgress FeedbackStatus = "IN_PROGRESS"
	FeedbackResolved   FeedbackStatus = "RESOLVED"
)

// FeedbackCategory says what a feedback is about.
type FeedbackCategory string

const (
	FeedbackWrongIdentity FeedbackCategory = "WRONG_IDENTITY"
	FeedbackMissingDose   FeedbackCategory = "MISSING_DOSE"
	FeedbackWrongDose     FeedbackCategory = "WRONG_DOSE"
	FeedbackCertificate   FeedbackCategory = "CERTIFICATE"
	FeedbackOther         FeedbackCategory = "OTHER"
)

// Feedback is a report filed on the public vaccination portal about wrong data.
type Feedback struct {
	ID          string
	PersonID    string
	CommuneCode string
	Category    FeedbackCategory
	Text        string
	Status      FeedbackStatus
	CreatedAt   time.Time
	ResolvedAt  time.Time
	Resolution  string
	ResolvedBy  string
}

// FeedbackInput is a new feedback.
type FeedbackInput struct {
	PersonID    string
	CommuneCode string
	Category    FeedbackCategory
	Text        string
}

// FeedbackFilter selects feedback; empty fields do not filter.
type FeedbackFilter struct {
	CommuneCode string
	Status      FeedbackStatus
	PersonID    string
}
