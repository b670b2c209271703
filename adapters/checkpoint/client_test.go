package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	standin "github.com/vn-epidemic/hub/mocks/checkpoint"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/vntext"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

const apiKey = "adapter-test-key"

// population is built once per test binary; it is immutable.
var population = sync.OnceValues(func() (*synth.Population, error) {
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: 11, Size: 20_000, Epoch: epoch}, dir)
})

func testPopulation(t testing.TB) *synth.Population {
	t.Helper()
	pop, err := population()
	if err != nil {
		t.Fatalf("synthetic population: %v", err)
	}
	return pop
}

// sent records what went through the upstream caller.
type sent struct {
	mu   sync.Mutex
	ops  []upstream.Op
	reqs []*http.Request
}

func (s *sent) middleware(next upstream.RoundTrip) upstream.RoundTrip {
	return func(ctx context.Context, op upstream.Op, req *http.Request) (*http.Response, error) {
		s.mu.Lock()
		s.ops = append(s.ops, op)
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		return next(ctx, op, req)
	}
}

type fixture struct {
	client *Client
	server *standin.Server
	pop    *synth.Population
	sent   *sent
}

// newFixture runs the real stand-in over HTTP and a client against it.
func newFixture(t *testing.T, mutate ...func(*standin.Config)) fixture {
	t.Helper()
	pop := testPopulation(t)
	cfg := standin.Config{Population: pop, APIKey: apiKey, Now: func() time.Time { return epoch }}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := standin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	rec := &sent{}
	c, err := New(Config{BaseURL: hs.URL, APIKey: apiKey}, upstream.NewCaller(hs.Client(), 10*time.Second, rec.middleware))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{client: c, server: srv, pop: pop, sent: rec}
}

func (f fixture) count(op string) int64 { return f.server.Faults().Count(op) }

func (f fixture) setFaults(t *testing.T, p faults.Profile) {
	t.Helper()
	if err := f.server.Faults().SetProfile(p); err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, err error, kind error) *domain.UpstreamError {
	t.Helper()
	var ue *domain.UpstreamError
	if !errors.As(err, &ue) || !errors.Is(err, kind) {
		t.Fatalf("error %v, want *UpstreamError of kind %v", err, kind)
	}
	if ue.Upstream != domain.UpstreamCheckpoint {
		t.Errorf("upstream %q", ue.Upstream)
	}
	return ue
}

func wantInput(t *testing.T, err error, field string) {
	t.Helper()
	var ie *domain.InputError
	if !errors.As(err, &ie) || ie.Field != field {
		t.Fatalf("error %v, want InputError on %s", err, field)
	}
}

// citizens returns n citizens with passages (and declarations).
func citizens(t *testing.T, pop *synth.Population, n int) []int64 {
	t.Helper()
	var out []int64
	for i := int64(0); i < pop.Size() && len(out) < n; i++ {
		if len(pop.Passages(i)) > 0 && len(pop.Declarations(i)) > 0 {
			out = append(out, i)
		}
	}
	if len(out) < n {
		t.Fatalf("only %d citizens with passages", len(out))
	}
	return out
}

