// Package checkpoint is the hub's client for the police health-declaration and
// movement-tracking system (suckhoe.dancuquocgia.gov.vn): it submits and
// searches health declarations, records and searches checkpoint passages, lists
// arrivals into a province or commune and reads epidemic zones, translating the
// system's REST/JSON wire format (snake_case, ISO/IEC 5218 sex codes, zone
// levels 1–4, its own error shape) into package domain. It knows nothing of
// GraphQL, and every call goes through adapters/upstream.
package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

// Limits of the upstream the client respects.
const (
	// MaxBatch is the system's limit of IDs per :search call.
	MaxBatch = 100
	// DefaultPageSize is used when a PageRequest has no Limit; MaxPageSize caps it.
	DefaultPageSize = 100
	MaxPageSize     = 500
	// MaxArrivalWindow is the widest From..To the system answers.
	MaxArrivalWindow = 31 * 24 * time.Hour

	maxResponseBytes = 16 << 20
	maxCursorBytes   = 1024
	// searchConcurrency bounds the chunks of one batch in flight at once.
	searchConcurrency = 4
)

// Operation names, as the upstream caller sees them.
var (
	opSubmit      = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "declarations.submit", Idempotent: false}
	opDeclSearch  = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "declarations.search", Idempotent: true}
	opRecord      = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "passages.record", Idempotent: false}
	opPassSearch  = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "passages.search", Idempotent: true}
	opArrivals    = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "arrivals.list", Idempotent: true}
	opZones       = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "zones.list", Idempotent: true}
	opPing        = upstream.Op{Upstream: domain.UpstreamCheckpoint, Name: "ping", Idempotent: true}
	ict           = time.FixedZone("ICT", 7*3600)
	errNoUpstream = errors.New("checkpoint adapter: caller is required")
)

// Config locates the system and carries its API key.
type Config struct {
	BaseURL string
	APIKey  string
}

// Client talks to the checkpoint system. Safe for concurrent use.
type Client struct {
	base   *url.URL
	apiKey string
	caller *upstream.Caller
	newID  func() string
}

// New returns a client for cfg, sending every call through caller.
func New(cfg Config, caller *upstream.Caller) (*Client, error) {
	if caller == nil {
		return nil, errNoUpstream
	}
	u, err := upstream.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("checkpoint adapter: BaseURL: %w", err)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("checkpoint adapter: APIKey is required")
	}
	return &Client{base: u, apiKey: cfg.APIKey, caller: caller, newID: upstream.RandomID}, nil
}

// call is one HTTP exchange's outcome for a status below 500 other than 429.
type call struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request and reads its answer; 429, 5xx and transport failures
// come back typed from the upstream caller.
func (c *Client) do(ctx context.Context, op upstream.Op, method, path string, query url.Values, body []byte, idemKey string) (call, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return call{}, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrUnavailable, "building request", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Api-Key", c.apiKey)
	req.Header.Set("X-Request-Id", "hub-"+c.newID())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return call{}, err
	}
	defer resp.Body.Close()
	b, err := upstream.ReadBody(op, resp.Body, maxResponseBytes)
	if err != nil {
		return call{}, err
	}
	return call{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// expect returns nil when the answer has the wanted status, else the typed
// error the system's answer means.
func expect(op upstream.Op, res call, want ...int) error {
	for _, w := range want {
		if res.status == w {
			return nil
		}
	}
	return statusError(op, res)
}

// statusError maps a non-success answer below 500 to a typed error. The
// reason carries the system's error code and, for validation failures, the
// names of the failing fields, never their values.
func statusError(op upstream.Op, res call) error {
	ae, _ := decodeError(res.body)
	code := ae.Code
	if !validErrorCode(code) { // the reason carries nothing unchecked from the upstream
		code = fmt.Sprintf("HTTP %d", res.status)
	}
	reason := code
	if fields := fieldNames(ae.Errors); fields != "" {
		reason += " fields: " + fields
	}
	kind := domain.ErrRejected
	switch {
	case res.status == http.StatusNotFound:
		kind = domain.ErrNotFound
	case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
		reason = code + " credentials refused"
	case res.status >= 200 && res.status < 400:
		kind = domain.ErrBadUpstreamData
		reason = fmt.Sprintf("unexpected HTTP %d", res.status)
	}
	return domain.NewUpstreamError(op.Upstream, op.Name, kind, reason, nil)
}

// validErrorCode accepts the system's codes: E and three digits.
func validErrorCode(s string) bool {
	return len(s) == 4 && s[0] == 'E' && allDigits(s[1:])
}

// fieldNames lists the failing fields, sanitised: the upstream's field paths
// are names, but nothing of its text is passed on unchecked.
func fieldNames(fes []fieldErrorJSON) string {
	var names []string
	seen := map[string]bool{}
	for _, fe := range fes {
		f := safeFieldName(fe.Field)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		names = append(names, f)
		if len(names) == 10 {
			names = append(names, "...")
			break
		}
	}
	return strings.Join(names, ",")
}

func safeFieldName(s string) string {
	if len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '[', c == ']':
		default:
			return ""
		}
	}
	return s
}

func formatTime(t time.Time) string { return t.In(ict).Format(time.RFC3339) }

// Ping checks that the system answers an authenticated call: the zones of
// Hà Nội (province 01), the cheapest authenticated read it offers.
func (c *Client) Ping(ctx context.Context) error {
	res, err := c.do(ctx, opPing, http.MethodGet, "/api/v1/epidemic-zones", url.Values{"admin_unit": {"01"}}, nil, "")
	if err != nil {
		return err
	}
	if err := expect(opPing, res, http.StatusOK); err != nil {
		return err
	}
	if _, err := decodeZones(res.body); err != nil {
		return domain.NewUpstreamError(opPing.Upstream, opPing.Name, domain.ErrBadUpstreamData, err.Error(), nil)
	}
	return nil
}
