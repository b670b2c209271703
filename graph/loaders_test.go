package graph

import (
	"slices"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

const arrivalsWithCitizens = `query($from: DateTime!, $to: DateTime!) {
  arrivals(communeCode: "00024", from: $from, to: $to, first: 100) {
    edges { node { id citizen { identity { fullName } vaccination { status doses { number } } insurance { holderId } } } }
  }
}`

func windowVars() map[string]any {
	return map[string]any{"from": testNow.Add(-99 * time.Minute).Format(time.RFC3339), "to": testNow.Add(time.Minute).Format(time.RFC3339)}
}

const arrivalsWithFragments = `query($from: DateTime!, $to: DateTime!) {
  page: arrivals(communeCode: "00024", from: $from, to: $to, first: 100) {
    edges { node { ...Row } }
  }
}
fragment Row on Passage { who: citizen { ...Person ... on Citizen { cover: insurance { holderId } } } }
fragment Person on Citizen { identity { fullName } vaccination @include(if: true) { status doses { number } } }`

// THE key test: a page of 100 arrivals, each asking three ministries about
// its citizen, is one batch per ministry, not 300 calls — whatever the
// timing, since the page resolver loads what the rows selected up front.
func TestArrivalsPageIsBatched(t *testing.T) {
	tests := []struct {
		name, query, field string
	}{
		{"plain", arrivalsWithCitizens, "arrivals"},
		{"fragments, aliases and directives", arrivalsWithFragments, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.LoaderWait = 0 }) // the production default, 2 ms
			r := h.post(tt.query, windowVars())
			r.noErrors(t)
			edges, _ := dig(r.Data, tt.field, "edges").([]any)
			if len(edges) != arrivalsN {
				t.Fatalf("edges = %d, want %d", len(edges), arrivalsN)
			}
			for _, op := range []struct {
				name  string
				calls *calls
			}{{"LookupMany", &h.pop.calls}, {"Records", &h.vac.calls}, {"Cards", &h.ins.calls}} {
				if n := op.calls.count(op.name); n != 1 {
					t.Errorf("%s calls = %d, want 1", op.name, n)
				}
				got := op.calls.keysOf(op.name)
				slices.Sort(got)
				want := make([]string, arrivalsN)
				for i := range want {
					want[i] = arrivalID(i)
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s keys: got %d keys, want the 100 travellers' IDs once each", op.name, len(got))
				}
			}
		})
	}
}

// The rows' data is right, not only the call counts.
func TestArrivalsPageRows(t *testing.T) {
	h := newHarness(t)
	r := h.post(arrivalsWithCitizens, windowVars())
	r.noErrors(t)
	edges, _ := dig(r.Data, "arrivals", "edges").([]any)
	for i, e := range edges {
		c := dig(e, "node", "citizen")
		if dig(c, "identity", "fullName") == nil || dig(c, "vaccination", "status") != "PARTIAL" || dig(c, "insurance", "holderId") != arrivalID(i) {
			t.Fatalf("edge %d incomplete: %v", i, c)
		}
	}
}

// Looking ahead loads only what was selected.
func TestArrivalsPageLoadsOnlyWhatIsSelected(t *testing.T) {
	h := newHarness(t)
	r := h.post(`query($from: DateTime!, $to: DateTime!) {
	  arrivals(communeCode: "00024", from: $from, to: $to, first: 100) { edges { node { citizen { identity { fullName } } } } } }`, windowVars())
	r.noErrors(t)
	if n := h.vac.total() + h.ins.total(); n != 0 {
		t.Errorf("%d calls to ministries nobody asked about", n)
	}
	r = h.post(`query($from: DateTime!, $to: DateTime!) {
	  arrivals(communeCode: "00024", from: $from, to: $to, first: 100) { edges { node { id traveller { name } } } } }`, windowVars())
	r.noErrors(t)
	if n := h.pop.count("LookupMany"); n != 1 {
		t.Errorf("LookupMany calls = %d, want 1 (from the first query only)", n)
	}
}

// One ministry down on the big page: its fields are null in every row with
// a path-scoped error, the other ministries' fields are all there.
func TestArrivalsPagePartialData(t *testing.T) {
	h := newHarness(t)
	h.ins.failure.set(upstreamErr(domain.UpstreamInsurance, domain.ErrTimeout))
	r := h.post(arrivalsWithCitizens, windowVars())
	edges, _ := dig(r.Data, "arrivals", "edges").([]any)
	if len(edges) != arrivalsN || len(r.Errors) != arrivalsN {
		t.Fatalf("edges = %d, errors = %d", len(edges), len(r.Errors))
	}
	for i, e := range edges {
		c := dig(e, "node", "citizen")
		if dig(c, "insurance") != nil || dig(c, "vaccination", "status") != "PARTIAL" || dig(c, "identity", "fullName") == nil {
			t.Fatalf("edge %d: %v", i, c)
		}
	}
	e := r.errorAt(t, "arrivals.edges.42.node.citizen.insurance")
	if e.code() != CodeUpstreamTimeout || e.Extensions["upstream"] != "insurance" {
		t.Errorf("error = %+v", e)
	}
	if n := h.ins.count("Cards"); n != 1 {
		t.Errorf("failing insurance asked %d times, want once", n)
	}
}

// Loaders live for one operation: a second request asks again.
func TestLoadersArePerRequest(t *testing.T) {
	h := newHarness(t)
	const q = `query($id: ID!) { citizen(id: $id) { identity { fullName } } }`
	h.post(q, map[string]any{"id": mainID})
	h.post(q, map[string]any{"id": mainID})
	if n := h.pop.count("LookupMany"); n != 2 {
		t.Errorf("LookupMany calls = %d, want 2", n)
	}
}
