package vaccination

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/vn-epidemic/hub/domain"
)

// busiestCommune is the commune with the most residents in the test population.
func busiestCommune(t testing.TB) string {
	t.Helper()
	population(t) // fails the test if the population cannot be built
	return busiest()
}

var busiest = sync.OnceValue(func() string {
	p, err := testPopulation()
	if err != nil {
		return ""
	}
	counts := map[string]int{}
	best := ""
	for i := int64(0); i < p.Size(); i++ {
		c := p.At(i).Current.CommuneCode
		counts[c]++
		if counts[c] > counts[best] || counts[c] == counts[best] && c < best {
			best = c
		}
	}
	return best
})

// expectedRecons enumerates the commune directly from synth.
func expectedRecons(t testing.TB, commune, status string) []domain.Reconciliation {
	p := population(t)
	var out []domain.Reconciliation
	p.EachResident(commune, 0, func(_, i int64) bool {
		if v, ok := p.Vaccination(i); ok && (status == "" || string(v.Reconciliation.Status) == status) {
			out = append(out, v.Reconciliation)
		}
		return true
	})
	return out
}

func walkRecons(t *testing.T, e *env, commune, status string, pageSize int) (items []wireReconciliation, pages int) {
	t.Helper()
	token := ""
	for {
		q := url.Values{"pageSize": {fmt.Sprint(pageSize)}}
		if status != "" {
			q.Set("status", status)
		}
		if token != "" {
			q.Set("pageToken", token)
		}
		r := e.call(t, http.MethodGet, "/api/v1/communes/"+commune+"/reconciliation?"+q.Encode(), nil)
		wantStatus(t, r, 200, "")
		var page reconListResponse
		r.decode(t, &page)
		if len(page.Reconciliations) > pageSize {
			t.Fatalf("page of %d, asked for %d", len(page.Reconciliations), pageSize)
		}
		items = append(items, page.Reconciliations...)
		pages++
		if page.NextPageToken == "" {
			return items, pages
		}
		if pages > 10_000 {
			t.Fatal("pagination does not end")
		}
		token = page.NextPageToken
	}
}

func TestReconciliationListWalksWholeCommune(t *testing.T) {
	commune := busiestCommune(t)
	for _, tt := range []struct {
		name     string
		status   string
		pageSize int
		budget   int
	}{
		{"all, pages of 7", "", 7, defaultScanBudget},
		{"mismatch, pages of 3", "MISMATCH", 3, defaultScanBudget},
		{"match, one page", "MATCH", 100, defaultScanBudget},
		// A small scan budget forces short and empty pages that still
		// carry a token; the walk must still see everything exactly once.
		{"mismatch, tiny scan budget", "MISMATCH", 5, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.scanBudget = tt.budget
			want := expectedRecons(t, commune, tt.status)
			if len(want) == 0 {
				t.Fatal("test commune has no such records")
			}
			got, pages := walkRecons(t, e, commune, tt.status, tt.pageSize)
			if len(got) != len(want) {
				t.Fatalf("walked %d records in %d pages, want %d", len(got), pages, len(want))
			}
			seen := map[string]bool{}
			for k, g := range got {
				if seen[g.PersonID] {
					t.Fatalf("duplicate record at %d", k)
				}
				seen[g.PersonID] = true
				w := want[k]
				if g.PersonID != w.PersonID || g.Status != string(w.Status) || g.CommuneCode != commune {
					t.Errorf("item %d: %s %s in %s, want %s %s", k, g.PersonID, g.Status, g.CommuneCode, w.PersonID, w.Status)
				}
				if (g.Status == "MISMATCH") != (len(g.MismatchedFields) > 0) {
					t.Errorf("item %d: status %s with mismatched fields %v", k, g.Status, g.MismatchedFields)
				}
			}
			if tt.budget < defaultScanBudget && pages <= len(got)/tt.pageSize+1 {
				t.Errorf("scan budget did not shorten pages: %d pages", pages)
			}
		})
	}
}

func TestReconciliationListRefusals(t *testing.T) {
	e := newEnv(t)
	commune := busiestCommune(t)
	first := e.call(t, http.MethodGet, "/api/v1/communes/"+commune+"/reconciliation?pageSize=2", nil)
	wantStatus(t, first, 200, "")
	var page reconListResponse
	first.decode(t, &page)
	tok := page.NextPageToken
	if tok == "" {
		t.Fatal("no second page")
	}
	// Move the position forward but keep the MAC: well-formed, not genuine.
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	raw[1]++
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	base := "/api/v1/communes/" + commune + "/reconciliation"
	tests := []struct {
		name   string
		path   string
		status int
		code   string
	}{
		{"valid token", base + "?pageSize=2&pageToken=" + tok, 200, ""},
		{"tampered token", base + "?pageSize=2&pageToken=" + tampered, 400, codeInvalidPageToken},
		{"truncated token", base + "?pageToken=" + tok[:len(tok)-2], 400, codeInvalidPageToken},
		{"garbage token", base + "?pageToken=%21%21%21", 400, codeInvalidPageToken},
		{"token for another filter", base + "?status=MISMATCH&pageToken=" + tok, 400, codeInvalidPageToken},
		{"unknown commune", "/api/v1/communes/99999/reconciliation", 404, codeNotFound},
		{"malformed commune", "/api/v1/communes/12ab5/reconciliation", 400, codeInvalidArgument},
		{"unknown status", base + "?status=GOOD", 400, codeInvalidArgument},
		{"negative page size", base + "?pageSize=-1", 400, codeInvalidArgument},
		{"page size not a number", base + "?pageSize=ten", 400, codeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, e.call(t, http.MethodGet, tt.path, nil), tt.status, tt.code)
		})
	}
	// Oversized pages are coerced to the maximum.
	r := e.call(t, http.MethodGet, base+"?pageSize=1000", nil)
	wantStatus(t, r, 200, "")
	r.decode(t, &page)
	if len(page.Reconciliations) > maxPageSize {
		t.Errorf("page of %d", len(page.Reconciliations))
	}
}

func TestPageCodec(t *testing.T) {
	c := pageCodec{key: []byte("k")}
	tok := c.seal("scope", []byte{1, 2, 3})
	got, err := c.open("scope", tok)
	if err != nil || string(got) != "\x01\x02\x03" {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if _, err := c.open("other", tok); err == nil {
		t.Error("token opened under another scope")
	}
	if _, err := (pageCodec{key: []byte("k2")}).open("scope", tok); err == nil {
		t.Error("token opened with another key")
	}
}
