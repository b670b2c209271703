package checkpoint

import (
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// Identity document types on the wire (loại giấy tờ).
const (
	idTypeCCCD     = "CCCD"     // 12-digit personal ID
	idTypeCMND     = "CMND"     // 9-digit legacy ID card
	idTypePassport = "PASSPORT" // passport number
)

// Sex on the wire follows ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable.
const (
	sexNotKnown = 0
	sexMale     = 1
	sexFemale   = 2
)

// symptomCodes maps the form's 14-day symptoms to the system's codes.
var symptomCodes = map[domain.Symptom]string{
	domain.SymptomFever:       "fever",
	domain.SymptomCough:       "cough",
	domain.SymptomShortBreath: "shortness_of_breath",
	domain.SymptomSoreThroat:  "sore_throat",
	domain.SymptomLossOfTaste: "loss_of_taste_or_smell",
	domain.SymptomFatigue:     "fatigue",
}

// exposureCodes maps the form's 14-day exposures to the system's codes.
var exposureCodes = map[domain.Exposure]string{
	domain.ExposureCaseContact:    "contact_with_confirmed_case",
	domain.ExposureAffectedArea:   "stayed_in_outbreak_area",
	domain.ExposureAffectedPeople: "contact_with_person_from_outbreak_area",
	domain.ExposureSymptomatic:    "contact_with_symptomatic_person",
}

// riskLevels maps the Resolution 128/NQ-CP levels to their numbers (cấp 1–4).
var riskLevels = map[domain.RiskLevel]int{
	domain.RiskLow:      1,
	domain.RiskMedium:   2,
	domain.RiskHigh:     3,
	domain.RiskVeryHigh: 4,
}

var declarationTypes = map[string]domain.DeclarationKind{
	"ENTRY":           domain.DeclarationEntry,
	"DOMESTIC_TRAVEL": domain.DeclarationDomestic,
	"GENERAL":         domain.DeclarationGeneral,
}

type contactJSON struct {
	CommuneCode string `json:"commune_code"`
	Address     string `json:"address"`
}

// declarationJSON is a stored declaration as the system returns it.
type declarationJSON struct {
	ID              string      `json:"id"`
	DeclarationType string      `json:"declaration_type"`
	SubmittedAt     string      `json:"submitted_at"`
	IDType          string      `json:"id_type"`
	IDNumber        string      `json:"id_number"`
	FullName        string      `json:"full_name"`
	BirthYear       int         `json:"birth_year"`
	Sex             int         `json:"sex"`
	Nationality     string      `json:"nationality"`
	Phone           string      `json:"phone"`
	Contact         contactJSON `json:"contact"`
	Transport       string      `json:"transport"`
	Symptoms        []string    `json:"symptoms_14d"`
	Exposures       []string    `json:"exposures_14d"`
}

// passageJSON is a stored checkpoint passage as the system returns it.
type passageJSON struct {
	ID                     string `json:"id"`
	CheckpointCode         string `json:"checkpoint_code"`
	CheckpointName         string `json:"checkpoint_name"`
	PassedAt               string `json:"passed_at"`
	Direction              string `json:"direction"`
	OriginCommuneCode      string `json:"origin_commune_code"`
	DestinationCommuneCode string `json:"destination_commune_code"`
	Vehicle                string `json:"vehicle"`
	IDType                 string `json:"id_type"`
	IDNumber               string `json:"id_number"`
	FullName               string `json:"full_name"`
	Nationality            string `json:"nationality"`
}

type zoneJSON struct {
	AdminUnitCode string  `json:"admin_unit_code"`
	AdminUnitName string  `json:"admin_unit_name"`
	Level         int     `json:"level"`
	ValidFrom     string  `json:"valid_from"`
	ValidUntil    *string `json:"valid_until"`
}

func formatTime(t time.Time) string { return t.In(ict).Format(time.RFC3339) }

func idTypeOf(id string) string {
	switch domain.ClassifyID(id) {
	case domain.IDPersonal:
		return idTypeCCCD
	case domain.IDOld:
		return idTypeCMND
	case domain.IDPassport:
		return idTypePassport
	}
	return ""
}

func sexCode(s domain.Sex) int {
	switch s {
	case domain.SexMale:
		return sexMale
	case domain.SexFemale:
		return sexFemale
	}
	return sexNotKnown
}

func sexOf(code int) domain.Sex {
	switch code {
	case sexMale:
		return domain.SexMale
	case sexFemale:
		return domain.SexFemale
	}
	return domain.SexUnknown
}

func declarationWire(d domain.HealthDeclaration) declarationJSON {
	out := declarationJSON{
		ID:              d.ID,
		DeclarationType: string(d.Kind),
		SubmittedAt:     formatTime(d.SubmittedAt),
		IDType:          idTypeOf(d.PersonID),
		IDNumber:        d.PersonID,
		FullName:        d.FullName,
		BirthYear:       d.BirthYear,
		Sex:             sexCode(d.Sex),
		Nationality:     d.Nationality,
		Phone:           d.Phone,
		Contact:         contactJSON{CommuneCode: d.CommuneCode, Address: d.Address},
		Transport:       d.Transport,
		Symptoms:        make([]string, 0, len(d.Symptoms)),
		Exposures:       make([]string, 0, len(d.Exposures)),
	}
	for _, s := range d.Symptoms {
		code, ok := symptomCodes[s]
		if !ok {
			code = strings.ToLower(string(s)) // legacy data passes through as held
		}
		out.Symptoms = append(out.Symptoms, code)
	}
	for _, e := range d.Exposures {
		code, ok := exposureCodes[e]
		if !ok {
			code = strings.ToLower(string(e))
		}
		out.Exposures = append(out.Exposures, code)
	}
	return out
}

func passageWire(p domain.Passage) passageJSON {
	return passageJSON{
		ID:                     p.ID,
		CheckpointCode:         p.CheckpointCode,
		CheckpointName:         p.CheckpointName,
		PassedAt:               formatTime(p.Time),
		Direction:              string(p.Direction),
		OriginCommuneCode:      p.OriginCommune,
		DestinationCommuneCode: p.DestinationCommune,
		Vehicle:                p.Vehicle,
		IDType:                 idTypeOf(p.PersonID),
		IDNumber:               p.PersonID,
		FullName:               p.FullName,
		Nationality:            p.Nationality,
	}
}

func zoneWire(z domain.EpidemicZone, name string) zoneJSON {
	out := zoneJSON{
		AdminUnitCode: z.AdminUnit,
		AdminUnitName: name,
		Level:         riskLevels[z.Level],
		ValidFrom:     formatTime(z.ValidFrom),
	}
	if !z.ValidUntil.IsZero() {
		u := formatTime(z.ValidUntil)
		out.ValidUntil = &u
	}
	return out
}
