package synth

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

func newPop(t testing.TB, cfg Config) *Population {
	t.Helper()
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, dir)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return p
}

// sample returns n distinct, spread-out, deterministic citizen indexes.
func sample(p *Population, n int) []int64 {
	perm := newCyclePerm(uint64(p.Size()), 99)
	out := make([]int64, min(int64(n), p.Size()))
	for j := range out {
		out[j] = int64(perm.fwd(uint64(j)))
	}
	return out
}

func TestNewValidation(t *testing.T) {
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		dir  *adminunit.Directory
		ok   bool
	}{
		{"defaults", Config{}, dir, true},
		{"one citizen", Config{Size: 1}, dir, true},
		{"max", Config{Size: MaxSize}, dir, true},
		{"negative", Config{Size: -1}, dir, false},
		{"too large", Config{Size: MaxSize + 1}, dir, false},
		{"epoch too early", Config{Epoch: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}, dir, false},
		{"nil directory", Config{}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg, tt.dir)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("err %v is not ErrConfig", err)
			}
			if err == nil && tt.cfg.Size == 0 {
				if p.Size() != DefaultSize || !p.Config().Epoch.Equal(DefaultEpoch()) {
					t.Errorf("defaults not applied: %+v", p.Config())
				}
			}
		})
	}
}

func TestFeistelIsAPermutation(t *testing.T) {
	for _, f := range []feistel{{a: 10, b: 10, key: 1}, {a: 7, b: 13, key: 2}, {a: 26, b: 10, key: 3}} {
		seen := map[uint64]bool{}
		for x := uint64(0); x < f.size(); x++ {
			y := f.fwd(x)
			if y >= f.size() || seen[y] {
				t.Fatalf("%+v: fwd(%d) = %d repeats or escapes", f, x, y)
			}
			seen[y] = true
			if f.inv(y) != x {
				t.Fatalf("%+v: inv(fwd(%d)) = %d", f, x, f.inv(y))
			}
		}
	}
	for _, n := range []uint64{1, 2, 3, 97, 1000, 1001} {
		c := newCyclePerm(n, 5)
		seen := map[uint64]bool{}
		for x := uint64(0); x < n; x++ {
			y := c.fwd(x)
			if y >= n || seen[y] || c.inv(y) != x {
				t.Fatalf("cyclePerm(%d) broken at %d", n, x)
			}
			seen[y] = true
		}
	}
}

func TestDeterministic(t *testing.T) {
	a := newPop(t, Config{Seed: 42, Size: 50_000})
	b := newPop(t, Config{Seed: 42, Size: 50_000})
	c := newPop(t, Config{Seed: 43, Size: 50_000})
	same := 0
	for _, i := range sample(a, 200) {
		pa, pb := a.At(i), b.At(i)
		if pa != pb {
			t.Fatalf("citizen %d differs between equal configs", i)
		}
		va, _ := a.Vaccination(i)
		vb, _ := b.Vaccination(i)
		if va.Record.PersonID != vb.Record.PersonID || len(va.Record.Doses) != len(vb.Record.Doses) || va.Certificate != vb.Certificate {
			t.Fatalf("vaccination of %d differs", i)
		}
		if a.Phone(i) != b.Phone(i) || a.CardIssued(i) != b.CardIssued(i) {
			t.Fatalf("phone/card of %d differs", i)
		}
		if a.At(i).ID == c.At(i).ID {
			same++
		}
	}
	if same > 20 {
		t.Errorf("%d of 200 IDs equal under another seed", same)
	}
}

func TestIDDigitsAgreeWithPerson(t *testing.T) {
	p := newPop(t, Config{Seed: 1})
	for _, i := range sample(p, 2000) {
		per := p.At(i)
		c := p.citizen(i)
		id, err := domain.ParsePersonalID(per.ID)
		if err != nil {
			t.Fatalf("ID of %d: %v", i, err)
		}
		if id.ProvinceCode != p.provs[c.q].Code {
			t.Errorf("ID province %s, birth province %s", id.ProvinceCode, p.provs[c.q].Code)
		}
		if id.Sex != per.Sex || id.BirthYear != per.BirthDate.Year || id.String() != per.ID {
			t.Errorf("ID %+v disagrees with person (sex %v, born %v)", id, per.Sex, per.BirthDate)
		}
		if !per.BirthDate.Valid() || per.BirthDate.Time().After(civil(p.epoch)) {
			t.Errorf("birth date %v invalid or after Epoch", per.BirthDate)
		}
		if per.OldID != "" {
			if len(per.OldID) != 9 || per.OldID[:2] != p.provs[c.q].cmnd {
				t.Errorf("CMND %q has wrong shape or prefix", per.OldID)
			}
			if per.BirthDate.Year > 1996 {
				t.Errorf("CMND holder born %d", per.BirthDate.Year)
			}
		}
		if per.Nationality != "VN" || per.Ethnicity == "" {
			t.Errorf("nationality/ethnicity %q %q", per.Nationality, per.Ethnicity)
		}
	}
}

