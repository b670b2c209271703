package vaccination

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func listFeedback(t *testing.T, e *env, q url.Values) feedbackListResponse {
	t.Helper()
	r := e.call(t, http.MethodGet, "/api/v1/feedback?"+q.Encode(), nil)
	wantStatus(t, r, 200, "")
	var out feedbackListResponse
	r.decode(t, &out)
	return out
}

// walkFeedback follows page tokens to the end.
func walkFeedback(t *testing.T, e *env, q url.Values) []wireFeedback {
	t.Helper()
	var all []wireFeedback
	for pages := 0; ; pages++ {
		page := listFeedback(t, e, q)
		all = append(all, page.Feedback...)
		if page.NextPageToken == "" {
			return all
		}
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		q.Set("pageToken", page.NextPageToken)
	}
}

func TestSyntheticFeedbackFollowsMismatches(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	items := walkFeedback(t, e, url.Values{"communeCode": {commune}, "pageSize": {"2"}})
	mismatches := expectedRecons(t, commune, "MISMATCH")
	if len(items) == 0 || len(items) >= len(mismatches) {
		t.Fatalf("%d synthetic feedback for %d mismatched records", len(items), len(mismatches))
	}
	held := map[string]bool{}
	for _, m := range mismatches {
		held[m.PersonID] = true
	}
	seen := map[string]bool{}
	for k, f := range items {
		if !held[f.PersonID] {
			t.Errorf("feedback %s is about a record that is not a mismatch", f.ID)
		}
		if seen[f.ID] {
			t.Errorf("duplicate %s", f.ID)
		}
		seen[f.ID] = true
		if k > 0 && f.CreatedAt > items[k-1].CreatedAt {
			t.Errorf("not newest first at %d: %s after %s", k, f.CreatedAt, items[k-1].CreatedAt)
		}
		if (f.Status == "RESOLVED") != (f.ResolvedAt != "") {
			t.Errorf("%s: status %s, resolvedAt %q", f.ID, f.Status, f.ResolvedAt)
		}
	}
	// Filters agree with the full list.
	open := walkFeedback(t, e, url.Values{"communeCode": {commune}, "status": {"OPEN"}})
	n := 0
	for _, f := range items {
		if f.Status == "OPEN" {
			n++
		}
	}
	if len(open) != n {
		t.Errorf("%d OPEN through the filter, %d in the list", len(open), n)
	}
	byPerson := walkFeedback(t, e, url.Values{"personId": {items[0].PersonID}})
	if len(byPerson) != 1 || byPerson[0].ID != items[0].ID {
		t.Errorf("by person: %+v", byPerson)
	}
}

func TestFeedbackLifecycle(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	create := map[string]string{"personId": "001090000001", "communeCode": commune, "category": "MISSING_DOSE",
		"text": "  Tôi đã tiêm mũi 3 nhưng chưa thấy cập nhật.  "}
	r := e.call(t, http.MethodPost, "/api/v1/feedback", create)
	wantStatus(t, r, 201, "")
	var fb wireFeedback
	r.decode(t, &fb)
	if fb.Status != "OPEN" || fb.Text != "Tôi đã tiêm mũi 3 nhưng chưa thấy cập nhật." || fb.CreatedAt != "2026-01-10T09:00:00+07:00" {
		t.Fatalf("created %+v", fb)
	}
	e.clock.Advance(time.Minute)
	r = e.call(t, http.MethodPost, "/api/v1/feedback", create)
	wantStatus(t, r, 201, "")
	var newer wireFeedback
	r.decode(t, &newer)

	page := listFeedback(t, e, url.Values{"communeCode": {commune}, "pageSize": {"2"}})
	if len(page.Feedback) != 2 || page.Feedback[0].ID != newer.ID || page.Feedback[1].ID != fb.ID {
		t.Fatalf("newest first: %+v", page.Feedback)
	}

	resolve := map[string]string{"resolution": "Đã cập nhật mũi 3.", "resolvedBy": "TYT-" + commune}
	r = e.call(t, http.MethodPost, "/api/v1/feedback/"+fb.ID+":resolve", resolve)
	wantStatus(t, r, 200, "")
	var resolved wireFeedback
	r.decode(t, &resolved)
	if resolved.Status != "RESOLVED" || resolved.ResolvedAt != "2026-01-10T09:01:00+07:00" || resolved.Resolution != resolve["resolution"] {
		t.Fatalf("resolved %+v", resolved)
	}
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback/"+fb.ID+":resolve", resolve), 409, codeAlreadyResolved)
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback/FB-"+commune+"-NZZZZ:resolve", resolve), 404, codeNotFound)
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback/"+newer.ID+":resolve", map[string]string{"resolution": ""}), 400, codeInvalidArgument)

	got := walkFeedback(t, e, url.Values{"communeCode": {commune}, "status": {"RESOLVED"}})
	found := false
	for _, f := range got {
		found = found || f.ID == fb.ID
	}
	if !found {
		t.Error("resolved feedback missing from the RESOLVED list")
	}

	// Synthetic feedback can be resolved too, once.
	var synthOpen string
	for _, f := range walkFeedback(t, e, url.Values{"communeCode": {commune}, "status": {"OPEN"}}) {
		if f.ID != newer.ID {
			synthOpen = f.ID
			break
		}
	}
	if synthOpen == "" {
		t.Fatal("no synthetic OPEN feedback in the test commune")
	}
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback/"+synthOpen+":resolve", resolve), 200, "")
	wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback/"+synthOpen+":resolve", resolve), 409, codeAlreadyResolved)
	for _, f := range walkFeedback(t, e, url.Values{"communeCode": {commune}, "status": {"OPEN"}}) {
		if f.ID == synthOpen {
			t.Error("resolved synthetic feedback still listed as OPEN")
		}
	}
}

