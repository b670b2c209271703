package checkpoint

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

const (
	pathDecl       = "/api/v1/health-declarations"
	pathDeclSearch = "/api/v1/health-declarations:search"
	pathPass       = "/api/v1/checkpoint-passages"
	pathPassSearch = "/api/v1/checkpoint-passages:search"
	pathArrivals   = "/api/v1/arrivals"
	pathZones      = "/api/v1/epidemic-zones"
)

// hcmcCommune is a commune of Hồ Chí Minh City (province 79).
func hcmcCommune(t testing.TB, k int) string {
	t.Helper()
	cs := testPopulation(t).Directory().Communes("79")
	if len(cs) <= k {
		t.Fatalf("province 79 has %d communes", len(cs))
	}
	return cs[k].Code
}

func otherCommune(t testing.TB) string {
	t.Helper()
	cs := testPopulation(t).Directory().Communes("01")
	if len(cs) == 0 {
		t.Fatal("province 01 has no communes")
	}
	return cs[0].Code
}

// validDeclaration is a well-formed declaration body; tests mutate copies.
func validDeclaration(t testing.TB) map[string]any {
	return map[string]any{
		"declaration_type": "DOMESTIC_TRAVEL",
		"id_type":          "CCCD",
		"id_number":        "079090001234", // Hồ Chí Minh City, male, born 1990
		"full_name":        "Nguyễn Văn An",
		"birth_year":       1990,
		"sex":              1,
		"nationality":      "VN",
		"phone":            "+84912345678",
		"contact":          map[string]any{"commune_code": hcmcCommune(t, 0), "address": "12 Lê Lợi"},
		"transport":        "Xe khách",
		"symptoms_14d":     []string{"fever", "cough"},
		"exposures_14d":    []string{"stayed_in_outbreak_area"},
	}
}

func checkpointOf(t testing.TB, s *Server, province string) Checkpoint {
	t.Helper()
	for _, c := range s.Checkpoints() {
		if c.ProvinceCode == province {
			return c
		}
	}
	t.Fatalf("no checkpoint in province %s", province)
	return Checkpoint{}
}

// validPassage is a well-formed IN passage into Hồ Chí Minh City.
func validPassage(t testing.TB, s *Server) map[string]any {
	return map[string]any{
		"checkpoint_code":          checkpointOf(t, s, "79").Code,
		"passed_at":                epoch.Add(-2 * time.Hour).Format(time.RFC3339),
		"direction":                "IN",
		"origin_commune_code":      otherCommune(t),
		"destination_commune_code": hcmcCommune(t, 1),
		"vehicle":                  "51A-123.45",
		"id_type":                  "CCCD",
		"id_number":                "079090001234",
		"full_name":                "Nguyễn Văn An",
		"nationality":              "VN",
	}
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// citizenWith finds a citizen with at least n declarations and n passages.
func citizenWith(t testing.TB, pop *synth.Population, n int) (int64, domain.Person) {
	t.Helper()
	for i := int64(0); i < pop.Size(); i++ {
		if len(pop.Declarations(i)) >= n && len(pop.Passages(i)) >= n {
			return i, pop.At(i)
		}
	}
	t.Fatalf("no citizen with %d declarations and passages", n)
	return 0, domain.Person{}
}

func TestOpenAPIDocument(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, http.MethodGet, "/openapi.json", nil, map[string]string{"X-Api-Key": "", "X-Request-Id": ""})
	wantStatus(t, a, http.StatusOK)
	golden(t, "openapi.json", a.body)

	var doc map[string]any
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	for path, rt := range map[string]string{
		pathDecl: "post", pathDeclSearch: "post", pathPass: "post", pathPassSearch: "post",
		pathArrivals: "get", pathZones: "get", "/openapi.json": "get",
	} {
		item, ok := paths[path].(map[string]any)
		if !ok || item[rt] == nil {
			t.Errorf("%s %s not documented", rt, path)
		}
	}
	// Every $ref must resolve.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	params := doc["components"].(map[string]any)["parameters"].(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				name := r[strings.LastIndex(r, "/")+1:]
				switch {
				case strings.HasPrefix(r, "#/components/schemas/") && schemas[name] != nil:
				case strings.HasPrefix(r, "#/components/parameters/") && params[name] != nil:
				default:
					t.Errorf("unresolved $ref %s", r)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

func TestGatewayErrors(t *testing.T) {
	ts := newTestServer(t)
	zones := pathZones + "?admin_unit=79"
	tests := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		status  int
		rid     string
	}{
		{"missing request id", http.MethodGet, zones, map[string]string{"X-Request-Id": ""}, 400, ""},
		{"malformed request id", http.MethodGet, zones, map[string]string{"X-Request-Id": "a b"}, 400, ""},
		{"missing api key", http.MethodGet, zones, map[string]string{"X-Api-Key": ""}, 401, "req-1"},
		{"wrong api key", http.MethodGet, zones, map[string]string{"X-Api-Key": DefaultAPIKey}, 401, "req-1"},
		{"request id checked before key", http.MethodGet, zones, map[string]string{"X-Api-Key": "", "X-Request-Id": ""}, 400, ""},
		{"unknown path", http.MethodGet, "/api/v1/people", nil, 404, "req-1"},
		{"wrong method", http.MethodGet, pathDecl, nil, 405, "req-1"},
		{"search needs auth", http.MethodPost, pathPassSearch, map[string]string{"X-Api-Key": "nope"}, 401, "req-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ts.call(t, tt.method, tt.path, nil, tt.headers)
			e := wantError(t, a, tt.status)
			if e.RequestID != tt.rid {
				t.Errorf("request_id %q, want %q", e.RequestID, tt.rid)
			}
			if tt.rid != "" && a.header.Get("X-Request-Id") != tt.rid {
				t.Errorf("X-Request-Id header %q", a.header.Get("X-Request-Id"))
			}
		})
	}
	a := ts.call(t, http.MethodGet, zones, nil, map[string]string{"X-Api-Key": ""})
	golden(t, "error_401.json", a.body)
}

