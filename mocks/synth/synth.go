package synth

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
)

// Config fixes a population. Equal configs give identical populations.
type Config struct {
	Seed  uint64
	Size  int64     // citizens; 0 means 1,000,000
	Epoch time.Time // the simulated "now": ages, recent passages and declarations are relative to it; zero means 2026-01-01T00:00:00+07:00
}

// Limits of a configuration.
const (
	DefaultSize = 1_000_000
	MaxSize     = 200_000_000
)

// ICT is Vietnam's time zone (UTC+7, no daylight saving); fixed so that no
// tzdata is needed.
var ict = time.FixedZone("ICT", 7*3600)

// ICT returns Vietnam's time zone, UTC+7.
func ICT() *time.Location { return ict }

// DefaultEpoch is the simulated "now" when Config.Epoch is zero.
func DefaultEpoch() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, ict) }

// ErrConfig is the kind of every error New returns for a bad configuration.
var ErrConfig = errors.New("synth: invalid configuration")

const (
	nYears    = 101 // ages 0..100 on the Epoch
	idSpace   = 1_000_000
	cmndSpace = 10_000_000
	window    = 30 * 24 * time.Hour // passages and declarations cover the 30 days before Epoch
)

// Population is a synthetic population. Immutable; safe for concurrent use.
type Population struct {
	cfg   Config
	dir   *adminunit.Directory
	seed  uint64
	epoch time.Time // cfg.Epoch in ICT
	yMin  int       // birth year of age-index 0 (the oldest)
	// ageShift is 1 when the Epoch is past mid-year, so that a bucket's
	// nominal age is the age most of its members have on the Epoch.
	ageShift int

	provs    []provInfo
	provIdx  [100]int8 // 2-digit code -> index in provs, -1 if unknown
	cmndProv [100]int8 // CMND prefix -> index in provs, -1 if unknown
	nb       int       // buckets = len(provs) * nYears * 2

	cnt      []int64 // n_b
	start    []int64 // prefix sums of cnt, len nb+1
	holdM    []int64 // CMND share per bucket, in millionths (see isHolder)
	holders  []int64 // CMND holders per bucket
	hStart   []int64 // prefix sums of holders, len nb+1
	provHold []int64 // CMND holders per province

	communes   []adminunit.Commune // ordered by (province, code)
	communeIdx map[string]int
	cFirst     []int     // first commune index of each province, len(provs)+1
	wcum       []float64 // within-province cumulative weight fraction before commune c, len(communes)+1
	cdf        []float64 // per birth province: residence CDF at commune starts, len(provs)*(len(communes)+1)
	popCum     []float64 // cumulative population share by province, len(provs)+1

	foreigners int64
	trips      int64
	generals   int64
	tripPerm   cyclePerm
	genPerm    cyclePerm
	phonePerm  feistel
	socialPerm feistel
	recPerm    feistel
	passPerm   feistel
}

type provInfo struct {
	adminunit.Province
	cmnd   string // 2-digit prefix of CMNDs issued by the province's police
	plate  string // 2-digit licence plate code
	region region
}

// New builds the population's index structures (memory independent of Size).
func New(cfg Config, dir *adminunit.Directory) (*Population, error) {
	if dir == nil {
		return nil, fmt.Errorf("%w: nil directory", ErrConfig)
	}
	if cfg.Size == 0 {
		cfg.Size = DefaultSize
	}
	if cfg.Size < 1 || cfg.Size > MaxSize {
		return nil, fmt.Errorf("%w: Size must be between 1 and %d", ErrConfig, MaxSize)
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = DefaultEpoch()
	}
	ep := cfg.Epoch.In(ict)
	if ep.Year() < 2001 || ep.Year() > 2199 {
		return nil, fmt.Errorf("%w: Epoch year must be between 2001 and 2199", ErrConfig)
	}
	p := &Population{cfg: cfg, dir: dir, seed: cfg.Seed, epoch: ep, yMin: ep.Year() - nYears}
	if ep.YearDay() > 182 {
		p.ageShift = 1
	}
	if err := p.buildProvinces(); err != nil {
		return nil, err
	}
	if err := p.buildCommunes(); err != nil {
		return nil, err
	}
	if err := p.buildBuckets(); err != nil {
		return nil, err
	}
	size := uint64(cfg.Size)
	p.foreigners = cfg.Size / 500
	p.trips = cfg.Size * 15 / 100
	p.generals = cfg.Size / 20
	p.tripPerm = newCyclePerm(size, hash3(p.seed, tagTripPerm, 0))
	p.genPerm = newCyclePerm(size, hash3(p.seed, tagGeneralPerm, 0))
	p.phonePerm = feistel{a: uint64(len(mobilePrefixes)) * 1000, b: 10_000, key: hash3(p.seed, tagPhonePerm, 0)}
	p.socialPerm = feistel{a: 10_000, b: 10_000, key: hash3(p.seed, tagSocialPerm, 0)}
	p.recPerm = feistel{a: 100_000, b: 100_000, key: hash3(p.seed, tagRecPerm, 0)}
	p.passPerm = feistel{a: 26_000, b: 10_000, key: hash3(p.seed, tagPassportPerm, 0)}
	return p, nil
}

