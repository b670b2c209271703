// Package vaccination is the hub's client of the Ministry of Health's
// national vaccination platform: REST/JSON under /api/v1 behind OAuth2 client
// credentials. It owns the token lifecycle, batching of people into the
// platform's 100-person calls, the platform's wire format and error shape,
// and their translation into package domain. It knows nothing of GraphQL or
// of how the hub uses the answers.
package vaccination

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

// Config locates the platform and holds the hub's client credentials.
type Config struct {
	BaseURL      string // e.g. https://api.tiemchung.gov.vn
	TokenURL     string // default BaseURL + "/oauth2/token"
	ClientID     string
	ClientSecret string
	Scope        string // space-separated; empty asks for the client's full scope
}

// Operations, named as the platform's fault counters name them.
var (
	opToken        = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "token", Idempotent: true}
	opRecords      = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "vaccinations.batchGet", Idempotent: true}
	opCertificates = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "certificates.batchGet", Idempotent: true}
	opRecons       = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "reconciliation.batchGet", Idempotent: true}
	opReconList    = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "reconciliation.list", Idempotent: true}
	opRecordDose   = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "doses.record", Idempotent: false}
	opFbCreate     = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "feedback.create", Idempotent: false}
	opFbList       = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "feedback.list", Idempotent: true}
	opFbResolve    = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "feedback.resolve", Idempotent: false}
	opStatistics   = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "statistics.vaccinations", Idempotent: true}
	opOpenAPI      = upstream.Op{Upstream: domain.UpstreamVaccination, Name: "openapi", Idempotent: true}
)

// Response size limits: a full batch of 100 records is far below these.
const (
	maxBatchResponse = 8 << 20
	maxResponse      = 1 << 20
	// tokenFetchTimeout bounds a token request shared by several callers,
	// which therefore cannot run on any single caller's context.
	tokenFetchTimeout = 30 * time.Second
)

// Client calls the vaccination platform. Safe for concurrent use.
type Client struct {
	base     *url.URL
	tokenURL string
	id       string
	secret   string
	scope    string
	caller   *upstream.Caller
	now      func() time.Time

	mu    sync.Mutex
	tok   cachedToken
	group singleflight.Group
}

type cachedToken struct {
	value     string
	refreshAt time.Time
}

// New returns a client for the platform at cfg.BaseURL.
func New(cfg Config, caller *upstream.Caller) (*Client, error) {
	if caller == nil {
		return nil, errors.New("vaccination adapter: caller is required")
	}
	base, err := upstream.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("vaccination adapter: BaseURL: %w", err)
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base.JoinPath("oauth2", "token").String()
	} else if _, err := upstream.BaseURL(tokenURL); err != nil {
		return nil, fmt.Errorf("vaccination adapter: TokenURL: %w", err)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("vaccination adapter: ClientID and ClientSecret are required")
	}
	return &Client{
		base: base, tokenURL: tokenURL, id: cfg.ClientID, secret: cfg.ClientSecret,
		scope: strings.Join(strings.Fields(cfg.Scope), " "), caller: caller, now: time.Now,
	}, nil
}

// token returns a live access token, fetching one when none is cached or the
// cached one is about to expire. Concurrent callers share one fetch.
func (c *Client) token(ctx context.Context) (string, error) {
	if t, ok := c.cached(); ok {
		return t, nil
	}
	if err := ctx.Err(); err != nil {
		return "", upstream.TransportError(ctx, opToken, err)
	}
	ch := c.group.DoChan("token", func() (any, error) {
		if t, ok := c.cached(); ok {
			return t, nil
		}
		// The fetch outlives any one waiter: a caller giving up must not
		// fail the others sharing it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		defer cancel()
		tok, err := c.fetchToken(fctx)
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		c.tok = tok
		c.mu.Unlock()
		return tok.value, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		return "", upstream.TransportError(ctx, opToken, ctx.Err())
	}
}

func (c *Client) cached() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.value != "" && c.now().Before(c.tok.refreshAt) {
		return c.tok.value, true
	}
	return "", false
}

// invalidate drops the cached token if it is still the one that was refused,
// so that a burst of 401s triggers one refresh, not one each.
func (c *Client) invalidate(refused string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.value == refused {
		c.tok = cachedToken{}
	}
}

