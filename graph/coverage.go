package graph

import (
	"context"
	"slices"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
)

// Coverage joins the vaccination platform's counts (people with at least N
// doses, per age band) with the population database's resident counts (per
// age band). Both are loaded through the request's loaders, so the coverage
// fields share one call to each system.

func (r *Resolver) coveragePopulation(ctx context.Context, c *model.Coverage) (*int, error) {
	counts, err := r.loadersFrom(ctx).popCounts.Load(ctx, c.AdminUnit.Code)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, pc := range counts {
		total += pc.Count
	}
	n := int(total)
	return &n, nil
}

type coverageCounts struct {
	population map[domain.AgeBand]int64
	vaccinated map[domain.AgeBand]map[int]int64 // band -> dose number -> count
	bands      []domain.AgeBand
	doses      []int
}

func (r *Resolver) coverageCounts(ctx context.Context, c *model.Coverage) (*coverageCounts, error) {
	l := r.loadersFrom(ctx)
	pop, err := l.popCounts.Load(ctx, c.AdminUnit.Code)
	if err != nil {
		return nil, err
	}
	vacc, err := l.vaccCounts.Load(ctx, c.AdminUnit.Code)
	if err != nil {
		return nil, err
	}
	out := &coverageCounts{population: map[domain.AgeBand]int64{}, vaccinated: map[domain.AgeBand]map[int]int64{}}
	for _, pc := range pop {
		out.population[pc.AgeBand] += pc.Count
	}
	for _, vc := range vacc {
		if out.vaccinated[vc.AgeBand] == nil {
			out.vaccinated[vc.AgeBand] = map[int]int64{}
		}
		out.vaccinated[vc.AgeBand][vc.DoseNumber] += vc.Count
		if !slices.Contains(out.doses, vc.DoseNumber) {
			out.doses = append(out.doses, vc.DoseNumber)
		}
	}
	slices.Sort(out.doses)
	// Bands in the standard order first, then any others the systems sent.
	seen := map[domain.AgeBand]bool{}
	add := func(b domain.AgeBand) {
		if !seen[b] {
			seen[b] = true
			out.bands = append(out.bands, b)
		}
	}
	for _, b := range domain.StandardAgeBands {
		if _, ok := out.population[b]; ok {
			add(b)
		} else if _, ok := out.vaccinated[b]; ok {
			add(b)
		}
	}
	var extra []domain.AgeBand
	for b := range out.population {
		if !seen[b] {
			extra = append(extra, b)
		}
	}
	for b := range out.vaccinated {
		if !seen[b] && !slices.Contains(extra, b) {
			extra = append(extra, b)
		}
	}
	slices.SortFunc(extra, func(a, b domain.AgeBand) int { return a.Min - b.Min })
	for _, b := range extra {
		add(b)
	}
	return out, nil
}

func (c *coverageCounts) byDose() []model.DoseCoverage {
	var total int64
	for _, n := range c.population {
		total += n
	}
	out := make([]model.DoseCoverage, 0, len(c.doses))
	for _, d := range c.doses {
		var count int64
		for _, perDose := range c.vaccinated {
			count += perDose[d]
		}
		out = append(out, doseCoverage(d, total, count))
	}
	return out
}

func (c *coverageCounts) byAgeBand() []model.AgeBandCoverage {
	out := make([]model.AgeBandCoverage, 0, len(c.bands))
	for _, b := range c.bands {
		pop := c.population[b]
		band := model.AgeBandCoverage{AgeBand: ageBand(b), Population: int(pop), Doses: make([]model.DoseCoverage, 0, len(c.doses))}
		for _, d := range c.doses {
			band.Doses = append(band.Doses, doseCoverage(d, pop, c.vaccinated[b][d]))
		}
		out = append(out, band)
	}
	return out
}

// doseCoverage computes a rate in [0, 1]: registries drift, and a count above
// the population is reported as full coverage rather than above 100 %.
func doseCoverage(dose int, population, count int64) model.DoseCoverage {
	dc := model.DoseCoverage{DoseNumber: dose, Population: int(population), Count: int(count)}
	if population > 0 {
		rate := min(float64(count)/float64(population), 1)
		rate = max(rate, 0)
		dc.Rate = &rate
	}
	return dc
}

func ageBand(b domain.AgeBand) *model.AgeBand {
	out := &model.AgeBand{Label: b.Label(), MinAge: b.Min}
	if b.Max > 0 {
		maxAge := b.Max - 1
		out.MaxAge = &maxAge
	}
	return out
}
