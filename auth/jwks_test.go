package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/auth/issuer"
	"github.com/vn-epidemic/hub/auth/jwk"
)

// TestUnknownKidRefresh: an unknown kid triggers exactly one refresh; a
// flood of unknown kids inside MinRefreshInterval triggers none.
func TestUnknownKidRefresh(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	edOnly, _ := jwk.MarshalSet(kr.ed.public())
	srv := newJWKSServer(t, edOnly)
	keys := newTestJWKSClient(t, srv.URL, clock)
	v := newTestVerifier(t, keys, clock, func(c *Config) { c.CacheSize = -1 })
	ctx := context.Background()

	if _, err := v.Verify(ctx, sign(t, kr.ed, claimsAt(clock.Now()), nil)); err != nil {
		t.Fatal(err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("first lookup: %d fetches, want 1", n)
	}

	// The provider rotates in the EC key. Within MinRefreshInterval of the
	// first fetch the new kid is not looked for...
	srv.set(kr.jwks(t), http.StatusOK, "application/jwk-set+json")
	ecTok := sign(t, kr.ec, claimsAt(clock.Now()), nil)
	if _, err := v.Verify(ctx, ecTok); CodeOf(err) != CodeUnknownKey {
		t.Fatalf("got %v, want unknown_key", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("refresh inside MinRefreshInterval: %d fetches", n)
	}
	// ...after it, one refresh finds it.
	clock.Advance(31 * time.Second)
	if _, err := v.Verify(ctx, ecTok); err != nil {
		t.Fatalf("new key after refresh: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}

	// A flood of made-up kids, concurrently, right after: no fetch at all.
	flood := func() {
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				tok := sign(t, testKey{"made-up-" + strconv.Itoa(i), jwk.EdDSA, kr.ed.signer}, claimsAt(clock.Now()), nil)
				if _, err := v.Verify(ctx, tok); CodeOf(err) != CodeUnknownKey {
					t.Errorf("made-up kid: %v", err)
				}
			})
		}
		wg.Wait()
	}
	flood()
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("flood inside MinRefreshInterval: %d fetches, want 2", n)
	}
	// Once the interval has passed, a concurrent flood shares one fetch.
	clock.Advance(31 * time.Second)
	flood()
	if n := srv.hits.Load(); n != 3 {
		t.Fatalf("flood after the interval: %d fetches, want 3", n)
	}
}

// TestConcurrentMissesShareOneFetch holds the provider's answer until every
// caller is waiting, so they must all share the one fetch in flight.
func TestConcurrentMissesShareOneFetch(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	srv := newJWKSServer(t, kr.jwks(t))
	arrived, release := srv.hold()
	keys := newTestJWKSClient(t, srv.URL, clock)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := keys.Key(context.Background(), kr.rsa.kid)
			errs <- err
		})
	}
	// Callers that come while the fetch is held join it; callers that come
	// after it ended find it recent and use its set. Either way all succeed.
	<-arrived
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("lookup: %v", err)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches for concurrent misses, want 1", n)
	}
	if k, err := keys.Key(context.Background(), kr.rsa.kid); err != nil || k == nil {
		t.Fatalf("after the shared fetch: %v", err)
	}
}

