package synth

import (
	"sort"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// EpidemicZones are the zone declarations around Epoch: 30 of them over
// communes and provinces, some expired, some current, a few not yet in force,
// newest first.
func (p *Population) EpidemicZones() []domain.EpidemicZone {
	st := newStream(p.seed, tagZones, 0)
	levels := []weighted{{string(domain.RiskLow), 40}, {string(domain.RiskMedium), 30}, {string(domain.RiskHigh), 20}, {string(domain.RiskVeryHigh), 10}}
	seen := map[string]bool{}
	var out []domain.EpidemicZone
	for len(out) < 30 {
		var code, name string
		if st.chance(0.7) {
			c := st.intn(len(p.communes))
			code, name = p.communes[c].Code, p.communes[c].Name
		} else {
			q := p.pickProvince(st.unit())
			code, name = p.provs[q].Code, p.provs[q].Name
		}
		from := p.epoch.Add(-time.Duration(st.intn(56*24)-10*24) * time.Hour).Truncate(time.Hour)
		days := 14
		if st.chance(0.4) {
			days = 28
		}
		z := domain.EpidemicZone{
			AdminUnit:  code,
			Name:       name,
			Level:      domain.RiskLevel(pickWeighted(levels, st.unit())),
			ValidFrom:  from,
			ValidUntil: from.AddDate(0, 0, days),
		}
		key := code + z.ValidFrom.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, z)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].ValidFrom.After(out[b].ValidFrom) })
	return out
}
