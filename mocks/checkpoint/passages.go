package checkpoint

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// passageRequest is the body of POST /api/v1/checkpoint-passages.
type passageRequest struct {
	CheckpointCode         string `json:"checkpoint_code"`
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

type passageResult struct {
	PersonID string        `json:"person_id"`
	Found    bool          `json:"found"`
	Passages []passageJSON `json:"passages"`
}

type passageSearchResponse struct {
	Results []passageResult `json:"results"`
}

func (s *Server) recordPassage(w http.ResponseWriter, r *http.Request) {
	key, ok := idempotencyKey(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req passageRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}
	p, destProvince, probs := s.validatePassage(req, s.now())
	if len(probs) > 0 {
		writeError(w, r, http.StatusUnprocessableEntity, "passage failed validation", probs)
		return
	}
	out, replayed, err := s.store.addPassage(write{op: OpPassagesRecord, key: key, digest: sha256.Sum256(body)}, p, destProvince,
		func(p domain.Passage) ([]byte, error) { return json.Marshal(passageWire(p)) })
	s.writeStored(w, r, out, replayed, err)
}

// validatePassage checks a passage and builds the record to store, with the
// destination's province (for the arrivals index).
func (s *Server) validatePassage(req passageRequest, now time.Time) (domain.Passage, string, problems) {
	var p problems
	var pa domain.Passage

	cp, cpOK := Checkpoint{}, false
	switch code := trimSpace(req.CheckpointCode); {
	case code == "":
		p.add("checkpoint_code", feRequired, "is required")
	default:
		if cp, cpOK = s.checkpoints.lookup(code); cpOK {
			pa.CheckpointCode, pa.CheckpointName = cp.Code, cp.Name
		} else {
			p.add("checkpoint_code", feNotFound, "no such checkpoint")
		}
	}

	if t := p.timestamp("passed_at", req.PassedAt, true); !t.IsZero() {
		switch {
		case t.After(now.Add(futureSkew)):
			p.add("passed_at", feOutOfRange, "must not be in the future")
		case t.Before(now.Add(-maxPassageAge)):
			p.add("passed_at", feOutOfRange, "must be within the last 30 days")
		default:
			pa.Time = t.In(ict).Truncate(time.Second)
		}
	}

	switch d := domain.Direction(req.Direction); d {
	case "":
		p.add("direction", feRequired, "is required")
	case domain.DirectionIn, domain.DirectionOut:
		pa.Direction = d
	default:
		p.add("direction", feUnknownValue, "must be IN or OUT")
	}

	before := len(p)
	pa.OriginCommune = s.commune(&p, "origin_commune_code", req.OriginCommuneCode)
	pa.DestinationCommune = s.commune(&p, "destination_commune_code", req.DestinationCommuneCode)
	communesOK := len(p) == before
	origProv, _ := s.dir.ProvinceOf(pa.OriginCommune)
	destProv, _ := s.dir.ProvinceOf(pa.DestinationCommune)
	if communesOK {
		if pa.OriginCommune == pa.DestinationCommune {
			p.add("destination_commune_code", feInconsistent, "must differ from the origin commune")
		}
		// A checkpoint guards its province's border: IN ends in its province,
		// OUT starts there.
		switch {
		case !cpOK:
		case pa.Direction == domain.DirectionIn && destProv != cp.ProvinceCode:
			p.add("destination_commune_code", feInconsistent, "must be in the checkpoint's province for an IN passage")
		case pa.Direction == domain.DirectionOut && origProv != cp.ProvinceCode:
			p.add("origin_commune_code", feInconsistent, "must be in the checkpoint's province for an OUT passage")
		}
	}

	pa.Vehicle, _ = p.text("vehicle", req.Vehicle, false, 50)
	pa.PersonID = p.identity("id_type", "id_number", req.IDType, req.IDNumber)
	pa.FullName = p.personName("full_name", req.FullName)
	pa.Nationality = p.nationality("nationality", req.Nationality, req.IDType, s.countries)
	return pa, destProv, p
}

func (s *Server) searchPassages(w http.ResponseWriter, r *http.Request) {
	ids, since, ok := parseSearch(w, r)
	if !ok {
		return
	}
	resp := passageSearchResponse{Results: make([]passageResult, 0, len(ids))}
	for _, id := range ids {
		sub := s.resolve(id)
		var all []domain.Passage
		if sub.isCitizen {
			all = append(all, s.pop.Passages(sub.citizen)...)
		}
		stored := s.store.passagesOf(sub.keys)
		all = append(all, stored...)
		res := passageResult{PersonID: id, Found: sub.known || len(stored) > 0, Passages: []passageJSON{}}
		sortPassages(all)
		for _, pa := range all {
			if !since.IsZero() && pa.Time.Before(since) {
				continue
			}
			res.Passages = append(res.Passages, passageWire(pa))
		}
		resp.Results = append(resp.Results, res)
	}
	writeJSON(w, r, http.StatusOK, resp)
}
