package graph

import (
	"net/http"
	"testing"

	"github.com/vn-epidemic/hub/principal"
)

func officer(role, purpose string, loc principal.Locality) *principal.Principal {
	return &principal.Principal{Subject: "officer-" + role, Roles: []string{role}, Purpose: purpose, Locality: loc}
}

func communes(c ...string) principal.Locality  { return principal.Locality{Communes: c} }
func provinces(p ...string) principal.Locality { return principal.Locality{Provinces: p} }

// forbiddenAt asserts null plus FORBIDDEN with the public reason at path.
func forbiddenAt(t *testing.T, r response, path, reason string) {
	t.Helper()
	e := r.errorAt(t, path)
	if e.code() != CodeForbidden || e.Extensions[extReason] != reason {
		t.Errorf("at %s: %s reason %v, want FORBIDDEN %s", path, e.code(), e.Extensions[extReason], reason)
	}
}

// Broken object level authorization: every way to reach a person or a list
// outside the caller's locality is refused, lists before any upstream call.
func TestBOLA(t *testing.T) {
	other := outsideCommune(t)
	window := windowVars()
	const citizenQ = `query($id: ID!) { citizen(id: $id) { id identity { fullName } } }`
	tests := []struct {
		name     string
		caller   *principal.Principal
		query    string
		vars     map[string]any
		path     string // where FORBIDDEN must be
		reason   string
		noCallOp string // an upstream operation that must not have been called
	}{
		// Đào's registry residence is commune 00033 (province 01).
		{"another commune's citizen by ID", officer("commune_official", "epidemic_control", communes(mainCommune)),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonLocality, "Records"},
		{"another commune's citizen by CMND", officer("commune_official", "epidemic_control", communes(mainCommune)),
			citizenQ, map[string]any{"id": mainOldID}, "citizen", ReasonLocality, "Records"},
		{"another province's citizen", officer("provincial_official", "epidemic_control", provinces("79")),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonLocality, "Records"},
		{"citizenByQR of another commune's citizen", officer("commune_official", "epidemic_control", communes(mainCommune)),
			`{ citizenByQR(payload: "001190012345") { citizen { id } } }`, nil, "citizenByQR.citizen", ReasonLocality, "Records"},
		{"self-service reading another citizen", &principal.Principal{Subject: "u1", Roles: []string{"citizen"}, Purpose: "self_service", CitizenID: arrivalID(3)},
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonLocality, "LookupMany"},
		{"arrivals of another commune", officer("commune_official", "epidemic_control", communes(mainCommune)),
			`query($from: DateTime!, $to: DateTime!) { arrivals(communeCode: "` + other + `", from: $from, to: $to) { totalCount } }`, window, "arrivals", ReasonLocality, "Arrivals"},
		{"arrivals of the commune's province", officer("commune_official", "epidemic_control", communes(mainCommune)),
			`query($from: DateTime!, $to: DateTime!) { arrivals(provinceCode: "01", from: $from, to: $to) { totalCount } }`, window, "arrivals", ReasonLocality, "Arrivals"},
		{"arrivals of another province", officer("provincial_official", "contact_tracing", provinces("79")),
			`query($from: DateTime!, $to: DateTime!) { arrivals(provinceCode: "01", from: $from, to: $to) { totalCount } }`, window, "arrivals", ReasonLocality, "Arrivals"},
		{"reconciliation of another commune", officer("commune_official", "data_reconciliation", communes(mainCommune)),
			`{ reconciliation(communeCode: "` + other + `") { totalCount } }`, nil, "reconciliation", ReasonLocality, "ReconciliationList"},
		{"feedback of another commune", officer("commune_official", "data_reconciliation", communes("00033")),
			`{ feedback(communeCode: "` + mainCommune + `") { totalCount } }`, nil, "feedback", ReasonLocality, "ListFeedback"},
		{"a list for the wrong purpose", officer("commune_official", "epidemic_control", communes(mainCommune)),
			`{ reconciliation(communeCode: "` + mainCommune + `") { totalCount } }`, nil, "reconciliation", ReasonOperation, "ReconciliationList"},
		{"no purpose: no personal data", officer("health_official", "", principal.Locality{}),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonPurpose, "LookupMany"},
		{"a purpose the role may not use", officer("health_official", "covid_treatment", principal.Locality{}),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonPurpose, "LookupMany"},
		{"an analyst reads no citizen", officer("ministry_analyst", "epidemic_control", principal.Locality{}),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonOperation, "LookupMany"},
		{"an admin reads no citizen", officer("admin", "epidemic_control", principal.Locality{}),
			citizenQ, map[string]any{"id": mainID}, "citizen", ReasonOperation, "LookupMany"},
		{"insurance is not the commune's business", officer("commune_official", "epidemic_control", communes("00033")),
			`query($id: ID!) { citizen(id: $id) { insurance { holderId } } }`, map[string]any{"id": mainID}, "citizen.insurance", ReasonClass, "Cards"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newPolicyHarness(t, nil).as(tt.caller)
			r := h.post(tt.query, tt.vars)
			forbiddenAt(t, r, tt.path, tt.reason)
			if dig(r.Data, pathSteps(tt.path)...) != nil {
				t.Errorf("%s is not null", tt.path)
			}
			if n := h.pop.count(tt.noCallOp) + h.vac.count(tt.noCallOp) + h.ins.count(tt.noCallOp) + h.chk.count(tt.noCallOp); n != 0 {
				t.Errorf("%s called %d times", tt.noCallOp, n)
			}
		})
	}
}

