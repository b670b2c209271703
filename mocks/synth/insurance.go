package synth

import (
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// Insurance derives citizen i's health insurance card; ok is false for the
// uninsured minority (or i out of range).
//
// The social insurance number is 10 digits: the 2-digit code of the birth
// province (where the number was first issued) and 8 digits permuted from
// the person's rank among those born there, so it is unique. The card's
// province is the residence province, where the card is issued today.
func (p *Population) Insurance(i int64) (domain.InsuranceCard, bool) {
	if i < 0 || i >= p.cfg.Size {
		return domain.InsuranceCard{}, false
	}
	c := p.citizen(i)
	st := newStream(p.seed, tagInsurance, uint64(i))
	age := p.nominalAge(c.ai)
	// Children under six are insured by the state; coverage is ~92% overall.
	if age >= 6 && st.chance(0.088) {
		return domain.InsuranceCard{}, false
	}
	per := p.person(c)
	group, level := insuranceGroup(&st, age)

	provStart := p.start[c.q*nYears*2]
	social := p.provs[c.q].Code + pad(p.socialPerm.fwd(uint64(i-provStart)), 8)
	home := p.provinceOfCommune(c.home)
	prov := p.provs[home].Code

	card := domain.InsuranceCard{
		HolderID:     per.ID,
		SocialNumber: social,
		HolderName:   per.Name.Full(),
		BirthDate:    per.BirthDate,
		Sex:          per.Sex,
		GroupCode:    group,
		BenefitLevel: level,
		ProvinceCode: prov,
	}
	if st.chance(0.6) {
		card.CardCode = group + pad(uint64(level), 1) + prov + social
	}

	ep := civil(p.epoch)
	switch {
	case group == "TE":
		// Valid from birth until the day before the sixth birthday.
		b := per.BirthDate.Time()
		card.ValidFrom = per.BirthDate
		card.ValidTo = domain.DateOf(b.AddDate(6, 0, -1))
	case st.chance(0.05):
		// Lapsed: the last annual card ended before the Epoch.
		from := ep.AddDate(0, -12-st.intn(12), 0)
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		card.ValidFrom = domain.DateOf(from)
		card.ValidTo = domain.DateOf(from.AddDate(1, 0, -1))
	case group == "HT" || group == "CC" || group == "BT":
		from := time.Date(ep.Year()-st.intn(4), 1, 1, 0, 0, 0, 0, time.UTC)
		card.ValidFrom = domain.DateOf(from)
		card.ValidTo = domain.Date{Year: ep.Year() + 4, Month: time.December, Day: 31}
	case group == "HS" || group == "SV":
		// School-year cards: 1 October to 30 September.
		y := ep.Year()
		if ep.Month() < time.October {
			y--
		}
		card.ValidFrom = domain.Date{Year: y, Month: time.October, Day: 1}
		card.ValidTo = domain.Date{Year: y + 1, Month: time.September, Day: 30}
	default:
		from := ep.AddDate(0, -st.intn(12), 0)
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		card.ValidFrom = domain.DateOf(from)
		card.ValidTo = domain.DateOf(from.AddDate(1, 0, -1))
	}
	if age >= 25 && group != "TE" && st.chance(0.5) {
		card.FiveYearsSince = domain.DateOf(ep.AddDate(-5-st.intn(11), -st.intn(12), 0))
	}
	card.ClinicCode, card.ClinicName = p.clinic(&st, c.home, home)
	return card, true
}

// insuranceGroup picks a beneficiary group by age and its benefit level
// (1 = 100% TE/CC, 2 = 100% HN/BT, 3 = 95% HT, 4 = 80% most others).
func insuranceGroup(st *stream, age int) (string, int) {
	u := st.unit()
	switch {
	case age < 6:
		return "TE", 1
	case age < 18:
		if u < 0.1 {
			return "HN", 2
		}
		return "HS", 4
	case age < 22:
		switch {
		case u < 0.55:
			return "SV", 4
		case u < 0.8:
			return "DN", 4
		}
		return "GD", 4
	case age < 60:
		switch {
		case u < 0.45:
			return "DN", 4
		case u < 0.55:
			return "HC", 4
		case u < 0.62:
			return "HN", 2
		case u < 0.64:
			return "NO", 4
		case u < 0.66:
			return "CC", 1
		}
		return "GD", 4
	case age < 80:
		switch {
		case u < 0.5:
			return "HT", 3
		case u < 0.6:
			return "CB", 2
		case u < 0.65:
			return "CC", 1
		}
		return "GD", 4
	}
	if u < 0.3 {
		return "HT", 3
	}
	return "BT", 2
}

// clinic is the registered primary-care facility, coded "PP" + 3 digits:
// 001–499 commune health stations (by the commune's rank in its province),
// 500–899 regional hospitals, 900 the provincial general hospital.
func (p *Population) clinic(st *stream, commune, q int) (string, string) {
	pr := p.provs[q]
	u := st.unit()
	switch {
	case u < 0.55:
		return pr.Code + pad(uint64(1+commune-p.cFirst[q]), 3), "Trạm Y tế " + p.communes[commune].Name
	case u < 0.85:
		// The regional hospital of a nearby larger commune.
		n := p.cFirst[q+1] - p.cFirst[q]
		h := p.cFirst[q] + (commune-p.cFirst[q])/8*8%n
		return pr.Code + pad(uint64(500+h-p.cFirst[q]), 3), "Bệnh viện đa khoa khu vực " + shortName(p.communes[h].Name)
	}
	kind := "tỉnh"
	if pr.City {
		kind = "thành phố"
	}
	return pr.Code + "900", "Bệnh viện đa khoa " + kind + " " + pr.Name
}

// Clinic finds a registered primary-care facility by its 5-digit code.
func (p *Population) Clinic(code string) (name string, ok bool) {
	if len(code) != 5 {
		return "", false
	}
	pc, ok1 := parseDigits(code[:2])
	n, ok2 := parseDigits(code[2:])
	if !ok1 || !ok2 || p.provIdx[pc] < 0 {
		return "", false
	}
	q := int(p.provIdx[pc])
	pr := p.provs[q]
	count := uint64(p.cFirst[q+1] - p.cFirst[q])
	switch {
	case n >= 1 && n <= count:
		return "Trạm Y tế " + p.communes[p.cFirst[q]+int(n)-1].Name, true
	case n >= 500 && n-500 < count && (n-500)%8 == 0:
		return "Bệnh viện đa khoa khu vực " + shortName(p.communes[p.cFirst[q]+int(n)-500].Name), true
	case n == 900:
		kind := "tỉnh"
		if pr.City {
			kind = "thành phố"
		}
		return "Bệnh viện đa khoa " + kind + " " + pr.Name, true
	}
	return "", false
}

// shortName drops the kind word from a commune name ("Xã Tân Phú" -> "Tân Phú").
func shortName(name string) string {
	for _, pre := range []string{"Xã ", "Phường ", "Đặc khu "} {
		if s, ok := strings.CutPrefix(name, pre); ok {
			return s
		}
	}
	return name
}
