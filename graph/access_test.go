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
	"github.com/vn-epidemic/hub/qr"
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

// leafPath is one scalar or enum field under a root field: the JSON path to
// it (with index 0 into lists) and the fields along the way, the root field
// first.
type leafPath struct {
	json  []any
	types []string // the type each step's field belongs to
	names []string
}

// selection builds the selection of every field under the root field op
// (of type typ, on Query or Mutation) from the schema, and the paths to its
// leaves. A Citizen is entered once: not again from inside a Citizen.
func selection(s *ast.Schema, root, op, typ string) (string, []leafPath) {
	var leaves []leafPath
	var sel func(typ string, json []any, types, names []string, inCitizen bool) string
	sel = func(typ string, json []any, types, names []string, inCitizen bool) string {
		var b strings.Builder
		for _, f := range s.Types[typ].Fields {
			target := s.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || target.Name == "Citizen" && inCitizen || target.Name == "PageInfo" {
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
				b.WriteString(" {" + sel(target.Name, p, ts, ns, inCitizen || target.Name == "Citizen") + " }")
			}
		}
		return b.String()
	}
	q := sel(typ, []any{op}, []string{root}, []string{op}, typ == "Citizen")
	return q, leaves
}

// citizenSubject is where Đào lives for the registry: her current residence.
var citizenSubject = policy.Subject{CitizenID: mainID, CommuneCode: "00033", ProvinceCode: "01", Known: true}

// matrixEntry is one root field of the matrix: how to call it, whose data its
// rows are, and which commune is "inside" for the callers posted to test it.
type matrixEntry struct {
	name     string // a name for the subtest
	root     string // Query or Mutation
	op       string // the root field
	varDefs  string // "($x: T!)", or ""
	args     string // "(a: $x)", or ""
	vars     map[string]any
	home     string         // the commune a caller posted "inside" serves
	row      policy.Subject // whose data the fields outside a Citizen are
	admitted func(sc policy.Scope) bool
	// callerAt names the leaf whose value is the caller's subject (resolvedBy
	// of a resolved feedback), not the truth's.
	callerAt string
	query    string
	leaves   []leafPath
}

// admitsUnit is the check of a list (authorizeUnit): the unit must be in the
// operation's scope.
func admitsUnit(unit string) func(policy.Scope) bool {
	return func(sc policy.Scope) bool { return sc.Permits(unit) }
}

// admitsSubject is the check of a write about a person (authorizeSubject).
func admitsSubject(s policy.Subject) func(policy.Scope) bool {
	return func(sc policy.Scope) bool {
		switch {
		case sc.National, sc.Self != "" && sc.Self == s.CitizenID:
			return true
		case s.CommuneCode != "":
			return sc.Permits(s.CommuneCode)
		}
		return sc.Permits(s.ProvinceCode)
	}
}

func admitsAll(policy.Scope) bool { return true }

// arrivalOfDao is the passage the arrivals entry reads: Đào arriving in the
// commune she lives in, so its row and its citizen share one locality.
func arrivalOfDao() domain.Passage {
	return domain.Passage{ID: "AR-DAO", PersonID: mainID, FullName: mainName, Nationality: "VN", CheckpointCode: "CP-HN-03",
		CheckpointName: "Chốt Cầu Giấy", Time: testNow.Add(-30 * time.Second), Direction: domain.DirectionIn,
		OriginCommune: mainCommune, DestinationCommune: "00033", Vehicle: "29A-99999"}
}

