package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/client"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/principal"
	"github.com/vn-epidemic/hub/qr"
)

func TestValidationErrors(t *testing.T) {
	window := func(from, to time.Time) map[string]any {
		return map[string]any{"c": mainCommune, "from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)}
	}
	arrivals := `query($c: String, $p: String, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
	  arrivals(communeCode: $c, provinceCode: $p, from: $from, to: $to, first: $first, after: $after) { totalCount } }`
	verify := `query($in: VerifyIdentityInput!) { verifyIdentity(input: $in) { outcome } }`
	goodIdentity := func(mut func(map[string]any)) map[string]any {
		in := map[string]any{"id": mainID, "fullName": mainName, "sex": "FEMALE", "birthDate": "1990-07-15"}
		mut(in)
		return map[string]any{"in": in}
	}
	withVars := func(v map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			v[kv[i].(string)] = kv[i+1]
		}
		return v
	}
	recordDose := `mutation($in: RecordDoseInput!) { recordDose(input: $in) { dose { recordId } } }`
	doseInput := func(k string, v any) map[string]any {
		in := map[string]any{"personId": mainID, "fullName": mainName, "sex": "FEMALE", "birthDate": "1990-07-15",
			"doseNumber": 3, "kind": "BOOSTER", "date": "2021-11-15", "vaccine": "PFIZER_BIONTECH", "lot": "PF-77", "siteCode": "HN-0024-01"}
		in[k] = v
		return map[string]any{"in": in}
	}
	declaration := `mutation($in: HealthDeclarationInput!) { submitHealthDeclaration(input: $in) { declaration { id } } }`
	declInput := func(k string, v any) map[string]any {
		in := map[string]any{"kind": "DOMESTIC_TRAVEL", "documentNumber": mainID, "fullName": mainName, "birthYear": 1990, "sex": "FEMALE",
			"nationality": "VN", "phone": "0912345678", "communeCode": mainCommune, "address": "Số 12", "symptoms": []string{"COUGH"}}
		in[k] = v
		return map[string]any{"in": in}
	}
	later := testNow.Add(-time.Hour)

	tests := []struct {
		name  string
		query string
		vars  map[string]any
		field string
	}{
		{"ID too short", `query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": "12345"}, "id"},
		{"ID with letters", `query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": "00119001234X"}, "id"},
		{"12 digits not starting with 0", `query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": "101190012345"}, "id"},
		{"passport is not a citizen ID", `query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": passportNo}, "id"},
		{"unknown commune", arrivals, withVars(window(later, testNow), "c", "99999"), "communeCode"},
		{"malformed commune", arrivals, withVars(window(later, testNow), "c", "0024"), "communeCode"},
		{"unknown province", arrivals, withVars(window(later, testNow), "c", nil, "p", "03"), "provinceCode"},
		{"both units", arrivals, withVars(window(later, testNow), "p", "01"), "provinceCode"},
		{"no unit", arrivals, withVars(window(later, testNow), "c", nil), "provinceCode"},
		{"window over 31 days", arrivals, window(testNow.Add(-32*24*time.Hour), testNow), "to"},
		{"from equals to", arrivals, window(testNow, testNow), "to"},
		{"from after to", arrivals, window(testNow, later), "to"},
		{"first over 100", arrivals, withVars(window(later, testNow), "first", 101), "first"},
		{"first zero", arrivals, withVars(window(later, testNow), "first", 0), "first"},
		{"bad cursor", arrivals, withVars(window(later, testNow), "after", "not-a-cursor"), "after"},
		{"offset cursor on upstream list", arrivals, withVars(window(later, testNow), "after", encodeOffsetCursor(3)), "after"},
		{"DateTime without offset", arrivals, map[string]any{"c": mainCommune, "from": "2021-11-14T09:00:00", "to": testNow.Format(time.RFC3339)}, "from"},
		{"DateTime not a date", arrivals, map[string]any{"c": mainCommune, "from": "yesterday", "to": testNow.Format(time.RFC3339)}, "from"},
		{"bad QR", `query($p: String!) { citizenByQR(payload: $p) { kind } }`, map[string]any{"p": "hello|world"}, "payload"},
		{"QR too long", `query($p: String!) { citizenByQR(payload: $p) { kind } }`, map[string]any{"p": strings.Repeat("1", qr.MaxPayloadBytes+1)}, "payload"},
		{"insurance QR does not identify", `query($p: String!) { citizenByQR(payload: $p) { kind } }`,
			map[string]any{"p": qr.EncodeInsuranceCard(newWorld().cards[mainID], "Hà Nội")}, "payload"},
		{"impossible birth date", verify, goodIdentity(func(m map[string]any) { m["birthDate"] = "1990-02-30" }), "input.birthDate"},
		{"birth date in the future", verify, goodIdentity(func(m map[string]any) { m["birthDate"] = "2030-01-01" }), "input.birthDate"},
		{"sex unknown", verify, goodIdentity(func(m map[string]any) { m["sex"] = "UNKNOWN" }), "input.sex"},
		{"empty name", verify, goodIdentity(func(m map[string]any) { m["fullName"] = "  " }), "input.fullName"},
		{"name with digits", verify, goodIdentity(func(m map[string]any) { m["fullName"] = "Nguyễn 4" }), "input.fullName"},
		{"bad verify ID", verify, goodIdentity(func(m map[string]any) { m["id"] = "12-34" }), "input.id"},
		{"reconciliation commune", `{ reconciliation(communeCode: "00000") { totalCount } }`, nil, "communeCode"},
		{"feedback commune", `{ feedback(communeCode: "abc") { totalCount } }`, nil, "communeCode"},
		{"coverage unit", `{ coverage(adminUnit: "123") { population } }`, nil, "adminUnit"},
		{"zones unit", `{ epidemicZones(adminUnit: "77") { name } }`, nil, "adminUnit"},
		{"dose in the future", recordDose, doseInput("date", "2021-11-16"), "input.date"},
		{"dose date year only", recordDose, doseInput("date", "2021"), "input.date"},
		{"dose number", recordDose, doseInput("doseNumber", 11), "input.doseNumber"},
		{"dose lot", recordDose, doseInput("lot", "PF 77"), "input.lot"},
		{"dose person", recordDose, doseInput("personId", "x"), "input.personId"},
		{"declaration phone", declaration, declInput("phone", "12ab"), "input.phone"},
		{"declaration commune", declaration, declInput("communeCode", "99999"), "input.communeCode"},
		{"declaration birth year", declaration, declInput("birthYear", 2022), "input.birthYear"},
		{"declaration nationality", declaration, declInput("nationality", "Vietnam"), "input.nationality"},
		{"passage in the future", `mutation($in: CheckpointPassageInput!) { recordCheckpointPassage(input: $in) { passage { id } } }`,
			map[string]any{"in": map[string]any{"documentNumber": mainID, "fullName": mainName, "nationality": "VN", "checkpointCode": "CP-1",
				"direction": "IN", "destinationCommune": mainCommune, "time": testNow.Add(time.Hour).Format(time.RFC3339)}}, "input.time"},
		{"feedback text", `mutation { submitFeedback(input: {personId: "001190012345", communeCode: "00024", category: OTHER, text: ""}) { feedback { id } } }`, nil, "input.text"},
		{"citizen declarations first", `query($id: ID!) { citizen(id: $id) { declarations(first: 500) { totalCount } } }`, map[string]any{"id": mainID}, "first"},
		{"citizen movements cursor", `query($id: ID!) { citizen(id: $id) { movements(after: "@@") { totalCount } } }`, map[string]any{"id": mainID}, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.post(tt.query, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %s", r.rawErrors)
			}
			e := r.Errors[0]
			if e.code() != CodeBadUserInput {
				t.Errorf("code = %q, want BAD_USER_INPUT (%s)", e.code(), r.rawErrors)
			}
			if f, _ := e.Extensions["field"].(string); f != tt.field {
				t.Errorf("field = %q, want %q (%s)", f, tt.field, e.Message)
			}
			// Bad input changes nothing and asks nobody, except the citizen
			// edges that legitimately load the registry entry first.
			if !strings.HasPrefix(tt.name, "citizen ") && h.upstreamCalls() != 0 {
				t.Errorf("%d upstream calls for invalid input", h.upstreamCalls())
			}
		})
	}
}

func TestUpstreamErrorCodes(t *testing.T) {
	tests := []struct {
		kind  error
		code  string
		retry any
	}{
		{domain.ErrNotFound, CodeNotFound, nil},
		{domain.ErrUnavailable, CodeUpstreamUnavailable, nil},
		{domain.ErrTimeout, CodeUpstreamTimeout, nil},
		{domain.ErrRejected, CodeUpstreamRejected, nil},
		{domain.ErrBadUpstreamData, CodeUpstreamBadData, nil},
		{domain.ErrRateLimited, CodeUpstreamRateLimited, float64(30)},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			h := newHarness(t)
			err := upstreamErr(domain.UpstreamVaccination, tt.kind)
			if tt.retry != nil {
				err.RetryAfter = 29500 * time.Millisecond
			}
			h.vac.failure.set(fmt.Errorf("wrapped: %w", err))
			r := h.post(`{ reconciliation(communeCode: "00024") { totalCount } }`, nil)
			e := r.errorAt(t, "reconciliation")
			if e.code() != tt.code || e.Extensions["upstream"] != "vaccination" || e.Extensions["retryAfterSeconds"] != tt.retry {
				t.Errorf("error = %+v", e)
			}
			if strings.Contains(e.Message, "HTTP 503") || strings.Contains(e.Message, "wrapped") {
				t.Errorf("message leaks internals: %q", e.Message)
			}
		})
	}
}

func TestHubErrorCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"unknown error", errors.New("db said: row for " + mainID + " " + mainName + " broken"), CodeInternal},
		{"forbidden", fmt.Errorf("policy: %w", ErrForbidden), CodeForbidden},
		{"unauthenticated", ErrUnauthenticated, CodeUnauthenticated},
		{"rate limited", &RateLimitedError{RetryAfter: 2 * time.Second}, CodeRateLimited},
		{"deadline", context.DeadlineExceeded, CodeUpstreamTimeout},
		{"bare sentinel", domain.ErrUnavailable, CodeUpstreamUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.chk.failure.set(tt.err)
			r := h.post(`{ epidemicZones { name } }`, nil)
			e := r.errorAt(t, "epidemicZones")
			if e.code() != tt.code {
				t.Errorf("code = %q, want %q (%s)", e.code(), tt.code, r.rawErrors)
			}
			if tt.code == CodeInternal && e.Message != "internal server error" {
				t.Errorf("internal error message = %q, want the generic one", e.Message)
			}
			if tt.code == CodeRateLimited && e.Extensions["retryAfterSeconds"] != float64(2) {
				t.Errorf("retryAfterSeconds = %v", e.Extensions["retryAfterSeconds"])
			}
		})
	}
}

func TestUnauthenticatedActor(t *testing.T) {
	h := newHarness(t).as(&principal.Principal{Roles: []string{"tester"}, Purpose: "epidemic_control"}) // no subject
	r := h.post(`mutation { resolveFeedback(id: "F1", resolution: "Đã bổ sung mũi 3") { feedback { id } } }`, nil)
	if e := r.errorAt(t, "resolveFeedback"); e.code() != CodeUnauthenticated {
		t.Errorf("code = %q", e.code())
	}
	if h.vac.count("ResolveFeedback") != 0 {
		t.Error("resolved without an actor")
	}
}