func TestDefaultAPIKey(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.APIKey = "" })
	a := ts.call(t, http.MethodGet, pathZones+"?admin_unit=79", nil, map[string]string{"X-Api-Key": DefaultAPIKey})
	wantStatus(t, a, http.StatusOK)
}

func TestSubmitDeclaration(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), map[string]string{"Idempotency-Key": "k-1"})
	wantStatus(t, a, http.StatusCreated)
	golden(t, "declaration_created.json", a.body)
	got := decode[declarationJSON](t, a)
	if got.SubmittedAt != "2026-01-01T00:00:00+07:00" || got.Phone != "0912345678" || got.ID == "" {
		t.Errorf("stored declaration %+v", got)
	}

	t.Run("replay", func(t *testing.T) {
		b := ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), map[string]string{"Idempotency-Key": "k-1"})
		wantStatus(t, b, http.StatusCreated)
		if string(b.body) != string(a.body) || b.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %s (replayed=%q)", b.body, b.header.Get("Idempotent-Replayed"))
		}
	})
	t.Run("key reused for another body", func(t *testing.T) {
		d := validDeclaration(t)
		d["transport"] = "Máy bay"
		wantError(t, ts.call(t, http.MethodPost, pathDecl, d, map[string]string{"Idempotency-Key": "k-1"}), http.StatusConflict)
	})
	t.Run("key reused for another operation", func(t *testing.T) {
		wantError(t, ts.call(t, http.MethodPost, pathPass, validPassage(t, ts.Server), map[string]string{"Idempotency-Key": "k-1"}), http.StatusConflict)
	})
	t.Run("bad key", func(t *testing.T) {
		wantError(t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), map[string]string{"Idempotency-Key": "a\tb"}), http.StatusBadRequest)
	})
	t.Run("no key stores twice", func(t *testing.T) {
		x := decode[declarationJSON](t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), nil))
		y := decode[declarationJSON](t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), nil))
		if x.ID == y.ID {
			t.Errorf("two submissions got one ID %s", x.ID)
		}
	})
	t.Run("foreigner with passport", func(t *testing.T) {
		d := validDeclaration(t)
		d["declaration_type"], d["id_type"], d["id_number"], d["nationality"] = "ENTRY", "PASSPORT", "C1234567", "US"
		d["full_name"], d["birth_year"], d["sex"] = "John O'Neil-Smith", 1980, 2
		wantStatus(t, ts.call(t, http.MethodPost, pathDecl, d, nil), http.StatusCreated)
	})
	t.Run("general without transport, old ID card", func(t *testing.T) {
		d := validDeclaration(t)
		d["declaration_type"], d["id_type"], d["id_number"] = "GENERAL", "CMND", "025123456"
		delete(d, "transport")
		delete(d, "symptoms_14d")
		wantStatus(t, ts.call(t, http.MethodPost, pathDecl, d, nil), http.StatusCreated)
	})
}

