package checkpoint

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// declarationRequest is the body of POST /api/v1/health-declarations.
type declarationRequest struct {
	DeclarationType string       `json:"declaration_type"`
	IDType          string       `json:"id_type"`
	IDNumber        string       `json:"id_number"`
	FullName        string       `json:"full_name"`
	BirthYear       *int         `json:"birth_year"`
	Sex             *int         `json:"sex"`
	Nationality     string       `json:"nationality"`
	Phone           string       `json:"phone"`
	Contact         *contactJSON `json:"contact"`
	Transport       string       `json:"transport"`
	Symptoms        []string     `json:"symptoms_14d"`
	Exposures       []string     `json:"exposures_14d"`
}

// searchRequest is the body of both :search operations.
type searchRequest struct {
	PersonIDs []string `json:"person_ids"`
	Since     string   `json:"since"`
}

type declarationResult struct {
	PersonID     string            `json:"person_id"`
	Found        bool              `json:"found"`
	Declarations []declarationJSON `json:"declarations"`
}

type declarationSearchResponse struct {
	Results []declarationResult `json:"results"`
}

func (s *Server) submitDeclaration(w http.ResponseWriter, r *http.Request) {
	key, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req declarationRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	now := s.now()
	d, probs := s.validateDeclaration(req, now)
	if len(probs) > 0 {
		writeError(w, r, http.StatusUnprocessableEntity, "declaration failed validation", probs)
		return
	}
	d.SubmittedAt = now.In(ict).Truncate(time.Second)
	out, replayed, err := s.store.addDeclaration(write{op: OpDeclarationsSubmit, key: key, digest: sha256.Sum256(body)}, d,
		func(d domain.HealthDeclaration) ([]byte, error) { return json.Marshal(declarationWire(d)) })
	s.writeStored(w, r, out, replayed, err)
}

// writeStored answers a write: 201 with the stored record, replays marked.
func (s *Server) writeStored(w http.ResponseWriter, r *http.Request, body []byte, replayed bool, err error) {
	switch {
	case errors.Is(err, errIdempotencyConflict):
		writeError(w, r, http.StatusConflict, "Idempotency-Key was already used for a different request", nil)
	case errors.Is(err, errQuotaExhausted):
		writeError(w, r, http.StatusInsufficientStorage, "storage quota exhausted: no more records accepted", nil)
	case err != nil:
		writeError(w, r, http.StatusInternalServerError, "internal error", nil)
	default:
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeRaw(w, r, http.StatusCreated, body)
	}
}

// idempotencyKey reads the optional Idempotency-Key header: 1-255 visible ASCII characters.
func idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", true
	}
	if len(k) > 255 {
		writeError(w, r, http.StatusBadRequest, "Idempotency-Key must be at most 255 characters", nil)
		return "", false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			writeError(w, r, http.StatusBadRequest, "Idempotency-Key must be visible ASCII characters", nil)
			return "", false
		}
	}
	return k, true
}

