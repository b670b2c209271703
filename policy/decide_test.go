package policy

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/principal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// places are the units the tests put people in: two communes of one
// province (home and neighbour) and a commune of another province (far).
type places struct {
	homeProvince, homeCommune, neighbourCommune, farProvince, farCommune string
}

func testPlaces(t testing.TB, dir *adminunit.Directory) places {
	t.Helper()
	home, far := dir.Communes("01"), dir.Communes("79")
	if len(home) < 2 || len(far) < 1 {
		t.Fatal("directory lacks the communes the tests use")
	}
	return places{"01", home[0].Code, home[1].Code, "79", far[0].Code}
}

const (
	selfID  = "001090000001"
	otherID = "001085000002"
)

// tokenFor is the token a person in each default role would typically
// carry: commune posts name their commune, provincial posts their province,
// national posts nothing. Checkpoint and insurance officers carry their
// province too; their national grants must ignore it.
func tokenFor(role, purpose string, pl places) *principal.Principal {
	p := &principal.Principal{Subject: "u-" + role, Roles: []string{role}, Purpose: purpose}
	switch role {
	case "citizen":
		p.CitizenID = selfID
	case "commune_official", "vaccination_site":
		p.Locality.Communes = []string{pl.homeCommune}
	case "provincial_official", "police_checkpoint", "insurance_officer":
		p.Locality.Provinces = []string{pl.homeProvince}
	}
	return p
}

// subjects are the people whose data the matrix asks about, in column order.
func subjects(pl places) []struct {
	name string
	s    Subject
} {
	return []struct {
		name string
		s    Subject
	}{
		{"own_record", Subject{CitizenID: selfID, ProvinceCode: pl.homeProvince, CommuneCode: pl.homeCommune, Known: true}},
		{"home_commune", Subject{CitizenID: otherID, ProvinceCode: pl.homeProvince, CommuneCode: pl.homeCommune, Known: true}},
		{"neighbour_commune", Subject{CitizenID: otherID, CommuneCode: pl.neighbourCommune, Known: true}},
		{"far_province", Subject{CitizenID: otherID, CommuneCode: pl.farCommune, Known: true}},
		{"unknown_locality", Subject{CitizenID: otherID}},
	}
}

// matrixPurposes: every declared purpose, no purpose at all, and one the
// policy does not know.
func matrixPurposes(p *Policy) []string {
	var out []string
	for _, pu := range p.Purposes() {
		out = append(out, pu.Name)
	}
	return append(out, "", "marketing")
}

func cell(d Decision) string {
	if d.Effect == Deny {
		return "deny:" + string(d.Reason)
	}
	return d.Effect.String()
}

func purposeLabel(pu string) string {
	if pu == "" {
		return "(none)"
	}
	return pu
}

// The default policy's full decision matrix, as auditors read it:
// testdata/default_fields.csv (role × purpose × class × whose data),
// testdata/default_operations.csv (role × purpose × operation) and
// testdata/default_scopes.csv (role × purpose × list → which units it may
// be asked for). Regenerate with
// go test ./policy -run TestDefaultMatrix -update, and read the diff.
func TestDefaultMatrix(t *testing.T) {
	dir := directory(t)
	pol := defaultPolicy(t)
	pl := testPlaces(t, dir)
	subs := subjects(pl)

	fields := [][]string{{"role", "purpose", "class"}}
	for _, s := range subs {
		fields[0] = append(fields[0], s.name)
	}
	ops := append(pol.Queries(), pol.Mutations()...)
	operations := [][]string{append([]string{"role", "purpose"}, ops...)}
	units := []struct{ name, code string }{
		{"home_commune", pl.homeCommune}, {"neighbour_commune", pl.neighbourCommune},
		{"home_province", pl.homeProvince}, {"far_commune", pl.farCommune}, {"far_province", pl.farProvince},
	}
	// The lists that take a unit code and are filtered upstream by scope.
	var lists []string
	for _, op := range []string{"arrivals", "reconciliation", "feedback"} {
		if slices.Contains(ops, op) {
			lists = append(lists, op)
		}
	}
	scopes := [][]string{{"role", "purpose", "list", "scope"}}
	for _, u := range units {
		scopes[0] = append(scopes[0], u.name)
	}

	for _, r := range pol.Roles() {
		for _, pu := range matrixPurposes(pol) {
			tok := tokenFor(r.Name, pu, pl)
			for _, c := range Classes() {
				row := []string{r.Name, purposeLabel(pu), string(c)}
				for _, s := range subs {
					row = append(row, cell(pol.Decide(tok, c, s.s)))
				}
				fields = append(fields, row)
			}
			orow := []string{r.Name, purposeLabel(pu)}
			for _, op := range ops {
				if pol.AllowOperation(tok, op) {
					orow = append(orow, "allow")
				} else {
					orow = append(orow, "-")
				}
			}
			operations = append(operations, orow)
			for _, op := range lists {
				sc := pol.ScopeFor(tok, op)
				srow := []string{r.Name, purposeLabel(pu), op, describeScope(sc, pl)}
				for _, u := range units {
					if sc.Permits(u.code) {
						srow = append(srow, "yes")
					} else {
						srow = append(srow, "-")
					}
				}
				scopes = append(scopes, srow)
			}
		}
	}
	golden(t, "default_fields.csv", fields)
	golden(t, "default_operations.csv", operations)
	golden(t, "default_scopes.csv", scopes)
}

