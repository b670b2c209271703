package synth

import "github.com/vn-epidemic/hub/domain"

// Showcased is one demonstrable citizen.
type Showcased struct {
	Index int64
	Why   string
}

// Reasons a citizen is showcased.
const (
	WhyFullRecord = "full record: fully vaccinated, identity matches, insured, recent passage and declaration"
	WhyMismatch   = "reconciliation mismatch"
	WhyOldIDOnly  = "old ID only on vaccination record"
	WhyUninsured  = "uninsured"
	WhyHasCMND    = "holds an old 9-digit CMND"
)

// Showcase returns a few citizen indexes worth demonstrating, chosen
// deterministically: each kind names why ("full record", "reconciliation
// mismatch", "old ID only on vaccination record", "uninsured", ...). The
// scan starts at a hashed index and is bounded, so a kind too rare in a tiny
// population is left out.
func (p *Population) Showcase() []Showcased {
	size := p.cfg.Size
	start := int64(hash3(p.seed, tagShowcase, 0) % uint64(size))
	tries := min(size, 200_000)
	found := map[string]int64{}
	order := []string{WhyFullRecord, WhyMismatch, WhyOldIDOnly, WhyUninsured, WhyHasCMND}
	for n := int64(0); n < tries && len(found) < len(order); n++ {
		i := (start + n) % size
		c := p.citizen(i)
		if _, ok := found[WhyHasCMND]; !ok && c.cmnd {
			found[WhyHasCMND] = i
		}
		_, insured := p.Insurance(i)
		if _, ok := found[WhyUninsured]; !ok && !insured {
			found[WhyUninsured] = i
		}
		v, vacc := p.Vaccination(i)
		if !vacc {
			continue
		}
		if _, ok := found[WhyMismatch]; !ok && v.Reconciliation.Status == domain.ReconMismatch {
			found[WhyMismatch] = i
		}
		if _, ok := found[WhyOldIDOnly]; !ok && v.Record.PersonID != "" && v.Record.PersonID == p.At(i).OldID {
			found[WhyOldIDOnly] = i
		}
		if _, ok := found[WhyFullRecord]; !ok && insured && v.Record.Status() == domain.VaccinationFull &&
			v.Reconciliation.Status == domain.ReconMatch && len(p.Passages(i)) > 0 && len(p.Declarations(i)) > 0 {
			found[WhyFullRecord] = i
		}
	}
	var out []Showcased
	for _, why := range order {
		if i, ok := found[why]; ok {
			out = append(out, Showcased{Index: i, Why: why})
		}
	}
	return out
}
