package graph

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Counting fakes of the four source interfaces over one in-memory world.
// Each can be told to fail every call (fail) or to panic; each counts calls
// per operation and records the keys of batch calls.

var testNow = time.Date(2021, 11, 15, 9, 0, 0, 0, time.UTC)

type calls struct {
	mu   sync.Mutex
	n    map[string]int
	keys map[string][]string
}

func (c *calls) add(op string, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n, c.keys = map[string]int{}, map[string][]string{}
	}
	c.n[op]++
	c.keys[op] = append(c.keys[op], keys...)
}

func (c *calls) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

func (c *calls) keysOf(op string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.keys[op])
}

func (c *calls) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, n := range c.n {
		t += n
	}
	return t
}

// failure is what a fake returns instead of answering.
type failure struct {
	mu      sync.Mutex
	err     error
	panicOn string // operation name that panics
}

func (f *failure) set(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func (f *failure) check(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicOn == op {
		// The panic value carries personal data on purpose: it must not leak.
		panic("boom for " + mainID + " " + mainName)
	}
	return f.err
}

func upstreamErr(upstream string, kind error) *domain.UpstreamError {
	return domain.NewUpstreamError(upstream, "op", kind, "HTTP 503", nil)
}

// ---- the world ----

const (
	mainID      = "001190012345" // Nguyễn Thị Đào, born 1990-07-15 in Hà Nội
	mainOldID   = "012345678"
	mainName    = "Nguyễn Thị Đào"
	mainCommune = "00024"
	passportNo  = "B1234567"
	arrivalsN   = 100
)

type world struct {
	people       []domain.Person
	records      map[string]domain.VaccinationRecord // by the ID the platform holds it under
	certificates map[string]domain.Certificate
	recons       map[string]domain.Reconciliation
	cards        map[string]domain.InsuranceCard
	declarations map[string][]domain.HealthDeclaration
	passages     map[string][]domain.Passage
	arrivals     []domain.Passage // newest first
	feedback     []domain.Feedback
	zones        []domain.EpidemicZone
	popCounts    []domain.PopulationCount
	vaccCounts   []domain.VaccinationCount
}

var givenNames = []string{"An", "Bình", "Chi", "Dũng", "Hòa", "Lan", "Minh", "Thủy", "Tuấn", "Yến"}

// arrivalID is the 12-digit ID of the i-th arriving traveller.
func arrivalID(i int) string { return fmt.Sprintf("079%d%02d%06d", 0, 80+i%20, 500000+i) }

func newWorld() *world {
	w := &world{
		records: map[string]domain.VaccinationRecord{}, certificates: map[string]domain.Certificate{},
		recons: map[string]domain.Reconciliation{}, cards: map[string]domain.InsuranceCard{},
		declarations: map[string][]domain.HealthDeclaration{}, passages: map[string][]domain.Passage{},
	}
	site := domain.Site{Code: "HN-0024-01", Name: "Trạm Y tế Xã Hòa Thạch", CommuneCode: mainCommune}
	main := domain.Person{
		ID: mainID, OldID: mainOldID,
		Name: domain.PersonName{Family: "Nguyễn", Middle: "Thị", Given: "Đào"},
		Sex:  domain.SexFemale, BirthDate: domain.Date{Year: 1990, Month: time.July, Day: 15},
		Nationality: "VN", Ethnicity: "Kinh",
		Permanent: domain.Address{Detail: "Số 12, thôn Đông", CommuneCode: mainCommune, CommuneName: "Xã Hòa Thạch", ProvinceCode: "01", ProvinceName: "Hà Nội"},
		Current:   domain.Address{Detail: "Số 5, ngõ 3", CommuneCode: "00033", CommuneName: "Xã Tiến Hội", ProvinceCode: "01", ProvinceName: "Hà Nội"},
	}
	w.people = append(w.people, main)
	// The platform holds Đào's record under her old CMND: found only through the alternate ID.
	recorded := domain.RecordedIdentity{ID: mainOldID, FullName: "Nguyễn Thị Đào", Sex: domain.SexFemale, BirthDate: main.BirthDate}
	w.records[mainOldID] = domain.VaccinationRecord{PersonID: mainOldID, Recorded: recorded, Doses: []domain.Dose{
		{RecordID: "R2", PersonID: mainOldID, Number: 2, Kind: domain.DoseBasic, Date: domain.Date{Year: 2021, Month: time.September, Day: 10}, Vaccine: domain.VaccineAstraZeneca, Lot: "AZ-2109", Site: site},
		{RecordID: "R1", PersonID: mainOldID, Number: 1, Kind: domain.DoseBasic, Date: domain.Date{Year: 2021, Month: time.July, Day: 20}, Vaccine: domain.VaccineAstraZeneca, Lot: "AZ-2107", Site: site},
	}}
	w.certificates[mainOldID] = domain.Certificate{PersonID: mainOldID, Status: domain.CertificateIssued, CertificateID: "VN-CERT-0001",
		IssuedAt: time.Date(2021, 9, 11, 2, 0, 0, 0, time.UTC), DosesCovered: 2, ValidUntil: domain.Date{Year: 2022, Month: time.September, Day: 10}}
	w.recons[mainOldID] = domain.Reconciliation{PersonID: mainOldID, CommuneCode: mainCommune, Status: domain.ReconMatch,
		Mismatched: []domain.IdentityField{}, Recorded: recorded, CheckedAt: time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC), Confirmed: true}
	w.cards[mainID] = domain.InsuranceCard{HolderID: mainID, CardCode: "DN4010123456789", SocialNumber: "0123456789", HolderName: mainName,
		BirthDate: main.BirthDate, Sex: domain.SexFemale, GroupCode: "DN", BenefitLevel: 4, ProvinceCode: "01",
		ValidFrom: domain.Date{Year: 2021, Month: time.January, Day: 1}, ValidTo: domain.Date{Year: 2021, Month: time.December, Day: 31},
		ClinicCode: "01-013", ClinicName: "Bệnh viện Đa khoa Hà Đông"}
	for i := range 2 {
		w.declarations[mainID] = append(w.declarations[mainID], domain.HealthDeclaration{
			ID: "D" + strconv.Itoa(i+1), Kind: domain.DeclarationDomestic, SubmittedAt: testNow.Add(-time.Duration(i+1) * 24 * time.Hour),
			PersonID: mainID, FullName: mainName, BirthYear: 1990, Sex: domain.SexFemale, Nationality: "VN", Phone: "0912345678",
			CommuneCode: mainCommune, Address: "Số 12, thôn Đông", Transport: "xe máy", Symptoms: []domain.Symptom{}, Exposures: []domain.Exposure{domain.ExposureAffectedArea},
		})
	}
	for i := range 3 {
		w.passages[mainID] = append(w.passages[mainID], domain.Passage{
			ID: "P" + strconv.Itoa(i+1), PersonID: mainID, FullName: mainName, Nationality: "VN", CheckpointCode: "CP-HN-01", CheckpointName: "Chốt Pháp Vân",
			Time: testNow.Add(-time.Duration(i+1) * time.Hour), Direction: domain.DirectionIn, OriginCommune: "00033", DestinationCommune: mainCommune, Vehicle: "29A-12345",
		})
	}
	w.feedback = append(w.feedback, domain.Feedback{ID: "F1", PersonID: mainID, CommuneCode: mainCommune, Category: domain.FeedbackMissingDose,
		Text: "Thiếu mũi 3", Status: domain.FeedbackOpen, CreatedAt: testNow.Add(-48 * time.Hour)})

	// One hundred travellers arriving in Hà Nội, each with a registry entry,
	// a vaccination record under the 12-digit ID and an insurance card.
	for i := range arrivalsN {
		id := arrivalID(i)
		p := domain.Person{ID: id, Name: domain.PersonName{Family: "Trần", Middle: "Văn", Given: givenNames[i%len(givenNames)]},
			Sex: domain.SexMale, BirthDate: domain.Date{Year: 1980 + i%20}, Nationality: "VN",
			Permanent: domain.Address{Detail: "Khu phố " + strconv.Itoa(i), CommuneCode: "00033", ProvinceCode: "01"}}
		w.people = append(w.people, p)
		w.records[id] = domain.VaccinationRecord{PersonID: id, Doses: []domain.Dose{{RecordID: "A" + strconv.Itoa(i), PersonID: id, Number: 1,
			Kind: domain.DoseBasic, Date: domain.Date{Year: 2021, Month: time.August, Day: 1}, Vaccine: domain.VaccinePfizer, Lot: "PF-1", Site: site}}}
		w.cards[id] = domain.InsuranceCard{HolderID: id, SocialNumber: fmt.Sprintf("79%08d", i), HolderName: p.Name.Full(), Sex: domain.SexMale,
			GroupCode: "HS", BenefitLevel: 3, ProvinceCode: "79", ValidFrom: domain.Date{Year: 2021, Month: 1, Day: 1}, ValidTo: domain.Date{Year: 2022, Month: 12, Day: 31}}
		w.arrivals = append(w.arrivals, domain.Passage{ID: "AR" + strconv.Itoa(i), PersonID: id, FullName: p.Name.Full(), Nationality: "VN",
			CheckpointCode: "CP-HN-02", CheckpointName: "Chốt Bắc Thăng Long", Time: testNow.Add(-time.Duration(i) * time.Minute),
			Direction: domain.DirectionIn, OriginCommune: "00033", DestinationCommune: mainCommune, Vehicle: "30A-" + strconv.Itoa(10000+i)})
	}
	// A foreigner arriving with a passport: no citizen, only the traveller.
	w.arrivals = append(w.arrivals, domain.Passage{ID: "AR-F", PersonID: passportNo, FullName: "John Smith", Nationality: "GB",
		CheckpointCode: "CP-HN-02", Time: testNow.Add(-200 * time.Minute), Direction: domain.DirectionIn, DestinationCommune: mainCommune})

	w.zones = []domain.EpidemicZone{{AdminUnit: "01", Name: "Hà Nội", Level: domain.RiskMedium, ValidFrom: testNow.Add(-72 * time.Hour)}}
	for _, b := range domain.StandardAgeBands {
		w.popCounts = append(w.popCounts, domain.PopulationCount{AdminUnit: "01", AgeBand: b, Count: 1000})
		w.vaccCounts = append(w.vaccCounts,
			domain.VaccinationCount{AdminUnit: "01", DoseNumber: 1, AgeBand: b, Count: 800},
			domain.VaccinationCount{AdminUnit: "01", DoseNumber: 2, AgeBand: b, Count: 500})
	}
	// Registries drift: more vaccinated than residents in the oldest band.
	w.vaccCounts[len(w.vaccCounts)-2].Count = 1200
	return w
}

