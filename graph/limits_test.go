package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/vn-epidemic/hub/graph/generated"
)

func testSchema(t testing.TB) *ast.Schema {
	t.Helper()
	return generated.NewExecutableSchema(generated.Config{}).Schema()
}

var defaultLimits = operationLimits{
	maxDepth: DefaultMaxDepth, maxComplexity: DefaultComplexityLimit,
	maxAliases: DefaultMaxAliases, maxRootFields: DefaultMaxRootFields,
}

// measureDoc validates query against the schema and runs the limits on it,
// as the server does after validation.
func measureDoc(t testing.TB, l operationLimits, query string, vars map[string]any) (LimitStats, *gqlerror.Error) {
	t.Helper()
	schema := testSchema(t)
	doc, errs := gqlparser.LoadQuery(schema, query)
	if len(errs) > 0 {
		t.Fatalf("does not validate: %v\n%s", errs, query)
	}
	op := doc.Operations[0]
	coerced := map[string]any{} // no variables: each takes its default, as the limits do
	if vars != nil {
		var err error
		if coerced, err = validator.VariableValues(schema, op, vars); err != nil {
			t.Fatalf("variables: %v", err)
		}
	}
	opCtx := &graphql.OperationContext{Doc: doc, Operation: op, Variables: coerced}
	gerr := l.MutateOperationContext(context.Background(), opCtx)
	stats, _ := opCtx.Stats.GetExtension(LimitStatsExtension).(*LimitStats)
	if stats == nil {
		return LimitStats{}, gerr
	}
	return *stats, gerr
}

const window = `from: "2021-11-14T00:00:00Z", to: "2021-11-15T00:00:00Z"`

