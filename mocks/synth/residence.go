package synth

import "github.com/vn-epidemic/hub/domain"

// unitRange resolves a 2-digit province or 5-digit commune code to its
// interval of commune indexes [lo, hi) in the residence CDF.
func (p *Population) unitRange(unit string) (lo, hi int, ok bool) {
	switch len(unit) {
	case 2:
		if unit[0] < '0' || unit[0] > '9' || unit[1] < '0' || unit[1] > '9' {
			return 0, 0, false
		}
		q := p.provIdx[int(unit[0]-'0')*10+int(unit[1]-'0')]
		if q < 0 {
			return 0, 0, false
		}
		return p.cFirst[q], p.cFirst[q+1], true
	case 5:
		c, ok := p.communeIdx[unit]
		return c, c + 1, ok
	}
	return 0, 0, false
}

// EachResident calls fn for each citizen whose current residence is in unit
// (a 2-digit province or 5-digit commune code), in a stable order, starting
// at position from (0 for the start). pos is the resumable position of the
// person: calling again with from = pos+1 continues after them. Stops when fn
// returns false. Cost is O(buckets + residents visited).
//
// pos is the person's ordinal among the unit's residents (0, 1, 2, …, in
// ascending citizen index), so it also serves as an offset: the unit has
// ResidentCount(unit, AgeBand{}) residents and from may start anywhere in
// [0, that count). Unknown units and negative from yield nothing.
func (p *Population) EachResident(unit string, from int64, fn func(pos int64, i int64) bool) {
	lo, hi, ok := p.unitRange(unit)
	if !ok || from < 0 {
		return
	}
	var pos int64
	nc := len(p.communes) + 1
	for q := range p.provs {
		flo, fhi := p.cdf[q*nc+lo], p.cdf[q*nc+hi]
		for b := q * nYears * 2; b < (q+1)*nYears*2; b++ {
			n := p.cnt[b]
			if n == 0 {
				continue
			}
			k0, k1 := boundAt(flo, n), boundAt(fhi, n)
			if pos+k1-k0 <= from {
				pos += k1 - k0
				continue
			}
			k := k0
			if from > pos {
				k += from - pos
				pos = from
			}
			for ; k < k1; k++ {
				if !fn(pos, p.start[b]+k) {
					return
				}
				pos++
			}
		}
	}
}

// ResidentCount counts residents of unit in an age band (on the Epoch date)
// without enumerating them. The zero band counts everyone. Ages are those of
// the birth-year cohort: a cohort counts as the age most of its members have
// on the Epoch (with the default Epoch of 1 January, everyone but those born
// on 1 January).
func (p *Population) ResidentCount(unit string, band domain.AgeBand) int64 {
	lo, hi, ok := p.unitRange(unit)
	if !ok {
		return 0
	}
	var total int64
	nc := len(p.communes) + 1
	for q := range p.provs {
		flo, fhi := p.cdf[q*nc+lo], p.cdf[q*nc+hi]
		for ai := 0; ai < nYears; ai++ {
			if a := p.nominalAge(ai); a < band.Min || (band.Max > 0 && a >= band.Max) {
				continue
			}
			for b := (q*nYears + ai) * 2; b < (q*nYears+ai)*2+2; b++ {
				if n := p.cnt[b]; n > 0 {
					total += boundAt(fhi, n) - boundAt(flo, n)
				}
			}
		}
	}
	return total
}