func (w *world) person(id string) (domain.Person, bool) {
	for _, p := range w.people {
		if p.ID == id || (p.OldID != "" && p.OldID == id) {
			return p, true
		}
	}
	return domain.Person{}, false
}

// ---- population ----

type fakePopulation struct {
	w *world
	calls
	failure
	verifyOutcome domain.VerifyOutcome // forced outcome; "" compares with the world
}

func (f *fakePopulation) LookupMany(ctx context.Context, ids []string) ([]domain.Person, []error) {
	f.add("LookupMany", ids...)
	out, errs := make([]domain.Person, len(ids)), make([]error, len(ids))
	if err := f.check("LookupMany"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		p, ok := f.w.person(id)
		if !ok {
			errs[i] = upstreamErr(domain.UpstreamPopulation, domain.ErrNotFound)
			continue
		}
		out[i] = p
	}
	return out, errs
}

func (f *fakePopulation) Verify(_ context.Context, req domain.VerifyRequest) (domain.VerifyResult, error) {
	f.add("Verify", req.ID)
	if err := f.check("Verify"); err != nil {
		return domain.VerifyResult{}, err
	}
	if f.verifyOutcome != "" {
		return domain.VerifyResult{Outcome: f.verifyOutcome}, nil
	}
	p, ok := f.w.person(req.ID)
	if !ok {
		return domain.VerifyResult{Outcome: domain.VerifyNotFound}, nil
	}
	fields := map[domain.IdentityField]bool{
		domain.FieldID:        true,
		domain.FieldFullName:  vntext.SameName(req.FullName, p.Name.Full()),
		domain.FieldSex:       req.Sex == p.Sex,
		domain.FieldBirthDate: sameBirthDate(req.BirthDate, p.BirthDate),
	}
	out := domain.VerifyResult{Outcome: domain.VerifyMatch, Fields: fields}
	for _, ok := range fields {
		if !ok {
			out.Outcome = domain.VerifyMismatch
		}
	}
	return out, nil
}

