package vaccination

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

// PersonKey names one person for the batch reads: the 12-digit ID plus the
// old CMND the platform may hold a record under.
type PersonKey = domain.PersonKey

// Platform batch limits.
const (
	maxBatch      = 100
	maxAltIDs     = 5
	batchParallel = 4 // chunks of one batch in flight at once
)

// Records returns the vaccination records of the people, aligned with keys.
func (c *Client) Records(ctx context.Context, keys []PersonKey) ([]domain.VaccinationRecord, []error) {
	out := make([]domain.VaccinationRecord, len(keys))
	errs := c.batch(ctx, opRecords, "/api/v1/vaccinations:batchGet", keys, func(k int, raw []byte) error {
		v, err := decodeVaccinationResult(raw)
		out[k] = v
		return err
	})
	return out, errs
}

// Certificates returns the people's certificate status, aligned with keys.
func (c *Client) Certificates(ctx context.Context, keys []PersonKey) ([]domain.Certificate, []error) {
	out := make([]domain.Certificate, len(keys))
	errs := c.batch(ctx, opCertificates, "/api/v1/certificates:batchGet", keys, func(k int, raw []byte) error {
		v, err := decodeCertificateResult(raw)
		out[k] = v
		return err
	})
	return out, errs
}

// Reconciliations returns the people's reconciliation state, aligned with keys.
func (c *Client) Reconciliations(ctx context.Context, keys []PersonKey) ([]domain.Reconciliation, []error) {
	out := make([]domain.Reconciliation, len(keys))
	errs := c.batch(ctx, opRecons, "/api/v1/reconciliation:batchGet", keys, func(k int, raw []byte) error {
		v, err := decodeReconciliationResult(raw)
		out[k] = v
		return err
	})
	return out, errs
}

// uniqueKey is one distinct key and the input positions asking for it.
type uniqueKey struct {
	ref       wirePersonRef
	positions []int
}

// normaliseKey trims and checks a key; alternates equal to the ID or to
// each other are dropped.
func normaliseKey(k PersonKey) (wirePersonRef, error) {
	id := strings.TrimSpace(k.ID)
	if !validID(id) {
		return wirePersonRef{}, &domain.InputError{Field: "id", Reason: "must be a 12-digit ID, 9-digit CMND or passport number"}
	}
	ref := wirePersonRef{PersonID: id}
	for _, a := range k.AltIDs {
		a = strings.TrimSpace(a)
		if a == "" || a == id || contains(ref.AlternateIDs, a) {
			continue
		}
		if !validID(a) {
			return wirePersonRef{}, &domain.InputError{Field: "altIds", Reason: "must be 12-digit IDs, 9-digit CMNDs or passport numbers"}
		}
		ref.AlternateIDs = append(ref.AlternateIDs, a)
	}
	if len(ref.AlternateIDs) > maxAltIDs {
		return wirePersonRef{}, &domain.InputError{Field: "altIds", Reason: "at most 5 alternate IDs"}
	}
	return ref, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// batch sends the distinct valid keys in chunks of at most 100 people, one
// call per chunk, and hands each found result to deliver with the input
// position(s) it answers. It returns the errors aligned with keys.
func (c *Client) batch(ctx context.Context, op upstream.Op, path string, keys []PersonKey, deliver func(k int, raw []byte) error) []error {
	errs := make([]error, len(keys))
	var uniq []*uniqueKey
	index := map[string]*uniqueKey{}
	for k, key := range keys {
		ref, err := normaliseKey(key)
		if err != nil {
			errs[k] = err
			continue
		}
		sig := ref.PersonID + "\x00" + strings.Join(ref.AlternateIDs, "\x00")
		u, ok := index[sig]
		if !ok {
			u = &uniqueKey{ref: ref}
			index[sig] = u
			uniq = append(uniq, u)
		}
		u.positions = append(u.positions, k)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, batchParallel)
	for start := 0; start < len(uniq); start += maxBatch {
		chunk := uniq[start:min(start+maxBatch, len(uniq))]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.batchChunk(ctx, op, path, chunk, errs, deliver)
		}()
	}
	wg.Wait()
	return errs
}

// batchChunk makes one call. Each goroutine writes only its own chunk's
// positions, so errs and the results need no lock.
func (c *Client) batchChunk(ctx context.Context, op upstream.Op, path string, chunk []*uniqueKey, errs []error, deliver func(int, []byte) error) {
	fail := func(err error) {
		for _, u := range chunk {
			for _, k := range u.positions {
				errs[k] = err
			}
		}
	}
	req := wireBatchRequest{People: make([]wirePersonRef, len(chunk))}
	for j, u := range chunk {
		req.People[j] = u.ref
	}
	body, err := json.Marshal(req)
	if err != nil {
		fail(badData(op, "encoding request", err))
		return
	}
	resp, err := c.doOK(ctx, call{op: op, method: http.MethodPost, path: path, body: body, limit: maxBatchResponse})
	if err != nil {
		fail(err)
		return
	}
	elems, err := decodeBatch(resp)
	if err != nil {
		fail(badData(op, "batch response", err))
		return
	}
	if len(elems) != len(chunk) {
		fail(badData(op, "batch response has the wrong number of results", nil))
		return
	}
	for j, u := range chunk {
		e := elems[j]
		var elemErr error
		switch {
		case e.err != nil:
			elemErr = badData(op, "batch result", e.err)
		case e.requestedID != u.ref.PersonID:
			elemErr = badData(op, "batch result out of order", nil)
		case !e.found:
			elemErr = domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrNotFound, "NOT_FOUND", nil)
		}
		for _, k := range u.positions {
			if elemErr != nil {
				errs[k] = elemErr
				continue
			}
			if err := deliver(k, e.raw); err != nil {
				errs[k] = badData(op, "batch result", err)
			}
		}
	}
}
