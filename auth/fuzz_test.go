package auth

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzVerify: no input panics, and none verifies. The seeds are well-formed
// tokens signed by a key the verifier does not trust (same kid as a
// trusted one), so any input that verified would be a forgery.
func FuzzVerify(f *testing.F) {
	kr := testKeys()
	clock := newFakeClock()
	now := clock.Now()
	forgers := []testKey{
		kr.otherEd,                            // other material under a trusted kid
		{kr.rsa.kid, kr.ed.alg, kr.ed.signer}, // EdDSA under the RSA key's kid
		{kr.ed.kid, kr.ec.alg, kr.ec.signer},  // ES256 under the Ed key's kid
	}
	for _, k := range forgers {
		f.Add(sign(f, k, claimsAt(now), nil))
	}
	f.Add(craft(f, map[string]any{"alg": "none", "kid": kr.ed.kid}, claimsAt(now), nil))
	f.Add(craft(f, map[string]any{"alg": "HS256", "kid": kr.rsa.kid}, claimsAt(now), []byte("sig")))
	f.Add("")
	f.Add("..")
	f.Add("a.b.c")
	f.Add(strings.Repeat("A", MaxTokenSize+1))

	keys, err := NewStaticKeys(kr.jwks(f))
	if err != nil {
		f.Fatal(err)
	}
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience}, keys, WithClock(clock.Now))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := v.Verify(context.Background(), raw)
		if err == nil {
			t.Fatalf("verified an untrusted token: %+v", p)
		}
		code := CodeOf(err)
		if description(code) == "" {
			t.Fatalf("undocumented error %v", err)
		}
		if err.Error() != (&Error{Code: code}).Error() {
			t.Fatalf("error message carries more than its code: %q", err.Error())
		}
	})
}

// The benchmarks measure one Verify. Cold: the cache is off, so each call
// decodes and checks the signature. Warm: every call is a cache hit.
func BenchmarkVerifyCold(b *testing.B) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(b))
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience, CacheSize: -1}, keys, WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []testKey{kr.ed, kr.rsa, kr.ec} {
		tok := sign(b, k, claimsAt(clock.Now()), nil)
		b.Run(k.alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyWarm(b *testing.B) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(b))
	v, err := NewVerifier(Config{Issuer: testIssuer, Audience: testAudience}, keys, WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	tok := sign(b, kr.ed, claimsAt(clock.Now()), nil)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(context.Background(), tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Many callers, many tokens: lock contention across cache shards.
	toks := make([]string, 256)
	for i := range toks {
		c := claimsAt(clock.Now())
		c["jti"] = "bench-" + time.Duration(i).String()
		toks[i] = sign(b, kr.ed, c, nil)
		if _, err := v.Verify(context.Background(), toks[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := v.Verify(context.Background(), toks[i%len(toks)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}
