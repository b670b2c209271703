package graph

import (
	"context"
	"sync"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/loader"
)

// vaccKey is the comparable loader key of a vaccination lookup: the 12-digit
// ID and the old CMND ("" when unknown).
type vaccKey struct {
	ID    string
	OldID string
}

func (k vaccKey) source() domain.PersonKey {
	if k.OldID == "" {
		return domain.PersonKey{ID: k.ID}
	}
	return domain.PersonKey{ID: k.ID, AltIDs: []string{k.OldID}}
}

// loaders are one request's dataloaders: every lookup that can be batched,
// cached for the request's lifetime.
type loaders struct {
	person       *loader.Loader[string, domain.Person]
	record       *loader.Loader[vaccKey, domain.VaccinationRecord]
	certificate  *loader.Loader[vaccKey, domain.Certificate]
	recon        *loader.Loader[vaccKey, domain.Reconciliation]
	card         *loader.Loader[string, domain.InsuranceCard]
	declarations *loader.Loader[string, []domain.HealthDeclaration]
	passages     *loader.Loader[string, []domain.Passage]
	popCounts    *loader.Loader[string, []domain.PopulationCount]
	vaccCounts   *loader.Loader[string, []domain.VaccinationCount]
}

type loadersKey struct{}

// WithLoaders returns ctx carrying a fresh set of loaders for one operation,
// and the operation's access state for the principal in ctx.
// NewServer does this for every operation; call it yourself only when
// executing the schema some other way.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	// The access state (the caller, the localities of the people asked
	// about) lives exactly as long as the loaders.
	return withAccess(context.WithValue(ctx, loadersKey{}, r.newLoaders(ctx)))
}

// loadersFrom returns the operation's loaders, or a fresh set when none was
// injected (then nothing is shared between fields, but nothing breaks).
func (r *Resolver) loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return r.newLoaders(ctx)
}

func (r *Resolver) newLoaders(ctx context.Context) *loaders {
	cfg := loader.Config{
		Wait:     r.cfg.LoaderWait,
		Capacity: r.cfg.LoaderCapacity,
		Timeout:  r.cfg.UpstreamTimeout,
	}
	if d, ok := ctx.Deadline(); ok {
		cfg.Deadline = d
	}
	since := func() time.Time { return r.cfg.Now().Add(-r.cfg.HistoryWindow) }
	pop, vacc, ins, chk := r.src.Population, r.src.Vaccination, r.src.Insurance, r.src.Checkpoint

	return &loaders{
		person: loader.New(cfg, pop.LookupMany),
		record: loader.New(cfg, func(ctx context.Context, keys []vaccKey) ([]domain.VaccinationRecord, []error) {
			return vacc.Records(ctx, sourceKeys(keys))
		}),
		certificate: loader.New(cfg, func(ctx context.Context, keys []vaccKey) ([]domain.Certificate, []error) {
			return vacc.Certificates(ctx, sourceKeys(keys))
		}),
		recon: loader.New(cfg, func(ctx context.Context, keys []vaccKey) ([]domain.Reconciliation, []error) {
			return vacc.Reconciliations(ctx, sourceKeys(keys))
		}),
		card: loader.New(cfg, ins.Cards),
		declarations: loader.New(cfg, func(ctx context.Context, ids []string) ([][]domain.HealthDeclaration, []error) {
			return chk.Declarations(ctx, ids, since())
		}),
		passages: loader.New(cfg, func(ctx context.Context, ids []string) ([][]domain.Passage, []error) {
			return chk.Passages(ctx, ids, since())
		}),
		// Counts are one upstream call per unit; the loader still gives
		// per-request caching (coverage's fields share one call) and the
		// detached, bounded context.
		popCounts:  loader.New(cfg, perKey(pop.PopulationCounts)),
		vaccCounts: loader.New(cfg, perKey(vacc.VaccinationCounts)),
	}
}

func sourceKeys(keys []vaccKey) []domain.PersonKey {
	out := make([]domain.PersonKey, len(keys))
	for i, k := range keys {
		out[i] = k.source()
	}
	return out
}

// perKey turns a one-key upstream call into a loader fetch, calling it
// concurrently for the keys of a batch.
func perKey[V any](call func(ctx context.Context, key string) (V, error)) loader.Fetch[string, V] {
	return func(ctx context.Context, keys []string) ([]V, []error) {
		vals := make([]V, len(keys))
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i, k := range keys {
			wg.Go(func() { vals[i], errs[i] = call(ctx, k) })
		}
		wg.Wait()
		return vals, errs
	}
}