func TestLookupRoundTrip(t *testing.T) {
	for _, size := range []int64{20_000, 1_000_000, 100_000_000} {
		p := newPop(t, Config{Seed: 7, Size: size})
		olds := 0
		for _, i := range sample(p, 3000) {
			per := p.At(i)
			if j, ok := p.Lookup(per.ID); !ok || j != i {
				t.Fatalf("size %d: Lookup(ID of %d) = %d, %v", size, i, j, ok)
			}
			if per.OldID != "" {
				olds++
				if j, ok := p.Lookup(per.OldID); !ok || j != i {
					t.Fatalf("size %d: Lookup(CMND of %d) = %d, %v", size, i, j, ok)
				}
			}
		}
		if olds < 500 {
			t.Errorf("size %d: only %d of 3000 hold a CMND", size, olds)
		}
		for j := int64(0); j < min(p.ForeignerCount(), 500); j++ {
			f := p.ForeignerAt(j)
			if got, ok := p.ForeignerByPassport(f.Passport); !ok || got != j {
				t.Fatalf("ForeignerByPassport(%d) = %d, %v", j, got, ok)
			}
			if _, ok := p.Lookup(f.Passport); ok {
				t.Fatal("a passport found in the population database")
			}
		}
	}
}

func TestLookupMisses(t *testing.T) {
	p := newPop(t, Config{Seed: 7, Size: 20_000})
	per := p.At(123)
	for _, id := range []string{
		"", "0", "00102512345", "0010251234567", "A01025123456", "00102512345X",
		"102" + per.ID[3:],  // leading digit not 0
		"002" + per.ID[3:],  // no province 02
		"0014" + per.ID[4:], // 2100s
		"099999999", "00000000a",
		"B1234567",
	} {
		if i, ok := p.Lookup(id); ok {
			t.Errorf("Lookup(%q) = %d", id, i)
		}
	}
	// At 20,000 citizens most serials of a bucket are unused.
	misses := 0
	for r := 0; r < 1000; r++ {
		id := per.ID[:6] + strings.Repeat("0", 6-len(itoa(r))) + itoa(r)
		if i, ok := p.Lookup(id); ok {
			if p.At(i).ID != id {
				t.Fatalf("Lookup(%s) = %d whose ID is %s", id, i, p.At(i).ID)
			}
		} else {
			misses++
		}
	}
	if misses < 900 {
		t.Errorf("only %d of 1000 serials unused in a tiny bucket", misses)
	}
	if _, ok := p.ForeignerByPassport("Z9999999"); ok && p.ForeignerCount() < 100 {
		t.Error("unissued passport found")
	}
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	s := ""
	for ; v > 0; v /= 10 {
		s = string(rune('0'+v%10)) + s
	}
	return s
}

func TestEachResident(t *testing.T) {
	p := newPop(t, Config{Seed: 3})
	cs := p.dir.AllCommunes()
	units := []string{cs[0].Code, cs[1500].Code, cs[len(cs)-1].Code, "12", "46"}
	for _, unit := range units {
		t.Run(unit, func(t *testing.T) {
			want := p.ResidentCount(unit, domain.AgeBand{})
			var got int64
			var positions []int64
			seen := map[int64]bool{}
			p.EachResident(unit, 0, func(pos, i int64) bool {
				if pos != got {
					t.Fatalf("pos %d at ordinal %d", pos, got)
				}
				got++
				positions = append(positions, i)
				if seen[i] {
					t.Fatalf("citizen %d twice", i)
				}
				seen[i] = true
				return true
			})
			if got != want || got == 0 {
				t.Fatalf("enumerated %d, ResidentCount %d", got, want)
			}
			for _, i := range positions[:min(len(positions), 300)] {
				per := p.At(i)
				if per.Current.CommuneCode != unit && per.Current.ProvinceCode != unit {
					t.Fatalf("citizen %d lives in %s, not %s", i, per.Current.CommuneCode, unit)
				}
			}
			// Resume: stop after 10, continue from pos+1.
			var last int64
			n := 0
			p.EachResident(unit, 0, func(pos, i int64) bool { last = pos; n++; return n < 10 })
			var resumed []int64
			p.EachResident(unit, last+1, func(pos, i int64) bool {
				resumed = append(resumed, i)
				return len(resumed) < 50
			})
			for k, i := range resumed {
				if positions[int(last)+1+k] != i {
					t.Fatalf("resume differs at %d", k)
				}
			}
			// Past the end, nothing.
			p.EachResident(unit, want, func(pos, i int64) bool { t.Fatal("called past the end"); return false })
		})
	}
	p.EachResident("00000", 0, func(int64, int64) bool { t.Fatal("unknown unit enumerated"); return false })
	p.EachResident("1", 0, func(int64, int64) bool { t.Fatal("bad unit enumerated"); return false })
}