func (f *fakePopulation) PopulationCounts(_ context.Context, unit string) ([]domain.PopulationCount, error) {
	f.add("PopulationCounts", unit)
	if err := f.check("PopulationCounts"); err != nil {
		return nil, err
	}
	return f.w.popCounts, nil
}

// ---- vaccination ----

type fakeVaccination struct {
	w *world
	calls
	failure
}

func lookupKeys[V any](f *fakeVaccination, op string, keys []domain.PersonKey, m map[string]V) ([]V, []error) {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	f.add(op, ids...)
	out, errs := make([]V, len(keys)), make([]error, len(keys))
	if err := f.check(op); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, k := range keys {
		found := false
		for _, id := range append([]string{k.ID}, k.AltIDs...) {
			if v, ok := m[id]; ok {
				out[i], found = v, true
				break
			}
		}
		if !found {
			errs[i] = upstreamErr(domain.UpstreamVaccination, domain.ErrNotFound)
		}
	}
	return out, errs
}

func (f *fakeVaccination) Records(_ context.Context, keys []domain.PersonKey) ([]domain.VaccinationRecord, []error) {
	return lookupKeys(f, "Records", keys, f.w.records)
}

func (f *fakeVaccination) Certificates(_ context.Context, keys []domain.PersonKey) ([]domain.Certificate, []error) {
	return lookupKeys(f, "Certificates", keys, f.w.certificates)
}