func TestDeclarationValidation(t *testing.T) {
	ts := newTestServer(t)
	long := strings.Repeat("a", 101)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		field  string
		code   string
		secret string // a submitted value that must not come back
	}{
		{"type missing", func(m map[string]any) { delete(m, "declaration_type") }, "declaration_type", feRequired, ""},
		{"type unknown", func(m map[string]any) { m["declaration_type"] = "TRAVEL" }, "declaration_type", feUnknownValue, ""},
		{"id type unknown", func(m map[string]any) { m["id_type"] = "HO_CHIEU" }, "id_type", feUnknownValue, ""},
		{"id missing", func(m map[string]any) { delete(m, "id_number") }, "id_number", feRequired, ""},
		{"CCCD short", func(m map[string]any) { m["id_number"] = "07909000" }, "id_number", feInvalidFormat, "07909000"},
		{"CMND with 12 digits", func(m map[string]any) { m["id_type"] = "CMND" }, "id_number", feInvalidFormat, ""},
		{"passport all digits", func(m map[string]any) {
			m["id_type"], m["id_number"], m["nationality"] = "PASSPORT", "123456789", "US"
		}, "id_number", feInvalidFormat, "123456789"},
		{"name missing", func(m map[string]any) { m["full_name"] = "  " }, "full_name", feRequired, ""},
		{"name with digits", func(m map[string]any) { m["full_name"] = "Nguyễn Văn 4n" }, "full_name", feInvalidFormat, "4n"},
		{"name too long", func(m map[string]any) { m["full_name"] = long }, "full_name", feTooLong, long},
		{"name with newline", func(m map[string]any) { m["full_name"] = "Nguyễn\nAn" }, "full_name", feInvalidFormat, ""},
		{"birth year missing", func(m map[string]any) { delete(m, "birth_year") }, "birth_year", feRequired, ""},
		{"birth year too old", func(m map[string]any) { m["birth_year"] = 1850 }, "birth_year", feOutOfRange, "1850"},
		{"birth year future", func(m map[string]any) { m["birth_year"] = 2027 }, "birth_year", feOutOfRange, ""},
		{"birth year contradicts ID", func(m map[string]any) { m["birth_year"] = 1991 }, "birth_year", feInconsistent, ""},
		{"sex missing", func(m map[string]any) { delete(m, "sex") }, "sex", feRequired, ""},
		{"sex unknown", func(m map[string]any) { m["sex"] = 3 }, "sex", feUnknownValue, ""},
		{"sex contradicts ID", func(m map[string]any) { m["sex"] = 2 }, "sex", feInconsistent, ""},
		{"nationality unknown", func(m map[string]any) { m["nationality"] = "XX" }, "nationality", feUnknownValue, ""},
		{"nationality lower case", func(m map[string]any) { m["nationality"] = "vn" }, "nationality", feUnknownValue, ""},
		{"foreign nationality on CCCD", func(m map[string]any) { m["nationality"] = "US" }, "nationality", feInconsistent, ""},
		{"phone missing", func(m map[string]any) { delete(m, "phone") }, "phone", feRequired, ""},
		{"phone short", func(m map[string]any) { m["phone"] = "091234567" }, "phone", feInvalidFormat, "091234567"},
		{"phone landline prefix", func(m map[string]any) { m["phone"] = "0212345678" }, "phone", feInvalidFormat, "0212345678"},
		{"phone letters", func(m map[string]any) { m["phone"] = "+8491234567x" }, "phone", feInvalidFormat, ""},
		{"contact missing", func(m map[string]any) { delete(m, "contact") }, "contact", feRequired, ""},
		{"commune unknown", func(m map[string]any) {
			m["contact"] = map[string]any{"commune_code": "99999", "address": "x"}
		}, "contact.commune_code", feNotFound, ""},
		{"commune malformed", func(m map[string]any) {
			m["contact"] = map[string]any{"commune_code": "7a", "address": "x"}
		}, "contact.commune_code", feInvalidFormat, ""},
		{"address missing", func(m map[string]any) {
			m["contact"] = map[string]any{"commune_code": hcmcCommune(t, 0)}
		}, "contact.address", feRequired, ""},
		{"transport missing for travel", func(m map[string]any) { delete(m, "transport") }, "transport", feRequired, ""},
		{"symptom unknown", func(m map[string]any) { m["symptoms_14d"] = []string{"headache"} }, "symptoms_14d[0]", feUnknownValue, ""},
		{"symptom twice", func(m map[string]any) { m["symptoms_14d"] = []string{"fever", "fever"} }, "symptoms_14d[1]", feDuplicate, ""},
		{"exposure unknown", func(m map[string]any) { m["exposures_14d"] = []string{"FROM_AFFECTED_AREA"} }, "exposures_14d[0]", feUnknownValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clone(validDeclaration(t))
			tt.mutate(m)
			a := ts.call(t, http.MethodPost, pathDecl, m, nil)
			e := wantError(t, a, http.StatusUnprocessableEntity)
			if !hasField(e, tt.field, tt.code) {
				t.Errorf("errors %+v, want %s %s", e.Errors, tt.field, tt.code)
			}
			if tt.secret != "" && strings.Contains(string(a.body), tt.secret) {
				t.Errorf("error echoes the submitted value: %s", a.body)
			}
		})
	}
	m := clone(validDeclaration(t))
	m["phone"], m["sex"] = "12345", 2
	golden(t, "error_422_declaration.json", ts.call(t, http.MethodPost, pathDecl, m, nil).body)
	if n := len(ts.store.decls); n != 0 {
		t.Errorf("%d invalid declarations were stored", n)
	}
}

