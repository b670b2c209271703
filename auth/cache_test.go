package auth

import (
	"context"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/auth/jwk"
	"github.com/vn-epidemic/hub/principal"
)

func TestCacheHitSkipsVerification(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	static, _ := NewStaticKeys(kr.jwks(t))
	keys := &countingKeys{KeySource: static}
	v := newTestVerifier(t, keys, clock, nil)
	tok := sign(t, kr.ed, claimsAt(clock.Now()), nil)

	first, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p, err := v.Verify(context.Background(), tok)
		if err != nil || p != first {
			t.Fatalf("warm verify: %v (same principal: %v)", err, p == first)
		}
	}
	if n := keys.lookups.Load(); n != 1 {
		t.Fatalf("%d verifications for one token, want 1", n)
	}
	other := sign(t, kr.ec, claimsAt(clock.Now()), nil)
	if _, err := v.Verify(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if n := keys.lookups.Load(); n != 2 {
		t.Fatalf("%d verifications for two tokens, want 2", n)
	}

	// A cache never hides a refusal: a token that fails is not cached and
	// fails every time.
	bad := sign(t, kr.otherEd, claimsAt(clock.Now()), nil)
	for range 2 {
		if _, err := v.Verify(context.Background(), bad); CodeOf(err) != CodeInvalidSignature {
			t.Fatalf("got %v", err)
		}
	}
	if v.cache.len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", v.cache.len())
	}
}

func TestCacheRespectsExpiry(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	static, _ := NewStaticKeys(kr.jwks(t))
	keys := &countingKeys{KeySource: static}
	v := newTestVerifier(t, keys, clock, nil)
	c := claimsAt(clock.Now())
	c["exp"] = clock.Now().Add(10 * time.Minute).Unix()
	tok := sign(t, kr.ed, c, nil)

	steps := []struct {
		advance     time.Duration
		wantCode    string
		wantLookups int64
	}{
		{0, "", 1},                // cold
		{9 * time.Minute, "", 1},  // warm
		{59 * time.Second, "", 1}, // 1 s before exp: warm
		{time.Second, "", 2},      // at exp: not from the cache; re-verified within the leeway
		{10 * time.Second, "", 3}, // still within leeway, and not cached past exp
		{30 * time.Second, CodeTokenExpired, 4},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		_, err := v.Verify(context.Background(), tok)
		if CodeOf(err) != s.wantCode || keys.lookups.Load() != s.wantLookups {
			t.Fatalf("step %d: err %v, lookups %d; want code %q, lookups %d", i, err, keys.lookups.Load(), s.wantCode, s.wantLookups)
		}
	}
	if v.cache.len() != 0 {
		t.Fatalf("expired token still cached")
	}
}

func TestCacheBounded(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(t))
	for _, size := range []int{1, 5, 16, 40} {
		v := newTestVerifier(t, keys, clock, func(c *Config) { c.CacheSize = size })
		for i := range 60 {
			cl := claimsAt(clock.Now())
			cl["jti"] = "t" + strconv.Itoa(i)
			if _, err := v.Verify(context.Background(), sign(t, kr.ed, cl, nil)); err != nil {
				t.Fatal(err)
			}
		}
		if n := v.cache.len(); n > size || n == 0 {
			t.Errorf("size %d: cache holds %d entries", size, n)
		}
	}
	off := newTestVerifier(t, keys, clock, func(c *Config) { c.CacheSize = -1 })
	if off.cache != nil {
		t.Fatal("negative CacheSize should disable the cache")
	}
}

// TestCacheLRU: within a shard the least recently used entry goes first.
func TestCacheLRU(t *testing.T) {
	kr := testKeys()
	static, _ := NewStaticKeys(kr.jwks(t))
	c := newTokenCache(2 * cacheShards) // two entries per shard
	now := newFakeClock().Now()
	exp := now.Add(time.Hour)
	key := kr.ed.public()
	key = static.Current(key.ID)
	sum := func(b byte) [sha256.Size]byte { return [sha256.Size]byte{0, b} } // all in shard 0
	p := func(s string) *principal.Principal { return &principal.Principal{Subject: s} }
	c.put(sum(1), p("a"), key, exp, now)
	c.put(sum(2), p("b"), key, exp, now)
	if c.get(sum(1), now, static) == nil { // a is now the most recent
		t.Fatal("a missing")
	}
	c.put(sum(3), p("c"), key, exp, now)
	if c.get(sum(2), now, static) != nil {
		t.Fatal("b should have been evicted")
	}
	if c.get(sum(1), now, static) == nil || c.get(sum(3), now, static) == nil {
		t.Fatal("a or c evicted")
	}
	// A token already past exp is not stored.
	c.put(sum(4), p("d"), key, now, now)
	if c.get(sum(4), now, static) != nil {
		t.Fatal("stored an expired token")
	}
	// A key that changed material under the same kid drops the entry.
	changed := &jwk.Key{ID: key.ID, Algorithm: key.Algorithm, Public: kr.otherEd.signer.Public()}
	other, _ := jwk.NewSet(changed)
	if c.get(sum(1), now, setKeys{other}) != nil {
		t.Fatal("entry kept after its key's material changed")
	}
}

// setKeys is a KeySource over a fixed jwk.Set.
type setKeys struct{ s *jwk.Set }

func (k setKeys) Key(_ context.Context, kid string) (*jwk.Key, error) {
	if x := k.s.Key(kid); x != nil {
		return x, nil
	}
	return nil, fail(CodeUnknownKey)
}
func (k setKeys) Current(kid string) *jwk.Key { return k.s.Key(kid) }