func (f *fakeVaccination) Reconciliations(_ context.Context, keys []domain.PersonKey) ([]domain.Reconciliation, []error) {
	return lookupKeys(f, "Reconciliations", keys, f.w.recons)
}

// offsetPage pages items with the offset as the upstream cursor, as a real
// system's opaque cursor would.
func offsetPage[T any](items []T, req domain.PageRequest) (domain.Page[T], error) {
	off := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil {
			return domain.Page[T]{}, upstreamErr("fake", domain.ErrRejected)
		}
		off = n
	}
	end := min(off+req.Limit, len(items))
	off = min(off, end)
	p := domain.Page[T]{Items: slices.Clone(items[off:end]), Total: int64(len(items))}
	if end < len(items) {
		p.NextCursor = strconv.Itoa(end)
	}
	return p, nil
}

func (f *fakeVaccination) ReconciliationList(_ context.Context, commune string, status domain.ReconciliationStatus, page domain.PageRequest) (domain.Page[domain.Reconciliation], error) {
	f.add("ReconciliationList", commune)
	if err := f.check("ReconciliationList"); err != nil {
		return domain.Page[domain.Reconciliation]{}, err
	}
	var items []domain.Reconciliation
	for _, id := range slices.Sorted(maps.Keys(f.w.recons)) {
		r := f.w.recons[id]
		if r.CommuneCode == commune && (status == "" || r.Status == status) {
			items = append(items, r)
		}
	}
	return offsetPage(items, page)
}

func (f *fakeVaccination) RecordDose(_ context.Context, in domain.DoseInput, identity domain.RecordedIdentity) (domain.Dose, error) {
	f.add("RecordDose", in.PersonID, identity.ID)
	if err := f.check("RecordDose"); err != nil {
		return domain.Dose{}, err
	}
	return domain.Dose{RecordID: "NEW-1", PersonID: in.PersonID, Number: in.Number, Kind: in.Kind, Date: in.Date, Vaccine: in.Vaccine,
		Lot: in.Lot, Site: domain.Site{Code: in.SiteCode, Name: "Trạm Y tế", CommuneCode: mainCommune}}, nil
}

func (f *fakeVaccination) CreateFeedback(_ context.Context, in domain.FeedbackInput) (domain.Feedback, error) {
	f.add("CreateFeedback", in.PersonID)
	if err := f.check("CreateFeedback"); err != nil {
		return domain.Feedback{}, err
	}
	return domain.Feedback{ID: "F-NEW", PersonID: in.PersonID, CommuneCode: in.CommuneCode, Category: in.Category, Text: in.Text,
		Status: domain.FeedbackOpen, CreatedAt: testNow}, nil
}

func (f *fakeVaccination) ListFeedback(_ context.Context, filter domain.FeedbackFilter, page domain.PageRequest) (domain.Page[domain.Feedback], error) {
	f.add("ListFeedback", filter.PersonID)
	if err := f.check("ListFeedback"); err != nil {
		return domain.Page[domain.Feedback]{}, err
	}
	var items []domain.Feedback
	for _, fb := range f.w.feedback {
		if (filter.CommuneCode == "" || fb.CommuneCode == filter.CommuneCode) && (filter.Status == "" || fb.Status == filter.Status) &&
			(filter.PersonID == "" || fb.PersonID == filter.PersonID) {
			items = append(items, fb)
		}
	}
	return offsetPage(items, page)
}

func (f *fakeVaccination) ResolveFeedback(_ context.Context, id, resolution, resolvedBy string) (domain.Feedback, error) {
	f.add("ResolveFeedback", id)
	if err := f.check("ResolveFeedback"); err != nil {
		return domain.Feedback{}, err
	}
	for _, fb := range f.w.feedback {
		if fb.ID == id {
			fb.Status, fb.Resolution, fb.ResolvedBy, fb.ResolvedAt = domain.FeedbackResolved, resolution, resolvedBy, testNow
			return fb, nil
		}
	}
	return domain.Feedback{}, upstreamErr(domain.UpstreamVaccination, domain.ErrNotFound)
}