// TestComplexityModel pins the documented model on small operations.
func TestComplexityModel(t *testing.T) {
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  LimitStats
	}{
		{"scalar under an object", `{ citizen(id: "001190012345") { id } }`, nil,
			LimitStats{Depth: 2, Complexity: 2, RootFields: 1}},
		{"plain list estimate", `{ epidemicZones { name level } }`, nil,
			LimitStats{Depth: 2, Complexity: 1 + 50*2, RootFields: 1}},
		{"doses x4", `{ citizen(id: "001190012345") { vaccination { doses { number date } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + (1 + (1 + 4*2)), RootFields: 1}},
		{"list of enums is a leaf", `{ citizen(id: "001190012345") { vaccination { reconciliation { mismatched } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 4, RootFields: 1}},
		{"connection, default first 20", `{ arrivals(communeCode: "00024", ` + window + `) { totalCount edges { node { id } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + 1 + (1 + 20*2), RootFields: 1}},
		{"connection, first 100", `{ arrivals(communeCode: "00024", ` + window + `, first: 100) { edges { cursor node { id } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + (1 + 100*3), RootFields: 1}},
		{"first from a variable", `query($n: Int) { arrivals(communeCode: "00024", ` + window + `, first: $n) { edges { node { id } } } }`,
			map[string]any{"n": 7}, LimitStats{Depth: 4, Complexity: 1 + (1 + 7*2), RootFields: 1}},
		{"first from a variable's default", `query($n: Int = 5) { arrivals(communeCode: "00024", ` + window + `, first: $n) { edges { node { id } } } }`,
			map[string]any{}, LimitStats{Depth: 4, Complexity: 1 + (1 + 5*2), RootFields: 1}},
		{"first null is the default", `query($n: Int) { arrivals(communeCode: "00024", ` + window + `, first: $n) { edges { node { id } } } }`,
			map[string]any{"n": nil}, LimitStats{Depth: 4, Complexity: 1 + (1 + 20*2), RootFields: 1}},
		{"first over the maximum is priced at 100 (the resolver refuses it)", `{ arrivals(communeCode: "00024", ` + window + `, first: 1000000) { edges { node { id } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + (1 + 100*2), RootFields: 1}},
		{"first below 1 is priced at 1", `{ arrivals(communeCode: "00024", ` + window + `, first: -5) { edges { node { id } } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + (1 + 1*2), RootFields: 1}},
		{"page of 100 in a page of 100", `{ arrivals(communeCode: "00024", ` + window + `, first: 100) { edges { node { citizen { movements(first: 100) { edges { node { id } } } } } } } }`, nil,
			LimitStats{Depth: 8, Complexity: 1 + (1 + 100*(1+(1+(1+(1+100*2))))), RootFields: 1}},
		{"fragments are expanded", `query { ...Q } fragment Q on Query { citizen(id: "001190012345") { ...C vaccination { ...V } } } fragment C on Citizen { id oldId } fragment V on Vaccination { status }`, nil,
			LimitStats{Depth: 3, Complexity: 1 + 2 + 2, RootFields: 1}},
		{"a fragment in a connection takes its page size", `query { arrivals(communeCode: "00024", ` + window + `, first: 10) { ...P } } fragment P on PassageConnection { edges { node { id } } }`, nil,
			LimitStats{Depth: 4, Complexity: 1 + (1 + 10*2), RootFields: 1}},
		{"aliases count wherever they are", `{ a: citizen(id: "001190012345") { x: id y: oldId } }`, nil,
			LimitStats{Depth: 2, Complexity: 3, Aliases: 3, RootFields: 1}},
		{"__typename is not a root field", `{ __typename }`, nil, LimitStats{Depth: 1, Complexity: 1}},
		{"introspection costs 1", `{ __schema { types { name fields { name } } } }`, nil,
			LimitStats{Depth: 1, Complexity: 1, RootFields: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := defaultLimits
			l.introspection = true
			l.maxComplexity = -1
			got, err := measureDoc(t, l, tt.query, tt.vars)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got != tt.want {
				t.Errorf("stats = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestEveryObjectListIsPriced keeps listSizes in step with the schema: a
// list of objects outside a connection needs a documented estimate, and
// every estimate names a real list field.
func TestEveryObjectListIsPriced(t *testing.T) {
	schema := testSchema(t)
	for _, def := range schema.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		connection := def.Fields.ForName("edges") != nil && def.Fields.ForName("pageInfo") != nil
		for _, f := range def.Fields {
			if f.Type.Elem == nil || connection && f.Name == "edges" {
				continue
			}
			if k := schema.Types[f.Type.Name()].Kind; k != ast.Object && k != ast.Interface && k != ast.Union {
				continue
			}
			if _, ok := listSizes[def.Name+"."+f.Name]; !ok {
				t.Errorf("%s.%s is a list of objects without an estimate in listSizes", def.Name, f.Name)
			}
		}
	}
	for key := range listSizes {
		typ, field, _ := strings.Cut(key, ".")
		def := schema.Types[typ]
		if def == nil || def.Fields.ForName(field) == nil || def.Fields.ForName(field).Type.Elem == nil {
			t.Errorf("listSizes has %s, which is not a list field of the schema", key)
		}
	}
	// Every connection field takes `first`, so its edges are priced by page.
	for _, def := range schema.Types {
		for _, f := range def.Fields {
			if t2 := schema.Types[f.Type.Name()]; t2 != nil && strings.HasSuffix(t2.Name, "Connection") && f.Arguments.ForName(fieldFirst) == nil {
				t.Errorf("%s.%s returns a connection without a first argument", def.Name, f.Name)
			}
		}
	}
}

// demoQueries are the demo's example queries (cmd/hub/queries.go), read
// from the source so that this test follows them, with their %s filled.
func demoQueries(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("../cmd/hub/queries.go")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string][]any{
		"citizenQuery":        {mainID},
		"qrQuery":             {mainID},
		"arrivalsQuery":       {"79", "2021-11-14T00:00:00Z", "2021-11-15T09:00:00Z"},
		"reconciliationQuery": {mainCommune},
		"coverageQuery":       {"01"},
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)const (\\w+) = `(.*?)`").FindAllSubmatch(src, -1) {
		name := string(m[1])
		a, ok := args[name]
		if !ok {
			t.Fatalf("demo query %s has no test arguments: add them here", name)
		}
		out[name] = fmt.Sprintf(string(m[2]), a...)
	}
	if len(out) < 5 {
		t.Fatalf("found %d demo queries", len(out))
	}
	return out
}

// TestLegitimateWorkloadsPassDefaults: the demo's queries run under the
// default limits with introspection off; every example of the front-end
// guide and the standard introspection query (tools, the explorer's docs)
// stay within them; the hub's main workload leaves headroom.
func TestLegitimateWorkloadsPassDefaults(t *testing.T) {
	h := newHarness(t)
	h.srv = h.authed(NewServer(h.res, ServerOptions{}))
	h.c = newClient(h.srv)
	for name, q := range demoQueries(t) {
		t.Run("demo "+name, func(t *testing.T) {
			if stats, _ := measureDoc(t, defaultLimits, q, nil); stats.Complexity > DefaultComplexityLimit/2 || stats.Depth > DefaultMaxDepth-3 {
				t.Errorf("little headroom under the defaults: %+v", stats)
			}
			status, body := h.rawPost(q, nil)
			var resp struct {
				Data   map[string]any
				Errors []gqlError
			}
			if err := json.Unmarshal(body, &resp); err != nil || status != http.StatusOK || resp.Data == nil {
				t.Fatalf("status %d: %s", status, body)
			}
			for _, e := range resp.Errors {
				if e.code() == CodeValidationFailed || e.code() == CodeParseFailed {
					t.Errorf("refused: %+v", e)
				}
			}
		})
	}

	guide, err := os.ReadFile("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllSubmatch(guide, -1) {
		t.Run(fmt.Sprintf("guide example %d", i+1), func(t *testing.T) {
			if _, err := measureDoc(t, defaultLimits, string(b[1]), nil); err != nil {
				t.Errorf("refused: %v\n%s", err, b[1])
			}
		})
	}

	introspection, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	withIntrospection := defaultLimits
	withIntrospection.introspection = true
	if _, err := measureDoc(t, withIntrospection, string(introspection), nil); err != nil {
		t.Errorf("introspection query refused: %v", err)
	}

	stats, refused := measureDoc(t, defaultLimits, arrivalsWithCitizens, windowVars())
	if refused != nil || stats.Complexity > DefaultComplexityLimit/2 {
		t.Errorf("a page of 100 arrivals with citizen, vaccination and insurance: %+v, %v; want well under %d",
			stats, refused, DefaultComplexityLimit)
	}
}

// nest builds citizen → vaccination → reconciliation → citizen … with the
// citizen reached n times.
func nest(n int) string {
	q := "id"
	for range n - 1 {
		q = "vaccination { reconciliation { citizen { " + q + " } } }"
	}
	return `{ citizen(id: "001190012345") { ` + q + ` } }`
}

func aliases(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
		b.WriteByte(' ')
	}
	return b.String()
}

// TestQueryAttacksAreRefusedBeforeAnyResolver sends each attack through the
// server with the default options: a coded refusal naming the limit, never
// the document, and not one call to a ministry.
func TestQueryAttacksAreRefusedBeforeAnyResolver(t *testing.T) {
	fragmentBomb := func() string {
		var b strings.Builder
		b.WriteString("query { ...F0 }\n")
		for i := range 40 {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
		}
		b.WriteString(`fragment F40 on Query { citizen(id: "001190012345") { id } }`)
		return b.String()
	}
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		status  int
		code    string
		message string
	}{
		{"deep nesting", nest(5), nil, 422, CodeValidationFailed, "the operation nests fields 14 deep; the limit is 12"},
		{"alias flood under one field", `{ citizen(id: "001190012345") { ` + aliases(300, "a%d: id") + ` } }`, nil,
			422, CodeValidationFailed, "the operation uses 300 aliases; the limit is 30"},
		{"alias flood in a fragment spread at two depths", `{ citizen(id: "001190012345") { ...A vaccination { reconciliation { citizen { ...A } } } } }
			fragment A on Citizen { ` + aliases(20, "a%d: id") + ` }`, nil,
			422, CodeValidationFailed, "the operation uses 40 aliases; the limit is 30"},
		{"alias flood at the root", `{ ` + aliases(300, `c%d: citizen(id: "001190012345") { id }`) + ` }`, nil,
			422, CodeValidationFailed, "the operation selects 300 root fields; the limit is 10"},
		{"many root fields", `{ ` + aliases(11, `z%d: epidemicZones { name }`) + ` }`, nil,
			422, CodeValidationFailed, "the operation selects 11 root fields; the limit is 10"},
		{"huge lists: a page of 100 in a page of 100", `query($w1: DateTime!, $w2: DateTime!) {
			arrivals(communeCode: "00024", from: $w1, to: $w2, first: 100) { edges { node { citizen {
				movements(first: 100) { edges { node { id time } } } } } } } }`,
			map[string]any{"w1": "2021-11-14T00:00:00Z", "w2": "2021-11-15T00:00:00Z"},
			422, CodeValidationFailed, "the operation's estimated cost is 30402; the limit is 5000"},
		{"huge lists: zones under every arrival", `{ arrivals(communeCode: "00024", ` + window + `, first: 100) { edges { node { citizen { id } } } } epidemicZones { adminUnit { province { name } } } z2: epidemicZones { name } }`, nil,
			200, "", ""}, // cheap enough: the control case
		{"exponential fragments", fragmentBomb(), nil, 422, CodeValidationFailed, "the operation's estimated cost is over"},
		{"over the token limit", `{ citizen(id: "001190012345") { ` + strings.Repeat("id ", DefaultParserTokenLimit) + `} }`, nil,
			422, CodeParseFailed, "exceeded token limit of 15000"},
		{"introspection off: __schema", `{ __schema { types { name } } }`, nil, 422, CodeValidationFailed, "introspection is disabled"},
		{"introspection off: __type", `{ __type(name: "Citizen") { fields { name } } }`, nil, 422, CodeValidationFailed, "introspection is disabled"},
		{"introspection off: hidden in a fragment next to data", `{ citizen(id: "001190012345") { id } ...I } fragment I on Query { t: __type(name: "Citizen") { name } }`, nil,
			422, CodeValidationFailed, "introspection is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.srv = h.authed(NewServer(h.res, ServerOptions{}))
			status, body := h.rawPost(tt.query, tt.vars)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", status, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			var resp struct {
				Data   any
				Errors []gqlError
			}
			if err := json.Unmarshal(body, &resp); err != nil || len(resp.Errors) != 1 || resp.Data != nil {
				t.Fatalf("want one error and no data: %.500s", body)
			}
			e := resp.Errors[0]
			if e.code() != tt.code || !strings.HasPrefix(e.Message, tt.message) {
				t.Errorf("error = %q (%s), want %q (%s)", e.Message, e.code(), tt.message, tt.code)
			}
			if n := h.upstreamCalls(); n != 0 {
				t.Errorf("%d upstream calls before the refusal", n)
			}
			for _, leak := range []string{mainID, "citizen", "vaccination", "a17"} {
				if strings.Contains(e.Message, leak) {
					t.Errorf("message quotes the document (%q): %s", leak, e.Message)
				}
			}
		})
	}
}

func TestFirstOutOfRangeIsStillBadUserInput(t *testing.T) {
	h := newHarness(t)
	h.srv = h.authed(NewServer(h.res, ServerOptions{}))
	h.c = newClient(h.srv)
	r := h.post(`{ citizen(id: "001190012345") { movements(first: 1000000) { edges { node { id } } } } }`, nil)
	if e := r.errorAt(t, "citizen.movements"); e.code() != CodeBadUserInput || e.Extensions["field"] != "first" {
		t.Errorf("error = %+v", e)
	}
}

// TestLimitsAreConfigurable: each option moves its limit; negative turns it off.
func TestLimitsAreConfigurable(t *testing.T) {
	const q = `{ a: citizen(id: "001190012345") { b: vaccination { c: doses { number } } } e: epidemicZones { name } }`
	tests := []struct {
		opts    ServerOptions
		refused string
	}{
		{ServerOptions{}, ""},
		{ServerOptions{MaxDepth: 3}, "nests fields 4 deep; the limit is 3"},
		{ServerOptions{ComplexityLimit: 55}, "estimated cost is 58; the limit is 55"},
		{ServerOptions{MaxAliases: 3}, "uses 4 aliases; the limit is 3"},
		{ServerOptions{MaxRootFields: 1}, "selects 2 root fields; the limit is 1"},
		{ServerOptions{ParserTokenLimit: 20}, "exceeded token limit of 20"},
		{ServerOptions{MaxDepth: -1, ComplexityLimit: -1, MaxAliases: -1, MaxRootFields: -1, ParserTokenLimit: -1}, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.opts), func(t *testing.T) {
			h := newHarness(t)
			h.srv = h.authed(NewServer(h.res, tt.opts))
			status, body := h.rawPost(q, nil)
			if tt.refused == "" {
				if status != http.StatusOK {
					t.Fatalf("refused: %d %s", status, body)
				}
				return
			}
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), tt.refused) {
				t.Fatalf("status %d: %s; want %q", status, body, tt.refused)
			}
		})
	}
}

