package graph

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
	"github.com/vn-epidemic/hub/policy"
	"github.com/vn-epidemic/hub/principal"
)

// Access control lives here, in one field middleware (enforce) driven by the
// schema's @personal directives and the access policy:
//   - every root field is an operation the policy must grant to the caller's
//     roles for the declared purpose (no principal: UNAUTHENTICATED);
//   - every @personal field is decided for whose data it is (the subject: the
//     nearest Citizen above it, else the nearest passage, reconciliation,
//     feedback, declaration, QR lookup or verification): allowed as it is,
//     masked, or null with FORBIDDEN at its path. A denied field's resolver
//     never runs, so no ministry is asked for data the caller may not see;
//   - every field returning a Citizen is null with FORBIDDEN when the caller
//     may see none of that person's data (another commune's citizen, someone
//     else's record for self-service): one error, not one per field.
// Lists and writes check the locality of their unit or subject in their
// resolvers (authorizeUnit, authorizeSubject), before any upstream call.

// Public reasons of a FORBIDDEN error (extensions.reason). They say which rule
// refused, never whose data it was.
const (
	ReasonPurpose   = "purpose"   // no purpose of use, or one the caller's roles may not use
	ReasonOperation = "operation" // the operation is not granted to the caller's roles
	ReasonClass     = "class"     // the field's data class is not granted
	ReasonLocality  = "locality"  // the person or unit is outside the caller's locality (or not the caller, for self-service)
	ReasonMasked    = "masked"    // the class is granted masked only and the field has no masked form
)

const extReason = "reason"

// AccessError refuses an operation, a list or a field (FORBIDDEN with
// extensions.reason). It matches ErrForbidden.
type AccessError struct {
	Reason string // one of the Reason… constants
}

func (e *AccessError) Error() string {
	switch e.Reason {
	case ReasonPurpose:
		return "not allowed for the declared purpose of use"
	case ReasonOperation:
		return "operation not allowed for the caller's role"
	case ReasonClass:
		return "data class not allowed for the caller's role"
	case ReasonLocality:
		return "outside the caller's locality"
	case ReasonMasked:
		return "withheld: shown masked only, and this field has no masked form"
	}
	return "not allowed"
}

// Is makes every AccessError an ErrForbidden.
func (e *AccessError) Is(target error) bool { return target == ErrForbidden }

// One value per public reason: the hot path allocates no errors.
var (
	errForbidPurpose   = &AccessError{ReasonPurpose}
	errForbidOperation = &AccessError{ReasonOperation}
	errForbidClass     = &AccessError{ReasonClass}
	errForbidLocality  = &AccessError{ReasonLocality}
	errForbidMasked    = &AccessError{ReasonMasked}
)

// refusal maps the policy's reason (for auditors; finer) to the error the
// client sees. operation says whether an operation (not a field) was refused.
func refusal(r policy.Reason, operation bool) error {
	switch r {
	case policy.ReasonNoPrincipal:
		return ErrUnauthenticated
	case policy.ReasonNoPurpose, policy.ReasonUnknownPurpose, policy.ReasonPurposeNotAllowed:
		return errForbidPurpose
	case policy.ReasonOutsideLocality, policy.ReasonUnknownLocality, policy.ReasonNotSelf:
		return errForbidLocality
	case policy.ReasonOperationNotGranted, policy.ReasonUnknownOperation:
		return errForbidOperation
	}
	if operation {
		return errForbidOperation
	}
	return errForbidClass
}

// ---- the rules, from the schema ----

// fieldRule is what the schema says about one field.
type fieldRule struct {
	personal bool
	class    policy.Class
	mask     model.MaskKind // "" when the field has no masked form
	citizen  bool           // the field returns a Citizen: checked for visibility
}

// accessRules is type name → field name → rule, built once from the schema
// so the middleware does two map lookups per field, no AST walking.
type accessRules map[string]map[string]fieldRule

const personalDirective = "personal"

// buildRules reads the @personal directives of the schema. It fails on a
// directive whose class the policy package does not know, so a schema and a
// hub that disagree never start.
func buildRules(schema *ast.Schema) (accessRules, []policy.Class, error) {
	rules := accessRules{}
	for name, def := range schema.Types {
		if def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			var rule fieldRule
			if d := f.Directives.ForName(personalDirective); d != nil {
				rule.personal = true
				if a := d.Arguments.ForName("class"); a != nil {
					rule.class = policy.Class(a.Value.Raw)
				}
				if !rule.class.Valid() {
					return nil, nil, fmt.Errorf("graph: %s.%s: @personal class %q is not a policy class", name, f.Name, rule.class)
				}
				if a := d.Arguments.ForName("mask"); a != nil {
					rule.mask = model.MaskKind(a.Value.Raw)
					if !rule.mask.IsValid() {
						return nil, nil, fmt.Errorf("graph: %s.%s: unknown mask %q", name, f.Name, rule.mask)
					}
				}
			}
			rule.citizen = f.Type.Name() == "Citizen"
			if !rule.personal && !rule.citizen {
				continue
			}
			if rules[name] == nil {
				rules[name] = map[string]fieldRule{}
			}
			rules[name][f.Name] = rule
		}
	}
	return rules, citizenClasses(schema, rules), nil
}

