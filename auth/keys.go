package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/vn-epidemic/hub/auth/jwk"
)

// KeySource supplies the public keys tokens are verified with.
type KeySource interface {
	// Key returns the key with the given kid. A source that can refresh
	// may do so when kid is unknown. Errors are *Error with CodeUnknownKey
	// (no such key) or CodeKeySourceUnavailable (no key set at all).
	Key(ctx context.Context, kid string) (*jwk.Key, error)
	// Current returns the key with the given kid from the key set in force
	// right now, or nil, without any I/O. The verified-token cache asks it
	// on every hit, so a token whose key was retired stops being accepted
	// as soon as a refresh removes the key.
	Current(kid string) *jwk.Key
}

// StaticKeys is a fixed key set from the configuration, for operators
// whose identity provider publishes no JWKS URL or who pin keys by hand.
type StaticKeys struct {
	set *jwk.Set
}

// NewStaticKeys parses a JWK Set document (the contents of the configured
// keys file). A document with no usable key is an error: every token would
// be refused.
func NewStaticKeys(jwks []byte) (*StaticKeys, error) {
	set, err := jwk.ParseSet(jwks)
	if err != nil {
		return nil, fmt.Errorf("auth: static keys: %w", err)
	}
	if set.Len() == 0 {
		return nil, errors.New("auth: static keys: no usable signing key (RS256, ES256 or EdDSA with a kid)")
	}
	return &StaticKeys{set: set}, nil
}

// Key implements KeySource.
func (s *StaticKeys) Key(_ context.Context, kid string) (*jwk.Key, error) {
	if k := s.set.Key(kid); k != nil {
		return k, nil
	}
	return nil, fail(CodeUnknownKey)
}

// Current implements KeySource.
func (s *StaticKeys) Current(kid string) *jwk.Key { return s.set.Key(kid) }

// Len is the number of usable keys.
func (s *StaticKeys) Len() int { return s.set.Len() }
