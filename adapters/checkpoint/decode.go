package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// The system's wire format, as its OpenAPI document describes it.

type errorJSON struct {
	Code      string           `json:"code"`
	Message   string           `json:"message"`
	RequestID string           `json:"request_id"`
	Errors    []fieldErrorJSON `json:"errors"`
}

type fieldErrorJSON struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type contactJSON struct {
	CommuneCode *string `json:"commune_code"`
	Address     *string `json:"address"`
}

type declarationJSON struct {
	ID              *string      `json:"id"`
	DeclarationType *string      `json:"declaration_type"`
	SubmittedAt     *string      `json:"submitted_at"`
	IDType          *string      `json:"id_type"`
	IDNumber        *string      `json:"id_number"`
	FullName        *string      `json:"full_name"`
	BirthYear       *int         `json:"birth_year"`
	Sex             *int         `json:"sex"`
	Nationality     *string      `json:"nationality"`
	Phone           *string      `json:"phone"`
	Contact         *contactJSON `json:"contact"`
	Transport       *string      `json:"transport"`
	Symptoms        []string     `json:"symptoms_14d"`
	Exposures       []string     `json:"exposures_14d"`
}

type passageJSON struct {
	ID                     *string `json:"id"`
	CheckpointCode         *string `json:"checkpoint_code"`
	CheckpointName         *string `json:"checkpoint_name"`
	PassedAt               *string `json:"passed_at"`
	Direction              *string `json:"direction"`
	OriginCommuneCode      *string `json:"origin_commune_code"`
	DestinationCommuneCode *string `json:"destination_commune_code"`
	Vehicle                *string `json:"vehicle"`
	IDType                 *string `json:"id_type"`
	IDNumber               *string `json:"id_number"`
	FullName               *string `json:"full_name"`
	Nationality            *string `json:"nationality"`
}

type declarationResultJSON struct {
	PersonID     *string           `json:"person_id"`
	Found        *bool             `json:"found"`
	Declarations []json.RawMessage `json:"declarations"`
}

type passageResultJSON struct {
	PersonID *string           `json:"person_id"`
	Found    *bool             `json:"found"`
	Passages []json.RawMessage `json:"passages"`
}

type arrivalsJSON struct {
	Arrivals      []json.RawMessage `json:"arrivals"`
	NextPageToken string            `json:"next_page_token"`
}

type zoneJSON struct {
	AdminUnitCode *string `json:"admin_unit_code"`
	AdminUnitName *string `json:"admin_unit_name"`
	Level         *int    `json:"level"`
	ValidFrom     *string `json:"valid_from"`
	ValidUntil    *string `json:"valid_until"`
}

type zonesJSON struct {
	At    *string           `json:"at"`
	Zones []json.RawMessage `json:"zones"`
}

// Requests.

type declarationRequest struct {
	DeclarationType string      `json:"declaration_type"`
	IDType          string      `json:"id_type"`
	IDNumber        string      `json:"id_number"`
	FullName        string      `json:"full_name"`
	BirthYear       int         `json:"birth_year"`
	Sex             int         `json:"sex"`
	Nationality     string      `json:"nationality"`
	Phone           string      `json:"phone"`
	Contact         contactWire `json:"contact"`
	Transport       string      `json:"transport,omitempty"`
	Symptoms        []string    `json:"symptoms_14d"`
	Exposures       []string    `json:"exposures_14d"`
}

type contactWire struct {
	CommuneCode string `json:"commune_code"`
	Address     string `json:"address"`
}

type passageRequest struct {
	CheckpointCode         string `json:"checkpoint_code"`
	PassedAt               string `json:"passed_at"`
	Direction              string `json:"direction"`
	OriginCommuneCode      string `json:"origin_commune_code"`
	DestinationCommuneCode string `json:"destination_commune_code"`
	Vehicle                string `json:"vehicle,omitempty"`
	IDType                 string `json:"id_type"`
	IDNumber               string `json:"id_number"`
	FullName               string `json:"full_name"`
	Nationality            string `json:"nationality"`
}

type searchRequest struct {
	PersonIDs []string `json:"person_ids"`
	Since     string   `json:"since,omitempty"`
}

// Enumerations of the wire format.

