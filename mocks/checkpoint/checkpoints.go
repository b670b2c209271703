package checkpoint

import (
	"sort"

	"github.com/vn-epidemic/hub/mocks/synth"
)

// Checkpoint is a quarantine checkpoint (chốt kiểm dịch) the system knows.
type Checkpoint struct {
	Code         string // "CK-<province>-<nn>"
	Name         string
	ProvinceCode string
	CommuneCode  string // where it stands
}

// checkpointRegistry is the system's list of checkpoints per province: the
// ones the synthetic population's passages go through, so that recorded and
// synthetic passages share one set of codes.
type checkpointRegistry struct {
	byCode map[string]Checkpoint
	list   []Checkpoint
}

func newCheckpointRegistry(pop *synth.Population) *checkpointRegistry {
	r := &checkpointRegistry{byCode: map[string]Checkpoint{}}
	for _, p := range pop.Directory().Provinces() {
		for _, c := range pop.Checkpoints(p.Code) {
			cp := Checkpoint{Code: c.Code, Name: c.Name, ProvinceCode: c.ProvinceCode, CommuneCode: c.CommuneCode}
			r.byCode[cp.Code] = cp
			r.list = append(r.list, cp)
		}
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].Code < r.list[j].Code })
	return r
}

func (r *checkpointRegistry) lookup(code string) (Checkpoint, bool) {
	c, ok := r.byCode[code]
	return c, ok
}

func (r *checkpointRegistry) all() []Checkpoint {
	out := make([]Checkpoint, len(r.list))
	copy(out, r.list)
	return out
}
