package domain

import "time"

// DeclarationKind is the type of a unified health declaration (tờ khai y tế).
type DeclarationKind string

const (
	DeclarationEntry    DeclarationKind = "ENTRY"           // inbound from abroad
	DeclarationDomestic DeclarationKind = "DOMESTIC_TRAVEL" // domestic travel
	DeclarationGeneral  DeclarationKind = "GENERAL"         // everyone
)

// Symptom is a 14-day symptom on the declaration form.
type Symptom string

const (
	SymptomFever       Symptom = "FEVER"
	SymptomCough       Symptom = "COUGH"
	SymptomShortBreath Symptom = "SHORTNESS_OF_BREATH"
	SymptomSoreThroat  Symptom = "SORE_THROAT"
	SymptomLossOfTaste Symptom = "LOSS_OF_TASTE_OR_SMELL"
	SymptomFatigue     Symptom = "FATIGUE"
)

// Exposure is a 14-day exposure on the declaration form.
type Exposure string

const (
	ExposureCaseContact    Exposure = "CONTACT_WITH_CASE"
	ExposureAffectedArea   Exposure = "FROM_AFFECTED_AREA"
	ExposureAffectedPeople Exposure = "CONTACT_WITH_PEOPLE_FROM_AFFECTED_AREA"
	ExposureSymptomatic    Exposure = "CONTACT_WITH_SYMPTOMATIC"
)

// HealthDeclaration is one submitted unified health declaration.
type HealthDeclaration struct {
	ID          string
	Kind        DeclarationKind
	SubmittedAt time.Time
	PersonID    string // 12-digit ID, 9-digit CMND or passport number
	FullName    string
	BirthYear   int
	Sex         Sex
	Nationality string
	Phone       string
	CommuneCode string // contact address commune
	Address     string // contact address detail
	Transport   string
	Symptoms    []Symptom
	Exposures   []Exposure
}

// DeclarationInput is a declaration as submitted (the system assigns ID and time).
type DeclarationInput struct {
	Kind        DeclarationKind
	PersonID    string
	FullName    string
	BirthYear   int
	Sex         Sex
	Nationality string
	Phone       string
	CommuneCode string
	Address     string
	Transport   string
	Symptoms    []Symptom
	Exposures   []Exposure
}

// Direction of travel through a checkpoint relative to the checkpoint's province.
type Direction string

const (
	DirectionIn  Direction = "IN"
	DirectionOut Direction = "OUT"
)

// Passage is one recorded passage through a checkpoint (di biến động).
type Passage struct {
	ID                 string
	PersonID           string // 12-digit ID, CMND or passport
	FullName           string // as declared at the checkpoint
	Nationality        string
	CheckpointCode     string
	CheckpointName     string
	Time               time.Time
	Direction          Direction
	OriginCommune      string // 5-digit commune code
	DestinationCommune string
	Vehicle            string // licence plate or transport mode
}

// PassageInput is a passage as recorded by checkpoint staff.
type PassageInput struct {
	PersonID           string
	FullName           string
	Nationality        string
	CheckpointCode     string
	Time               time.Time
	Direction          Direction
	OriginCommune      string
	DestinationCommune string
	Vehicle            string
}

// ArrivalsQuery selects passages into a province or commune in a time window.
// Exactly one of ProvinceCode and CommuneCode is set.
type ArrivalsQuery struct {
	ProvinceCode string
	CommuneCode  string
	From, To     time.Time
}

// RiskLevel is an epidemic zone level under Resolution 128/NQ-CP.
type RiskLevel string

const (
	RiskLow      RiskLevel = "LOW"       // level 1, green
	RiskMedium   RiskLevel = "MEDIUM"    // level 2, yellow
	RiskHigh     RiskLevel = "HIGH"      // level 3, orange
	RiskVeryHigh RiskLevel = "VERY_HIGH" // level 4, red
)

// EpidemicZone is an admin unit's declared risk level over a validity window.
type EpidemicZone struct {
	AdminUnit  string // province or commune code
	Name       string
	Level      RiskLevel
	ValidFrom  time.Time
	ValidUntil time.Time
}

// ZoneFilter selects zones; a zero At means "now", empty AdminUnit means all.
type ZoneFilter struct {
	AdminUnit string
	At        time.Time
}
