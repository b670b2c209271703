package vaccination

import (
	"fmt"
	"net/http"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// Batch limits of the :batchGet methods.
const (
	maxBatchPeople = 100
	maxAlternates  = 5
)

type batchRequest struct {
	People []personRef `json:"people"`
}

type personRef struct {
	PersonID     string   `json:"personId"`
	AlternateIDs []string `json:"alternateIds"`
}

type batchResponse struct {
	Results []batchResult `json:"results"`
}

// batchResult answers one requested person, in request order.
type batchResult struct {
	RequestedID    string              `json:"requestedId"`
	Status         string              `json:"status"` // FOUND or NOT_FOUND
	Vaccination    *wireVaccination    `json:"vaccination,omitempty"`
	Certificate    *wireCertificate    `json:"certificate,omitempty"`
	Reconciliation *wireReconciliation `json:"reconciliation,omitempty"`
}

const (
	resultFound    = "FOUND"
	resultNotFound = "NOT_FOUND"
)

// validPersonID accepts what the platform stores people under: a 12-digit
// personal ID, a 9-digit CMND or a passport number.
func validPersonID(id string) bool {
	return domain.ClassifyID(id) != domain.IDUnknown
}

// readBatch decodes and validates a batch request; it writes the error and
// returns false when the request is refused.
func (s *Server) readBatch(w http.ResponseWriter, r *http.Request) ([]personRef, bool) {
	var req batchRequest
	if !s.decodeBody(w, r, maxBatchBody, &req) {
		return nil, false
	}
	switch {
	case len(req.People) == 0:
		s.invalid(w, r, errorDetail{Field: "people", Issue: "REQUIRED"})
		return nil, false
	case len(req.People) > maxBatchPeople:
		s.writeErrorDetails(w, r, http.StatusBadRequest, codeBatchTooLarge,
			fmt.Sprintf("at most %d people per request", maxBatchPeople),
			[]errorDetail{{Field: "people", Issue: "TOO_MANY"}})
		return nil, false
	}
	var bad []errorDetail
	for i, p := range req.People {
		if !validPersonID(p.PersonID) {
			bad = append(bad, errorDetail{Field: fmt.Sprintf("people[%d].personId", i), Issue: "INVALID_FORMAT"})
		}
		if len(p.AlternateIDs) > maxAlternates {
			bad = append(bad, errorDetail{Field: fmt.Sprintf("people[%d].alternateIds", i), Issue: "TOO_MANY"})
			continue
		}
		for j, a := range p.AlternateIDs {
			if !validPersonID(a) {
				bad = append(bad, errorDetail{Field: fmt.Sprintf("people[%d].alternateIds[%d]", i, j), Issue: "INVALID_FORMAT"})
			}
		}
	}
	if len(bad) > 0 {
		if len(bad) > 20 {
			bad = bad[:20]
		}
		s.invalid(w, r, bad...)
		return nil, false
	}
	return req.People, true
}

// find returns the record held under the person's id or, failing that, under
// the first alternate id that has one.
func (s *Server) find(p personRef) (synth.Vaccination, bool) {
	if v, ok := s.recordUnder(p.PersonID); ok {
		return v, true
	}
	for _, a := range p.AlternateIDs {
		if v, ok := s.recordUnder(a); ok {
			return v, true
		}
	}
	return synth.Vaccination{}, false
}

func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, fill func(*batchResult, synth.Vaccination)) {
	people, ok := s.readBatch(w, r)
	if !ok {
		return
	}
	out := batchResponse{Results: make([]batchResult, len(people))}
	for i, p := range people {
		res := batchResult{RequestedID: p.PersonID, Status: resultNotFound}
		if v, ok := s.find(p); ok {
			res.Status = resultFound
			fill(&res, v)
		}
		out.Results[i] = res
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleVaccinationsBatch(w http.ResponseWriter, r *http.Request) {
	s.serveBatch(w, r, func(res *batchResult, v synth.Vaccination) {
		wv := toWireVaccination(v.Record)
		res.Vaccination = &wv
	})
}

func (s *Server) handleCertificatesBatch(w http.ResponseWriter, r *http.Request) {
	s.serveBatch(w, r, func(res *batchResult, v synth.Vaccination) {
		c := v.Certificate
		if c.PersonID == "" {
			c.PersonID = v.Record.PersonID
		}
		wc := toWireCertificate(c)
		res.Certificate = &wc
	})
}

func (s *Server) handleReconciliationBatch(w http.ResponseWriter, r *http.Request) {
	s.serveBatch(w, r, func(res *batchResult, v synth.Vaccination) {
		wr := toWireReconciliation(v.Reconciliation)
		res.Reconciliation = &wr
	})
}