var (
	declarationKinds = map[string]domain.DeclarationKind{
		"ENTRY":           domain.DeclarationEntry,
		"DOMESTIC_TRAVEL": domain.DeclarationDomestic,
		"GENERAL":         domain.DeclarationGeneral,
	}
	symptomsByCode = map[string]domain.Symptom{
		"fever":                  domain.SymptomFever,
		"cough":                  domain.SymptomCough,
		"shortness_of_breath":    domain.SymptomShortBreath,
		"sore_throat":            domain.SymptomSoreThroat,
		"loss_of_taste_or_smell": domain.SymptomLossOfTaste,
		"fatigue":                domain.SymptomFatigue,
	}
	exposuresByCode = map[string]domain.Exposure{
		"contact_with_confirmed_case":            domain.ExposureCaseContact,
		"stayed_in_outbreak_area":                domain.ExposureAffectedArea,
		"contact_with_person_from_outbreak_area": domain.ExposureAffectedPeople,
		"contact_with_symptomatic_person":        domain.ExposureSymptomatic,
	}
	riskByLevel = map[int]domain.RiskLevel{
		1: domain.RiskLow,
		2: domain.RiskMedium,
		3: domain.RiskHigh,
		4: domain.RiskVeryHigh,
	}
	idTypes = map[string]domain.IDKind{
		"CCCD":     domain.IDPersonal,
		"CMND":     domain.IDOld,
		"PASSPORT": domain.IDPassport,
	}
)

func invert[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	symptomCodes  = invert(symptomsByCode)
	exposureCodes = invert(exposuresByCode)
	idTypeNames   = invert(idTypes)
)

// dataError says what in an answer was unusable. Its text names a field and a
// fixed reason, never a value, so it may become an UpstreamError's Reason.
type dataError struct {
	field, why string
}

func (e *dataError) Error() string {
	if e.field == "" {
		return e.why
	}
	return e.field + ": " + e.why
}

func bad(field, why string) error { return &dataError{field: field, why: why} }

// strict decodes one JSON value into v: trailing data and type mismatches
// are bad upstream data. Unknown fields are ignored: the police system adds
// fields in minor versions, and the hub must not break when it does.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && safeFieldName(te.Field) != "" {
			return bad(te.Field, "wrong JSON type")
		}
		return bad("", "malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("", "data after the JSON value")
	}
	return nil
}

func need(field string, s *string) (string, error) {
	if s == nil || *s == "" {
		return "", bad(field, "missing")
	}
	return *s, nil
}

func parseTime(field string, s *string) (time.Time, error) {
	v, err := need(field, s)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, bad(field, "not an RFC 3339 time")
	}
	return t, nil
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// person checks an identity document pair and returns the ID.
func person(idType, idNumber *string) (string, error) {
	t, err := need("id_type", idType)
	if err != nil {
		return "", err
	}
	kind, ok := idTypes[t]
	if !ok {
		return "", bad("id_type", "unknown value")
	}
	n, err := need("id_number", idNumber)
	if err != nil {
		return "", err
	}
	if domain.ClassifyID(n) != kind {
		return "", bad("id_number", "does not match id_type")
	}
	return n, nil
}

func sexFromCode(field string, v *int) (domain.Sex, error) {
	if v == nil {
		return domain.SexUnknown, bad(field, "missing")
	}
	switch *v {
	case 0, 9: // ISO/IEC 5218 not known / not applicable
		return domain.SexUnknown, nil
	case 1:
		return domain.SexMale, nil
	case 2:
		return domain.SexFemale, nil
	}
	return domain.SexUnknown, bad(field, "unknown value")
}

func decodeError(b []byte) (errorJSON, error) {
	var e errorJSON
	if err := json.Unmarshal(b, &e); err != nil {
		return errorJSON{}, bad("", "malformed error answer")
	}
	return e, nil
}

