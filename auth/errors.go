package auth

import "errors"

// Error codes. They are for logs and metrics only: clients are told just
// "authentication required" (see Middleware), so an attacker probing with
// forged tokens learns nothing about which check failed.
const (
	// CodeMissingToken: no token at all (no Authorization header, or an empty token).
	CodeMissingToken = "missing_token"
	// CodeInvalidRequest: the Authorization header is malformed (not exactly
	// one header, not "Bearer <token>"), or a token was sent in the query string.
	CodeInvalidRequest = "invalid_request"
	// CodeOversizedToken: the token is over MaxTokenSize or its header
	// segment over MaxHeaderSize; rejected before any decoding.
	CodeOversizedToken = "oversized_token"
	// CodeMalformedToken: not three base64url segments of JSON, or a
	// registered claim (exp, iat, nbf, iss, aud, sub, jti) of the wrong type.
	CodeMalformedToken = "malformed_token"
	// CodeUnsupportedAlgorithm: alg is not RS256, ES256 or EdDSA ("none",
	// HS256 and the rest).
	CodeUnsupportedAlgorithm = "unsupported_algorithm"
	// CodeInvalidHeader: a header the hub does not understand ("crit"
	// present, or a "typ" that is not an access token's).
	CodeInvalidHeader = "invalid_header"
	// CodeInvalidKeyID: kid missing or not matching ^[A-Za-z0-9._-]{1,128}$.
	CodeInvalidKeyID = "invalid_kid"
	// CodeUnknownKey: no key with that kid, even after a key refresh.
	CodeUnknownKey = "unknown_key"
	// CodeKeyMismatch: the kid names a key of another algorithm than the
	// token's alg (e.g. an RS256 token naming an EC key).
	CodeKeyMismatch = "key_mismatch"
	// CodeInvalidSignature: the signature does not verify.
	CodeInvalidSignature = "invalid_signature"
	// CodeTokenExpired: exp is past (beyond the leeway).
	CodeTokenExpired = "token_expired"
	// CodeTokenNotYetValid: nbf is in the future (beyond the leeway).
	CodeTokenNotYetValid = "token_not_yet_valid"
	// CodeIssuedInFuture: iat is in the future (beyond the leeway).
	CodeIssuedInFuture = "issued_in_future"
	// CodeInvalidIssuer: iss is not the configured issuer.
	CodeInvalidIssuer = "invalid_issuer"
	// CodeInvalidAudience: aud does not contain the configured audience.
	CodeInvalidAudience = "invalid_audience"
	// CodeMissingClaim: a required claim is absent: exp, iat, iss, aud,
	// sub or roles.
	CodeMissingClaim = "missing_claim"
	// CodeLifetimeTooLong: exp − iat exceeds Config.MaxLifetime.
	CodeLifetimeTooLong = "lifetime_too_long"
	// CodeInvalidClaims: a hub claim has the wrong type or an invalid value
	// (roles, agency, purpose, locality, cid, or an unknown role).
	CodeInvalidClaims = "invalid_claims"
	// CodeKeySourceUnavailable: no key set could be loaded at all (the
	// JWKS endpoint has never answered with a usable set). The token may
	// be fine; the Middleware answers 503, not 401.
	CodeKeySourceUnavailable = "key_source_unavailable"
)

// Error is the one error type Verify, key sources and Middleware report.
// Its message is the code plus a fixed description, never anything taken
// from the token, so it is safe to log.
type Error struct {
	Code  string
	cause error // key-source failures only (e.g. the JWKS fetch error); never token-derived
}

// description is the fixed, token-independent text for a code.
func description(code string) string {
	switch code {
	case CodeMissingToken:
		return "no bearer token"
	case CodeInvalidRequest:
		return "malformed authorization request"
	case CodeOversizedToken:
		return "token exceeds the size limits"
	case CodeMalformedToken:
		return "token is not a well-formed JWS"
	case CodeUnsupportedAlgorithm:
		return "token algorithm not accepted"
	case CodeInvalidHeader:
		return "token header not accepted"
	case CodeInvalidKeyID:
		return "token key id missing or not well-formed"
	case CodeUnknownKey:
		return "no key with the token's key id"
	case CodeKeyMismatch:
		return "key id names a key of another algorithm"
	case CodeInvalidSignature:
		return "signature does not verify"
	case CodeTokenExpired:
		return "token expired"
	case CodeTokenNotYetValid:
		return "token not valid yet"
	case CodeIssuedInFuture:
		return "token issued in the future"
	case CodeInvalidIssuer:
		return "token issuer not accepted"
	case CodeInvalidAudience:
		return "token audience not accepted"
	case CodeMissingClaim:
		return "a required claim is missing"
	case CodeLifetimeTooLong:
		return "token lifetime exceeds the maximum"
	case CodeInvalidClaims:
		return "token claims malformed"
	case CodeKeySourceUnavailable:
		return "verification keys unavailable"
	}
	return ""
}

func (e *Error) Error() string {
	msg := "auth: " + e.Code
	if d := description(e.Code); d != "" {
		msg += ": " + d
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

// Unwrap returns the underlying key-source failure, if any.
func (e *Error) Unwrap() error { return e.cause }

// Is makes errors.Is(err, &auth.Error{Code: auth.CodeTokenExpired}) match
// any auth error with that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the auth error code carried by err, or "" when err is not
// an *Error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func fail(code string) *Error { return &Error{Code: code} }
