package vaccination

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// TestWireGolden pins every response shape of the platform. Run with
// -update to rewrite testdata/*.golden.json after an intended change.
func TestWireGolden(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	commune := busiestCommune(t)
	oldIDHolder := p.At(findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && p.At(i).OldID != "" && v.Record.PersonID == p.At(i).OldID
	}))
	mismatch := p.At(findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && v.Reconciliation.Status == "MISMATCH" && v.Record.PersonID == p.At(i).ID
	}))
	issued := p.At(findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && v.Certificate.Status == "ISSUED" && v.Record.PersonID == p.At(i).ID
	}))
	batch := batchPeople{People: []personRef{
		{PersonID: oldIDHolder.ID, AlternateIDs: []string{oldIDHolder.OldID}},
		{PersonID: mismatch.ID},
		{PersonID: issued.ID},
		{PersonID: "096999999999"},
	}}
	seq := 0
	get := func(name, method, path string, body any, status int, headers ...string) response {
		t.Helper()
		seq++
		r := e.call(t, method, path, body, append([]string{"X-Request-Id", fmt.Sprintf("golden-%02d", seq)}, headers...)...)
		if r.status != status {
			t.Fatalf("%s: status %d, want %d: %s", name, r.status, status, r.body)
		}
		golden(t, name, r.body)
		return r
	}

	t.Run("token", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
		golden(t, "token", doRaw(t, req))
		req, _ = http.NewRequest(http.MethodPost, e.http.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DefaultClientID, "wrong")
		golden(t, "token_invalid_client", doRaw(t, req))
	})
	get("vaccinations_batch", "POST", "/api/v1/vaccinations:batchGet", batch, 200)
	get("certificates_batch", "POST", "/api/v1/certificates:batchGet", batch, 200)
	get("reconciliation_batch", "POST", "/api/v1/reconciliation:batchGet", batch, 200)
	get("reconciliation_list", "GET", "/api/v1/communes/"+commune+"/reconciliation?pageSize=3&status=MISMATCH", nil, 200)

	i := unvaccinated(t, 0)
	dose := doseFor(t, i, 1, "2022-02-01")
	get("dose_recorded", "POST", "/api/v1/doses", dose, 201)
	bad := doseFor(t, unvaccinated(t, 1), 1, "2022-02-01")
	bad.FullName = foldASCII(bad.FullName)
	bad.BirthDate = "1900-01-01"
	get("error_identity_not_verified", "POST", "/api/v1/doses", bad, 422)
	get("error_invalid_dose_number", "POST", "/api/v1/doses", dose, 422)

	fb := map[string]string{"personId": mismatch.ID, "communeCode": commune, "category": "WRONG_IDENTITY",
		"text": "Họ tên trên chứng nhận tiêm bị sai."}
	r := get("feedback_created", "POST", "/api/v1/feedback", fb, 201)
	var created wireFeedback
	r.decode(t, &created)
	get("feedback_list", "GET", "/api/v1/feedback?pageSize=3&communeCode="+commune, nil, 200)
	get("feedback_resolved", "POST", "/api/v1/feedback/"+created.ID+":resolve",
		map[string]string{"resolution": "Đã điều chỉnh họ tên theo CCCD.", "resolvedBy": "TYT-" + commune}, 200)
	get("error_already_resolved", "POST", "/api/v1/feedback/"+created.ID+":resolve",
		map[string]string{"resolution": "Lần hai.", "resolvedBy": "TYT-" + commune}, 409)
	get("statistics", "GET", "/api/v1/statistics/vaccinations?adminUnit="+commune, nil, 200)

	many := batchPeople{}
	for k := 0; k < 101; k++ {
		many.People = append(many.People, personRef{PersonID: fmt.Sprintf("0010900%05d", k)})
	}
	get("error_batch_too_large", "POST", "/api/v1/vaccinations:batchGet", many, 400)
	get("error_invalid_page_token", "GET", "/api/v1/communes/"+commune+"/reconciliation?pageToken=AAAA", nil, 400)
	get("error_unknown_commune", "GET", "/api/v1/communes/99999/reconciliation", nil, 404)
	get("error_unauthenticated", "POST", "/api/v1/vaccinations:batchGet", batch, 401, "Authorization", "Bearer expired")
	if err := e.srv.Faults().SetProfile(faults.Profile{RateLimit: 0.001, RateBurst: 1}); err != nil {
		t.Fatal(err)
	}
	get("statistics_again", "GET", "/api/v1/statistics/vaccinations?adminUnit="+commune, nil, 200)
	r = get("error_rate_limited", "GET", "/api/v1/statistics/vaccinations?adminUnit="+commune, nil, 429)
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func doRaw(t *testing.T, req *http.Request) []byte {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenAPIDocument checks the served document against the route table
// that drives the mux: every served route is documented with its operation
// name and security, nothing undocumented is served, every $ref resolves.
func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t)
	r := e.call(t, http.MethodGet, "/openapi.json", nil, "Authorization", "")
	wantStatus(t, r, 200, "")
	golden(t, "openapi", r.body)
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	if len(e.srv.routes) == 0 {
		t.Fatal("no routes")
	}
	for _, rt := range e.srv.routes {
		key := rt.method + " " + rt.apiPath
		t.Run(key, func(t *testing.T) {
			if !documented[key] {
				t.Fatalf("served but not documented")
			}
			delete(documented, key)
			op := paths[rt.apiPath].(map[string]any)[strings.ToLower(rt.method)].(map[string]any)
			if op["operationId"] != rt.op {
				t.Errorf("operationId %v, want %s", op["operationId"], rt.op)
			}
			sec, _ := json.Marshal(op["security"])
			if rt.scope == "" && string(sec) != "[]" {
				t.Errorf("security %s for an open route", sec)
			}
			if rt.scope != "" && string(sec) != `[{"oauth2":["`+rt.scope+`"]}]` {
				t.Errorf("security %s, want scope %s", sec, rt.scope)
			}
			responses, _ := op["responses"].(map[string]any)
			ok := false
			for code := range responses {
				ok = ok || strings.HasPrefix(code, "2")
			}
			if !ok {
				t.Error("no success response documented")
			}
			if rt.scope != "" && (responses["401"] == nil || responses["503"] == nil || responses["429"] == nil) {
				t.Error("auth, outage or rate-limit errors not documented")
			}
			// The mux really routes the documented path to this operation.
			before := e.srv.Faults().Count(rt.op)
			path := strings.NewReplacer("{communeCode}", "00001", "{id}", "FB-x").Replace(rt.apiPath)
			e.call(t, rt.method, path, map[string]any{})
			if e.srv.Faults().Count(rt.op) != before+1 {
				t.Errorf("request to %s did not reach operation %s", path, rt.op)
			}
		})
	}
	for key := range documented {
		t.Errorf("documented but not served: %s", key)
	}
	// Every $ref resolves inside the document.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					ref, _ := c.(string)
					if !resolves(doc, ref) {
						t.Errorf("dangling $ref %s", ref)
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	flows, _ := json.Marshal(doc["components"].(map[string]any)["securitySchemes"])
	if !strings.Contains(string(flows), `"clientCredentials":{"scopes"`) || !strings.Contains(string(flows), `"tokenUrl":"/oauth2/token"`) {
		t.Errorf("security schemes %s", flows)
	}
}

func resolves(doc map[string]any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		part, _ = url.PathUnescape(strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~"))
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