func TestMalformedBodies(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
	}{
		{"not JSON", "{", nil, 400},
		{"array", "[]", nil, 400},
		{"unknown field", `{"declaration_type":"GENERAL","hack":1}`, nil, 400},
		{"wrong type", `{"birth_year":"1990"}`, nil, 400},
		{"trailing data", `{} {}`, nil, 400},
		{"too large", `{"full_name":"` + strings.Repeat("a", maxBodyBytes) + `"}`, nil, 413},
		{"not JSON content type", `{}`, map[string]string{"Content-Type": "text/plain"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, ts.call(t, http.MethodPost, pathDecl, tt.body, tt.headers), tt.status)
		})
	}
}

func TestSearchDeclarations(t *testing.T) {
	ts := newTestServer(t)
	pop := testPopulation(t)
	i, person := citizenWith(t, pop, 2)
	synthDecls := pop.Declarations(i)

	// A declaration submitted under the person's ID joins the synthetic ones.
	d := validDeclaration(t)
	pid, _ := domain.ParsePersonalID(person.ID)
	d["id_number"], d["birth_year"], d["sex"] = person.ID, pid.BirthYear, sexCode(pid.Sex)
	created := decode[declarationJSON](t, ts.call(t, http.MethodPost, pathDecl, d, nil))

	ids := []string{person.ID, "C9999999", "001099999999"}
	a := ts.call(t, http.MethodPost, pathDeclSearch, map[string]any{"person_ids": ids}, nil)
	wantStatus(t, a, http.StatusOK)
	resp := decode[declarationSearchResponse](t, a)
	if len(resp.Results) != 3 {
		t.Fatalf("%d results", len(resp.Results))
	}
	for k := 1; k < len(resp.Results); k++ {
		if resp.Results[k-1].PersonID >= resp.Results[k].PersonID {
			t.Errorf("results not ordered by person_id")
		}
	}
	for _, r := range resp.Results {
		switch r.PersonID {
		case person.ID:
			if !r.Found || len(r.Declarations) != len(synthDecls)+1 {
				t.Errorf("person: found=%v, %d declarations, want %d", r.Found, len(r.Declarations), len(synthDecls)+1)
			}
			if r.Declarations[0].ID != created.ID {
				t.Errorf("newest first: got %s first, want the submitted %s", r.Declarations[0].ID, created.ID)
			}
			for k := 1; k < len(r.Declarations); k++ {
				if r.Declarations[k-1].SubmittedAt < r.Declarations[k].SubmittedAt {
					t.Errorf("not newest first at %d", k)
				}
			}
		default:
			if r.Found || len(r.Declarations) != 0 {
				t.Errorf("%s: found=%v with %d declarations", r.PersonID, r.Found, len(r.Declarations))
			}
		}
	}

	t.Run("since", func(t *testing.T) {
		since := synthDecls[0].SubmittedAt
		a := ts.call(t, http.MethodPost, pathDeclSearch, map[string]any{"person_ids": []string{person.ID}, "since": formatTime(since)}, nil)
		r := decode[declarationSearchResponse](t, a).Results[0]
		if len(r.Declarations) != 2 { // the submitted one and the newest synthetic one
			t.Errorf("%d declarations since the newest synthetic one, want 2", len(r.Declarations))
		}
	})
	t.Run("old ID card finds the person", func(t *testing.T) {
		for j := int64(0); j < pop.Size(); j++ {
			p := pop.At(j)
			if p.OldID == "" || len(pop.Declarations(j)) == 0 {
				continue
			}
			r := decode[declarationSearchResponse](t, ts.call(t, http.MethodPost, pathDeclSearch,
				map[string]any{"person_ids": []string{p.OldID}}, nil)).Results[0]
			if !r.Found || len(r.Declarations) != len(pop.Declarations(j)) {
				t.Errorf("by CMND: found=%v, %d declarations", r.Found, len(r.Declarations))
			}
			return
		}
		t.Skip("no citizen with an old ID card and declarations")
	})
	t.Run("foreign resident is known", func(t *testing.T) {
		if pop.ForeignerCount() == 0 {
			t.Skip("no foreigners")
		}
		f := pop.ForeignerAt(0)
		r := decode[declarationSearchResponse](t, ts.call(t, http.MethodPost, pathDeclSearch,
			map[string]any{"person_ids": []string{f.Passport}}, nil)).Results[0]
		if !r.Found {
			t.Error("foreign resident not found")
		}
	})
	t.Run("golden", func(t *testing.T) {
		ts := newTestServer(t)
		golden(t, "declarations_search.json", ts.call(t, http.MethodPost, pathDeclSearch,
			map[string]any{"person_ids": []string{person.ID, "C9999999"}}, nil).body)
	})
}

