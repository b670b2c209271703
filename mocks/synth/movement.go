package synth

import (
	"fmt"
	"sort"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// Trips are numbered t = 0, 1, … , T-1 newest first over the 30 days before
// the Epoch. Each trip is one crossing between provinces and yields two
// passages: OUT at a checkpoint of the origin province and IN at one of the
// destination province. Traveller of trip t is citizen tripPerm(t mod Size)
// (or, for 1% of trips, a foreigner), so a citizen's trips are the t ≡
// tripPerm⁻¹(i) (mod Size) below T.

// Checkpoint is a police checkpoint (chốt kiểm dịch) on a province border.
type Checkpoint struct {
	Code         string // "CK-<province>-<nn>"
	Name         string
	ProvinceCode string
	CommuneCode  string
}

const checkpointsPerProvince = 4

// Checkpoints lists the checkpoints of a province.
func (p *Population) Checkpoints(province string) []Checkpoint {
	if len(province) != 2 {
		return nil
	}
	pc, ok := parseDigits(province)
	if !ok || p.provIdx[pc] < 0 {
		return nil
	}
	out := make([]Checkpoint, 0, checkpointsPerProvince)
	for n := 1; n <= checkpointsPerProvince; n++ {
		out = append(out, p.checkpoint(int(p.provIdx[pc]), n))
	}
	return out
}

// CheckpointByCode finds a checkpoint by its code.
func (p *Population) CheckpointByCode(code string) (Checkpoint, bool) {
	if len(code) != 8 || code[:3] != "CK-" || code[5] != '-' {
		return Checkpoint{}, false
	}
	pc, ok1 := parseDigits(code[3:5])
	n, ok2 := parseDigits(code[6:])
	if !ok1 || !ok2 || p.provIdx[pc] < 0 || n < 1 || n > checkpointsPerProvince {
		return Checkpoint{}, false
	}
	return p.checkpoint(int(p.provIdx[pc]), int(n)), true
}

func (p *Population) checkpoint(q, n int) Checkpoint {
	pr := p.provs[q]
	cnt := p.cFirst[q+1] - p.cFirst[q]
	// Checkpoints stand on roads at the edge of the province: prefer rural
	// communes to inner-city wards.
	st := newStream(p.seed, tagCheckpoint, uint64(q*16+n))
	c := p.cFirst[q] + st.intn(cnt)
	for try := 0; try < 8 && p.communes[c].Kind != "XA"; try++ {
		c = p.cFirst[q] + st.intn(cnt)
	}
	cm := p.communes[c]
	return Checkpoint{
		Code:         fmt.Sprintf("CK-%s-%02d", pr.Code, n),
		Name:         fmt.Sprintf("Chốt kiểm dịch số %d - %s, %s", n, shortName(cm.Name), pr.Name),
		ProvinceCode: pr.Code,
		CommuneCode:  cm.Code,
	}
}

type trip struct {
	t        int64
	foreign  bool
	who      int64 // citizen or foreigner index
	outbound bool  // leaving home (else returning home)
	home     int   // traveller's residence commune
	other    int   // the commune at the other end
	in, out  time.Time
	ckIn     int // checkpoint number in the destination province
	ckOut    int
	vehicle  string
}

func (tr trip) origin() int {
	if tr.outbound {
		return tr.home
	}
	return tr.other
}

func (tr trip) dest() int {
	if tr.outbound {
		return tr.other
	}
	return tr.home
}

// inTime is when trip t crosses into its destination province: strictly
// ordered by t up to whole seconds, newest first.
func (p *Population) inTime(t int64) time.Time {
	j := float64(hash3(p.seed, tagTripJitter, uint64(t))>>11) / (1 << 53)
	d := time.Duration((float64(t) + j) * float64(window) / float64(p.trips))
	return p.epoch.Add(-d).Truncate(time.Second)
}

// trip derives trip t.
func (p *Population) trip(t int64) trip {
	st := newStream(p.seed, tagTrip, uint64(t))
	tr := trip{t: t}
	if p.foreigners > 0 && st.chance(0.01) {
		tr.foreign = true
		tr.who = int64(st.next() % uint64(p.foreigners))
		tr.home = p.foreignerHome(tr.who)
	} else {
		tr.who = int64(p.tripPerm.fwd(uint64(t % p.cfg.Size)))
		b, k := p.bucketOf(tr.who)
		tr.home = p.communeOfK(b, k)
	}
	tr.outbound = st.chance(0.5)
	hq := p.provinceOfCommune(tr.home)
	oq := p.pickProvince(st.unit())
	if oq == hq && len(p.provs) > 1 {
		oq = (oq + 1) % len(p.provs)
	}
	tr.other = p.pickCommune(oq, st.unit())
	tr.in = p.inTime(t)
	tr.out = tr.in.Add(-time.Duration(30+st.intn(450)) * time.Minute)
	tr.ckIn = 1 + st.intn(checkpointsPerProvince)
	tr.ckOut = 1 + st.intn(checkpointsPerProvince)
	u := st.unit()
	switch {
	case u < 0.55 && !tr.foreign:
		tr.vehicle = fmt.Sprintf("%s%c-%03d.%02d", p.provs[hq].plate, "ABCDEFGHKL"[st.intn(10)], st.intn(1000), st.intn(100))
	case u < 0.8:
		tr.vehicle = "Xe khách"
	case u < 0.88:
		tr.vehicle = "Tàu hỏa"
	default:
		tr.vehicle = "Máy bay"
	}
	return tr
}

// traveller returns who made the trip as checkpoints record them.
func (p *Population) traveller(tr trip) (id, name, nationality string) {
	if tr.foreign {
		f := p.ForeignerAt(tr.who)
		return f.Passport, f.FullName, f.Nationality
	}
	per := p.At(tr.who)
	return per.ID, per.Name.Full(), per.Nationality
}

func (p *Population) passage(tr trip, dir domain.Direction, id, name, nat string) domain.Passage {
	pa := domain.Passage{
		PersonID:           id,
		FullName:           name,
		Nationality:        nat,
		Direction:          dir,
		OriginCommune:      p.communes[tr.origin()].Code,
		DestinationCommune: p.communes[tr.dest()].Code,
		Vehicle:            tr.vehicle,
	}
	var ck Checkpoint
	if dir == domain.DirectionIn {
		ck = p.checkpoint(p.provinceOfCommune(tr.dest()), tr.ckIn)
		pa.Time = tr.in
		pa.ID = "PS" + pad(uint64(tr.t), 10) + "2"
	} else {
		ck = p.checkpoint(p.provinceOfCommune(tr.origin()), tr.ckOut)
		pa.Time = tr.out
		pa.ID = "PS" + pad(uint64(tr.t), 10) + "1"
	}
	pa.CheckpointCode, pa.CheckpointName = ck.Code, ck.Name
	return pa
}

// citizenTrips lists the trip numbers of citizen i, newest first.
func (p *Population) citizenTrips(i int64) []int64 {
	var ts []int64
	for t := int64(p.tripPerm.inv(uint64(i))); t < p.trips; t += p.cfg.Size {
		ts = append(ts, t)
	}
	return ts
}

// Passages are citizen i's checkpoint passages in the 30 days before Epoch, newest first.
func (p *Population) Passages(i int64) []domain.Passage {
	if i < 0 || i >= p.cfg.Size {
		return nil
	}
	var out []domain.Passage
	since := p.epoch.Add(-window)
	for _, t := range p.citizenTrips(i) {
		tr := p.trip(t)
		if tr.foreign {
			continue
		}
		id, name, nat := p.traveller(tr)
		for _, dir := range []domain.Direction{domain.DirectionIn, domain.DirectionOut} {
			if pa := p.passage(tr, dir, id, name, nat); !pa.Time.Before(since) {
				out = append(out, pa)
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Time.After(out[b].Time) })
	return out
}

// EachArrival calls fn for each IN passage into the query's province or
// commune within [From, To), newest first, starting at position from; pos
// resumes as in EachResident. Cost is proportional to passages in the window.
//
// pos is the global trip number t of the passage (trips are numbered newest
// first from 0, so positions increase as time goes back); from = pos+1
// continues after it, and from = 0 starts at the newest passage in the
// window. A query naming neither or both units, or an empty window, yields
// nothing.
func (p *Population) EachArrival(q domain.ArrivalsQuery, from int64, fn func(pos int64, pa domain.Passage) bool) {
	if (q.ProvinceCode == "") == (q.CommuneCode == "") || !q.From.Before(q.To) || p.trips == 0 {
		return
	}
	unit := q.ProvinceCode
	if unit == "" {
		unit = q.CommuneCode
		if len(unit) != 5 {
			return
		}
	} else if len(unit) != 2 {
		return
	}
	lo, hi, ok := p.unitRange(unit)
	if !ok {
		return
	}
	first := p.firstTripBefore(q.To)
	end := p.firstTripBefore(q.From)
	for t := max(first, from); t < end; t++ {
		tr := p.trip(t)
		if d := tr.dest(); d < lo || d >= hi {
			continue
		}
		id, name, nat := p.traveller(tr)
		if !fn(t, p.passage(tr, domain.DirectionIn, id, name, nat)) {
			return
		}
	}
}

// firstTripBefore is the smallest t whose IN time is before x (T if none):
// IN times fall as t grows, so a binary search suffices.
func (p *Population) firstTripBefore(x time.Time) int64 {
	return int64(sort.Search(int(p.trips), func(t int) bool { return p.inTime(int64(t)).Before(x) }))
}

var (
	symptoms  = []domain.Symptom{domain.SymptomFever, domain.SymptomCough, domain.SymptomShortBreath, domain.SymptomSoreThroat, domain.SymptomLossOfTaste, domain.SymptomFatigue}
	exposures = []domain.Exposure{domain.ExposureCaseContact, domain.ExposureAffectedArea, domain.ExposureAffectedPeople, domain.ExposureSymptomatic}
)

// healthAnswers draws the 14-day symptoms and exposures: rare, as in reality.
func healthAnswers(st *stream) ([]domain.Symptom, []domain.Exposure) {
	var ss []domain.Symptom
	var es []domain.Exposure
	if st.chance(0.03) {
		a := st.intn(len(symptoms))
		ss = append(ss, symptoms[a])
		if st.chance(0.4) {
			if b := st.intn(len(symptoms)); b != a {
				ss = append(ss, symptoms[b])
			}
		}
	}
	if st.chance(0.02) {
		es = append(es, exposures[st.intn(len(exposures))])
	}
	return ss, es
}

// Declarations are the health declarations citizen i submitted in the 30 days
// before Epoch, newest first: a DOMESTIC_TRAVEL one before most trips, and a
// GENERAL one for about 5% of people.
func (p *Population) Declarations(i int64) []domain.HealthDeclaration {
	if i < 0 || i >= p.cfg.Size {
		return nil
	}
	c := p.citizen(i)
	per := p.person(c)
	since := p.epoch.Add(-window)
	base := domain.HealthDeclaration{
		PersonID:    per.ID,
		FullName:    per.Name.Full(),
		BirthYear:   per.BirthDate.Year,
		Sex:         per.Sex,
		Nationality: per.Nationality,
		Phone:       p.Phone(i),
		CommuneCode: per.Current.CommuneCode,
		Address:     per.Current.Detail + ", " + per.Current.CommuneName + ", " + per.Current.ProvinceName,
	}
	var out []domain.HealthDeclaration
	for _, t := range p.citizenTrips(i) {
		tr := p.trip(t)
		if tr.foreign {
			continue
		}
		st := newStream(p.seed, tagDeclaration, uint64(t))
		if !st.chance(0.95) {
			continue
		}
		d := base
		d.ID = "TKD" + pad(uint64(t), 10)
		d.Kind = domain.DeclarationDomestic
		d.SubmittedAt = tr.out.Add(-time.Duration(15+st.intn(12*60)) * time.Minute)
		d.Transport = tr.vehicle
		d.Symptoms, d.Exposures = healthAnswers(&st)
		if !d.SubmittedAt.Before(since) {
			out = append(out, d)
		}
	}
	if g := int64(p.genPerm.inv(uint64(i))); g < p.generals {
		st := newStream(p.seed, tagGeneral, uint64(g))
		d := base
		d.ID = "TKG" + pad(uint64(g), 10)
		d.Kind = domain.DeclarationGeneral
		d.SubmittedAt = p.epoch.Add(-time.Duration(st.unit() * float64(window))).Truncate(time.Second)
		d.Symptoms, d.Exposures = healthAnswers(&st)
		out = append(out, d)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].SubmittedAt.After(out[b].SubmittedAt) })
	return out
}