// matrixEntries lists every root field that leads to a classified field, in
// the order they run (the feedback list before the write that resolves it).
func matrixEntries(s *ast.Schema) []matrixEntry {
	person := domain.Person{ID: mainID, OldID: mainOldID, Name: domain.PersonName{Family: "Nguyễn", Middle: "Thị", Given: "Đào"},
		Sex: domain.SexFemale, BirthDate: domain.Date{Year: 1990, Month: time.July, Day: 15},
		Permanent: domain.Address{Detail: "Số 12, thôn Đông", CommuneName: "Xã Hòa Thạch", ProvinceName: "Hà Nội"}}
	chip := qr.EncodeChipCard(person, domain.Date{Year: 2021, Month: time.March, Day: 1}, false)
	at := func(commune string) policy.Subject {
		return policy.Subject{CitizenID: mainID, CommuneCode: commune, Known: true}
	}
	window := windowVars()
	entries := []matrixEntry{
		{name: "citizen", root: "Query", op: "citizen", varDefs: "($id: ID!)", args: "(id: $id)", vars: map[string]any{"id": mainID},
			home: "00033", row: citizenSubject, admitted: admitsAll},
		{name: "citizenByQR", root: "Query", op: "citizenByQR", varDefs: "($p: String!)", args: "(payload: $p)", vars: map[string]any{"p": chip},
			home: "00033", row: citizenSubject, admitted: admitsAll},
		{name: "citizenByQR/1405", root: "Query", op: "citizenByQR", varDefs: "($p: String!)", args: "(payload: $p)",
			vars: map[string]any{"p": qr.EncodePersonal1405(mainID, mainName, person.BirthDate, true, "Q1", nil)},
			home: "00033", row: citizenSubject, admitted: admitsAll},
		{name: "verifyIdentity", root: "Query", op: "verifyIdentity", varDefs: "($in: VerifyIdentityInput!)", args: "(input: $in)",
			vars: map[string]any{"in": map[string]any{"id": mainID, "fullName": mainName, "sex": "FEMALE", "birthDate": "1990-07-15"}},
			home: "00033", row: citizenSubject, admitted: admitsAll},
		{name: "arrivals", root: "Query", op: "arrivals", varDefs: "($from: DateTime!, $to: DateTime!)",
			args: `(communeCode: "00033", from: $from, to: $to, first: 1)`, vars: window,
			home: "00033", row: at("00033"), admitted: admitsUnit("00033")},
		{name: "reconciliation", root: "Query", op: "reconciliation", args: `(communeCode: "` + mainCommune + `", first: 1)`,
			home: mainCommune, row: at(mainCommune), admitted: admitsUnit(mainCommune)},
		{name: "feedback", root: "Query", op: "feedback", args: `(communeCode: "` + mainCommune + `", first: 1)`,
			home: mainCommune, row: at(mainCommune), admitted: admitsUnit(mainCommune)},
		{name: "submitHealthDeclaration", root: "Mutation", op: "submitHealthDeclaration", varDefs: "($in: HealthDeclarationInput!)", args: "(input: $in)",
			vars: map[string]any{"in": map[string]any{"kind": "DOMESTIC_TRAVEL", "documentNumber": mainID, "fullName": mainName, "birthYear": 1990,
				"sex": "FEMALE", "nationality": "VN", "phone": "0912345678", "communeCode": "00033", "address": "Số 5, ngõ 3",
				"transport": "xe máy", "symptoms": []string{"FEVER"}, "exposures": []string{"FROM_AFFECTED_AREA"}}},
			home: "00033", row: at("00033"), admitted: admitsSubject(at("00033"))},
		{name: "recordCheckpointPassage", root: "Mutation", op: "recordCheckpointPassage", varDefs: "($in: CheckpointPassageInput!)", args: "(input: $in)",
			vars: map[string]any{"in": map[string]any{"documentNumber": mainID, "fullName": mainName, "nationality": "VN", "checkpointCode": "CP-1",
				"direction": "IN", "originCommune": mainCommune, "destinationCommune": "00033", "vehicle": "29A-99999"}},
			home: "00033", row: at("00033"), admitted: admitsSubject(at("00033"))},
		{name: "recordDose", root: "Mutation", op: "recordDose", varDefs: "($in: RecordDoseInput!)", args: "(input: $in)",
			vars: doseVars(mainID, mainName, "1990-07-15"), home: "00033", row: citizenSubject, admitted: admitsSubject(citizenSubject)},
		{name: "submitFeedback", root: "Mutation", op: "submitFeedback", varDefs: "($in: SubmitFeedbackInput!)", args: "(input: $in)",
			vars: map[string]any{"in": map[string]any{"personId": mainID, "communeCode": "00033", "category": "OTHER", "text": "sai tên"}},
			home: "00033", row: at("00033"), admitted: admitsSubject(at("00033"))},
		{name: "resolveFeedback", root: "Mutation", op: "resolveFeedback", args: `(id: "F1", resolution: "Đã bổ sung mũi 3")`,
			home: mainCommune, row: at(mainCommune), admitted: admitsUnit(mainCommune), callerAt: "resolveFeedback.feedback.resolvedBy"},
	}
	for i, e := range entries {
		def := s.Query
		if e.root == "Mutation" {
			def = s.Mutation
		}
		sel, leaves := selection(s, e.root, e.op, def.Fields.ForName(e.op).Type.Name())
		kw := "query"
		if e.root == "Mutation" {
			kw = "mutation"
		}
		entries[i].query = kw + e.varDefs + " { " + e.op + e.args + " {" + sel + " } }"
		entries[i].leaves = leaves
	}
	return entries
}