// One ministry down: only its fields are null, with a path-scoped error
// naming it; everything else is in the same answer.
func TestPartialData(t *testing.T) {
	const q = `query($id: ID!) { citizen(id: $id) {
	  id oldId identity { fullName } residence { permanent { detail } }
	  vaccination { status doses { number } }
	  insurance { holderId }
	  declarations { totalCount } movements { totalCount }
	} }`
	id := arrivalID(7) // a record under the 12-digit ID: found without the registry
	tests := []struct {
		upstream string
		fail     func(h *harness, err error)
		nulls    []string
	}{
		{domain.UpstreamPopulation, func(h *harness, err error) { h.pop.failure.set(err) }, []string{"oldId", "identity", "residence"}},
		{domain.UpstreamVaccination, func(h *harness, err error) { h.vac.failure.set(err) }, []string{"vaccination"}},
		{domain.UpstreamInsurance, func(h *harness, err error) { h.ins.failure.set(err) }, []string{"insurance"}},
		{domain.UpstreamCheckpoint, func(h *harness, err error) { h.chk.failure.set(err) }, []string{"declarations", "movements"}},
	}
	all := []string{"oldId", "identity", "residence", "vaccination", "insurance", "declarations", "movements"}
	for _, tt := range tests {
		t.Run(tt.upstream+" down", func(t *testing.T) {
			h := newHarness(t)
			tt.fail(h, upstreamErr(tt.upstream, domain.ErrUnavailable))
			r := h.post(q, map[string]any{"id": id})
			if dig(r.Data, "citizen", "id") != id {
				t.Fatalf("citizen missing: data=%v errors=%s", r.Data, r.rawErrors)
			}
			if len(r.Errors) != len(tt.nulls) {
				t.Errorf("errors = %s, want %d", r.rawErrors, len(tt.nulls))
			}
			for _, f := range all {
				isNull := dig(r.Data, "citizen", f) == nil
				shouldBeNull := containsString(tt.nulls, f)
				if f == "oldId" && !shouldBeNull {
					continue // null is also the right answer for "never issued"
				}
				if isNull != shouldBeNull {
					t.Errorf("%s null = %v, want %v", f, isNull, shouldBeNull)
				}
				if shouldBeNull {
					e := r.errorAt(t, "citizen."+f)
					if e.code() != CodeUpstreamUnavailable || e.Extensions["upstream"] != tt.upstream {
						t.Errorf("error at %s = %+v", f, e)
					}
				}
			}
		})
	}
}

