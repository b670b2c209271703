package vaccination

import (
	"encoding/binary"
	"net/http"
	"strconv"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// List limits.
const (
	defaultPageSize = 50
	maxPageSize     = 100
	// scanBudget bounds the residents one list request examines. When a
	// filter is selective the page may come back short, even empty, with a
	// nextPageToken: clients must follow the token, not count items.
	defaultScanBudget = 10_000
)

type reconListResponse struct {
	Reconciliations []wireReconciliation `json:"reconciliations"`
	NextPageToken   string               `json:"nextPageToken"`
}

var reconStatuses = map[string]bool{
	string(domain.ReconMatch): true, string(domain.ReconMismatch): true,
	string(domain.ReconPending): true, string(domain.ReconNotApplicable): true,
}

// parsePageSize reads pageSize: absent → default, above the max → the max
// (as the platform coerces), negative or not a number → refused.
func parsePageSize(raw string) (int, bool) {
	if raw == "" {
		return defaultPageSize, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, false
	}
	if n == 0 {
		return defaultPageSize, true
	}
	return min(n, maxPageSize), true
}

func validCommuneCode(code string) bool {
	if len(code) != 5 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Server) handleReconciliationList(w http.ResponseWriter, r *http.Request) {
	commune := r.PathValue("communeCode")
	q := r.URL.Query()
	status := q.Get("status")
	pageSize, ok := parsePageSize(q.Get("pageSize"))
	var bad []errorDetail
	if !validCommuneCode(commune) {
		bad = append(bad, errorDetail{Field: "communeCode", Issue: "INVALID_FORMAT"})
	}
	if status != "" && !reconStatuses[status] {
		bad = append(bad, errorDetail{Field: "status", Issue: "UNKNOWN_VALUE"})
	}
	if !ok {
		bad = append(bad, errorDetail{Field: "pageSize", Issue: "INVALID_VALUE"})
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad...)
		return
	}
	if s.pop.Directory().Level(commune) != adminunit.LevelCommune {
		s.writeError(w, r, http.StatusNotFound, codeNotFound, "no such commune")
		return
	}
	scope := "reconciliation|" + commune + "|" + status
	var from int64
	if tok := q.Get("pageToken"); tok != "" {
		payload, err := s.pages.open(scope, tok)
		pos, n := binary.Uvarint(payload)
		if err != nil || n <= 0 || n != len(payload) || pos > 1<<62 {
			s.writeError(w, r, http.StatusBadRequest, codeInvalidPageToken,
				"page token is malformed or was issued for another query")
			return
		}
		from = int64(pos)
	}

	out := reconListResponse{Reconciliations: make([]wireReconciliation, 0, pageSize)}
	var next int64 = -1
	scanned := 0
	s.store.mu.RLock()
	hasWrites := len(s.store.records) > 0
	s.store.mu.RUnlock()
	s.pop.EachResident(commune, from, func(pos, i int64) bool {
		if scanned >= s.scanBudget {
			next = pos
			return false
		}
		scanned++
		v, ok := s.residentRecord(i, hasWrites)
		if !ok || (status != "" && string(v.Reconciliation.Status) != status) {
			return true
		}
		if len(out.Reconciliations) == pageSize {
			// One match beyond the page: there is a next page, starting here.
			next = pos
			return false
		}
		out.Reconciliations = append(out.Reconciliations, toWireReconciliation(v.Reconciliation))
		return true
	})
	if next >= 0 {
		out.NextPageToken = s.pages.seal(scope, binary.AppendUvarint(nil, uint64(next)))
	}
	writeJSON(w, http.StatusOK, out)
}

// residentRecord is the platform's record of citizen i, with API writes.
func (s *Server) residentRecord(i int64, hasWrites bool) (synth.Vaccination, bool) {
	v, ok := s.pop.Vaccination(i)
	if !hasWrites {
		return v, ok
	}
	if ok {
		ov, hasOv := s.overlay(v.Record.PersonID)
		return mergeOverlay(v, true, v.Record.PersonID, ov, hasOv)
	}
	// Never vaccinated in synth: a record may have been created through the
	// API under the person's ID or old CMND.
	p := s.pop.At(i)
	for _, id := range []string{p.ID, p.OldID} {
		if id == "" {
			continue
		}
		if v, ok := s.recordUnder(id); ok {
			return v, true
		}
	}
	return synth.Vaccination{}, false
}
