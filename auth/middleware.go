package auth

import (
	"net/http"
	"strings"

	"github.com/vn-epidemic/hub/principal"
)

// MiddlewareOptions tunes Middleware.
type MiddlewareOptions struct {
	// Optional lets requests without any Authorization header through
	// unauthenticated (no principal in the context); the graph decides
	// what they may see. A present but bad token is always refused.
	Optional bool
	// OnFailure, if set, is called for every refused request with the
	// error code, for logs and metrics. It gets no token contents.
	OnFailure func(r *http.Request, code string)
}

// The bodies clients see. They say nothing about why, so forged tokens
// teach an attacker nothing; the reason goes to OnFailure only.
const (
	unauthenticatedBody = `{"errors":[{"message":"authentication required","extensions":{"code":"UNAUTHENTICATED"}}]}`
	unavailableBody     = `{"errors":[{"message":"authentication temporarily unavailable","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}`
)

// Middleware authenticates each request's bearer token with v and puts the
// principal in the request context (principal.FromContext).
//
// Refusals: 401 with WWW-Authenticate per RFC 6750 §3 — no error attribute
// when there was no token at all, error="invalid_request" for a malformed
// header (or a token in the query string, which would leak into logs),
// error="invalid_token" for a token that does not verify. When no key set
// could ever be loaded the token may well be good, so the answer is 503
// rather than 401: clients should retry, not log their users out.
func Middleware(v *Verifier, opts MiddlewareOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, code := bearerToken(r)
			if code == CodeMissingToken && opts.Optional {
				next.ServeHTTP(w, r)
				return
			}
			if code == "" {
				p, err := v.Verify(r.Context(), raw)
				if err == nil {
					next.ServeHTTP(w, r.WithContext(principal.NewContext(r.Context(), p)))
					return
				}
				if code = CodeOf(err); code == "" {
					code = CodeInvalidSignature // not reached: Verify returns *Error only
				}
			}
			if opts.OnFailure != nil {
				opts.OnFailure(r, code)
			}
			refuse(w, code)
		})
	}
}

// bearerToken extracts the token from the one Authorization header.
func bearerToken(r *http.Request) (token, code string) {
	if r.URL.RawQuery != "" && r.URL.Query().Has("access_token") {
		return "", CodeInvalidRequest
	}
	h := r.Header.Values("Authorization")
	switch len(h) {
	case 0:
		return "", CodeMissingToken
	case 1:
	default:
		return "", CodeInvalidRequest
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", CodeInvalidRequest
	}
	token = strings.TrimLeft(rest, " ")
	if !b64token(token) {
		return "", CodeInvalidRequest
	}
	return token, ""
}

// b64token checks RFC 6750 §2.1's token68 syntax: 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=". A JWT always fits.
func b64token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

func refuse(w http.ResponseWriter, code string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	status, body := http.StatusUnauthorized, unauthenticatedBody
	switch code {
	case CodeMissingToken:
		h.Set("WWW-Authenticate", `Bearer`)
	case CodeInvalidRequest:
		h.Set("WWW-Authenticate", `Bearer error="invalid_request"`)
		// RFC 6750 §3.1 pairs invalid_request with 400; a GraphQL client
		// handles one auth status more easily, and 401 is what it retries
		// on with a fresh token.
	case CodeKeySourceUnavailable:
		status, body = http.StatusServiceUnavailable, unavailableBody
		h.Set("Retry-After", "30")
	default:
		h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
