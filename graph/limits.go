package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Defaults of the operation limits (ServerOptions and the config's graphql
// section). They admit every example in docs/schema.md and the demo's
// queries, a page of 100 arrivals with citizen, vaccination and insurance
// included; they refuse a page of 100 nested in a page of 100.
const (
	DefaultMaxDepth         = 12
	DefaultComplexityLimit  = 5000
	DefaultMaxAliases       = 30
	DefaultMaxRootFields    = 10
	DefaultParserTokenLimit = 15000
	DefaultMaxBodyBytes     = 1 << 20
)

// The complexity model. Every selected field costs 1. A field returning an
// object adds the cost of its selection; a list multiplies it by how many
// items the list is expected to hold:
//   - the edges of a connection (any field with a `first` argument) by the
//     page size asked for: `first`, its default (20) when absent, clamped to
//     1..100 (a `first` outside that range is refused by the resolver with
//     BAD_USER_INPUT, so it is not priced here);
//   - any other list of objects by the estimate in listSizes, or
//     defaultListSize when it has none.
//
// Lists of scalars and enums are leaves (cost 1): they come with their parent.
// Introspection (__schema, __type) costs 1 and does not count towards depth:
// gqlparser's MaxIntrospectionDepth rule bounds its nesting, the token limit
// its size, and it never reaches a ministry.
var listSizes = map[string]int{
	"Query.epidemicZones":         50, // one per province plus declared communes at a time
	"Vaccination.doses":           4,  // primary series plus boosters
	"RegistryCheck.fields":        4,  // the four identity fields
	"IdentityVerification.fields": 4,
	"Coverage.byDose":             4,
	"Coverage.byAgeBand":          6, // domain.StandardAgeBands
	"AgeBandCoverage.doses":       4,
}

// defaultListSize prices a list of objects without an estimate: a list added
// to the schema is never free (TestEveryObjectListIsPriced asks for an entry).
const defaultListSize = 10

// costCap keeps sums and products of hostile documents from overflowing.
const costCap = math.MaxInt32

// operationLimits is the gqlgen extension that checks each operation after
// parsing and validation, before any resolver runs: root fields, aliases,
// depth, complexity, and introspection when it is off. Every refusal is a
// GRAPHQL_VALIDATION_FAILED error that names the limit and never quotes the
// document. A limit <= 0 is not checked.
type operationLimits struct {
	maxDepth      int
	maxComplexity int
	maxAliases    int
	maxRootFields int
	introspection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationLimits{}

// LimitStats is what the limits measured on an operation, kept in the
// operation's stats (graphql.GetOperationContext(ctx).Stats) under
// LimitStatsExtension for logging and metrics.
type LimitStats struct {
	Depth, Complexity, Aliases, RootFields int
}

// LimitStatsExtension is the key of LimitStats in the operation's stats.
const LimitStatsExtension = "OperationLimits"

func (operationLimits) ExtensionName() string                   { return LimitStatsExtension }
func (operationLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l operationLimits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	root := measureRoot(op.SelectionSet)
	if !l.introspection && root.introspection {
		// Refused as a whole, before any resolver: no partial answer with
		// the schema missing, and nothing else runs either.
		return limitError(op, "introspection is disabled")
	}
	w := walker{vars: opCtx.Variables, memo: map[fragmentAt]measure{}}
	m := w.selectionSet(op.SelectionSet, 0)
	stats := &LimitStats{Depth: m.depth, Complexity: m.cost, Aliases: m.aliases, RootFields: root.fields}
	opCtx.Stats.SetExtension(LimitStatsExtension, stats)
	switch {
	case l.maxRootFields > 0 && root.fields > l.maxRootFields:
		return limitError(op, fmt.Sprintf("the operation selects %d root fields; the limit is %d", root.fields, l.maxRootFields))
	case l.maxAliases > 0 && m.aliases > l.maxAliases:
		return limitError(op, fmt.Sprintf("the operation uses %s aliases; the limit is %d", atLeast(m.aliases), l.maxAliases))
	case l.maxDepth > 0 && m.depth > l.maxDepth:
		return limitError(op, fmt.Sprintf("the operation nests fields %d deep; the limit is %d", m.depth, l.maxDepth))
	case l.maxComplexity > 0 && m.cost > l.maxComplexity:
		return limitError(op, fmt.Sprintf("the operation's estimated cost is %s; the limit is %d (lists count once per expected item: ask for smaller pages or fewer nested lists)", atLeast(m.cost), l.maxComplexity))
	}
	return nil
}

// atLeast prints a saturated count honestly.
func atLeast(n int) string {
	if n >= costCap {
		return "over " + strconv.Itoa(costCap)
	}
	return strconv.Itoa(n)
}

func limitError(op *ast.OperationDefinition, msg string) *gqlerror.Error {
	err := &gqlerror.Error{Message: msg}
	if op.Position != nil {
		err.Locations = []gqlerror.Location{{Line: op.Position.Line, Column: op.Position.Column}}
	}
	errcode.Set(err, CodeValidationFailed) // 422, like any validation failure
	return err
}

// rootMeasure is what the operation asks for at its root.
type rootMeasure struct {
	fields        int  // distinct response keys, __typename aside
	introspection bool // __schema or __type
}

func measureRoot(set ast.SelectionSet) rootMeasure {
	keys := map[string]bool{}
	var m rootMeasure
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Name == "__schema" || s.Name == "__type" {
					m.introspection = true
				}
				if s.Name != "__typename" {
					keys[s.Alias] = true
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				// Spreading one fragment twice at the root adds no field.
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
	m.fields = len(keys)
	return m
}

// measure is what a selection set costs, with fragments expanded.
type measure struct {
	depth   int // deepest field, the set's own fields being 1
	aliases int // fields whose response key differs from their name
	cost    int // see listSizes
}

// fragmentAt memoizes a fragment's measure: it depends only on the page size
// of the connection it is spread in, so a document that spreads fragments in
// fragments exponentially often is still measured in linear time.
type fragmentAt struct {
	name string
	page int
}

type walker struct {
	vars map[string]any
	memo map[fragmentAt]measure
}

// selectionSet measures set; page > 0 when set is a connection's selection
// asked for with that page size (its list fields are the pages' edges).
func (w *walker) selectionSet(set ast.SelectionSet, page int) measure {
	var out measure
	for _, sel := range set {
		var m measure
		switch s := sel.(type) {
		case *ast.Field:
			m = w.field(s, page)
		case *ast.InlineFragment:
			m = w.selectionSet(s.SelectionSet, page)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			key := fragmentAt{s.Name, page}
			var ok bool
			if m, ok = w.memo[key]; !ok {
				m = w.selectionSet(s.Definition.SelectionSet, page)
				w.memo[key] = m
			}
		}
		out.depth = max(out.depth, m.depth)
		out.aliases = satAdd(out.aliases, m.aliases)
		out.cost = satAdd(out.cost, m.cost)
	}
	return out
}

func (w *walker) field(f *ast.Field, page int) measure {
	m := measure{depth: 1, cost: 1}
	if f.Alias != "" && f.Alias != f.Name {
		m.aliases = 1
	}
	if f.Name == "__schema" || f.Name == "__type" || f.Definition == nil || len(f.SelectionSet) == 0 {
		return m
	}
	child := w.selectionSet(f.SelectionSet, w.pageSize(f))
	items := 1
	if f.Definition.Type.Elem != nil {
		items = listSize(f, page)
	}
	m.depth += child.depth
	m.aliases = satAdd(m.aliases, child.aliases)
	m.cost = satAdd(m.cost, satMul(items, child.cost))
	return m
}

func listSize(f *ast.Field, page int) int {
	if page > 0 {
		return page
	}
	if f.ObjectDefinition != nil {
		if n, ok := listSizes[f.ObjectDefinition.Name+"."+f.Name]; ok {
			return n
		}
	}
	return defaultListSize
}

// pageSize is the page a connection field asks for, 0 when f has no `first`
// argument. Read without gqlparser's ArgumentMap, which panics on values it
// cannot convert.
func (w *walker) pageSize(f *ast.Field) int {
	def := f.Definition.Arguments.ForName(fieldFirst)
	if def == nil {
		return 0
	}
	var v any
	have := false
	if a := f.Arguments.ForName(fieldFirst); a != nil && a.Value != nil {
		if a.Value.Kind == ast.Variable {
			v, have = w.vars[a.Value.Raw]
		} else if a.Value.Kind != ast.NullValue {
			v, have = a.Value.Raw, true
		} else {
			have = true // explicit null: the resolver's default
		}
	}
	if !have && def.DefaultValue != nil && def.DefaultValue.Kind != ast.NullValue {
		v = def.DefaultValue.Raw
	}
	n, ok := toInt(v)
	if !ok {
		return defaultFirst
	}
	return min(max(n, 1), maxFirst)
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int32:
		return int(x), true
	case int64:
		return clampInt64(x), true
	case float64:
		if math.IsNaN(x) {
			return 0, false
		}
		return clampInt64(int64(max(min(x, math.MaxInt32), math.MinInt32))), true
	case json.Number:
		return toInt(string(x))
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return clampInt64(n), true
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return toInt(f)
		}
	}
	return 0, false
}

func clampInt64(n int64) int {
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

func satAdd(a, b int) int {
	if a >= costCap-b {
		return costCap
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > costCap/a {
		return costCap
	}
	return a * b
}

// rulesWithoutSuggestions is gqlparser's rule set without the "Did you mean"
// hints that would let a client probe the schema with introspection off.
// gqlgen swaps FieldsOnCorrectType and ScalarLeafs itself
// (SetDisableSuggestion); ValuesOfCorrectType's message is replaced whole by
// the presenter.
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct{ from, to core.Rule }{
		{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
		{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.from.Name)
		r.AddRule(swap.to.Name, swap.to.RuleFunc)
	}
	return r
}