func TestSearchValidation(t *testing.T) {
	ts := newTestServer(t)
	many := make([]string, 101)
	for k := range many {
		many[k] = fmt.Sprintf("0790900%05d", k)
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"no ids", map[string]any{}, "person_ids", feRequired},
		{"empty ids", map[string]any{"person_ids": []string{}}, "person_ids", feRequired},
		{"101 ids", map[string]any{"person_ids": many}, "person_ids", feOutOfRange},
		{"malformed id", map[string]any{"person_ids": []string{"079090001234", "12-34"}}, "person_ids[1]", feInvalidFormat},
		{"since not RFC 3339", map[string]any{"person_ids": []string{"079090001234"}, "since": "2025-12-01"}, "since", feInvalidFormat},
	}
	for _, path := range []string{pathDeclSearch, pathPassSearch} {
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				e := wantError(t, ts.call(t, http.MethodPost, path, tt.body, nil), http.StatusUnprocessableEntity)
				if !hasField(e, tt.field, tt.code) {
					t.Errorf("errors %+v, want %s %s", e.Errors, tt.field, tt.code)
				}
			})
		}
	}
	a := ts.call(t, http.MethodPost, pathPassSearch, map[string]any{"person_ids": many[:100]}, nil)
	if res := decode[passageSearchResponse](t, a); len(res.Results) != 100 {
		t.Errorf("100 IDs: %d results", len(res.Results))
	}
}

func TestRecordPassage(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, http.MethodPost, pathPass, validPassage(t, ts.Server), map[string]string{"Idempotency-Key": "p-1"})
	wantStatus(t, a, http.StatusCreated)
	golden(t, "passage_created.json", a.body)
	created := decode[passageJSON](t, a)
	if created.CheckpointName == "" || created.ID == "" {
		t.Errorf("stored passage %+v", created)
	}
	b := ts.call(t, http.MethodPost, pathPass, validPassage(t, ts.Server), map[string]string{"Idempotency-Key": "p-1"})
	if string(b.body) != string(a.body) || b.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay differs: %s", b.body)
	}

	out := validPassage(t, ts.Server)
	out["direction"] = "OUT"
	out["origin_commune_code"], out["destination_commune_code"] = hcmcCommune(t, 2), otherCommune(t)
	wantStatus(t, ts.call(t, http.MethodPost, pathPass, out, nil), http.StatusCreated)

	r := decode[passageSearchResponse](t, ts.call(t, http.MethodPost, pathPassSearch,
		map[string]any{"person_ids": []string{"079090001234"}}, nil)).Results[0]
	if !r.Found || len(r.Passages) != 2 || r.Passages[0].ID != created.ID || r.Passages[0].Direction != "IN" {
		t.Errorf("recorded passages in search: %+v", r)
	}
}

func TestPassageValidation(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		field  string
		code   string
	}{
		{"checkpoint missing", func(m map[string]any) { delete(m, "checkpoint_code") }, "checkpoint_code", feRequired},
		{"checkpoint unknown", func(m map[string]any) { m["checkpoint_code"] = "CK-79-99" }, "checkpoint_code", feNotFound},
		{"time missing", func(m map[string]any) { delete(m, "passed_at") }, "passed_at", feRequired},
		{"time without offset", func(m map[string]any) { m["passed_at"] = "2025-12-31T20:00:00" }, "passed_at", feInvalidFormat},
		{"time in the future", func(m map[string]any) { m["passed_at"] = epoch.Add(time.Hour).Format(time.RFC3339) }, "passed_at", feOutOfRange},
		{"time too old", func(m map[string]any) { m["passed_at"] = epoch.AddDate(0, 0, -31).Format(time.RFC3339) }, "passed_at", feOutOfRange},
		{"direction unknown", func(m map[string]any) { m["direction"] = "VAO" }, "direction", feUnknownValue},
		{"origin unknown", func(m map[string]any) { m["origin_commune_code"] = "99999" }, "origin_commune_code", feNotFound},
		{"destination malformed", func(m map[string]any) { m["destination_commune_code"] = "7" }, "destination_commune_code", feInvalidFormat},
		{"same communes", func(m map[string]any) { m["origin_commune_code"] = m["destination_commune_code"] }, "destination_commune_code", feInconsistent},
		{"IN ending outside the province", func(m map[string]any) {
			m["origin_commune_code"], m["destination_commune_code"] = hcmcCommune(t, 1), otherCommune(t)
		}, "destination_commune_code", feInconsistent},
		{"OUT starting outside the province", func(m map[string]any) { m["direction"] = "OUT" }, "origin_commune_code", feInconsistent},
		{"vehicle too long", func(m map[string]any) { m["vehicle"] = strings.Repeat("x", 51) }, "vehicle", feTooLong},
		{"id malformed", func(m map[string]any) { m["id_number"] = "79090001234" }, "id_number", feInvalidFormat},
		{"name missing", func(m map[string]any) { delete(m, "full_name") }, "full_name", feRequired},
		{"nationality missing", func(m map[string]any) { delete(m, "nationality") }, "nationality", feRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clone(validPassage(t, ts.Server))
			tt.mutate(m)
			e := wantError(t, ts.call(t, http.MethodPost, pathPass, m, nil), http.StatusUnprocessableEntity)
			if !hasField(e, tt.field, tt.code) {
				t.Errorf("errors %+v, want %s %s", e.Errors, tt.field, tt.code)
			}
		})
	}
	if n := len(ts.store.passages); n != 0 {
		t.Errorf("%d invalid passages were stored", n)
	}
}