func (p *Population) buildProvinces() error {
	ps := p.dir.Provinces()
	if len(ps) == 0 || len(ps) > 100 {
		return fmt.Errorf("%w: directory has %d provinces", ErrConfig, len(ps))
	}
	for i := range p.provIdx {
		p.provIdx[i] = -1
		p.cmndProv[i] = -1
	}
	total := 0.0
	for i, pr := range ps {
		ref, ok := provinceRefs[pr.Code]
		if !ok {
			return fmt.Errorf("%w: province code %s has no CMND prefix or plate code", ErrConfig, pr.Code)
		}
		code := int(pr.Code[0]-'0')*10 + int(pr.Code[1]-'0')
		pre := int(ref.cmnd[0]-'0')*10 + int(ref.cmnd[1]-'0')
		p.provIdx[code] = int8(i)
		p.cmndProv[pre] = int8(i)
		p.provs = append(p.provs, provInfo{Province: pr, cmnd: ref.cmnd, plate: ref.plate, region: ref.region})
		total += pr.Population
	}
	p.popCum = make([]float64, len(ps)+1)
	for i, pr := range ps {
		p.popCum[i+1] = p.popCum[i] + pr.Population/total
	}
	p.popCum[len(ps)] = 1
	return nil
}

func (p *Population) buildCommunes() error {
	np := len(p.provs)
	p.cFirst = make([]int, np+1)
	p.communeIdx = map[string]int{}
	for q, pr := range p.provs {
		p.cFirst[q] = len(p.communes)
		cs := p.dir.Communes(pr.Code)
		if len(cs) == 0 {
			return fmt.Errorf("%w: province %s has no communes", ErrConfig, pr.Code)
		}
		for _, c := range cs {
			p.communeIdx[c.Code] = len(p.communes)
			p.communes = append(p.communes, c)
		}
	}
	nc := len(p.communes)
	p.cFirst[np] = nc
	p.wcum = make([]float64, nc+1)
	for q := 0; q < np; q++ {
		tot := 0.0
		for c := p.cFirst[q]; c < p.cFirst[q+1]; c++ {
			tot += p.communes[c].Weight
		}
		acc := 0.0
		for c := p.cFirst[q]; c < p.cFirst[q+1]; c++ {
			p.wcum[c] = acc / tot
			acc += p.communes[c].Weight
		}
	}
	p.wcum[nc] = 1

	// Residence CDF for each birth province P: 85% of the mass on P's own
	// communes, 15% spread over the other provinces by population, each
	// province's share spread over its communes by weight. Ordering the CDF by
	// (province, code) keeps each province a contiguous interval.
	p.cdf = make([]float64, np*(nc+1))
	for bp := 0; bp < np; bp++ {
		mass := make([]float64, np)
		others := 0.0
		for q := range p.provs {
			if q != bp {
				others += p.provs[q].Population
			}
		}
		for q := range p.provs {
			switch {
			case q == bp && np == 1:
				mass[q] = 1
			case q == bp:
				mass[q] = 0.85
			default:
				mass[q] = 0.15 * p.provs[q].Population / others
			}
		}
		row := p.cdf[bp*(nc+1) : (bp+1)*(nc+1)]
		base := 0.0
		for q := 0; q < np; q++ {
			for c := p.cFirst[q]; c < p.cFirst[q+1]; c++ {
				row[c] = base + mass[q]*p.wcum[c]
			}
			base += mass[q]
		}
		row[0] = 0
		row[nc] = 1
		for c := 1; c <= nc; c++ {
			row[c] = min(max(row[c], row[c-1]), 1)
		}
	}
	return nil
}

