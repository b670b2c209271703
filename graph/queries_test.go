package graph

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/qr"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// citizenQuery asks all four ministries in one request.
const citizenQuery = `query Citizen($id: ID!) {
  citizen(id: $id) {
    id
    oldId
    identity { name { family middle given } fullName sex birthDate nationality ethnicity }
    residence {
      permanent { detail commune { code name level province { code name } } province { code name level } }
      current { detail commune { code name } }
    }
    vaccination {
      status
      recordedUnder
      recordedIdentity { id fullName sex birthDate }
      doses { recordId number kind date vaccine lot site { code name commune { code name } } }
      certificate { status certificateId issuedAt dosesCovered validUntil }
      reconciliation { personId status mismatched confirmed checkedAt commune { code } recorded { id fullName } }
    }
    insurance { holderId cardCode socialNumber holderName birthDate sex groupCode benefitLevel provinceCode validFrom validTo validToday clinic { code name } fiveYearsSince }
    declarations(first: 1) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage }
      edges { node { id kind submittedAt documentNumber documentKind fullName birthYear sex phone commune { code } address transport symptoms exposures } }
    }
    movements(first: 5) {
      totalCount
      edges { node { id time direction checkpoint { code name } origin { code } destination { code name } vehicle traveller { documentKind } } }
    }
    feedback { totalCount edges { node { id category status text createdAt resolvedAt resolution } } }
  }
}`

func TestCitizenAllMinistriesGolden(t *testing.T) {
	h := newHarness(t)
	// The golden file is the wire format itself: the body as sent, in
	// selection order, only indented.
	status, body := h.rawPost(citizenQuery, map[string]any{"id": mainID})
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	got := append(buf.Bytes(), '\n')
	r := h.post(citizenQuery, map[string]any{"id": mainID})
	r.noErrors(t)
	golden := filepath.Join("testdata", "citizen.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("response differs from %s (run with -update after checking):\n%s", golden, got)
	}
	// The record is held under the old CMND: found through the alternate ID.
	if got := dig(r.Data, "citizen", "vaccination", "recordedUnder"); got != mainOldID {
		t.Errorf("recordedUnder = %v, want the old ID", got)
	}
	if n := h.pop.count("LookupMany"); n != 2 {
		t.Errorf("LookupMany calls = %d, want 2, one per request (identity, residence, oldId and vaccination share one lookup)", n)
	}
}

func TestCitizenByOldID(t *testing.T) {
	h := newHarness(t)
	r := h.post(`query($id: ID!) { citizen(id: $id) { id oldId identity { fullName } insurance { holderId } } }`, map[string]any{"id": mainOldID})
	r.noErrors(t)
	if got := dig(r.Data, "citizen", "id"); got != mainID {
		t.Errorf("id = %v, want the 12-digit ID", got)
	}
	if got := dig(r.Data, "citizen", "insurance", "holderId"); got != mainID {
		t.Errorf("insurance holderId = %v", got)
	}
	if n := h.pop.count("LookupMany"); n != 1 {
		t.Errorf("LookupMany calls = %d, want 1 (the 12-digit key is primed)", n)
	}
}

func TestCitizenNotFound(t *testing.T) {
	h := newHarness(t)
	r := h.post(`{ citizen(id: "001099999999") { id } }`, nil)
	if dig(r.Data, "citizen") != nil {
		t.Errorf("citizen = %v, want null", dig(r.Data, "citizen"))
	}
	if e := r.errorAt(t, "citizen"); e.code() != CodeNotFound {
		t.Errorf("code = %q, want NOT_FOUND", e.code())
	}
}

