package graph

import (
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

const recordDoseMutation = `mutation($in: RecordDoseInput!) {
  recordDose(input: $in) { verification dose { recordId number kind date vaccine lot site { code commune { code } } } }
}`

func doseVars(personID, name, birth string) map[string]any {
	return map[string]any{"in": map[string]any{
		"personId": personID, "fullName": name, "sex": "FEMALE", "birthDate": birth,
		"doseNumber": 3, "kind": "BOOSTER", "date": "2021-11-15", "vaccine": "PFIZER_BIONTECH", "lot": "PF-77", "siteCode": "HN-0024-01",
	}}
}

func TestRecordDose(t *testing.T) {
	tests := []struct {
		name         string
		vars         map[string]any
		forced       domain.VerifyOutcome
		verifyCalls  int
		recorded     bool
		verification string
		outcome      string   // of IDENTITY_NOT_VERIFIED
		mismatched   []string // of IDENTITY_NOT_VERIFIED
	}{
		{"match", doseVars(mainID, mainName, "1990-07-15"), "", 1, true, "MATCH", "", nil},
		{"match by CMND, decomposed and upper-case name", doseVars(mainOldID, "NGUYỄN THỊ ĐÀO", "1990-07-15"), "", 1, true, "MATCH", "", nil},
		{"name without diacritics is a mismatch", doseVars(mainID, "Nguyen Thi Dao", "1990-07-15"), "", 1, false, "", "MISMATCH", []string{"FULL_NAME"}},
		{"wrong birth date", doseVars(mainID, mainName, "1990-07-16"), "", 1, false, "", "MISMATCH", []string{"BIRTH_DATE"}},
		{"not in the registry", doseVars("001099999999", mainName, "1990-07-15"), "", 1, false, "", "NOT_FOUND", nil},
		{"registry says not applicable", doseVars(mainID, mainName, "1990-07-15"), domain.VerifyNotApplicable, 1, false, "", "NOT_APPLICABLE", nil},
		{"foreigner is exempt", doseVars(passportNo, "John Smith", "1975-05-05"), "", 0, true, "NOT_APPLICABLE", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.pop.verifyOutcome = tt.forced
			r := h.post(recordDoseMutation, tt.vars)
			if n := h.pop.count("Verify"); n != tt.verifyCalls {
				t.Errorf("Verify calls = %d, want %d", n, tt.verifyCalls)
			}
			if got := h.vac.count("RecordDose") == 1; got != tt.recorded {
				t.Fatalf("recorded = %v, want %v (%s)", got, tt.recorded, r.rawErrors)
			}
			if tt.recorded {
				r.noErrors(t)
				// A dose verified by CMND is recorded under the 12-digit ID.
				if keys := h.vac.keysOf("RecordDose"); tt.verification == "MATCH" && (keys[0] != mainID || keys[1] != mainID) {
					t.Errorf("recorded under %v, want the 12-digit ID", keys)
				}
				if got := dig(r.Data, "recordDose", "verification"); got != tt.verification {
					t.Errorf("verification = %v", got)
				}
				if got := dig(r.Data, "recordDose", "dose", "number"); got != float64(3) {
					t.Errorf("dose = %v", dig(r.Data, "recordDose", "dose"))
				}
				return
			}
			if dig(r.Data, "recordDose") != nil {
				t.Errorf("payload on refusal: %v", r.Data)
			}
			e := r.errorAt(t, "recordDose")
			if e.code() != CodeIdentityNotVerified || e.Extensions["outcome"] != tt.outcome {
				t.Errorf("error = %+v", e)
			}
			var mismatched []string
			for _, f := range e.Extensions["mismatchedFields"].([]any) {
				mismatched = append(mismatched, f.(string))
			}
			if !equalStrings(mismatched, tt.mismatched) {
				t.Errorf("mismatchedFields = %v, want %v", mismatched, tt.mismatched)
			}
		})
	}
}

func TestRecordDoseRegistryDown(t *testing.T) {
	h := newHarness(t)
	h.pop.failure.set(upstreamErr(domain.UpstreamPopulation, domain.ErrUnavailable))
	r := h.post(recordDoseMutation, doseVars(mainID, mainName, "1990-07-15"))
	if e := r.errorAt(t, "recordDose"); e.code() != CodeUpstreamUnavailable || e.Extensions["upstream"] != "population" {
		t.Errorf("error = %+v", e)
	}
	if h.vac.count("RecordDose") != 0 {
		t.Error("dose recorded without verification")
	}
}

