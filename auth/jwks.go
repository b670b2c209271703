package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/vn-epidemic/hub/auth/jwk"
)

// JWKSConfig configures a JWKSClient.
type JWKSConfig struct {
	// URL of the identity provider's JWK Set (http or https).
	URL string
	// HTTPClient makes the requests; nil means a plain client (the
	// deadline comes from FetchTimeout either way).
	HTTPClient *http.Client
	// RefreshInterval is how old the key set may grow before a lookup
	// starts a background refresh. Default 1 h.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetches triggered
	// by lookups (unknown kids, stale sets), so a flood of tokens with
	// made-up kids cannot turn the hub against the provider. Default 30 s.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one fetch. Default 10 s.
	FetchTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// JWKSClient is a KeySource backed by a JWKS URL. It fetches lazily: the
// first lookup loads the set, a lookup that finds the set older than
// RefreshInterval refreshes it in the background, and a lookup of an
// unknown kid refreshes it at once — all at most once per
// MinRefreshInterval, with concurrent callers sharing one fetch. An idle
// hub does not poll. When a fetch fails the last good set stays in force.
type JWKSClient struct {
	url     string
	client  *http.Client
	refresh time.Duration
	minGap  time.Duration
	timeout time.Duration
	now     func() time.Time

	state       atomic.Pointer[keyState]
	lastAttempt atomic.Int64 // unix nanoseconds of the last fetch start; 0 = never
	inflight    atomic.Int32 // fetches running now
	group       singleflight.Group

	mu      sync.Mutex
	lastErr error

	base    context.Context // parent of every fetch; cancelled by Close
	cancel  context.CancelFunc
	bgBusy  atomic.Bool
	bg      sync.WaitGroup
	closing atomic.Bool
}

type keyState struct {
	set     *jwk.Set
	fetched time.Time
}

// NewJWKSClient checks cfg and returns a client. It does not fetch: call
// Refresh at start to fail fast or warm up, or let the first lookup fetch.
func NewJWKSClient(cfg JWKSConfig) (*JWKSClient, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("auth: JWKS URL must be an absolute http(s) URL")
	}
	if cfg.RefreshInterval < 0 || cfg.MinRefreshInterval < 0 || cfg.FetchTimeout < 0 {
		return nil, errors.New("auth: JWKS intervals must not be negative")
	}
	c := &JWKSClient{
		url:     u.String(),
		client:  cfg.HTTPClient,
		refresh: orDefault(cfg.RefreshInterval, time.Hour),
		minGap:  orDefault(cfg.MinRefreshInterval, 30*time.Second),
		timeout: orDefault(cfg.FetchTimeout, 10*time.Second),
		now:     cfg.Now,
	}
	if c.client == nil {
		c.client = &http.Client{}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.minGap > c.refresh {
		return nil, errors.New("auth: JWKS MinRefreshInterval must not exceed RefreshInterval")
	}
	c.base, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Key implements KeySource.
func (c *JWKSClient) Key(ctx context.Context, kid string) (*jwk.Key, error) {
	if st := c.state.Load(); st != nil {
		if k := st.set.Key(kid); k != nil {
			c.maybeRefreshInBackground(st)
			return k, nil
		}
	}
	// Unknown kid (perhaps a new key the provider just rotated in) or no
	// set yet: one rate-limited fetch, shared with concurrent callers.
	if err := c.fetchLimited(ctx); err != nil && !errors.Is(err, errFetchFailed) {
		return nil, &Error{Code: CodeKeySourceUnavailable, cause: err} // the caller's ctx ended
	}
	st := c.state.Load()
	if st == nil {
		return nil, &Error{Code: CodeKeySourceUnavailable, cause: c.LastError()}
	}
	if k := st.set.Key(kid); k != nil {
		return k, nil
	}
	return nil, fail(CodeUnknownKey)
}

// Current implements KeySource. It never blocks; a stale set starts a
// background refresh.
func (c *JWKSClient) Current(kid string) *jwk.Key {
	st := c.state.Load()
	if st == nil {
		return nil
	}
	c.maybeRefreshInBackground(st)
	return st.set.Key(kid)
}

// Refresh fetches the key set now, regardless of the rate limit (for start
// up and operators). On failure the previous set stays in force.
func (c *JWKSClient) Refresh(ctx context.Context) error {
	return c.wait(ctx, c.group.DoChan("explicit", func() (any, error) { return nil, c.fetch() }))
}

// Status reports the number of keys in force, when they were fetched, and
// the error of the last fetch (nil if it succeeded). For readiness checks
// and logs.
func (c *JWKSClient) Status() (keys int, fetched time.Time, lastErr error) {
	if st := c.state.Load(); st != nil {
		keys, fetched = st.set.Len(), st.fetched
	}
	return keys, fetched, c.LastError()
}

// LastError is the error of the last fetch, nil if it succeeded.
func (c *JWKSClient) LastError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// Close stops background refreshes, cancels a fetch in flight and waits
// for them to end. Lookups keep working on the last set; fetches fail.
func (c *JWKSClient) Close() {
	c.closing.Store(true)
	c.cancel()
	c.bg.Wait()
}

// errFetchFailed marks a fetch that ran and failed, as opposed to the
// caller's context ending while it waited.
var errFetchFailed = errors.New("auth: JWKS fetch failed")

// recentAttempt reports whether a fetch started less than MinRefreshInterval ago.
func (c *JWKSClient) recentAttempt(now time.Time) bool {
	last := c.lastAttempt.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) < c.minGap
}

// fetchLimited fetches unless another fetch started within
// MinRefreshInterval; in that case the caller waits for that fetch if it
// is still running, and then uses the set it produced.
func (c *JWKSClient) fetchLimited(ctx context.Context) error {
	// The fast path for a flood of unknown kids: no flight to join, a
	// fetch was made recently, nothing to do. fetch stores lastAttempt
	// after raising inflight and lowers inflight after storing the set, so
	// "recent and not in flight" means the recent fetch's set is visible.
	if c.recentAttempt(c.now()) && c.inflight.Load() == 0 {
		return nil
	}
	return c.wait(ctx, c.group.DoChan("limited", func() (any, error) {
		// Checked again inside the flight: a caller that passed the check
		// above just as another flight ended must not start a second fetch.
		if c.recentAttempt(c.now()) {
			return nil, nil
		}
		return nil, c.fetch()
	}))
}

func (c *JWKSClient) wait(ctx context.Context, ch <-chan singleflight.Result) error {
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *JWKSClient) maybeRefreshInBackground(st *keyState) {
	now := c.now()
	if now.Sub(st.fetched) < c.refresh || c.recentAttempt(now) || c.closing.Load() {
		return
	}
	if !c.bgBusy.CompareAndSwap(false, true) {
		return
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		defer c.bgBusy.Store(false)
		_ = c.fetchLimited(c.base) // the outcome is in Status; the old set stays on failure
	}()
}

// fetch loads the set once. The request runs under the client's own
// context, not the caller's: a shared fetch must not fail for everyone
// because the first caller gave up.
func (c *JWKSClient) fetch() error {
	c.inflight.Add(1)
	defer c.inflight.Add(-1)
	c.lastAttempt.Store(c.now().UnixNano())
	ctx, cancel := context.WithTimeout(c.base, c.timeout)
	defer cancel()
	set, err := c.load(ctx)
	if err != nil {
		err = fmt.Errorf("%w: %w", errFetchFailed, err)
	}
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.state.Store(&keyState{set: set, fetched: c.now()})
	return nil
}

func (c *JWKSClient) load(ctx context.Context) (*jwk.Set, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/jwk-set+json") {
		return nil, errors.New("response is not JSON")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, jwk.MaxSetSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if len(body) > jwk.MaxSetSize {
		return nil, fmt.Errorf("body larger than %d bytes", jwk.MaxSetSize)
	}
	set, err := jwk.ParseSet(body)
	if err != nil {
		return nil, err
	}
	if set.Len() == 0 {
		// Replacing a good set with an empty one would lock everyone out;
		// a provider always has a current signing key.
		return nil, errors.New("no usable signing key in the set")
	}
	return set, nil
}
