package synth

import (
	"fmt"
	"strconv"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// Foreigner is a foreign resident: passport, no population record.
type Foreigner struct {
	Passport    string
	FullName    string
	Sex         domain.Sex
	BirthDate   domain.Date
	Nationality string
	Current     domain.Address
}

type nationality struct {
	code         string
	w            float64
	familyFirst  bool // East Asian order: family name first
	family       []string
	male, female []string
}

var nationalities = []nationality{
	{"KR", 28, true, []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"}, []string{"Min-jun", "Seo-jun", "Do-yoon", "Ji-ho", "Hyun-woo", "Sung-min"}, []string{"Seo-yeon", "Ji-woo", "Min-seo", "Ha-eun", "Soo-jin", "Ji-yeon"}},
	{"CN", 22, true, []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao"}, []string{"Wei", "Jun", "Hao", "Lei", "Qiang", "Ming"}, []string{"Fang", "Li", "Na", "Xiu Ying", "Jing", "Yan"}},
	{"JP", 12, true, []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"}, []string{"Haruto", "Sota", "Yuto", "Takumi", "Kenji", "Hiroshi"}, []string{"Yui", "Aoi", "Sakura", "Yuki", "Haruka", "Naoko"}},
	{"TW", 10, true, []string{"Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu"}, []string{"Chia-hao", "Chih-ming", "Yu-cheng", "Chun-hung", "Wei-lun"}, []string{"Yi-ting", "Shu-fen", "Mei-ling", "Ya-ting", "Hsin-yi"}},
	{"US", 6, false, []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia"}, []string{"James", "John", "Robert", "Michael", "David", "William"}, []string{"Mary", "Jennifer", "Linda", "Elizabeth", "Sarah", "Emily"}},
	{"TH", 3, false, []string{"Srisuk", "Saetang", "Wongsa", "Chaiyaporn", "Boonmee"}, []string{"Somchai", "Somsak", "Anan", "Prasert", "Wichai"}, []string{"Malee", "Siriporn", "Nittaya", "Ratana", "Kanya"}},
	{"FR", 3, false, []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit"}, []string{"Pierre", "Jean", "Nicolas", "Julien", "Thomas"}, []string{"Marie", "Camille", "Julie", "Sophie", "Claire"}},
	{"AU", 3, false, []string{"Wilson", "Taylor", "Anderson", "Thompson", "White", "Martin"}, []string{"Jack", "Oliver", "Liam", "Noah", "Lachlan"}, []string{"Charlotte", "Olivia", "Chloe", "Emma", "Grace"}},
	{"DE", 2, false, []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber"}, []string{"Lukas", "Felix", "Jonas", "Stefan"}, []string{"Anna", "Lena", "Sabine", "Katrin"}},
	{"GB", 2, false, []string{"Smith", "Jones", "Taylor", "Evans", "Walker"}, []string{"Oliver", "Harry", "George", "Charlie"}, []string{"Amelia", "Isla", "Sophie", "Emily"}},
	{"SG", 2, true, []string{"Tan", "Lim", "Lee", "Ng", "Ong"}, []string{"Wei Ming", "Jun Jie", "Kai Wen"}, []string{"Hui Min", "Xin Yi", "Jia Hui"}},
	{"MY", 2, false, []string{"bin Abdullah", "bin Ismail", "binti Ahmad"}, []string{"Ahmad", "Muhammad", "Hafiz"}, []string{"Nur Aisyah", "Siti", "Farah"}},
	{"IN", 2, false, []string{"Sharma", "Patel", "Singh", "Kumar", "Gupta"}, []string{"Rahul", "Amit", "Arjun", "Vikram"}, []string{"Priya", "Anjali", "Pooja", "Neha"}},
	{"RU", 2, false, []string{"Ivanov", "Smirnov", "Kuznetsov", "Popov"}, []string{"Alexei", "Dmitri", "Sergei", "Ivan"}, []string{"Anna", "Olga", "Elena", "Natalia"}},
	{"PH", 2, false, []string{"Santos", "Reyes", "Cruz", "Bautista", "Garcia"}, []string{"Jose", "Mark", "John Paul", "Rafael"}, []string{"Maria", "Angelica", "Kristine", "Joy"}},
	{"CA", 1, false, []string{"Tremblay", "Roy", "Gagnon", "Brown", "Wilson"}, []string{"Liam", "Ethan", "Noah"}, []string{"Emma", "Olivia", "Ava"}},
}

// foreignerProvinces weights where foreigners live: the big cities and the
// industrial provinces.
var foreignerProvinces = []weighted{
	{"79", 40}, {"01", 25}, {"48", 8}, {"24", 8}, {"31", 5}, {"75", 4}, {"56", 4}, {"22", 3}, {"33", 2}, {"92", 1},
}

// ForeignerCount is the number of foreign residents (Size/500).
func (p *Population) ForeignerCount() int64 { return p.foreigners }

// passport is one uppercase letter and seven digits, from a permutation of j.
func (p *Population) passport(j int64) string {
	v := p.passPerm.fwd(uint64(j))
	var buf [8]byte
	buf[0] = byte('A' + v/10_000_000)
	putDigits(buf[1:], v%10_000_000)
	return string(buf[:])
}

// ForeignerByPassport finds a foreigner by passport number in O(1).
func (p *Population) ForeignerByPassport(passport string) (int64, bool) {
	if len(passport) != 8 || passport[0] < 'A' || passport[0] > 'Z' {
		return 0, false
	}
	n, ok := parseDigits(passport[1:])
	if !ok {
		return 0, false
	}
	j := int64(p.passPerm.inv(uint64(passport[0]-'A')*10_000_000 + n))
	if j >= p.foreigners {
		return 0, false
	}
	return j, true
}

func (p *Population) foreignerHome(j int64) int {
	st := newStream(p.seed, tagForeigner, uint64(j)^1<<63)
	code := pickWeighted(foreignerProvinces, st.unit())
	pc, _ := parseDigits(code)
	q := int(p.provIdx[pc])
	if q < 0 {
		q = p.pickProvince(st.unit())
	}
	return p.pickCommune(q, st.unit())
}

// ForeignerAt returns foreigner j, 0 <= j < ForeignerCount(); it panics when
// j is out of range, like At.
func (p *Population) ForeignerAt(j int64) Foreigner {
	if j < 0 || j >= p.foreigners {
		panic("synth: foreigner index out of range")
	}
	st := newStream(p.seed, tagForeigner, uint64(j))
	nat := nationalities[0]
	tot := 0.0
	for _, n := range nationalities {
		tot += n.w
	}
	x := st.unit() * tot
	for _, n := range nationalities {
		if x < n.w {
			nat = n
			break
		}
		x -= n.w
	}
	sex := domain.SexMale
	givens := nat.male
	if st.chance(0.4) {
		sex, givens = domain.SexFemale, nat.female
	}
	fam, given := nat.family[st.intn(len(nat.family))], givens[st.intn(len(givens))]
	name := given + " " + fam
	if nat.familyFirst {
		name = fam + " " + given
	}
	ep := civil(p.epoch)
	y := ep.Year() - 22 - st.intn(44)
	home := p.foreignerHome(j)
	cm := p.communes[home]
	pr := p.provs[p.provinceOfCommune(home)]
	return Foreigner{
		Passport:    p.passport(j),
		FullName:    name,
		Sex:         sex,
		BirthDate:   dayOfYear(y, st.intn(daysIn(y))),
		Nationality: nat.code,
		Current: domain.Address{
			Detail:       "Số " + strconv.Itoa(1+st.intn(300)) + ", đường " + streets[st.intn(len(streets))],
			CommuneCode:  cm.Code,
			CommuneName:  cm.Name,
			ProvinceCode: pr.Code,
			ProvinceName: pr.Name,
		},
	}
}

// ForeignerVaccination derives foreigner j's platform record (reconciliation
// NOT_APPLICABLE: foreigners are not verified against the population database).
func (p *Population) ForeignerVaccination(j int64) (Vaccination, bool) {
	if j < 0 || j >= p.foreigners {
		return Vaccination{}, false
	}
	f := p.ForeignerAt(j)
	st := newStream(p.seed, tagForeignVacc, uint64(j))
	plan := planDoses(&st, f.BirthDate.Year, civil(p.epoch).AddDate(0, 0, -1), true)
	if len(plan) == 0 {
		return Vaccination{}, false
	}
	home := p.communeIdx[f.Current.CommuneCode]
	rec := domain.RecordedIdentity{ID: f.Passport, FullName: f.FullName, Sex: f.Sex, BirthDate: f.BirthDate}
	doses := make([]domain.Dose, 0, len(plan))
	for k, d := range plan {
		doses = append(doses, domain.Dose{
			RecordID: fmt.Sprintf("TF%010d%d", j, k+1),
			PersonID: f.Passport,
			Number:   k + 1,
			Kind:     d.kind,
			Date:     domain.DateOf(d.date),
			Vaccine:  d.vaccine,
			Lot:      p.lot(d.vaccine, home, d.date),
			Site:     p.drawSite(&st, home),
		})
	}
	v := Vaccination{Record: domain.VaccinationRecord{PersonID: f.Passport, Recorded: rec, Doses: doses}}
	last := plan[len(plan)-1].date
	at := time.Date(last.Year(), last.Month(), last.Day(), 10, 0, 0, 0, ict)
	v.Reconciliation = domain.Reconciliation{
		PersonID:    f.Passport,
		CommuneCode: f.Current.CommuneCode,
		Status:      domain.ReconNotApplicable,
		Recorded:    rec,
		CheckedAt:   at,
	}
	v.Certificate = p.certificate(&st, v.Record, v.Reconciliation, -1-j)
	return v, true
}

// ForeignerDeclarations are foreigner j's ENTRY declarations in the 30 days
// before Epoch (about one foreigner in ten arrived recently).
func (p *Population) ForeignerDeclarations(j int64) []domain.HealthDeclaration {
	if j < 0 || j >= p.foreigners {
		return nil
	}
	st := newStream(p.seed, tagEntry, uint64(j))
	if !st.chance(0.1) {
		return nil
	}
	f := p.ForeignerAt(j)
	d := domain.HealthDeclaration{
		ID:          fmt.Sprintf("TKE%010d", j),
		Kind:        domain.DeclarationEntry,
		SubmittedAt: p.epoch.Add(-time.Duration(st.unit() * float64(window))).Truncate(time.Second),
		PersonID:    f.Passport,
		FullName:    f.FullName,
		BirthYear:   f.BirthDate.Year,
		Sex:         f.Sex,
		Nationality: f.Nationality,
		Phone:       fmt.Sprintf("+84 9%d %03d %04d", st.intn(10), st.intn(1000), st.intn(10000)),
		CommuneCode: f.Current.CommuneCode,
		Address:     f.Current.Detail + ", " + f.Current.CommuneName + ", " + f.Current.ProvinceName,
		Transport:   "Máy bay",
	}
	d.Symptoms, d.Exposures = healthAnswers(&st)
	return []domain.HealthDeclaration{d}
}
