package vaccination

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// doseFor builds a correct dose request for citizen i.
func doseFor(t testing.TB, i int64, number int, date string) doseRequest {
	p := population(t)
	person := p.At(i)
	return doseRequest{
		PersonID: person.ID, FullName: person.Name.Full(), Sex: sexCode(person.Sex),
		BirthDate: person.BirthDate.String(), DoseNumber: number, DoseType: "basic", Date: date,
		Vaccine: "BNT162B2", Lot: "FK1234", SiteCode: p.Sites(person.Current.CommuneCode)[0].Code,
	}
}

// unvaccinated finds a citizen without a platform record and a full birth date.
func unvaccinated(t testing.TB, skip int) int64 {
	p := population(t)
	return findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		if ok || p.At(i).BirthDate.YearOnly() || p.At(i).OldID != "" {
			return false
		}
		skip--
		return skip < 0
	})
}

func TestRecordDoseRules(t *testing.T) {
	p := population(t)
	i := unvaccinated(t, 0)
	person := p.At(i)
	ok := doseFor(t, i, 1, "2022-02-01")
	mod := func(f func(*doseRequest)) doseRequest { d := ok; f(&d); return d }
	wrongSex := domain.SexFemale
	if person.Sex == domain.SexFemale {
		wrongSex = domain.SexMale
	}
	tests := []struct {
		name    string
		req     any
		status  int
		code    string
		details string // a field named in details
	}{
		{"name without diacritics", mod(func(d *doseRequest) { d.FullName = foldASCII(d.FullName) }), 422, codeIdentityNotVerified, "fullName"},
		{"wrong sex", mod(func(d *doseRequest) { d.Sex = sexCode(wrongSex) }), 422, codeIdentityNotVerified, "sex"},
		{"wrong birth date", mod(func(d *doseRequest) { d.BirthDate = "1900-01-01" }), 422, codeIdentityNotVerified, "birthDate"},
		{"not in registry", mod(func(d *doseRequest) { d.PersonID = "096999999999" }), 422, codeIdentityNotVerified, "personId"},
		{"dose 2 before dose 1", mod(func(d *doseRequest) { d.DoseNumber = 2 }), 422, codeInvalidDoseNumber, "doseNumber"},
		{"future date", mod(func(d *doseRequest) { d.Date = "2026-01-11" }), 422, codeInvalidDoseDate, "date"},
		{"before the campaign", mod(func(d *doseRequest) { d.Date = "2021-01-01" }), 422, codeInvalidDoseDate, "date"},
		{"unknown vaccine", mod(func(d *doseRequest) { d.Vaccine = "PFIZER" }), 422, codeUnknownVaccine, "vaccine"},
		{"bad lot", mod(func(d *doseRequest) { d.Lot = "fk 12" }), 422, codeInvalidLot, "lot"},
		{"unknown site", mod(func(d *doseRequest) { d.SiteCode = "VS9999901" }), 422, codeUnknownSite, "siteCode"},
		{"missing fields", map[string]any{"personId": person.ID}, 400, codeInvalidArgument, "fullName"},
		{"bad dose type", mod(func(d *doseRequest) { d.DoseType = "BASIC" }), 400, codeInvalidArgument, "doseType"},
		{"year-only dose date", mod(func(d *doseRequest) { d.Date = "2022" }), 400, codeInvalidArgument, "date"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.call(t, http.MethodPost, "/api/v1/doses", tt.req)
			wantStatus(t, r, tt.status, tt.code)
			var body apiError
			r.decode(t, &body)
			found := false
			for _, d := range body.Error.Details {
				found = found || d.Field == tt.details
			}
			if !found {
				t.Errorf("details %+v do not name %s", body.Error.Details, tt.details)
			}
			// Refusals never echo personal data.
			if strings.Contains(string(r.body), person.Name.Given) || strings.Contains(string(r.body), person.ID) {
				t.Errorf("error body leaks personal data: %s", r.body)
			}
		})
	}
	// Nothing was recorded by the refusals.
	r := e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people(person.ID))
	var out batchResponse
	r.decode(t, &out)
	if out.Results[0].Status != resultNotFound {
		t.Fatalf("a refused dose created a record: %s", r.body)
	}
}