func TestResidentsPartitionPopulation(t *testing.T) {
	p := newPop(t, Config{Seed: 5, Size: 20_000})
	var communes, provinces, banded int64
	all := p.dir.AllCommunes()
	for _, c := range all {
		communes += p.ResidentCount(c.Code, domain.AgeBand{})
	}
	for _, pr := range p.dir.Provinces() {
		n := p.ResidentCount(pr.Code, domain.AgeBand{})
		provinces += n
		var sum int64
		for _, b := range domain.StandardAgeBands {
			sum += p.ResidentCount(pr.Code, b)
		}
		if sum != n {
			t.Errorf("province %s: bands sum to %d, total %d", pr.Code, sum, n)
		}
		banded += sum
	}
	if communes != p.Size() || provinces != p.Size() || banded != p.Size() {
		t.Errorf("communes %d, provinces %d, banded %d; Size %d", communes, provinces, banded, p.Size())
	}
	// Every citizen is enumerated exactly once over all provinces.
	seen := make([]bool, p.Size())
	for _, pr := range p.dir.Provinces() {
		p.EachResident(pr.Code, 0, func(_, i int64) bool {
			if seen[i] {
				t.Fatalf("citizen %d in two provinces", i)
			}
			seen[i] = true
			return true
		})
	}
	for i, s := range seen {
		if !s {
			t.Fatalf("citizen %d in no province", i)
		}
	}
}

func TestMostLiveInBirthProvince(t *testing.T) {
	p := newPop(t, Config{Seed: 5})
	home, olds, oldsHome := 0, 0, 0
	for _, i := range sample(p, 4000) {
		per := p.At(i)
		at := per.Current.ProvinceCode == per.ID[1:3]
		if at {
			home++
		}
		if per.OldID != "" {
			olds++
			if at {
				oldsHome++
			}
		}
	}
	if home < 3250 || home > 3550 {
		t.Errorf("%d of 4000 live in their birth province, want ~85%%", home)
	}
	// Holding a CMND says nothing about where one lives.
	if r := float64(oldsHome) / float64(olds); r < 0.8 || r > 0.9 {
		t.Errorf("%.3f of CMND holders live in their birth province", r)
	}
}

func TestAgeBandsPlausible(t *testing.T) {
	p := newPop(t, Config{Seed: 5})
	total := p.ResidentCount("79", domain.AgeBand{})
	old := p.ResidentCount("79", domain.AgeBand{Min: 65})
	kids := p.ResidentCount("79", domain.AgeBand{Min: 0, Max: 5})
	if old*100/total < 5 || old*100/total > 15 || kids*100/total < 4 || kids*100/total > 9 {
		t.Errorf("HCM: %d residents, %d aged 65+, %d under 5", total, old, kids)
	}
	// Nominal ages agree with birth dates for (almost) everyone.
	agree := 0
	ep := domain.DateOf(p.epoch)
	for _, i := range sample(p, 1000) {
		c := p.citizen(i)
		if p.At(i).BirthDate.AgeOn(ep) == p.nominalAge(c.ai) {
			agree++
		}
	}
	if agree < 990 {
		t.Errorf("nominal age agrees for %d of 1000", agree)
	}
}

func TestNames(t *testing.T) {
	p := newPop(t, Config{Seed: 11})
	n := 20_000
	fam := map[string]int{}
	for _, i := range sample(p, n) {
		per := p.At(i)
		fam[per.Name.Family]++
		if per.Name.Family == "" || per.Name.Given == "" {
			t.Fatalf("incomplete name %+v", per.Name)
		}
	}
	share := func(name string) float64 { return float64(fam[name]) / float64(n) }
	if s := share("Nguyễn"); s < 0.33 || s > 0.43 {
		t.Errorf("Nguyễn share %.3f", s)
	}
	if s := share("Trần"); s < 0.08 || s > 0.14 {
		t.Errorf("Trần share %.3f", s)
	}
	if s := share("Lê"); s < 0.07 || s > 0.12 {
		t.Errorf("Lê share %.3f", s)
	}
}

