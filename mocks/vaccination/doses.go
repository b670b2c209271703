package vaccination

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// doseRequest is POST /api/v1/doses: the dose and the identity as the
// vaccination site entered it.
type doseRequest struct {
	PersonID   string `json:"personId"`
	FullName   string `json:"fullName"`
	Sex        string `json:"sex"`
	BirthDate  string `json:"birthDate"`
	DoseNumber int    `json:"doseNumber"`
	DoseType   string `json:"doseType"`
	Date       string `json:"date"`
	Vaccine    string `json:"vaccine"`
	Lot        string `json:"lot"`
	SiteCode   string `json:"siteCode"`
}

const (
	maxDoseNumber = 10
	maxNameRunes  = 100
)

// firstVaccination is the day Vietnam's COVID-19 vaccination began; the
// platform refuses earlier dose dates.
var firstVaccination = domain.Date{Year: 2021, Month: time.March, Day: 8}

// lotPattern is the manufacturers' lot number alphabet as printed on vials.
var lotPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,19}$`)

var idemKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// parsedDose is a structurally valid dose request.
type parsedDose struct {
	entered domain.RecordedIdentity
	dose    domain.Dose
	vaccine string // platform code as sent
}

func (s *Server) parseDoseRequest(req doseRequest) (parsedDose, []errorDetail) {
	var bad []errorDetail
	flag := func(field, issue string) { bad = append(bad, errorDetail{Field: field, Issue: issue}) }
	var p parsedDose
	if !validPersonID(req.PersonID) {
		flag("personId", "INVALID_FORMAT")
	}
	name := strings.Join(strings.Fields(norm.NFC.String(req.FullName)), " ")
	switch {
	case name == "":
		flag("fullName", "REQUIRED")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameRunes:
		flag("fullName", "INVALID_FORMAT")
	}
	sex, ok := sexByCode(req.Sex)
	if !ok {
		flag("sex", "UNKNOWN_VALUE")
	}
	birth, err := domain.ParseISODate(req.BirthDate)
	if err != nil || !birth.Valid() {
		flag("birthDate", "INVALID_FORMAT")
	}
	if req.DoseNumber < 1 || req.DoseNumber > maxDoseNumber {
		flag("doseNumber", "OUT_OF_RANGE")
	}
	kind, ok := doseKindByType(req.DoseType)
	if !ok {
		flag("doseType", "UNKNOWN_VALUE")
	}
	date, err := domain.ParseISODate(req.Date)
	if err != nil || date.YearOnly() || !date.Valid() {
		flag("date", "INVALID_FORMAT")
	}
	if req.Vaccine == "" {
		flag("vaccine", "REQUIRED")
	}
	if req.Lot == "" {
		flag("lot", "REQUIRED")
	}
	if req.SiteCode == "" {
		flag("siteCode", "REQUIRED")
	}
	p.entered = domain.RecordedIdentity{ID: req.PersonID, FullName: name, Sex: sex, BirthDate: birth}
	p.dose = domain.Dose{PersonID: req.PersonID, Number: req.DoseNumber, Kind: kind, Date: date, Lot: req.Lot,
		Site: domain.Site{Code: req.SiteCode}}
	p.vaccine = req.Vaccine
	return p, bad
}

type doseReject struct {
	status  int
	code    string
	message string
	details []errorDetail
}

func (s *Server) handleRecordDose(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idemKeyPattern.MatchString(key) {
		s.invalid(w, r, errorDetail{Field: "Idempotency-Key", Issue: "INVALID_FORMAT"})
		return
	}
	var req doseRequest
	if !s.decodeBody(w, r, maxWriteBody, &req) {
		return
	}
	p, bad := s.parseDoseRequest(req)
	if len(bad) > 0 {
		s.invalid(w, r, bad...)
		return
	}
	canon, _ := json.Marshal(req)
	fp := sha256.Sum256(canon)

	// Everything from here is checked and written under the store lock, so
	// that two concurrent requests cannot both pass the sequence check.
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	idemID := s.clientID + "\x00" + key
	if key != "" {
		if e, ok := st.idem[idemID]; ok {
			if e.fingerprint != fp {
				s.writeError(w, r, http.StatusUnprocessableEntity, codeIdempotencyReused,
					"Idempotency-Key was already used with a different request")
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeJSON(w, e.status, e.body)
			return
		}
	}
	heldUnder, rej := s.checkDose(&p)
	if rej != nil {
		s.writeErrorDetails(w, r, rej.status, rej.code, rej.message, rej.details)
		return
	}
	writes := 1
	if key != "" {
		writes++
	}
	if err := st.reserve(writes); err != nil {
		s.writeError(w, r, http.StatusInsufficientStorage, codeResourceExhausted, "the platform cannot accept more writes")
		return
	}
	now := s.now()
	d := p.dose
	d.PersonID = heldUnder
	d.RecordID = fmt.Sprintf("TCW%010d", st.nextSeq())
	ov, ok := st.records[heldUnder]
	if !ok {
		entered := p.entered
		entered.ID = heldUnder
		ov = &overlayRecord{identity: entered, commune: s.responsibleCommune(heldUnder, d.Site), created: now}
		st.records[heldUnder] = ov
	}
	ov.doses = append(ov.doses, d)
	body := toWireDose(d)
	if key != "" {
		st.idem[idemID] = idemEntry{fingerprint: fp, status: http.StatusCreated, body: body}
	}
	writeJSON(w, http.StatusCreated, body)
}

// checkDose applies the platform's rules to a structurally valid dose and
// returns the id the record is held under. Caller holds the store lock.
func (s *Server) checkDose(p *parsedDose) (string, *doseReject) {
	unprocessable := func(code, msg string, details ...errorDetail) *doseReject {
		return &doseReject{status: http.StatusUnprocessableEntity, code: code, message: msg, details: details}
	}
	vaccine, ok := vaccineByCode(p.vaccine)
	if !ok {
		return "", unprocessable(codeUnknownVaccine, "vaccine is not a known product code",
			errorDetail{Field: "vaccine", Issue: "UNKNOWN_VALUE"})
	}
	p.dose.Vaccine = vaccine
	if !lotPattern.MatchString(p.dose.Lot) {
		return "", unprocessable(codeInvalidLot, "lot number is not in the manufacturers' format",
			errorDetail{Field: "lot", Issue: "INVALID_FORMAT"})
	}
	site, ok := s.pop.Site(p.dose.Site.Code)
	if !ok {
		return "", unprocessable(codeUnknownSite, "no vaccination site has this code",
			errorDetail{Field: "siteCode", Issue: "UNKNOWN_VALUE"})
	}
	p.dose.Site = site
	today := domain.DateOf(s.now().In(ict))
	if p.dose.Date.Time().After(today.Time()) {
		return "", unprocessable(codeInvalidDoseDate, "dose date is in the future",
			errorDetail{Field: "date", Issue: "IN_FUTURE"})
	}
	if p.dose.Date.Time().Before(firstVaccination.Time()) {
		return "", unprocessable(codeInvalidDoseDate, "dose date precedes the vaccination campaign",
			errorDetail{Field: "date", Issue: "TOO_EARLY"})
	}

	// Since 20 October 2021 the platform verifies every citizen against the
	// population database before a dose is accepted. Foreigners are exempt.
	candidates := []string{p.entered.ID}
	if domain.ClassifyID(p.entered.ID) != domain.IDPassport {
		idx, ok := s.pop.Lookup(p.entered.ID)
		if !ok {
			return "", unprocessable(codeIdentityNotVerified, "the population database holds no citizen with this ID",
				errorDetail{Field: "personId", Issue: "NOT_IN_REGISTRY"})
		}
		person := s.pop.At(idx)
		if bad := verifyIdentity(p.entered, person); len(bad) > 0 {
			details := make([]errorDetail, len(bad))
			for i, f := range bad {
				details[i] = errorDetail{Field: identityFieldName[f], Issue: "MISMATCH"}
			}
			return "", unprocessable(codeIdentityNotVerified, "identity does not match the population database", details...)
		}
		// The registry links the person's IDs: a record held under the
		// other one receives the dose.
		for _, other := range []string{person.ID, person.OldID} {
			if other != "" && other != p.entered.ID {
				candidates = append(candidates, other)
			}
		}
	}
	heldUnder := p.entered.ID
	var existing []domain.Dose
	for _, id := range candidates {
		ov, hasOv := s.store.overlayCopy(id)
		v, ok := s.pop.PlatformRecord(id)
		if m, found := mergeOverlay(v, ok, id, ov, hasOv); found {
			heldUnder, existing = id, m.Record.Doses
			break
		}
	}
	n := p.dose.Number
	var prev *domain.Dose
	for i := range existing {
		switch existing[i].Number {
		case n:
			return "", unprocessable(codeInvalidDoseNumber, "this dose number is already recorded",
				errorDetail{Field: "doseNumber", Issue: "ALREADY_RECORDED"})
		case n - 1:
			prev = &existing[i]
		}
	}
	if n > 1 && prev == nil {
		return "", unprocessable(codeInvalidDoseNumber, "the previous dose is not recorded",
			errorDetail{Field: "doseNumber", Issue: "PREVIOUS_DOSE_MISSING"})
	}
	if prev != nil && p.dose.Date.Time().Before(prev.Date.Time()) {
		return "", unprocessable(codeInvalidDoseDate, "dose date precedes the previous dose",
			errorDetail{Field: "date", Issue: "BEFORE_PREVIOUS_DOSE"})
	}
	return heldUnder, nil
}

var identityFieldName = map[domain.IdentityField]string{
	domain.FieldID:        "personId",
	domain.FieldFullName:  "fullName",
	domain.FieldSex:       "sex",
	domain.FieldBirthDate: "birthDate",
}

// responsibleCommune is the commune that confirms a record created through
// the API: the citizen's commune of residence, or the site's for foreigners.
func (s *Server) responsibleCommune(id string, site domain.Site) string {
	if idx, ok := s.pop.Lookup(id); ok {
		if c := s.pop.At(idx).Current.CommuneCode; c != "" {
			return c
		}
	}
	if j, ok := s.pop.ForeignerByPassport(id); ok {
		if c := s.pop.ForeignerAt(j).Current.CommuneCode; c != "" {
			return c
		}
	}
	return site.CommuneCode
}
