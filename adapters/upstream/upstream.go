// Package upstream is the one path every adapter's HTTP call takes to a
// ministry system: it applies the per-call deadline, runs the call through
// the configured middleware chain (where resilience, caching and metrics
// attach) and turns transport failures and HTTP status classes into the
// typed errors of package domain. It knows no ministry's wire format.
package upstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

// Op identifies one upstream operation, for deadlines, middleware and errors.
type Op struct {
	Upstream   string // domain.UpstreamPopulation, ...
	Name       string // operation name, e.g. "TraCuuThongTinCongDan" or "doses.batchGet"
	Idempotent bool   // safe to retry (reads); writes are never retried
}

// RoundTrip sends one request for op and returns the raw response.
type RoundTrip func(ctx context.Context, op Op, req *http.Request) (*http.Response, error)

// Middleware wraps a RoundTrip: resilience, caching, metrics and tracing are
// middlewares installed by the gateway, in order, outermost first.
type Middleware func(next RoundTrip) RoundTrip

// Caller performs upstream calls. Adapters hold one; the gateway builds it.
type Caller struct {
	client  *http.Client
	timeout time.Duration
	chain   RoundTrip
}

// NewCaller returns a Caller sending requests with client, each call bounded
// by timeout (0 means only the caller's context bounds it), through mws.
func NewCaller(client *http.Client, timeout time.Duration, mws ...Middleware) *Caller {
	if client == nil {
		client = &http.Client{}
	}
	c := &Caller{client: client, timeout: timeout}
	rt := c.send
	for i := len(mws) - 1; i >= 0; i-- {
		rt = mws[i](rt)
	}
	c.chain = rt
	return c
}

// Do sends req for op. A response is returned only for status codes below
// 500 other than 429 (the adapter decodes those, including 4xx bodies in the
// system's own error format); 429, 5xx and transport failures come back as a
// *domain.UpstreamError. The caller must close the returned body.
func (c *Caller) Do(ctx context.Context, op Op, req *http.Request) (*http.Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		resp, err := c.chain(ctx, op, req.WithContext(ctx))
		if err != nil {
			cancel()
			return nil, err
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	return c.chain(ctx, op, req.WithContext(ctx))
}

// DoRaw is like Do but hands every HTTP response, whatever its status, back to
// the adapter: for systems such as SOAP services that answer faults with 500
// and a body the adapter must read. Transport failures are still typed.
func (c *Caller) DoRaw(ctx context.Context, op Op, req *http.Request) (*http.Response, error) {
	return c.Do(context.WithValue(ctx, rawKey{}, true), op, req)
}

type rawKey struct{}

func (c *Caller) send(ctx context.Context, op Op, req *http.Request) (*http.Response, error) {
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, TransportError(ctx, op, err)
	}
	if raw, _ := ctx.Value(rawKey{}).(bool); raw {
		return resp, nil
	}
	if err := StatusError(op, resp); err != nil {
		drain(resp.Body)
		return nil, err
	}
	return resp, nil
}

// TransportError classifies a failure to get any HTTP answer.
func TransportError(ctx context.Context, op Op, err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrTimeout, "deadline exceeded", err)
	case errors.Is(err, context.Canceled):
		return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrUnavailable, "request cancelled", err)
	}
	return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrUnavailable, "connection failed", err)
}

// StatusError returns the typed error for a 429 or 5xx answer, nil otherwise.
func StatusError(op Op, resp *http.Response) error {
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e := domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrRateLimited, "HTTP 429", nil)
		e.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return e
	case resp.StatusCode == http.StatusGatewayTimeout:
		return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrTimeout, "HTTP 504", nil)
	case resp.StatusCode >= 500:
		e := domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrUnavailable, "HTTP "+strconv.Itoa(resp.StatusCode), nil)
		e.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return e
	}
	return nil
}

// RetryAfter parses a Retry-After header (seconds or HTTP date); 0 if absent or bad.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// ReadBody reads at most limit bytes of a response body; a larger body is bad
// upstream data, not something to buffer without bound.
func ReadBody(op Op, body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrUnavailable, "reading body", err)
	}
	if int64(len(b)) > limit {
		return nil, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrBadUpstreamData,
			fmt.Sprintf("body over %d bytes", limit), nil)
	}
	return b, nil
}

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// BaseURL checks an upstream's configured base URL: absolute http(s) with a
// host, trailing slashes, query and fragment dropped. Its error names no URL
// (configs may carry credentials in them by mistake).
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("want an absolute http(s) URL")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// RandomID is 128 random bits in hex: request IDs and idempotency keys.
// crypto/rand.Read does not fail (since Go 1.24 it aborts the program instead).
func RandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
