package policy

import (
	"slices"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/principal"
)

// Scope is the part of the country whose records a principal may list, for
// pushing into upstream filters (arrivals, reconciliation and feedback
// lists). The zero Scope permits nothing.
type Scope struct {
	National  bool     // every unit
	Provinces []string // whole provinces, sorted
	Communes  []string // single communes outside those provinces, sorted
	Self      string   // self-service: the citizen's own ID; lists of units are never self-service
	dir       *adminunit.Directory
}

// Empty reports whether the scope permits no unit at all (it may still
// permit the principal's own record through Self).
func (s Scope) Empty() bool { return !s.National && len(s.Provinces) == 0 && len(s.Communes) == 0 }

// Permits reports whether a list of the unit with this code (a 2-digit
// province or a 5-digit commune) is inside the scope. A commune scope does
// not permit its province (that would list the neighbours too); a province
// scope permits every commune of the province.
func (s Scope) Permits(unitCode string) bool {
	if unitCode == "" {
		return false
	}
	if s.National {
		return true
	}
	if slices.Contains(s.Communes, unitCode) || slices.Contains(s.Provinces, unitCode) {
		return true
	}
	if s.dir == nil || len(s.Provinces) == 0 {
		return false
	}
	if c, ok := s.dir.Commune(unitCode); ok {
		return slices.Contains(s.Provinces, c.ProvinceCode)
	}
	return false
}

// Scope returns the principal's list scope for its declared purpose: the
// union over its roles' grants for that purpose. A token without an allowed
// purpose gets the empty scope. Prefer ScopeFor when the operation is known:
// a principal with several roles should list with the scope of the roles
// that may call the operation, not with all of them.
func (p *Policy) Scope(pr *principal.Principal) Scope {
	return p.scope(pr, "")
}

// ScopeFor returns the list scope for one operation: the union over the
// principal's roles whose grant for the declared purpose lists op.
func (p *Policy) ScopeFor(pr *principal.Principal, op string) Scope {
	if op == "" {
		return Scope{}
	}
	return p.scope(pr, op)
}

func (p *Policy) scope(pr *principal.Principal, op string) Scope {
	if p.precheck(pr) != "" {
		return Scope{}
	}
	out := Scope{dir: p.dir}
	for _, role := range pr.Roles {
		g := p.table[rolePurpose{role, pr.Purpose}]
		if g == nil {
			continue
		}
		if op != "" {
			if _, ok := g.ops[op]; !ok {
				continue
			}
		}
		switch g.locality {
		case LocalityNational:
			out.National = true
		case LocalityProvince:
			out.Provinces = append(out.Provinces, pr.Locality.Provinces...)
			out.Communes = append(out.Communes, pr.Locality.Communes...)
		case LocalityCommune:
			out.Communes = append(out.Communes, pr.Locality.Communes...)
		case LocalitySelf:
			out.Self = pr.CitizenID
		}
	}
	if out.National {
		out.Provinces, out.Communes = nil, nil
		return out
	}
	out.Provinces = sortUnique(out.Provinces)
	out.Communes = sortUnique(out.Communes)
	if len(out.Provinces) > 0 {
		// A commune inside a scoped province adds nothing to an upstream filter.
		out.Communes = slices.DeleteFunc(out.Communes, func(code string) bool {
			c, ok := p.dir.Commune(code)
			return ok && slices.Contains(out.Provinces, c.ProvinceCode)
		})
		if len(out.Communes) == 0 {
			out.Communes = nil
		}
	}
	return out
}

func sortUnique(s []string) []string {
	s = slices.DeleteFunc(s, func(c string) bool { return c == "" })
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Compact(s)
}
