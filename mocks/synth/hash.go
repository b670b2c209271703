package synth

// Hashing and keyed permutations: the only sources of "randomness". Each use
// has its own domain tag so that attributes are independent of each other.

const golden = 0x9E3779B97F4A7C15

// Domain tags. Changing one changes that part of every population.
const (
	tagIDPerm uint64 = iota + 1
	tagCMNDPerm
	tagPerson
	tagCard
	tagPhonePerm
	tagVacc
	tagRecPerm
	tagInsurance
	tagSocialPerm
	tagTripPerm
	tagTrip
	tagTripJitter
	tagGeneralPerm
	tagGeneral
	tagDeclaration
	tagForeigner
	tagPassportPerm
	tagForeignVacc
	tagZones
	tagShowcase
	tagCheckpoint
	tagLot
	tagForeignTrip
	tagEntry
	tagBirth
)

// mix64 is the splitmix64 finaliser: a fast bijective 64-bit mixer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// hash3 derives a 64-bit value from a seed, a domain tag and an index.
func hash3(seed, tag, x uint64) uint64 {
	return mix64(mix64(seed+tag*golden) ^ mix64(x+golden))
}

// stream is a splitmix64 sequence started from a hash: the attributes of one
// entity are successive draws, so their order in the code is part of the
// format.
type stream struct{ s uint64 }

func newStream(seed, tag, x uint64) stream { return stream{s: hash3(seed, tag, x)} }

func (r *stream) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// unit is uniform in [0,1).
func (r *stream) unit() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn is uniform in [0,n) (n > 0; the modulo bias is irrelevant here).
func (r *stream) intn(n int) int { return int(r.next() % uint64(n)) }

// chance is true with probability p.
func (r *stream) chance(p float64) bool { return r.unit() < p }

// feistel is a keyed permutation of [0, a·b): a balanced-in-spirit Feistel
// network over mixed radices (a, b), four rounds, swapping the radices each
// round (as in FF1), so any domain that factors as a·b can be permuted and
// inverted exactly.
type feistel struct {
	a, b uint64
	key  uint64
}

func (f feistel) round(i int, r uint64) uint64 {
	return mix64((f.key + uint64(i)*golden) ^ r)
}

func (f feistel) size() uint64 { return f.a * f.b }

func (f feistel) fwd(x uint64) uint64 {
	l, r := x/f.b, x%f.b
	m1, m2 := f.a, f.b // radices of l and r
	for i := 0; i < 4; i++ {
		l, r = r, (l+f.round(i, r)%m1)%m1
		m1, m2 = m2, m1
	}
	return l*f.b + r
}

func (f feistel) inv(y uint64) uint64 {
	l, r := y/f.b, y%f.b
	m1, m2 := f.a, f.b
	for i := 3; i >= 0; i-- {
		// Round i mapped (lp∈[0,m2), rp∈[0,m1)) to (rp, (lp+F(rp)) mod m2).
		p1 := m2
		rp := l
		lp := (r + p1 - f.round(i, rp)%p1) % p1
		l, r = lp, rp
		m1, m2 = m2, m1
	}
	return l*f.b + r
}

// cyclePerm permutes [0, n) for any n by cycle-walking a Feistel network over
// a slightly larger a·b domain; the walk is short because a·b < n + a.
type cyclePerm struct {
	n uint64
	f feistel
}

func newCyclePerm(n, key uint64) cyclePerm {
	a := uint64(1)
	for a*a < n {
		a++
	}
	if a < 2 {
		a = 2
	}
	b := (n + a - 1) / a
	if b < 2 {
		b = 2
	}
	return cyclePerm{n: n, f: feistel{a: a, b: b, key: key}}
}

func (c cyclePerm) fwd(x uint64) uint64 {
	y := c.f.fwd(x)
	for y >= c.n {
		y = c.f.fwd(y)
	}
	return y
}

func (c cyclePerm) inv(y uint64) uint64 {
	x := c.f.inv(y)
	for x >= c.n {
		x = c.f.inv(x)
	}
	return x
}
