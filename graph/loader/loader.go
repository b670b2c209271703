// Package loader batches and caches upstream lookups for one GraphQL request,
// over graph-gophers/dataloader/v7, and removes that library's two sharp edges
// for a federation hub: the batch function runs with the context of whichever
// caller came first (so that caller's cancellation would fail everybody in the
// batch), and errors are cached like values (so one cancelled caller would
// poison the key for the rest of the request). It knows nothing of GraphQL or
// of any upstream; callers supply the fetch function.
package loader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"
)

// Config tunes a loader. Zero fields take the defaults.
type Config struct {
	// Wait is how long the first Load of a batch waits for more keys
	// before the batch is sent (default 2 ms).
	Wait time.Duration
	// Capacity is the largest batch; a full batch is sent at once (default 100).
	Capacity int
	// Timeout bounds each fetch (default 10 s). The fetch never sees the
	// callers' cancellation, only this bound and Deadline.
	Timeout time.Duration
	// Deadline, when set, also bounds each fetch: the request's own deadline,
	// shared by every caller, so no fetch outlives the request that needs it.
	Deadline time.Time
}

const (
	defaultWait     = 2 * time.Millisecond
	defaultCapacity = 100
	defaultTimeout  = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Wait <= 0 {
		c.Wait = defaultWait
	}
	if c.Capacity <= 0 {
		c.Capacity = defaultCapacity
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	return c
}

// Fetch loads values for keys. It returns slices aligned with keys: vals[i]
// and errs[i] belong to keys[i]; errs may be nil when all succeeded.
type Fetch[K comparable, V any] func(ctx context.Context, keys []K) (vals []V, errs []error)

// ErrMisaligned is returned for every key of a batch whose fetch returned
// slices of the wrong length: a programming error in an adapter, never data.
var ErrMisaligned = errors.New("loader: fetch returned results not aligned with keys")

// ErrPanic is returned for every key of a batch whose fetch panicked. The
// panic value is dropped: it may carry personal data.
var ErrPanic = errors.New("loader: fetch panicked")

// Loader batches Loads of keys into calls of its Fetch and caches the results
// for its lifetime (one request). Safe for concurrent use.
type Loader[K comparable, V any] struct {
	dl    *dataloader.Loader[K, V]
	cache *dataloader.InMemoryCache[K, V]
	batch dataloader.BatchFunc[K, V]
	cfg   Config
}

// New returns a loader over fetch.
func New[K comparable, V any](cfg Config, fetch Fetch[K, V]) *Loader[K, V] {
	cfg = cfg.withDefaults()
	l := &Loader[K, V]{cfg: cfg, cache: dataloader.NewCache[K, V]()}
	l.batch = l.batchFunc(fetch)
	l.dl = dataloader.NewBatchedLoader(l.batch,
		dataloader.WithWait[K, V](cfg.Wait),
		dataloader.WithBatchCapacity[K, V](cfg.Capacity),
		dataloader.WithCache[K, V](l.cache),
	)
	return l
}

// batchFunc adapts fetch to dataloader's BatchFunc. dataloader hands it the
// context of the first caller of the batch; the fetch instead runs detached
// from that caller's cancellation (context.WithoutCancel keeps its values:
// principal, trace) and bounded by the loader's own timeout and the request
// deadline, so a cancelled caller cannot fail the others in its batch.
func (l *Loader[K, V]) batchFunc(fetch Fetch[K, V]) dataloader.BatchFunc[K, V] {
	return func(first context.Context, keys []K) []*dataloader.Result[V] {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(first), l.cfg.Timeout)
		defer cancel()
		if !l.cfg.Deadline.IsZero() {
			var cancelDeadline context.CancelFunc
			ctx, cancelDeadline = context.WithDeadline(ctx, l.cfg.Deadline)
			defer cancelDeadline()
		}
		out := make([]*dataloader.Result[V], len(keys))
		failAll := func(err error) []*dataloader.Result[V] {
			for i := range out {
				out[i] = &dataloader.Result[V]{Error: err}
			}
			return out
		}
		vals, errs, panicked := safeFetch(ctx, fetch, keys)
		if panicked {
			return failAll(ErrPanic)
		}
		if len(vals) != len(keys) || (errs != nil && len(errs) != len(keys)) {
			return failAll(fmt.Errorf("%w: %d keys, %d values, %d errors", ErrMisaligned, len(keys), len(vals), len(errs)))
		}
		for i := range keys {
			r := &dataloader.Result[V]{Data: vals[i]}
			if errs != nil {
				r.Error = errs[i]
			}
			out[i] = r
		}
		return out
	}
}

// safeFetch runs fetch, turning a panic into a plain failure of the batch.
// dataloader would recover it too, but would log the panic value and stack,
// which may carry personal data.
func safeFetch[K comparable, V any](ctx context.Context, fetch Fetch[K, V], keys []K) (vals []V, errs []error, panicked bool) {
	defer func() {
		if recover() != nil {
			vals, errs, panicked = nil, nil, true
		}
	}()
	vals, errs = fetch(ctx, keys)
	return vals, errs, false
}

type result[V any] struct {
	val V
	err error
}

// Load returns the value for key, batched with the other Loads of the same
// moment and cached for the loader's lifetime. It returns early with ctx's
// error when ctx ends first; the batch goes on for the other callers.
//
// Errors are cached like values (one failing upstream is asked once per
// request), except context errors: a fetch cut short by a deadline or a
// cancellation says nothing about the key, so the key is cleared and the next
// Load asks again.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	thunk := l.dl.Load(ctx, key)
	done := make(chan result[V], 1)
	go func() {
		v, err := thunk()
		done <- result[V]{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && IsContextError(r.err) {
			l.dl.Clear(ctx, key)
		}
		return r.val, r.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// LoadAll fetches every key not cached yet, in one fetch per Capacity keys
// (concurrently, detached and bounded like any batch), and caches the results
// (values, and errors other than context errors) before it returns; the
// Loads that follow are served from the cache. A resolver that knows the keys
// its children will ask for (the rows of a page) uses it so that batching
// does not depend on the children's timing.
func (l *Loader[K, V]) LoadAll(ctx context.Context, keys []K) {
	seen := make(map[K]bool, len(keys))
	var missing []K
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := l.cache.Get(ctx, k); !ok {
			missing = append(missing, k)
		}
	}
	var wg sync.WaitGroup
	for chunk := range slices.Chunk(missing, l.cfg.Capacity) {
		wg.Go(func() {
			results := l.batch(ctx, chunk)
			for i, k := range chunk {
				r := results[i]
				if r.Error != nil && IsContextError(r.Error) {
					continue
				}
				// Like Prime: what a concurrent Load already cached stays.
				if _, ok := l.cache.Get(ctx, k); !ok {
					l.cache.Set(ctx, k, func() (V, error) { return r.Data, r.Error })
				}
			}
		})
	}
	wg.Wait()
}

// Prime stores a value for key unless one is cached already, e.g. a person
// looked up by old ID primed under the 12-digit ID as well.
func (l *Loader[K, V]) Prime(ctx context.Context, key K, val V) {
	l.dl.Prime(ctx, key, val)
}

// IsContextError reports whether err comes from a context ending (cancelled
// or past its deadline), however deeply wrapped.
func IsContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
