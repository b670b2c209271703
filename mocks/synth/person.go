package synth

import (
	"strconv"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// citizen is what the bucket layout fixes about person i; the rest of the
// person is drawn from hashes.
type citizen struct {
	i    int64
	b    int
	k    int64
	q    int // birth province index
	ai   int // age index (birth year = yMin + ai)
	s    int // 0 male, 1 female
	year int
	home int // residence commune index
	cmnd bool
	rank int64 // rank among the bucket's CMND holders when cmnd
}

func (p *Population) citizen(i int64) citizen {
	b, k := p.bucketOf(i)
	q, ai, s := p.bucketParts(b)
	holder, rank := p.isHolder(b, k)
	return citizen{i: i, b: b, k: k, q: q, ai: ai, s: s, year: p.yMin + ai,
		home: p.communeOfK(b, k), cmnd: holder, rank: rank}
}

func (c citizen) sex() domain.Sex {
	if c.s == 1 {
		return domain.SexFemale
	}
	return domain.SexMale
}

func (p *Population) checkIndex(i int64) {
	if i < 0 || i >= p.cfg.Size {
		panic("synth: citizen index out of range") // programming error: callers check against Size()
	}
}

// At returns citizen i, 0 <= i < Size(). It panics when i is out of range,
// like a slice index: callers get indexes from Lookup, EachResident or Size.
func (p *Population) At(i int64) domain.Person {
	p.checkIndex(i)
	c := p.citizen(i)
	return p.person(c)
}

func (p *Population) person(c citizen) domain.Person {
	st := newStream(p.seed, tagPerson, uint64(c.i))
	pr := p.provs[c.q]
	ethnic := pickWeighted(ethnicByRegion[pr.region], st.unit())
	name := p.name(&st, c, ethnic)
	birth := p.birthDate(c)
	current := p.address(&st, c.home)
	permanent := current
	if st.chance(0.10) {
		// Registered elsewhere in the birth province (students, workers).
		pc := p.pickCommune(c.q, st.unit())
		if pc == c.home && p.cFirst[c.q+1]-p.cFirst[c.q] > 1 {
			pc = p.cFirst[c.q] + (pc-p.cFirst[c.q]+1)%(p.cFirst[c.q+1]-p.cFirst[c.q])
		}
		permanent = p.address(&st, pc)
	}
	per := domain.Person{
		ID:          p.personalID(c),
		Name:        name,
		Sex:         c.sex(),
		BirthDate:   birth,
		Nationality: "VN",
		Ethnicity:   ethnic,
		Permanent:   permanent,
		Current:     current,
	}
	if c.cmnd {
		per.OldID = p.cmnd(c)
	}
	return per
}

func (p *Population) name(st *stream, c citizen, ethnic string) domain.PersonName {
	var n domain.PersonName
	region := p.provs[c.q].region
	fams, minority := minorityFamily[ethnic]
	u := st.unit()
	switch {
	case minority && u < 0.7:
		n.Family = fams[st.intn(len(fams))]
	case region == regionNorth || region == regionNorthMountain || region == regionMuong:
		n.Family = pickWeighted(familyNorth, st.unit())
	case region.south():
		n.Family = pickWeighted(familySouth, st.unit())
	default:
		n.Family = pickWeighted(familyCentral, st.unit())
	}
	middles, givens := middleMale, givenMale
	if c.s == 1 {
		middles, givens = middleFemale, givenFemale
	}
	m := st.unit()
	switch {
	case m < 0.03: // no middle name
	case m < 0.07: // two-word middle name
		a := pickWeighted(middles, st.unit())
		b := pickWeighted(middles, st.unit())
		if a == b || b == "Văn" || b == "Thị" {
			n.Middle = a
		} else {
			n.Middle = a + " " + b
		}
	default:
		n.Middle = pickWeighted(middles, st.unit())
		// Văn and Thị fell out of fashion for children born since 2000.
		if c.year >= 2000 && (n.Middle == "Văn" || n.Middle == "Thị") && st.chance(0.6) {
			n.Middle = pickWeighted(middles, st.unit())
		}
	}
	n.Given = givens[st.intn(len(givens))]
	if n.Middle == n.Given {
		n.Middle = ""
	}
	return n
}

func (p *Population) address(st *stream, c int) domain.Address {
	cm := p.communes[c]
	q := p.provinceOfCommune(c)
	pr := p.provs[q]
	var detail string
	switch cm.Kind {
	case "PHUONG":
		no := strconv.Itoa(1 + st.intn(300))
		street := streets[st.intn(len(streets))]
		if st.chance(0.3) {
			alley := "ngõ"
			if pr.region.south() {
				alley = "hẻm"
			}
			detail = "Số " + no + ", " + alley + " " + strconv.Itoa(2+st.intn(200)) + " đường " + street
		} else {
			detail = "Số " + no + ", đường " + street
		}
	case "DAC_KHU":
		detail = "Tổ dân phố " + strconv.Itoa(1+st.intn(20))
	default:
		switch {
		case pr.region.south():
			detail = "Ấp " + hamlets[st.intn(len(hamlets))]
		case st.chance(0.5):
			detail = "Thôn " + strconv.Itoa(1+st.intn(15))
		default:
			detail = "Thôn " + hamlets[st.intn(len(hamlets))]
		}
		if st.chance(0.3) {
			detail = "Số " + strconv.Itoa(1+st.intn(150)) + ", " + lowerFirst(detail)
		}
	}
	return domain.Address{
		Detail:       detail,
		CommuneCode:  cm.Code,
		CommuneName:  cm.Name,
		ProvinceCode: pr.Code,
		ProvinceName: pr.Name,
	}
}

func lowerFirst(s string) string {
	switch {
	case len(s) >= 4 && s[:4] == "Thôn":
		return "thôn" + s[4:]
	case len(s) >= 3 && s[:3] == "Ấp":
		return "ấp" + s[3:]
	}
	return s
}

// personalID encodes 0PP G YY RRRRRR: birth province, century/sex, year, and
// the bucket-permuted serial.
func (p *Population) personalID(c citizen) string {
	var buf [12]byte
	code := p.provs[c.q].Code
	g := 2*((c.year-1900)/100) + c.s
	buf[0] = '0'
	buf[1], buf[2] = code[0], code[1]
	buf[3] = byte('0' + g)
	yy := c.year % 100
	buf[4], buf[5] = byte('0'+yy/10), byte('0'+yy%10)
	putDigits(buf[6:], p.idPerm(c.b).fwd(uint64(c.k)))
	return string(buf[:])
}

// cmndRank is the person's rank among the CMND holders of their province.
func (p *Population) cmndRank(c citizen) uint64 {
	first := c.q * nYears * 2
	return uint64(p.hStart[c.b] - p.hStart[first] + c.rank)
}

func (p *Population) cmnd(c citizen) string {
	var buf [9]byte
	pre := p.provs[c.q].cmnd
	buf[0], buf[1] = pre[0], pre[1]
	putDigits(buf[2:], p.cmndPerm(c.q).fwd(p.cmndRank(c)))
	return string(buf[:])
}

func putDigits(dst []byte, v uint64) {
	for j := len(dst) - 1; j >= 0; j-- {
		dst[j] = byte('0' + v%10)
		v /= 10
	}
}

// pad formats v in decimal, zero-padded to width (fmt-free: it is on every
// hot path).
func pad(v uint64, width int) string {
	var buf [20]byte
	n := 0
	for v > 0 || n < width {
		n++
		buf[len(buf)-n] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[len(buf)-n:])
}

func parseDigits(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	for j := 0; j < len(s); j++ {
		d := s[j] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return v, true
}

// Lookup finds a citizen by 12-digit personal ID or 9-digit CMND in O(1)
// (O(log buckets) for a CMND).
func (p *Population) Lookup(id string) (int64, bool) {
	switch len(id) {
	case 12:
		return p.lookupID(id)
	case 9:
		return p.lookupCMND(id)
	}
	return 0, false
}

func (p *Population) lookupID(id string) (int64, bool) {
	if _, ok := parseDigits(id); !ok || id[0] != '0' {
		return 0, false
	}
	q := p.provIdx[int(id[1]-'0')*10+int(id[2]-'0')]
	if q < 0 {
		return 0, false
	}
	g := int(id[3] - '0')
	year := 1900 + 100*(g/2) + int(id[4]-'0')*10 + int(id[5]-'0')
	ai := year - p.yMin
	if ai < 0 || ai >= nYears {
		return 0, false
	}
	b := (int(q)*nYears+ai)*2 + g%2
	serial, _ := parseDigits(id[6:])
	k := int64(p.idPerm(b).inv(serial))
	if k >= p.cnt[b] {
		return 0, false
	}
	return p.start[b] + k, true
}

func (p *Population) lookupCMND(id string) (int64, bool) {
	if _, ok := parseDigits(id); !ok {
		return 0, false
	}
	q := int(p.cmndProv[int(id[0]-'0')*10+int(id[1]-'0')])
	if q < 0 {
		return 0, false
	}
	v, _ := parseDigits(id[2:])
	rank := int64(p.cmndPerm(q).inv(v))
	if rank >= p.provHold[q] {
		return 0, false
	}
	first := q * nYears * 2
	base := p.hStart[first]
	j := searchInt64(p.hStart[first+1:first+nYears*2+1], base+rank)
	b := first + j
	k := p.holderK(b, base+rank-p.hStart[b])
	return p.start[b] + k, true
}

// searchInt64 returns the first j with xs[j] > v.
func searchInt64(xs []int64, v int64) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] > v {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// CardIssued is the issue date of citizen i's chip ID card (printed in its QR).
func (p *Population) CardIssued(i int64) domain.Date {
	p.checkIndex(i)
	c := p.citizen(i)
	st := newStream(p.seed, tagCard, uint64(i))
	birth := p.birthDate(c)
	fourteen := time.Date(birth.Year+14, birth.Month, birth.Day, 0, 0, 0, 0, time.UTC)
	var t time.Time
	campaign := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case fourteen.Before(campaign):
		// Most adults got their chip card in the 2021–2022 campaign.
		if st.chance(0.8) {
			t = campaign.AddDate(0, 0, st.intn(670))
		} else {
			t = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, st.intn(900))
		}
	default:
		// Cards from age 14, or for younger children since July 2024.
		t = fourteen.AddDate(0, 0, st.intn(400))
		if young := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC); t.After(young) && birth.Year+14 > 2024 {
			t = young.AddDate(0, 0, st.intn(540))
		}
	}
	if ep := civil(p.epoch); t.After(ep) {
		t = ep.AddDate(0, 0, -1-st.intn(30))
	}
	if b := birth.Time(); t.Before(b) {
		t = b // a newborn's card: the earliest the registry could print it
	}
	return domain.DateOf(t)
}

// birthDate is uniform over the days of the bucket's birth year, from its own
// hash so that it can be derived without the rest of the person.
func (p *Population) birthDate(c citizen) domain.Date {
	d := hash3(p.seed, tagBirth, uint64(c.i)) % uint64(daysIn(c.year))
	return dayOfYear(c.year, int(d))
}

// Phone is citizen i's phone number as declared in health declarations:
// unique per citizen (a permutation of i over the mobile numbering space).
func (p *Population) Phone(i int64) string {
	p.checkIndex(i)
	v := p.phonePerm.fwd(uint64(i))
	var buf [10]byte
	pre := mobilePrefixes[v/10_000_000]
	copy(buf[:3], pre)
	putDigits(buf[3:], v%10_000_000)
	return string(buf[:])
}

// civil is the ICT calendar day of t as midnight UTC, the form Date.Time uses.
func civil(t time.Time) time.Time {
	y, m, d := t.In(ict).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysIn(y int) int {
	return int(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

func dayOfYear(y, d int) domain.Date {
	return domain.DateOf(time.Date(y, 1, 1+d, 0, 0, 0, 0, time.UTC))
}
