package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/auth/jwk"
	"github.com/vn-epidemic/hub/principal"
)

func TestVerifyHappyPath(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	keys, err := NewStaticKeys(kr.jwks(t))
	if err != nil {
		t.Fatal(err)
	}
	v := newTestVerifier(t, keys, clock, nil)
	now := clock.Now()
	want := &principal.Principal{
		Subject:   "officer-7f3a9c",
		Roles:     []string{"commune_official"},
		Agency:    "UBND-XA-00024",
		Purpose:   "epidemic_control",
		Locality:  principal.Locality{Provinces: []string{"01"}, Communes: []string{"00024"}},
		CitizenID: "001099012345",
		TokenID:   "jti-5d1e2b",
		IssuedAt:  now,
		ExpiresAt: now.Add(time.Hour),
	}
	for _, k := range []testKey{kr.rsa, kr.ec, kr.ed} {
		t.Run(k.alg, func(t *testing.T) {
			p, err := v.Verify(context.Background(), sign(t, k, claimsAt(now), nil))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !reflect.DeepEqual(p, want) {
				t.Fatalf("principal\n got %+v\nwant %+v", p, want)
			}
		})
	}
}

func TestClaimsMapping(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(t))
	v := newTestVerifier(t, keys, clock, nil)
	now := clock.Now()
	tests := []struct {
		name  string
		edit  func(map[string]any)
		check func(*principal.Principal) bool
	}{
		{"no purpose", func(c map[string]any) { delete(c, "purpose") }, func(p *principal.Principal) bool { return p.Purpose == "" }},
		{"empty purpose", func(c map[string]any) { c["purpose"] = "" }, func(p *principal.Principal) bool { return p.Purpose == "" }},
		{"no locality is national", func(c map[string]any) { delete(c, "locality") }, func(p *principal.Principal) bool { return p.Locality.National() }},
		{"province only", func(c map[string]any) { c["locality"] = map[string]any{"provinces": []string{"79", "79"}} },
			func(p *principal.Principal) bool {
				return reflect.DeepEqual(p.Locality, principal.Locality{Provinces: []string{"79"}})
			}},
		{"roles deduplicated", func(c map[string]any) { c["roles"] = []string{"admin", "citizen", "admin"} },
			func(p *principal.Principal) bool { return reflect.DeepEqual(p.Roles, []string{"admin", "citizen"}) }},
		{"single aud string", func(c map[string]any) { c["aud"] = testAudience }, func(p *principal.Principal) bool { return true }},
		{"no agency, cid, jti, nbf", func(c map[string]any) {
			delete(c, "agency")
			delete(c, "cid")
			delete(c, "jti")
			delete(c, "nbf")
		}, func(p *principal.Principal) bool { return p.Agency == "" && p.CitizenID == "" && p.TokenID == "" }},
		{"unknown claims ignored", func(c map[string]any) { c["scope"] = "openid"; c["realm_access"] = map[string]any{"x": 1} },
			func(p *principal.Principal) bool { return p.Subject == "officer-7f3a9c" }},
		{"Vietnamese agency", func(c map[string]any) { c["agency"] = "Sở Y tế Hà Nội" },
			func(p *principal.Principal) bool { return p.Agency == "Sở Y tế Hà Nội" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsAt(now)
			tt.edit(c)
			p, err := v.Verify(context.Background(), sign(t, kr.ed, c, nil))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tt.check(p) {
				t.Fatalf("unexpected principal %+v", p)
			}
		})
	}
}

