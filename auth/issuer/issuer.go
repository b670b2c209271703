// Package issuer is the demo's own token issuer: it generates signing keys
// at start, publishes their public halves as a JWKS, mints access tokens
// with the hub's claim set, rotates and retires keys, and saves the current
// signing key to a file so a separate `hub token` process can mint for a
// running demo. It is for demos and tests, not an identity provider: it
// authenticates nobody. It knows nothing of how tokens are verified.
package issuer

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vn-epidemic/hub/auth/jwk"
	"github.com/vn-epidemic/hub/domain"
)

// Claims is what a minted token says about its subject. The JSON claim
// names are those the hub's verifier reads (auth.Claim* and the registered
// sub and jti).
type Claims struct {
	Subject   string   // sub; required
	Roles     []string // roles; required, at least one
	Agency    string   // agency
	Purpose   string   // purpose of use; empty = none declared
	Provinces []string // locality.provinces: 2-digit codes
	Communes  []string // locality.communes: 5-digit codes
	CitizenID string   // cid: 12 digits, for the citizen (self-service) role
	TokenID   string   // jti; a random one when empty
}

// wireClaims is the token payload.
type wireClaims struct {
	jwt.RegisteredClaims
	Roles    []string  `json:"roles"`
	Agency   string    `json:"agency,omitempty"`
	Purpose  string    `json:"purpose,omitempty"`
	Locality *locality `json:"locality,omitempty"`
	CID      string    `json:"cid,omitempty"`
}

type locality struct {
	Provinces []string `json:"provinces,omitempty"`
	Communes  []string `json:"communes,omitempty"`
}

// Option tunes an Issuer.
type Option func(*Issuer) error

// WithClock sets the clock used for iat, nbf and exp.
func WithClock(now func() time.Time) Option {
	return func(i *Issuer) error {
		if now == nil {
			return errors.New("issuer: nil clock")
		}
		i.now = now
		return nil
	}
}

// WithES256Key also generates an ES256 (P-256) key and publishes it next
// to the Ed25519 one, to show a multi-key, multi-algorithm JWKS. Tokens are
// signed with it only through MintWithKey.
func WithES256Key() Option {
	return func(i *Issuer) error {
		k, err := newKey(jwk.ES256)
		if err != nil {
			return err
		}
		return i.publish(k)
	}
}

// Issuer mints tokens. It is safe for concurrent use.
type Issuer struct {
	iss, aud string
	now      func() time.Time

	mu      sync.RWMutex
	current *jwk.PrivateKey
	keys    map[string]*jwk.PrivateKey // published keys, current included
	order   []string
	jwks    []byte // the published set, re-encoded on every change
}

// New returns an issuer with a fresh Ed25519 signing key.
func New(issuerURL, audience string, opts ...Option) (*Issuer, error) {
	k, err := newKey(jwk.EdDSA)
	if err != nil {
		return nil, err
	}
	return build(issuerURL, audience, k, opts)
}

// LoadKey returns an issuer signing with the private key saved by SaveKey.
// issuerURL and audience must be the running demo's. The file must not be
// readable by group or others.
func LoadKey(path, issuerURL, audience string, opts ...Option) (*Issuer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("issuer: opening key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("issuer: key file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, errors.New("issuer: key file is readable by group or others; chmod 600 it")
	}
	if st.Size() > jwk.MaxPrivateKeySize {
		return nil, errors.New("issuer: key file too large")
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, fmt.Errorf("issuer: reading key file: %w", err)
	}
	k, err := jwk.ParsePrivate(data)
	if err != nil {
		return nil, fmt.Errorf("issuer: key file: %w", err)
	}
	return build(issuerURL, audience, k, opts)
}

func build(issuerURL, audience string, k *jwk.PrivateKey, opts []Option) (*Issuer, error) {
	if issuerURL == "" || audience == "" {
		return nil, errors.New("issuer: issuer URL and audience are required")
	}
	i := &Issuer{iss: issuerURL, aud: audience, now: time.Now, keys: map[string]*jwk.PrivateKey{}}
	i.current = k
	if err := i.publish(k); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(i); err != nil {
			return nil, err
		}
	}
	return i, nil
}

func newKey(alg string) (*jwk.PrivateKey, error) {
	var k *jwk.PrivateKey
	switch alg {
	case jwk.EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("issuer: generating key: %w", err)
		}
		k = &jwk.PrivateKey{Algorithm: alg, Signer: priv}
	case jwk.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("issuer: generating key: %w", err)
		}
		k = &jwk.PrivateKey{Algorithm: alg, Signer: priv}
	default:
		return nil, errors.New("issuer: unsupported algorithm")
	}
	kid, err := jwk.Thumbprint(alg, k.Signer.Public())
	if err != nil {
		return nil, err
	}
	k.ID = kid
	return k, nil
}

// publish adds k to the published set. Callers hold mu (or own i alone).
func (i *Issuer) publish(k *jwk.PrivateKey) error {
	if _, dup := i.keys[k.ID]; dup {
		return errors.New("issuer: key already published")
	}
	i.keys[k.ID] = k
	i.order = append(i.order, k.ID)
	if err := i.encode(); err != nil {
		delete(i.keys, k.ID)
		i.order = i.order[:len(i.order)-1]
		return err
	}
	return nil
}

