package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Version is the policy file format this package reads.
const Version = 1

const maxNameLen = 64

// Validate checks the policy as loaded and reports every problem, each with
// its line in the file where there is one. Load calls it; a policy Load
// returned always validates.
func (p *Policy) Validate() error {
	if p == nil {
		return fmt.Errorf("%w: no policy", ErrInvalid)
	}
	if p.dir == nil {
		return errors.New("access policy: no administrative unit directory")
	}
	v := validator{p: p}
	v.check()
	if len(v.problems) == 0 {
		return nil
	}
	sort.SliceStable(v.problems, func(i, j int) bool {
		a, b := v.problems[i], v.problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Path < b.Path
	})
	return &ValidationError{Problems: v.problems}
}

type validator struct {
	p        *Policy
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Line: v.p.lineOf(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) check() {
	d := &v.p.doc
	switch {
	case d.Version == nil:
		v.add("version", "missing; want version: %d", Version)
	case *d.Version != Version:
		v.add("version", "unsupported version %d; this hub reads version %d", *d.Version, Version)
	}

	if len(d.Purposes) == 0 {
		v.add("purposes", "no purposes declared; every grant needs at least one")
	}
	for _, name := range sortedKeys(d.Purposes) {
		path := "purposes." + name
		if !validName(name) {
			v.add(path, "purpose name %q must be lower_snake_case, at most %d characters", clip(name, 80), maxNameLen)
		}
		if strings.TrimSpace(d.Purposes[name].Description) == "" {
			v.add(path, "purpose has no description; auditors read it")
		}
	}

	ops := map[string]string{}
	checkOps := func(list []string, kind string) {
		for i, op := range list {
			path := fmt.Sprintf("operations.%s[%d]", kind, i)
			if !validOperation(op) {
				v.add(path, "%q is not a GraphQL field name", clip(op, 80))
				continue
			}
			if prev, dup := ops[op]; dup {
				v.add(path, "operation %q is already listed under %s", op, prev)
				continue
			}
			ops[op] = kind
		}
	}
	checkOps(d.Operations.Queries, "queries")
	checkOps(d.Operations.Mutations, "mutations")
	if len(ops) == 0 {
		v.add("operations", "no operations declared; list the schema's queries and mutations")
	}

	if len(d.Roles) == 0 {
		v.add("roles", "no roles declared")
	}
	for _, name := range sortedKeys(d.Roles) {
		v.checkRole(name, d.Roles[name], ops)
	}
}

func (v *validator) checkRole(name string, r rawRole, ops map[string]string) {
	path := "roles." + name
	if !validName(name) {
		v.add(path, "role name %q must be lower_snake_case, at most %d characters", clip(name, 80), maxNameLen)
	}
	if strings.TrimSpace(r.Description) == "" {
		v.add(path, "role has no description; auditors read it")
	}
	if len(r.Grants) == 0 {
		v.add(path, "role has no grants: it could do nothing; remove it or grant it a purpose")
	}
	grantedBy := map[string]int{} // purpose -> index of the grant naming it
	for i, g := range r.Grants {
		gp := fmt.Sprintf("%s.grants[%d]", path, i)
		if len(g.Purposes) == 0 {
			v.add(gp, "grant names no purposes")
		}
		for j, pu := range g.Purposes {
			pp := fmt.Sprintf("%s.purposes[%d]", gp, j)
			if _, ok := v.p.doc.Purposes[pu]; !ok {
				v.add(pp, "unknown purpose %q; declare it under purposes first", clip(pu, 80))
				continue
			}
			if prev, dup := grantedBy[pu]; dup {
				v.add(pp, "purpose %q is already granted by grants[%d] of this role; one grant per role and purpose", pu, prev)
				continue
			}
			grantedBy[pu] = i
		}

		rule := LocalityRule(g.Locality)
		switch {
		case g.Locality == "":
			v.add(gp, "missing locality; want one of commune, province, national, self, none")
		case !rule.valid():
			v.add(gp+".locality", "unknown locality rule %q; want one of commune, province, national, self, none", clip(g.Locality, 80))
		}

		allowed := v.checkClasses(gp+".allow", g.Allow)
		masked := v.checkClasses(gp+".mask", g.Mask)
		for j, c := range g.Mask {
			if allowed[Class(c)] {
				v.add(fmt.Sprintf("%s.mask[%d]", gp, j), "class %s is both allowed and masked; say one", c)
			}
		}
		if rule == LocalityNone && (len(allowed) > 0 || len(masked) > 0) {
			v.add(gp+".locality", "locality none reaches nobody's data, so the grant may not allow or mask classes")
		}

		if len(g.Operations) == 0 {
			v.add(gp, "grant lists no operations, so it could never be used")
		}
		seen := map[string]bool{}
		for j, op := range g.Operations {
			opPath := fmt.Sprintf("%s.operations[%d]", gp, j)
			if _, ok := ops[op]; !ok {
				v.add(opPath, "unknown operation %q; declare it under operations first", clip(op, 80))
				continue
			}
			if seen[op] {
				v.add(opPath, "operation %q is listed twice", op)
			}
			seen[op] = true
		}
	}
}

// checkClasses reports unknown and repeated classes and returns the valid ones.
func (v *validator) checkClasses(path string, list []string) map[Class]bool {
	out := map[Class]bool{}
	for j, s := range list {
		p := fmt.Sprintf("%s[%d]", path, j)
		c := Class(s)
		switch {
		case c.Valid():
		case strings.EqualFold(s, "AGGREGATE"):
			v.add(p, "AGGREGATE is not a data class: aggregates carry no personal data; allow the operation (e.g. coverage) instead")
			continue
		case Class(strings.ToUpper(s)).Valid():
			v.add(p, "unknown class %q; classes are upper case: %s", clip(s, 80), classList())
			continue
		default:
			v.add(p, "unknown class %q; want one of %s", clip(s, 80), classList())
			continue
		}
		if out[c] {
			v.add(p, "class %s is listed twice", c)
		}
		out[c] = true
	}
	return out
}

func classList() string {
	cs := Classes()
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// validName: role and purpose names, lower_snake_case, as tokens carry them.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validOperation: a GraphQL field name, /[_A-Za-z][_0-9A-Za-z]*/.
func validOperation(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
