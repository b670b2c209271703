package loader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A wait of an hour means a batch is only ever sent because it is full:
// batch boundaries are then decided by Capacity alone, deterministically.
const never = time.Hour

type recorder struct {
	mu    sync.Mutex
	calls [][]string
	ctxs  []context.Context
	errs  []error // each fetch context's error while the fetch ran
}

func (r *recorder) record(ctx context.Context, keys []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, append([]string(nil), keys...))
	r.ctxs = append(r.ctxs, ctx)
	r.errs = append(r.errs, ctx.Err())
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func upper(rec *recorder) Fetch[string, string] {
	return func(ctx context.Context, keys []string) ([]string, []error) {
		rec.record(ctx, keys)
		out := make([]string, len(keys))
		errs := make([]error, len(keys))
		for i, k := range keys {
			if err := ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			out[i] = "v:" + k
		}
		return out, errs
	}
}

func TestConcurrentLoadsAreOneBatch(t *testing.T) {
	rec := &recorder{}
	l := New(Config{Wait: never, Capacity: 3}, upper(rec))
	var wg sync.WaitGroup
	got := make([]string, 3)
	for i, k := range []string{"a", "b", "c"} {
		wg.Go(func() {
			v, err := l.Load(context.Background(), k)
			if err != nil {
				t.Errorf("Load(%s): %v", k, err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	if rec.count() != 1 || len(rec.calls[0]) != 3 {
		t.Errorf("fetch calls = %v, want one call with 3 keys", rec.calls)
	}
	if got[0] != "v:a" || got[2] != "v:c" {
		t.Errorf("values = %v", got)
	}
	// Cached for the loader's lifetime.
	if v, _ := l.Load(context.Background(), "b"); v != "v:b" || rec.count() != 1 {
		t.Errorf("cached load = %q after %d calls", v, rec.count())
	}
}

// Sharp edge 1: dataloader runs the batch with the context of the first
// caller. Here the first caller is already cancelled when it loads; the
// second caller, in the same batch, must still get its value.
func TestCancelledFirstCallerDoesNotFailTheBatch(t *testing.T) {
	rec := &recorder{}
	l := New(Config{Wait: never, Capacity: 2, Timeout: time.Minute}, upper(rec))

	cancelled, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "principal"))
	cancel()
	// The batch is not full yet, so this returns at once with the caller's
	// own cancellation; its key is queued and opens the batch.
	if _, err := l.Load(cancelled, "first"); !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: err = %v, want context.Canceled", err)
	}
	v, err := l.Load(context.Background(), "second") // fills the batch
	if err != nil || v != "v:second" {
		t.Fatalf("second caller: %q, %v: the first caller's cancellation failed the batch", v, err)
	}
	if rec.count() != 1 || len(rec.calls[0]) != 2 {
		t.Fatalf("fetch calls = %v, want one batch of both keys", rec.calls)
	}
	ctx := rec.ctxs[0]
	if rec.errs[0] != nil {
		t.Errorf("fetch ran with a cancelled context: %v", rec.errs[0])
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Errorf("fetch context has no deadline: a detached call must be bounded")
	}
	if ctx.Value(ctxKey{}) != "principal" {
		t.Errorf("fetch context lost the first caller's values")
	}
	// The first caller's key was fetched fine and is cached for later callers.
	if v, err := l.Load(context.Background(), "first"); err != nil || v != "v:first" || rec.count() != 1 {
		t.Errorf("later load of the first key: %q, %v after %d calls", v, err, rec.count())
	}
}

type ctxKey struct{}

// Sharp edge 2: dataloader caches errors like values. A context error says
// nothing about the key and must not be served to later callers.
func TestContextErrorsAreNotCached(t *testing.T) {
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		t.Run(ctxErr.Error(), func(t *testing.T) {
			var calls atomic.Int32
			l := New(Config{Wait: never, Capacity: 1}, func(_ context.Context, keys []string) ([]string, []error) {
				if calls.Add(1) == 1 {
					// As an adapter would report it: wrapped in its own error.
					return make([]string, len(keys)), []error{fmt.Errorf("population TraCuu: %w", ctxErr)}
				}
				return []string{"fresh"}, nil
			})
			if _, err := l.Load(context.Background(), "k"); !errors.Is(err, ctxErr) {
				t.Fatalf("first load: err = %v", err)
			}
			v, err := l.Load(context.Background(), "k")
			if err != nil || v != "fresh" || calls.Load() != 2 {
				t.Errorf("second load: %q, %v after %d fetches: the context error was cached", v, err, calls.Load())
			}
		})
	}
}

// Any other error is an answer for the request: asked once, not per field.
func TestUpstreamErrorsAreCachedForTheRequest(t *testing.T) {
	var calls atomic.Int32
	down := errors.New("upstream unavailable")
	l := New(Config{Wait: never, Capacity: 1}, func(_ context.Context, keys []string) ([]string, []error) {
		calls.Add(1)
		return make([]string, len(keys)), []error{down}
	})
	for range 3 {
		if _, err := l.Load(context.Background(), "k"); !errors.Is(err, down) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("fetches = %d, want 1", calls.Load())
	}
}

func TestLoadReturnsWhenItsContextEnds(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	l := New(Config{Wait: never, Capacity: 1}, func(ctx context.Context, keys []string) ([]string, []error) {
		close(started)
		<-release
		return []string{"late"}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.Load(ctx, "k")
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(release)
	// The fetch finished for everyone else; its value is cached.
	if v, err := l.Load(context.Background(), "k"); err != nil || v != "late" {
		t.Errorf("after release: %q, %v", v, err)
	}
}

func TestFetchIsBoundedByTimeoutAndDeadline(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	tests := []struct {
		name    string
		cfg     Config
		latest  time.Time // the fetch deadline must not be after this
		exactly bool
	}{
		{"timeout", Config{Wait: never, Capacity: 1, Timeout: time.Minute}, time.Now().Add(2 * time.Minute), false},
		{"request deadline earlier than timeout", Config{Wait: never, Capacity: 1, Timeout: 24 * time.Hour, Deadline: deadline}, deadline, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			l := New(tt.cfg, upper(rec))
			if _, err := l.Load(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			d, ok := rec.ctxs[0].Deadline()
			if !ok || d.After(tt.latest) || (tt.exactly && !d.Equal(tt.latest)) {
				t.Errorf("fetch deadline = %v (set %v), want at latest %v", d, ok, tt.latest)
			}
		})
	}
}

func TestPanickingFetchFailsItsBatchWithoutTheValue(t *testing.T) {
	l := New(Config{Wait: never, Capacity: 1}, func(context.Context, []string) ([]string, []error) {
		panic("secret 001190012345")
	})
	_, err := l.Load(context.Background(), "k")
	if !errors.Is(err, ErrPanic) {
		t.Fatalf("err = %v, want ErrPanic", err)
	}
	if got := err.Error(); got != ErrPanic.Error() {
		t.Errorf("error text %q carries more than ErrPanic", got)
	}
}

func TestMisalignedFetch(t *testing.T) {
	l := New(Config{Wait: never, Capacity: 2}, func(context.Context, []string) ([]string, []error) {
		return []string{"only one"}, nil
	})
	var wg sync.WaitGroup
	for _, k := range []string{"a", "b"} {
		wg.Go(func() {
			if _, err := l.Load(context.Background(), k); !errors.Is(err, ErrMisaligned) {
				t.Errorf("Load(%s): err = %v, want ErrMisaligned", k, err)
			}
		})
	}
	wg.Wait()
}

func TestPrime(t *testing.T) {
	rec := &recorder{}
	l := New(Config{Wait: never, Capacity: 1}, upper(rec))
	l.Prime(context.Background(), "k", "primed")
	if v, err := l.Load(context.Background(), "k"); err != nil || v != "primed" || rec.count() != 0 {
		t.Errorf("primed load = %q, %v after %d fetches", v, err, rec.count())
	}
}

func TestLoadAllFetchesOnceAndCaches(t *testing.T) {
	rec := &recorder{}
	down := errors.New("no such key")
	l := New(Config{Wait: never, Capacity: 2}, func(ctx context.Context, keys []string) ([]string, []error) {
		rec.record(ctx, keys)
		out, errs := make([]string, len(keys)), make([]error, len(keys))
		for i, k := range keys {
			switch k {
			case "missing":
				errs[i] = down
			case "late":
				errs[i] = context.DeadlineExceeded
			default:
				out[i] = "v:" + k
			}
		}
		return out, errs
	})
	l.Prime(context.Background(), "primed", "p")
	l.LoadAll(context.Background(), []string{"a", "b", "a", "primed", "missing", "late"})
	// Four keys to fetch (a, b, missing, late) at capacity 2: two fetches,
	// whatever the timing.
	if rec.count() != 2 {
		t.Fatalf("fetches = %v, want 2 chunks of the 4 uncached keys", rec.calls)
	}
	for k, want := range map[string]string{"a": "v:a", "b": "v:b", "primed": "p"} {
		if v, err := l.Load(context.Background(), k); err != nil || v != want {
			t.Errorf("Load(%s) = %q, %v", k, v, err)
		}
	}
	if _, err := l.Load(context.Background(), "missing"); !errors.Is(err, down) {
		t.Errorf("missing: %v", err)
	}
	if rec.count() != 2 {
		t.Errorf("fetches after cached loads = %d, want 2", rec.count())
	}
	// The context error was not cached: asking again fetches again.
	l.LoadAll(context.Background(), []string{"late", "a"})
	if rec.count() != 3 || len(rec.calls[2]) != 1 || rec.calls[2][0] != "late" {
		t.Errorf("fetches = %v, want a third one for the key that timed out only", rec.calls)
	}
}
