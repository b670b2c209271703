package vaccination

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// pageCodec seals list positions into opaque page tokens: base64url of
// version | payload | HMAC-SHA256(key, scope | payload)[:12]. The scope binds
// a token to the list and filters it was issued for, so a token replayed
// against another commune or status, or edited, is refused.
type pageCodec struct {
	key []byte
}

const (
	pageTokenVersion = 1
	pageMACLen       = 12
	maxPageToken     = 512 // characters; longer is never one of ours
)

var errBadPageToken = errors.New("invalid page token")

func (c pageCodec) seal(scope string, payload []byte) string {
	b := make([]byte, 0, 1+len(payload)+pageMACLen)
	b = append(b, pageTokenVersion)
	b = append(b, payload...)
	b = append(b, c.mac(scope, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c pageCodec) open(scope, token string) ([]byte, error) {
	if len(token) > maxPageToken {
		return nil, errBadPageToken
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 1+pageMACLen || b[0] != pageTokenVersion {
		return nil, errBadPageToken
	}
	body, sum := b[:len(b)-pageMACLen], b[len(b)-pageMACLen:]
	if !hmac.Equal(sum, c.mac(scope, body)) {
		return nil, errBadPageToken
	}
	return body[1:], nil
}

func (c pageCodec) mac(scope string, body []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)[:pageMACLen]
}