// TestNoSuggestionsWhenIntrospectionIsOff: "Did you mean" would let a client
// rebuild the schema by guessing; with introspection on, the hints help.
func TestNoSuggestionsWhenIntrospectionIsOff(t *testing.T) {
	tests := []struct {
		name, query string
	}{
		{"misspelled field", `{ citizen(id: "001190012345") { identiti { fullName } } }`},
		{"misspelled argument", `{ citizen(idd: "001190012345", id: "001190012345") { id } }`},
		{"misspelled type", `{ citizen(id: "001190012345") { ...F } } fragment F on Citizn { id }`},
		{"object without selection", `{ citizen(id: "001190012345") { identity } }`},
		{"misspelled enum value", `{ verifyIdentity(input: {id: "001190012345", fullName: "x", sex: FEMAL, birthDate: "1990"}) { outcome } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.srv = h.authed(NewServer(h.res, ServerOptions{}))
			status, body := h.rawPost(tt.query, nil)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), CodeValidationFailed) {
				t.Fatalf("status %d: %s", status, body)
			}
			if strings.Contains(string(body), "Did you mean") || strings.Contains(string(body), "identity") && tt.name == "misspelled field" {
				t.Errorf("suggestion with introspection off: %s", body)
			}
		})
	}
	h := newHarness(t) // introspection on
	if _, body := h.rawPost(tests[0].query, nil); !strings.Contains(string(body), "Did you mean") {
		t.Errorf("no suggestion with introspection on: %s", body)
	}
}

// FuzzOperationLimits: any document that validates is measured without a
// panic, in bounded time, with non-negative counts.
func FuzzOperationLimits(f *testing.F) {
	f.Add(`{ citizen(id: "001190012345") { id vaccination { doses { number } } } }`, `{}`)
	f.Add(`query($n: Int) { arrivals(communeCode: "00024", from: "2021-11-14T00:00:00Z", to: "2021-11-15T00:00:00Z", first: $n) { edges { node { id } } } }`, `{"n": "99999999999999999999"}`)
	f.Add(`query($n: Int) { arrivals(communeCode: "00024", from: "2021-11-14T00:00:00Z", to: "2021-11-15T00:00:00Z", first: $n) { edges { node { id } } } }`, `{"n": 1e300}`)
	f.Add(`query { ...A } fragment A on Query { ...B ...B } fragment B on Query { epidemicZones { name } }`, `{}`)
	f.Add(nest(6), `{}`)
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	f.Fuzz(func(t *testing.T, query, vars string) {
		doc, errs := gqlparser.LoadQuery(schema, query)
		if len(errs) > 0 || len(doc.Operations) == 0 {
			return
		}
		var v map[string]any
		_ = decodeJSONObject([]byte(vars), &v)
		coerced, err := validator.VariableValues(schema, doc.Operations[0], v)
		if err != nil {
			return
		}
		opCtx := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: coerced}
		_ = defaultLimits.MutateOperationContext(context.Background(), opCtx)
		s, _ := opCtx.Stats.GetExtension(LimitStatsExtension).(*LimitStats)
		if s != nil && (s.Depth < 0 || s.Complexity < 0 || s.Aliases < 0 || s.RootFields < 0) {
			t.Errorf("negative stats %+v", s)
		}
	})
}