func (i *Issuer) encode() error {
	pubs := make([]*jwk.Key, 0, len(i.order))
	for _, id := range i.order {
		pubs = append(pubs, i.keys[id].Public())
	}
	doc, err := jwk.MarshalSet(pubs...)
	if err != nil {
		return fmt.Errorf("issuer: encoding key set: %w", err)
	}
	i.jwks = doc
	return nil
}

// Issuer is the iss of minted tokens.
func (i *Issuer) Issuer() string { return i.iss }

// Audience is the aud of minted tokens.
func (i *Issuer) Audience() string { return i.aud }

// KeyID is the kid of the current signing key.
func (i *Issuer) KeyID() string {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.current.ID
}

// KeyIDs lists the published kids, oldest first.
func (i *Issuer) KeyIDs() []string {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return slices.Clone(i.order)
}

// JWKS returns the published key set document.
func (i *Issuer) JWKS() []byte {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return slices.Clone(i.jwks)
}

// JWKSHandler serves the published key set (GET and HEAD).
func (i *Issuer) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		doc := i.JWKS()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(doc)
		}
	})
}

// Rotate makes a fresh Ed25519 key current and returns its kid. The old
// key stays published, so tokens it signed keep verifying until Retire.
func (i *Issuer) Rotate() (string, error) {
	k, err := newKey(jwk.EdDSA)
	if err != nil {
		return "", err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if err := i.publish(k); err != nil {
		return "", err
	}
	i.current = k
	return k.ID, nil
}

// Retire stops publishing a key: verifiers drop it at their next refresh.
// The current signing key cannot be retired (Rotate first).
func (i *Issuer) Retire(kid string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, ok := i.keys[kid]; !ok {
		return errors.New("issuer: no such key")
	}
	if kid == i.current.ID {
		return errors.New("issuer: cannot retire the current signing key")
	}
	delete(i.keys, kid)
	i.order = slices.DeleteFunc(i.order, func(id string) bool { return id == kid })
	return i.encode()
}

// SaveKey writes the current private signing key as a JWK to path with
// mode 0600, atomically (a reader never sees half a key).
func (i *Issuer) SaveKey(path string) error {
	i.mu.RLock()
	data, err := jwk.MarshalPrivate(i.current)
	i.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".jwk-*")
	if err != nil {
		return fmt.Errorf("issuer: saving key: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("issuer: saving key: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("issuer: saving key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("issuer: saving key: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("issuer: saving key: %w", err)
	}
	return nil
}

// Mint signs a token for c valid for ttl from now with the current key.
func (i *Issuer) Mint(c Claims, ttl time.Duration) (string, error) {
	i.mu.RLock()
	k := i.current
	i.mu.RUnlock()
	return i.mint(k, c, ttl)
}

// MintWithKey signs with a specific published key (e.g. the ES256 one, or
// a rotated-out key in tests).
func (i *Issuer) MintWithKey(kid string, c Claims, ttl time.Duration) (string, error) {
	i.mu.RLock()
	k, ok := i.keys[kid]
	i.mu.RUnlock()
	if !ok {
		return "", errors.New("issuer: no such key")
	}
	return i.mint(k, c, ttl)
}

func (i *Issuer) mint(k *jwk.PrivateKey, c Claims, ttl time.Duration) (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", errors.New("issuer: ttl must be positive")
	}
	jti := c.TokenID
	if jti == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("issuer: token id: %w", err)
		}
		jti = base64.RawURLEncoding.EncodeToString(b[:])
	}
	now := i.now()
	w := wireClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.iss,
			Subject:   c.Subject,
			Audience:  jwt.ClaimStrings{i.aud},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Roles:   c.Roles,
		Agency:  c.Agency,
		Purpose: c.Purpose,
		CID:     c.CitizenID,
	}
	if len(c.Provinces) > 0 || len(c.Communes) > 0 {
		w.Locality = &locality{Provinces: c.Provinces, Communes: c.Communes}
	}
	var method jwt.SigningMethod = jwt.SigningMethodEdDSA
	if k.Algorithm == jwk.ES256 {
		method = jwt.SigningMethodES256
	}
	t := jwt.NewWithClaims(method, w)
	t.Header["kid"] = k.ID
	s, err := t.SignedString(k.Signer)
	if err != nil {
		return "", fmt.Errorf("issuer: signing: %w", err)
	}
	return s, nil
}

// check refuses claims the hub's verifier would refuse, so `hub token`
// fails at once with a clear message. Messages never quote the values
// (a citizen ID is personal data).
func (c *Claims) check() error {
	switch {
	case c.Subject == "":
		return errors.New("issuer: subject is required")
	case len(c.Roles) == 0:
		return errors.New("issuer: at least one role is required")
	}
	for _, p := range c.Provinces {
		if !digits(p, 2) {
			return errors.New("issuer: province codes have 2 digits")
		}
	}
	for _, p := range c.Communes {
		if !digits(p, 5) {
			return errors.New("issuer: commune codes have 5 digits")
		}
	}
	if c.CitizenID != "" && !digits(c.CitizenID, 12) {
		return errors.New("issuer: citizen ID has 12 digits")
	}
	return nil
}

func digits(s string, n int) bool { return len(s) == n && domain.IsDigits(s) }
