package synth

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// Defect is one kind of data-entry error in a vaccination record.
type Defect string

const (
	DefectNoDiacritics Defect = "NO_DIACRITICS"
	DefectNameTypo     Defect = "NAME_TYPO"
	DefectDaySwap      Defect = "DAY_MONTH_SWAPPED"
	DefectWrongSex     Defect = "WRONG_SEX"
	DefectOldID        Defect = "OLD_ID_INSTEAD_OF_NEW"
	DefectMissingDose  Defect = "MISSING_DOSE"
)

// identity reports whether the defect changes one of the four verified fields.
func (d Defect) identity() bool { return d != DefectMissingDose }

// Vaccination is what the vaccination platform holds on one person.
type Vaccination struct {
	Record         domain.VaccinationRecord // as the platform holds it, defects included
	Defects        []Defect
	Reconciliation domain.Reconciliation
	Certificate    domain.Certificate
}

// Sites per commune: the commune health station and two outreach points.
const sitesPerCommune = 3

// Site finds a vaccination site by code ("VS" + 5-digit commune + 2-digit number).
func (p *Population) Site(code string) (domain.Site, bool) {
	if len(code) != 9 || code[:2] != "VS" {
		return domain.Site{}, false
	}
	c, ok := p.communeIdx[code[2:7]]
	if !ok {
		return domain.Site{}, false
	}
	n, ok := parseDigits(code[7:])
	if !ok || n < 1 || n > sitesPerCommune {
		return domain.Site{}, false
	}
	return p.site(c, int(n)), true
}

// Sites lists the vaccination sites of a commune.
func (p *Population) Sites(commune string) []domain.Site {
	c, ok := p.communeIdx[commune]
	if !ok {
		return nil
	}
	out := make([]domain.Site, 0, sitesPerCommune)
	for n := 1; n <= sitesPerCommune; n++ {
		out = append(out, p.site(c, n))
	}
	return out
}

func (p *Population) site(c, n int) domain.Site {
	cm := p.communes[c]
	var name string
	switch n {
	case 1:
		name = "Trạm Y tế " + cm.Name
	case 2:
		name = "Điểm tiêm lưu động số 2, " + cm.Name
	default:
		name = fmt.Sprintf("Điểm tiêm chủng trường học số %d, %s", n, cm.Name)
	}
	return domain.Site{Code: "VS" + cm.Code + pad(uint64(n), 2), Name: name, CommuneCode: cm.Code}
}

func (p *Population) drawSite(st *stream, c int) domain.Site {
	u := st.unit()
	switch {
	case u < 0.75:
		return p.site(c, 1)
	case u < 0.9:
		return p.site(c, 2)
	}
	return p.site(c, 3)
}

