package graph

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/generated"
	"github.com/vn-epidemic/hub/policy"
	"github.com/vn-epidemic/hub/principal"
)

// ---- schema lint ----

// unclassified lists the scalar and enum fields of personal types that carry
// no personal data, each with the reason. Anything else without @personal
// fails TestSchemaPersonalFields.
var unclassified = map[string]string{
	"QRLookup.kind":          "which QR layout was read, not a value from it",
	"FieldCheck.field":       "names which of the four fields was compared, carries no value",
	"Feedback.id":            "the platform's feedback ID, needed to resolve it; says nothing about the person",
	"PageInfo.*":             "paging state",
	"AdminUnit.*":            "public administrative units; whose unit it is is labelled on the field that leads here",
	"Checkpoint.*":           "a public checkpoint; labelled MOVEMENT on Passage.checkpoint",
	"VaccinationSite.*":      "a public vaccination site; labelled HEALTH on Dose.site",
	"*Connection.totalCount": "a count of rows; the edge leading to the connection is labelled",
	"*Edge.cursor":           "opaque paging cursor",
}

func allowlisted(typ, field string) bool {
	for _, k := range []string{typ + "." + field, typ + ".*"} {
		if _, ok := unclassified[k]; ok {
			return true
		}
	}
	for _, suffix := range []string{"Connection", "Edge"} {
		if strings.HasSuffix(typ, suffix) {
			if _, ok := unclassified["*"+suffix+"."+field]; ok {
				return true
			}
		}
	}
	return false
}

// personalRoots are the types whose data is about a person, and the
// mutation payloads: every type reachable from them is a personal type.
var personalRoots = []string{"Citizen", "Passage", "Reconciliation", "Feedback", "HealthDeclaration", "QRLookup", "IdentityVerification",
	"SubmitHealthDeclarationPayload", "RecordCheckpointPassagePayload", "RecordDosePayload", "SubmitFeedbackPayload", "ResolveFeedbackPayload"}

func parsedSchema() *ast.Schema { return generated.NewExecutableSchema(generated.Config{}).Schema() }

func personalTypes(s *ast.Schema) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(t string) {
		def := s.Types[t]
		if seen[t] || def == nil || def.Kind != ast.Object {
			return
		}
		seen[t] = true
		for _, f := range def.Fields {
			walk(f.Type.Name())
		}
	}
	for _, r := range personalRoots {
		walk(r)
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func TestSchemaPersonalFields(t *testing.T) {
	s := parsedSchema()
	rules, _, err := buildRules(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range personalTypes(s) {
		for _, f := range s.Types[typ].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			rule := rules[typ][f.Name]
			target := s.Types[f.Type.Name()]
			leaf := target.Kind == ast.Scalar || target.Kind == ast.Enum
			name := typ + "." + f.Name
			switch {
			case leaf && !rule.personal && !allowlisted(typ, f.Name):
				t.Errorf("%s carries no @personal class: label it, or add it to the allowlist with a reason", name)
			case rule.personal && f.Type.NonNull:
				t.Errorf("%s is @personal but non-null: a denial must null only this field", name)
			}
			if !rule.personal || rule.mask == "" {
				continue
			}
			fits := map[string][]string{
				"ID_NUMBER": {"String", "ID"}, "FULL_NAME": {"String"}, "FAMILY_NAME": {"String"}, "INITIALS": {"String"},
				"PHONE": {"String"}, "DATE": {"Date"}, "ADDRESS": {"AdminUnit"},
			}
			mask := string(rule.mask)
			if mask == "PER_FIELD" {
				if leaf || f.Type.Elem != nil {
					t.Errorf("%s: PER_FIELD is for fields of an object type", name)
				}
				continue
			}
			if !slices.Contains(fits[mask], f.Type.Name()) || f.Type.Elem != nil {
				t.Errorf("%s: mask %s does not fit type %s", name, mask, f.Type.String())
			}
		}
	}
}

// The policy must declare every root field of the schema as an operation;
// an undeclared one would be refused to everyone.
func TestPolicyCoversOperations(t *testing.T) {
	s := parsedSchema()
	pol := mustPolicy(t, defaultPolicy)
	for _, c := range []struct {
		typ      *ast.Definition
		declared []string
	}{{s.Query, pol.Queries()}, {s.Mutation, pol.Mutations()}} {
		var fields []string
		for _, f := range c.typ.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			fields = append(fields, f.Name)
			if !slices.Contains(c.declared, f.Name) {
				t.Errorf("%s.%s is not an operation of the default policy", c.typ.Name, f.Name)
			}
		}
		for _, op := range c.declared {
			if !slices.Contains(fields, op) {
				t.Logf("the default policy declares %s.%s, which the schema does not have (yet)", c.typ.Name, op)
			}
		}
	}
}

// ---- principals of the default policy ----

// outsideCommune is a commune of Hồ Chí Minh City: outside Hà Nội, where the
// test world's people live.
func outsideCommune(t testing.TB) string {
	cs := testDirectory(t).Communes("79")
	if len(cs) == 0 {
		t.Fatal("no commune in province 79")
	}
	return cs[0].Code
}

