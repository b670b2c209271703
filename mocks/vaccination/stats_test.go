package vaccination

import (
	"net/http"
	"testing"

	"github.com/vn-epidemic/hub/domain"
)

// expectedCounts recomputes the coverage table straight from synth:
// [dose-1][band] = residents with at least dose doses.
func expectedCounts(t testing.TB, unit string) [maxStatsDose][6]int64 {
	p := population(t)
	on := domain.DateOf(p.Config().Epoch.In(ict))
	var out [maxStatsDose][6]int64
	for i := int64(0); i < p.Size(); i++ {
		per := p.At(i)
		if per.Current.CommuneCode != unit && per.Current.ProvinceCode != unit {
			continue
		}
		v, ok := p.Vaccination(i)
		if !ok {
			continue
		}
		age := per.BirthDate.AgeOn(on)
		for b, band := range domain.StandardAgeBands {
			if age >= band.Min && (band.Max == 0 || age < band.Max) {
				for n := 1; n <= min(len(v.Record.Doses), maxStatsDose); n++ {
					out[n-1][b]++
				}
			}
		}
	}
	return out
}

func TestStatisticsMatchSynth(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	province := population(t).At(0).Current.ProvinceCode
	for _, unit := range []string{commune, province} {
		t.Run(unit, func(t *testing.T) {
			want := expectedCounts(t, unit)
			r := e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit="+unit, nil)
			wantStatus(t, r, 200, "")
			var got statsResponse
			r.decode(t, &got)
			if got.AdminUnit != unit || got.AdminUnitName == "" || len(got.Counts) != maxStatsDose*len(domain.StandardAgeBands) {
				t.Fatalf("statistics %+v", got)
			}
			total := int64(0)
			for k, c := range got.Counts {
				b := k % len(domain.StandardAgeBands)
				band := domain.StandardAgeBands[b]
				if c.DoseNumber != k/len(domain.StandardAgeBands)+1 || c.AgeBand.MinAge != band.Min || c.AgeBand.Label != band.Label() {
					t.Fatalf("cell %d: %+v", k, c)
				}
				if (band.Max == 0) != (c.AgeBand.MaxAge == nil) || c.AgeBand.MaxAge != nil && *c.AgeBand.MaxAge != band.Max-1 {
					t.Errorf("cell %d: maxAge %v for band %v", k, c.AgeBand.MaxAge, band)
				}
				if c.People != want[c.DoseNumber-1][b] {
					t.Errorf("dose %d band %s: %d, want %d", c.DoseNumber, band.Label(), c.People, want[c.DoseNumber-1][b])
				}
				if c.DoseNumber > 1 && c.People > got.Counts[k-len(domain.StandardAgeBands)].People {
					t.Errorf("more people with %d doses than with %d", c.DoseNumber, c.DoseNumber-1)
				}
				total += c.People
			}
			if total == 0 {
				t.Error("no vaccinated residents counted")
			}
		})
	}
}

func TestStatisticsCountRecordedDoses(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := unvaccinated(t, 5)
	person := p.At(i)
	unit := person.Current.CommuneCode
	before := expectedCounts(t, unit)
	// Memoize first, so the write must be overlaid on the cached table.
	wantStatus(t, e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit="+unit, nil), 200, "")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", doseFor(t, i, 1, "2022-02-01")), 201, "")
	var got statsResponse
	e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit="+unit, nil).decode(t, &got)
	b := bandIndex(person.BirthDate.AgeOn(domain.DateOf(p.Config().Epoch.In(ict))))
	for k, c := range got.Counts {
		want := before[c.DoseNumber-1][k%len(domain.StandardAgeBands)]
		if c.DoseNumber == 1 && k%len(domain.StandardAgeBands) == b {
			want++
		}
		if c.People != want {
			t.Errorf("dose %d band %s: %d, want %d", c.DoseNumber, c.AgeBand.Label, c.People, want)
		}
	}
}

func TestStatisticsRefusals(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations", nil), 400, codeInvalidArgument)
	wantStatus(t, e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit=1a", nil), 400, codeInvalidArgument)
	wantStatus(t, e.call(t, http.MethodGet, "/api/v1/statistics/vaccinations?adminUnit=99", nil), 404, codeNotFound)
}
