package upstream_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

var testOp = upstream.Op{Upstream: domain.UpstreamInsurance, Name: "the.traCuuLo", Idempotent: true}

// roundTripFunc lets a test stand in for the network without a server.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func newRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func asUpstreamError(t *testing.T, err error) *domain.UpstreamError {
	t.Helper()
	var ue *domain.UpstreamError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v (%T) is not a *domain.UpstreamError", err, err)
	}
	if ue.Upstream != testOp.Upstream || ue.Op != testOp.Name {
		t.Fatalf("error names %s/%s, want %s/%s", ue.Upstream, ue.Op, testOp.Upstream, testOp.Name)
	}
	return ue
}

func TestDoStatusMapping(t *testing.T) {
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantKind   error         // nil: the response is handed back
		wantRetry  time.Duration // exact
		retryAbout bool          // RetryAfter only roughly known (HTTP date against the wall clock)
	}{
		{name: "200 passes", status: 200},
		{name: "404 passes", status: 404},
		{name: "401 passes", status: 401},
		{name: "400 passes", status: 400},
		{name: "429 seconds", status: 429, retryAfter: "7", wantKind: domain.ErrRateLimited, wantRetry: 7 * time.Second},
		{name: "429 http date", status: 429, retryAfter: future, wantKind: domain.ErrRateLimited, retryAbout: true},
		{name: "429 without header", status: 429, wantKind: domain.ErrRateLimited},
		{name: "429 garbage header", status: 429, retryAfter: "soon", wantKind: domain.ErrRateLimited},
		{name: "500", status: 500, wantKind: domain.ErrUnavailable},
		{name: "502", status: 502, wantKind: domain.ErrUnavailable},
		{name: "503 with retry", status: 503, retryAfter: "30", wantKind: domain.ErrUnavailable, wantRetry: 30 * time.Second},
		{name: "504", status: 504, wantKind: domain.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, "body-of-"+tt.name)
			}))
			defer srv.Close()
			c := upstream.NewCaller(srv.Client(), 0)
			resp, err := c.Do(context.Background(), testOp, newRequest(t, srv.URL))
			if tt.wantKind == nil {
				if err != nil {
					t.Fatalf("Do: %v, want the response", err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tt.status || string(b) != "body-of-"+tt.name {
					t.Fatalf("got %d %q", resp.StatusCode, b)
				}
				return
			}
			if resp != nil {
				t.Fatalf("got a response with status %d alongside an error", resp.StatusCode)
			}
			ue := asUpstreamError(t, err)
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("kind %v, want %v", ue.Kind, tt.wantKind)
			}
			if strings.Contains(ue.Error(), "body-of") {
				t.Fatalf("error message leaks the body: %v", ue)
			}
			switch {
			case tt.retryAbout:
				if ue.RetryAfter < 58*time.Minute || ue.RetryAfter > time.Hour {
					t.Fatalf("RetryAfter = %v, want about an hour", ue.RetryAfter)
				}
			case ue.RetryAfter != tt.wantRetry:
				t.Fatalf("RetryAfter = %v, want %v", ue.RetryAfter, tt.wantRetry)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{"-5", 0},
		{"1.5", 0},
		{"tomorrow", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Thu, 01 Jan 2026 08:00:10 GMT", 10 * time.Second},
		{"Thursday, 01-Jan-26 08:00:10 GMT", 10 * time.Second}, // RFC 850, still accepted by HTTP/1.1
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},     // already past
	}
	for _, tt := range tests {
		if got := upstream.RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStatusErrorDirect(t *testing.T) {
	for status, want := range map[int]error{
		200: nil, 204: nil, 302: nil, 404: nil, 499: nil,
		429: domain.ErrRateLimited, 500: domain.ErrUnavailable, 503: domain.ErrUnavailable,
		504: domain.ErrTimeout, 599: domain.ErrUnavailable,
	} {
		err := upstream.StatusError(testOp, &http.Response{StatusCode: status, Header: http.Header{}})
		if want == nil {
			if err != nil {
				t.Errorf("%d: %v, want nil", status, err)
			}
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("%d: %v, want %v", status, err, want)
		}
	}
}

func TestTransportErrorIsUnavailable(t *testing.T) {
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection reset by peer")
	})}
	c := upstream.NewCaller(client, 0)
	_, err := c.Do(context.Background(), testOp, newRequest(t, "http://insurance.invalid/x"))
	ue := asUpstreamError(t, err)
	if !errors.Is(err, domain.ErrUnavailable) || ue.Reason != "connection failed" {
		t.Fatalf("got %v (reason %q), want unavailable/connection failed", err, ue.Reason)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nobody listens there any more
	_, err := upstream.NewCaller(nil, 0).Do(context.Background(), testOp, newRequest(t, url))
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestTransportErrorClassification(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"deadline", context.DeadlineExceeded, domain.ErrTimeout},
		{"net timeout", &net.OpError{Op: "dial", Err: timeoutErr{}}, domain.ErrTimeout},
		{"cancelled", context.Canceled, domain.ErrUnavailable},
		{"other", errors.New("tls: bad certificate"), domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := upstream.TransportError(context.Background(), testOp, tt.err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Fatal("the cause must stay reachable with errors.Is")
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// blockingClient's transport waits until the request's context ends, like a
// server that never answers, and records the deadline it was given.
type blockingClient struct {
	mu       sync.Mutex
	deadline time.Time
	hasDL    bool
}

func (b *blockingClient) client() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b.mu.Lock()
		b.deadline, b.hasDL = r.Context().Deadline()
		b.mu.Unlock()
		<-r.Context().Done()
		return nil, r.Context().Err()
	})}
}

