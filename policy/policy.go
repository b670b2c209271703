package policy

import (
	"slices"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/principal"
)

// Policy is a loaded, validated access policy with its decision tables. It
// is immutable after Load and safe for concurrent use.
type Policy struct {
	dir   *adminunit.Directory
	doc   rawDocument
	lines map[string]int

	purposes map[string]struct{}
	roles    map[string]struct{}
	ops      map[string]struct{} // declared queries and mutations
	// table holds one compiled grant per (role, purpose): Decide is one map
	// lookup and an array index per role of the principal.
	table map[rolePurpose]*grant
}

type rolePurpose struct{ role, purpose string }

type grant struct {
	locality LocalityRule
	effects  [numClasses]Effect
	ops      map[string]struct{}
}

// compile builds the decision tables. It runs after Validate, so every name
// in the document is known.
func (p *Policy) compile() {
	p.purposes = map[string]struct{}{}
	for name := range p.doc.Purposes {
		p.purposes[name] = struct{}{}
	}
	p.ops = map[string]struct{}{}
	for _, op := range p.doc.Operations.Queries {
		p.ops[op] = struct{}{}
	}
	for _, op := range p.doc.Operations.Mutations {
		p.ops[op] = struct{}{}
	}
	p.roles = map[string]struct{}{}
	p.table = map[rolePurpose]*grant{}
	for name, r := range p.doc.Roles {
		p.roles[name] = struct{}{}
		for _, rg := range r.Grants {
			g := &grant{locality: LocalityRule(rg.Locality), ops: map[string]struct{}{}}
			for _, c := range rg.Mask {
				i, _ := classIndex(Class(c))
				g.effects[i] = Mask
			}
			for _, c := range rg.Allow {
				i, _ := classIndex(Class(c))
				g.effects[i] = Allow
			}
			for _, op := range rg.Operations {
				g.ops[op] = struct{}{}
			}
			for _, pu := range rg.Purposes {
				p.table[rolePurpose{name, pu}] = g
			}
		}
	}
}

// Purpose is a purpose of use as the policy declares it.
type Purpose struct {
	Name        string
	Description string
	Basis       string // legal or policy basis, for auditors; may be empty
}

// Role is a role as the policy declares it.
type Role struct {
	Name        string
	Description string
	Grants      []Grant
}

// Grant is what a role may do for some purposes of use.
type Grant struct {
	Purposes   []string
	Locality   LocalityRule
	Allow      []Class
	Mask       []Class
	Operations []string
}

// Purposes lists the declared purposes of use, by name.
func (p *Policy) Purposes() []Purpose {
	out := make([]Purpose, 0, len(p.doc.Purposes))
	for _, name := range sortedKeys(p.doc.Purposes) {
		rp := p.doc.Purposes[name]
		out = append(out, Purpose{Name: name, Description: rp.Description, Basis: rp.Basis})
	}
	return out
}

// Roles lists the declared roles, by name.
func (p *Policy) Roles() []Role {
	out := make([]Role, 0, len(p.doc.Roles))
	for _, name := range sortedKeys(p.doc.Roles) {
		r, _ := p.Role(name)
		out = append(out, r)
	}
	return out
}

// Role returns one declared role.
func (p *Policy) Role(name string) (Role, bool) {
	rr, ok := p.doc.Roles[name]
	if !ok {
		return Role{}, false
	}
	r := Role{Name: name, Description: rr.Description}
	for _, g := range rr.Grants {
		r.Grants = append(r.Grants, Grant{
			Purposes:   slices.Clone(g.Purposes),
			Locality:   LocalityRule(g.Locality),
			Allow:      toClasses(g.Allow),
			Mask:       toClasses(g.Mask),
			Operations: slices.Clone(g.Operations),
		})
	}
	return r, true
}

func toClasses(s []string) []Class {
	out := make([]Class, len(s))
	for i, c := range s {
		out[i] = Class(c)
	}
	return out
}

// Queries lists the declared query operations (root Query fields) in file order.
func (p *Policy) Queries() []string { return slices.Clone(p.doc.Operations.Queries) }

// Mutations lists the declared mutation operations (root Mutation fields) in file order.
func (p *Policy) Mutations() []string { return slices.Clone(p.doc.Operations.Mutations) }

// decision ranks: when every role denies, the answer carries the reason of
// the role that got furthest through the checks, which is the most useful
// one to an auditor ("outside_locality" says more than "no_role").
const (
	rankNoRole = iota
	rankPurpose
	rankGrant
	rankLocality
)

type denial struct {
	reason Reason
	rank   int
}

func (d *denial) note(r Reason, rank int) {
	if rank > d.rank {
		d.reason, d.rank = r, rank
	}
}

// precheck makes the checks common to every decision: a policy, a principal
// and a declared purpose (purpose limitation). A purpose the policy does not
// know has no grant in the table, so it is denied by the lookup itself; why
// is worked out only then (denied), off the fast path.
func (p *Policy) precheck(pr *principal.Principal) Reason {
	switch {
	case p == nil || p.table == nil:
		return ReasonNoPolicy
	case pr == nil:
		return ReasonNoPrincipal
	case pr.Purpose == "":
		return ReasonNoPurpose
	}
	return ""
}