// citizenClasses lists the classes labelled on the fields reachable from
// Citizen: a citizen is visible when any of them may be seen.
func citizenClasses(schema *ast.Schema, rules accessRules) []policy.Class {
	seen := map[string]bool{}
	found := map[policy.Class]bool{}
	var walk func(string)
	walk = func(t string) {
		def := schema.Types[t]
		if seen[t] || def == nil || def.Kind != ast.Object {
			return
		}
		seen[t] = true
		for _, f := range def.Fields {
			if r := rules[t][f.Name]; r.personal {
				found[r.class] = true
			}
			walk(f.Type.Name())
		}
	}
	walk("Citizen")
	var out []policy.Class
	for _, c := range policy.Classes() {
		if found[c] {
			out = append(out, c)
		}
	}
	return out
}

// ---- per-request state ----

// accessState is one operation's caller and the localities of the people
// its fields are about (from the population registry, cached).
type accessState struct {
	p        *principal.Principal // nil: unauthenticated
	mu       sync.Mutex
	locality map[string]policy.Subject // by the ID the registry was asked
}

type accessKey struct{}

func withAccess(ctx context.Context) context.Context {
	p, _ := principal.FromContext(ctx)
	return context.WithValue(ctx, accessKey{}, &accessState{p: p, locality: map[string]policy.Subject{}})
}

// access returns the operation's state, or a fresh one (nothing cached)
// when the schema is executed without WithLoaders.
func access(ctx context.Context) *accessState {
	if st, ok := ctx.Value(accessKey{}).(*accessState); ok {
		return st
	}
	p, _ := principal.FromContext(ctx)
	return &accessState{p: p, locality: map[string]policy.Subject{}}
}

// ---- the middleware ----

