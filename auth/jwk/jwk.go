// Package jwk reads and writes JSON Web Keys (RFC 7517) for the three
// signature algorithms the hub accepts: RS256 (RSA), ES256 (EC P-256) and
// EdDSA (OKP Ed25519). It parses key sets published by identity providers —
// outside input, so it caps sizes and skips keys it cannot use safely — and
// writes public sets and private signing keys for the demo issuer. It knows
// nothing of tokens, claims or HTTP.
package jwk

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// The algorithms a Key can carry (JWS "alg" names, RFC 7518 and RFC 8037).
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// Limits on outside input.
const (
	// MaxSetSize is the largest key-set document ParseSet reads: real
	// providers publish a few keys in a few KiB.
	MaxSetSize = 1 << 20
	// MaxKeys is the most keys a set may list; more is not a key set an
	// identity provider would publish.
	MaxKeys = 100
	// MinRSABits and MaxRSABits bound RSA moduli: below 2048 bits is
	// breakable, above 8192 bits makes every verification needlessly slow.
	MinRSABits = 2048
	MaxRSABits = 8192
	// MaxKeyIDLen bounds a kid (tokens' kids are checked against the same bound).
	MaxKeyIDLen = 128
)

// Key is one public verification key.
type Key struct {
	ID        string           // kid
	Algorithm string           // RS256, ES256 or EdDSA
	Public    crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey (P-256) or ed25519.PublicKey
}

// Equal reports whether k and o are the same key: same kid, algorithm and
// key material.
func (k *Key) Equal(o *Key) bool {
	if k == o {
		return true
	}
	if k == nil || o == nil || k.ID != o.ID || k.Algorithm != o.Algorithm {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := k.Public.(equaler)
	return ok && e.Equal(o.Public)
}

// Set is an immutable set of verification keys indexed by kid.
type Set struct {
	keys    map[string]*Key
	order   []string
	ignored int
}

// Key returns the key with the given kid, or nil.
func (s *Set) Key(kid string) *Key {
	if s == nil {
		return nil
	}
	return s.keys[kid]
}

// Len is the number of usable keys.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.order)
}

// Keys returns the keys in document order.
func (s *Set) Keys() []*Key {
	if s == nil {
		return nil
	}
	out := make([]*Key, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.keys[id])
	}
	return out
}

// Ignored is how many keys of the parsed document were skipped (unknown
// type or algorithm, not for signatures, no kid, duplicate kid, weak or
// malformed key material).
func (s *Set) Ignored() int {
	if s == nil {
		return 0
	}
	return s.ignored
}

// NewSet builds a set from keys; kids must be unique and valid.
func NewSet(keys ...*Key) (*Set, error) {
	s := &Set{keys: make(map[string]*Key, len(keys))}
	for _, k := range keys {
		if k == nil || !ValidKeyID(k.ID) {
			return nil, errors.New("jwk: key without a valid kid")
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, errors.New("jwk: duplicate kid")
		}
		if err := checkPublic(k.Algorithm, k.Public); err != nil {
			return nil, err
		}
		s.keys[k.ID] = k
		s.order = append(s.order, k.ID)
	}
	return s, nil
}