func TestCitizenByQR(t *testing.T) {
	h := newHarness(t)
	person, _ := h.w.person(mainID)
	issued := domain.Date{Year: 2021, Month: time.March, Day: 1}
	upper := person
	upper.Name = domain.PersonName{Family: "NGUYỄN", Middle: "THỊ", Given: "ĐÀO"}
	wrongBirth := person
	wrongBirth.BirthDate = domain.Date{Year: 1990, Month: time.July, Day: 16}

	tests := []struct {
		name       string
		payload    string
		kind       string
		agrees     any // nil when registryCheck is null
		mismatched string
	}{
		{"chip card", qr.EncodeChipCard(person, issued, false), "CHIP_CARD", true, ""},
		{"chip card 2024, CRLF, capitals", qr.EncodeChipCard(upper, issued, true) + "\r\n", "CHIP_CARD", true, ""},
		{"chip card without old ID", qr.EncodeChipCard(domain.Person{ID: mainID, Name: person.Name, Sex: person.Sex, BirthDate: person.BirthDate, Permanent: person.Permanent}, issued, false), "CHIP_CARD", true, ""},
		{"chip card with wrong birth date", qr.EncodeChipCard(wrongBirth, issued, false), "CHIP_CARD", false, "BIRTH_DATE"},
		{"Decision 1405", qr.EncodePersonal1405(mainID, mainName, person.BirthDate, true, "Q1", nil), "PERSONAL_1405", true, ""},
		{"bare 12-digit ID", mainID + "\r\n", "BARE_ID", nil, ""},
		{"bare CMND", mainOldID, "BARE_ID", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.post(`query($p: String!) { citizenByQR(payload: $p) {
				kind documentNumber oldId fullName birthDate sex onBehalf
				registryCheck { agrees fields { field matches } }
				citizen { id identity { fullName } } } }`, map[string]any{"p": tt.payload})
			r.noErrors(t)
			if got := dig(r.Data, "citizenByQR", "kind"); got != tt.kind {
				t.Errorf("kind = %v, want %s", got, tt.kind)
			}
			if got := dig(r.Data, "citizenByQR", "citizen", "id"); got != mainID {
				t.Errorf("citizen.id = %v", got)
			}
			if got := dig(r.Data, "citizenByQR", "registryCheck", "agrees"); got != tt.agrees {
				t.Errorf("registryCheck.agrees = %v, want %v", got, tt.agrees)
			}
			if tt.mismatched != "" {
				fields, _ := dig(r.Data, "citizenByQR", "registryCheck", "fields").([]any)
				found := false
				for _, f := range fields {
					if dig(f, "field") == tt.mismatched && dig(f, "matches") == false {
						found = true
					}
				}
				if !found {
					t.Errorf("%s not reported as mismatching: %v", tt.mismatched, fields)
				}
			}
		})
	}
}

