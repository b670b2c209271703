package synth

import (
	"testing"

	"github.com/vn-epidemic/hub/domain"
)

func BenchmarkNew100M(b *testing.B) {
	dir := newPop(b, Config{Size: 1}).Directory()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Config{Seed: 1, Size: 100_000_000}, dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup100M(b *testing.B) {
	p := newPop(b, Config{Seed: 1, Size: 100_000_000})
	ids := make([]string, 1024)
	for j, i := range sample(p, len(ids)) {
		ids[j] = p.At(i).ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, ok := p.Lookup(ids[n%len(ids)]); !ok {
			b.Fatal("not found")
		}
		n++
	}
}

func BenchmarkLookupCMND100M(b *testing.B) {
	p := newPop(b, Config{Seed: 1, Size: 100_000_000})
	var ids []string
	for _, i := range sample(p, 4096) {
		if old := p.At(i).OldID; old != "" {
			ids = append(ids, old)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, ok := p.Lookup(ids[n%len(ids)]); !ok {
			b.Fatal("not found")
		}
		n++
	}
}

func BenchmarkAt(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	idx := sample(p, 1024)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_ = p.At(idx[n%len(idx)])
		n++
	}
}

func BenchmarkVaccination(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	idx := sample(p, 1024)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_, _ = p.Vaccination(idx[n%len(idx)])
		n++
	}
}

func BenchmarkInsurance(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	idx := sample(p, 1024)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_, _ = p.Insurance(idx[n%len(idx)])
		n++
	}
}

// BenchmarkEachResidentCommune pages through a commune 100 residents at a
// time, as a stand-in serving a paged list does.
func BenchmarkEachResidentCommune(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	unit := p.Directory().Communes("79")[10].Code
	total := p.ResidentCount(unit, domain.AgeBand{})
	b.ReportAllocs()
	from := int64(0)
	for b.Loop() {
		seen := 0
		p.EachResident(unit, from, func(pos, i int64) bool {
			seen++
			from = pos + 1
			return seen < 100
		})
		if from >= total {
			from = 0
		}
	}
}

func BenchmarkResidentCount(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	for b.Loop() {
		_ = p.ResidentCount("79", domain.AgeBand{Min: 18, Max: 50})
	}
}

func BenchmarkArrivalsProvinceDay(b *testing.B) {
	p := newPop(b, Config{Seed: 1})
	q := domain.ArrivalsQuery{ProvinceCode: "01", From: p.epoch.Add(-24 * 3600e9), To: p.epoch}
	for b.Loop() {
		p.EachArrival(q, 0, func(int64, domain.Passage) bool { return true })
	}
}