func TestCallerContextDeadlineIsTimeout(t *testing.T) {
	b := &blockingClient{}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := upstream.NewCaller(b.client(), 0).Do(ctx, testOp, newRequest(t, "http://insurance.invalid/x"))
	if !errors.Is(err, domain.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
}

func TestCallerContextCancelIsUnavailable(t *testing.T) {
	b := &blockingClient{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := upstream.NewCaller(b.client(), 0).Do(ctx, testOp, newRequest(t, "http://insurance.invalid/x"))
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestPerCallTimeout(t *testing.T) {
	b := &blockingClient{}
	c := upstream.NewCaller(b.client(), 20*time.Millisecond)
	start := time.Now()
	_, err := c.Do(context.Background(), testOp, newRequest(t, "http://insurance.invalid/x"))
	if !errors.Is(err, domain.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout from the caller's own timeout", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.hasDL || b.deadline.Before(start) || b.deadline.After(start.Add(20*time.Millisecond+time.Second)) {
		t.Fatalf("request deadline %v (set %v), want about start+20ms", b.deadline, b.hasDL)
	}
}

func TestPerCallTimeoutKeepsEarlierContextDeadline(t *testing.T) {
	b := &blockingClient{}
	c := upstream.NewCaller(b.client(), time.Hour)
	dl := time.Now().Add(-time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), dl)
	defer cancel()
	if _, err := c.Do(ctx, testOp, newRequest(t, "http://insurance.invalid/x")); !errors.Is(err, domain.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
}

func TestBodyReadableAfterDoWithTimeoutUntilClose(t *testing.T) {
	var reqCtx context.Context
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		reqCtx = r.Context()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("payload")), Request: r}, nil
	})}
	c := upstream.NewCaller(client, time.Minute)
	resp, err := c.Do(context.Background(), testOp, newRequest(t, "http://insurance.invalid/x"))
	if err != nil {
		t.Fatal(err)
	}
	if reqCtx.Err() != nil {
		t.Fatal("the call's context ended before the body was read")
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "payload" {
		t.Fatalf("body %q, %v", b, err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if reqCtx.Err() == nil {
		t.Fatal("closing the body must release the call's timeout")
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	record := func(s string) {
		mu.Lock()
		trace = append(trace, s)
		mu.Unlock()
	}
	mw := func(name string) upstream.Middleware {
		return func(next upstream.RoundTrip) upstream.RoundTrip {
			return func(ctx context.Context, op upstream.Op, req *http.Request) (*http.Response, error) {
				record(name + ">" + op.Name)
				resp, err := next(ctx, op, req)
				record("<" + name)
				return resp, err
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		record("server")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := upstream.NewCaller(srv.Client(), time.Minute, mw("metrics"), mw("breaker"), mw("retry"))
	_, err := c.Do(context.Background(), testOp, newRequest(t, srv.URL))
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
	want := []string{"metrics>the.traCuuLo", "breaker>the.traCuuLo", "retry>the.traCuuLo", "server", "<retry", "<breaker", "<metrics"}
	if !slices.Equal(trace, want) {
		t.Fatalf("trace %v, want %v (first middleware outermost; typed errors visible to all)", trace, want)
	}
}

func TestMiddlewareSeesTypedErrors(t *testing.T) {
	var seen error
	mw := func(next upstream.RoundTrip) upstream.RoundTrip {
		return func(ctx context.Context, op upstream.Op, req *http.Request) (*http.Response, error) {
			resp, err := next(ctx, op, req)
			seen = err
			return resp, err
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, _ = upstream.NewCaller(srv.Client(), 0, mw).Do(context.Background(), testOp, newRequest(t, srv.URL))
	if !errors.Is(seen, domain.ErrRateLimited) {
		t.Fatalf("middleware saw %v, want ErrRateLimited (a retry middleware must be able to branch on it)", seen)
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name     string
		body     io.Reader
		limit    int64
		want     string
		wantKind error
	}{
		{"under", strings.NewReader("abc"), 10, "abc", nil},
		{"exactly", strings.NewReader("0123456789"), 10, "0123456789", nil},
		{"empty", strings.NewReader(""), 10, "", nil},
		{"over by one", strings.NewReader("0123456789X"), 10, "", domain.ErrBadUpstreamData},
		{"far over", strings.NewReader(strings.Repeat("x", 1<<20)), 1024, "", domain.ErrBadUpstreamData},
		{"read error", io.MultiReader(strings.NewReader("ab"), errReader{}), 10, "", domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := upstream.ReadBody(testOp, tt.body, tt.limit)
			if tt.wantKind != nil {
				if !errors.Is(err, tt.wantKind) {
					t.Fatalf("got %v, want %v", err, tt.wantKind)
				}
				asUpstreamError(t, err)
				return
			}
			if err != nil || string(b) != tt.want {
				t.Fatalf("got %q, %v; want %q", b, err, tt.want)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDoRawReturnsEveryStatus(t *testing.T) {
	const fault = `<soap:Envelope><soap:Body><soap:Fault><faultcode>soap:Server</faultcode></soap:Fault></soap:Body></soap:Envelope>`
	for _, status := range []int{200, 429, 500, 503, 504} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, fault)
		}))
		resp, err := upstream.NewCaller(srv.Client(), time.Minute).DoRaw(context.Background(), testOp, newRequest(t, srv.URL))
		if err != nil {
			srv.Close()
			t.Fatalf("%d: DoRaw error %v, want the response", status, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != status || string(b) != fault {
			t.Fatalf("%d: got %d %q", status, resp.StatusCode, b)
		}
	}
}

func TestDoRawTransportErrorStillTyped(t *testing.T) {
	b := &blockingClient{}
	_, err := upstream.NewCaller(b.client(), 10*time.Millisecond).DoRaw(context.Background(), testOp, newRequest(t, "http://insurance.invalid/x"))
	if !errors.Is(err, domain.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
}

func TestDoDoesNotLeakRawMode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := upstream.NewCaller(srv.Client(), 0)
	if resp, err := c.DoRaw(context.Background(), testOp, newRequest(t, srv.URL)); err == nil {
		resp.Body.Close()
	}
	if _, err := c.Do(context.Background(), testOp, newRequest(t, srv.URL)); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Do after DoRaw: %v, want ErrUnavailable", err)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://api.bhxh.example.gov.vn", "https://api.bhxh.example.gov.vn", true},
		{"http://127.0.0.1:9101/dancu//", "http://127.0.0.1:9101/dancu", true},
		{"https://x.example/api?x=1#f", "https://x.example/api", true},
		{"ftp://x.example", "", false},
		{"/relative/path", "", false},
		{"https://", "", false},
		{"::not a url", "", false},
	}
	for _, tt := range tests {
		u, err := upstream.BaseURL(tt.in)
		if (err == nil) != tt.ok || (tt.ok && u.String() != tt.want) {
			t.Errorf("BaseURL(%q) = %v, %v; want %q ok=%v", tt.in, u, err, tt.want, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), tt.in) {
			t.Errorf("error %q quotes the URL", err)
		}
	}
}

func TestRandomIDIsHexAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := upstream.RandomID()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}