// ValidKeyID reports whether kid matches ^[A-Za-z0-9._-]{1,128}$: no path
// separators, URLs, spaces or control characters can reach a lookup or a log.
func ValidKeyID(kid string) bool {
	if len(kid) == 0 || len(kid) > MaxKeyIDLen {
		return false
	}
	for i := 0; i < len(kid); i++ {
		c := kid[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// rawJWK is the wire form of one key. Only the members the hub uses; the
// rest are ignored as RFC 7517 §4 requires.
type rawJWK struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	D      string   `json:"d,omitempty"` // private keys only (MarshalPrivate / ParsePrivate)
}

// ParseSet parses a JWK Set document ({"keys":[...]}). Keys the hub cannot
// use safely are skipped, not fatal: a provider may publish encryption keys
// or algorithms we do not accept next to its signing keys. A document that
// is not a key set, is larger than MaxSetSize or lists more than MaxKeys
// keys is an error. A kid listed twice is dropped entirely, since either
// copy could be the one the provider signs with.
func ParseSet(data []byte) (*Set, error) {
	if len(data) > MaxSetSize {
		return nil, fmt.Errorf("jwk: key set larger than %d bytes", MaxSetSize)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New("jwk: key set is not a JSON object with a keys array")
	}
	if doc.Keys == nil {
		return nil, errors.New("jwk: key set has no keys array")
	}
	if len(doc.Keys) > MaxKeys {
		return nil, fmt.Errorf("jwk: key set lists more than %d keys", MaxKeys)
	}
	s := &Set{keys: make(map[string]*Key, len(doc.Keys))}
	dups := map[string]bool{}
	for _, raw := range doc.Keys {
		var r rawJWK
		if json.Unmarshal(raw, &r) != nil {
			s.ignored++
			continue
		}
		k, err := r.public()
		if err != nil {
			s.ignored++
			continue
		}
		if _, seen := s.keys[k.ID]; seen || dups[k.ID] {
			dups[k.ID] = true
			continue
		}
		s.keys[k.ID] = k
		s.order = append(s.order, k.ID)
	}
	for id := range dups {
		delete(s.keys, id)
		s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
		s.ignored += 2 // at least two copies were listed
	}
	return s, nil
}

// public turns one wire key into a usable verification key, checking that
// it is meant for signatures, that its declared alg (if any) fits its type,
// and that the key material is sound.
func (r *rawJWK) public() (*Key, error) {
	if !ValidKeyID(r.Kid) {
		return nil, errors.New("jwk: missing or invalid kid")
	}
	if r.Use != "" && r.Use != "sig" {
		return nil, errors.New("jwk: key not for signatures")
	}
	if r.KeyOps != nil && !slices.Contains(r.KeyOps, "verify") {
		return nil, errors.New("jwk: key_ops does not allow verify")
	}
	alg, err := algFor(r.Kty, r.Crv)
	if err != nil {
		return nil, err
	}
	if r.Alg != "" && r.Alg != alg {
		return nil, errors.New("jwk: alg does not fit the key type")
	}
	var pub crypto.PublicKey
	switch alg {
	case RS256:
		pub, err = rsaPublic(r.N, r.E)
	case ES256:
		pub, err = ecPublic(r.X, r.Y)
	case EdDSA:
		pub, err = edPublic(r.X)
	}
	if err != nil {
		return nil, err
	}
	return &Key{ID: r.Kid, Algorithm: alg, Public: pub}, nil
}

// algFor is the one algorithm the hub accepts for a key type and curve.
// An RSA key without "alg" is taken as RS256 because RS256 is the only RSA
// algorithm the hub verifies; a token claiming PS256 never gets that far.
func algFor(kty, crv string) (string, error) {
	switch {
	case kty == "RSA" && crv == "":
		return RS256, nil
	case kty == "EC" && crv == "P-256":
		return ES256, nil
	case kty == "OKP" && crv == "Ed25519":
		return EdDSA, nil
	}
	return "", errors.New("jwk: unsupported key type or curve")
}

// b64 decodes a base64url member, tolerating the padding some encoders add.
func b64(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, errors.New("jwk: member is not base64url")
	}
	return b, nil
}

func rsaPublic(n, e string) (*rsa.PublicKey, error) {
	nb, err := b64(n)
	if err != nil {
		return nil, err
	}
	eb, err := b64(e)
	if err != nil {
		return nil, err
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("jwk: RSA exponent out of range")
	}
	var ev int64
	for _, b := range eb {
		ev = ev<<8 | int64(b)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(ev)}
	if err := checkRSA(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func checkRSA(pub *rsa.PublicKey) error {
	if bits := pub.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return errors.New("jwk: RSA modulus size out of range")
	}
	if pub.N.Bit(0) == 0 {
		return errors.New("jwk: RSA modulus is even")
	}
	if pub.E < 3 || pub.E > 1<<31-1 || pub.E%2 == 0 {
		return errors.New("jwk: RSA exponent out of range")
	}
	return nil
}

func ecPublic(x, y string) (*ecdsa.PublicKey, error) {
	xb, err := b64(x)
	if err != nil {
		return nil, err
	}
	yb, err := b64(y)
	if err != nil {
		return nil, err
	}
	if len(xb) != 32 || len(yb) != 32 {
		return nil, errors.New("jwk: P-256 coordinates must be 32 bytes")
	}
	point := append(append([]byte{4}, xb...), yb...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, errors.New("jwk: P-256 point not on the curve")
	}
	return pub, nil
}

func edPublic(x string) (ed25519.PublicKey, error) {
	xb, err := b64(x)
	if err != nil {
		return nil, err
	}
	if len(xb) != ed25519.PublicKeySize {
		return nil, errors.New("jwk: Ed25519 key must be 32 bytes")
	}
	return ed25519.PublicKey(xb), nil
}

// checkPublic verifies that pub is a sound key of the type alg needs.
func checkPublic(alg string, pub crypto.PublicKey) error {
	switch alg {
	case RS256:
		if k, ok := pub.(*rsa.PublicKey); ok && k != nil && k.N != nil {
			return checkRSA(k)
		}
	case ES256:
		if k, ok := pub.(*ecdsa.PublicKey); ok && k != nil && k.Curve == elliptic.P256() {
			return nil
		}
	case EdDSA:
		if k, ok := pub.(ed25519.PublicKey); ok && len(k) == ed25519.PublicKeySize {
			return nil
		}
	default:
		return errors.New("jwk: unsupported algorithm")
	}
	return errors.New("jwk: key does not fit its algorithm")
}

// wire returns the public JWK members of k.
func wire(kid, alg string, pub crypto.PublicKey) (rawJWK, error) {
	if err := checkPublic(alg, pub); err != nil {
		return rawJWK{}, err
	}
	enc := base64.RawURLEncoding.EncodeToString
	r := rawJWK{Kid: kid, Use: "sig", Alg: alg}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		r.Kty = "RSA"
		r.N = enc(k.N.Bytes())
		r.E = enc(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PublicKey:
		b, err := k.Bytes()
		if err != nil {
			return rawJWK{}, fmt.Errorf("jwk: encoding P-256 key: %w", err)
		}
		r.Kty, r.Crv = "EC", "P-256"
		r.X, r.Y = enc(b[1:33]), enc(b[33:65])
	case ed25519.PublicKey:
		r.Kty, r.Crv = "OKP", "Ed25519"
		r.X = enc(k)
	}
	return r, nil
}

// MarshalSet writes keys as a JWK Set document with "use":"sig" and "alg"
// on every key.
func MarshalSet(keys ...*Key) ([]byte, error) {
	doc := struct {
		Keys []rawJWK `json:"keys"`
	}{Keys: make([]rawJWK, 0, len(keys))}
	for _, k := range keys {
		if k == nil || !ValidKeyID(k.ID) {
			return nil, errors.New("jwk: key without a valid kid")
		}
		r, err := wire(k.ID, k.Algorithm, k.Public)
		if err != nil {
			return nil, err
		}
		doc.Keys = append(doc.Keys, r)
	}
	return json.Marshal(doc)
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url
// encoded: a kid derived from the key itself, so it never needs inventing.
func Thumbprint(alg string, pub crypto.PublicKey) (string, error) {
	r, err := wire("x", alg, pub)
	if err != nil {
		return "", err
	}
	// RFC 7638 §3.2: the required members only, in lexicographic order, no
	// whitespace. All values are base64url or fixed names, so no escaping.
	var b bytes.Buffer
	switch r.Kty {
	case "RSA":
		fmt.Fprintf(&b, `{"e":%q,"kty":"RSA","n":%q}`, r.E, r.N)
	case "EC":
		fmt.Fprintf(&b, `{"crv":"P-256","kty":"EC","x":%q,"y":%q}`, r.X, r.Y)
	case "OKP":
		fmt.Fprintf(&b, `{"crv":"Ed25519","kty":"OKP","x":%q}`, r.X)
	}
	sum := sha256.Sum256(b.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}
