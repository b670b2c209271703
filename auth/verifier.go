// Package auth turns a bearer JWT into a principal: it verifies the token
// (algorithms pinned to RS256, ES256 and EdDSA, keys from a JWKS URL or a
// fixed key set, exp/nbf/iat/iss/aud checked, sizes capped), maps its
// claims to a principal.Principal, caches verified tokens until they
// expire, and offers the HTTP middleware that answers 401 for everything
// else. It knows nothing of GraphQL, access policy or what roles may do.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vn-epidemic/hub/auth/jwk"
	"github.com/vn-epidemic/hub/principal"
)

// Size limits, checked before any decoding.
const (
	// MaxTokenSize bounds the raw token. Real access tokens are 1–2 KiB.
	MaxTokenSize = 8 << 10
	// MaxHeaderSize bounds the token's first (header) segment: a JOSE
	// header is a few dozen bytes, a huge one is an attack on the decoder.
	MaxHeaderSize = 1 << 10
)

// Config is what the hub trusts.
type Config struct {
	// Issuer is the exact "iss" accepted. Required.
	Issuer string
	// Audience must be one of the token's "aud" values. Required.
	Audience string
	// Leeway is the clock skew tolerated for exp, nbf and iat. Zero means
	// 30 s; at most 5 min.
	Leeway time.Duration
	// MaxLifetime is the longest exp − iat accepted, so that a leaked
	// long-lived token cannot be used for days. Zero means 12 h.
	MaxLifetime time.Duration
	// CacheSize is how many verified tokens are kept. Zero means 10 000;
	// negative disables the cache.
	CacheSize int
	// KnownRoles, when set, is the list of role names a token may carry;
	// a token with any other role is refused.
	KnownRoles []string
}

// Option tunes a Verifier.
type Option func(*Verifier)

// WithClock sets the clock used for exp/nbf/iat and for cache expiry.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) {
		if now != nil {
			v.now = now
		}
	}
}

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	keys   KeySource
	now    func() time.Time
	parser *jwt.Parser
	roles  map[string]bool
	cache  *tokenCache
}

// NewVerifier checks cfg and returns a verifier that takes its keys from keys.
func NewVerifier(cfg Config, keys KeySource, opts ...Option) (*Verifier, error) {
	if keys == nil {
		return nil, errors.New("auth: no key source")
	}
	if strings.TrimSpace(cfg.Issuer) == "" || strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("auth: issuer and audience are required")
	}
	if cfg.Leeway < 0 || cfg.Leeway > 5*time.Minute {
		return nil, errors.New("auth: leeway must be between 0 and 5m")
	}
	if cfg.MaxLifetime < 0 {
		return nil, errors.New("auth: max lifetime must not be negative")
	}
	cfg.Leeway = orDefault(cfg.Leeway, 30*time.Second)
	cfg.MaxLifetime = orDefault(cfg.MaxLifetime, 12*time.Hour)
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 10_000
	}
	v := &Verifier{cfg: cfg, keys: keys, now: time.Now}
	if len(cfg.KnownRoles) > 0 {
		v.roles = make(map[string]bool, len(cfg.KnownRoles))
		for _, r := range cfg.KnownRoles {
			if !validName(r) {
				return nil, errors.New("auth: known role names must match [A-Za-z0-9._:-]{1,64}")
			}
			v.roles[r] = true
		}
	}
	for _, o := range opts {
		o(v)
	}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwk.RS256, jwk.ES256, jwk.EdDSA}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(func() time.Time { return v.now() }),
		jwt.WithStrictDecoding(),
	)
	if cfg.CacheSize > 0 {
		v.cache = newTokenCache(cfg.CacheSize)
	}
	return v, nil
}

// joseHeader is the part of the token header the hub looks at before
// handing the token to the JWT library. Header parameters that point at
// keys (jku, x5u, jwk, x5c) are never used: keys come only from the
// configured KeySource.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// Verify checks raw (the token without "Bearer ") and returns the
// principal it carries. Errors are *Error; their codes are documented in
// errors.go. The returned principal is shared with the cache: do not
// modify it.
func (v *Verifier) Verify(ctx context.Context, raw string) (*principal.Principal, error) {
	if raw == "" {
		return nil, fail(CodeMissingToken)
	}
	if len(raw) > MaxTokenSize {
		return nil, fail(CodeOversizedToken)
	}
	var sum [sha256.Size]byte
	if v.cache != nil {
		sum = sha256.Sum256([]byte(raw))
		if p := v.cache.get(sum, v.now(), v.keys); p != nil {
			return p, nil
		}
	}
	hdr, err := preParse(raw)
	if err != nil {
		return nil, err
	}

	var used *jwk.Key
	var claims tokenClaims
	_, err = v.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		k, err := v.keys.Key(ctx, hdr.Kid)
		if err != nil {
			return nil, err
		}
		// The JWT library checks the alg is one of the three; this checks
		// the key is one of that alg, so an RS256 token can never be
		// checked against an EC key (nor any token against a key its
		// provider meant for another algorithm).
		if k.Algorithm != t.Method.Alg() {
			return nil, fail(CodeKeyMismatch)
		}
		used = k
		return k.Public, nil
	})
	if err != nil {
		return nil, mapParseError(err)
	}

	p, exp, err := v.principal(&claims)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(sum, p, used, exp, v.now())
	}
	return p, nil
}

// preParse runs the checks that need no key: structure, sizes, alg, kid,
// typ and crit. They come first so that junk is refused cheaply and a kid
// with path characters never reaches a key lookup.
func preParse(raw string) (*joseHeader, error) {
	dot := strings.IndexByte(raw, '.')
	if dot < 0 || strings.Count(raw, ".") != 2 {
		return nil, fail(CodeMalformedToken)
	}
	if dot > MaxHeaderSize {
		return nil, fail(CodeOversizedToken)
	}
	hb, err := base64.RawURLEncoding.Strict().DecodeString(raw[:dot])
	if err != nil {
		return nil, fail(CodeMalformedToken)
	}
	var h joseHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fail(CodeMalformedToken)
	}
	switch h.Alg {
	case jwk.RS256, jwk.ES256, jwk.EdDSA:
	default:
		return nil, fail(CodeUnsupportedAlgorithm)
	}
	if !jwk.ValidKeyID(h.Kid) {
		return nil, fail(CodeInvalidKeyID)
	}
	// RFC 7515 §4.1.11: critical extensions we do not implement must make
	// the token invalid; we implement none.
	if h.Crit != nil {
		return nil, fail(CodeInvalidHeader)
	}
	// RFC 8725 §3.11: refuse tokens typed as something else (an ID token
	// profile, a logout token, a DPoP proof) so they cannot be replayed
	// as access tokens.
	switch strings.ToLower(h.Typ) {
	case "", "jwt", "at+jwt", "application/at+jwt":
	default:
		return nil, fail(CodeInvalidHeader)
	}
	return &h, nil
}

// mapParseError turns a golang-jwt error into one *Error. When several
// checks fail the first in this order wins: the key lookup's own error,
// then structure, signature, time, issuer, audience, missing claims.
func mapParseError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrInvalidType):
		return fail(CodeMalformedToken)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return fail(CodeInvalidSignature)
	case errors.Is(err, jwt.ErrTokenExpired):
		return fail(CodeTokenExpired)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return fail(CodeTokenNotYetValid)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fail(CodeIssuedInFuture)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fail(CodeInvalidIssuer)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return fail(CodeInvalidAudience)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fail(CodeMissingClaim)
	}
	// Anything else the library reports (an unverifiable token, a key it
	// could not use) is a token we cannot trust.
	return fail(CodeInvalidSignature)
}