// foldASCII drops diacritics the way a careless data-entry clerk does.
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("àáảãạăằắẳẵặâầấẩẫậ", r):
			r = 'a'
		case strings.ContainsRune("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", r):
			r = 'A'
		case strings.ContainsRune("èéẻẽẹêềếểễệ", r):
			r = 'e'
		case strings.ContainsRune("ìíỉĩị", r):
			r = 'i'
		case strings.ContainsRune("òóỏõọôồốổỗộơờớởỡợ", r):
			r = 'o'
		case strings.ContainsRune("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", r):
			r = 'O'
		case strings.ContainsRune("ùúủũụưừứửữự", r):
			r = 'u'
		case strings.ContainsRune("ỳýỷỹỵ", r):
			r = 'y'
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestRecordDoseAcceptedThenSequenced(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := unvaccinated(t, 1)
	person := p.At(i)
	first := doseFor(t, i, 1, "2022-02-01")
	// The registry compares case-insensitively.
	first.FullName = strings.ToUpper(first.FullName)
	r := e.call(t, http.MethodPost, "/api/v1/doses", first)
	wantStatus(t, r, 201, "")
	var dose wireDose
	r.decode(t, &dose)
	if dose.PersonID != person.ID || dose.DoseNumber != 1 || dose.Site.CommuneCode != person.Current.CommuneCode || dose.RecordID == "" {
		t.Fatalf("recorded %+v", dose)
	}

	again := e.call(t, http.MethodPost, "/api/v1/doses", first)
	wantStatus(t, again, 422, codeInvalidDoseNumber)
	third := doseFor(t, i, 3, "2022-06-01")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", third), 422, codeInvalidDoseNumber)
	early := doseFor(t, i, 2, "2022-01-01")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", early), 422, codeInvalidDoseDate)
	second := doseFor(t, i, 2, "2022-03-01")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", second), 201, "")

	// The new record is visible to every read, reconciled as verified at entry.
	var out batchResponse
	e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people(person.ID)).decode(t, &out)
	if v := out.Results[0].Vaccination; v == nil || len(v.Doses) != 2 || v.Doses[0].DoseNumber != 1 || v.Doses[1].DoseNumber != 2 {
		t.Fatalf("record after writes: %+v", out.Results[0])
	}
	e.call(t, http.MethodPost, "/api/v1/reconciliation:batchGet", people(person.ID)).decode(t, &out)
	if rc := out.Results[0].Reconciliation; rc == nil || rc.Status != "MATCH" || rc.CommuneCode != person.Current.CommuneCode {
		t.Fatalf("reconciliation after writes: %+v", out.Results[0])
	}
	e.call(t, http.MethodPost, "/api/v1/certificates:batchGet", people(person.ID)).decode(t, &out)
	if c := out.Results[0].Certificate; c == nil || c.Status != "PENDING" {
		t.Fatalf("certificate after writes: %+v", out.Results[0])
	}
}

func TestRecordDoseIdempotency(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := unvaccinated(t, 2)
	req := doseFor(t, i, 1, "2022-02-01")
	r1 := e.call(t, http.MethodPost, "/api/v1/doses", req, "Idempotency-Key", "k-123")
	wantStatus(t, r1, 201, "")
	r2 := e.call(t, http.MethodPost, "/api/v1/doses", req, "Idempotency-Key", "k-123")
	wantStatus(t, r2, 201, "")
	if string(r1.body) != string(r2.body) || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay differs:\n%s\n%s", r1.body, r2.body)
	}
	other := req
	other.Lot = "FK9999"
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", other, "Idempotency-Key", "k-123"), 422, codeIdempotencyReused)
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", req, "Idempotency-Key", "bad key"), 400, codeInvalidArgument)
	var out batchResponse
	e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people(p.At(i).ID)).decode(t, &out)
	if n := len(out.Results[0].Vaccination.Doses); n != 1 {
		t.Errorf("%d doses after a replayed write", n)
	}
}

