package checkpoint

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// errQuotaExhausted is returned when the in-memory write budget is spent.
var errQuotaExhausted = errors.New("write quota exhausted")

// errIdempotencyConflict is returned when an Idempotency-Key is reused for a
// different request.
var errIdempotencyConflict = errors.New("idempotency key reused with a different request")

// store holds the declarations and passages written to the stand-in, overlaid
// on the synthetic ones. Bounded by max writes; mutex-guarded.
type store struct {
	mu  sync.Mutex
	max int
	seq int64

	decls        []domain.HealthDeclaration
	declByPerson map[string][]int

	passages     []domain.Passage
	passByPerson map[string][]int
	// arrivalsByProvince indexes IN passages by destination province.
	arrivalsByProvince map[string][]int

	idem map[string]idemEntry
}

// idemEntry is a remembered write answer, replayed for the same key and body.
type idemEntry struct {
	op     string
	digest [sha256.Size]byte
	body   []byte
}

func newStore(maxWrites int) *store {
	return &store{
		max:                maxWrites,
		declByPerson:       map[string][]int{},
		passByPerson:       map[string][]int{},
		arrivalsByProvince: map[string][]int{},
		idem:               map[string]idemEntry{},
	}
}

// replay returns the remembered answer for key, if any. A key used for another
// operation or body is a conflict.
func (s *store) replayLocked(op, key string, digest [sha256.Size]byte) ([]byte, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	e, ok := s.idem[key]
	if !ok {
		return nil, false, nil
	}
	if e.op != op || e.digest != digest {
		return nil, false, errIdempotencyConflict
	}
	return e.body, true, nil
}

// write is one write request: the record is built under the lock (so that IDs
// are sequential), encoded, remembered under the idempotency key and returned.
type write struct {
	op     string
	key    string
	digest [sha256.Size]byte
}

// addDeclaration stores d (ID assigned here) and returns the encoded answer;
// replayed is true when key was seen before with the same body.
func (s *store) addDeclaration(w write, d domain.HealthDeclaration, encode func(domain.HealthDeclaration) ([]byte, error)) (body []byte, replayed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok, err := s.replayLocked(w.op, w.key, w.digest); err != nil || ok {
		return b, ok, err
	}
	if len(s.decls)+len(s.passages) >= s.max {
		return nil, false, errQuotaExhausted
	}
	s.seq++
	d.ID = fmt.Sprintf("TKYT-%s-%08d", d.SubmittedAt.In(ict).Format("20060102"), s.seq)
	body, err = encode(d)
	if err != nil {
		return nil, false, err
	}
	s.declByPerson[d.PersonID] = append(s.declByPerson[d.PersonID], len(s.decls))
	s.decls = append(s.decls, d)
	if w.key != "" {
		s.idem[w.key] = idemEntry{op: w.op, digest: w.digest, body: body}
	}
	return body, false, nil
}

// addPassage stores p (ID assigned here) and returns the encoded answer.
func (s *store) addPassage(w write, p domain.Passage, destProvince string, encode func(domain.Passage) ([]byte, error)) (body []byte, replayed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok, err := s.replayLocked(w.op, w.key, w.digest); err != nil || ok {
		return b, ok, err
	}
	if len(s.decls)+len(s.passages) >= s.max {
		return nil, false, errQuotaExhausted
	}
	s.seq++
	p.ID = fmt.Sprintf("DBD-%s-%08d", p.Time.In(ict).Format("20060102"), s.seq)
	body, err = encode(p)
	if err != nil {
		return nil, false, err
	}
	idx := len(s.passages)
	s.passByPerson[p.PersonID] = append(s.passByPerson[p.PersonID], idx)
	if p.Direction == domain.DirectionIn {
		s.arrivalsByProvince[destProvince] = append(s.arrivalsByProvince[destProvince], idx)
	}
	s.passages = append(s.passages, p)
	if w.key != "" {
		s.idem[w.key] = idemEntry{op: w.op, digest: w.digest, body: body}
	}
	return body, false, nil
}

// declarationsOf returns the stored declarations held under any of ids.
func (s *store) declarationsOf(ids []string) []domain.HealthDeclaration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.HealthDeclaration
	for _, id := range uniq(ids) {
		for _, i := range s.declByPerson[id] {
			out = append(out, s.decls[i])
		}
	}
	return out
}

// passagesOf returns the stored passages held under any of ids.
func (s *store) passagesOf(ids []string) []domain.Passage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Passage
	for _, id := range uniq(ids) {
		for _, i := range s.passByPerson[id] {
			out = append(out, s.passages[i])
		}
	}
	return out
}

// arrivals returns the stored IN passages into the province whose
// destination satisfies keep and whose time is in [from, to), sorted newest
// first (ties by ID).
func (s *store) arrivals(province string, from, to time.Time, keep func(domain.Passage) bool) []domain.Passage {
	s.mu.Lock()
	var out []domain.Passage
	for _, i := range s.arrivalsByProvince[province] {
		p := s.passages[i]
		if p.Time.Before(from) || !p.Time.Before(to) || !keep(p) {
			continue
		}
		out = append(out, p)
	}
	s.mu.Unlock()
	sortPassages(out)
	return out
}

func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// sortPassages orders newest first, ties by ID, the order of every list.
func sortPassages(ps []domain.Passage) {
	sort.SliceStable(ps, func(i, j int) bool {
		if !ps[i].Time.Equal(ps[j].Time) {
			return ps[i].Time.After(ps[j].Time)
		}
		return ps[i].ID < ps[j].ID
	})
}

func sortDeclarations(ds []domain.HealthDeclaration) {
	sort.SliceStable(ds, func(i, j int) bool {
		if !ds[i].SubmittedAt.Equal(ds[j].SubmittedAt) {
			return ds[i].SubmittedAt.After(ds[j].SubmittedAt)
		}
		return ds[i].ID < ds[j].ID
	})
}