func TestNewValidatesConfig(t *testing.T) {
	caller := upstream.NewCaller(nil, 0)
	for _, cfg := range []Config{{BaseURL: "", APIKey: "k"}, {BaseURL: "ftp://x", APIKey: "k"}, {BaseURL: "http://x"}} {
		if _, err := New(cfg, caller); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := New(Config{BaseURL: "http://x", APIKey: "k"}, nil); err == nil {
		t.Error("nil caller accepted")
	}
}

func samePassage(t *testing.T, got, want domain.Passage) {
	t.Helper()
	if !got.Time.Equal(want.Time) {
		t.Errorf("passage %s time %v, want %v", want.ID, got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	want.FullName = vntext.Normalize(want.FullName)
	want.CheckpointName = vntext.Normalize(want.CheckpointName)
	want.Vehicle = vntext.Normalize(want.Vehicle)
	if got != want {
		t.Errorf("passage mapped\n got %+v\nwant %+v", got, want)
	}
}

func sameDeclaration(t *testing.T, got, want domain.HealthDeclaration) {
	t.Helper()
	if !got.SubmittedAt.Equal(want.SubmittedAt) {
		t.Errorf("declaration %s submitted %v, want %v", want.ID, got.SubmittedAt, want.SubmittedAt)
	}
	g := fmt.Sprintf("%s|%s|%s|%s|%d|%v|%s|%s|%s|%s|%s|%v|%v", got.ID, got.Kind, got.PersonID, got.FullName, got.BirthYear, got.Sex,
		got.Nationality, got.Phone, got.CommuneCode, got.Address, got.Transport, got.Symptoms, got.Exposures)
	w := fmt.Sprintf("%s|%s|%s|%s|%d|%v|%s|%s|%s|%s|%s|%v|%v", want.ID, want.Kind, want.PersonID, vntext.Normalize(want.FullName), want.BirthYear, want.Sex,
		want.Nationality, want.Phone, want.CommuneCode, vntext.Normalize(want.Address), vntext.Normalize(want.Transport), want.Symptoms, want.Exposures)
	if g != w {
		t.Errorf("declaration mapped\n got %s\nwant %s", g, w)
	}
}

func TestPassagesBatch(t *testing.T) {
	f := newFixture(t)
	people := citizens(t, f.pop, 97)
	ids := make([]string, 0, 100)
	for _, i := range people {
		ids = append(ids, f.pop.At(i).ID)
	}
	ids = append(ids, "001099999999", "C0000001", f.pop.At(people[0]).OldID)
	if ids[99] == "" {
		ids[99] = "Z9999999"
	}

	results, errs := f.client.Passages(context.Background(), ids, time.Time{})
	if got := f.count(standin.OpPassagesSearch); got != 1 {
		t.Fatalf("100 IDs took %d passages.search calls, want 1", got)
	}
	if len(results) != 100 || len(errs) != 100 {
		t.Fatalf("results not aligned: %d, %d", len(results), len(errs))
	}
	for k, i := range people {
		if errs[k] != nil {
			t.Fatalf("person %d: %v", k, errs[k])
		}
		want := f.pop.Passages(i)
		if len(results[k]) != len(want) {
			t.Fatalf("person %d: %d passages, want %d", k, len(results[k]), len(want))
		}
		for j := range want {
			samePassage(t, results[k][j], want[j])
		}
	}
	wantKind(t, errs[97], domain.ErrNotFound)
	wantKind(t, errs[98], domain.ErrNotFound)

	t.Run("101 IDs take 2 calls, duplicates none", func(t *testing.T) {
		f.server.Faults().ResetCounts()
		more := append(append([]string{}, ids...), "001099999998")
		more = append(more, ids[:50]...) // duplicates cost nothing
		results, errs := f.client.Passages(context.Background(), more, time.Time{})
		if got := f.count(standin.OpPassagesSearch); got != 2 {
			t.Errorf("%d calls, want 2", got)
		}
		for k := 0; k < 50; k++ {
			if errs[101+k] != nil || len(results[101+k]) != len(results[k]) {
				t.Errorf("duplicate %d not answered like the original", k)
			}
		}
	})
	t.Run("invalid ID is an input error for that element only", func(t *testing.T) {
		f.server.Faults().ResetCounts()
		results, errs := f.client.Passages(context.Background(), []string{ids[0], "12-34", " " + strings.ToLower("c0000001") + " "}, time.Time{})
		wantInput(t, errs[1], "personIds")
		if errs[0] != nil || len(results[0]) == 0 {
			t.Errorf("valid neighbour: %v", errs[0])
		}
		wantKind(t, errs[2], domain.ErrNotFound)
		if got := f.count(standin.OpPassagesSearch); got != 1 {
			t.Errorf("%d calls", got)
		}
	})
	t.Run("since", func(t *testing.T) {
		want := f.pop.Passages(people[0])
		results, errs := f.client.Passages(context.Background(), ids[:1], want[0].Time)
		if errs[0] != nil || len(results[0]) != 1 {
			t.Errorf("since newest: %d passages, %v", len(results[0]), errs[0])
		}
	})
	t.Run("empty input makes no call", func(t *testing.T) {
		f.server.Faults().ResetCounts()
		results, errs := f.client.Passages(context.Background(), nil, time.Time{})
		if len(results) != 0 || len(errs) != 0 || f.count(standin.OpPassagesSearch) != 0 {
			t.Error("empty batch called upstream")
		}
	})
}

func TestDeclarationsBatch(t *testing.T) {
	f := newFixture(t)
	people := citizens(t, f.pop, 120)
	ids := make([]string, len(people))
	for k, i := range people {
		ids[k] = f.pop.At(i).ID
	}
	results, errs := f.client.Declarations(context.Background(), ids, time.Time{})
	if got := f.count(standin.OpDeclarationsSearch); got != 2 {
		t.Errorf("120 IDs took %d calls, want 2", got)
	}
	for k, i := range people {
		if errs[k] != nil {
			t.Fatalf("person %d: %v", k, errs[k])
		}
		want := f.pop.Declarations(i)
		if len(results[k]) != len(want) {
			t.Fatalf("person %d: %d declarations, want %d", k, len(results[k]), len(want))
		}
		for j := range want {
			sameDeclaration(t, results[k][j], want[j])
		}
	}
}

func declarationInput(f fixture) domain.DeclarationInput {
	return domain.DeclarationInput{
		Kind:        domain.DeclarationEntry,
		PersonID:    "079185001234",                          // Hồ Chí Minh City, female, born 1985
		FullName:    "Tra\u0302\u0300n Thi\u0323 Bi\u0300nh", // decomposed, as some keyboards send it
		BirthYear:   1985,
		Sex:         domain.SexFemale,
		Phone:       "+84987654321",
		CommuneCode: f.pop.Directory().Communes("79")[3].Code,
		Address:     "  25 Nguyễn Huệ ",
		Transport:   "Máy bay VN123",
		Symptoms:    []domain.Symptom{domain.SymptomFever, domain.SymptomLossOfTaste, domain.SymptomFever},
		Exposures:   []domain.Exposure{domain.ExposureCaseContact, domain.ExposureAffectedArea, domain.ExposureAffectedPeople, domain.ExposureSymptomatic},
	}
}

func TestSubmitDeclarationAndReadBack(t *testing.T) {
	f := newFixture(t)
	in := declarationInput(f)
	got, err := f.client.SubmitDeclaration(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.HealthDeclaration{
		ID: got.ID, Kind: domain.DeclarationEntry, SubmittedAt: epoch, PersonID: in.PersonID,
		FullName: "Trần Thị Bình", BirthYear: 1985, Sex: domain.SexFemale, Nationality: "VN", Phone: "0987654321",
		CommuneCode: in.CommuneCode, Address: "25 Nguyễn Huệ", Transport: in.Transport,
		Symptoms:  []domain.Symptom{domain.SymptomFever, domain.SymptomLossOfTaste},
		Exposures: in.Exposures,
	}
	if got.ID == "" {
		t.Error("no ID")
	}
	sameDeclaration(t, got, want)

	// The write went out once, not retryable, with an idempotency key.
	if len(f.sent.ops) != 1 || f.sent.ops[0].Idempotent || f.sent.reqs[0].Header.Get("Idempotency-Key") == "" {
		t.Errorf("write sent as %+v", f.sent.ops)
	}

	results, errs := f.client.Declarations(context.Background(), []string{in.PersonID}, epoch.Add(-time.Minute))
	if errs[0] != nil || len(results[0]) != 1 {
		t.Fatalf("read back: %v, %d", errs[0], len(results[0]))
	}
	sameDeclaration(t, results[0][0], want)
}

func TestRecordPassageAndReadBack(t *testing.T) {
	f := newFixture(t)
	dir := f.pop.Directory()
	cp := f.server.Checkpoints()[0]
	var origin string
	for _, c := range dir.AllCommunes() {
		if c.ProvinceCode != cp.ProvinceCode {
			origin = c.Code
			break
		}
	}
	dest := dir.Communes(cp.ProvinceCode)[0].Code
	in := domain.PassageInput{
		PersonID: "c1234567", FullName: "Kim  Min-jun", Nationality: "kr", CheckpointCode: cp.Code,
		Time: epoch.Add(-90 * time.Minute).UTC(), Direction: domain.DirectionIn,
		OriginCommune: origin, DestinationCommune: dest, Vehicle: "Xe khách",
	}
	got, err := f.client.RecordPassage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Passage{
		ID: got.ID, PersonID: "C1234567", FullName: "Kim Min-jun", Nationality: "KR", CheckpointCode: cp.Code,
		CheckpointName: cp.Name, Time: in.Time, Direction: domain.DirectionIn, OriginCommune: origin,
		DestinationCommune: dest, Vehicle: "Xe khách",
	}
	samePassage(t, got, want)
	if f.sent.ops[0].Idempotent || f.sent.reqs[0].Header.Get("Idempotency-Key") == "" {
		t.Errorf("write sent as %+v", f.sent.ops[0])
	}

	results, errs := f.client.Passages(context.Background(), []string{"C1234567"}, time.Time{})
	if errs[0] != nil || len(results[0]) != 1 {
		t.Fatalf("passages read back: %v", errs[0])
	}
	samePassage(t, results[0][0], want)

	page, err := f.client.Arrivals(context.Background(), domain.ArrivalsQuery{CommuneCode: dest, From: in.Time.Add(-time.Minute), To: in.Time.Add(time.Minute)}, domain.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.NextCursor != "" || page.Total != -1 {
		t.Fatalf("arrivals: %+v", page)
	}
	samePassage(t, page.Items[0], want)
}

func TestWriteRejections(t *testing.T) {
	f := newFixture(t)
	in := declarationInput(f)
	in.Phone = "0212345678" // a landline: the system wants a mobile number
	in.CommuneCode = "99999"
	_, err := f.client.SubmitDeclaration(context.Background(), in)
	ue := wantKind(t, err, domain.ErrRejected)
	if !strings.Contains(ue.Reason, "phone") || !strings.Contains(ue.Reason, "contact.commune_code") || !strings.Contains(ue.Reason, "E422") {
		t.Errorf("reason %q does not name the fields", ue.Reason)
	}
	if strings.Contains(err.Error(), "0212345678") || strings.Contains(err.Error(), "99999") {
		t.Errorf("error echoes submitted values: %v", err)
	}

	p := domain.PassageInput{PersonID: "079185001234", FullName: "Trần Bình", CheckpointCode: "CK-99-09",
		Time: epoch, Direction: domain.DirectionIn, OriginCommune: "00024", DestinationCommune: "23573"}
	_, err = f.client.RecordPassage(context.Background(), p)
	if ue := wantKind(t, err, domain.ErrRejected); !strings.Contains(ue.Reason, "checkpoint_code") {
		t.Errorf("reason %q", ue.Reason)
	}

	t.Run("wrong key", func(t *testing.T) {
		bad := *f.client
		bad.apiKey = "wrong"
		_, err := bad.SubmitDeclaration(context.Background(), declarationInput(f))
		wantKind(t, err, domain.ErrRejected)
		wantKind(t, bad.Ping(context.Background()), domain.ErrRejected)
	})
	t.Run("quota", func(t *testing.T) {
		f := newFixture(t, func(c *standin.Config) { c.MaxWrites = 1 })
		if _, err := f.client.SubmitDeclaration(context.Background(), declarationInput(f)); err != nil {
			t.Fatal(err)
		}
		_, err := f.client.SubmitDeclaration(context.Background(), declarationInput(f))
		wantKind(t, err, domain.ErrUnavailable)
	})
}

func TestInputValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	decl := func(mut func(*domain.DeclarationInput)) error {
		in := declarationInput(f)
		mut(&in)
		_, err := f.client.SubmitDeclaration(ctx, in)
		return err
	}
	pass := func(mut func(*domain.PassageInput)) error {
		in := domain.PassageInput{PersonID: "079185001234", FullName: "Trần Bình", CheckpointCode: "CK-79-01",
			Time: epoch, Direction: domain.DirectionIn, OriginCommune: "00024", DestinationCommune: "23573"}
		mut(&in)
		_, err := f.client.RecordPassage(ctx, in)
		return err
	}
	from, to := epoch.AddDate(0, 0, -1), epoch
	arr := func(q domain.ArrivalsQuery, p domain.PageRequest) error {
		_, err := f.client.Arrivals(ctx, q, p)
		return err
	}
	zones := func(unit string) error {
		_, err := f.client.EpidemicZones(ctx, domain.ZoneFilter{AdminUnit: unit})
		return err
	}
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"kind", decl(func(in *domain.DeclarationInput) { in.Kind = "TRAVEL" }), "kind"},
		{"person id", decl(func(in *domain.DeclarationInput) { in.PersonID = "12345" }), "personId"},
		{"name", decl(func(in *domain.DeclarationInput) { in.FullName = " \r\n" }), "fullName"},
		{"birth year", decl(func(in *domain.DeclarationInput) { in.BirthYear = 0 }), "birthYear"},
		{"sex", decl(func(in *domain.DeclarationInput) { in.Sex = domain.SexUnknown }), "sex"},
		{"nationality of passport holder", decl(func(in *domain.DeclarationInput) { in.PersonID = "C1234567" }), "nationality"},
		{"nationality shape", decl(func(in *domain.DeclarationInput) { in.Nationality = "VNM" }), "nationality"},
		{"phone", decl(func(in *domain.DeclarationInput) { in.Phone = "" }), "phone"},
		{"commune", decl(func(in *domain.DeclarationInput) { in.CommuneCode = "7" }), "communeCode"},
		{"address", decl(func(in *domain.DeclarationInput) { in.Address = "" }), "address"},
		{"symptom", decl(func(in *domain.DeclarationInput) { in.Symptoms = []domain.Symptom{"HEADACHE"} }), "symptoms"},
		{"exposure", decl(func(in *domain.DeclarationInput) { in.Exposures = []domain.Exposure{"X"} }), "exposures"},
		{"passage person", pass(func(in *domain.PassageInput) { in.PersonID = "" }), "personId"},
		{"passage name", pass(func(in *domain.PassageInput) { in.FullName = "" }), "fullName"},
		{"passage checkpoint", pass(func(in *domain.PassageInput) { in.CheckpointCode = "" }), "checkpointCode"},
		{"passage time", pass(func(in *domain.PassageInput) { in.Time = time.Time{} }), "time"},
		{"passage direction", pass(func(in *domain.PassageInput) { in.Direction = "UP" }), "direction"},
		{"passage origin", pass(func(in *domain.PassageInput) { in.OriginCommune = "abcde" }), "originCommune"},
		{"passage destination", pass(func(in *domain.PassageInput) { in.DestinationCommune = "" }), "destinationCommune"},
		{"arrivals both units", arr(domain.ArrivalsQuery{ProvinceCode: "79", CommuneCode: "23573", From: from, To: to}, domain.PageRequest{}), "provinceCode"},
		{"arrivals no unit", arr(domain.ArrivalsQuery{From: from, To: to}, domain.PageRequest{}), "provinceCode"},
		{"arrivals bad province", arr(domain.ArrivalsQuery{ProvinceCode: "7", From: from, To: to}, domain.PageRequest{}), "provinceCode"},
		{"arrivals bad commune", arr(domain.ArrivalsQuery{CommuneCode: "7", From: from, To: to}, domain.PageRequest{}), "communeCode"},
		{"arrivals from after to", arr(domain.ArrivalsQuery{ProvinceCode: "79", From: to, To: from}, domain.PageRequest{}), "from"},
		{"arrivals no from", arr(domain.ArrivalsQuery{ProvinceCode: "79", To: to}, domain.PageRequest{}), "from"},
		{"arrivals window", arr(domain.ArrivalsQuery{ProvinceCode: "79", From: to.AddDate(0, 0, -32), To: to}, domain.PageRequest{}), "to"},
		{"arrivals limit", arr(domain.ArrivalsQuery{ProvinceCode: "79", From: from, To: to}, domain.PageRequest{Limit: -1}), "limit"},
		{"arrivals cursor", arr(domain.ArrivalsQuery{ProvinceCode: "79", From: from, To: to}, domain.PageRequest{Cursor: "a b"}), "cursor"},
		{"zones unit", zones("7x"), "adminUnit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantInput(t, tt.err, tt.field) })
	}
	for op, n := range f.server.Faults().Counts() {
		if n != 0 {
			t.Errorf("input errors reached the system: %s called %d times", op, n)
		}
	}
}

func TestArrivalsWalk(t *testing.T) {
	f := newFixture(t)
	q := domain.ArrivalsQuery{ProvinceCode: "79", From: epoch.AddDate(0, 0, -10), To: epoch}
	want := map[string]domain.Passage{}
	f.pop.EachArrival(q, 0, func(_ int64, pa domain.Passage) bool {
		want[pa.ID] = pa
		return true
	})
	if len(want) < 60 {
		t.Fatalf("only %d arrivals; the walk is not exercised", len(want))
	}
	page := domain.PageRequest{Limit: 25}
	seen := map[string]bool{}
	calls := 0
	for {
		p, err := f.client.Arrivals(context.Background(), q, page)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		for _, pa := range p.Items {
			if seen[pa.ID] {
				t.Errorf("duplicate %s", pa.ID)
			}
			seen[pa.ID] = true
			w, ok := want[pa.ID]
			if !ok {
				t.Errorf("unexpected arrival %s", pa.ID)
				continue
			}
			samePassage(t, pa, w)
		}
		if p.NextCursor == "" {
			break
		}
		page.Cursor = p.NextCursor
	}
	if len(seen) != len(want) || calls != (len(want)+24)/25 {
		t.Errorf("%d arrivals in %d calls, want %d", len(seen), calls, len(want))
	}

	t.Run("tampered cursor", func(t *testing.T) {
		first, err := f.client.Arrivals(context.Background(), q, domain.PageRequest{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		c := []byte(first.NextCursor)
		c[len(c)-2] ^= 1
		_, err = f.client.Arrivals(context.Background(), q, domain.PageRequest{Limit: 5, Cursor: string(c)})
		wantInput(t, err, "cursor")
	})
	t.Run("unknown unit", func(t *testing.T) {
		_, err := f.client.Arrivals(context.Background(), domain.ArrivalsQuery{ProvinceCode: "99", From: q.From, To: q.To}, domain.PageRequest{})
		wantKind(t, err, domain.ErrNotFound)
	})
	t.Run("limit capped", func(t *testing.T) {
		if _, err := f.client.Arrivals(context.Background(), q, domain.PageRequest{Limit: 10_000}); err != nil {
			t.Error(err)
		}
	})
}

func TestEpidemicZones(t *testing.T) {
	f := newFixture(t)
	all := f.pop.EpidemicZones()
	z := all[0]
	got, err := f.client.EpidemicZones(context.Background(), domain.ZoneFilter{AdminUnit: z.AdminUnit, At: z.ValidFrom})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range got {
		if g.AdminUnit == z.AdminUnit && g.ValidFrom.Equal(z.ValidFrom) {
			found = true
			if g.Level != z.Level || !g.ValidUntil.Equal(z.ValidUntil) || g.Name != vntext.Normalize(z.Name) {
				t.Errorf("zone mapped %+v, want %+v", g, z)
			}
		}
	}
	if !found {
		t.Errorf("zone %s not in force at its start: %+v", z.AdminUnit, got)
	}
	everything, err := f.client.EpidemicZones(context.Background(), domain.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range everything {
		if g.ValidFrom.After(epoch) || (!g.ValidUntil.IsZero() && !g.ValidUntil.After(epoch)) {
			t.Errorf("zone %s not in force now", g.AdminUnit)
		}
	}
	_, err = f.client.EpidemicZones(context.Background(), domain.ZoneFilter{AdminUnit: "99"})
	wantKind(t, err, domain.ErrNotFound)
	if err := f.client.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestUpstreamFailures(t *testing.T) {
	f := newFixture(t)
	ids := []string{"079185001234", "C1234567", "079185001234"}
	ctx := context.Background()

	t.Run("outage: every element fails alike", func(t *testing.T) {
		f.setFaults(t, faults.Profile{Outage: true})
		_, errs := f.client.Passages(ctx, ids, time.Time{})
		for k := range ids {
			wantKind(t, errs[k], domain.ErrUnavailable)
		}
		_, err := f.client.SubmitDeclaration(ctx, declarationInput(f))
		wantKind(t, err, domain.ErrUnavailable)
		wantKind(t, f.client.Ping(ctx), domain.ErrUnavailable)
	})
	t.Run("rate limited", func(t *testing.T) {
		f.setFaults(t, faults.Profile{RateLimit: 0.01, RateBurst: 1})
		_, errs := f.client.Declarations(ctx, ids, time.Time{})
		wantKind(t, errs[1], domain.ErrNotFound) // answered: the passport is unknown
		_, errs = f.client.Declarations(ctx, ids, time.Time{})
		ue := wantKind(t, errs[0], domain.ErrRateLimited)
		if ue.RetryAfter <= 0 {
			t.Error("no RetryAfter")
		}
	})
	t.Run("server errors", func(t *testing.T) {
		f.setFaults(t, faults.Profile{ErrorRate: 1})
		_, err := f.client.EpidemicZones(ctx, domain.ZoneFilter{})
		wantKind(t, err, domain.ErrUnavailable)
	})
	t.Run("processing timeout", func(t *testing.T) {
		f.setFaults(t, faults.Profile{TimeoutRate: 1, HangFor: faults.Duration(time.Millisecond)})
		_, err := f.client.Arrivals(ctx, domain.ArrivalsQuery{ProvinceCode: "79", From: epoch.Add(-time.Hour), To: epoch}, domain.PageRequest{})
		wantKind(t, err, domain.ErrTimeout)
	})
	t.Run("connection refused", func(t *testing.T) {
		hs := httptest.NewServer(http.NotFoundHandler())
		url := hs.URL
		hs.Close()
		c, err := New(Config{BaseURL: url, APIKey: "k"}, upstream.NewCaller(nil, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		_, errs := c.Declarations(ctx, ids, time.Time{})
		wantKind(t, errs[2], domain.ErrUnavailable)
	})
}

// TestBadUpstreamData serves answers the real system should never give.
func TestBadUpstreamData(t *testing.T) {
	okPassage := `{"id":"P1","checkpoint_code":"CK-79-01","checkpoint_name":"Chốt","passed_at":"2025-12-31T10:00:00+07:00",` +
		`"direction":"%s","origin_commune_code":"00024","destination_commune_code":"23573","vehicle":"","id_type":"CCCD",` +
		`"id_number":"%s","full_name":"Nguyá»…n VÄƒn An","nationality":"VN"}`
	tests := []struct {
		name   string
		path   string
		status int
		body   string
		check  func(t *testing.T, c *Client)
	}{
		{"garbage", "/api/v1/checkpoint-passages:search", 200, "<html>oops</html>", func(t *testing.T, c *Client) {
			_, errs := c.Passages(context.Background(), []string{"079185001234", "079185001235"}, time.Time{})
			wantKind(t, errs[0], domain.ErrBadUpstreamData)
			wantKind(t, errs[1], domain.ErrBadUpstreamData)
		}},
		{"bad direction spoils one person", "/api/v1/checkpoint-passages:search", 200,
			`{"results":[{"person_id":"079185001234","found":true,"passages":[` + fmt.Sprintf(okPassage, "SIDEWAYS", "079185001234") + `]},` +
				`{"person_id":"079185001235","found":true,"passages":[` + fmt.Sprintf(okPassage, "IN", "079185001235") + `]}]}`,
			func(t *testing.T, c *Client) {
				res, errs := c.Passages(context.Background(), []string{"079185001234", "079185001235", "079185001236"}, time.Time{})
				wantKind(t, errs[0], domain.ErrBadUpstreamData)
				if errs[1] != nil || len(res[1]) != 1 || res[1][0].FullName != "Nguyễn Văn An" {
					t.Errorf("good neighbour: %v %+v", errs[1], res[1])
				}
				wantKind(t, errs[2], domain.ErrBadUpstreamData) // missing from the answer
			}},
		{"unknown zone level", "/api/v1/epidemic-zones", 200,
			`{"at":"2026-01-01T00:00:00+07:00","zones":[{"admin_unit_code":"79","admin_unit_name":"x","level":5,"valid_from":"2026-01-01T00:00:00+07:00","valid_until":null}]}`,
			func(t *testing.T, c *Client) {
				_, err := c.EpidemicZones(context.Background(), domain.ZoneFilter{})
				ue := wantKind(t, err, domain.ErrBadUpstreamData)
				if ue.Reason != "level: unknown value" {
					t.Errorf("reason %q", ue.Reason)
				}
			}},
		{"OUT passage among arrivals", "/api/v1/arrivals", 200,
			`{"arrivals":[` + fmt.Sprintf(okPassage, "OUT", "079185001234") + `]}`,
			func(t *testing.T, c *Client) {
				_, err := c.Arrivals(context.Background(), domain.ArrivalsQuery{ProvinceCode: "79", From: epoch.Add(-time.Hour), To: epoch}, domain.PageRequest{})
				wantKind(t, err, domain.ErrBadUpstreamData)
			}},
		{"write answered 200 with junk", "/api/v1/health-declarations", 201, `{"id":"x"}`, func(t *testing.T, c *Client) {
			_, err := c.SubmitDeclaration(context.Background(), domain.DeclarationInput{Kind: domain.DeclarationGeneral,
				PersonID: "079185001234", FullName: "A", BirthYear: 1985, Sex: domain.SexFemale, Phone: "0987654321",
				CommuneCode: "23573", Address: "x"})
			wantKind(t, err, domain.ErrBadUpstreamData)
		}},
		{"unexpected redirect", "/api/v1/epidemic-zones", 304, ``, func(t *testing.T, c *Client) {
			_, err := c.EpidemicZones(context.Background(), domain.ZoneFilter{})
			wantKind(t, err, domain.ErrBadUpstreamData)
		}},
		{"error code with foreign text", "/api/v1/epidemic-zones", 422, `{"code":"Nguyễn 0912345678","message":"x","request_id":"","errors":[{"field":"phone 0912345678","code":"X","message":"0912345678"},{"field":"admin_unit","code":"X","message":"x"}]}`,
			func(t *testing.T, c *Client) {
				_, err := c.EpidemicZones(context.Background(), domain.ZoneFilter{})
				if ue := wantKind(t, err, domain.ErrRejected); ue.Reason != "HTTP 422 fields: admin_unit" {
					t.Errorf("reason %q", ue.Reason)
				}
			}},
		{"unexplained 418", "/api/v1/epidemic-zones", 418, `not json`, func(t *testing.T, c *Client) {
			_, err := c.EpidemicZones(context.Background(), domain.ZoneFilter{})
			if ue := wantKind(t, err, domain.ErrRejected); ue.Reason != "HTTP 418" {
				t.Errorf("reason %q", ue.Reason)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path {
					http.Error(w, "wrong path", http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer hs.Close()
			c, err := New(Config{BaseURL: hs.URL, APIKey: "k"}, upstream.NewCaller(hs.Client(), time.Second))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