// New feedback arriving while a client pages does not shift later pages.
func TestFeedbackPagesAreStableUnderInserts(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	q := url.Values{"communeCode": {commune}, "pageSize": {"3"}}
	before := walkFeedback(t, e, url.Values{"communeCode": {commune}, "pageSize": {"3"}})
	first := listFeedback(t, e, q)
	for k := 0; k < 2; k++ {
		e.clock.Advance(time.Second)
		wantStatus(t, e.call(t, http.MethodPost, "/api/v1/feedback", map[string]string{
			"personId": fmt.Sprintf("00109000000%d", k), "communeCode": commune, "category": "OTHER", "text": "x"}), 201, "")
	}
	q.Set("pageToken", first.NextPageToken)
	rest := walkFeedback(t, e, q)
	got := append(first.Feedback, rest...)
	if len(got) != len(before) {
		t.Fatalf("%d items, want %d", len(got), len(before))
	}
	for k := range got {
		if got[k].ID != before[k].ID {
			t.Fatalf("item %d: %s, want %s", k, got[k].ID, before[k].ID)
		}
	}
}

func TestFeedbackRefusals(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   string
	}{
		{"list without commune or person", "GET", "/api/v1/feedback", nil, 400, codeInvalidArgument},
		{"list unknown commune", "GET", "/api/v1/feedback?communeCode=99999", nil, 400, codeInvalidArgument},
		{"list unknown status", "GET", "/api/v1/feedback?communeCode=" + commune + "&status=DONE", nil, 400, codeInvalidArgument},
		{"list tampered token", "GET", "/api/v1/feedback?communeCode=" + commune + "&pageToken=AQID", nil, 400, codeInvalidPageToken},
		{"create unknown category", "POST", "/api/v1/feedback", map[string]string{"personId": "001090000001", "communeCode": commune, "category": "ANGRY", "text": "x"}, 400, codeInvalidArgument},
		{"create empty text", "POST", "/api/v1/feedback", map[string]string{"personId": "001090000001", "communeCode": commune, "category": "OTHER", "text": "  "}, 400, codeInvalidArgument},
		{"create unknown commune", "POST", "/api/v1/feedback", map[string]string{"personId": "001090000001", "communeCode": "99999", "category": "OTHER", "text": "x"}, 400, codeInvalidArgument},
		{"resolve synthetic-looking id of nobody", "POST", "/api/v1/feedback/FB-" + commune + "-SZZZZZZ:resolve", map[string]string{"resolution": "x", "resolvedBy": "y"}, 404, codeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, e.call(t, tt.method, tt.path, tt.body), tt.status, tt.code)
		})
	}
}