// TestVerifyAttacks is the table of tokens that must be refused, each
// with its code. Every error message must be exactly the fixed text for
// its code: nothing from the token, its claims or its header.
func TestVerifyAttacks(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	now := clock.Now()
	keys, err := NewStaticKeys(kr.jwks(t))
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(map[string]any)) map[string]any {
		c := claimsAt(now)
		edit(c)
		return c
	}
	good := sign(t, kr.ed, claimsAt(now), nil)
	parts := strings.Split(good, ".")

	// The classic key-confusion forgery: HS256 with the RSA public key
	// (as PEM, as servers publish it) as the HMAC secret.
	der, err := x509.MarshalPKIXPublicKey(kr.rsa.signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	hs256 := func(secret []byte, header map[string]any) string {
		unsigned := craft(t, header, claimsAt(now), nil)
		unsigned = strings.TrimSuffix(unsigned, ".")
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(unsigned))
		return unsigned + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	// An attacker's own key, embedded in the header (jwk) or pointed at (jku).
	attackerPub, attackerPriv, _ := ed25519.GenerateKey(rand.Reader)
	attacker := testKey{kid: "attacker", alg: jwk.EdDSA, signer: attackerPriv}
	embedded := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(attackerPub)}

	tests := []struct {
		name     string
		token    string
		want     string
		noLookup bool // refused before any key lookup
	}{
		// Algorithms.
		{"alg none", craft(t, map[string]any{"alg": "none", "kid": kr.ed.kid}, claimsAt(now), nil), CodeUnsupportedAlgorithm, true},
		{"alg None", craft(t, map[string]any{"alg": "None", "kid": kr.ed.kid}, claimsAt(now), nil), CodeUnsupportedAlgorithm, true},
		{"alg missing", craft(t, map[string]any{"kid": kr.ed.kid}, claimsAt(now), []byte("x")), CodeUnsupportedAlgorithm, true},
		{"HS256 with RSA public key PEM", hs256(pemKey, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kr.rsa.kid}), CodeUnsupportedAlgorithm, true},
		{"HS256 with RSA public key DER", hs256(der, map[string]any{"alg": "HS256", "kid": kr.rsa.kid}), CodeUnsupportedAlgorithm, true},
		{"PS256", craft(t, map[string]any{"alg": "PS256", "kid": kr.rsa.kid}, claimsAt(now), []byte("x")), CodeUnsupportedAlgorithm, true},
		{"RS256 token, EC key's kid", sign(t, testKey{kr.ec.kid, jwk.RS256, kr.rsa.signer}, claimsAt(now), nil), CodeKeyMismatch, false},
		{"ES256 token, Ed key's kid", sign(t, testKey{kr.ed.kid, jwk.ES256, kr.ec.signer}, claimsAt(now), nil), CodeKeyMismatch, false},
		{"EdDSA token, RSA key's kid", sign(t, testKey{kr.rsa.kid, jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeKeyMismatch, false},

		// Signatures and keys.
		{"signature of another key, same kid", sign(t, kr.otherEd, claimsAt(now), nil), CodeInvalidSignature, false},
		{"signature tampered", parts[0] + "." + parts[1] + "." + flip(parts[2]), CodeInvalidSignature, false},
		{"claims tampered", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2], CodeInvalidSignature, false},
		{"signature stripped", parts[0] + "." + parts[1] + ".", CodeInvalidSignature, false},
		{"unknown kid", sign(t, testKey{"no-such-key", jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeUnknownKey, false},
		{"embedded jwk header ignored", sign(t, attacker, claimsAt(now), map[string]any{"jwk": embedded}), CodeUnknownKey, false},
		{"jku header ignored", sign(t, testKey{kr.ed.kid, jwk.EdDSA, attackerPriv}, claimsAt(now), map[string]any{"jku": "https://evil.example/jwks"}), CodeInvalidSignature, false},

		// kid.
		{"kid missing", sign(t, kr.ed, claimsAt(now), map[string]any{"kid": nil}), CodeInvalidKeyID, true},
		{"kid path traversal", sign(t, testKey{"../../etc/passwd", jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeInvalidKeyID, true},
		{"kid url", sign(t, testKey{"https://evil.example/k", jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeInvalidKeyID, true},
		{"kid sql", sign(t, testKey{"x' OR '1'='1", jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeInvalidKeyID, true},
		{"kid too long", sign(t, testKey{strings.Repeat("k", 129), jwk.EdDSA, kr.ed.signer}, claimsAt(now), nil), CodeInvalidKeyID, true},
		{"kid not a string", sign(t, kr.ed, claimsAt(now), map[string]any{"kid": 42}), CodeMalformedToken, true},

		// Header.
		{"crit header", sign(t, kr.ed, claimsAt(now), map[string]any{"crit": []string{"exp"}, "exp": 1}), CodeInvalidHeader, true},
		{"typ logout token", sign(t, kr.ed, claimsAt(now), map[string]any{"typ": "logout+jwt"}), CodeInvalidHeader, true},
		{"oversized header", sign(t, kr.ed, claimsAt(now), map[string]any{"pad": strings.Repeat("A", 1100)}), CodeOversizedToken, true},
		{"oversized token", sign(t, kr.ed, with(func(c map[string]any) { c["pad"] = strings.Repeat("A", 8200) }), nil), CodeOversizedToken, true},

		// Time.
		{"expired", sign(t, kr.ed, with(func(c map[string]any) {
			c["iat"] = now.Add(-2 * time.Hour).Unix()
			c["exp"] = now.Add(-time.Minute).Unix()
		}), nil), CodeTokenExpired, false},
		{"nbf in the future", sign(t, kr.ed, with(func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() }), nil), CodeTokenNotYetValid, false},
		{"iat in the future", sign(t, kr.ed, with(func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix(); delete(c, "nbf") }), nil), CodeIssuedInFuture, false},
		{"missing exp", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "exp") }), nil), CodeMissingClaim, false},
		{"missing iat", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "iat") }), nil), CodeMissingClaim, false},
		{"lifetime too long", sign(t, kr.ed, with(func(c map[string]any) { c["exp"] = now.Add(13 * time.Hour).Unix() }), nil), CodeLifetimeTooLong, false},
		{"ancient iat", sign(t, kr.ed, with(func(c map[string]any) { c["iat"] = now.Add(-30 * 24 * time.Hour).Unix() }), nil), CodeLifetimeTooLong, false},
		{"exp a string", sign(t, kr.ed, with(func(c map[string]any) { c["exp"] = "tomorrow" }), nil), CodeMalformedToken, false},

		// Issuer and audience.
		{"wrong iss", sign(t, kr.ed, with(func(c map[string]any) { c["iss"] = "https://evil.example" }), nil), CodeInvalidIssuer, false},
		{"iss prefix", sign(t, kr.ed, with(func(c map[string]any) { c["iss"] = testIssuer + "x" }), nil), CodeInvalidIssuer, false},
		{"missing iss", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "iss") }), nil), CodeMissingClaim, false},
		{"wrong aud", sign(t, kr.ed, with(func(c map[string]any) { c["aud"] = []string{"other-api"} }), nil), CodeInvalidAudience, false},
		{"missing aud", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "aud") }), nil), CodeMissingClaim, false},

		// Hub claims.
		{"no sub", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "sub") }), nil), CodeMissingClaim, false},
		{"sub a number", sign(t, kr.ed, with(func(c map[string]any) { c["sub"] = 12 }), nil), CodeMalformedToken, false},
		{"sub with newline", sign(t, kr.ed, with(func(c map[string]any) { c["sub"] = "a\nlevel=admin" }), nil), CodeInvalidClaims, false},
		{"sub with bidi override", sign(t, kr.ed, with(func(c map[string]any) { c["sub"] = "abc\u202edef" }), nil), CodeInvalidClaims, false},
		{"no roles", sign(t, kr.ed, with(func(c map[string]any) { delete(c, "roles") }), nil), CodeMissingClaim, false},
		{"roles not an array", sign(t, kr.ed, with(func(c map[string]any) { c["roles"] = "admin" }), nil), CodeInvalidClaims, false},
		{"roles null", sign(t, kr.ed, with(func(c map[string]any) { c["roles"] = nil }), nil), CodeInvalidClaims, false},
		{"roles empty", sign(t, kr.ed, with(func(c map[string]any) { c["roles"] = []string{} }), nil), CodeInvalidClaims, false},
		{"roles of numbers", sign(t, kr.ed, with(func(c map[string]any) { c["roles"] = []int{1} }), nil), CodeInvalidClaims, false},
		{"unknown role", sign(t, kr.ed, with(func(c map[string]any) { c["roles"] = []string{"commune_official", "root"} }), nil), CodeInvalidClaims, false},
		{"agency a number", sign(t, kr.ed, with(func(c map[string]any) { c["agency"] = 7 }), nil), CodeInvalidClaims, false},
		{"purpose with spaces", sign(t, kr.ed, with(func(c map[string]any) { c["purpose"] = "any purpose" }), nil), CodeInvalidClaims, false},
		{"purpose null", sign(t, kr.ed, with(func(c map[string]any) { c["purpose"] = nil }), nil), CodeInvalidClaims, false},
		{"province 1 digit", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{"provinces": []string{"1"}} }), nil), CodeInvalidClaims, false},
		{"commune not digits", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{"communes": []string{"0002a"}} }), nil), CodeInvalidClaims, false},
		{"commune a number", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{"communes": []int{24}} }), nil), CodeInvalidClaims, false},
		{"locality unknown member", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{"districts": []string{"001"}} }), nil), CodeInvalidClaims, false},
		{"locality empty", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{} }), nil), CodeInvalidClaims, false},
		{"locality empty lists", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = map[string]any{"provinces": []string{}} }), nil), CodeInvalidClaims, false},
		{"locality null", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = nil }), nil), CodeInvalidClaims, false},
		{"locality an array", sign(t, kr.ed, with(func(c map[string]any) { c["locality"] = []string{"01"} }), nil), CodeInvalidClaims, false},
		{"cid 11 digits", sign(t, kr.ed, with(func(c map[string]any) { c["cid"] = "00109901234" }), nil), CodeInvalidClaims, false},
		{"cid a number", sign(t, kr.ed, with(func(c map[string]any) { c["cid"] = 1099012345 }), nil), CodeInvalidClaims, false},
		{"cid with letters", sign(t, kr.ed, with(func(c map[string]any) { c["cid"] = "00109901234X" }), nil), CodeInvalidClaims, false},

		// Structure.
		{"empty", "", CodeMissingToken, true},
		{"garbage base64", "!!!.@@@.###", CodeMalformedToken, true},
		{"three segments of junk", "abc.def.ghi", CodeMalformedToken, true},
		{"junk payload", parts[0] + ".bm90IGpzb24." + parts[2], CodeMalformedToken, false},
		{"two segments", parts[0] + "." + parts[1], CodeMalformedToken, true},
		{"four segments", good + ".x", CodeMalformedToken, true},
		{"header not an object", craft(t, []byte(`["alg"]`), claimsAt(now), nil), CodeMalformedToken, true},
		{"padded header", parts[0] + "=." + parts[1] + "." + parts[2], CodeMalformedToken, true},
		{"dots only", "..", CodeMalformedToken, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ks KeySource = keys
			if tt.noLookup {
				ks = noLookupKeys{t}
			}
			v := newTestVerifier(t, ks, clock, nil)
			p, err := v.Verify(context.Background(), tt.token)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if got := CodeOf(err); got != tt.want {
				t.Fatalf("code %q, want %q (%v)", got, tt.want, err)
			}
			if !errors.Is(err, &Error{Code: tt.want}) {
				t.Fatal("errors.Is does not match the code")
			}
			assertFixedMessage(t, err, tt.token)
		})
	}
}