func TestVerifyIdentity(t *testing.T) {
	tests := []struct {
		name       string
		input      map[string]any
		outcome    string
		mismatched []string
		calls      int
	}{
		{"match", map[string]any{"id": mainID, "fullName": "Nguyễn Thị Đào", "sex": "FEMALE", "birthDate": "1990-07-15"}, "MATCH", nil, 1},
		{"match by CMND, year only", map[string]any{"id": mainOldID, "fullName": "NGUYỄN THỊ ĐÀO", "sex": "FEMALE", "birthDate": "1990"}, "MATCH", nil, 1},
		{"mismatch name and sex", map[string]any{"id": mainID, "fullName": "Nguyễn Thị Dao", "sex": "MALE", "birthDate": "1990-07-15"}, "MISMATCH", []string{"FULL_NAME", "SEX"}, 1},
		{"not found", map[string]any{"id": "001099999999", "fullName": "Lê Văn Tám", "sex": "MALE", "birthDate": "1980-01-01"}, "NOT_FOUND", nil, 1},
		{"foreigner", map[string]any{"id": passportNo, "fullName": "John Smith", "sex": "MALE", "birthDate": "1975-05-05"}, "NOT_APPLICABLE", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.post(`query($in: VerifyIdentityInput!) { verifyIdentity(input: $in) { outcome fields { field matches } } }`, map[string]any{"in": tt.input})
			r.noErrors(t)
			if got := dig(r.Data, "verifyIdentity", "outcome"); got != tt.outcome {
				t.Errorf("outcome = %v, want %s", got, tt.outcome)
			}
			var mismatched []string
			fields, _ := dig(r.Data, "verifyIdentity", "fields").([]any)
			for _, f := range fields {
				if dig(f, "matches") == false {
					mismatched = append(mismatched, dig(f, "field").(string))
				}
			}
			if !equalStrings(mismatched, tt.mismatched) {
				t.Errorf("mismatched = %v, want %v", mismatched, tt.mismatched)
			}
			if n := h.pop.count("Verify"); n != tt.calls {
				t.Errorf("Verify calls = %d, want %d", n, tt.calls)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const arrivalsQuery = `query($c: String, $p: String, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  arrivals(communeCode: $c, provinceCode: $p, from: $from, to: $to, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id traveller { documentNumber documentKind name nationality } origin { code } destination { code name } citizen { id } } }
  }
}`

func arrivalsVars(first int, after string) map[string]any {
	v := map[string]any{"c": mainCommune, "from": testNow.Add(-24 * time.Hour).Format(time.RFC3339), "to": testNow.Add(time.Minute).Format(time.RFC3339), "first": first}
	if after != "" {
		v["after"] = after
	}
	return v
}

func edgeIDs(r response, field string) []string {
	edges, _ := dig(r.Data, field, "edges").([]any)
	out := make([]string, len(edges))
	for i, e := range edges {
		out[i], _ = dig(e, "node", "id").(string)
	}
	return out
}

func TestArrivalsPagination(t *testing.T) {
	h := newHarness(t)
	first := h.post(arrivalsQuery, arrivalsVars(3, ""))
	first.noErrors(t)
	if got := edgeIDs(first, "arrivals"); !equalStrings(got, []string{"AR0", "AR1", "AR2"}) {
		t.Fatalf("page 1 = %v", got)
	}
	if got := dig(first.Data, "arrivals", "totalCount"); got != float64(arrivalsN+1) {
		t.Errorf("totalCount = %v", got)
	}
	if dig(first.Data, "arrivals", "pageInfo", "hasNextPage") != true || dig(first.Data, "arrivals", "pageInfo", "hasPreviousPage") != false {
		t.Errorf("pageInfo = %v", dig(first.Data, "arrivals", "pageInfo"))
	}
	end, _ := dig(first.Data, "arrivals", "pageInfo", "endCursor").(string)
	second := h.post(arrivalsQuery, arrivalsVars(3, end))
	second.noErrors(t)
	if got := edgeIDs(second, "arrivals"); !equalStrings(got, []string{"AR3", "AR4", "AR5"}) {
		t.Fatalf("page 2 = %v", got)
	}
	// Resuming after a middle edge continues right after it.
	mid, _ := dig(first.Data, "arrivals", "edges", 0, "cursor").(string)
	fromMid := h.post(arrivalsQuery, arrivalsVars(2, mid))
	if got := edgeIDs(fromMid, "arrivals"); !equalStrings(got, []string{"AR1", "AR2"}) {
		t.Fatalf("after first edge = %v", got)
	}
	// The last page: the foreigner has a traveller summary and no citizen.
	last := h.post(arrivalsQuery, arrivalsVars(100, encodeUpstreamCursor(upstreamCursor{upstream: "99"})))
	last.noErrors(t)
	if got := edgeIDs(last, "arrivals"); !equalStrings(got, []string{"AR99", "AR-F"}) {
		t.Fatalf("last page = %v", got)
	}
	if dig(last.Data, "arrivals", "pageInfo", "hasNextPage") != false {
		t.Errorf("hasNextPage on the last page")
	}
	foreigner := dig(last.Data, "arrivals", "edges", 1, "node")
	if dig(foreigner, "citizen") != nil || dig(foreigner, "traveller", "documentKind") != "PASSPORT" || dig(foreigner, "traveller", "nationality") != "GB" {
		t.Errorf("foreigner = %v", foreigner)
	}
	if dig(last.Data, "arrivals", "edges", 0, "node", "citizen", "id") != arrivalID(99) {
		t.Errorf("citizen of AR99 = %v", dig(last.Data, "arrivals", "edges", 0, "node", "citizen"))
	}
}

func TestArrivalsByProvince(t *testing.T) {
	h := newHarness(t)
	v := arrivalsVars(5, "")
	delete(v, "c")
	v["p"] = "01"
	r := h.post(arrivalsQuery, v)
	r.noErrors(t)
	if n := len(edgeIDs(r, "arrivals")); n != 5 {
		t.Errorf("edges = %d", n)
	}
	if got := h.chk.keysOf("Arrivals"); !equalStrings(got, []string{"01"}) {
		t.Errorf("Arrivals asked for %v", got)
	}
}

func TestReconciliationAndFeedbackLists(t *testing.T) {
	h := newHarness(t)
	r := h.post(`{
	  reconciliation(communeCode: "00024", status: MATCH) { totalCount edges { cursor node { personId status confirmed commune { name } citizen { id } } } }
	  feedback(communeCode: "00024") { totalCount edges { node { id personId category status commune { code } citizen { id identity { fullName } } } } }
	}`, nil)
	r.noErrors(t)
	if got := dig(r.Data, "reconciliation", "edges", 0, "node", "citizen", "id"); got != mainID {
		t.Errorf("reconciliation citizen = %v (held under the CMND, resolved to the 12-digit ID)", got)
	}
	if got := dig(r.Data, "reconciliation", "edges", 0, "node", "commune", "name"); got != "Xã Hòa Thạch" {
		t.Errorf("commune name = %v", got)
	}
	if got := dig(r.Data, "feedback", "edges", 0, "node", "citizen", "identity", "fullName"); got != mainName {
		t.Errorf("feedback citizen = %v", got)
	}
	if got := dig(r.Data, "feedback", "totalCount"); got != float64(1) {
		t.Errorf("feedback totalCount = %v", got)
	}
	// Both lists' citizens were looked up up front: at most one registry
	// batch each (one when the CMND lookup primed the 12-digit ID first).
	if n := h.pop.count("LookupMany"); n < 1 || n > 2 {
		t.Errorf("LookupMany calls = %d, want 1 or 2", n)
	}
}

func TestEpidemicZones(t *testing.T) {
	h := newHarness(t)
	r := h.post(`{ epidemicZones(adminUnit: "01") { adminUnit { code name level } name level validFrom validUntil } }`, nil)
	r.noErrors(t)
	want := map[string]any{"code": "01", "name": "Hà Nội", "level": "PROVINCE"}
	got, _ := dig(r.Data, "epidemicZones", 0, "adminUnit").(map[string]any)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("adminUnit.%s = %v, want %v", k, got[k], v)
		}
	}
	if dig(r.Data, "epidemicZones", 0, "level") != "MEDIUM" || dig(r.Data, "epidemicZones", 0, "validUntil") != nil {
		t.Errorf("zone = %v", dig(r.Data, "epidemicZones", 0))
	}
}

func TestCoverage(t *testing.T) {
	h := newHarness(t)
	r := h.post(`{ coverage(adminUnit: "01") {
	  adminUnit { code name level } population
	  byDose { doseNumber population count rate }
	  byAgeBand { ageBand { label minAge maxAge } population doses { doseNumber count rate } } } }`, nil)
	r.noErrors(t)
	if got := dig(r.Data, "coverage", "population"); got != float64(6000) {
		t.Errorf("population = %v", got)
	}
	dose1 := dig(r.Data, "coverage", "byDose", 0)
	// 5 bands x 800 + 1200 (capped per band, not in the total count).
	if dig(dose1, "count") != float64(5200) || dig(dose1, "rate") != 5200.0/6000.0 {
		t.Errorf("dose 1 = %v", dose1)
	}
	oldest := dig(r.Data, "coverage", "byAgeBand", 5)
	if dig(oldest, "ageBand", "label") != "65+" || dig(oldest, "ageBand", "maxAge") != nil {
		t.Errorf("oldest band = %v", oldest)
	}
	if dig(oldest, "doses", 0, "rate") != float64(1) {
		t.Errorf("rate above 1 not capped: %v", dig(oldest, "doses", 0))
	}
	if dig(r.Data, "coverage", "adminUnit", "name") != "Hà Nội" {
		t.Errorf("adminUnit = %v", dig(r.Data, "coverage", "adminUnit"))
	}
	if n, m := h.pop.count("PopulationCounts"), h.vac.count("VaccinationCounts"); n != 1 || m != 1 {
		t.Errorf("counts calls = %d population, %d vaccination; want 1 each (shared by the fields)", n, m)
	}
}