func TestTextIsNFC(t *testing.T) {
	p := newPop(t, Config{Seed: 13})
	check := func(what, s string) {
		t.Helper()
		if !norm.NFC.IsNormalString(s) {
			t.Fatalf("%s %q is not NFC", what, s)
		}
	}
	for _, i := range sample(p, 3000) {
		per := p.At(i)
		check("name", per.Name.Full())
		check("ethnicity", per.Ethnicity)
		for _, a := range []domain.Address{per.Current, per.Permanent} {
			check("address", a.Detail+a.CommuneName+a.ProvinceName)
		}
		if v, ok := p.Vaccination(i); ok {
			check("recorded name", v.Record.Recorded.FullName)
			for _, d := range v.Record.Doses {
				check("site", d.Site.Name)
			}
		}
		if c, ok := p.Insurance(i); ok {
			check("clinic", c.ClinicName)
		}
		for _, pa := range p.Passages(i) {
			check("checkpoint", pa.CheckpointName+pa.Vehicle)
		}
	}
}

func TestVaccinationDefects(t *testing.T) {
	p := newPop(t, Config{Seed: 17})
	n, vaccinated, defective := 0, 0, 0
	kinds := map[Defect]int{}
	status := map[domain.ReconciliationStatus]int{}
	for _, i := range sample(p, 6000) {
		n++
		per := p.At(i)
		v, ok := p.Vaccination(i)
		if !ok {
			continue
		}
		vaccinated++
		if len(v.Defects) > 0 {
			defective++
		}
		identity := map[domain.IdentityField]bool{}
		for _, d := range v.Defects {
			kinds[d]++
			switch d {
			case DefectOldID:
				identity[domain.FieldID] = true
				if v.Record.PersonID != per.OldID || v.Record.Recorded.ID != per.OldID {
					t.Fatalf("old-ID defect but record held under another ID")
				}
			case DefectNoDiacritics, DefectNameTypo:
				identity[domain.FieldFullName] = true
				if v.Record.Recorded.FullName == per.Name.Full() {
					t.Fatalf("%s left the name unchanged", d)
				}
			case DefectWrongSex:
				identity[domain.FieldSex] = true
				if v.Record.Recorded.Sex == per.Sex {
					t.Fatal("wrong-sex defect left sex unchanged")
				}
			case DefectDaySwap:
				identity[domain.FieldBirthDate] = true
				b, r := per.BirthDate, v.Record.Recorded.BirthDate
				if b.Day > 12 || int(r.Month) != b.Day || r.Day != int(b.Month) || !r.Valid() {
					t.Fatalf("day swap %v -> %v", b, r)
				}
			case DefectMissingDose:
				if len(v.Record.Doses) < 1 {
					t.Fatal("missing dose left no doses")
				}
			}
		}
		if len(identity) == 0 && v.Record.Recorded != (domain.RecordedIdentity{ID: per.ID, FullName: per.Name.Full(), Sex: per.Sex, BirthDate: per.BirthDate}) {
			t.Fatalf("recorded identity differs without an identity defect")
		}
		r := v.Reconciliation
		status[r.Status]++
		switch r.Status {
		case domain.ReconMatch:
			if len(identity) > 0 {
				t.Fatalf("MATCH despite defects %v", v.Defects)
			}
		case domain.ReconMismatch:
			if len(r.Mismatched) != len(identity) {
				t.Fatalf("mismatched %v, defects %v", r.Mismatched, v.Defects)
			}
			for _, f := range r.Mismatched {
				if !identity[f] {
					t.Fatalf("field %s mismatched without defect", f)
				}
			}
		case domain.ReconPending:
			if !r.CheckedAt.IsZero() {
				t.Fatal("pending but checked")
			}
		default:
			t.Fatalf("status %s", r.Status)
		}
		if r.CommuneCode != per.Current.CommuneCode || r.PersonID != v.Record.PersonID {
			t.Fatalf("reconciliation commune/person wrong")
		}
		c := v.Certificate
		full := v.Record.Status() == domain.VaccinationFull
		switch {
		case full && r.Status == domain.ReconMatch:
			if c.Status != domain.CertificateIssued || !strings.HasPrefix(c.CertificateID, "VN-") || c.DosesCovered != len(v.Record.Doses) {
				t.Fatalf("certificate %+v for a full, matching record", c)
			}
			if c.IssuedAt.After(p.epoch) {
				t.Fatal("certificate issued after Epoch")
			}
		case r.Status != domain.ReconMatch:
			if c.Status != domain.CertificatePending {
				t.Fatalf("certificate %s for a %s record", c.Status, r.Status)
			}
		default:
			if c.Status != domain.CertificateNone {
				t.Fatalf("certificate %s for a partial record", c.Status)
			}
		}
		prev := time.Time{}
		for k, d := range v.Record.Doses {
			if d.PersonID != v.Record.PersonID || d.Site.CommuneCode != per.Current.CommuneCode || d.Lot == "" || d.RecordID == "" {
				t.Fatalf("dose %+v", d)
			}
			if k > 0 && d.Number <= v.Record.Doses[k-1].Number {
				t.Fatal("dose numbers not ascending")
			}
			if d.Date.Time().Before(prev) || d.Date.Time().Before(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("dose dates out of order or too early: %v", d.Date)
			}
			prev = d.Date.Time()
			if s, ok := p.Site(d.Site.Code); !ok || s != d.Site {
				t.Fatalf("Site(%s) = %+v, %v", d.Site.Code, s, ok)
			}
		}
	}
	rate := float64(defective) / float64(vaccinated)
	if rate < 0.20 || rate > 0.30 {
		t.Errorf("defect rate %.3f", rate)
	}
	// 3% of adults, 45% of 5–11-year-olds and every child under 5.
	if unvacc := float64(n-vaccinated) / float64(n); unvacc < 0.10 || unvacc > 0.22 {
		t.Errorf("never vaccinated %.3f", unvacc)
	}
	for _, d := range []Defect{DefectNoDiacritics, DefectNameTypo, DefectDaySwap, DefectWrongSex, DefectOldID, DefectMissingDose} {
		if kinds[d] == 0 {
			t.Errorf("no %s defects in sample", d)
		}
	}
	if pend := float64(status[domain.ReconPending]) / float64(vaccinated); pend < 0.01 || pend > 0.04 {
		t.Errorf("pending share %.3f", pend)
	}
}