// posted is a principal of role posted inside (or outside) the locality of
// someone living in commune (of province 01) whose ID is self.
func posted(t testing.TB, pol *policy.Policy, role, purpose string, inside bool, commune, self string) *principal.Principal {
	p := &principal.Principal{Subject: "officer-" + role, Roles: []string{role}, Purpose: purpose}
	r, _ := pol.Role(role)
	rule := policy.LocalityNational
	for _, g := range r.Grants {
		if slices.Contains(g.Purposes, purpose) {
			rule = g.Locality
		}
	}
	switch {
	case rule == policy.LocalitySelf || role == "citizen":
		p.CitizenID = self
		if !inside {
			p.CitizenID = arrivalID(99)
		}
	case rule == policy.LocalityProvince:
		p.Locality.Provinces = []string{"01"}
		if !inside {
			p.Locality.Provinces = []string{"79"}
		}
	default:
		p.Locality.Communes = []string{commune}
		if !inside {
			p.Locality.Communes = []string{outsideCommune(t)}
		}
	}
	return p
}

// purposesFor lists, for a role, every purpose it may use, one it may not,
// and none.
func purposesFor(pol *policy.Policy, role string) []string {
	r, _ := pol.Role(role)
	var out []string
	for _, g := range r.Grants {
		out = append(out, g.Purposes...)
	}
	for _, p := range pol.Purposes() {
		if !slices.Contains(out, p.Name) {
			out = append(out, p.Name)
			break
		}
	}
	return append(out, "")
}

func newPolicyHarness(t testing.TB, logs *bytes.Buffer) *harness {
	h := newHarness(t, func(c *Config) { c.Policy = mustPolicy(t, defaultPolicy); c.LoaderWait = time.Microsecond })
	opts := ServerOptions{Introspection: true}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	h.srv = h.authed(NewServer(h.res, opts))
	h.c = newClient(h.srv)
	return h
}

// ---- the matrix ----

// leafPath is one scalar or enum field under Citizen: the JSON path to it
// (with index 0 into lists) and the fields along the way.
type leafPath struct {
	json  []any
	types []string // the type each step's field belongs to
	names []string
}

// citizenSelection builds the selection of every field under Citizen from
// the schema, and the paths to its leaves.
func citizenSelection(s *ast.Schema) (string, []leafPath) {
	var leaves []leafPath
	var sel func(typ string, json []any, types, names []string) string
	sel = func(typ string, json []any, types, names []string) string {
		var b strings.Builder
		for _, f := range s.Types[typ].Fields {
			target := s.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || target.Name == "Citizen" || target.Name == "PageInfo" {
				continue
			}
			leaf := target.Kind == ast.Scalar || target.Kind == ast.Enum
			p := append(slices.Clone(json), f.Name)
			if f.Type.Elem != nil && !leaf {
				p = append(p, 0) // the first row stands for all (the others are checked by their errors)
			}
			ts, ns := append(slices.Clone(types), typ), append(slices.Clone(names), f.Name)
			b.WriteString(" " + f.Name)
			switch {
			case leaf:
				leaves = append(leaves, leafPath{json: p, types: ts, names: ns})
			case target.Name == "AdminUnit":
				b.WriteString(" { code }")
				leaves = append(leaves, leafPath{json: append(p, "code"), types: append(ts, "AdminUnit"), names: append(ns, "code")})
			default:
				b.WriteString(" {" + sel(target.Name, p, ts, ns) + " }")
			}
		}
		return b.String()
	}
	q := "query($id: ID!) { citizen(id: $id) {" + sel("Citizen", []any{"citizen"}, nil, nil) + " } }"
	return q, leaves
}

// expectation is what one leaf must be: its value, masked, or refused at a
// path (the leaf itself or the labelled field above it that refused).
type expectation struct {
	refusedAt []any // nil: a value is expected
	mask      string
}

func expect(pol *policy.Policy, rules accessRules, p *principal.Principal, subj policy.Subject, leaf leafPath) expectation {
	for i := range leaf.names {
		rule := rules[leaf.types[i]][leaf.names[i]]
		if !rule.personal {
			continue
		}
		at := leaf.json[:jsonIndex(leaf, i)+1]
		d := pol.Decide(p, rule.class, subj)
		switch {
		case d.Effect == policy.Deny, d.Effect == policy.Mask && rule.mask == "":
			return expectation{refusedAt: at}
		case d.Effect == policy.Mask && i == len(leaf.names)-1:
			return expectation{mask: string(rule.mask)}
		}
	}
	return expectation{}
}

// jsonIndex finds where the i-th field of a leaf's path sits in its JSON path.
func jsonIndex(leaf leafPath, i int) int {
	n := -1
	for j, step := range leaf.json[1:] {
		if _, ok := step.(string); ok {
			n++
			if n == i {
				return j + 1
			}
		}
	}
	return len(leaf.json) - 1
}

