// Package principal is who is asking: the identity a verified access token
// carries through one request — subject, roles, agency, declared purpose of
// use, locality scope and, for self-service, the citizen's own ID. Access
// control, rate limiting and the audit log read it from the request context.
// It knows nothing of tokens, GraphQL or policy rules.
package principal

import (
	"context"
	"slices"
	"time"
)

// Locality is the part of the country a principal's job covers. Both lists
// empty means national scope.
type Locality struct {
	Provinces []string // 2-digit province codes
	Communes  []string // 5-digit commune codes
}

// National reports whether the scope is the whole country.
func (l Locality) National() bool { return len(l.Provinces) == 0 && len(l.Communes) == 0 }

// Principal is the verified caller of one request. Immutable once built.
type Principal struct {
	Subject   string   // who (the token's sub): an officer or citizen account
	Roles     []string // e.g. "commune_official"
	Agency    string   // the agency the subject acts for
	Purpose   string   // declared purpose of use, e.g. "epidemic_control"; empty when none was declared
	Locality  Locality // where the subject's job applies
	CitizenID string   // self-service: the 12-digit ID of the citizen the subject is
	TokenID   string   // the token's jti, for the audit log
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasRole reports whether the principal holds role.
func (p *Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

type ctxKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal; ok is false for an
// unauthenticated request.
func FromContext(ctx context.Context) (p *Principal, ok bool) {
	p, ok = ctx.Value(ctxKey{}).(*Principal)
	return p, ok && p != nil
}
