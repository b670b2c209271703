package vaccination

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// errStoreFull is answered as 507 RESOURCE_EXHAUSTED.
var errStoreFull = errors.New("write store full")

// overlayRecord is what was written through the API under one held-under id.
type overlayRecord struct {
	identity domain.RecordedIdentity // as entered; used when synth holds no record
	commune  string                  // commune responsible for a record created here
	created  time.Time
	doses    []domain.Dose
}

// idemEntry remembers the answer to a write made with an Idempotency-Key.
type idemEntry struct {
	fingerprint [32]byte
	status      int
	body        any
}

// resolution overrides the state of a synthetic feedback item.
type resolution struct {
	at         time.Time
	resolution string
	resolvedBy string
}

// store holds every write made through the API, bounded by max writes.
type store struct {
	mu          sync.RWMutex
	max         int
	writes      int
	seq         uint64
	records     map[string]*overlayRecord // held-under id -> writes
	idem        map[string]idemEntry      // client id + key -> answer
	feedback    map[string]*domain.Feedback
	resolutions map[string]resolution
}

func newStore(max int) *store {
	return &store{
		max:         max,
		records:     map[string]*overlayRecord{},
		idem:        map[string]idemEntry{},
		feedback:    map[string]*domain.Feedback{},
		resolutions: map[string]resolution{},
	}
}

// reserve counts n writes; caller holds mu.
func (st *store) reserve(n int) error {
	if st.writes+n > st.max {
		return errStoreFull
	}
	st.writes += n
	return nil
}

// nextSeq returns a fresh sequence number; caller holds mu.
func (st *store) nextSeq() uint64 {
	st.seq++
	return st.seq
}

// overlayCopy returns a copy of the writes held under id; caller holds mu (read).
func (st *store) overlayCopy(id string) (overlayRecord, bool) {
	ov, ok := st.records[id]
	if !ok {
		return overlayRecord{}, false
	}
	cp := *ov
	cp.doses = slices.Clone(ov.doses)
	return cp, true
}

// recordUnder returns the record the platform holds under id: synth's,
// overlaid with doses written through the API.
func (s *Server) recordUnder(id string) (synth.Vaccination, bool) {
	ov, hasOv := s.overlay(id)
	v, ok := s.pop.PlatformRecord(id)
	return mergeOverlay(v, ok, id, ov, hasOv)
}

// overlay returns a copy of the writes held under id.
func (s *Server) overlay(id string) (overlayRecord, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return s.store.overlayCopy(id)
}

func mergeOverlay(v synth.Vaccination, ok bool, id string, ov overlayRecord, hasOv bool) (synth.Vaccination, bool) {
	switch {
	case !ok && !hasOv:
		return synth.Vaccination{}, false
	case !hasOv:
		return v, true
	case ok:
		doses := make([]domain.Dose, 0, len(v.Record.Doses)+len(ov.doses))
		doses = append(doses, v.Record.Doses...)
		doses = append(doses, ov.doses...)
		sortDoses(doses)
		v.Record.Doses = doses
		// A reprinted certificate covers the doses recorded since.
		if v.Certificate.Status == domain.CertificateIssued {
			v.Certificate.DosesCovered = len(doses)
		}
		return v, true
	}
	// A record created through the API: its identity was verified against the
	// population database when the first dose was entered; the certificate is
	// issued by the platform's nightly signing run, which is not simulated.
	status := domain.ReconMatch
	if domain.ClassifyID(id) == domain.IDPassport {
		status = domain.ReconNotApplicable
	}
	return synth.Vaccination{
		Record: domain.VaccinationRecord{PersonID: id, Recorded: ov.identity, Doses: ov.doses},
		Reconciliation: domain.Reconciliation{
			PersonID: id, CommuneCode: ov.commune, Status: status,
			Recorded: ov.identity, CheckedAt: ov.created,
		},
		Certificate: domain.Certificate{PersonID: id, Status: domain.CertificatePending},
	}, true
}

func sortDoses(d []domain.Dose) {
	slices.SortStableFunc(d, func(a, b domain.Dose) int { return a.Number - b.Number })
}