func (f *fakeVaccination) VaccinationCounts(_ context.Context, unit string) ([]domain.VaccinationCount, error) {
	f.add("VaccinationCounts", unit)
	if err := f.check("VaccinationCounts"); err != nil {
		return nil, err
	}
	return f.w.vaccCounts, nil
}

// ---- insurance ----

type fakeInsurance struct {
	w *world
	calls
	failure
}

func (f *fakeInsurance) Cards(_ context.Context, ids []string) ([]domain.InsuranceCard, []error) {
	f.add("Cards", ids...)
	out, errs := make([]domain.InsuranceCard, len(ids)), make([]error, len(ids))
	if err := f.check("Cards"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, id := range ids {
		c, ok := f.w.cards[id]
		if !ok {
			errs[i] = upstreamErr(domain.UpstreamInsurance, domain.ErrNotFound)
			continue
		}
		out[i] = c
	}
	return out, errs
}

// ---- checkpoint ----

type fakeCheckpoint struct {
	w *world
	calls
	failure
}

func (f *fakeCheckpoint) SubmitDeclaration(_ context.Context, in domain.DeclarationInput) (domain.HealthDeclaration, error) {
	f.add("SubmitDeclaration", in.PersonID)
	if err := f.check("SubmitDeclaration"); err != nil {
		return domain.HealthDeclaration{}, err
	}
	return domain.HealthDeclaration{ID: "D-NEW", Kind: in.Kind, SubmittedAt: testNow, PersonID: in.PersonID, FullName: in.FullName,
		BirthYear: in.BirthYear, Sex: in.Sex, Nationality: in.Nationality, Phone: in.Phone, CommuneCode: in.CommuneCode,
		Address: in.Address, Transport: in.Transport, Symptoms: in.Symptoms, Exposures: in.Exposures}, nil
}

func (f *fakeCheckpoint) Declarations(_ context.Context, ids []string, _ time.Time) ([][]domain.HealthDeclaration, []error) {
	f.add("Declarations", ids...)
	out, errs := make([][]domain.HealthDeclaration, len(ids)), make([]error, len(ids))
	if err := f.check("Declarations"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, id := range ids {
		out[i] = f.w.declarations[id]
	}
	return out, errs
}

func (f *fakeCheckpoint) RecordPassage(_ context.Context, in domain.PassageInput) (domain.Passage, error) {
	f.add("RecordPassage", in.PersonID)
	if err := f.check("RecordPassage"); err != nil {
		return domain.Passage{}, err
	}
	return domain.Passage{ID: "P-NEW", PersonID: in.PersonID, FullName: in.FullName, Nationality: in.Nationality, CheckpointCode: in.CheckpointCode,
		Time: in.Time, Direction: in.Direction, OriginCommune: in.OriginCommune, DestinationCommune: in.DestinationCommune, Vehicle: in.Vehicle}, nil
}

func (f *fakeCheckpoint) Passages(_ context.Context, ids []string, _ time.Time) ([][]domain.Passage, []error) {
	f.add("Passages", ids...)
	out, errs := make([][]domain.Passage, len(ids)), make([]error, len(ids))
	if err := f.check("Passages"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	for i, id := range ids {
		out[i] = f.w.passages[id]
	}
	return out, errs
}

func (f *fakeCheckpoint) Arrivals(_ context.Context, q domain.ArrivalsQuery, page domain.PageRequest) (domain.Page[domain.Passage], error) {
	f.add("Arrivals", q.ProvinceCode+q.CommuneCode)
	if err := f.check("Arrivals"); err != nil {
		return domain.Page[domain.Passage]{}, err
	}
	var items []domain.Passage
	for _, p := range f.w.arrivals {
		in := q.CommuneCode == p.DestinationCommune || (q.ProvinceCode != "" && q.ProvinceCode == "01")
		if in && !p.Time.Before(q.From) && p.Time.Before(q.To) {
			items = append(items, p)
		}
	}
	return offsetPage(items, page)
}

func (f *fakeCheckpoint) EpidemicZones(_ context.Context, filter domain.ZoneFilter) ([]domain.EpidemicZone, error) {
	f.add("EpidemicZones", filter.AdminUnit)
	if err := f.check("EpidemicZones"); err != nil {
		return nil, err
	}
	var out []domain.EpidemicZone
	for _, z := range f.w.zones {
		if (filter.AdminUnit == "" || z.AdminUnit == filter.AdminUnit) && !z.ValidFrom.After(filter.At) {
			out = append(out, z)
		}
	}
	return out, nil
}