// ageWeight is a Vietnam-like age pyramid (relative cohort sizes).
func ageWeight(a int) float64 {
	switch {
	case a < 10:
		return 0.92 + 0.008*float64(a)
	case a < 45:
		return 1
	case a < 60:
		return 1 - 0.2*float64(a-45)/15
	case a < 75:
		return 0.8 - 0.45*float64(a-60)/15
	case a < 90:
		return 0.35 - 0.3*float64(a-75)/15
	}
	return max(0.05*(1-float64(a-90)/11), 0.003)
}

// maleShare: more boys are born, more women reach old age.
func maleShare(a int) float64 {
	switch {
	case a < 20:
		return 0.525
	case a < 60:
		return 0.5
	case a < 80:
		return 0.45
	}
	return 0.38
}

// cmndShare is the share of a birth cohort that still holds an old 9-digit
// CMND: everyone of age before 1990, fewer for later cohorts, none after 1996.
func cmndShare(y int) float64 {
	switch {
	case y <= 1989:
		return 0.82
	case y <= 1996:
		return 0.82 - 0.09*float64(y-1989)
	}
	return 0
}

func (p *Population) buildBuckets() error {
	np := len(p.provs)
	p.nb = np * nYears * 2
	size := p.cfg.Size
	ageTot := 0.0
	for ai := 0; ai < nYears; ai++ {
		ageTot += ageWeight(nYears - 1 - ai)
	}
	type rem struct {
		frac float64
		b    int
	}
	rems := make([]rem, p.nb)
	p.cnt = make([]int64, p.nb)
	var sum int64
	for q := 0; q < np; q++ {
		share := p.popCum[q+1] - p.popCum[q]
		for ai := 0; ai < nYears; ai++ {
			a := nYears - 1 - ai
			for s := 0; s < 2; s++ {
				sx := maleShare(a)
				if s == 1 {
					sx = 1 - sx
				}
				t := float64(size) * share * ageWeight(a) / ageTot * sx
				b := (q*nYears+ai)*2 + s
				f := math.Floor(t)
				p.cnt[b] = int64(f)
				sum += int64(f)
				rems[b] = rem{t - f, b}
			}
		}
	}
	// Largest remainder, ties by bucket index, so that Σ n_b == Size exactly.
	sort.Slice(rems, func(i, j int) bool {
		if rems[i].frac != rems[j].frac {
			return rems[i].frac > rems[j].frac
		}
		return rems[i].b < rems[j].b
	})
	for j := 0; sum < size; j++ {
		p.cnt[rems[j%p.nb].b]++
		sum++
	}
	p.start = make([]int64, p.nb+1)
	for b, n := range p.cnt {
		if n >= idSpace {
			return fmt.Errorf("%w: Size too large for 6-digit ID serials", ErrConfig)
		}
		p.start[b+1] = p.start[b] + n
	}

	p.holdM = make([]int64, p.nb)
	p.holders = make([]int64, p.nb)
	p.hStart = make([]int64, p.nb+1)
	p.provHold = make([]int64, np)
	for q := 0; q < np; q++ {
		raw := 0.0
		for ai := 0; ai < nYears; ai++ {
			for s := 0; s < 2; s++ {
				raw += cmndShare(p.yMin+ai) * float64(p.cnt[(q*nYears+ai)*2+s])
			}
		}
		// A police prefix has 7 digits of serials; very large populations
		// issue proportionally fewer CMNDs rather than overflow.
		scale := 1.0
		if raw > cmndSpace-1 {
			scale = (cmndSpace - 1) / raw
		}
		for ai := 0; ai < nYears; ai++ {
			for s := 0; s < 2; s++ {
				b := (q*nYears+ai)*2 + s
				p.holdM[b] = int64(math.Floor(cmndShare(p.yMin+ai) * scale * holdDen))
				p.holders[b] = p.cnt[b] * p.holdM[b] / holdDen
				p.provHold[q] += p.holders[b]
			}
		}
		if p.provHold[q] >= cmndSpace {
			return fmt.Errorf("%w: too many CMND holders in one province", ErrConfig)
		}
	}
	for b, h := range p.holders {
		p.hStart[b+1] = p.hStart[b] + h
	}
	return nil
}