// A dose entered under the new ID of a citizen whose record is held under
// the old CMND joins that record.
func TestRecordDoseJoinsRecordUnderOldID(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		per := p.At(i)
		return ok && per.OldID != "" && v.Record.PersonID == per.OldID && !per.BirthDate.YearOnly() &&
			len(v.Record.Doses) > 0 && v.Record.Doses[len(v.Record.Doses)-1].Number == len(v.Record.Doses)
	})
	v, _ := p.Vaccination(i)
	person := p.At(i)
	n := len(v.Record.Doses) + 1
	req := doseFor(t, i, n, "2025-06-01")
	req.DoseType = "booster"
	r := e.call(t, http.MethodPost, "/api/v1/doses", req)
	wantStatus(t, r, 201, "")
	var dose wireDose
	r.decode(t, &dose)
	if dose.PersonID != person.OldID {
		t.Errorf("dose held under %q, want the old ID", dose.PersonID)
	}
	var out batchResponse
	e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people(person.OldID)).decode(t, &out)
	if got := len(out.Results[0].Vaccination.Doses); got != n {
		t.Errorf("%d doses, want %d", got, n)
	}
}

func TestRecordDoseForeignerIsExempt(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	var passport string
	for j := int64(0); j < p.ForeignerCount(); j++ {
		f := p.ForeignerAt(j)
		if _, ok := p.ForeignerVaccination(j); !ok {
			passport = f.Passport
			break
		}
	}
	if passport == "" {
		t.Skip("every foreigner in the test population is vaccinated")
	}
	site := p.Sites(busiestCommune(t))[0].Code
	req := doseRequest{PersonID: passport, FullName: "JOHN SMITH", Sex: "MALE", BirthDate: "1980-05-05",
		DoseNumber: 1, DoseType: "basic", Date: "2022-02-01", Vaccine: "MRNA-1273", Lot: "3001234", SiteCode: site}
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", req), 201, "")
	var out batchResponse
	e.call(t, http.MethodPost, "/api/v1/reconciliation:batchGet", people(passport)).decode(t, &out)
	if rc := out.Results[0].Reconciliation; rc == nil || rc.Status != "NOT_APPLICABLE" {
		t.Errorf("foreigner's reconciliation %+v", out.Results[0])
	}
}

func TestWritesAreBounded(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxWrites = 1 })
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", doseFor(t, unvaccinated(t, 3), 1, "2022-02-01")), 201, "")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", doseFor(t, unvaccinated(t, 4), 1, "2022-02-01")), 507, codeResourceExhausted)
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback", map[string]string{
		"personId": "001090000001", "communeCode": busiestCommune(t), "category": "OTHER", "text": "x"}), 507, codeResourceExhausted)
}

func TestNameComparison(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Nguyễn Văn Hòa", "Nguyễn Văn Hoà", true},           // tone on o or a
		{"Trần Thị Thủy", "Trần Thị Thuỷ", true},             // tone on u or y
		{"NGUYỄN VĂN AN", "nguyễn văn an", true},             // case
		{"Nguyễn  Văn An ", "Nguyễn Văn An", true},           // whitespace
		{"Nguye\u0302\u0303n Văn An", "Nguyễn Văn An", true}, // decomposed
		{"\u00d0ặng Thị Mai", "Đặng Thị Mai", true},          // look-alike eth
		{"Nguyen Van An", "Nguyễn Văn An", false},            // diacritics missing
		{"Dặng Thị Mai", "Đặng Thị Mai", false},              // d is not đ
		{"Nguyễn Văn Hỏa", "Nguyễn Văn Hòa", false},          // another tone
		{"Lê Văn Tâm", "Lê Văn Tăm", false},                  // vowel quality differs
		{"Lê Văn", "Lê Văn Tâm", false},
	}
	for _, tt := range tests {
		if got := sameName(tt.a, tt.b); got != tt.same {
			t.Errorf("sameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// oldStyleTones moves tone marks to the old-style placement ("Hòa" → "Hoà").
var oldStyleTones = strings.NewReplacer(
	"òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
	"ùy", "uỳ", "úy", "uý", "ủy", "uỷ", "ũy", "uỹ", "ụy", "uỵ",
)

// A site typing the same name with the other tone placement is verified.
func TestRecordDoseToleratesTonePlacement(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		per := p.At(i)
		name := per.Name.Full()
		return !ok && per.OldID == "" && !per.BirthDate.YearOnly() && oldStyleTones.Replace(name) != name
	})
	req := doseFor(t, i, 1, "2022-02-01")
	req.FullName = oldStyleTones.Replace(req.FullName)
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/doses", req), 201, "")
}
