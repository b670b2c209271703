package vaccination

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/mocks/synth"
)

func TestBatchRequestValidation(t *testing.T) {
	e := newEnv(t)
	many := func(n int) batchPeople {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("0010900%05d", i)
		}
		return people(ids...)
	}
	tests := []struct {
		name    string
		body    any
		headers []string
		status  int
		code    string
	}{
		{"100 people", many(100), nil, 200, ""},
		{"101 people", many(101), nil, 400, codeBatchTooLarge},
		{"no people", people(), nil, 400, codeInvalidArgument},
		{"bad id", people("12345"), nil, 400, codeInvalidArgument},
		{"bad alternate", batchPeople{People: []personRef{{PersonID: "001090000001", AlternateIDs: []string{"x"}}}}, nil, 400, codeInvalidArgument},
		{"too many alternates", batchPeople{People: []personRef{{PersonID: "001090000001", AlternateIDs: []string{"123456789", "123456780", "123456781", "123456782", "123456783", "123456784"}}}}, nil, 400, codeInvalidArgument},
		{"malformed JSON", `{"people":[`, nil, 400, codeInvalidArgument},
		{"wrong type", `{"people":"001090000001"}`, nil, 400, codeInvalidArgument},
		{"trailing data", `{"people":[{"personId":"001090000001"}]} {}`, nil, 400, codeInvalidArgument},
		{"unknown fields are ignored", `{"people":[{"personId":"001090000001","nickname":"x"}],"extra":1}`, nil, 200, ""},
		{"not JSON content type", `{"people":[{"personId":"001090000001"}]}`, []string{"Content-Type", "text/plain"}, 415, codeUnsupportedMedia},
		{"oversize body", `{"people":[{"personId":"001090000001","pad":"` + strings.Repeat("x", maxBatchBody) + `"}]}`, nil, 413, codePayloadTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", tt.body, tt.headers...)
			wantStatus(t, r, tt.status, tt.code)
			if tt.status == 200 {
				var out batchResponse
				r.decode(t, &out)
				if len(out.Results) == 0 {
					t.Error("no results")
				}
			}
		})
	}
}

func TestBatchAnswersInOrderWithNotFound(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	vaccinated := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && v.Record.PersonID == p.At(i).ID && len(v.Record.Doses) >= 2
	})
	never := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool { return !ok })
	vid, nid := p.At(vaccinated).ID, p.At(never).ID
	r := e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people(nid, vid, "099999999999", vid))
	wantStatus(t, r, 200, "")
	var out batchResponse
	r.decode(t, &out)
	want := []struct {
		id     string
		status string
	}{{nid, resultNotFound}, {vid, resultFound}, {"099999999999", resultNotFound}, {vid, resultFound}}
	if len(out.Results) != len(want) {
		t.Fatalf("%d results", len(out.Results))
	}
	v, _ := p.Vaccination(vaccinated)
	for k, w := range want {
		got := out.Results[k]
		if got.RequestedID != w.id || got.Status != w.status {
			t.Errorf("result %d: %s %s, want %s %s", k, got.RequestedID, got.Status, w.id, w.status)
		}
		if w.status == resultFound && (got.Vaccination == nil || len(got.Vaccination.Doses) != len(v.Record.Doses)) {
			t.Errorf("result %d: record %+v", k, got.Vaccination)
		}
		if w.status == resultNotFound && got.Vaccination != nil {
			t.Errorf("result %d: not found carries a record", k)
		}
	}
}

// A record entered under the old CMND is found through the alternate id,
// not through the 12-digit ID alone.
func TestBatchFindsRecordUnderOldID(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	i := findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		return ok && p.At(i).OldID != "" && v.Record.PersonID == p.At(i).OldID
	})
	person := p.At(i)
	for _, path := range []string{"/api/v1/vaccinations:batchGet", "/api/v1/certificates:batchGet", "/api/v1/reconciliation:batchGet"} {
		t.Run(path, func(t *testing.T) {
			var out batchResponse
			r := e.call(t, http.MethodPost, path, people(person.ID))
			wantStatus(t, r, 200, "")
			r.decode(t, &out)
			if out.Results[0].Status != resultNotFound {
				t.Fatalf("found under the new ID alone: %+v", out.Results[0])
			}
			r = e.call(t, http.MethodPost, path, batchPeople{People: []personRef{{PersonID: person.ID, AlternateIDs: []string{person.OldID}}}})
			wantStatus(t, r, 200, "")
			r.decode(t, &out)
			res := out.Results[0]
			if res.Status != resultFound || res.RequestedID != person.ID {
				t.Fatalf("not found via the old ID: %+v", res)
			}
			var heldUnder string
			switch {
			case res.Vaccination != nil:
				heldUnder = res.Vaccination.PersonID
			case res.Certificate != nil:
				heldUnder = res.Certificate.PersonID
			case res.Reconciliation != nil:
				heldUnder = res.Reconciliation.PersonID
			}
			if heldUnder != person.OldID {
				t.Errorf("held under %q, want the old ID", heldUnder)
			}
		})
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := newEnv(t)
	r := e.call(t, http.MethodGet, "/api/v1/nothing", nil)
	wantStatus(t, r, 404, codeNotFound)
	r = e.call(t, http.MethodGet, "/api/v1/doses", nil)
	wantStatus(t, r, 405, codeMethodNotAllowed)
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = e.call(t, http.MethodPost, "/api/v1/feedback/FB-1:close", map[string]string{})
	wantStatus(t, r, 404, codeNotFound)
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestFaultsUseTheErrorShape(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Faults().SetProfile(faultsOutage()); err != nil {
		t.Fatal(err)
	}
	r := e.call(t, http.MethodPost, "/api/v1/vaccinations:batchGet", people("001090000001"), "X-Request-Id", "outage-1")
	wantStatus(t, r, 503, "UNAVAILABLE")
	var body apiError
	r.decode(t, &body)
	if body.Error.RequestID != "outage-1" || body.Error.Status != 503 {
		t.Errorf("error body %+v", body)
	}
	if got := e.srv.Faults().Count(OpVaccinationsBatch); got != 1 {
		t.Errorf("count %d", got)
	}
}