func pathSteps(p string) []any {
	var out []any
	for _, s := range splitDots(p) {
		out = append(out, s)
	}
	return out
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Nested edges: a commune official sees the arrivals into their commune, but
// not the travellers who live elsewhere, and nothing is asked about them.
func TestBOLANestedArrivals(t *testing.T) {
	h := newPolicyHarness(t, nil).as(officer("commune_official", "epidemic_control", communes(mainCommune)))
	r := h.post(arrivalsWithCitizens, windowVars())
	edges, _ := dig(r.Data, "arrivals", "edges").([]any)
	if len(edges) != arrivalsN {
		t.Fatalf("%d arrivals, want %d: %s", len(edges), arrivalsN, r.rawErrors)
	}
	for i := range edges {
		if dig(edges, i, "node", "id") == nil {
			t.Fatalf("arrival %d: the passage itself must be visible", i)
		}
	}
	forbiddenAt(t, r, "arrivals.edges.0.node.citizen", ReasonLocality)
	if dig(edges, 0, "node", "citizen") != nil {
		t.Error("a traveller living in another commune is visible")
	}
	for _, op := range []string{"Records", "Certificates"} {
		if n := h.vac.count(op); n != 0 {
			t.Errorf("vaccination %s called %d times for people the caller may not see", op, n)
		}
	}
	if n := h.ins.count("Cards"); n != 0 {
		t.Errorf("insurance called %d times for people the caller may not see", n)
	}

	// Their own commune's official (where the travellers live) sees them.
	h = newPolicyHarness(t, nil).as(officer("commune_official", "epidemic_control", communes("00033")))
	r = h.post(`query($from: DateTime!, $to: DateTime!) { arrivals(communeCode: "00033", from: $from, to: $to) { totalCount } }`, windowVars())
	r.noErrors(t)
}

func TestUnauthenticated(t *testing.T) {
	h := newPolicyHarness(t, nil).as(nil)
	r := h.post(`{ epidemicZones { name } }`, nil)
	if e := r.errorAt(t, "epidemicZones"); e.code() != CodeUnauthenticated {
		t.Errorf("code = %s", e.code())
	}
	if h.upstreamCalls() != 0 {
		t.Error("an upstream was called without a principal")
	}
}

func TestNewResolverRequiresPolicy(t *testing.T) {
	w := newWorld()
	_, err := NewResolver(testConfig(), Sources{Population: &fakePopulation{w: w}, Vaccination: &fakeVaccination{w: w},
		Insurance: &fakeInsurance{w: w}, Checkpoint: &fakeCheckpoint{w: w}}, testDirectory(t))
	if err == nil {
		t.Fatal("NewResolver accepted a nil Policy")
	}
}

// Mutations are authorised like queries: by operation, then by locality.
func TestMutationAccess(t *testing.T) {
	const resolve = `mutation { resolveFeedback(id: "F1", resolution: "Đã bổ sung mũi 3") { feedback { status resolvedBy } } }`
	feedback := func(person string) string {
		return `mutation { submitFeedback(input: {personId: "` + person + `", communeCode: "00024", category: OTHER, text: "sai tên"}) { feedback { id text } } }`
	}
	passage := map[string]any{"in": map[string]any{"documentNumber": mainID, "fullName": mainName, "nationality": "VN", "checkpointCode": "CP-1",
		"direction": "IN", "destinationCommune": mainCommune}}
	self := &principal.Principal{Subject: "u1", Roles: []string{"citizen"}, Purpose: "self_service", CitizenID: mainID}
	tests := []struct {
		name   string
		caller *principal.Principal
		query  string
		vars   map[string]any
		root   string
		reason string // "" allowed
		write  string // the upstream write operation
	}{
		{"site records a dose", officer("vaccination_site", "vaccination", communes(mainCommune)), recordDoseMutation, doseVars(mainID, mainName, "1990-07-15"), "recordDose", "", "RecordDose"},
		{"commune may not record a dose", officer("commune_official", "epidemic_control", communes("00033")), recordDoseMutation, doseVars(mainID, mainName, "1990-07-15"), "recordDose", ReasonOperation, "RecordDose"},
		{"checkpoint records a passage", officer("police_checkpoint", "epidemic_control", provinces("01")),
			`mutation($in: CheckpointPassageInput!) { recordCheckpointPassage(input: $in) { passage { id traveller { name } } } }`, passage, "recordCheckpointPassage", "", "RecordPassage"},
		{"commune may not record a passage", officer("commune_official", "epidemic_control", communes(mainCommune)),
			`mutation($in: CheckpointPassageInput!) { recordCheckpointPassage(input: $in) { passage { id } } }`, passage, "recordCheckpointPassage", ReasonOperation, "RecordPassage"},
		{"commune resolves its own feedback", officer("commune_official", "data_reconciliation", communes(mainCommune)), resolve, nil, "resolveFeedback", "", "ResolveFeedback"},
		{"commune may not resolve another commune's feedback", officer("commune_official", "data_reconciliation", communes("00033")), resolve, nil, "resolveFeedback", ReasonLocality, "ResolveFeedback"},
		{"province may not resolve feedback", officer("provincial_official", "data_reconciliation", provinces("01")), resolve, nil, "resolveFeedback", ReasonOperation, "ResolveFeedback"},
		{"citizen files feedback about themselves", self, feedback(mainID), nil, "submitFeedback", "", "CreateFeedback"},
		{"citizen may not file feedback about someone else", self, feedback(arrivalID(1)), nil, "submitFeedback", ReasonLocality, "CreateFeedback"},
		{"citizen may not resolve feedback", self, resolve, nil, "resolveFeedback", ReasonOperation, "ResolveFeedback"},
		{"no purpose, no write", officer("vaccination_site", "", principal.Locality{}), recordDoseMutation, doseVars(mainID, mainName, "1990-07-15"), "recordDose", ReasonPurpose, "RecordDose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newPolicyHarness(t, nil).as(tt.caller)
			r := h.post(tt.query, tt.vars)
			n := h.vac.count(tt.write) + h.chk.count(tt.write)
			if tt.reason != "" {
				forbiddenAt(t, r, tt.root, tt.reason)
				if n != 0 {
					t.Errorf("%s called despite the refusal", tt.write)
				}
				return
			}
			r.noErrors(t)
			if n != 1 {
				t.Errorf("%s called %d times", tt.write, n)
			}
			if tt.root == "resolveFeedback" && dig(r.Data, "resolveFeedback", "feedback", "resolvedBy") != tt.caller.Subject {
				t.Errorf("resolvedBy = %v, want the principal's subject", dig(r.Data, "resolveFeedback", "feedback", "resolvedBy"))
			}
		})
	}
}

// BenchmarkCitizenQueryWithPolicy is BenchmarkCitizenQuery under the default
// policy with a national health official (insurance shown, contact masked):
// the cost of the access decisions per request.
func BenchmarkCitizenQueryWithPolicy(b *testing.B) {
	h := newPolicyHarness(b, nil).as(officer("health_official", "epidemic_control", principal.Locality{}))
	vars := map[string]any{"id": mainID}
	b.ReportAllocs()
	for b.Loop() {
		if status, body := h.rawPost(citizenQuery, vars); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}