func maskValue(kind string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch kind {
	case "ID_NUMBER":
		return policy.MaskID(s)
	case "FULL_NAME":
		return policy.MaskFullName(s)
	case "PHONE":
		return policy.MaskPhone(s)
	case "INITIALS":
		return policy.MaskName(domain.PersonName{Given: s}).Given
	case "DATE":
		return s[:4]
	}
	return s
}

// rowIndex matches a list index in a path: every row is decided like row 0.
var rowIndex = regexp.MustCompile(`\.[0-9]+\.`)

func pathKey(p []any) string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ".")
}

// TestAccessMatrix runs, for every role of the default policy × each of its
// purposes, one it may not use and none × inside and outside the locality
// (self and someone else for citizens), one query selecting every field
// under Citizen, and checks each classified field is exactly as Decide says:
// the value, the masked value, or null with FORBIDDEN at the path of the
// first labelled field that refused. It also checks that nothing of the
// test world's personal data reaches an error or the log.
func TestAccessMatrix(t *testing.T) {
	pol := mustPolicy(t, defaultPolicy)
	s := parsedSchema()
	rules, classes, err := buildRules(s)
	if err != nil {
		t.Fatal(err)
	}
	query, leaves := citizenSelection(s)
	vars := map[string]any{"id": mainID}

	var logs bytes.Buffer
	h := newPolicyHarness(t, &logs)
	// The truth: everything, from the behaviour tests' policy.
	truthH := newHarness(t)
	truth := truthH.post(query, vars)
	truth.noErrors(t)
	for _, l := range leaves {
		if dig(truth.Data, l.json...) == nil && !strings.HasSuffix(pathKey(l.json), "resolvedAt") &&
			!strings.Contains(pathKey(l.json), "resolution") && !strings.Contains(pathKey(l.json), "resolvedBy") &&
			!strings.Contains(pathKey(l.json), "fiveYearsSince") && !strings.Contains(pathKey(l.json), "transport") {
			t.Errorf("the test world has no value at %s: the matrix would not test it", pathKey(l.json))
		}
	}
	// Where Đào lives for the registry: her current residence.
	subj := policy.Subject{CitizenID: mainID, CommuneCode: "00033", ProvinceCode: "01", Known: true}

	cases := 0
	for _, role := range pol.Roles() {
		for _, purpose := range purposesFor(pol, role.Name) {
			for _, inside := range []bool{true, false} {
				p := posted(t, pol, role.Name, purpose, inside, "00033", mainID)
				name := fmt.Sprintf("%s/%s/inside=%v", role.Name, purpose, inside)
				t.Run(name, func(t *testing.T) {
					h.t = t
					r := h.as(p).post(query, vars)
					errs := map[string]gqlError{}
					for _, e := range r.Errors {
						errs[rowIndex.ReplaceAllString(e.pathString(), ".0.")] = e
						if e.code() != CodeForbidden {
							t.Errorf("unexpected error %s at %s", e.code(), e.pathString())
						}
					}
					if d := pol.Operation(p, "citizen"); d.Effect != policy.Allow {
						if _, ok := errs["citizen"]; !ok || dig(r.Data, "citizen") != nil {
							t.Fatalf("operation refused by the policy (%s) but answered: %s", d.Reason, r.rawErrors)
						}
						return
					}
					visible := false
					for _, c := range classes {
						visible = visible || pol.Decide(p, c, subj).Allowed()
					}
					if !visible {
						if _, ok := errs["citizen"]; !ok || dig(r.Data, "citizen") != nil {
							t.Fatalf("citizen outside what the caller may see, but answered: %s", r.rawErrors)
						}
						return
					}
					expectedErrs := map[string]bool{}
					for _, l := range leaves {
						want := expect(pol, rules, p, subj, l)
						key := pathKey(l.json)
						got := dig(r.Data, l.json...)
						switch {
						case want.refusedAt != nil:
							at := pathKey(want.refusedAt)
							expectedErrs[at] = true
							if dig(r.Data, want.refusedAt...) != nil {
								t.Errorf("%s: want null (refused at %s), got a value", key, at)
							}
							if _, ok := errs[at]; !ok {
								t.Errorf("%s: no FORBIDDEN at %s", key, at)
							}
						case want.mask != "":
							if w := maskValue(want.mask, dig(truth.Data, l.json...)); got != w {
								t.Errorf("%s: masked %s: got %v, want %v", key, want.mask, got, w)
							}
						default:
							if w := dig(truth.Data, l.json...); fmt.Sprint(got) != fmt.Sprint(w) {
								t.Errorf("%s: got %v, want %v", key, got, w)
							}
						}
					}
					for at := range errs {
						if !expectedErrs[at] {
							t.Errorf("unexpected FORBIDDEN at %s", at)
						}
					}
				})
				cases++
			}
		}
	}
	h.t = t
	if cases < 40 {
		t.Errorf("only %d matrix cases", cases)
	}
	for _, pd := range h.personalData() {
		if strings.Contains(logs.String(), pd) {
			t.Errorf("personal data %q in the log", pd)
		}
	}
}