// expectation is what one leaf must be: its value, masked, or refused at a
// path (the leaf itself or the labelled field above it that refused).
type expectation struct {
	refusedAt []any // nil: a value is expected
	mask      string
}

// expect decides a leaf as the hub must: each labelled field on its path
// about the nearest Citizen above it (else about the entry's row), and each
// field returning a Citizen visible only when some class of the citizen is.
func expect(pol *policy.Policy, rules accessRules, classes []policy.Class, p *principal.Principal, row policy.Subject, leaf leafPath) expectation {
	for i := range leaf.names {
		rule := rules[leaf.types[i]][leaf.names[i]]
		at := leaf.json[:jsonIndex(leaf, i)+1]
		subj := row
		if slices.Contains(leaf.types[:i+1], "Citizen") {
			subj = citizenSubject
		}
		if rule.personal {
			d := pol.Decide(p, rule.class, subj)
			switch {
			case d.Effect == policy.Deny, d.Effect == policy.Mask && rule.mask == "":
				return expectation{refusedAt: at}
			case d.Effect == policy.Mask && i == len(leaf.names)-1:
				return expectation{mask: string(rule.mask)}
			}
		}
		if rule.citizen && !slices.ContainsFunc(classes, func(c policy.Class) bool { return pol.Decide(p, c, citizenSubject).Allowed() }) {
			return expectation{refusedAt: at}
		}
	}
	return expectation{}
}