// enforce is the field middleware (srv.AroundFields).
func (r *Resolver) enforce(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	if fc.Object == "Query" || fc.Object == "Mutation" {
		// Introspection is governed by ServerOptions.Introspection.
		if len(fc.Field.Name) < 2 || fc.Field.Name[:2] != "__" {
			if err := r.authorizeOperation(access(ctx), fc.Field.Name); err != nil {
				return nil, err
			}
		}
	}
	rule, ok := r.rules[fc.Object][fc.Field.Name]
	if !ok {
		return next(ctx)
	}
	st := access(ctx)
	if rule.personal {
		d := r.decide(ctx, st, rule.class, subjectOf(fc))
		switch {
		case d.Effect == policy.Deny:
			return nil, refusal(d.Reason, false)
		case d.Effect == policy.Mask && rule.mask == "":
			return nil, errForbidMasked
		case d.Effect == policy.Mask && rule.mask != model.MaskKindPerField:
			v, err := next(ctx)
			if err != nil || v == nil {
				return v, err
			}
			if m, ok := applyMask(rule.mask, v); ok {
				return m, nil
			}
			return nil, errForbidMasked // a value the mask does not fit: reveal nothing
		}
	}
	v, err := next(ctx)
	if err != nil || !rule.citizen {
		return v, err
	}
	if c, ok := v.(*model.Citizen); ok && c != nil {
		if err := r.citizenVisible(ctx, st, c); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// authorizeOperation checks a root field against the policy's operations.
func (r *Resolver) authorizeOperation(st *accessState, op string) error {
	if st.p == nil {
		return ErrUnauthenticated
	}
	if d := r.pol.Operation(st.p, op); d.Effect != policy.Allow {
		return refusal(d.Reason, true)
	}
	return nil
}

// citizenVisible refuses a citizen the caller may see nothing of.
func (r *Resolver) citizenVisible(ctx context.Context, st *accessState, c *model.Citizen) error {
	sub := subject{s: policy.Subject{CitizenID: c.ID}, registryID: c.ID}
	var reason policy.Reason
	for _, class := range r.citizenClasses {
		d := r.decide(ctx, st, class, sub)
		if d.Allowed() {
			return nil
		}
		if reason == "" || refusal(d.Reason, false) == errForbidLocality {
			reason = d.Reason
		}
	}
	if reason == "" {
		reason = policy.ReasonClassNotGranted
	}
	return refusal(reason, false)
}

// ---- subjects ----

// subject is whose data a field is. registryID, when set, is the ID under
// which the population registry knows where the person lives; it is asked
// only when a decision depends on it.
type subject struct {
	s          policy.Subject
	registryID string
}

// subjectOf finds whose data the field being resolved is: the nearest Citizen
// above it; failing that, the nearest record that names a person. A passage
// or declaration under a Citizen is that citizen's data, authorised where the
// citizen lives; an arrival read from its commune's list is authorised where
// the passage happened, as the police system records it.
func subjectOf(fc *graphql.FieldContext) subject {
	var first subject
	found := false
	for p := fc.Parent; p != nil; p = p.Parent {
		var s subject
		switch v := p.Result.(type) {
		case *model.Citizen:
			if v != nil {
				return subject{s: policy.Subject{CitizenID: v.ID}, registryID: v.ID}
			}
			continue
		case *domain.Passage:
			if v == nil {
				continue
			}
			commune := v.DestinationCommune
			if v.Direction == domain.DirectionOut {
				commune = v.OriginCommune
			}
			s = subject{s: unitSubject(v.PersonID, commune)}
		case *domain.Reconciliation:
			if v == nil {
				continue
			}
			s = subject{s: unitSubject(v.PersonID, v.CommuneCode)}
		case *domain.Feedback:
			if v == nil {
				continue
			}
			s = subject{s: unitSubject(v.PersonID, v.CommuneCode)}
		case *domain.HealthDeclaration:
			if v == nil {
				continue
			}
			s = subject{s: unitSubject(v.PersonID, v.CommuneCode)}
		case *model.QRLookup:
			if v == nil {
				continue
			}
			s = registrySubject(v.DocumentNumber)
		case *model.IdentityVerification:
			if v == nil {
				continue
			}
			s = registrySubject(v.Subject)
		case *model.RecordDosePayload:
			if v == nil || v.Dose == nil {
				continue
			}
			s = registrySubject(v.Dose.PersonID)
		default:
			continue
		}
		if !found {
			first, found = s, true
		}
	}
	return first // none: an unknown person of unknown locality (fail closed)
}

func unitSubject(personID, commune string) policy.Subject {
	return policy.Subject{CitizenID: personID, CommuneCode: commune, Known: commune != ""}
}

// registrySubject is a person known by an ID number whose locality, if
// needed, is asked from the population registry (passports are not in it).
func registrySubject(id string) subject {
	s := subject{s: policy.Subject{CitizenID: id}}
	if k := domain.ClassifyID(id); k == domain.IDPersonal || k == domain.IDOld {
		s.registryID = id
	}
	return s
}

// decide asks the policy. A subject whose locality comes from the registry is
// first decided without it (national and self-service grants do not need
// it); only a decision short of Allow asks the registry (once per person and
// request, through the person loader) and decides again.
func (r *Resolver) decide(ctx context.Context, st *accessState, class policy.Class, sub subject) policy.Decision {
	d := r.pol.Decide(st.p, class, sub.s)
	if d.Effect == policy.Allow || sub.registryID == "" || sub.s.Known || st.p == nil {
		return d
	}
	return r.pol.Decide(st.p, class, r.registryLocality(ctx, st, sub.registryID))
}

// registryLocality is where the registry says the person lives: the current
// residence, else the permanent one. Unknown (Known false, so commune and
// province grants deny) when the registry does not answer or know the ID.
func (r *Resolver) registryLocality(ctx context.Context, st *accessState, id string) policy.Subject {
	st.mu.Lock()
	s, ok := st.locality[id]
	st.mu.Unlock()
	if ok {
		return s
	}
	s = policy.Subject{CitizenID: id}
	if p, err := r.loadersFrom(ctx).person.Load(ctx, id); err == nil {
		if p.ID != "" {
			s.CitizenID = p.ID // found by CMND: self-service compares 12-digit IDs
		}
		a := p.Current
		if a.CommuneCode == "" && a.ProvinceCode == "" {
			a = p.Permanent
		}
		s.CommuneCode, s.ProvinceCode = a.CommuneCode, a.ProvinceCode
		s.Known = a.CommuneCode != "" || a.ProvinceCode != ""
	}
	st.mu.Lock()
	st.locality[id] = s
	st.mu.Unlock()
	return s
}

// ---- masks ----

// applyMask turns a value into its masked form, keeping its Go type (the
// generated code asserts it). ok is false when the mask does not fit the
// value: the caller then withholds it.
func applyMask(kind model.MaskKind, v any) (any, bool) {
	switch kind {
	case model.MaskKindIDNumber:
		return mapString(v, policy.MaskID)
	case model.MaskKindFullName:
		return mapString(v, policy.MaskFullName)
	case model.MaskKindPhone:
		return mapString(v, policy.MaskPhone)
	case model.MaskKindFamilyName:
		return mapString(v, func(s string) string { return policy.MaskName(domain.PersonName{Family: s}).Family })
	case model.MaskKindInitials:
		return mapString(v, func(s string) string { return policy.MaskName(domain.PersonName{Given: s}).Given })
	case model.MaskKindDate:
		switch d := v.(type) {
		case domain.Date:
			return policy.MaskDate(d), true
		case *domain.Date:
			m := policy.MaskDate(*d)
			return &m, true
		}
	case model.MaskKindAddress:
		switch a := v.(type) {
		case *model.AdminUnit:
			return a, true // a masked address keeps its commune and province
		case domain.Address:
			return policy.MaskAddress(a), true
		case *domain.Address:
			m := policy.MaskAddress(*a)
			return &m, true
		}
	}
	return nil, false
}

func mapString(v any, f func(string) string) (any, bool) {
	switch s := v.(type) {
	case string:
		return f(s), true
	case *string:
		m := f(*s)
		return &m, true
	}
	return nil, false
}

// ---- lists and writes ----

// authorizeUnit refuses a list of a unit (2-digit province or 5-digit
// commune) outside the caller's scope for the operation. It runs before the
// upstream is asked: lists are filtered by the ministries, never here.
func (r *Resolver) authorizeUnit(ctx context.Context, op, unit string) error {
	st := access(ctx)
	if st.p == nil {
		return ErrUnauthenticated
	}
	if !r.pol.ScopeFor(st.p, op).Permits(unit) {
		return errForbidLocality
	}
	return nil
}

// authorizeSubject refuses a write about a person outside the caller's scope
// for the operation: self-service only about oneself, commune and province
// grants only about people of their units. registryID, when set and the
// subject's locality is unknown, asks the registry where the person lives.
func (r *Resolver) authorizeSubject(ctx context.Context, op string, s policy.Subject, registryID string) error {
	st := access(ctx)
	if st.p == nil {
		return ErrUnauthenticated
	}
	sc := r.pol.ScopeFor(st.p, op)
	switch {
	case sc.National:
		return nil
	case sc.Self != "" && s.CitizenID == sc.Self:
		return nil
	case sc.Empty():
		return errForbidLocality
	}
	if !s.Known && registryID != "" {
		s = r.registryLocality(ctx, st, registryID)
	}
	if s.Known && (s.CommuneCode != "" && sc.Permits(s.CommuneCode) || s.CommuneCode == "" && sc.Permits(s.ProvinceCode)) {
		return nil
	}
	return errForbidLocality
}

// maxScopeReads bounds how many feedback pages resolveFeedback reads to find
// a feedback inside the caller's scope.
const maxScopeReads = 20

// authorizeFeedback finds the feedback id among the feedback of the caller's
// units before it may be resolved (the platform has no lookup by ID). A
// feedback not found there is refused as outside the locality, whether it
// exists elsewhere or not: the answer does not tell which.
func (r *Resolver) authorizeFeedback(ctx context.Context, op, id string) error {
	st := access(ctx)
	if st.p == nil {
		return ErrUnauthenticated
	}
	sc := r.pol.ScopeFor(st.p, op)
	if sc.National {
		return nil
	}
	communes := sc.Communes
	for _, p := range sc.Provinces {
		for _, c := range r.dir.Communes(p) {
			communes = append(communes, c.Code)
		}
	}
	reads := 0
	for _, commune := range communes {
		cursor := ""
		for {
			if reads == maxScopeReads {
				return errForbidLocality
			}
			reads++
			page, err := r.src.Vaccination.ListFeedback(ctx, domain.FeedbackFilter{CommuneCode: commune}, domain.PageRequest{Limit: maxFirst, Cursor: cursor})
			if err != nil {
				return err
			}
			for _, f := range page.Items {
				if f.ID == id {
					return nil
				}
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
	}
	return errForbidLocality
}

// caller is the signed-in principal's subject, recorded on writes.
func caller(ctx context.Context) (string, error) {
	if p := access(ctx).p; p != nil && p.Subject != "" {
		return p.Subject, nil
	}
	return "", ErrUnauthenticated
}

// fieldVisible reports whether the caller may see field of typ about sub at
// all (allowed, or masked with a masked form): prefetching skips the rest.
func (r *Resolver) fieldVisible(ctx context.Context, st *accessState, typ, field string, sub subject) bool {
	rule, ok := r.rules[typ][field]
	if !ok || !rule.personal {
		return true
	}
	d := r.decide(ctx, st, rule.class, sub)
	return d.Effect == policy.Allow || d.Effect == policy.Mask && rule.mask != ""
}
