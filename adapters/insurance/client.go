// Package insurance is the hub's client for Vietnam Social Security's health
// insurance card lookup: it batches citizen IDs into the system's tra-cuu-lo
// calls, reads the {"maKetQua","thongDiep","duLieu"} envelope and its result
// codes, and turns the Vietnamese-named card fields into domain.InsuranceCard,
// tidying the untidy records the system holds. It knows nothing of GraphQL.
package insurance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

// MaxBatch is the most IDs VSS's batch lookup accepts in one request.
const MaxBatch = 100

// maxConcurrentChunks bounds parallel tra-cuu-lo calls for one Cards call.
const maxConcurrentChunks = 4

// Body limits: a full batch of 100 cards is about 50 KiB.
const (
	maxLookupBody = 2 << 20
	maxHealthBody = 64 << 10
)

const (
	pathLookup   = "/api/bhyt/v1/the/tra-cuu-lo"
	pathHealth   = "/api/bhyt/v1/health"
	apiKeyHeader = "X-API-KEY"
)

var (
	opLookup = upstream.Op{Upstream: domain.UpstreamInsurance, Name: "the.traCuuLo", Idempotent: true}
	opHealth = upstream.Op{Upstream: domain.UpstreamInsurance, Name: "health", Idempotent: true}
)

// Config locates the system and holds the hub's API key.
type Config struct {
	BaseURL string
	APIKey  string
}

// Client calls the VSS card lookup. Safe for concurrent use.
type Client struct {
	lookupURL string
	healthURL string
	apiKey    string
	caller    *upstream.Caller
}

// New checks cfg and returns a client sending through caller.
func New(cfg Config, caller *upstream.Caller) (*Client, error) {
	if caller == nil {
		return nil, errors.New("insurance adapter: caller is required")
	}
	u, err := upstream.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("insurance adapter: BaseURL: %w", err)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("insurance adapter: APIKey is required")
	}
	base := u.String()
	return &Client{
		lookupURL: base + pathLookup,
		healthURL: base + pathHealth,
		apiKey:    cfg.APIKey,
		caller:    caller,
	}, nil
}

// Cards looks up the insurance card of each 12-digit personal ID. Results are
// aligned with ids; an ID without a card gets an error wrapping
// domain.ErrNotFound, a malformed ID a *domain.InputError, and a failed call
// the same error for every ID it carried. Duplicate IDs are asked for once.
func (c *Client) Cards(ctx context.Context, ids []string) ([]domain.InsuranceCard, []error) {
	cards := make([]domain.InsuranceCard, len(ids))
	errs := make([]error, len(ids))

	positions := make(map[string][]int, len(ids))
	unique := make([]string, 0, len(ids))
	for i, id := range ids {
		if domain.ClassifyID(id) != domain.IDPersonal {
			errs[i] = &domain.InputError{Field: "id", Reason: "must be a 12-digit personal ID"}
			continue
		}
		if _, seen := positions[id]; !seen {
			unique = append(unique, id)
		}
		positions[id] = append(positions[id], i)
	}

	var chunks [][]string
	for start := 0; start < len(unique); start += MaxBatch {
		chunks = append(chunks, unique[start:min(start+MaxBatch, len(unique))])
	}
	// Each chunk writes only its own IDs' positions, so the goroutines never
	// touch the same element.
	sem := make(chan struct{}, maxConcurrentChunks)
	var wg sync.WaitGroup
	for _, chunk := range chunks {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				failAll(chunk, positions, errs, upstream.TransportError(ctx, opLookup, ctx.Err()))
				return
			}
			got, gotErrs, err := c.lookupChunk(ctx, chunk)
			if err != nil {
				failAll(chunk, positions, errs, err)
				return
			}
			for k, id := range chunk {
				for _, pos := range positions[id] {
					cards[pos], errs[pos] = got[k], gotErrs[k]
				}
			}
		})
	}
	wg.Wait()
	return cards, errs
}

func failAll(chunk []string, positions map[string][]int, errs []error, err error) {
	for _, id := range chunk {
		for _, pos := range positions[id] {
			errs[pos] = err
		}
	}
}

type lookupRequest struct {
	MaYeuCau     string   `json:"maYeuCau"`
	DsSoDinhDanh []string `json:"dsSoDinhDanh"`
}

// lookupChunk makes one tra-cuu-lo call for at most MaxBatch distinct IDs.
func (c *Client) lookupChunk(ctx context.Context, ids []string) ([]domain.InsuranceCard, []error, error) {
	// 96 random bits, the length of VSS request IDs.
	body, err := json.Marshal(lookupRequest{MaYeuCau: "hub-" + upstream.RandomID()[:24], DsSoDinhDanh: ids})
	if err != nil {
		return nil, nil, domain.NewUpstreamError(opLookup.Upstream, opLookup.Name, domain.ErrRejected, "encoding request", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.lookupURL, bytes.NewReader(body))
	if err != nil {
		return nil, nil, domain.NewUpstreamError(opLookup.Upstream, opLookup.Name, domain.ErrRejected, "building request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(apiKeyHeader, c.apiKey)
	raw, status, err := c.send(ctx, opLookup, req, maxLookupBody)
	if err != nil {
		return nil, nil, err
	}
	return decodeCards(opLookup, status, raw, ids)
}

// Ping checks that the system answers and accepts the hub's API key.
func (c *Client) Ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.healthURL, nil)
	if err != nil {
		return domain.NewUpstreamError(opHealth.Upstream, opHealth.Name, domain.ErrRejected, "building request", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(apiKeyHeader, c.apiKey)
	raw, status, err := c.send(ctx, opHealth, req, maxHealthBody)
	if err != nil {
		return err
	}
	env, err := decodeEnvelope(opHealth, status, raw)
	if err != nil {
		return err
	}
	var data struct {
		TrangThai string `json:"trangThai"`
	}
	if err := json.Unmarshal(env.DuLieu, &data); err != nil || data.TrangThai != "HOAT_DONG" {
		return badData(opHealth, "health status not HOAT_DONG", err)
	}
	return nil
}

// send performs the call and reads the (bounded) body of any answer below
// 500; 429, 5xx and transport failures are typed by the caller.
func (c *Client) send(ctx context.Context, op upstream.Op, req *http.Request, limit int64) ([]byte, int, error) {
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := upstream.ReadBody(op, resp.Body, limit)
	if err != nil {
		return nil, 0, err
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		// A page from a proxy or portal in front of the system: a 4xx still
		// says the request was refused (wrong path, login wall); anything else
		// is not an answer at all.
		if resp.StatusCode >= 400 {
			return nil, 0, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrRejected, fmt.Sprintf("HTTP %d", resp.StatusCode), nil)
		}
		return nil, 0, badData(op, fmt.Sprintf("HTTP %d with non-JSON content", resp.StatusCode), nil)
	}
	return raw, resp.StatusCode, nil
}