var (
	adultFirst = []weighted{
		{string(domain.VaccineAstraZeneca), 35}, {string(domain.VaccineVeroCell), 25},
		{string(domain.VaccinePfizer), 20}, {string(domain.VaccineModerna), 9},
		{string(domain.VaccineSputnikV), 3}, {string(domain.VaccineJanssen), 1.5},
		{string(domain.VaccineHayatVax), 2.5}, {string(domain.VaccineAbdala), 4},
	}
	boosterProducts = []weighted{
		{string(domain.VaccinePfizer), 50}, {string(domain.VaccineModerna), 30}, {string(domain.VaccineAstraZeneca), 20},
	}
	secondBooster = []weighted{{string(domain.VaccinePfizer), 55}, {string(domain.VaccineModerna), 45}}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// lot numbers look like each manufacturer's and are shared by everyone
// vaccinated with that product in the same commune and month, as deliveries are.
func (p *Population) lot(v domain.Vaccine, commune int, t time.Time) string {
	h := hash3(p.seed, tagLot, uint64(commune)<<24|uint64(t.Year()*12+int(t.Month()))<<4|uint64(vaccineIndex(v)))
	n := h % 10000
	switch v {
	case domain.VaccineAstraZeneca:
		if h>>32&1 == 0 {
			return "ABV" + pad(n, 4)
		}
		return "NJ" + pad(n, 4)
	case domain.VaccineSputnikV:
		return "II-" + pad(uint64(t.Day()%28+1), 2) + pad(uint64(t.Month()), 2) + pad(uint64(t.Year()%100), 2)
	case domain.VaccineVeroCell:
		return pad(uint64(t.Year()), 4) + pad(uint64(t.Month()), 2) + "B" + pad(n, 4)
	case domain.VaccinePfizer:
		return "F" + string(rune('A'+h>>40%11)) + pad(n, 4)
	case domain.VaccineModerna:
		return pad(h%10_000_000, 7)
	case domain.VaccineJanssen:
		return "XD" + pad(n, 4)
	case domain.VaccineHayatVax:
		return "HV" + pad(h%100_000, 5)
	}
	return "A" + pad(n, 4)
}

func vaccineIndex(v domain.Vaccine) int {
	for j, x := range domain.Vaccines {
		if x == v {
			return j
		}
	}
	return len(domain.Vaccines)
}

type plannedDose struct {
	kind    domain.DoseKind
	date    time.Time
	vaccine domain.Vaccine
}

// planDoses draws a vaccination history for someone born in year, whose
// doses happen before cutoff; nil when never vaccinated.
func planDoses(st *stream, year int, cutoff time.Time, foreigner bool) []plannedDose {
	age := 2022 - year
	none := 0.03
	switch {
	case age < 5:
		return nil // children under 5 were never offered a COVID-19 vaccine
	case age < 12:
		none = 0.45
	case age < 18:
		none = 0.06
	}
	if foreigner {
		none = 0.2
	}
	if st.chance(none) {
		return nil
	}
	n := 0
	u := st.unit()
	var first domain.Vaccine
	var d1 time.Time
	switch {
	case age < 12:
		n = 1 + b2i(u >= 0.15)
		first = domain.VaccinePfizer
		if st.chance(0.15) {
			first = domain.VaccineModerna
		}
		d1 = day(2022, 4, 14).AddDate(0, 0, st.intn(120))
	case age < 18:
		n = 1 + b2i(u >= 0.05) + b2i(u >= 0.65)
		first = domain.VaccinePfizer
		if st.chance(0.2) {
			first = domain.VaccineModerna
		}
		d1 = day(2021, 10, 15).AddDate(0, 0, st.intn(90))
	default:
		switch {
		case u < 0.04:
			n = 1
		case u < 0.40:
			n = 2
		case u < 0.85:
			n = 3
		default:
			n = 4
		}
		if foreigner {
			first = domain.Vaccine(pickWeighted(boosterProducts, st.unit()))
		} else {
			first = domain.Vaccine(pickWeighted(adultFirst, st.unit()))
		}
		d1 = day(2021, 6, 1).AddDate(0, 0, st.intn(245))
	}
	plan := []plannedDose{{domain.DoseBasic, d1, first}}
	basic := 2
	if first == domain.VaccineJanssen {
		basic = 1 // single-dose product: the series is complete
	}
	prev := d1
	for j := 2; j <= n; j++ {
		var d plannedDose
		switch {
		case j <= basic:
			d = plannedDose{domain.DoseBasic, prev.AddDate(0, 0, 28+st.intn(57)), first}
			if first == domain.VaccineAstraZeneca && st.chance(0.12) {
				d.vaccine = domain.VaccinePfizer // mixed schedules when AZ ran short
			}
		case j == basic+1:
			d = plannedDose{domain.DoseBooster, prev.AddDate(0, 0, 120+st.intn(120)), domain.Vaccine(pickWeighted(boosterProducts, st.unit()))}
			if first == domain.VaccineVeroCell && age >= 50 {
				d.kind = domain.DoseAdditional // the extra dose for inactivated vaccines in older people
			}
			if age < 18 {
				d.vaccine = first
			}
			if lo := day(2022, 1, 5); d.date.Before(lo) {
				d.date = lo.AddDate(0, 0, st.intn(60))
			}
		default:
			d = plannedDose{domain.DoseBooster, prev.AddDate(0, 0, 120+st.intn(150)), domain.Vaccine(pickWeighted(secondBooster, st.unit()))}
		}
		plan = append(plan, d)
		prev = d.date
	}
	for j, d := range plan {
		if d.date.After(cutoff) {
			return plan[:j]
		}
	}
	return plan
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var defectWeights = []struct {
	d Defect
	w float64
}{
	{DefectNoDiacritics, 30}, {DefectNameTypo, 20}, {DefectDaySwap, 15},
	{DefectWrongSex, 10}, {DefectOldID, 15}, {DefectMissingDose, 10},
}

// Vaccination derives citizen i's platform record; ok is false when the person
// was never vaccinated and has no record (or i is out of range).
func (p *Population) Vaccination(i int64) (Vaccination, bool) {
	if i < 0 || i >= p.cfg.Size {
		return Vaccination{}, false
	}
	c := p.citizen(i)
	per := p.person(c)
	st := newStream(p.seed, tagVacc, uint64(i))
	plan := planDoses(&st, c.year, civil(p.epoch).AddDate(0, 0, -1), false)
	if len(plan) == 0 {
		return Vaccination{}, false
	}

	var defects []Defect
	if st.chance(0.25) {
		want := 1 + b2i(st.chance(0.2))
		for len(defects) < want {
			d, ok := pickDefect(&st, per, len(plan), defects)
			if !ok {
				break
			}
			defects = append(defects, d)
		}
	}
	has := func(d Defect) bool {
		for _, x := range defects {
			if x == d {
				return true
			}
		}
		return false
	}

	rec := domain.RecordedIdentity{ID: per.ID, FullName: per.Name.Full(), Sex: per.Sex, BirthDate: per.BirthDate}
	var mismatched []domain.IdentityField
	if has(DefectOldID) {
		rec.ID = per.OldID
		mismatched = append(mismatched, domain.FieldID)
	}
	if has(DefectNameTypo) {
		rec.FullName = nameTypo(&st, rec.FullName)
	}
	if has(DefectNoDiacritics) {
		rec.FullName = foldASCII(rec.FullName)
		if st.chance(0.7) {
			rec.FullName = strings.ToUpper(rec.FullName)
		}
	}
	if has(DefectNameTypo) || has(DefectNoDiacritics) {
		mismatched = append(mismatched, domain.FieldFullName)
	}
	if has(DefectWrongSex) {
		rec.Sex = flipSex(rec.Sex)
		mismatched = append(mismatched, domain.FieldSex)
	}
	if has(DefectDaySwap) {
		rec.BirthDate.Month, rec.BirthDate.Day = time.Month(rec.BirthDate.Day), int(rec.BirthDate.Month)
		mismatched = append(mismatched, domain.FieldBirthDate)
	}

	doses := make([]domain.Dose, 0, len(plan))
	for j, d := range plan {
		site := p.drawSite(&st, c.home)
		doses = append(doses, domain.Dose{
			RecordID: p.recordID(uint64(i), j+1),
			PersonID: rec.ID,
			Number:   j + 1,
			Kind:     d.kind,
			Date:     domain.DateOf(d.date),
			Vaccine:  d.vaccine,
			Lot:      p.lot(d.vaccine, c.home, d.date),
			Site:     site,
		})
	}
	if has(DefectMissingDose) {
		drop := 1 + st.intn(len(doses)-1)
		doses = append(doses[:drop], doses[drop+1:]...)
	}
	v := Vaccination{
		Record:  domain.VaccinationRecord{PersonID: rec.ID, Recorded: rec, Doses: doses},
		Defects: defects,
	}
	v.Reconciliation = p.reconcile(&st, rec, p.communes[c.home].Code, plan[len(plan)-1].date, mismatched)
	v.Certificate = p.certificate(&st, v.Record, v.Reconciliation, i)
	return v, true
}

func (p *Population) recordID(i uint64, dose int) string {
	return "TC" + pad(p.recPerm.fwd(i), 10) + pad(uint64(dose), 1)
}

// pickDefect draws a defect that applies to this person and record and is
// not already chosen.
func pickDefect(st *stream, per domain.Person, doses int, chosen []Defect) (Defect, bool) {
	applies := func(d Defect) bool {
		for _, x := range chosen {
			if x == d {
				return false
			}
		}
		switch d {
		case DefectNoDiacritics:
			full := per.Name.Full()
			return foldASCII(full) != full
		case DefectDaySwap:
			return per.BirthDate.Day <= 12 && per.BirthDate.Day != int(per.BirthDate.Month)
		case DefectOldID:
			return per.OldID != ""
		case DefectMissingDose:
			return doses >= 2
		}
		return true
	}
	tot := 0.0
	for _, dw := range defectWeights {
		if applies(dw.d) {
			tot += dw.w
		}
	}
	if tot == 0 {
		return "", false
	}
	x := st.unit() * tot
	for _, dw := range defectWeights {
		if !applies(dw.d) {
			continue
		}
		if x < dw.w {
			return dw.d, true
		}
		x -= dw.w
	}
	for j := len(defectWeights) - 1; j >= 0; j-- {
		if applies(defectWeights[j].d) {
			return defectWeights[j].d, true
		}
	}
	return "", false
}

func flipSex(s domain.Sex) domain.Sex {
	if s == domain.SexMale {
		return domain.SexFemale
	}
	return domain.SexMale
}

// foldASCII drops Vietnamese diacritics (đ/Đ explicitly: NFD does not split them).
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// typoLetters are what a hurried clerk hits instead.
var typoLetters = []rune("aăâeêioôơuưynhgtcmđ")

// nameTypo changes or drops one letter of one word (never the only letter).
func nameTypo(st *stream, full string) string {
	words := strings.Split(full, " ")
	w := st.intn(len(words))
	rs := []rune(words[w])
	j := st.intn(len(rs))
	if len(rs) >= 3 && j > 0 && st.chance(0.4) {
		rs = append(rs[:j], rs[j+1:]...)
	} else {
		old := unicode.ToLower(rs[j])
		r := typoLetters[st.intn(len(typoLetters))]
		for r == old {
			r = typoLetters[st.intn(len(typoLetters))]
		}
		if unicode.IsUpper(rs[j]) {
			r = unicode.ToUpper(r)
		}
		rs[j] = r
	}
	words[w] = string(rs)
	return norm.NFC.String(strings.Join(words, " "))
}

func (p *Population) reconcile(st *stream, rec domain.RecordedIdentity, commune string, lastDose time.Time, mismatched []domain.IdentityField) domain.Reconciliation {
	r := domain.Reconciliation{PersonID: rec.ID, CommuneCode: commune, Recorded: rec}
	// The data-cleaning campaign ran from March 2022; later doses were
	// checked a few days after they were recorded.
	checked := day(2022, 3, 1).AddDate(0, 0, st.intn(200))
	if min := lastDose.AddDate(0, 0, 3); checked.Before(min) {
		checked = min.AddDate(0, 0, st.intn(30))
	}
	at := time.Date(checked.Year(), checked.Month(), checked.Day(), 8+st.intn(10), st.intn(60), st.intn(60), 0, ict)
	if st.chance(0.02) || at.After(p.epoch) {
		r.Status = domain.ReconPending
		return r
	}
	r.CheckedAt = at
	if len(mismatched) > 0 {
		r.Status = domain.ReconMismatch
		r.Mismatched = mismatched
		return r
	}
	r.Status = domain.ReconMatch
	r.Confirmed = st.chance(0.7)
	return r
}

// certificate: issued once the record is complete and its identity matches
// the population database; pending while identity is not confirmed; none for
// an incomplete series with a matching identity.
func (p *Population) certificate(st *stream, rec domain.VaccinationRecord, r domain.Reconciliation, i int64) domain.Certificate {
	c := domain.Certificate{PersonID: rec.PersonID, Status: domain.CertificateNone}
	status := rec.Status()
	switch {
	case status == domain.VaccinationNone:
	case r.Status == domain.ReconMatch || r.Status == domain.ReconNotApplicable:
		if status != domain.VaccinationFull {
			break
		}
		c.Status = domain.CertificateIssued
		c.CertificateID = fmt.Sprintf("VN-%016X", hash3(p.seed, tagVacc, uint64(i)^uint64(r.Status[0])<<56))
		at := r.CheckedAt
		last := rec.Doses[len(rec.Doses)-1].Date.Time()
		if at.IsZero() {
			at = time.Date(last.Year(), last.Month(), last.Day(), 9, 0, 0, 0, ict)
		}
		at = at.AddDate(0, 0, 1+st.intn(7))
		if at.After(p.epoch) {
			at = p.epoch.Add(-time.Hour)
		}
		c.IssuedAt = at
		c.DosesCovered = len(rec.Doses)
		c.ValidUntil = domain.DateOf(last.AddDate(1, 0, 0))
	default:
		c.Status = domain.CertificatePending
		c.DosesCovered = len(rec.Doses)
	}
	return c
}

// PlatformRecord finds the vaccination record held under id (12-digit ID,
// 9-digit CMND or passport), as the platform would: a record entered under a
// person's old ID is found by that old ID, not by the new one.
func (p *Population) PlatformRecord(id string) (Vaccination, bool) {
	switch domain.ClassifyID(id) {
	case domain.IDPersonal, domain.IDOld:
		i, ok := p.Lookup(id)
		if !ok {
			return Vaccination{}, false
		}
		v, ok := p.Vaccination(i)
		if !ok || v.Record.PersonID != id {
			return Vaccination{}, false
		}
		return v, true
	case domain.IDPassport:
		j, ok := p.ForeignerByPassport(id)
		if !ok {
			return Vaccination{}, false
		}
		return p.ForeignerVaccination(j)
	}
	return Vaccination{}, false
}
