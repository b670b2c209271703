package jwk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// MaxPrivateKeySize bounds a private key file: one EC or Ed25519 JWK is a
// few hundred bytes.
const MaxPrivateKeySize = 16 << 10

// PrivateKey is a signing key with its kid and algorithm. Only EdDSA and
// ES256 keys are supported: the demo issuer signs with nothing else.
type PrivateKey struct {
	ID        string
	Algorithm string        // ES256 or EdDSA
	Signer    crypto.Signer // *ecdsa.PrivateKey (P-256) or ed25519.PrivateKey
}

// Public returns the verification key matching p.
func (p *PrivateKey) Public() *Key {
	return &Key{ID: p.ID, Algorithm: p.Algorithm, Public: p.Signer.Public()}
}

// MarshalPrivate writes p as a private JWK (public members plus "d").
func MarshalPrivate(p *PrivateKey) ([]byte, error) {
	if p == nil || p.Signer == nil || !ValidKeyID(p.ID) {
		return nil, errors.New("jwk: private key without a valid kid")
	}
	r, err := wire(p.ID, p.Algorithm, p.Signer.Public())
	if err != nil {
		return nil, err
	}
	switch k := p.Signer.(type) {
	case ed25519.PrivateKey:
		r.D = base64.RawURLEncoding.EncodeToString(k.Seed())
	case *ecdsa.PrivateKey:
		d, err := k.Bytes()
		if err != nil {
			return nil, errors.New("jwk: invalid P-256 private key")
		}
		r.D = base64.RawURLEncoding.EncodeToString(d)
	default:
		return nil, errors.New("jwk: unsupported private key type")
	}
	return json.Marshal(r)
}

// ParsePrivate reads a private JWK written by MarshalPrivate (or any EC
// P-256 / OKP Ed25519 private JWK), checking that the private part matches
// the public members.
func ParsePrivate(data []byte) (*PrivateKey, error) {
	if len(data) > MaxPrivateKeySize {
		return nil, errors.New("jwk: private key document too large")
	}
	var r rawJWK
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, errors.New("jwk: private key is not a JSON object")
	}
	pub, err := r.public()
	if err != nil {
		return nil, err
	}
	d, err := b64(r.D)
	if err != nil || len(d) == 0 {
		return nil, errors.New("jwk: private key has no valid d member")
	}
	var signer crypto.Signer
	switch pub.Algorithm {
	case EdDSA:
		if len(d) != ed25519.SeedSize {
			return nil, errors.New("jwk: Ed25519 seed must be 32 bytes")
		}
		k := ed25519.NewKeyFromSeed(d)
		if subtle.ConstantTimeCompare(k.Public().(ed25519.PublicKey), pub.Public.(ed25519.PublicKey)) != 1 {
			return nil, errors.New("jwk: private key does not match its public members")
		}
		signer = k
	case ES256:
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
		if err != nil {
			return nil, errors.New("jwk: invalid P-256 private scalar")
		}
		if !k.PublicKey.Equal(pub.Public) {
			return nil, errors.New("jwk: private key does not match its public members")
		}
		signer = k
	default:
		return nil, errors.New("jwk: unsupported private key type")
	}
	return &PrivateKey{ID: pub.ID, Algorithm: pub.Algorithm, Signer: signer}, nil
}