func TestSearchPassagesSynthetic(t *testing.T) {
	ts := newTestServer(t)
	pop := testPopulation(t)
	i, person := citizenWith(t, pop, 2)
	want := pop.Passages(i)
	a := ts.call(t, http.MethodPost, pathPassSearch, map[string]any{"person_ids": []string{person.ID}}, nil)
	golden(t, "passages_search.json", a.body)
	r := decode[passageSearchResponse](t, a).Results[0]
	if len(r.Passages) != len(want) {
		t.Fatalf("%d passages, want %d", len(r.Passages), len(want))
	}
	for k, p := range r.Passages {
		if p.ID != want[k].ID || p.PassedAt != formatTime(want[k].Time) || p.IDNumber != person.ID || p.IDType != "CCCD" {
			t.Errorf("passage %d: %+v", k, p)
		}
	}
}

func arrivalsURL(unit, value string, from, to time.Time, size int, token string) string {
	q := url.Values{unit: {value}, "from": {formatTime(from)}, "to": {formatTime(to)}}
	if size > 0 {
		q.Set("page_size", fmt.Sprint(size))
	}
	if token != "" {
		q.Set("page_token", token)
	}
	return pathArrivals + "?" + q.Encode()
}

// walk follows next_page_token to the end and returns every arrival.
func walk(t *testing.T, ts testServer, unit, value string, from, to time.Time, size int) ([]passageJSON, int) {
	t.Helper()
	var all []passageJSON
	token, pages := "", 0
	for {
		a := ts.call(t, http.MethodGet, arrivalsURL(unit, value, from, to, size, token), nil, nil)
		wantStatus(t, a, http.StatusOK)
		page := decode[arrivalsResponse](t, a)
		pages++
		if len(page.Arrivals) > size {
			t.Fatalf("page of %d > page_size %d", len(page.Arrivals), size)
		}
		all = append(all, page.Arrivals...)
		if page.NextPageToken == "" {
			return all, pages
		}
		if pages > 10_000 {
			t.Fatal("walk does not end")
		}
		token = page.NextPageToken
	}
}

func TestArrivalsWalk(t *testing.T) {
	ts := newTestServer(t)
	pop := testPopulation(t)
	dir := pop.Directory()
	from, to := epoch.AddDate(0, 0, -10), epoch.Add(-time.Hour)

	// Recorded passages: three IN inside the window, one IN outside it, one OUT.
	var recorded []string
	for k, at := range []time.Duration{-2 * time.Hour, -49 * time.Hour, -30 * time.Minute, -20 * 24 * time.Hour} {
		p := validPassage(t, ts.Server)
		p["passed_at"] = epoch.Add(at).Format(time.RFC3339)
		p["id_number"] = fmt.Sprintf("0790900%05d", k)
		got := decode[passageJSON](t, ts.call(t, http.MethodPost, pathPass, p, nil))
		if at == -2*time.Hour || at == -49*time.Hour {
			recorded = append(recorded, got.ID)
		}
	}
	out := validPassage(t, ts.Server)
	out["direction"], out["origin_commune_code"], out["destination_commune_code"] = "OUT", hcmcCommune(t, 1), otherCommune(t)
	wantStatus(t, ts.call(t, http.MethodPost, pathPass, out, nil), http.StatusCreated)

	for _, tc := range []struct {
		unit, value string
		size        int
	}{
		{"province_code", "79", 37},
		{"commune_code", hcmcCommune(t, 1), 1},
	} {
		t.Run(tc.unit, func(t *testing.T) {
			all, pages := walk(t, ts, tc.unit, tc.value, from, to, tc.size)
			if pages < 2 {
				t.Errorf("only %d page(s) for %d arrivals: the walk is not exercised", pages, len(all))
			}
			seen := map[string]bool{}
			var prev time.Time
			for k, p := range all {
				if seen[p.ID] {
					t.Errorf("duplicate %s", p.ID)
				}
				seen[p.ID] = true
				at, err := time.Parse(time.RFC3339, p.PassedAt)
				if err != nil {
					t.Fatal(err)
				}
				if p.Direction != "IN" || at.Before(from) || !at.Before(to) {
					t.Errorf("item %d: %s at %s outside the query", k, p.Direction, p.PassedAt)
				}
				dest := p.DestinationCommuneCode
				if tc.unit == "province_code" {
					dest, _ = dir.ProvinceOf(dest)
				}
				if dest != tc.value {
					t.Errorf("item %d arrives in %s, not %s", k, p.DestinationCommuneCode, tc.value)
				}
				if k > 0 && at.After(prev) {
					t.Errorf("item %d newer than the one before", k)
				}
				prev = at
			}
			// Exactly the synthetic arrivals plus the recorded ones in the window.
			q := domain.ArrivalsQuery{From: from, To: to}
			if tc.unit == "province_code" {
				q.ProvinceCode = tc.value
			} else {
				q.CommuneCode = tc.value
			}
			want := 0
			pop.EachArrival(q, 0, func(_ int64, pa domain.Passage) bool {
				want++
				if !seen[pa.ID] {
					t.Errorf("synthetic arrival %s missing", pa.ID)
				}
				return true
			})
			for _, id := range recorded {
				want++
				if !seen[id] {
					t.Errorf("recorded arrival %s missing", id)
				}
			}
			if len(all) != want {
				t.Errorf("%d arrivals, want %d", len(all), want)
			}
		})
	}

	t.Run("golden first page", func(t *testing.T) {
		golden(t, "arrivals_page.json", ts.call(t, http.MethodGet, arrivalsURL("province_code", "79", from, to, 3, ""), nil, nil).body)
	})
}