// jsonIndex finds where the i-th field of a leaf's path sits in its JSON path.
func jsonIndex(leaf leafPath, i int) int {
	n := -1
	for j, step := range leaf.json {
		if _, ok := step.(string); ok {
			n++
			if n == i {
				return j
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

// mayBeEmpty names the leaves the test world leaves null even for the truth
// (an open feedback has no resolution; Đào needs no fifth-year dose; a
// passage declares no transport), by the last field of their path.
var mayBeEmpty = []string{"resolvedAt", "resolution", "resolvedBy", "fiveYearsSince", "transport"}

// TestAccessMatrix runs, for every role of the default policy × each of its
// purposes, one it may not use and none × inside and outside the locality
// (self and someone else for citizens), every root field that leads to
// personal data (matrixEntries) selecting every field under it, and checks
// each classified field is exactly as Decide says: the value, the masked
// value, or null with FORBIDDEN at the path of the first labelled field that
// refused; an operation or list the caller may not call is a null root with
// FORBIDDEN. It also checks that nothing of the test world's personal data
// reaches an error or the log.
func TestAccessMatrix(t *testing.T) {
	pol := mustPolicy(t, defaultPolicy)
	s := parsedSchema()
	rules, classes, err := buildRules(s)
	if err != nil {
		t.Fatal(err)
	}
	entries := matrixEntries(s)
	// Đào's own arrival, first in the arrivals list (newest first), in
	// every world of this test.
	withArrival := func(h *harness) *harness {
		h.w.arrivals = append([]domain.Passage{arrivalOfDao()}, h.w.arrivals...)
		return h
	}

	// The truth: everything, from the behaviour tests' policy.
	truthH := withArrival(newHarness(t))
	truth := make([]response, len(entries))
	valued, empty := map[string]bool{}, map[string]string{}
	for i, e := range entries {
		truth[i] = truthH.post(e.query, e.vars)
		truth[i].noErrors(t)
		for _, l := range e.leaves {
			field := l.types[len(l.types)-1] + "." + l.names[len(l.names)-1]
			if dig(truth[i].Data, l.json...) != nil {
				valued[field] = true
			} else if !slices.Contains(mayBeEmpty, l.names[len(l.names)-1]) {
				empty[field] = pathKey(l.json)
			}
		}
	}
	// Each field must have a value somewhere, or its allowed case is vacuous.
	for field, key := range empty {
		if !valued[field] {
			t.Errorf("the test world has no value for %s (at %s): the matrix would not test it", field, key)
		}
	}

	var logs bytes.Buffer
	cases := 0
	tally := map[string]int{} // entry and outcome → leaves checked, to see no outcome is vacuous
	for _, role := range pol.Roles() {
		for _, purpose := range purposesFor(pol, role.Name) {
			for _, inside := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/inside=%v", role.Name, purpose, inside)
				// A fresh world per caller: the writes change it.
				h := withArrival(newPolicyHarness(t, &logs))
				for i, e := range entries {
					p := posted(t, pol, role.Name, purpose, inside, e.home, mainID)
					t.Run(name+"/"+e.name, func(t *testing.T) {
						h.t = t
						checkMatrixCase(t, pol, rules, classes, e, p, h.as(p).post(e.query, e.vars), truth[i], tally)
					})
					cases++
				}
				h.t = t
				for _, pd := range h.personalData() {
					if strings.Contains(logs.String(), pd) {
						t.Errorf("%s: personal data %q in the log", name, pd)
					}
				}
			}
		}
	}
	t.Logf("%d matrix cases; leaves checked by entry and outcome: %v", cases, tally)
	for _, e := range entries {
		if tally[e.name+" value"] == 0 || tally[e.name+" refused"]+tally[e.name+" root refused"] == 0 {
			t.Errorf("%s: the matrix never saw it both answered and refused", e.name)
		}
	}
	if cases < 40*len(entries) {
		t.Errorf("only %d matrix cases", cases)
	}
}

// checkMatrixCase checks one caller's answer r for entry e against what
// the policy decides.
func checkMatrixCase(t *testing.T, pol *policy.Policy, rules accessRules, classes []policy.Class, e matrixEntry, p *principal.Principal, r, truth response, tally map[string]int) {
	t.Helper()
	errs := map[string]gqlError{}
	for _, er := range r.Errors {
		errs[strings.TrimSuffix(rowIndex.ReplaceAllString(er.pathString()+".", ".0."), ".")] = er
		if er.code() != CodeForbidden {
			t.Errorf("unexpected error %s at %s", er.code(), er.pathString())
		}
	}
	if d := pol.Operation(p, e.op); d.Effect != policy.Allow || !e.admitted(pol.ScopeFor(p, e.op)) {
		if _, ok := errs[e.op]; !ok || dig(r.Data, e.op) != nil || len(errs) != 1 {
			t.Fatalf("%s refused by the policy (%s) but answered: %s", e.op, d.Reason, r.rawErrors)
		}
		tally[e.name+" root refused"]++
		return
	}
	expectedErrs := map[string]bool{}
	for _, l := range e.leaves {
		want := expect(pol, rules, classes, p, e.row, l)
		key := pathKey(l.json)
		got := dig(r.Data, l.json...)
		switch {
		case want.refusedAt != nil:
			tally[e.name+" refused"]++
			at := pathKey(want.refusedAt)
			expectedErrs[at] = true
			if dig(r.Data, want.refusedAt...) != nil {
				t.Errorf("%s: want null (refused at %s), got a value", key, at)
			}
			if _, ok := errs[at]; !ok {
				t.Errorf("%s: no FORBIDDEN at %s", key, at)
			}
		case want.mask != "":
			tally[e.name+" masked"]++
			if w := maskValue(want.mask, dig(truth.Data, l.json...)); got != w {
				t.Errorf("%s: masked %s: got %v, want %v", key, want.mask, got, w)
			}
		case key == e.callerAt:
			if got != p.Subject {
				t.Errorf("%s: got %v, want the caller %s", key, got, p.Subject)
			}
		default:
			tally[e.name+" value"]++
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
}

// TestAccessMatrixReachesEveryClassifiedField fails when the schema has a
// @personal field (or a field returning a Citizen) that no entry of the
// matrix selects: a new field must not escape the matrix.
func TestAccessMatrixReachesEveryClassifiedField(t *testing.T) {
	s := parsedSchema()
	rules, _, err := buildRules(s)
	if err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	for _, e := range matrixEntries(s) {
		for _, l := range e.leaves {
			for i := range l.names {
				reached[l.types[i]+"."+l.names[i]] = true
			}
		}
	}
	n := 0
	for typ, fields := range rules {
		for f := range fields {
			n++
			if !reached[typ+"."+f] {
				t.Errorf("%s.%s is classified but the access matrix never reaches it: add a root field to matrixEntries", typ, f)
			}
		}
	}
	t.Logf("%d classified fields, all reached", n)
}