func (c *Client) fetchToken(ctx context.Context) (cachedToken, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.scope != "" {
		form.Set("scope", c.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return cachedToken{}, domain.NewUpstreamError(opToken.Upstream, opToken.Name, domain.ErrUnavailable, "building request", err)
	}
	// RFC 6749 §2.3.1: Basic credentials are form-urlencoded first.
	req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	issued := c.now()
	resp, err := c.caller.Do(ctx, opToken, req)
	if err != nil {
		return cachedToken{}, err
	}
	defer resp.Body.Close()
	body, err := upstream.ReadBody(opToken, resp.Body, maxResponse)
	if err != nil {
		return cachedToken{}, err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		value, ttl, err := decodeToken(body)
		if err != nil {
			return cachedToken{}, badData(opToken, "token response", err)
		}
		return cachedToken{value: value, refreshAt: issued.Add(ttl - refreshMargin(ttl))}, nil
	}
	// Any other answer below 500 (invalid_client, invalid_scope, a wrong
	// token URL) means the hub cannot authenticate: a configuration problem,
	// not a missing resource. 5xx and 429 were typed by the caller already.
	return cachedToken{}, domain.NewUpstreamError(opToken.Upstream, opToken.Name, domain.ErrRejected, "auth",
		fmt.Errorf("token endpoint answered HTTP %d, OAuth error %s", resp.StatusCode, decodeOAuthError(body)))
}

// refreshMargin is how long before expiry a token is replaced, so that a
// request does not leave with a token that expires on the way.
func refreshMargin(ttl time.Duration) time.Duration {
	return min(30*time.Second, ttl/5)
}

// call is one API request.
type call struct {
	op      upstream.Op
	method  string
	path    string // under BaseURL; only unreserved characters and ":"
	query   url.Values
	body    []byte // JSON, nil for none
	idemKey string
	limit   int64
}

// do sends c with a bearer token and returns the status and body of any
// answer below 500 (429 aside). A 401 drops the token; reads are then sent
// once more with a fresh one, writes are not (a write is never re-sent).
func (c *Client) do(ctx context.Context, rq call) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return 0, nil, err
		}
		u := *c.base
		u.Path += rq.path // callers build paths from validated, unreserved characters
		if rq.query != nil {
			u.RawQuery = rq.query.Encode()
		}
		var req *http.Request
		if rq.body != nil {
			req, err = http.NewRequestWithContext(ctx, rq.method, u.String(), bytes.NewReader(rq.body))
		} else {
			req, err = http.NewRequestWithContext(ctx, rq.method, u.String(), nil)
		}
		if err != nil {
			return 0, nil, domain.NewUpstreamError(rq.op.Upstream, rq.op.Name, domain.ErrUnavailable, "building request", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if rq.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if rq.idemKey != "" {
			req.Header.Set("Idempotency-Key", rq.idemKey)
		}
		resp, err := c.caller.Do(ctx, rq.op, req)
		if err != nil {
			return 0, nil, err
		}
		limit := rq.limit
		if limit == 0 {
			limit = maxResponse
		}
		b, err := upstream.ReadBody(rq.op, resp.Body, limit)
		resp.Body.Close()
		if err != nil {
			return 0, nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized {
			c.invalidate(tok)
			if attempt == 0 && rq.op.Idempotent {
				continue
			}
			return 0, nil, domain.NewUpstreamError(rq.op.Upstream, rq.op.Name, domain.ErrRejected, "auth",
				errors.New("bearer token refused"))
		}
		return resp.StatusCode, b, nil
	}
}

// doOK is do plus the mapping of non-2xx answers to typed errors.
func (c *Client) doOK(ctx context.Context, rq call) ([]byte, error) {
	status, body, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, statusError(rq.op, status, body)
	}
	return body, nil
}

// statusError maps a non-2xx answer below 500 to the domain's kinds, with the
// platform's machine code as the reason.
func statusError(op upstream.Op, status int, body []byte) error {
	reason := decodeErrorCode(body)
	if reason == "" {
		reason = fmt.Sprintf("HTTP %d", status)
	}
	kind := domain.ErrRejected
	switch {
	case status == http.StatusNotFound:
		kind = domain.ErrNotFound
	case status == http.StatusForbidden:
		reason = "auth"
	case status >= 400 && status < 500:
	default:
		kind = domain.ErrBadUpstreamData
		reason = fmt.Sprintf("unexpected HTTP %d", status)
	}
	return domain.NewUpstreamError(op.Upstream, op.Name, kind, reason, nil)
}

func badData(op upstream.Op, reason string, err error) error {
	return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrBadUpstreamData, reason, err)
}

// Ping checks that the platform answers and that the hub's credentials are
// accepted (a cached, still valid token counts).
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.token(ctx); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath("openapi.json").String(), nil)
	if err != nil {
		return domain.NewUpstreamError(opOpenAPI.Upstream, opOpenAPI.Name, domain.ErrUnavailable, "building request", err)
	}
	resp, err := c.caller.Do(ctx, opOpenAPI, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := upstream.ReadBody(opOpenAPI, resp.Body, maxResponse)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return statusError(opOpenAPI, resp.StatusCode, body)
	}
	return nil
}
