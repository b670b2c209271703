package auth

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/principal"
)

// Claim names the hub reads besides the registered ones (iss, aud, sub,
// exp, nbf, iat, jti). Unknown claims are ignored.
const (
	ClaimRoles    = "roles"    // array of role names, required, non-empty
	ClaimAgency   = "agency"   // string, optional
	ClaimPurpose  = "purpose"  // string, optional: declared purpose of use
	ClaimLocality = "locality" // object {"provinces":["01"],"communes":["00024"]}, optional: absent = national
	ClaimCitizen  = "cid"      // 12-digit citizen ID, optional (self-service)
)

// Bounds on claim values; a token is at most 8 KiB anyway, these keep
// single values sane for logs and the audit trail.
const (
	maxSubject   = 255
	maxAgency    = 128
	maxTokenID   = 128
	maxRoles     = 32
	maxLocations = 256
)

// tokenClaims is what the JWT library decodes. The hub's own claims stay
// raw until the signature has been verified, so that a forged token is
// refused for its signature rather than its shape.
type tokenClaims struct {
	jwt.RegisteredClaims
	Roles    json.RawMessage `json:"roles"`
	Agency   json.RawMessage `json:"agency"`
	Purpose  json.RawMessage `json:"purpose"`
	Locality json.RawMessage `json:"locality"`
	CID      json.RawMessage `json:"cid"`
}

// principal maps verified claims to a principal and returns the token's
// expiry (for the cache).
func (v *Verifier) principal(c *tokenClaims) (*principal.Principal, time.Time, error) {
	if c.IssuedAt == nil || c.ExpiresAt == nil {
		return nil, time.Time{}, fail(CodeMissingClaim)
	}
	iat, exp := c.IssuedAt.UTC(), c.ExpiresAt.UTC()
	if exp.Sub(iat) > v.cfg.MaxLifetime {
		return nil, time.Time{}, fail(CodeLifetimeTooLong)
	}
	if c.Subject == "" || c.Roles == nil {
		return nil, time.Time{}, fail(CodeMissingClaim)
	}
	p := &principal.Principal{
		Subject:   c.Subject,
		TokenID:   c.ID,
		IssuedAt:  iat,
		ExpiresAt: exp,
	}
	ok := validText(c.Subject, maxSubject) && (c.ID == "" || validText(c.ID, maxTokenID))
	if ok {
		p.Roles, ok = v.decodeRoles(c.Roles)
	}
	if ok && c.Agency != nil {
		ok = decodeString(c.Agency, &p.Agency) && p.Agency != "" && validText(p.Agency, maxAgency)
	}
	if ok && c.Purpose != nil {
		ok = decodeString(c.Purpose, &p.Purpose) && (p.Purpose == "" || validName(p.Purpose))
	}
	if ok && c.Locality != nil {
		p.Locality, ok = decodeLocality(c.Locality)
	}
	if ok && c.CID != nil {
		ok = decodeString(c.CID, &p.CitizenID) && digits(p.CitizenID, 12)
	}
	if !ok {
		return nil, time.Time{}, fail(CodeInvalidClaims)
	}
	return p, exp, nil
}

// decodeString decodes a JSON string (not null, not a number).
func decodeString(raw json.RawMessage, dst *string) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}

// decodeStrings decodes a JSON array of strings (not null).
func decodeStrings(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	var out []string
	if json.Unmarshal(raw, &out) != nil {
		return nil, false
	}
	return out, true
}

func (v *Verifier) decodeRoles(raw json.RawMessage) ([]string, bool) {
	roles, ok := decodeStrings(raw)
	if !ok || len(roles) == 0 || len(roles) > maxRoles {
		return nil, false
	}
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if !validName(r) || (v.roles != nil && !v.roles[r]) {
			return nil, false
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, true
}

// decodeLocality reads the locality object strictly: a member we do not
// know (say "districts") could be meant to narrow the scope, and ignoring
// it would widen it — to national if nothing else were left. For the same
// reason a locality with no codes at all is refused rather than read as
// national scope, which only the claim's absence grants.
func decodeLocality(raw json.RawMessage) (principal.Locality, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return principal.Locality{}, false
	}
	var w struct {
		Provinces json.RawMessage `json:"provinces"`
		Communes  json.RawMessage `json:"communes"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if dec.Decode(&w) != nil {
		return principal.Locality{}, false
	}
	var l principal.Locality
	var ok bool
	if w.Provinces != nil {
		if l.Provinces, ok = codes(w.Provinces, 2); !ok {
			return principal.Locality{}, false
		}
	}
	if w.Communes != nil {
		if l.Communes, ok = codes(w.Communes, 5); !ok {
			return principal.Locality{}, false
		}
	}
	if l.National() {
		return principal.Locality{}, false
	}
	return l, true
}

// codes decodes an array of administrative unit codes of n digits,
// dropping duplicates.
func codes(raw json.RawMessage, n int) ([]string, bool) {
	list, ok := decodeStrings(raw)
	if !ok || len(list) > maxLocations {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		if !digits(c, n) {
			return nil, false
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, true
	}
	return out, true
}

func digits(s string, n int) bool { return len(s) == n && domain.IsDigits(s) }

// validName is the shape of role and purpose names: short, ASCII, no
// spaces, so they are safe as map keys, metric labels and log fields.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// validText accepts printable UTF-8 up to max bytes: no control or format
// characters (newlines, bidi overrides) that could forge log lines or
// audit entries.
func validText(s string, max int) bool {
	if len(s) == 0 || len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
