package vaccination

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// Memo sizes: enumerating a province is slow at national scale, so results
// are kept, but never without bound.
const (
	statsMemoSize    = 512
	feedbackMemoSize = 1024
)

// memo caches computed values per key, at most max of them (oldest evicted
// first), and lets concurrent askers of the same key share one computation.
type memo[T any] struct {
	mu    sync.Mutex
	max   int
	m     map[string]T
	order []string
	group singleflight.Group
}

func newMemo[T any](max int) *memo[T] {
	return &memo[T]{max: max, m: map[string]T{}}
}

func (m *memo[T]) get(key string, compute func() T) T {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return v
	}
	res, _, _ := m.group.Do(key, func() (any, error) {
		v := compute()
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.m[key]; !ok {
			if len(m.order) >= m.max {
				delete(m.m, m.order[0])
				m.order = m.order[1:]
			}
			m.order = append(m.order, key)
		}
		m.m[key] = v
		return v, nil
	})
	return res.(T)
}