// With the registry down, a citizen looked up by CMND cannot be resolved.
func TestPartialDataOldIDNeedsRegistry(t *testing.T) {
	h := newHarness(t)
	h.pop.failure.set(upstreamErr(domain.UpstreamPopulation, domain.ErrTimeout))
	r := h.post(`query($id: ID!) { citizen(id: $id) { id } }`, map[string]any{"id": mainOldID})
	if e := r.errorAt(t, "citizen"); e.code() != CodeUpstreamTimeout || e.Extensions["upstream"] != "population" {
		t.Errorf("error = %+v", e)
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestPanicIsInternalWithoutDetail(t *testing.T) {
	tests := []struct {
		name  string
		query string
		path  string
		setup func(h *harness)
	}{
		{"resolver", `{ epidemicZones { name } }`, "epidemicZones", func(h *harness) { h.chk.failure.panicOn = "EpidemicZones" }},
		{"batch function", `{ citizen(id: "001190012345") { id identity { fullName } } }`, "citizen.identity", func(h *harness) { h.pop.failure.panicOn = "LookupMany" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHarness(t)
			tt.setup(h)
			h.srv = h.authed(NewServer(h.res, ServerOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
			h.c = newClient(h.srv)
			r := h.post(tt.query, nil)
			e := r.errorAt(t, tt.path)
			if e.code() != CodeInternal || e.Message != "internal server error" {
				t.Errorf("error = %+v", e)
			}
			if strings.Contains(r.rawErrors, "boom") || strings.Contains(r.rawErrors, "panic") || strings.Contains(r.rawErrors, "goroutine") {
				t.Errorf("panic detail in response: %s", r.rawErrors)
			}
			for _, pd := range h.personalData() {
				if strings.Contains(logs.String(), pd) {
					t.Errorf("personal data in logs: %s", logs.String())
				}
			}
			if strings.Contains(logs.String(), "boom") {
				t.Errorf("panic value logged: %s", logs.String())
			}
		})
	}
}

func TestGETTransport(t *testing.T) {
	h := newHarness(t)
	get := func(query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
		req.Header.Set(CSRFHeader, "1")
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		return rec
	}
	q := get(`{ citizen(id: "001190012345") { id } }`)
	if q.Code != http.StatusOK || !strings.Contains(q.Body.String(), mainID) {
		t.Errorf("GET query: %d %s", q.Code, q.Body.String())
	}
	m := get(`mutation { submitFeedback(input: {personId: "001190012345", communeCode: "00024", category: OTHER, text: "sai tên"}) { feedback { id } } }`)
	if m.Code == http.StatusOK || h.vac.count("CreateFeedback") != 0 {
		t.Errorf("GET mutation accepted: %d %s", m.Code, m.Body.String())
	}
}

func TestProtocolErrorCodes(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		query, code string
	}{
		{`{ citizen(id: "1") { id `, CodeParseFailed},
		{`{ citizen(id: "001190012345") { shoeSize } }`, CodeValidationFailed},
		{`{ citizen { id } }`, CodeValidationFailed},
	}
	for _, tt := range tests {
		_, body := h.rawPost(tt.query, nil)
		var resp struct {
			Errors []gqlError `json:"errors"`
		}
		if err := json.Unmarshal(body, &resp); err != nil || len(resp.Errors) == 0 {
			t.Fatalf("%s: %s", tt.query, body)
		}
		if got := resp.Errors[0].code(); got != tt.code {
			t.Errorf("%s: code = %q, want %q", tt.query, got, tt.code)
		}
	}
}

func TestComplexityLimitIsValidationFailure(t *testing.T) {
	h := newHarness(t)
	h.srv = h.authed(NewServer(h.res, ServerOptions{ComplexityLimit: 3}))
	_, body := h.rawPost(`{ citizen(id: "001190012345") { id oldId identity { fullName sex } } }`, nil)
	if !strings.Contains(string(body), CodeValidationFailed) || h.upstreamCalls() != 0 {
		t.Errorf("complexity: %s", body)
	}
}

func TestIntrospectionOption(t *testing.T) {
	h := newHarness(t)
	const q = `{ __schema { queryType { description } } }`
	_, on := h.rawPost(q, nil)
	for _, code := range []string{CodeBadUserInput, CodeIdentityNotVerified, CodeUpstreamRateLimited, CodeValidationFailed} {
		if !strings.Contains(string(on), code) {
			t.Errorf("Query's description does not document %s", code)
		}
	}
	h.srv = h.authed(NewServer(h.res, ServerOptions{}))
	_, off := h.rawPost(q, nil)
	if !strings.Contains(string(off), "introspection disabled") && !strings.Contains(string(off), CodeValidationFailed) {
		t.Errorf("introspection not refused: %s", off)
	}
}

func TestUnreadableBody(t *testing.T) {
	h := newHarness(t)
	body := `{"query": "{ citizen(id: \"001190012345\") { id } }", "variables": {"name": "Nguyễn Thị Đào"` // truncated JSON
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), CodeParseFailed) {
		t.Errorf("status %d: %s", rec.Code, rec.Body.String())
	}
	for _, pd := range []string{mainID, mainName} {
		if strings.Contains(rec.Body.String(), pd) {
			t.Errorf("body echoed in the error: %s", rec.Body.String())
		}
	}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	h := newHarness(t)
	h.srv = h.authed(NewServer(h.res, ServerOptions{APQCacheSize: 10}))
	const q = `{ epidemicZones { name } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	send := func(query string) string {
		b, _ := json.Marshal(map[string]any{"query": query, "extensions": ext})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	if got := send(""); !strings.Contains(got, "PERSISTED_QUERY_NOT_FOUND") {
		t.Errorf("unknown hash: %s", got)
	}
	if got := send(q); !strings.Contains(got, "Hà Nội") {
		t.Errorf("registering: %s", got)
	}
	if got := send(""); !strings.Contains(got, "Hà Nội") {
		t.Errorf("by hash: %s", got)
	}
}

// Parse and validation errors keep their code and position but never echo
// values from the document or the variables.
func TestProtocolErrorsDoNotEchoValues(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		query string
		vars  map[string]any
		code  string
	}{
		{`{ citizen(id: "001190012345") { id } "Nguyễn Thị Đào" }`, nil, CodeParseFailed},
		{`{ verifyIdentity(input: {id: "001190012345", fullName: 12, sex: FEMALE, birthDate: "1990"}) { outcome } }`, nil, CodeValidationFailed},
		{`{ verifyIdentity(input: {id: "001190012345", fullName: "Nguyễn Thị Đào", sex: NU, birthDate: "1990"}) { outcome } }`, nil, CodeValidationFailed},
		{`query($s: Sex!) { verifyIdentity(input: {id: "001190012345", fullName: "x", sex: $s, birthDate: "1990"}) { outcome } }`,
			map[string]any{"s": "Nguyễn Thị Đào"}, CodeValidationFailed},
		{`query($n: Int) { arrivals(communeCode: "00024", from: "2021-11-01T00:00:00Z", to: "2021-11-02T00:00:00Z", first: $n) { totalCount } }`,
			map[string]any{"n": "001190012345"}, CodeBadUserInput}, // gqlgen reads Int from a numeric string
	}
	for _, tt := range tests {
		_, body := h.rawPost(tt.query, tt.vars)
		var resp struct {
			Errors []gqlError `json:"errors"`
		}
		if err := json.Unmarshal(body, &resp); err != nil || len(resp.Errors) == 0 {
			t.Fatalf("%s: %s", tt.query, body)
		}
		for _, e := range resp.Errors {
			if e.code() != tt.code {
				t.Errorf("%s: code = %q, want %q", tt.query, e.code(), tt.code)
			}
			for _, pd := range []string{mainID, "Nguyễn", "Thị Đào"} {
				if strings.Contains(e.Message, pd) {
					t.Errorf("message echoes %q: %s", pd, e.Message)
				}
			}
		}
	}
}

// gqlgen's "operation X not found" would repeat the client's operationName,
// which a client may well have built from a citizen's ID.
func TestUnknownOperationNameIsNotEchoed(t *testing.T) {
	h := newHarness(t)
	// The refusal is HTTP 422, which gqlgen's client reports as an error with the body.
	_, err := h.c.RawPost(`query Lookup { __typename }`, client.Operation("Lookup_001190012345"))
	if err == nil || !strings.Contains(err.Error(), CodeValidationFailed) || strings.Contains(err.Error(), "001190012345") {
		t.Fatalf("got %v", err)
	}
}