func TestArrivalsErrors(t *testing.T) {
	ts := newTestServer(t)
	from, to := epoch.AddDate(0, 0, -3), epoch
	first := decode[arrivalsResponse](t, ts.call(t, http.MethodGet, arrivalsURL("province_code", "79", from, to, 2, ""), nil, nil))
	if first.NextPageToken == "" {
		t.Fatal("need a second page")
	}
	tok := first.NextPageToken
	flip := []byte(tok)
	flip[3] ^= 1

	tests := []struct {
		name   string
		path   string
		status int
		field  string
	}{
		{"tampered token", arrivalsURL("province_code", "79", from, to, 2, string(flip)), 400, "page_token"},
		{"garbage token", arrivalsURL("province_code", "79", from, to, 2, "abc"), 400, "page_token"},
		{"token of another unit", arrivalsURL("province_code", "01", from, to, 2, tok), 400, "page_token"},
		{"token of another window", arrivalsURL("province_code", "79", from.Add(time.Second), to, 2, tok), 400, "page_token"},
		{"both units", pathArrivals + "?province_code=79&commune_code=" + hcmcCommune(t, 0) + "&from=" + url.QueryEscape(formatTime(from)) + "&to=" + url.QueryEscape(formatTime(to)), 400, "province_code"},
		{"no unit", pathArrivals + "?from=" + url.QueryEscape(formatTime(from)) + "&to=" + url.QueryEscape(formatTime(to)), 400, "province_code"},
		{"from missing", pathArrivals + "?province_code=79&to=" + url.QueryEscape(formatTime(to)), 400, "from"},
		{"from after to", arrivalsURL("province_code", "79", to, from, 0, ""), 400, "to"},
		{"window over 31 days", arrivalsURL("province_code", "79", to.AddDate(0, 0, -32), to, 0, ""), 400, "to"},
		{"page size over 500", arrivalsURL("province_code", "79", from, to, 501, ""), 400, "page_size"},
		{"unknown parameter", arrivalsURL("province_code", "79", from, to, 0, "") + "&limit=5", 400, "limit"},
		{"repeated parameter", arrivalsURL("province_code", "79", from, to, 0, "") + "&province_code=79", 400, "province_code"},
		{"unknown province", arrivalsURL("province_code", "99", from, to, 0, ""), 404, ""},
		{"unknown commune", arrivalsURL("commune_code", "99999", from, to, 0, ""), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, ts.call(t, http.MethodGet, tt.path, nil, nil), tt.status)
			if tt.field != "" && !slices.ContainsFunc(e.Errors, func(f fieldError) bool { return f.Field == tt.field }) {
				t.Errorf("errors %+v, want field %s", e.Errors, tt.field)
			}
		})
	}

	t.Run("token from another server key", func(t *testing.T) {
		other := newTestServer(t, func(c *Config) { c.PageTokenKey = []byte("another key") })
		wantError(t, other.call(t, http.MethodGet, arrivalsURL("province_code", "79", from, to, 2, tok), nil, nil), 400)
	})
}