func TestPlatformRecord(t *testing.T) {
	p := newPop(t, Config{Seed: 19})
	var oldIDs, normal int
	for _, i := range sample(p, 20_000) {
		v, ok := p.Vaccination(i)
		if !ok {
			if _, found := p.PlatformRecord(p.At(i).ID); found {
				t.Fatal("record found for unvaccinated citizen")
			}
			continue
		}
		per := p.At(i)
		byID, okID := p.PlatformRecord(per.ID)
		byOld, okOld := p.PlatformRecord(per.OldID)
		if v.Record.PersonID == per.OldID {
			oldIDs++
			if okID {
				t.Fatal("old-ID record found under the new ID")
			}
			if !okOld || byOld.Record.PersonID != per.OldID {
				t.Fatal("old-ID record not found under the old ID")
			}
		} else {
			normal++
			if !okID || byID.Record.PersonID != per.ID {
				t.Fatal("record not found under the ID")
			}
			if okOld {
				t.Fatal("record found under the CMND though held under the ID")
			}
		}
		if oldIDs > 20 && normal > 200 {
			break
		}
	}
	if oldIDs == 0 {
		t.Error("no old-ID records in sample")
	}
	for j := int64(0); j < 200; j++ {
		f := p.ForeignerAt(j)
		v, ok := p.PlatformRecord(f.Passport)
		fv, fok := p.ForeignerVaccination(j)
		if ok != fok {
			t.Fatal("PlatformRecord and ForeignerVaccination disagree")
		}
		if ok && (v.Reconciliation.Status != domain.ReconNotApplicable || v.Record.PersonID != f.Passport || fv.Record.PersonID != f.Passport) {
			t.Fatalf("foreigner record %+v", v.Reconciliation)
		}
	}
	for _, id := range []string{"", "abc", "000000000000", "B0000000"} {
		if _, ok := p.PlatformRecord(id); ok && id != "B0000000" {
			t.Errorf("PlatformRecord(%q) found", id)
		}
	}
}