// assertFixedMessage checks an error says nothing but its code's fixed
// text: no token, no segment of it, no claim value.
func assertFixedMessage(t *testing.T, err error, token string) {
	t.Helper()
	want := (&Error{Code: CodeOf(err)}).Error()
	if err.Error() != want {
		t.Fatalf("error message %q, want exactly %q", err.Error(), want)
	}
	for _, secret := range []string{"officer-7f3a9c", "001099012345", "UBND-XA-00024", "jti-5d1e2b", "00024", "epidemic_control"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error message carries a claim value")
		}
	}
	for _, seg := range strings.Split(token, ".") {
		if len(seg) > 3 && strings.Contains(err.Error(), seg) {
			t.Fatalf("error message carries part of the token")
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// TestLeeway: exp, nbf and iat are allowed 30 s of clock skew, no more.
func TestLeeway(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	now := clock.Now()
	keys, _ := NewStaticKeys(kr.jwks(t))
	tests := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"nbf 20s ahead", func(c map[string]any) { c["nbf"] = now.Add(20 * time.Second).Unix() }, ""},
		{"nbf 40s ahead", func(c map[string]any) { c["nbf"] = now.Add(40 * time.Second).Unix() }, CodeTokenNotYetValid},
		{"iat 20s ahead", func(c map[string]any) { c["iat"] = now.Add(20 * time.Second).Unix(); delete(c, "nbf") }, ""},
		{"iat 40s ahead", func(c map[string]any) { c["iat"] = now.Add(40 * time.Second).Unix(); delete(c, "nbf") }, CodeIssuedInFuture},
		{"exp 20s ago", func(c map[string]any) {
			c["iat"] = now.Add(-time.Hour).Unix()
			c["exp"] = now.Add(-20 * time.Second).Unix()
		}, ""},
		{"exp 40s ago", func(c map[string]any) {
			c["iat"] = now.Add(-time.Hour).Unix()
			c["exp"] = now.Add(-40 * time.Second).Unix()
		}, CodeTokenExpired},
		{"lifetime exactly 12h", func(c map[string]any) { c["exp"] = now.Add(12 * time.Hour).Unix() }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, keys, clock, nil)
			c := claimsAt(now)
			tt.edit(c)
			_, err := v.Verify(context.Background(), sign(t, kr.ed, c, nil))
			if CodeOf(err) != tt.want {
				t.Fatalf("got %v, want code %q", err, tt.want)
			}
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	keys, _ := NewStaticKeys(testKeys().jwks(t))
	tests := []struct {
		name string
		cfg  Config
		keys KeySource
	}{
		{"no keys", Config{Issuer: "i", Audience: "a"}, nil},
		{"no issuer", Config{Audience: "a"}, keys},
		{"no audience", Config{Issuer: "i"}, keys},
		{"negative leeway", Config{Issuer: "i", Audience: "a", Leeway: -time.Second}, keys},
		{"huge leeway", Config{Issuer: "i", Audience: "a", Leeway: time.Hour}, keys},
		{"negative lifetime", Config{Issuer: "i", Audience: "a", MaxLifetime: -1}, keys},
		{"bad role name", Config{Issuer: "i", Audience: "a", KnownRoles: []string{"a role"}}, keys},
	}
	for _, tt := range tests {
		if _, err := NewVerifier(tt.cfg, tt.keys); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	v, err := NewVerifier(Config{Issuer: "i", Audience: "a"}, keys)
	if err != nil {
		t.Fatal(err)
	}
	if v.cfg.Leeway != 30*time.Second || v.cfg.MaxLifetime != 12*time.Hour || v.cfg.CacheSize != 10_000 {
		t.Fatalf("defaults not applied: %+v", v.cfg)
	}
}

// TestKnownRolesUnset: without a role list any well-formed role name passes.
func TestKnownRolesUnset(t *testing.T) {
	kr := testKeys()
	clock := newFakeClock()
	keys, _ := NewStaticKeys(kr.jwks(t))
	v := newTestVerifier(t, keys, clock, func(c *Config) { c.KnownRoles = nil })
	c := claimsAt(clock.Now())
	c["roles"] = []string{"whatever_role"}
	if _, err := v.Verify(context.Background(), sign(t, kr.ed, c, nil)); err != nil {
		t.Fatal(err)
	}
	c["roles"] = []string{"bad role"}
	if _, err := v.Verify(context.Background(), sign(t, kr.ed, c, nil)); CodeOf(err) != CodeInvalidClaims {
		t.Fatalf("got %v", err)
	}
}

func TestErrorType(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	e := &Error{Code: CodeKeySourceUnavailable, cause: cause}
	if !errors.Is(e, cause) || CodeOf(e) != CodeKeySourceUnavailable {
		t.Fatal("cause or code lost")
	}
	if CodeOf(errors.New("other")) != "" {
		t.Fatal("code for a foreign error")
	}
	codes := []string{CodeMissingToken, CodeInvalidRequest, CodeOversizedToken, CodeMalformedToken,
		CodeUnsupportedAlgorithm, CodeInvalidHeader, CodeInvalidKeyID, CodeUnknownKey, CodeKeyMismatch,
		CodeInvalidSignature, CodeTokenExpired, CodeTokenNotYetValid, CodeIssuedInFuture,
		CodeInvalidIssuer, CodeInvalidAudience, CodeMissingClaim, CodeLifetimeTooLong,
		CodeInvalidClaims, CodeKeySourceUnavailable}
	seen := map[string]bool{}
	for _, c := range codes {
		if description(c) == "" || seen[c] {
			t.Errorf("code %q undocumented or duplicated", c)
		}
		seen[c] = true
	}
}