// describeScope names the test's units instead of their codes, so that the
// golden file reads without a code list.
func describeScope(s Scope, pl places) string {
	name := map[string]string{pl.homeProvince: "home_province", pl.homeCommune: "home_commune", pl.neighbourCommune: "neighbour_commune", pl.farProvince: "far_province", pl.farCommune: "far_commune"}
	var parts []string
	if s.National {
		parts = append(parts, "national")
	}
	for _, c := range s.Provinces {
		parts = append(parts, "province:"+name[c])
	}
	for _, c := range s.Communes {
		parts = append(parts, "commune:"+name[c])
	}
	if s.Self != "" {
		parts = append(parts, "self")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " ")
}

func golden(t *testing.T, name string, rows [][]string) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		got := strings.Split(buf.String(), "\n")
		exp := strings.Split(string(want), "\n")
		for i := 0; i < len(got) || i < len(exp); i++ {
			var g, e string
			if i < len(got) {
				g = got[i]
			}
			if i < len(exp) {
				e = exp[i]
			}
			if g != e {
				t.Fatalf("%s differs from the policy's decisions at line %d:\n got  %s\n want %s\n(if the policy changed on purpose, run with -update and review the diff)", path, i+1, g, e)
			}
		}
	}
}

// Spot checks of the matrix, written out, so that the golden file cannot
// drift into nonsense unnoticed.
func TestDefaultDecisions(t *testing.T) {
	dir := directory(t)
	pol := defaultPolicy(t)
	pl := testPlaces(t, dir)
	subs := map[string]Subject{}
	for _, s := range subjects(pl) {
		subs[s.name] = s.s
	}
	tests := []struct {
		role, purpose string
		class         Class
		subject       string
		want          Decision
	}{
		// The seeds' examples.
		{"police_checkpoint", "epidemic_control", Identity, "far_province", Decision{Allow, ReasonAllowed}},
		{"police_checkpoint", "epidemic_control", Health, "far_province", Decision{Allow, ReasonAllowed}},
		{"police_checkpoint", "contact_tracing", Movement, "home_commune", Decision{Allow, ReasonAllowed}},
		{"police_checkpoint", "epidemic_control", Contact, "home_commune", Decision{Mask, ReasonMasked}},
		{"police_checkpoint", "epidemic_control", Insurance, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"police_checkpoint", "epidemic_control", Identity, "unknown_locality", Decision{Allow, ReasonAllowed}},
		{"insurance_officer", "covid_treatment", Insurance, "far_province", Decision{Allow, ReasonAllowed}},
		{"insurance_officer", "covid_treatment", Residence, "home_commune", Decision{Mask, ReasonMasked}},
		{"insurance_officer", "covid_treatment", Health, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"insurance_officer", "epidemic_control", Insurance, "home_commune", Decision{Deny, ReasonPurposeNotAllowed}},
		{"vaccination_site", "vaccination", Health, "far_province", Decision{Allow, ReasonAllowed}},
		{"vaccination_site", "vaccination", Residence, "far_province", Decision{Mask, ReasonMasked}},
		{"vaccination_site", "vaccination", Contact, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"vaccination_site", "data_reconciliation", Health, "neighbour_commune", Decision{Deny, ReasonOutsideLocality}},
		// Locality.
		{"commune_official", "epidemic_control", Identity, "home_commune", Decision{Allow, ReasonAllowed}},
		{"commune_official", "contact_tracing", Contact, "home_commune", Decision{Allow, ReasonAllowed}},
		{"commune_official", "data_reconciliation", Contact, "home_commune", Decision{Mask, ReasonMasked}},
		{"commune_official", "epidemic_control", Identity, "neighbour_commune", Decision{Deny, ReasonOutsideLocality}},
		{"commune_official", "epidemic_control", Identity, "far_province", Decision{Deny, ReasonOutsideLocality}},
		{"commune_official", "epidemic_control", Identity, "unknown_locality", Decision{Deny, ReasonUnknownLocality}},
		{"commune_official", "epidemic_control", Insurance, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"provincial_official", "epidemic_control", Identity, "neighbour_commune", Decision{Allow, ReasonAllowed}},
		{"provincial_official", "epidemic_control", Contact, "neighbour_commune", Decision{Mask, ReasonMasked}},
		{"provincial_official", "epidemic_control", Identity, "far_province", Decision{Deny, ReasonOutsideLocality}},
		{"provincial_official", "epidemic_control", Identity, "unknown_locality", Decision{Deny, ReasonUnknownLocality}},
		{"health_official", "contact_tracing", Movement, "far_province", Decision{Allow, ReasonAllowed}},
		{"health_official", "contact_tracing", Contact, "far_province", Decision{Mask, ReasonMasked}},
		// Self-service.
		{"citizen", "self_service", Identity, "own_record", Decision{Allow, ReasonAllowed}},
		{"citizen", "self_service", Insurance, "own_record", Decision{Allow, ReasonAllowed}},
		{"citizen", "self_service", Identity, "home_commune", Decision{Deny, ReasonNotSelf}},
		{"citizen", "self_service", Identity, "unknown_locality", Decision{Deny, ReasonNotSelf}},
		{"citizen", "epidemic_control", Identity, "own_record", Decision{Deny, ReasonPurposeNotAllowed}},
		{"citizen", "self_service", Audit, "own_record", Decision{Deny, ReasonClassNotGranted}},
		// No personal data at all.
		{"ministry_analyst", "epidemic_control", Identity, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"admin", "epidemic_control", Identity, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"admin", "epidemic_control", Audit, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		{"auditor", "audit", Audit, "far_province", Decision{Allow, ReasonAllowed}},
		{"auditor", "audit", Identity, "home_commune", Decision{Deny, ReasonClassNotGranted}},
		// Purpose limitation.
		{"health_official", "", Identity, "home_commune", Decision{Deny, ReasonNoPurpose}},
		{"health_official", "marketing", Identity, "home_commune", Decision{Deny, ReasonUnknownPurpose}},
		{"health_official", "audit", Identity, "home_commune", Decision{Deny, ReasonPurposeNotAllowed}},
	}
	for _, tt := range tests {
		got := pol.Decide(tokenFor(tt.role, tt.purpose, pl), tt.class, subs[tt.subject])
		if got != tt.want {
			t.Errorf("%s/%s %s of %s = %v %s, want %v %s", tt.role, purposeLabel(tt.purpose), tt.class, tt.subject, got.Effect, got.Reason, tt.want.Effect, tt.want.Reason)
		}
	}
}

// A token without a purpose, or with one its role may not use, gets no
// personal data: every class, every subject, every role.
func TestPurposeLimitation(t *testing.T) {
	dir := directory(t)
	pol := defaultPolicy(t)
	pl := testPlaces(t, dir)
	for _, r := range pol.Roles() {
		granted := map[string]bool{}
		for _, g := range r.Grants {
			for _, pu := range g.Purposes {
				granted[pu] = true
			}
		}
		for _, pu := range matrixPurposes(pol) {
			if granted[pu] {
				continue
			}
			tok := tokenFor(r.Name, pu, pl)
			for _, c := range Classes() {
				for _, s := range subjects(pl) {
					if d := pol.Decide(tok, c, s.s); d.Effect != Deny {
						t.Errorf("%s with purpose %q: %s of %s = %v", r.Name, pu, c, s.name, d.Effect)
					}
				}
			}
			for _, op := range append(pol.Queries(), pol.Mutations()...) {
				if pol.AllowOperation(tok, op) {
					t.Errorf("%s with purpose %q may call %s", r.Name, pu, op)
				}
			}
			if sc := pol.Scope(tok); !sc.Empty() || sc.Self != "" {
				t.Errorf("%s with purpose %q has scope %+v", r.Name, pu, sc)
			}
		}
	}
}

// testPolicy has one role per locality rule, all allowing IDENTITY for
// epidemic_control.
const testPolicyYAML = `
version: 1
purposes:
  epidemic_control: {description: d}
  audit: {description: d}
operations:
  queries: [citizen, arrivals, coverage]
roles:
  c:  {description: d, grants: [{purposes: [epidemic_control], locality: commune,  allow: [IDENTITY], mask: [CONTACT], operations: [citizen, arrivals]}]}
  p:  {description: d, grants: [{purposes: [epidemic_control], locality: province, allow: [IDENTITY], mask: [CONTACT], operations: [citizen, arrivals]}]}
  n:  {description: d, grants: [{purposes: [epidemic_control], locality: national, mask: [IDENTITY], operations: [citizen]}]}
  s:  {description: d, grants: [{purposes: [epidemic_control], locality: self,     allow: [IDENTITY, CONTACT], operations: [citizen]}]}
  z:  {description: d, grants: [{purposes: [epidemic_control], locality: none,     operations: [coverage]}]}
  a:  {description: d, grants: [{purposes: [audit],            locality: national, allow: [AUDIT], operations: [citizen]}]}
`

func testPolicy(t testing.TB) (*Policy, places) {
	t.Helper()
	dir := directory(t)
	pol, err := Load(strings.NewReader(testPolicyYAML), dir)
	if err != nil {
		t.Fatal(err)
	}
	return pol, testPlaces(t, dir)
}

func TestLocalityRules(t *testing.T) {
	pol, pl := testPolicy(t)
	home := Subject{CitizenID: otherID, CommuneCode: pl.homeCommune, Known: true}
	neighbour := Subject{CitizenID: otherID, CommuneCode: pl.neighbourCommune, Known: true}
	far := Subject{CitizenID: otherID, CommuneCode: pl.farCommune, Known: true}
	tok := func(role string, provinces, communes []string) *principal.Principal {
		return &principal.Principal{Roles: []string{role}, Purpose: "epidemic_control", Locality: principal.Locality{Provinces: provinces, Communes: communes}, CitizenID: selfID}
	}
	p1, c1 := []string{pl.homeProvince}, []string{pl.homeCommune}
	tests := []struct {
		name string
		p    *principal.Principal
		s    Subject
		want Decision
	}{
		{"commune: own commune", tok("c", nil, c1), home, Decision{Allow, ReasonAllowed}},
		{"commune: neighbour", tok("c", nil, c1), neighbour, Decision{Deny, ReasonOutsideLocality}},
		{"commune: province in the token does not widen a commune role", tok("c", p1, nil), home, Decision{Deny, ReasonOutsideLocality}},
		{"commune: empty locality is not national for a commune role", tok("c", nil, nil), home, Decision{Deny, ReasonOutsideLocality}},
		{"commune: subject known by province only", tok("c", nil, c1), Subject{ProvinceCode: pl.homeProvince, Known: true}, Decision{Deny, ReasonUnknownLocality}},
		{"commune: subject with codes but Known false", tok("c", nil, c1), Subject{CommuneCode: pl.homeCommune}, Decision{Deny, ReasonUnknownLocality}},
		{"commune: subject with no codes", tok("c", nil, c1), Subject{Known: true}, Decision{Deny, ReasonUnknownLocality}},
		{"commune: subject whose province contradicts its commune", tok("c", nil, c1), Subject{CommuneCode: pl.homeCommune, ProvinceCode: pl.farProvince, Known: true}, Decision{Deny, ReasonUnknownLocality}},
		{"province: commune of the province", tok("p", p1, nil), neighbour, Decision{Allow, ReasonAllowed}},
		{"province: subject by province code only", tok("p", p1, nil), Subject{ProvinceCode: pl.homeProvince, Known: true}, Decision{Allow, ReasonAllowed}},
		{"province: other province", tok("p", p1, nil), far, Decision{Deny, ReasonOutsideLocality}},
		{"province: a commune token narrows a province role", tok("p", nil, c1), neighbour, Decision{Deny, ReasonOutsideLocality}},
		{"province: a commune token still reaches its commune", tok("p", nil, c1), home, Decision{Allow, ReasonAllowed}},
		{"province: unknown locality fails closed", tok("p", p1, nil), Subject{CitizenID: otherID}, Decision{Deny, ReasonUnknownLocality}},
		{"province: empty locality", tok("p", nil, nil), home, Decision{Deny, ReasonOutsideLocality}},
		{"province: commune code the directory does not know, with a province", tok("p", p1, nil), Subject{CommuneCode: "99999", ProvinceCode: pl.homeProvince, Known: true}, Decision{Allow, ReasonAllowed}},
		{"province: province code given as the commune", tok("p", p1, nil), Subject{CommuneCode: pl.homeProvince, Known: true}, Decision{Deny, ReasonOutsideLocality}},
		{"national: anyone", tok("n", p1, nil), far, Decision{Mask, ReasonMasked}},
		{"national: unknown locality", tok("n", nil, nil), Subject{}, Decision{Mask, ReasonMasked}},
		{"self: own record", tok("s", nil, nil), Subject{CitizenID: selfID}, Decision{Allow, ReasonAllowed}},
		{"self: someone else in the same commune", tok("s", nil, c1), home, Decision{Deny, ReasonNotSelf}},
		{"self: empty IDs never match", &principal.Principal{Roles: []string{"s"}, Purpose: "epidemic_control"}, Subject{}, Decision{Deny, ReasonNotSelf}},
		{"none: nobody", tok("z", nil, nil), home, Decision{Deny, ReasonClassNotGranted}},
	}
	for _, tt := range tests {
		if got := pol.Decide(tt.p, Identity, tt.s); got != tt.want {
			t.Errorf("%s: got %v %s, want %v %s", tt.name, got.Effect, got.Reason, tt.want.Effect, tt.want.Reason)
		}
	}
}

func TestDecideRefusals(t *testing.T) {
	pol, pl := testPolicy(t)
	home := Subject{CommuneCode: pl.homeCommune, Known: true}
	ok := &principal.Principal{Roles: []string{"c"}, Purpose: "epidemic_control", Locality: principal.Locality{Communes: []string{pl.homeCommune}}}
	var nilPolicy *Policy
	tests := []struct {
		name string
		pol  *Policy
		p    *principal.Principal
		c    Class
		want Reason
	}{
		{"nil policy", nilPolicy, ok, Identity, ReasonNoPolicy},
		{"zero policy", &Policy{}, ok, Identity, ReasonNoPolicy},
		{"no principal", pol, nil, Identity, ReasonNoPrincipal},
		{"no purpose", pol, &principal.Principal{Roles: []string{"c"}, Locality: ok.Locality}, Identity, ReasonNoPurpose},
		{"unknown purpose", pol, &principal.Principal{Roles: []string{"c"}, Purpose: "tax_collection", Locality: ok.Locality}, Identity, ReasonUnknownPurpose},
		{"purpose of another role", pol, &principal.Principal{Roles: []string{"c"}, Purpose: "audit", Locality: ok.Locality}, Identity, ReasonPurposeNotAllowed},
		{"no roles", pol, &principal.Principal{Purpose: "epidemic_control", Locality: ok.Locality}, Identity, ReasonNoRole},
		{"unknown role", pol, &principal.Principal{Roles: []string{"superuser"}, Purpose: "epidemic_control"}, Identity, ReasonNoRole},
		{"unknown class", pol, ok, Class("AGGREGATE"), ReasonUnknownClass},
		{"lower-case class", pol, ok, Class("identity"), ReasonUnknownClass},
		{"class not granted", pol, ok, Health, ReasonClassNotGranted},
	}
	for _, tt := range tests {
		if got := tt.pol.Decide(tt.p, tt.c, home); got != (Decision{Deny, tt.want}) {
			t.Errorf("%s: got %v %s, want deny %s", tt.name, got.Effect, got.Reason, tt.want)
		}
	}
}

// Several roles: the most permissive answer, each role within its own
// locality; and a denial names the reason of the role that got furthest.
func TestMultiRole(t *testing.T) {
	pol, pl := testPolicy(t)
	home := Subject{CitizenID: otherID, CommuneCode: pl.homeCommune, Known: true}
	far := Subject{CitizenID: otherID, CommuneCode: pl.farCommune, Known: true}
	mk := func(roles ...string) *principal.Principal {
		return &principal.Principal{Roles: roles, Purpose: "epidemic_control", CitizenID: selfID,
			Locality: principal.Locality{Communes: []string{pl.homeCommune}}}
	}
	tests := []struct {
		name string
		p    *principal.Principal
		c    Class
		s    Subject
		want Decision
	}{
		{"commune allows, national masks: allow at home", mk("c", "n"), Identity, home, Decision{Allow, ReasonAllowed}},
		{"commune allows, national masks: mask far away", mk("c", "n"), Identity, far, Decision{Mask, ReasonMasked}},
		{"order does not matter", mk("n", "c"), Identity, home, Decision{Allow, ReasonAllowed}},
		{"a role without the class adds nothing", mk("z", "c"), Identity, far, Decision{Deny, ReasonOutsideLocality}},
		{"self and commune: contact of a neighbour in the commune", mk("s", "c"), Contact, home, Decision{Mask, ReasonMasked}},
		{"self and commune: own contact", mk("s", "c"), Contact, Subject{CitizenID: selfID, CommuneCode: pl.farCommune, Known: true}, Decision{Allow, ReasonAllowed}},
		{"unknown role beside a known one", mk("superuser", "c"), Identity, home, Decision{Allow, ReasonAllowed}},
		{"deny names the furthest reason", mk("a", "superuser", "c"), Identity, far, Decision{Deny, ReasonOutsideLocality}},
		{"deny: purpose of another role, class not granted", mk("a", "z"), Identity, home, Decision{Deny, ReasonClassNotGranted}},
		{"deny: only a role with another purpose", mk("a"), Identity, home, Decision{Deny, ReasonPurposeNotAllowed}},
	}
	for _, tt := range tests {
		if got := pol.Decide(tt.p, tt.c, tt.s); got != tt.want {
			t.Errorf("%s: got %v %s, want %v %s", tt.name, got.Effect, got.Reason, tt.want.Effect, tt.want.Reason)
		}
	}
}

func TestOperation(t *testing.T) {
	pol, _ := testPolicy(t)
	tok := func(purpose string, roles ...string) *principal.Principal {
		return &principal.Principal{Roles: roles, Purpose: purpose}
	}
	var nilPolicy *Policy
	tests := []struct {
		name string
		pol  *Policy
		p    *principal.Principal
		op   string
		want Decision
	}{
		{"granted", pol, tok("epidemic_control", "c"), "arrivals", Decision{Allow, ReasonAllowed}},
		{"not in the grant", pol, tok("epidemic_control", "n"), "arrivals", Decision{Deny, ReasonOperationNotGranted}},
		{"statistics only", pol, tok("epidemic_control", "z"), "coverage", Decision{Allow, ReasonAllowed}},
		{"statistics role cannot look people up", pol, tok("epidemic_control", "z"), "citizen", Decision{Deny, ReasonOperationNotGranted}},
		{"second role grants it", pol, tok("epidemic_control", "n", "z"), "coverage", Decision{Allow, ReasonAllowed}},
		{"undeclared operation", pol, tok("epidemic_control", "c"), "dropDatabase", Decision{Deny, ReasonUnknownOperation}},
		{"introspection is not an operation here", pol, tok("epidemic_control", "c"), "__schema", Decision{Deny, ReasonUnknownOperation}},
		{"no purpose", pol, tok("", "c"), "citizen", Decision{Deny, ReasonNoPurpose}},
		{"unknown purpose", pol, tok("marketing", "c"), "citizen", Decision{Deny, ReasonUnknownPurpose}},
		{"purpose not the role's", pol, tok("audit", "c"), "citizen", Decision{Deny, ReasonPurposeNotAllowed}},
		{"the audit grant's operations are for the audit purpose", pol, tok("epidemic_control", "a"), "citizen", Decision{Deny, ReasonPurposeNotAllowed}},
		{"unknown role", pol, tok("epidemic_control", "root"), "citizen", Decision{Deny, ReasonNoRole}},
		{"no principal", pol, nil, "citizen", Decision{Deny, ReasonNoPrincipal}},
		{"no policy", nilPolicy, tok("epidemic_control", "c"), "citizen", Decision{Deny, ReasonNoPolicy}},
	}
	for _, tt := range tests {
		got := tt.pol.Operation(tt.p, tt.op)
		if got != tt.want {
			t.Errorf("%s: got %v %s, want %v %s", tt.name, got.Effect, got.Reason, tt.want.Effect, tt.want.Reason)
		}
		if tt.pol.AllowOperation(tt.p, tt.op) != (tt.want.Effect == Allow) {
			t.Errorf("%s: AllowOperation disagrees with Operation", tt.name)
		}
	}
}

func TestScope(t *testing.T) {
	pol, pl := testPolicy(t)
	tok := func(purpose string, roles []string, provinces, communes []string) *principal.Principal {
		return &principal.Principal{Roles: roles, Purpose: purpose, CitizenID: selfID,
			Locality: principal.Locality{Provinces: provinces, Communes: communes}}
	}
	c1, c2, c3 := pl.homeCommune, pl.neighbourCommune, pl.farCommune
	p1, p2 := pl.homeProvince, pl.farProvince
	tests := []struct {
		name    string
		p       *principal.Principal
		op      string // "" for Scope, else ScopeFor
		want    Scope
		permits map[string]bool
	}{
		{"commune official", tok("epidemic_control", []string{"c"}, nil, []string{c1}), "",
			Scope{Communes: []string{c1}},
			map[string]bool{c1: true, c2: false, p1: false, c3: false, p2: false, "": false}},
		{"commune official whose token names the province", tok("epidemic_control", []string{"c"}, []string{p1}, []string{c1}), "",
			Scope{Communes: []string{c1}},
			map[string]bool{c1: true, c2: false, p1: false}},
		{"provincial official", tok("epidemic_control", []string{"p"}, []string{p1}, nil), "",
			Scope{Provinces: []string{p1}},
			map[string]bool{c1: true, c2: true, p1: true, c3: false, p2: false, "99999": false}},
		{"provincial official with a commune of another province", tok("epidemic_control", []string{"p"}, []string{p1}, []string{c1, c3}), "",
			Scope{Provinces: []string{p1}, Communes: []string{c3}},
			map[string]bool{c1: true, c2: true, c3: true, p2: false}},
		{"national", tok("epidemic_control", []string{"n"}, []string{p1}, nil), "",
			Scope{National: true},
			map[string]bool{c3: true, p2: true, "": false}},
		{"self", tok("epidemic_control", []string{"s"}, nil, []string{c1}), "",
			Scope{Self: selfID},
			map[string]bool{c1: false, p1: false}},
		{"none", tok("epidemic_control", []string{"z"}, []string{p1}, nil), "",
			Scope{},
			map[string]bool{p1: false}},
		{"no purpose", tok("", []string{"p"}, []string{p1}, nil), "", Scope{}, map[string]bool{p1: false}},
		{"purpose not the role's", tok("audit", []string{"p"}, []string{p1}, nil), "", Scope{}, map[string]bool{p1: false}},
		{"two roles: union", tok("epidemic_control", []string{"c", "p"}, []string{p2}, []string{c1}), "",
			Scope{Provinces: []string{p2}, Communes: []string{c1}},
			map[string]bool{c1: true, c2: false, c3: true, p2: true, p1: false}},
		{"ScopeFor: only roles that may call the operation", tok("epidemic_control", []string{"n", "c"}, nil, []string{c1}), "arrivals",
			Scope{Communes: []string{c1}},
			map[string]bool{c1: true, c3: false}},
		{"ScopeFor: citizen is callable by the national role", tok("epidemic_control", []string{"n", "c"}, nil, []string{c1}), "citizen",
			Scope{National: true},
			map[string]bool{c3: true}},
		{"ScopeFor: an operation nobody may call", tok("epidemic_control", []string{"c"}, nil, []string{c1}), "coverage",
			Scope{}, map[string]bool{c1: false}},
	}
	for _, tt := range tests {
		var got Scope
		if tt.op == "" {
			got = pol.Scope(tt.p)
		} else {
			got = pol.ScopeFor(tt.p, tt.op)
		}
		if got.National != tt.want.National || !slices.Equal(got.Provinces, tt.want.Provinces) ||
			!slices.Equal(got.Communes, tt.want.Communes) || got.Self != tt.want.Self {
			t.Errorf("%s: scope = %s, want %s", tt.name, fmtScope(got), fmtScope(tt.want))
		}
		if got.Empty() != (!tt.want.National && len(tt.want.Provinces)+len(tt.want.Communes) == 0) {
			t.Errorf("%s: Empty() = %v", tt.name, got.Empty())
		}
		for code, want := range tt.permits {
			if got.Permits(code) != want {
				t.Errorf("%s: Permits(%q) = %v, want %v", tt.name, code, !want, want)
			}
		}
	}
	if (Scope{}).Permits(c1) || pol.ScopeFor(tok("epidemic_control", []string{"c"}, nil, []string{c1}), "").Permits(c1) {
		t.Error("the zero scope, and the scope for no operation, must permit nothing")
	}
}

// Scope must not hand out or reorder the principal's own slices.
func TestScopeDoesNotAliasPrincipal(t *testing.T) {
	pol, pl := testPolicy(t)
	communes := []string{pl.neighbourCommune, pl.homeCommune}
	p := &principal.Principal{Roles: []string{"c"}, Purpose: "epidemic_control", Locality: principal.Locality{Communes: communes}}
	s := pol.Scope(p)
	s.Communes[0] = "XXXXX"
	if communes[0] != pl.neighbourCommune || communes[1] != pl.homeCommune {
		t.Errorf("principal's locality changed: %v", communes)
	}
}

func fmtScope(s Scope) string {
	return fmt.Sprintf("{national:%v provinces:%v communes:%v self:%q}", s.National, s.Provinces, s.Communes, s.Self)
}

// Decide is on the path of every personal field: it must not allocate.
func TestDecideDoesNotAllocate(t *testing.T) {
	pol := defaultPolicy(t)
	pl := testPlaces(t, directory(t))
	p := tokenFor("provincial_official", "epidemic_control", pl)
	p.Roles = append(p.Roles, "commune_official", "police_checkpoint")
	s := Subject{CitizenID: otherID, CommuneCode: pl.farCommune, Known: true}
	n := testing.AllocsPerRun(100, func() {
		pol.Decide(p, Contact, s)
		pol.Decide(p, Insurance, s)
		pol.Operation(p, "arrivals")
	})
	if n != 0 {
		t.Errorf("Decide and Operation allocate %.1f times per call", n)
	}
}

func TestEffectAndDecision(t *testing.T) {
	if Deny.String() != "deny" || Mask.String() != "mask" || Allow.String() != "allow" || Effect(9).String() != "deny" {
		t.Error("Effect.String")
	}
	if !(Deny < Mask && Mask < Allow) {
		t.Error("effects must order deny < mask < allow")
	}
	if (Decision{}).Effect != Deny || (Decision{}).Allowed() || !(Decision{Effect: Mask}).Allowed() {
		t.Error("the zero decision must deny")
	}
	for _, c := range Classes() {
		if !c.Valid() {
			t.Errorf("%s not valid", c)
		}
	}
	if len(Classes()) != numClasses {
		t.Error("numClasses is out of date")
	}
}
