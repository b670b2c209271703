package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/policy"
)

// Prefetching for pages. A page's rows resolve their citizens concurrently,
// each Load joining whatever batch is open; how many batches that makes
// depends on timing (a busy machine can split a page over several). A list
// resolver knows every row's person up front, so it looks ahead at what the
// client selected below the rows' citizen field and loads exactly that, one
// batch per ministry (per 100 keys), before returning the page. The rows'
// own Loads are then served from the request's cache.

// selectedBelow reports whether the field path (names, fragments resolved,
// @skip/@include applied) is selected under the field being resolved.
func selectedBelow(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return false
	}
	return selectedIn(graphql.GetOperationContext(ctx), fc.Field.Selections, path)
}

func selectedIn(opCtx *graphql.OperationContext, sels ast.SelectionSet, path []string) bool {
	if len(path) == 0 {
		return true
	}
	for _, f := range graphql.CollectFields(opCtx, sels, nil) {
		if f.Name == path[0] && selectedIn(opCtx, f.Selections, path[1:]) {
			return true
		}
	}
	return false
}

// prefetchCitizens loads what the rows' citizens will be asked about: the
// registry entries of ids, then, as selected below base (the path from the
// list field to the rows' Citizen field), their vaccination records,
// certificates, reconciliations, insurance cards, declarations and passages.
// Failures are cached per key like any load and reported by the fields.
func (r *Resolver) prefetchCitizens(ctx context.Context, ids []string, base ...string) {
	sel := func(p ...string) bool { return selectedBelow(ctx, append(slices.Clone(base), p...)...) }
	if !sel() {
		return
	}
	var lookups []string
	for _, id := range ids {
		if k := domain.ClassifyID(id); k == domain.IDPersonal || k == domain.IDOld {
			lookups = append(lookups, id)
		}
	}
	if len(lookups) == 0 {
		return
	}
	l := r.loadersFrom(ctx)
	l.person.LoadAll(ctx, lookups)

	// The keys the rows' fields will use, derived exactly as they derive
	// them, for the citizens and edges the caller may see: nothing is asked
	// about a person, or an edge, that access control will refuse anyway.
	st := access(ctx)
	var vkeys, certKeys, reconKeys []vaccKey
	var cardIDs, declIDs, passageIDs []string
	for _, id := range lookups {
		c, err := r.citizenRef(ctx, id, false)
		if err != nil || c == nil || r.citizenVisible(ctx, st, c) != nil {
			continue
		}
		sub := subject{s: policy.Subject{CitizenID: c.ID}, registryID: c.ID}
		visible := func(typ, field string) bool { return r.fieldVisible(ctx, st, typ, field, sub) }
		if visible("Citizen", "vaccination") {
			key := vaccKey{ID: c.ID}
			if p, err := l.person.Load(ctx, c.ID); err == nil {
				key.OldID = p.OldID
			}
			vkeys = append(vkeys, key)
			if visible("Vaccination", "certificate") {
				certKeys = append(certKeys, key)
			}
			if visible("Vaccination", "reconciliation") {
				reconKeys = append(reconKeys, key)
			}
		}
		if visible("Citizen", "insurance") {
			cardIDs = append(cardIDs, c.ID)
		}
		if visible("Citizen", "declarations") {
			declIDs = append(declIDs, c.ID)
		}
		if visible("Citizen", "movements") {
			passageIDs = append(passageIDs, c.ID)
		}
	}

	var wg sync.WaitGroup
	run := func(selected bool, keys int, load func()) {
		if selected && keys > 0 {
			wg.Go(load)
		}
	}
	run(sel("vaccination"), len(vkeys), func() { l.record.LoadAll(ctx, vkeys) })
	run(sel("vaccination", "certificate"), len(certKeys), func() { l.certificate.LoadAll(ctx, certKeys) })
	run(sel("vaccination", "reconciliation"), len(reconKeys), func() { l.recon.LoadAll(ctx, reconKeys) })
	run(sel("insurance"), len(cardIDs), func() { l.card.LoadAll(ctx, cardIDs) })
	run(sel("declarations"), len(declIDs), func() { l.declarations.LoadAll(ctx, declIDs) })
	run(sel("movements"), len(passageIDs), func() { l.passages.LoadAll(ctx, passageIDs) })
	wg.Wait()
}

// personIDs lists the person each row of a page is about.
func personIDs[T any](p page[T], id func(*T) string) []string {
	out := make([]string, len(p.edges))
	for i, e := range p.edges {
		out[i] = id(e.node)
	}
	return out
}