// TestRetiredKey: a token signed by a key the provider retires keeps
// verifying (from the cache or not) until a refresh removes the key, and
// never after.
func TestRetiredKey(t *testing.T) {
	for _, how := range []string{"explicit refresh", "periodic refresh"} {
		t.Run(how, func(t *testing.T) {
			clock := newFakeClock()
			iss, err := issuer.New(testIssuer, testAudience, issuer.WithClock(clock.Now))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(iss.JWKSHandler())
			t.Cleanup(srv.Close)
			keys := newTestJWKSClient(t, srv.URL, clock)
			v := newTestVerifier(t, keys, clock, nil)
			ctx := context.Background()
			claims := issuer.Claims{Subject: "officer-1", Roles: []string{"commune_official"}, Communes: []string{"00024"}}

			oldKid := iss.KeyID()
			cached, err := iss.Mint(claims, 2*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(ctx, cached); err != nil {
				t.Fatal(err)
			}
			if _, err := iss.Rotate(); err != nil {
				t.Fatal(err)
			}
			uncached, err := iss.MintWithKey(oldKid, claims, 2*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := iss.Mint(claims, 2*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := iss.Retire(oldKid); err != nil {
				t.Fatal(err)
			}
			// Not refreshed yet: the old key is still in force.
			for _, tok := range []string{cached, uncached} {
				if _, err := v.Verify(ctx, tok); err != nil {
					t.Fatalf("before refresh: %v", err)
				}
			}
			switch how {
			case "explicit refresh":
				clock.Advance(time.Minute)
				if err := keys.Refresh(ctx); err != nil {
					t.Fatal(err)
				}
			case "periodic refresh":
				clock.Advance(61 * time.Minute)
				// A warm lookup finds the set stale and refreshes in the
				// background; it may still be served from the old set.
				_, _ = v.Verify(ctx, cached)
				keys.bg.Wait()
			}
			if _, fetched, _ := keys.Status(); !fetched.Equal(clock.Now()) {
				t.Fatalf("no refresh happened")
			}
			for _, tok := range []string{cached, uncached} {
				if _, err := v.Verify(ctx, tok); CodeOf(err) != CodeUnknownKey {
					t.Fatalf("retired key after refresh: %v", err)
				}
			}
			if _, err := v.Verify(ctx, fresh); err != nil {
				t.Fatalf("current key: %v", err)
			}
		})
	}
}

// TestJWKSKeepsLastGoodSet: failed or unacceptable fetches leave the last
// good set in force.
func TestJWKSKeepsLastGoodSet(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	srv := newJWKSServer(t, kr.jwks(t))
	keys := newTestJWKSClient(t, srv.URL, clock)
	ctx := context.Background()
	if err := keys.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	empty, _ := jwk.MarshalSet()
	huge := []byte(`{"keys":[],"pad":"` + strings.Repeat("x", 1<<20) + `"}`)
	tests := []struct {
		name   string
		doc    []byte
		status int
		ctype  string
	}{
		{"500", []byte(`{"error":"down"}`), 500, "application/json"},
		{"404", []byte(`not found`), 404, "text/plain"},
		{"204 empty", []byte(``), 204, "application/json"},
		{"html", []byte(`<html>maintenance</html>`), 200, "text/html"},
		{"no content type", kr.jwks(t), 200, ""},
		{"not json", []byte(`keys`), 200, "application/json"},
		{"no usable keys", empty, 200, "application/json"},
		{"only an HMAC key", []byte(`{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}`), 200, "application/json"},
		{"body over 1 MiB", huge, 200, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.set(tt.doc, tt.status, tt.ctype)
			if err := keys.Refresh(ctx); err == nil {
				t.Fatal("refresh accepted")
			}
			if _, _, lastErr := keys.Status(); lastErr == nil {
				t.Fatal("Status reports no error")
			}
			for _, k := range []testKey{kr.rsa, kr.ec, kr.ed} {
				if got, err := keys.Key(ctx, k.kid); err != nil || !got.Equal(k.public()) {
					t.Fatalf("%s lost: %v", k.kid, err)
				}
			}
		})
	}
	srv.set(kr.jwks(t), 200, "application/jwk-set+json; charset=utf-8")
	if err := keys.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _, lastErr := keys.Status(); n != 3 || lastErr != nil {
		t.Fatalf("status after recovery: %d keys, %v", n, lastErr)
	}
}

// TestJWKSUnavailable: with no set ever loaded, lookups report
// key_source_unavailable (and retry at most once per MinRefreshInterval).
func TestJWKSUnavailable(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	srv := newJWKSServer(t, []byte(`oops`))
	srv.set([]byte(`oops`), 503, "text/plain")
	keys := newTestJWKSClient(t, srv.URL, clock)
	v := newTestVerifier(t, keys, clock, nil)
	tok := sign(t, kr.ed, claimsAt(clock.Now()), nil)
	for range 3 {
		_, err := v.Verify(context.Background(), tok)
		if CodeOf(err) != CodeKeySourceUnavailable {
			t.Fatalf("got %v", err)
		}
		var ae *Error
		if !errors.As(err, &ae) || ae.Unwrap() == nil || strings.Contains(err.Error(), tok[:20]) {
			t.Fatalf("cause missing or token in the message: %v", err)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches during an outage inside MinRefreshInterval, want 1", n)
	}
	srv.set(kr.jwks(t), 200, "application/json")
	clock.Advance(30 * time.Second)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("after the provider recovered: %v", err)
	}
}

// TestJWKSCallerContext: a caller that gives up gets an error; the shared
// fetch still completes for the others.
func TestJWKSCallerContext(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	srv := newJWKSServer(t, kr.jwks(t))
	arrived, release := srv.hold()
	keys := newTestJWKSClient(t, srv.URL, clock)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := keys.Key(ctx, kr.ed.kid)
		done <- err
	}()
	<-arrived // the fetch is in flight
	cancel()
	if err := <-done; CodeOf(err) != CodeKeySourceUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	release()
	// The fetch the caller abandoned completed for everyone else.
	if k, err := keys.Key(context.Background(), kr.ed.kid); err != nil || k == nil {
		t.Fatalf("after the abandoned fetch: %v", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

func TestNewJWKSClientConfig(t *testing.T) {
	for _, cfg := range []JWKSConfig{
		{},
		{URL: "file:///etc/jwks.json"},
		{URL: "/relative"},
		{URL: "https://"},
		{URL: "https://id.example/jwks", RefreshInterval: -1},
		{URL: "https://id.example/jwks", RefreshInterval: time.Second, MinRefreshInterval: time.Minute},
	} {
		if _, err := NewJWKSClient(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestStaticKeys(t *testing.T) {
	kr := testKeys()
	keys, err := NewStaticKeys(kr.jwks(t))
	if err != nil || keys.Len() != 3 {
		t.Fatalf("%v, %d keys", err, keys.Len())
	}
	if _, err := keys.Key(context.Background(), "nope"); CodeOf(err) != CodeUnknownKey {
		t.Fatalf("got %v", err)
	}
	for _, doc := range []string{`{"keys":[]}`, `{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}`, `nope`} {
		if _, err := NewStaticKeys([]byte(doc)); err == nil {
			t.Errorf("%s accepted", doc)
		}
	}
}

// TestIssuerRoundTrip: the demo issuer's tokens verify through its own
// JWKS endpoint, for both its algorithms, and map to the principal.
func TestIssuerRoundTrip(t *testing.T) {
	clock := newFakeClock()
	iss, err := issuer.New(testIssuer, testAudience, issuer.WithClock(clock.Now), issuer.WithES256Key())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(iss.JWKSHandler())
	t.Cleanup(srv.Close)
	v := newTestVerifier(t, newTestJWKSClient(t, srv.URL, clock), clock, nil)
	claims := issuer.Claims{
		Subject: "citizen-9", Roles: []string{"citizen"}, Agency: "VNeID", Purpose: "self_service",
		Provinces: []string{"01"}, Communes: []string{"00024"}, CitizenID: "001099012345", TokenID: "t-1",
	}
	for _, kid := range iss.KeyIDs() {
		tok, err := iss.MintWithKey(kid, claims, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("kid %s: %v", kid, err)
		}
		if p.Subject != "citizen-9" || !p.HasRole("citizen") || p.Agency != "VNeID" || p.Purpose != "self_service" ||
			p.CitizenID != "001099012345" || p.TokenID != "t-1" || p.Locality.Communes[0] != "00024" ||
			p.Locality.Provinces[0] != "01" || !p.ExpiresAt.Equal(clock.Now().Add(time.Hour)) {
			t.Fatalf("principal %+v", p)
		}
	}
}
