package vaccination

import (
	"net/http"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

// maxStatsDose is the highest dose number the command system reports.
const maxStatsDose = 4

// countEntry is one cell of the coverage table: people in a band with at
// least dose doses.
type countEntry struct {
	dose  int
	band  int // index into domain.StandardAgeBands
	count int64
}

type statsResponse struct {
	AdminUnit     string      `json:"adminUnit"`
	AdminUnitName string      `json:"adminUnitName"`
	AgesOn        string      `json:"agesOn"`
	Counts        []wireCount `json:"counts"`
}

type wireCount struct {
	DoseNumber int         `json:"doseNumber"`
	AgeBand    wireAgeBand `json:"ageBand"`
	People     int64       `json:"people"`
}

// wireAgeBand bounds are inclusive; maxAge is absent for the open-ended band.
type wireAgeBand struct {
	Label  string `json:"label"`
	MinAge int    `json:"minAge"`
	MaxAge *int   `json:"maxAge,omitempty"`
}

func bandIndex(age int) int {
	for k, b := range domain.StandardAgeBands {
		if age >= b.Min && (b.Max == 0 || age < b.Max) {
			return k
		}
	}
	return -1
}

// agesOn is the date ages are computed on: the population's simulated now.
func (s *Server) agesOn() domain.Date {
	return domain.DateOf(s.pop.Config().Epoch.In(ict))
}

// synthCounts enumerates the unit's residents once and memoizes the table.
func (s *Server) synthCounts(unit string) []countEntry {
	return s.stats.get(unit, func() []countEntry {
		on := s.agesOn()
		var table [maxStatsDose][]int64
		for n := range table {
			table[n] = make([]int64, len(domain.StandardAgeBands))
		}
		s.pop.EachResident(unit, 0, func(_, i int64) bool {
			v, ok := s.pop.Vaccination(i)
			if !ok || len(v.Record.Doses) == 0 {
				return true
			}
			b := bandIndex(s.pop.At(i).BirthDate.AgeOn(on))
			if b < 0 {
				return true
			}
			for n := 0; n < min(len(v.Record.Doses), maxStatsDose); n++ {
				table[n][b]++
			}
			return true
		})
		out := make([]countEntry, 0, maxStatsDose*len(domain.StandardAgeBands))
		for n := range table {
			for b, c := range table[n] {
				out = append(out, countEntry{dose: n + 1, band: b, count: c})
			}
		}
		return out
	})
}

func (s *Server) handleStatistics(w http.ResponseWriter, r *http.Request) {
	unit := r.URL.Query().Get("adminUnit")
	digits := unit != "" && (len(unit) == 2 || len(unit) == 5)
	for i := 0; digits && i < len(unit); i++ {
		digits = unit[i] >= '0' && unit[i] <= '9'
	}
	if !digits {
		s.invalid(w, r, errorDetail{Field: "adminUnit", Issue: "INVALID_FORMAT"})
		return
	}
	dir := s.pop.Directory()
	if dir.Level(unit) == adminunit.LevelUnknown {
		s.writeError(w, r, http.StatusNotFound, codeNotFound, "no such administrative unit")
		return
	}
	base := s.synthCounts(unit)
	table := make(map[[2]int]int64, len(base))
	for _, c := range base {
		table[[2]int{c.dose, c.band}] = c.count
	}
	s.addWrites(unit, table)

	name, _ := dir.Name(unit)
	out := statsResponse{AdminUnit: unit, AdminUnitName: name, AgesOn: s.agesOn().String(),
		Counts: make([]wireCount, 0, len(base))}
	for _, c := range base {
		b := domain.StandardAgeBands[c.band]
		wb := wireAgeBand{Label: b.Label(), MinAge: b.Min}
		if b.Max != 0 {
			m := b.Max - 1
			wb.MaxAge = &m
		}
		out.Counts = append(out.Counts, wireCount{DoseNumber: c.dose, AgeBand: wb, People: table[[2]int{c.dose, c.band}]})
	}
	writeJSON(w, http.StatusOK, out)
}

// addWrites adds the doses recorded through the API to a unit's table: a
// resident who went from k to k' doses now counts for dose numbers k+1..k'.
func (s *Server) addWrites(unit string, table map[[2]int]int64) {
	on := s.agesOn()
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	for id, ov := range s.store.records {
		idx, ok := s.pop.Lookup(id)
		if !ok {
			continue // foreigners are not in the residents' tables
		}
		p := s.pop.At(idx)
		if p.Current.CommuneCode != unit && p.Current.ProvinceCode != unit {
			continue
		}
		b := bandIndex(p.BirthDate.AgeOn(on))
		if b < 0 {
			continue
		}
		before := 0
		if v, ok := s.pop.PlatformRecord(id); ok {
			before = len(v.Record.Doses)
		}
		for n := before + 1; n <= min(before+len(ov.doses), maxStatsDose); n++ {
			table[[2]int{n, b}]++
		}
	}
}