func TestInsurance(t *testing.T) {
	p := newPop(t, Config{Seed: 23})
	insured, n := 0, 0
	socials := map[string]bool{}
	ep := domain.DateOf(p.epoch)
	validNow := 0
	for _, i := range sample(p, 5000) {
		n++
		c, ok := p.Insurance(i)
		if !ok {
			continue
		}
		insured++
		per := p.At(i)
		if c.HolderID != per.ID || c.HolderName != per.Name.Full() || c.BirthDate != per.BirthDate {
			t.Fatalf("card holder differs from person")
		}
		if len(c.SocialNumber) != 10 || socials[c.SocialNumber] {
			t.Fatalf("social number %q bad or repeated", c.SocialNumber)
		}
		socials[c.SocialNumber] = true
		if c.CardCode != "" && (len(c.CardCode) != 15 || c.CardCode[:2] != c.GroupCode || c.CardCode[5:] != c.SocialNumber || c.CardCode[3:5] != c.ProvinceCode) {
			t.Fatalf("card code %q inconsistent", c.CardCode)
		}
		if c.BenefitLevel < 1 || c.BenefitLevel > 5 || len(c.GroupCode) != 2 {
			t.Fatalf("group %s level %d", c.GroupCode, c.BenefitLevel)
		}
		if c.ValidTo.Time().Before(c.ValidFrom.Time()) {
			t.Fatal("card ends before it starts")
		}
		if c.ValidOn(ep) {
			validNow++
		}
		if name, ok := p.Clinic(c.ClinicCode); !ok || name != c.ClinicName {
			t.Fatalf("Clinic(%s) = %q, %v; card says %q", c.ClinicCode, name, ok, c.ClinicName)
		}
	}
	if r := float64(insured) / float64(n); r < 0.89 || r > 0.95 {
		t.Errorf("insured share %.3f", r)
	}
	if r := float64(validNow) / float64(insured); r < 0.9 || r > 0.99 {
		t.Errorf("valid-now share %.3f", r)
	}
}

func TestPhonesAndCards(t *testing.T) {
	p := newPop(t, Config{Seed: 29})
	phones := map[string]bool{}
	for _, i := range sample(p, 3000) {
		ph := p.Phone(i)
		if len(ph) != 10 || ph[0] != '0' || !strings.ContainsAny(ph[1:2], "3789") || phones[ph] {
			t.Fatalf("phone %q bad or repeated", ph)
		}
		phones[ph] = true
		card := p.CardIssued(i)
		if !card.Valid() || card.Time().After(civil(p.epoch)) || card.Time().Before(p.At(i).BirthDate.Time()) {
			t.Fatalf("card issued %v for someone born %v", card, p.At(i).BirthDate)
		}
	}
}