// validateDeclaration checks every field of a declaration and builds the
// record to store. Problems are reported per field, never echoing values.
func (s *Server) validateDeclaration(req declarationRequest, now time.Time) (domain.HealthDeclaration, problems) {
	var p problems
	var d domain.HealthDeclaration

	switch kind, ok := declarationTypes[req.DeclarationType]; {
	case req.DeclarationType == "":
		p.add("declaration_type", feRequired, "is required")
	case !ok:
		p.add("declaration_type", feUnknownValue, "must be one of ENTRY, DOMESTIC_TRAVEL, GENERAL")
	default:
		d.Kind = kind
	}

	d.PersonID = p.identity("id_type", "id_number", req.IDType, req.IDNumber)
	d.FullName = p.personName("full_name", req.FullName)

	year := now.In(ict).Year()
	switch {
	case req.BirthYear == nil:
		p.add("birth_year", feRequired, "is required")
	case *req.BirthYear < 1900 || *req.BirthYear > year:
		p.add("birth_year", feOutOfRange, fmt.Sprintf("must be between 1900 and %d", year))
	default:
		d.BirthYear = *req.BirthYear
	}

	switch {
	case req.Sex == nil:
		p.add("sex", feRequired, "is required")
	case *req.Sex != sexMale && *req.Sex != sexFemale:
		p.add("sex", feUnknownValue, "must be 1 (male) or 2 (female), ISO/IEC 5218")
	default:
		d.Sex = sexOf(*req.Sex)
	}

	// The 12-digit ID encodes birth year and sex; the system refuses a form
	// that contradicts it.
	if req.IDType == idTypeCCCD {
		if pid, err := domain.ParsePersonalID(d.PersonID); err == nil {
			if d.BirthYear != 0 && pid.BirthYear != d.BirthYear {
				p.add("birth_year", feInconsistent, "does not match the personal ID")
			}
			if d.Sex != domain.SexUnknown && pid.Sex != d.Sex {
				p.add("sex", feInconsistent, "does not match the personal ID")
			}
		}
	}

	d.Nationality = p.nationality("nationality", req.Nationality, req.IDType, s.countries)
	d.Phone = p.phone("phone", req.Phone)

	if req.Contact == nil {
		p.add("contact", feRequired, "is required")
	} else {
		d.CommuneCode = s.commune(&p, "contact.commune_code", req.Contact.CommuneCode)
		d.Address, _ = p.text("contact.address", req.Contact.Address, true, 200)
	}

	travel := d.Kind == domain.DeclarationEntry || d.Kind == domain.DeclarationDomestic
	d.Transport, _ = p.text("transport", req.Transport, travel, 100)

	d.Symptoms = make([]domain.Symptom, 0, len(req.Symptoms))
	seen := map[string]bool{}
	for i, code := range req.Symptoms {
		field := fmt.Sprintf("symptoms_14d[%d]", i)
		sym, ok := symptomByCode(code)
		switch {
		case !ok:
			p.add(field, feUnknownValue, "is not a known symptom code")
		case seen[code]:
			p.add(field, feDuplicate, "is listed twice")
		default:
			seen[code] = true
			d.Symptoms = append(d.Symptoms, sym)
		}
	}
	d.Exposures = make([]domain.Exposure, 0, len(req.Exposures))
	seen = map[string]bool{}
	for i, code := range req.Exposures {
		field := fmt.Sprintf("exposures_14d[%d]", i)
		exp, ok := exposureByCode(code)
		switch {
		case !ok:
			p.add(field, feUnknownValue, "is not a known exposure code")
		case seen[code]:
			p.add(field, feDuplicate, "is listed twice")
		default:
			seen[code] = true
			d.Exposures = append(d.Exposures, exp)
		}
	}
	return d, p
}

func symptomByCode(code string) (domain.Symptom, bool) {
	for s, c := range symptomCodes {
		if c == code {
			return s, true
		}
	}
	return "", false
}

func exposureByCode(code string) (domain.Exposure, bool) {
	for e, c := range exposureCodes {
		if c == code {
			return e, true
		}
	}
	return "", false
}

// parseSearch decodes and validates a :search body; it writes the error itself.
func parseSearch(w http.ResponseWriter, r *http.Request) ([]string, time.Time, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return nil, time.Time{}, false
	}
	var req searchRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error(), nil)
		return nil, time.Time{}, false
	}
	var p problems
	ids := p.personIDs("person_ids", req.PersonIDs)
	since := p.timestamp("since", req.Since, false)
	if len(p) > 0 {
		writeError(w, r, http.StatusUnprocessableEntity, "search failed validation", p)
		return nil, time.Time{}, false
	}
	sort.Strings(ids)
	return ids, since, true
}

// subject is what the system knows about a searched ID: the keys its records
// may be held under, and the citizen index when the population database knows it.
type subject struct {
	keys      []string
	citizen   int64
	isCitizen bool
	known     bool
}

// resolve links an ID to a person: a citizen through the population database
// (so a record held under the old CMND is found by the new ID and vice versa),
// a foreign resident through the passport register.
func (s *Server) resolve(id string) subject {
	sub := subject{keys: []string{id}}
	switch domain.ClassifyID(id) {
	case domain.IDPersonal, domain.IDOld:
		if i, ok := s.pop.Lookup(id); ok {
			person := s.pop.At(i)
			sub.keys = append(sub.keys, person.ID, person.OldID)
			sub.citizen, sub.isCitizen, sub.known = i, true, true
		}
	case domain.IDPassport:
		if _, ok := s.pop.ForeignerByPassport(id); ok {
			sub.known = true
		}
	}
	return sub
}

func (s *Server) searchDeclarations(w http.ResponseWriter, r *http.Request) {
	ids, since, ok := parseSearch(w, r)
	if !ok {
		return
	}
	resp := declarationSearchResponse{Results: make([]declarationResult, 0, len(ids))}
	for _, id := range ids {
		sub := s.resolve(id)
		var all []domain.HealthDeclaration
		if sub.isCitizen {
			all = append(all, s.pop.Declarations(sub.citizen)...)
		}
		stored := s.store.declarationsOf(sub.keys)
		all = append(all, stored...)
		res := declarationResult{PersonID: id, Found: sub.known || len(stored) > 0, Declarations: []declarationJSON{}}
		sortDeclarations(all)
		for _, d := range all {
			if !since.IsZero() && d.SubmittedAt.Before(since) {
				continue
			}
			res.Declarations = append(res.Declarations, declarationWire(d))
		}
		resp.Results = append(resp.Results, res)
	}
	writeJSON(w, r, http.StatusOK, resp)
}
