package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vn-epidemic/hub/auth/jwk"
)

const (
	testIssuer   = "https://id.example.gov.vn/realms/covid"
	testAudience = "vn-epidemic-hub"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2021, 10, 20, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testKey is a private key with the kid it is published under.
type testKey struct {
	kid    string
	alg    string
	signer crypto.Signer
}

func (k testKey) public() *jwk.Key {
	return &jwk.Key{ID: k.kid, Algorithm: k.alg, Public: k.signer.Public()}
}

// keyring holds one key per algorithm, generated once per test binary
// (RSA generation is slow) and shared read-only.
type keyring struct {
	rsa, ec, ed testKey
	// otherEd has the same kid as ed but other material: a forger's key.
	otherEd testKey
}

var testKeys = sync.OnceValue(func() *keyring {
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	e, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, d, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	_, o, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return &keyring{
		rsa:     testKey{"rsa-2021", jwk.RS256, r},
		ec:      testKey{"ec-2021", jwk.ES256, e},
		ed:      testKey{"ed-2021", jwk.EdDSA, d},
		otherEd: testKey{"ed-2021", jwk.EdDSA, o},
	}
})

func (kr *keyring) jwks(t testing.TB) []byte {
	t.Helper()
	doc, err := jwk.MarshalSet(kr.rsa.public(), kr.ec.public(), kr.ed.public())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// claimsAt is a valid claim set for a commune official, issued at now.
// Values are distinctive so tests can check they never leak into errors.
func claimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss":      testIssuer,
		"aud":      []string{testAudience, "other-api"},
		"sub":      "officer-7f3a9c",
		"roles":    []string{"commune_official"},
		"agency":   "UBND-XA-00024",
		"purpose":  "epidemic_control",
		"locality": map[string]any{"provinces": []string{"01"}, "communes": []string{"00024"}},
		"cid":      "001099012345",
		"jti":      "jti-5d1e2b",
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(time.Hour).Unix(),
	}
}

// sign signs claims with k; header entries override the defaults (a nil
// value removes one).
func sign(t testing.TB, k testKey, claims map[string]any, header map[string]any) string {
	t.Helper()
	method := jwt.GetSigningMethod(k.alg)
	tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	tok.Header["kid"] = k.kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	s, err := tok.SignedString(k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// craft builds a token from parts without any library, for tokens no
// library would produce.
func craft(t testing.TB, header, claims any, sig []byte) string {
	t.Helper()
	seg := func(v any) string {
		b, ok := v.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return seg(header) + "." + seg(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// jwksServer is an identity provider's JWKS endpoint the test controls.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu      sync.Mutex
	doc     []byte
	status  int
	ctype   string
	gate    chan struct{} // when set, requests report on arrived and wait for gate to close
	arrived chan struct{}
}

// hold makes requests wait until release is called; arrived receives one
// value per request that reached the server.
func (s *jwksServer) hold() (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{}, 100)
	gate := s.gate
	return s.arrived, func() { close(gate) }
}

func newJWKSServer(t testing.TB, doc []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{doc: doc, status: http.StatusOK, ctype: "application/json"}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		doc, status, ctype, gate, arrived := s.doc, s.status, s.ctype, s.gate, s.arrived
		s.mu.Unlock()
		if gate != nil {
			arrived <- struct{}{}
			<-gate
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(doc []byte, status int, ctype string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc, s.status, s.ctype = doc, status, ctype
}

func newTestJWKSClient(t testing.TB, url string, clock *fakeClock) *JWKSClient {
	t.Helper()
	c, err := NewJWKSClient(JWKSConfig{
		URL:                url,
		RefreshInterval:    time.Hour,
		MinRefreshInterval: 30 * time.Second,
		Now:                clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newTestVerifier(t testing.TB, keys KeySource, clock *fakeClock, mod func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{
		Issuer:     testIssuer,
		Audience:   testAudience,
		KnownRoles: []string{"citizen", "commune_official", "provincial_official", "admin"},
	}
	if mod != nil {
		mod(&cfg)
	}
	v, err := NewVerifier(cfg, keys, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// countingKeys counts full lookups, i.e. signature verifications.
type countingKeys struct {
	KeySource
	lookups atomic.Int64
}

func (c *countingKeys) Key(ctx context.Context, kid string) (*jwk.Key, error) {
	c.lookups.Add(1)
	return c.KeySource.Key(ctx, kid)
}

// noLookupKeys fails the test if a key is ever looked up.
type noLookupKeys struct{ t testing.TB }

func (n noLookupKeys) Key(context.Context, string) (*jwk.Key, error) {
	n.t.Error("key looked up for a token that should have been refused first")
	return nil, fail(CodeUnknownKey)
}
func (n noLookupKeys) Current(string) *jwk.Key { return nil }