// decodeDeclaration maps one stored declaration to the domain.
func decodeDeclaration(raw []byte) (domain.HealthDeclaration, error) {
	var w declarationJSON
	if err := strict(raw, &w); err != nil {
		return domain.HealthDeclaration{}, err
	}
	var d domain.HealthDeclaration
	var err error
	if d.ID, err = need("id", w.ID); err != nil {
		return d, err
	}
	kind, err := need("declaration_type", w.DeclarationType)
	if err != nil {
		return d, err
	}
	var ok bool
	if d.Kind, ok = declarationKinds[kind]; !ok {
		return d, bad("declaration_type", "unknown value")
	}
	if d.SubmittedAt, err = parseTime("submitted_at", w.SubmittedAt); err != nil {
		return d, err
	}
	if d.PersonID, err = person(w.IDType, w.IDNumber); err != nil {
		return d, err
	}
	if d.FullName, err = need("full_name", w.FullName); err != nil {
		return d, err
	}
	d.FullName = vntext.Normalize(d.FullName)
	if w.BirthYear == nil {
		return d, bad("birth_year", "missing")
	}
	d.BirthYear = *w.BirthYear
	if d.BirthYear != 0 && (d.BirthYear < 1850 || d.BirthYear > 2400) {
		return d, bad("birth_year", "implausible")
	}
	if d.Sex, err = sexFromCode("sex", w.Sex); err != nil {
		return d, err
	}
	d.Nationality = strings.ToUpper(strings.TrimSpace(opt(w.Nationality)))
	d.Phone = strings.TrimSpace(opt(w.Phone))
	if w.Contact == nil {
		return d, bad("contact", "missing")
	}
	d.CommuneCode = strings.TrimSpace(opt(w.Contact.CommuneCode))
	d.Address = vntext.Normalize(opt(w.Contact.Address))
	d.Transport = vntext.Normalize(opt(w.Transport))
	d.Symptoms = make([]domain.Symptom, 0, len(w.Symptoms))
	for _, code := range w.Symptoms {
		s, ok := symptomsByCode[code]
		if !ok {
			return d, bad("symptoms_14d", "unknown value")
		}
		d.Symptoms = append(d.Symptoms, s)
	}
	d.Exposures = make([]domain.Exposure, 0, len(w.Exposures))
	for _, code := range w.Exposures {
		e, ok := exposuresByCode[code]
		if !ok {
			return d, bad("exposures_14d", "unknown value")
		}
		d.Exposures = append(d.Exposures, e)
	}
	return d, nil
}

// decodePassage maps one stored passage to the domain.
func decodePassage(raw []byte) (domain.Passage, error) {
	var w passageJSON
	if err := strict(raw, &w); err != nil {
		return domain.Passage{}, err
	}
	var p domain.Passage
	var err error
	if p.ID, err = need("id", w.ID); err != nil {
		return p, err
	}
	if p.CheckpointCode, err = need("checkpoint_code", w.CheckpointCode); err != nil {
		return p, err
	}
	p.CheckpointName = vntext.Normalize(opt(w.CheckpointName))
	if p.Time, err = parseTime("passed_at", w.PassedAt); err != nil {
		return p, err
	}
	dir, err := need("direction", w.Direction)
	if err != nil {
		return p, err
	}
	switch p.Direction = domain.Direction(dir); p.Direction {
	case domain.DirectionIn, domain.DirectionOut:
	default:
		return p, bad("direction", "unknown value")
	}
	if p.OriginCommune, err = communeCode("origin_commune_code", w.OriginCommuneCode); err != nil {
		return p, err
	}
	if p.DestinationCommune, err = communeCode("destination_commune_code", w.DestinationCommuneCode); err != nil {
		return p, err
	}
	p.Vehicle = vntext.Normalize(opt(w.Vehicle))
	if p.PersonID, err = person(w.IDType, w.IDNumber); err != nil {
		return p, err
	}
	if p.FullName, err = need("full_name", w.FullName); err != nil {
		return p, err
	}
	p.FullName = vntext.Normalize(p.FullName)
	p.Nationality = strings.ToUpper(strings.TrimSpace(opt(w.Nationality)))
	return p, nil
}

func communeCode(field string, s *string) (string, error) {
	v, err := need(field, s)
	if err != nil {
		return "", err
	}
	if len(v) != 5 || !allDigits(v) {
		return "", bad(field, "not a 5-digit commune code")
	}
	return v, nil
}

func allDigits(s string) bool {
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

// personResult is one person's part of a :search answer.
type personResult[T any] struct {
	items []T
	err   error // ErrNotFound or bad data for this person
}

// decodeSearch decodes a :search answer into per-person results for the
// requested IDs. A malformed answer is an error for the whole call; a bad
// record only spoils its person's result.
func decodeSearch[T any](b []byte, listName string, want []string, decodeItem func([]byte) (T, error),
	timeOf func(T) time.Time) (map[string]personResult[T], error) {
	var env struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := strict(b, &env); err != nil {
		return nil, err
	}
	if env.Results == nil {
		return nil, bad("results", "missing")
	}
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		wanted[id] = true
	}
	out := make(map[string]personResult[T], len(want))
	for _, raw := range env.Results {
		id, found, items, err := decodeResult(raw, listName)
		if err != nil {
			return nil, err
		}
		if !wanted[id] {
			continue // not ours: ignore rather than misattribute
		}
		if _, dup := out[id]; dup {
			out[id] = personResult[T]{err: bad("results", "person answered twice")}
			continue
		}
		if !found {
			if len(items) > 0 {
				out[id] = personResult[T]{err: bad("found", "false with records")}
			} else {
				out[id] = personResult[T]{err: errNotFound}
			}
			continue
		}
		res := personResult[T]{items: make([]T, 0, len(items))}
		for _, it := range items {
			v, err := decodeItem(it)
			if err != nil {
				res = personResult[T]{err: err}
				break
			}
			res.items = append(res.items, v)
		}
		sortNewestFirst(res.items, timeOf)
		out[id] = res
	}
	return out, nil
}