func TestRecordDosePlatformRejects(t *testing.T) {
	h := newHarness(t)
	h.vac.failure.set(upstreamErr(domain.UpstreamVaccination, domain.ErrRejected))
	r := h.post(recordDoseMutation, doseVars(mainID, mainName, "1990-07-15"))
	if e := r.errorAt(t, "recordDose"); e.code() != CodeUpstreamRejected || e.Extensions["upstream"] != "vaccination" {
		t.Errorf("error = %+v", e)
	}
}

func TestSubmitHealthDeclaration(t *testing.T) {
	h := newHarness(t)
	r := h.post(`mutation($in: HealthDeclarationInput!) { submitHealthDeclaration(input: $in) {
	  declaration { id kind documentNumber documentKind fullName birthYear sex nationality phone commune { code name } address transport symptoms exposures submittedAt } } }`,
		map[string]any{"in": map[string]any{
			"kind": "ENTRY", "documentNumber": " b1234567 ", "fullName": "John  Smith", "birthYear": 1975, "sex": "MALE", "nationality": "gb",
			"phone": "+44 7700 900123", "communeCode": mainCommune, "address": "Khách sạn Hòa Bình", "transport": "VN0054",
			"symptoms": []string{"COUGH", "COUGH", "FEVER"}, "exposures": []string{},
		}})
	r.noErrors(t)
	d := dig(r.Data, "submitHealthDeclaration", "declaration")
	checks := map[string]any{"id": "D-NEW", "documentNumber": passportNo, "documentKind": "PASSPORT", "fullName": "John Smith", "nationality": "GB", "phone": "+447700900123"}
	for k, want := range checks {
		if got := dig(d, k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if syms := dig(d, "symptoms").([]any); len(syms) != 2 {
		t.Errorf("symptoms not deduplicated: %v", syms)
	}
	if h.pop.count("Verify") != 0 {
		t.Error("declarations are not verified against the registry")
	}
}

func TestRecordCheckpointPassage(t *testing.T) {
	h := newHarness(t)
	r := h.post(`mutation($in: CheckpointPassageInput!) { recordCheckpointPassage(input: $in) {
	  passage { id time direction checkpoint { code } origin { code } destination { code } vehicle traveller { documentNumber } citizen { id identity { fullName } } } } }`,
		map[string]any{"in": map[string]any{
			"documentNumber": mainID, "fullName": mainName, "nationality": "VN", "checkpointCode": "CP-HN-01",
			"direction": "IN", "originCommune": "00033", "destinationCommune": mainCommune, "vehicle": "29A-12345",
		}})
	r.noErrors(t)
	p := dig(r.Data, "recordCheckpointPassage", "passage")
	if dig(p, "time") != testNow.Format(time.RFC3339) || dig(p, "citizen", "identity", "fullName") != mainName || dig(p, "origin", "code") != "00033" {
		t.Errorf("passage = %v", p)
	}
}

func TestFeedbackMutations(t *testing.T) {
	h := newHarness(t)
	r := h.post(`mutation { submitFeedback(input: {personId: "001190012345", communeCode: "00024", category: WRONG_IDENTITY, text: "Sai ngày sinh"}) {
	  feedback { id status category text commune { code } } } }`, nil)
	r.noErrors(t)
	if dig(r.Data, "submitFeedback", "feedback", "status") != "OPEN" {
		t.Errorf("submitFeedback = %v", r.Data)
	}
	r = h.post(`mutation { resolveFeedback(id: "F1", resolution: "Đã bổ sung mũi 3") { feedback { id status resolution resolvedBy resolvedAt } } }`, nil)
	r.noErrors(t)
	f := dig(r.Data, "resolveFeedback", "feedback")
	if dig(f, "status") != "RESOLVED" || dig(f, "resolvedBy") != "officer-07" || dig(f, "resolution") != "Đã bổ sung mũi 3" {
		t.Errorf("resolveFeedback = %v", f)
	}
	r = h.post(`mutation { resolveFeedback(id: "F404", resolution: "x") { feedback { id } } }`, nil)
	if e := r.errorAt(t, "resolveFeedback"); e.code() != CodeNotFound || e.Extensions["upstream"] != "vaccination" {
		t.Errorf("unknown feedback: %+v", e)
	}
}