// holdDen is the denominator of CMND shares.
const holdDen = 1_000_000

// isHolder reports whether person k of bucket b holds a CMND, and their rank
// among the bucket's holders. Holders are spread evenly over k (k holds one
// when floor((k+1)·m/D) steps up), so that holding a CMND is independent of
// residence, which is also a function of k.
func (p *Population) isHolder(b int, k int64) (bool, int64) {
	m := p.holdM[b]
	r := k * m / holdDen
	return (k+1)*m/holdDen > r, r
}

// holderK inverts isHolder: the k of the holder of rank r in bucket b.
func (p *Population) holderK(b int, r int64) int64 {
	m := p.holdM[b]
	return ((r+1)*holdDen+m-1)/m - 1
}

// Config returns the effective configuration (defaults filled in).
func (p *Population) Config() Config { return p.cfg }

// Directory returns the administrative units the population lives in.
func (p *Population) Directory() *adminunit.Directory { return p.dir }

// Size is the number of citizens (foreigners not included).
func (p *Population) Size() int64 { return p.cfg.Size }

// bucket decoding: b = (province*nYears + ageIndex)*2 + sex.
func (p *Population) bucketParts(b int) (q, ai, s int) {
	return b / (nYears * 2), (b / 2) % nYears, b % 2
}

func (p *Population) bucketOf(i int64) (b int, k int64) {
	b = sort.Search(p.nb, func(b int) bool { return p.start[b+1] > i })
	return b, i - p.start[b]
}

// nominalAge is the age most members of age-index ai have on the Epoch.
func (p *Population) nominalAge(ai int) int {
	return p.epoch.Year() - 1 - (p.yMin + ai) + p.ageShift
}

func (p *Population) idPerm(b int) feistel {
	return feistel{a: 1000, b: 1000, key: hash3(p.seed, tagIDPerm, uint64(b))}
}

func (p *Population) cmndPerm(q int) feistel {
	return feistel{a: 1000, b: 10_000, key: hash3(p.seed, tagCMNDPerm, uint64(q))}
}

// bound is the first k of bucket b living at or after commune c in the
// bucket's residence CDF: person k lives where (k+0.5)/n_b falls.
func (p *Population) bound(b int, c int) int64 {
	q := b / (nYears * 2)
	return boundAt(p.cdf[q*(len(p.communes)+1)+c], p.cnt[b])
}

// boundAt is the first k of a bucket of n whose position (k+0.5)/n is at or
// past the CDF value f.
func boundAt(f float64, n int64) int64 {
	v := int64(math.Ceil(f*float64(n) - 0.5))
	return min(max(v, 0), n)
}

// communeOfK is the residence commune index of person k of bucket b.
func (p *Population) communeOfK(b int, k int64) int {
	return sort.Search(len(p.communes), func(c int) bool { return p.bound(b, c+1) > k })
}

// provinceOfCommune returns the province index of commune index c.
func (p *Population) provinceOfCommune(c int) int {
	return sort.Search(len(p.provs), func(q int) bool { return p.cFirst[q+1] > c })
}

// pickCommune draws a commune of province q by weight, given u in [0,1).
func (p *Population) pickCommune(q int, u float64) int {
	lo, hi := p.cFirst[q], p.cFirst[q+1]
	// wcum restarts at 0 in the next province, so the last commune is
	// matched by position rather than by value.
	return lo + sort.Search(hi-lo, func(j int) bool { return lo+j+1 == hi || p.wcum[lo+j+1] > u })
}

// pickProvince draws a province by population share, given u in [0,1).
func (p *Population) pickProvince(u float64) int {
	q := sort.Search(len(p.provs), func(q int) bool { return p.popCum[q+1] > u })
	return min(q, len(p.provs)-1)
}
