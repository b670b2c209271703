package auth

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/vn-epidemic/hub/auth/jwk"
	"github.com/vn-epidemic/hub/principal"
)

// cacheShards splits the cache so concurrent requests rarely wait on the
// same lock.
const cacheShards = 16

// tokenCache remembers verified tokens, keyed by the SHA-256 of the raw
// token (the token itself is never stored), until they expire. Each shard
// is an LRU list bounded to its share of the configured size.
type tokenCache struct {
	shards []cacheShard
}

type cacheShard struct {
	mu    sync.Mutex
	max   int
	items map[[sha256.Size]byte]*list.Element
	lru   list.List // front = most recently used; values are *cacheEntry
}

type cacheEntry struct {
	sum [sha256.Size]byte
	p   *principal.Principal
	key *jwk.Key // the key that verified the token
	exp time.Time
}

func newTokenCache(size int) *tokenCache {
	// Shard sizes add up to exactly size.
	n := min(size, cacheShards)
	c := &tokenCache{shards: make([]cacheShard, n)}
	for i := range c.shards {
		c.shards[i].max = size / n
		if i < size%n {
			c.shards[i].max++
		}
		c.shards[i].items = make(map[[sha256.Size]byte]*list.Element)
	}
	return c
}

func (c *tokenCache) shard(sum [sha256.Size]byte) *cacheShard {
	return &c.shards[int(sum[0])%len(c.shards)]
}

// get returns the cached principal for a token, or nil. An entry is dead
// once the token's exp has passed or once the key that verified it is no
// longer the key with that kid in the key set in force (retired, or
// replaced by other material under the same kid).
func (c *tokenCache) get(sum [sha256.Size]byte, now time.Time, keys KeySource) *principal.Principal {
	s := c.shard(sum)
	s.mu.Lock()
	el, ok := s.items[sum]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.exp) {
		s.remove(el)
		s.mu.Unlock()
		return nil
	}
	s.lru.MoveToFront(el)
	s.mu.Unlock()

	// Asked outside the lock: a key source may do a little work here.
	if cur := keys.Current(e.key.ID); cur != e.key && !cur.Equal(e.key) {
		s.mu.Lock()
		if el2, ok := s.items[sum]; ok && el2 == el {
			s.remove(el)
		}
		s.mu.Unlock()
		return nil
	}
	return e.p
}

// put stores a verified token until its expiry; a token already expired
// (accepted within the leeway) is not stored.
func (c *tokenCache) put(sum [sha256.Size]byte, p *principal.Principal, key *jwk.Key, exp, now time.Time) {
	if key == nil || !now.Before(exp) {
		return
	}
	s := c.shard(sum)
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[sum]; ok {
		el.Value = &cacheEntry{sum: sum, p: p, key: key, exp: exp}
		s.lru.MoveToFront(el)
		return
	}
	for s.lru.Len() >= s.max {
		s.remove(s.lru.Back())
	}
	s.items[sum] = s.lru.PushFront(&cacheEntry{sum: sum, p: p, key: key, exp: exp})
}

func (s *cacheShard) remove(el *list.Element) {
	delete(s.items, el.Value.(*cacheEntry).sum)
	s.lru.Remove(el)
}

// len is the number of entries (for tests).
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.lru.Len()
		s.mu.Unlock()
	}
	return n
}