// errNotFound marks a person the system knows nothing of.
var errNotFound = errors.New("no such person")

func decodeResult(raw []byte, listName string) (string, bool, []json.RawMessage, error) {
	switch listName {
	case "declarations":
		var r declarationResultJSON
		if err := strict(raw, &r); err != nil {
			return "", false, nil, err
		}
		id, err := need("person_id", r.PersonID)
		if err != nil || r.Found == nil {
			return "", false, nil, bad("results", "person_id or found missing")
		}
		if r.Declarations == nil {
			return "", false, nil, bad("declarations", "missing")
		}
		return id, *r.Found, r.Declarations, nil
	default:
		var r passageResultJSON
		if err := strict(raw, &r); err != nil {
			return "", false, nil, err
		}
		id, err := need("person_id", r.PersonID)
		if err != nil || r.Found == nil {
			return "", false, nil, bad("results", "person_id or found missing")
		}
		if r.Passages == nil {
			return "", false, nil, bad("passages", "missing")
		}
		return id, *r.Found, r.Passages, nil
	}
}

func decodeDeclarationSearch(b []byte, want []string) (map[string]personResult[domain.HealthDeclaration], error) {
	return decodeSearch(b, "declarations", want, decodeDeclaration,
		func(d domain.HealthDeclaration) time.Time { return d.SubmittedAt })
}

func decodePassageSearch(b []byte, want []string) (map[string]personResult[domain.Passage], error) {
	return decodeSearch(b, "passages", want, decodePassage,
		func(p domain.Passage) time.Time { return p.Time })
}

// decodeArrivals decodes one page of arrivals; every item must be an IN passage.
func decodeArrivals(b []byte) ([]domain.Passage, string, error) {
	var env arrivalsJSON
	if err := strict(b, &env); err != nil {
		return nil, "", err
	}
	if env.Arrivals == nil {
		return nil, "", bad("arrivals", "missing")
	}
	if len(env.NextPageToken) > maxCursorBytes {
		return nil, "", bad("next_page_token", "too long")
	}
	out := make([]domain.Passage, 0, len(env.Arrivals))
	for _, raw := range env.Arrivals {
		p, err := decodePassage(raw)
		if err != nil {
			return nil, "", err
		}
		if p.Direction != domain.DirectionIn {
			return nil, "", bad("direction", "arrival is not an IN passage")
		}
		out = append(out, p)
	}
	return out, env.NextPageToken, nil
}

// decodeZones decodes the epidemic zones answer.
func decodeZones(b []byte) ([]domain.EpidemicZone, error) {
	var env zonesJSON
	if err := strict(b, &env); err != nil {
		return nil, err
	}
	if env.Zones == nil {
		return nil, bad("zones", "missing")
	}
	out := make([]domain.EpidemicZone, 0, len(env.Zones))
	for _, raw := range env.Zones {
		var w zoneJSON
		if err := strict(raw, &w); err != nil {
			return nil, err
		}
		var z domain.EpidemicZone
		var err error
		if z.AdminUnit, err = need("admin_unit_code", w.AdminUnitCode); err != nil {
			return nil, err
		}
		if !allDigits(z.AdminUnit) || (len(z.AdminUnit) != 2 && len(z.AdminUnit) != 5) {
			return nil, bad("admin_unit_code", "not a province or commune code")
		}
		z.Name = vntext.Normalize(opt(w.AdminUnitName))
		if w.Level == nil {
			return nil, bad("level", "missing")
		}
		var ok bool
		if z.Level, ok = riskByLevel[*w.Level]; !ok {
			return nil, bad("level", "unknown value")
		}
		if z.ValidFrom, err = parseTime("valid_from", w.ValidFrom); err != nil {
			return nil, err
		}
		if w.ValidUntil != nil {
			if z.ValidUntil, err = parseTime("valid_until", w.ValidUntil); err != nil {
				return nil, err
			}
			if !z.ValidUntil.After(z.ValidFrom) {
				return nil, bad("valid_until", "not after valid_from")
			}
		}
		out = append(out, z)
	}
	return out, nil
}
