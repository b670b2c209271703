package vaccination

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxTokens bounds the live tokens kept; when full, expired tokens are
// purged and then the one closest to expiry is dropped.
const maxTokens = 10_000

type tokenInfo struct {
	expires time.Time
	scopes  []string
}

type tokenStore struct {
	mu     sync.Mutex
	max    int
	tokens map[string]tokenInfo
}

func newTokenStore(max int) *tokenStore {
	return &tokenStore{max: max, tokens: map[string]tokenInfo{}}
}

func (t *tokenStore) issue(now time.Time, ttl time.Duration, scopes []string) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.tokens) >= t.max {
		for k, v := range t.tokens {
			if !now.Before(v.expires) {
				delete(t.tokens, k)
			}
		}
	}
	if len(t.tokens) >= t.max {
		var oldest string
		var oldestAt time.Time
		for k, v := range t.tokens {
			if oldest == "" || v.expires.Before(oldestAt) {
				oldest, oldestAt = k, v.expires
			}
		}
		delete(t.tokens, oldest)
	}
	t.tokens[tok] = tokenInfo{expires: now.Add(ttl), scopes: scopes}
	return tok
}

// check reports whether tok is live at now; expired tokens are forgotten.
func (t *tokenStore) check(tok string, now time.Time) (tokenInfo, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	info, ok := t.tokens[tok]
	if !ok {
		return tokenInfo{}, false
	}
	if !now.Before(info.expires) {
		delete(t.tokens, tok)
		return tokenInfo{}, false
	}
	return info, true
}

// tokenResponse is RFC 6749 §5.1.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// oauthError is RFC 6749 §5.2; the token endpoint does not use the API's
// error shape, as with any OAuth2 authorisation server.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

var clientScopes = []string{ScopeRead, ScopeWrite}

// handleToken is the client-credentials token endpoint (RFC 6749 §4.4).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		oauthFail(w, http.StatusBadRequest, "invalid_request", "body must be application/x-www-form-urlencoded")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<10))
	if err != nil {
		oauthFail(w, http.StatusBadRequest, "invalid_request", "unreadable or oversize body")
		return
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		oauthFail(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	for _, k := range []string{"grant_type", "client_id", "client_secret", "scope"} {
		if len(form[k]) > 1 {
			oauthFail(w, http.StatusBadRequest, "invalid_request", "parameter repeated: "+k)
			return
		}
	}
	basicID, basicSecret, hasBasic := r.BasicAuth()
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	var id, secret string
	switch {
	case hasBasic && (formID != "" || formSecret != ""):
		oauthFail(w, http.StatusBadRequest, "invalid_request", "use one client authentication method only")
		return
	case hasBasic:
		// RFC 6749 §2.3.1: Basic credentials are form-urlencoded first.
		var e1, e2 error
		id, e1 = url.QueryUnescape(basicID)
		secret, e2 = url.QueryUnescape(basicSecret)
		if e1 != nil || e2 != nil {
			oauthFail(w, http.StatusBadRequest, "invalid_request", "malformed client credentials")
			return
		}
	default:
		id, secret = formID, formSecret
	}
	grant := form.Get("grant_type")
	switch {
	case grant == "":
		oauthFail(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	case id == "":
		s.invalidClient(w, hasBasic)
		return
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret)) == 1
	if !idOK || !secretOK {
		s.invalidClient(w, hasBasic)
		return
	}
	if grant != "client_credentials" {
		oauthFail(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	scopes := clientScopes
	if raw := form.Get("scope"); raw != "" {
		scopes = nil
		for _, sc := range strings.Fields(raw) {
			if !slices.Contains(clientScopes, sc) {
				oauthFail(w, http.StatusBadRequest, "invalid_scope", "unknown scope requested")
				return
			}
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	tok := s.tokens.issue(s.now(), s.ttl, scopes)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: tok,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.ttl / time.Second),
		Scope:       strings.Join(scopes, " "),
	})
}

func (s *Server) invalidClient(w http.ResponseWriter, usedBasic bool) {
	if usedBasic {
		w.Header().Set("WWW-Authenticate", `Basic realm="vaccination"`)
	}
	oauthFail(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
}

func oauthFail(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{Error: code, ErrorDescription: desc})
}

// requireToken admits requests bearing a live token with the scope (RFC 6750).
func (s *Server) requireToken(scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		if authz == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vaccination"`)
			s.writeError(w, r, http.StatusUnauthorized, codeUnauthenticated, "bearer token required")
			return
		}
		scheme, tok, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vaccination", error="invalid_request"`)
			s.writeError(w, r, http.StatusUnauthorized, codeUnauthenticated, "malformed Authorization header")
			return
		}
		info, ok := s.tokens.check(strings.TrimSpace(tok), s.now())
		if !ok {
			w.Header().Set("WWW-Authenticate",
				`Bearer realm="vaccination", error="invalid_token", error_description="the access token is expired or unknown"`)
			s.writeError(w, r, http.StatusUnauthorized, codeUnauthenticated, "access token expired or unknown")
			return
		}
		if !slices.Contains(info.scopes, scope) {
			w.Header().Set("WWW-Authenticate",
				`Bearer realm="vaccination", error="insufficient_scope", scope="`+scope+`"`)
			s.writeError(w, r, http.StatusForbidden, codePermissionDenied, "token lacks scope "+scope)
			return
		}
		next.ServeHTTP(w, r)
	})
}