// denied is the final denial: an undeclared purpose says so, whatever the
// roles were.
func (p *Policy) denied(pr *principal.Principal, d denial) Decision {
	if d.rank < rankGrant {
		if _, ok := p.purposes[pr.Purpose]; !ok {
			return Decision{Deny, ReasonUnknownPurpose}
		}
	}
	return Decision{Deny, d.reason}
}

// grantFor finds the grant of one of the principal's roles for its purpose,
// noting why there is none.
func (p *Policy) grantFor(role, purpose string, d *denial) *grant {
	g, ok := p.table[rolePurpose{role, purpose}]
	if ok {
		return g
	}
	if _, known := p.roles[role]; known {
		d.note(ReasonPurposeNotAllowed, rankPurpose)
	}
	return nil
}

// Decide says whether the principal may see a field of class c about subject
// s: Allow, Mask or Deny, with a reason.
//
// A token without a purpose, or with a purpose none of its roles may use,
// gets Deny for every class. Otherwise each of the principal's roles is
// asked for its grant for that purpose; the class must be allowed or masked
// there and the subject must be inside the grant's locality. With several
// roles the most permissive answer wins (Allow over Mask over Deny): roles
// add up, as they would for a person holding both jobs, and each role's
// answer already respects that role's locality.
//
// Decide does not allocate; it runs on every personal field of every response.
func (p *Policy) Decide(pr *principal.Principal, c Class, s Subject) Decision {
	if r := p.precheck(pr); r != "" {
		return Decision{Deny, r}
	}
	ci, ok := classIndex(c)
	if !ok {
		return Decision{Deny, ReasonUnknownClass}
	}
	best := Decision{Deny, ReasonNoRole}
	d := denial{reason: ReasonNoRole}
	for _, role := range pr.Roles {
		g := p.grantFor(role, pr.Purpose, &d)
		if g == nil {
			continue
		}
		e := g.effects[ci]
		if e == Deny {
			d.note(ReasonClassNotGranted, rankGrant)
			continue
		}
		if r := p.locate(g.locality, pr, s); r != "" {
			d.note(r, rankLocality)
			continue
		}
		if e == Allow {
			return Decision{Allow, ReasonAllowed}
		}
		best = Decision{Mask, ReasonMasked}
	}
	if best.Effect == Mask {
		return best
	}
	return p.denied(pr, d)
}

// Allowed reports whether a field of class c about s may be shown at all
// (allowed or masked).
func (d Decision) Allowed() bool { return d.Effect != Deny }

// locate checks the subject against a grant's locality rule; "" means inside.
func (p *Policy) locate(rule LocalityRule, pr *principal.Principal, s Subject) Reason {
	switch rule {
	case LocalityNational:
		return ""
	case LocalitySelf:
		if pr.CitizenID != "" && s.CitizenID == pr.CitizenID {
			return ""
		}
		return ReasonNotSelf
	case LocalityCommune:
		commune, _, ok := p.resolve(s)
		if !ok || commune == "" {
			return ReasonUnknownLocality
		}
		if slices.Contains(pr.Locality.Communes, commune) {
			return ""
		}
		return ReasonOutsideLocality
	case LocalityProvince:
		commune, province, ok := p.resolve(s)
		if !ok {
			return ReasonUnknownLocality
		}
		if province != "" && slices.Contains(pr.Locality.Provinces, province) {
			return ""
		}
		if commune != "" && slices.Contains(pr.Locality.Communes, commune) {
			return ""
		}
		return ReasonOutsideLocality
	}
	return ReasonOutsideLocality
}

// resolve works out the subject's commune and province. A commune the
// directory knows gives its province; a province code that contradicts it
// makes the locality unknown, because a record that disagrees with itself
// cannot be trusted to place the person (fail closed).
func (p *Policy) resolve(s Subject) (commune, province string, ok bool) {
	if !s.Known {
		return "", "", false
	}
	commune, province = s.CommuneCode, s.ProvinceCode
	if commune != "" {
		if c, known := p.dir.Commune(commune); known {
			if province != "" && province != c.ProvinceCode {
				return "", "", false
			}
			province = c.ProvinceCode
		}
	}
	if commune == "" && province == "" {
		return "", "", false
	}
	return commune, province, true
}

// Operation says whether the principal may call a root query or mutation.
// The same purpose limitation applies as for fields: the operation must be
// listed in a grant of one of the principal's roles for the token's purpose.
func (p *Policy) Operation(pr *principal.Principal, op string) Decision {
	if r := p.precheck(pr); r != "" {
		return Decision{Deny, r}
	}
	if _, ok := p.ops[op]; !ok {
		return Decision{Deny, ReasonUnknownOperation}
	}
	d := denial{reason: ReasonNoRole}
	for _, role := range pr.Roles {
		g := p.grantFor(role, pr.Purpose, &d)
		if g == nil {
			continue
		}
		if _, ok := g.ops[op]; ok {
			return Decision{Allow, ReasonAllowed}
		}
		d.note(ReasonOperationNotGranted, rankGrant)
	}
	return p.denied(pr, d)
}

// AllowOperation reports whether Operation allows op.
func (p *Policy) AllowOperation(pr *principal.Principal, op string) bool {
	return p.Operation(pr, op).Effect == Allow
}