func TestArrivals(t *testing.T) {
	p := newPop(t, Config{Seed: 31})
	q := domain.ArrivalsQuery{ProvinceCode: "79", From: p.epoch.Add(-72 * time.Hour), To: p.epoch.Add(-24 * time.Hour)}
	var got []domain.Passage
	var poss []int64
	p.EachArrival(q, 0, func(pos int64, pa domain.Passage) bool {
		got = append(got, pa)
		poss = append(poss, pos)
		return true
	})
	if len(got) < 100 {
		t.Fatalf("only %d arrivals into HCM over two days", len(got))
	}
	for k, pa := range got {
		if pa.Direction != domain.DirectionIn || pa.Time.Before(q.From) || !pa.Time.Before(q.To) {
			t.Fatalf("passage %+v outside query", pa)
		}
		if pa.DestinationCommune[:0] != "" || p.communes[p.communeIdx[pa.DestinationCommune]].ProvinceCode != "79" {
			t.Fatalf("destination %s not in HCM", pa.DestinationCommune)
		}
		if !strings.HasPrefix(pa.CheckpointCode, "CK-79-") {
			t.Fatalf("IN passage at checkpoint %s", pa.CheckpointCode)
		}
		if k > 0 && (pa.Time.After(got[k-1].Time) || poss[k] <= poss[k-1]) {
			t.Fatal("not newest first")
		}
	}
	// Resume from the middle.
	mid := len(got) / 2
	var resumed []domain.Passage
	p.EachArrival(q, poss[mid]+1, func(pos int64, pa domain.Passage) bool {
		resumed = append(resumed, pa)
		return len(resumed) < 5
	})
	for k, pa := range resumed {
		if pa.ID != got[mid+1+k].ID {
			t.Fatal("resume does not continue after pos")
		}
	}
	// Each arrival shows up in its traveller's Passages.
	checked := 0
	for _, pa := range got[:min(len(got), 200)] {
		i, ok := p.Lookup(pa.PersonID)
		if !ok {
			if _, fok := p.ForeignerByPassport(pa.PersonID); !fok {
				t.Fatalf("traveller %s unknown", pa.ID)
			}
			continue
		}
		found := false
		for _, x := range p.Passages(i) {
			found = found || x == pa
		}
		if !found {
			t.Fatalf("arrival %s missing from the traveller's passages", pa.ID)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no citizen arrivals checked")
	}
	// A commune query sees exactly the province arrivals into that commune.
	commune := got[0].DestinationCommune
	want := 0
	for _, pa := range got {
		if pa.DestinationCommune == commune {
			want++
		}
	}
	n := 0
	p.EachArrival(domain.ArrivalsQuery{CommuneCode: commune, From: q.From, To: q.To}, 0, func(_ int64, pa domain.Passage) bool {
		n++
		return true
	})
	if n != want {
		t.Errorf("commune arrivals %d, from province query %d", n, want)
	}
	for _, bad := range []domain.ArrivalsQuery{
		{From: q.From, To: q.To},
		{ProvinceCode: "79", CommuneCode: commune, From: q.From, To: q.To},
		{ProvinceCode: "79", From: q.To, To: q.From},
		{ProvinceCode: "02", From: q.From, To: q.To},
		{CommuneCode: "79", From: q.From, To: q.To},
	} {
		p.EachArrival(bad, 0, func(int64, domain.Passage) bool { t.Fatalf("bad query %+v yielded", bad); return false })
	}
}

func TestPassagesAndDeclarations(t *testing.T) {
	p := newPop(t, Config{Seed: 37})
	since := p.epoch.Add(-window)
	withPassages, withDecl := 0, 0
	for _, i := range sample(p, 4000) {
		ps := p.Passages(i)
		per := p.At(i)
		if len(ps) > 0 {
			withPassages++
		}
		for k, pa := range ps {
			if pa.PersonID != per.ID || pa.Time.Before(since) || pa.Time.After(p.epoch) {
				t.Fatalf("passage %+v", pa)
			}
			if k > 0 && pa.Time.After(ps[k-1].Time) {
				t.Fatal("passages not newest first")
			}
			if _, ok := p.CheckpointByCode(pa.CheckpointCode); !ok {
				t.Fatalf("unknown checkpoint %s", pa.CheckpointCode)
			}
			home := per.Current.CommuneCode
			if pa.OriginCommune != home && pa.DestinationCommune != home {
				t.Fatalf("trip neither from nor to home")
			}
		}
		ds := p.Declarations(i)
		if len(ds) > 0 {
			withDecl++
		}
		for k, d := range ds {
			if d.PersonID != per.ID || d.Phone != p.Phone(i) || d.SubmittedAt.Before(since) || d.SubmittedAt.After(p.epoch) {
				t.Fatalf("declaration %+v", d)
			}
			if k > 0 && d.SubmittedAt.After(ds[k-1].SubmittedAt) {
				t.Fatal("declarations not newest first")
			}
		}
	}
	if r := float64(withPassages) / 4000; r < 0.1 || r > 0.2 {
		t.Errorf("%.3f of citizens travelled", r)
	}
	if r := float64(withDecl) / 4000; r < 0.15 || r > 0.25 {
		t.Errorf("%.3f of citizens declared", r)
	}
}

func TestZonesAndShowcase(t *testing.T) {
	p := newPop(t, Config{Seed: 41})
	zones := p.EpidemicZones()
	if len(zones) < 20 || len(zones) > 40 {
		t.Fatalf("%d zones", len(zones))
	}
	current, expired, future := 0, 0, 0
	for _, z := range zones {
		if p.dir.Level(z.AdminUnit) == adminunit.LevelUnknown || !z.ValidFrom.Before(z.ValidUntil) {
			t.Fatalf("zone %+v", z)
		}
		switch {
		case z.ValidFrom.After(p.epoch):
			future++
		case z.ValidUntil.Before(p.epoch):
			expired++
		default:
			current++
		}
	}
	if current == 0 || expired == 0 {
		t.Errorf("zones: %d current, %d expired, %d future", current, expired, future)
	}
	show := p.Showcase()
	if len(show) != 5 {
		t.Fatalf("showcase %+v", show)
	}
	for _, s := range show {
		per := p.At(s.Index)
		v, vok := p.Vaccination(s.Index)
		_, insured := p.Insurance(s.Index)
		var ok bool
		switch s.Why {
		case WhyFullRecord:
			ok = vok && v.Record.Status() == domain.VaccinationFull && v.Reconciliation.Status == domain.ReconMatch &&
				insured && len(p.Passages(s.Index)) > 0 && len(p.Declarations(s.Index)) > 0
		case WhyMismatch:
			ok = vok && v.Reconciliation.Status == domain.ReconMismatch
		case WhyOldIDOnly:
			ok = vok && v.Record.PersonID == per.OldID
		case WhyUninsured:
			ok = !insured
		case WhyHasCMND:
			ok = per.OldID != ""
		}
		if !ok {
			t.Errorf("showcased %d does not show %q", s.Index, s.Why)
		}
	}
}

func TestNew100M(t *testing.T) {
	p := newPop(t, Config{Seed: 1, Size: 100_000_000})
	last := p.At(p.Size() - 1)
	if i, ok := p.Lookup(last.ID); !ok || i != p.Size()-1 {
		t.Fatalf("last citizen lookup = %d, %v", i, ok)
	}
	if n := p.ResidentCount("79", domain.AgeBand{}); n < 8_000_000 || n > 20_000_000 {
		t.Errorf("HCM residents at 100M: %d", n)
	}
}

// TestMemoryIndependentOfSize: New allocates the same for a thousand and for
// a hundred million citizens.
func TestMemoryIndependentOfSize(t *testing.T) {
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	alloc := func(size int64) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p, err := New(Config{Seed: 1, Size: size}, dir)
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(p)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(1_000), alloc(100_000_000)
	if large > small+small/10 || large > 8<<20 {
		t.Errorf("New allocates %d bytes at 1,000 and %d at 100,000,000 citizens", small, large)
	}
}

// TestTinyPopulations: every operation copes with populations too small to
// have foreigners, trips or declarations.
func TestTinyPopulations(t *testing.T) {
	for _, size := range []int64{1, 2, 7, 499, 501} {
		p := newPop(t, Config{Seed: 3, Size: size})
		var n int64
		for _, pr := range p.dir.Provinces() {
			p.EachResident(pr.Code, 0, func(_, i int64) bool {
				n++
				per := p.At(i)
				if j, ok := p.Lookup(per.ID); !ok || j != i {
					t.Fatalf("size %d: lookup of %d", size, i)
				}
				p.Vaccination(i)
				p.Insurance(i)
				p.Passages(i)
				p.Declarations(i)
				p.CardIssued(i)
				p.Phone(i)
				return true
			})
		}
		if n != size {
			t.Fatalf("size %d: %d residents", size, n)
		}
		p.EachArrival(domain.ArrivalsQuery{ProvinceCode: "01", From: p.epoch.Add(-window), To: p.epoch}, 0, func(int64, domain.Passage) bool { return true })
		p.Showcase()
		p.EpidemicZones()
		if _, ok := p.Vaccination(size); ok {
			t.Fatal("vaccination beyond Size")
		}
		if _, ok := p.Insurance(-1); ok {
			t.Fatal("insurance for -1")
		}
	}
}

func FuzzLookup(f *testing.F) {
	p := newPop(f, Config{Seed: 1, Size: 50_000})
	for _, i := range sample(p, 20) {
		per := p.At(i)
		f.Add(per.ID)
		if per.OldID != "" {
			f.Add(per.OldID)
		}
	}
	f.Add(p.ForeignerAt(0).Passport)
	f.Add("VS0002401")
	f.Add("CK-79-01")
	f.Add("01900")
	f.Add("0791990000001")
	f.Fuzz(func(t *testing.T, id string) {
		if i, ok := p.Lookup(id); ok {
			per := p.At(i)
			if per.ID != id && per.OldID != id {
				t.Fatalf("Lookup(%q) = %d, whose IDs are %s / %s", id, i, per.ID, per.OldID)
			}
		}
		if j, ok := p.ForeignerByPassport(id); ok && p.ForeignerAt(j).Passport != id {
			t.Fatalf("ForeignerByPassport(%q) = %d", id, j)
		}
		if v, ok := p.PlatformRecord(id); ok && v.Record.PersonID != id {
			t.Fatalf("PlatformRecord(%q) held under %s", id, v.Record.PersonID)
		}
		if s, ok := p.Site(id); ok && s.Code != id {
			t.Fatalf("Site(%q) = %s", id, s.Code)
		}
		if c, ok := p.CheckpointByCode(id); ok && c.Code != id {
			t.Fatalf("CheckpointByCode(%q) = %s", id, c.Code)
		}
		p.Clinic(id)
		p.ResidentCount(id, domain.AgeBand{})
		p.EachResident(id, 0, func(int64, int64) bool { return false })
	})
}