func TestZones(t *testing.T) {
	ts := newTestServer(t)
	pop := testPopulation(t)
	all := pop.EpidemicZones()
	if len(all) == 0 {
		t.Fatal("no synthetic zones")
	}
	// A zone with an end: in force at its start, not at its end.
	var z domain.EpidemicZone
	for _, c := range all {
		if !c.ValidUntil.IsZero() {
			z = c
			break
		}
	}
	if z.AdminUnit == "" {
		t.Fatal("no zone with an end")
	}
	inForce := func(at time.Time, unit string) []zoneJSON {
		t.Helper()
		q := url.Values{"at": {formatTime(at)}, "admin_unit": {unit}}
		a := ts.call(t, http.MethodGet, pathZones+"?"+q.Encode(), nil, nil)
		wantStatus(t, a, http.StatusOK)
		return decode[zonesResponse](t, a).Zones
	}
	has := func(zs []zoneJSON, z domain.EpidemicZone) bool {
		return slices.ContainsFunc(zs, func(w zoneJSON) bool {
			return w.AdminUnitCode == z.AdminUnit && w.ValidFrom == formatTime(z.ValidFrom)
		})
	}
	if zs := inForce(z.ValidFrom, z.AdminUnit); !has(zs, z) {
		t.Errorf("zone not in force at its start: %+v", zs)
	}
	if zs := inForce(z.ValidUntil, z.AdminUnit); has(zs, z) {
		t.Errorf("zone still in force at its end")
	}
	if zs := inForce(z.ValidFrom.Add(-time.Second), z.AdminUnit); has(zs, z) {
		t.Errorf("zone in force before its start")
	}
	for _, w := range inForce(z.ValidFrom, z.AdminUnit) {
		if level := w.Level; level < 1 || level > 4 {
			t.Errorf("level %d", level)
		}
		from, _ := time.Parse(time.RFC3339, w.ValidFrom)
		if from.After(z.ValidFrom) || (w.ValidUntil != nil && *w.ValidUntil <= formatTime(z.ValidFrom)) {
			t.Errorf("zone %+v not in force at the time asked", w)
		}
	}

	// Default time is the clock; unfiltered equals the synthetic zones in force then.
	a := ts.call(t, http.MethodGet, pathZones, nil, nil)
	resp := decode[zonesResponse](t, a)
	want := 0
	for _, c := range all {
		if !epoch.Before(c.ValidFrom) && (c.ValidUntil.IsZero() || epoch.Before(c.ValidUntil)) {
			want++
		}
	}
	if resp.At != formatTime(epoch) || len(resp.Zones) != want {
		t.Errorf("at %s: %d zones, want %d at %s", resp.At, len(resp.Zones), want, formatTime(epoch))
	}
	golden(t, "zones.json", ts.call(t, http.MethodGet, pathZones+"?admin_unit="+z.AdminUnit+"&at="+url.QueryEscape(formatTime(z.ValidFrom)), nil, nil).body)

	for _, bad := range []string{"?admin_unit=7", "?admin_unit=abc", "?at=yesterday", "?unit=79"} {
		wantError(t, ts.call(t, http.MethodGet, pathZones+bad, nil, nil), http.StatusBadRequest)
	}
	wantError(t, ts.call(t, http.MethodGet, pathZones+"?admin_unit=99", nil, nil), http.StatusNotFound)
}

func TestWriteQuota(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxWrites = 2 })
	wantStatus(t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), map[string]string{"Idempotency-Key": "q1"}), http.StatusCreated)
	wantStatus(t, ts.call(t, http.MethodPost, pathPass, validPassage(t, ts.Server), nil), http.StatusCreated)
	wantError(t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), nil), http.StatusInsufficientStorage)
	wantError(t, ts.call(t, http.MethodPost, pathPass, validPassage(t, ts.Server), nil), http.StatusInsufficientStorage)
	// A replay is not a new write.
	wantStatus(t, ts.call(t, http.MethodPost, pathDecl, validDeclaration(t), map[string]string{"Idempotency-Key": "q1"}), http.StatusCreated)
}

func TestFaultsAndCounts(t *testing.T) {
	ts := newTestServer(t)
	ts.call(t, http.MethodPost, pathPassSearch, map[string]any{"person_ids": []string{"079090001234"}}, nil)
	ts.call(t, http.MethodGet, pathZones, nil, nil)
	ts.call(t, http.MethodGet, pathZones, nil, map[string]string{"X-Api-Key": ""})
	for op, want := range map[string]int64{OpPassagesSearch: 1, OpZonesList: 2, OpDeclarationsSearch: 0} {
		if got := ts.Faults().Count(op); got != want {
			t.Errorf("count %s = %d, want %d", op, got, want)
		}
	}

	a := ts.call(t, http.MethodPut, "/_control/faults", `{"outage":true}`, nil)
	wantStatus(t, a, http.StatusOK)
	e := wantError(t, ts.call(t, http.MethodGet, pathZones, nil, nil), http.StatusServiceUnavailable)
	if e.RequestID != "req-1" {
		t.Errorf("fault error request_id %q", e.RequestID)
	}

	if err := ts.Faults().SetProfile(faults.Profile{RateLimit: 0.001, RateBurst: 1}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, ts.call(t, http.MethodGet, pathZones, nil, nil), http.StatusOK)
	b := ts.call(t, http.MethodGet, pathZones, nil, nil)
	wantError(t, b, http.StatusTooManyRequests)
	if b.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("no population accepted")
	}
	if _, err := New(Config{Population: testPopulation(t), MaxWrites: -1}); err == nil {
		t.Error("negative MaxWrites accepted")
	}
	if _, err := New(Config{Population: testPopulation(t), Faults: faults.Profile{ErrorRate: 2}}); err == nil {
		t.Error("bad fault profile accepted")
	}
}
