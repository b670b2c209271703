package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

func inputErr(field, reason string) error { return &domain.InputError{Field: field, Reason: reason} }

// badData wraps a decoding problem as the one error type adapters return.
func badData(op upstream.Op, err error) error {
	var de *dataError
	if errors.As(err, &de) {
		return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrBadUpstreamData, de.Error(), nil)
	}
	return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrBadUpstreamData, "undecodable answer", nil)
}

// personID trims an ID from a hub client and upper-cases passports (ICAO
// document numbers are upper case); it reports what kind of ID it is.
func personID(s string) (string, domain.IDKind) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, domain.ClassifyID(s)
}

// nationality defaults to VN for citizens' documents, as the form does.
func nationality(n string, kind domain.IDKind) (string, error) {
	n = strings.ToUpper(strings.TrimSpace(n))
	if n == "" && (kind == domain.IDPersonal || kind == domain.IDOld) {
		return "VN", nil
	}
	if len(n) != 2 || n[0] < 'A' || n[0] > 'Z' || n[1] < 'A' || n[1] > 'Z' {
		return "", inputErr("nationality", "want an ISO 3166-1 alpha-2 code")
	}
	return n, nil
}

func commune(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || !allDigits(s) {
		return "", inputErr(field, "want a 5-digit commune code")
	}
	return s, nil
}

func sexWire(s domain.Sex) (int, error) {
	switch s {
	case domain.SexMale:
		return 1, nil
	case domain.SexFemale:
		return 2, nil
	}
	return 0, inputErr("sex", "want MALE or FEMALE")
}

// SubmitDeclaration files a unified health declaration. It is a write: sent
// once with a fresh Idempotency-Key and never retried by the caller.
func (c *Client) SubmitDeclaration(ctx context.Context, in domain.DeclarationInput) (domain.HealthDeclaration, error) {
	req, err := declarationWire(in)
	if err != nil {
		return domain.HealthDeclaration{}, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return domain.HealthDeclaration{}, inputErr("declaration", "cannot be encoded")
	}
	res, err := c.do(ctx, opSubmit, http.MethodPost, "/api/v1/health-declarations", nil, body, c.newID())
	if err != nil {
		return domain.HealthDeclaration{}, err
	}
	if err := expect(opSubmit, res, http.StatusCreated, http.StatusOK); err != nil {
		return domain.HealthDeclaration{}, err
	}
	d, err := decodeDeclaration(res.body)
	if err != nil {
		return domain.HealthDeclaration{}, badData(opSubmit, err)
	}
	return d, nil
}

func declarationWire(in domain.DeclarationInput) (declarationRequest, error) {
	var r declarationRequest
	switch in.Kind {
	case domain.DeclarationEntry, domain.DeclarationDomestic, domain.DeclarationGeneral:
		r.DeclarationType = string(in.Kind)
	default:
		return r, inputErr("kind", "want ENTRY, DOMESTIC_TRAVEL or GENERAL")
	}
	id, kind := personID(in.PersonID)
	if kind == domain.IDUnknown {
		return r, inputErr("personId", "want a 12-digit ID, a 9-digit ID card number or a passport number")
	}
	r.IDType, r.IDNumber = idTypeNames[kind], id
	if r.FullName = vntext.Normalize(in.FullName); r.FullName == "" {
		return r, inputErr("fullName", "required")
	}
	if in.BirthYear < 1900 || in.BirthYear > 9999 {
		return r, inputErr("birthYear", "want a four-digit year from 1900")
	}
	r.BirthYear = in.BirthYear
	var err error
	if r.Sex, err = sexWire(in.Sex); err != nil {
		return r, err
	}
	if r.Nationality, err = nationality(in.Nationality, kind); err != nil {
		return r, err
	}
	if r.Phone = strings.TrimSpace(in.Phone); r.Phone == "" {
		return r, inputErr("phone", "required")
	}
	if r.Contact.CommuneCode, err = commune("communeCode", in.CommuneCode); err != nil {
		return r, err
	}
	if r.Contact.Address = vntext.Normalize(in.Address); r.Contact.Address == "" {
		return r, inputErr("address", "required")
	}
	r.Transport = vntext.Normalize(in.Transport)
	// The form lists each symptom and exposure once; the hub treats them as sets.
	r.Symptoms = []string{}
	for _, s := range in.Symptoms {
		code, ok := symptomCodes[s]
		if !ok {
			return r, inputErr("symptoms", "unknown symptom")
		}
		if !slices.Contains(r.Symptoms, code) {
			r.Symptoms = append(r.Symptoms, code)
		}
	}
	r.Exposures = []string{}
	for _, e := range in.Exposures {
		code, ok := exposureCodes[e]
		if !ok {
			return r, inputErr("exposures", "unknown exposure")
		}
		if !slices.Contains(r.Exposures, code) {
			r.Exposures = append(r.Exposures, code)
		}
	}
	return r, nil
}

// RecordPassage records a passage through a checkpoint. A write: sent once
// with a fresh Idempotency-Key, never retried.
func (c *Client) RecordPassage(ctx context.Context, in domain.PassageInput) (domain.Passage, error) {
	req, err := passageWire(in)
	if err != nil {
		return domain.Passage{}, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return domain.Passage{}, inputErr("passage", "cannot be encoded")
	}
	res, err := c.do(ctx, opRecord, http.MethodPost, "/api/v1/checkpoint-passages", nil, body, c.newID())
	if err != nil {
		return domain.Passage{}, err
	}
	if err := expect(opRecord, res, http.StatusCreated, http.StatusOK); err != nil {
		return domain.Passage{}, err
	}
	p, err := decodePassage(res.body)
	if err != nil {
		return domain.Passage{}, badData(opRecord, err)
	}
	return p, nil
}

func passageWire(in domain.PassageInput) (passageRequest, error) {
	var r passageRequest
	id, kind := personID(in.PersonID)
	if kind == domain.IDUnknown {
		return r, inputErr("personId", "want a 12-digit ID, a 9-digit ID card number or a passport number")
	}
	r.IDType, r.IDNumber = idTypeNames[kind], id
	if r.FullName = vntext.Normalize(in.FullName); r.FullName == "" {
		return r, inputErr("fullName", "required")
	}
	var err error
	if r.Nationality, err = nationality(in.Nationality, kind); err != nil {
		return r, err
	}
	if r.CheckpointCode = strings.TrimSpace(in.CheckpointCode); r.CheckpointCode == "" || len(r.CheckpointCode) > 32 {
		return r, inputErr("checkpointCode", "required, at most 32 characters")
	}
	if in.Time.IsZero() {
		return r, inputErr("time", "required")
	}
	r.PassedAt = formatTime(in.Time)
	switch in.Direction {
	case domain.DirectionIn, domain.DirectionOut:
		r.Direction = string(in.Direction)
	default:
		return r, inputErr("direction", "want IN or OUT")
	}
	if r.OriginCommuneCode, err = commune("originCommune", in.OriginCommune); err != nil {
		return r, err
	}
	if r.DestinationCommuneCode, err = commune("destinationCommune", in.DestinationCommune); err != nil {
		return r, err
	}
	r.Vehicle = vntext.Normalize(in.Vehicle)
	return r, nil
}

// Declarations returns each person's health declarations since the given time
// (zero: all the system holds), newest first, aligned with personIDs.
func (c *Client) Declarations(ctx context.Context, personIDs []string, since time.Time) ([][]domain.HealthDeclaration, []error) {
	return batch(ctx, c, opDeclSearch, "/api/v1/health-declarations:search", personIDs, since, decodeDeclarationSearch)
}

// Passages returns each person's checkpoint passages since the given time
// (zero: all the system holds), newest first, aligned with personIDs.
func (c *Client) Passages(ctx context.Context, personIDs []string, since time.Time) ([][]domain.Passage, []error) {
	return batch(ctx, c, opPassSearch, "/api/v1/checkpoint-passages:search", personIDs, since, decodePassageSearch)
}

// batch answers a :search for many people: IDs are checked and deduplicated,
// sent in chunks of MaxBatch (one call per chunk, a few chunks at once), and
// the answers spread back over the input positions.
func batch[T any](ctx context.Context, c *Client, op upstream.Op, path string, personIDs []string, since time.Time,
	decode func([]byte, []string) (map[string]personResult[T], error)) ([][]T, []error) {
	results := make([][]T, len(personIDs))
	errs := make([]error, len(personIDs))
	norm := make([]string, len(personIDs))
	var unique []string
	seen := map[string]bool{}
	for i, raw := range personIDs {
		id, kind := personID(raw)
		if kind == domain.IDUnknown {
			errs[i] = inputErr("personIds", "want a 12-digit ID, a 9-digit ID card number or a passport number")
			continue
		}
		norm[i] = id
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	sinceWire := ""
	if !since.IsZero() {
		sinceWire = formatTime(since)
	}

	var chunks [][]string
	for start := 0; start < len(unique); start += MaxBatch {
		chunks = append(chunks, unique[start:min(start+MaxBatch, len(unique))])
	}
	answers := make([]map[string]personResult[T], len(chunks))
	failures := make([]error, len(chunks))
	var g errgroup.Group
	g.SetLimit(searchConcurrency)
	for k, chunk := range chunks {
		g.Go(func() error {
			answers[k], failures[k] = searchChunk(ctx, c, op, path, chunk, sinceWire, decode)
			return nil
		})
	}
	_ = g.Wait()

	byID := make(map[string]personResult[T], len(unique))
	for k, chunk := range chunks {
		for _, id := range chunk {
			switch r, ok := answers[k][id]; {
			case failures[k] != nil:
				byID[id] = personResult[T]{err: failures[k]}
			case !ok:
				byID[id] = personResult[T]{err: badData(op, bad("results", "requested person missing from answer"))}
			case errors.Is(r.err, errNotFound):
				byID[id] = personResult[T]{err: domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrNotFound, "no such person", nil)}
			case r.err != nil:
				byID[id] = personResult[T]{err: badData(op, r.err)}
			default:
				byID[id] = r
			}
		}
	}
	for i, id := range norm {
		if errs[i] != nil {
			continue
		}
		r := byID[id]
		if r.err != nil {
			errs[i] = r.err
			continue
		}
		results[i] = slices.Clone(r.items) // positions do not share backing arrays
		if results[i] == nil {
			results[i] = []T{}
		}
	}
	return results, errs
}

func searchChunk[T any](ctx context.Context, c *Client, op upstream.Op, path string, ids []string, since string,
	decode func([]byte, []string) (map[string]personResult[T], error)) (map[string]personResult[T], error) {
	body, err := json.Marshal(searchRequest{PersonIDs: ids, Since: since})
	if err != nil {
		return nil, inputErr("personIds", "cannot be encoded")
	}
	res, err := c.do(ctx, op, http.MethodPost, path, nil, body, "")
	if err != nil {
		return nil, err
	}
	if err := expect(op, res, http.StatusOK); err != nil {
		return nil, err
	}
	out, err := decode(res.body, ids)
	if err != nil {
		return nil, badData(op, err)
	}
	return out, nil
}

// Arrivals lists IN passages into a province or commune within [From, To),
// newest first, one page at a time. The cursor is the system's page token.
func (c *Client) Arrivals(ctx context.Context, q domain.ArrivalsQuery, page domain.PageRequest) (domain.Page[domain.Passage], error) {
	var none domain.Page[domain.Passage]
	query := url.Values{}
	prov, comm := strings.TrimSpace(q.ProvinceCode), strings.TrimSpace(q.CommuneCode)
	switch {
	case prov != "" && comm != "":
		return none, inputErr("provinceCode", "give exactly one of provinceCode and communeCode")
	case prov != "":
		if len(prov) != 2 || !allDigits(prov) {
			return none, inputErr("provinceCode", "want a 2-digit province code")
		}
		query.Set("province_code", prov)
	case comm != "":
		if len(comm) != 5 || !allDigits(comm) {
			return none, inputErr("communeCode", "want a 5-digit commune code")
		}
		query.Set("commune_code", comm)
	default:
		return none, inputErr("provinceCode", "give exactly one of provinceCode and communeCode")
	}
	switch {
	case q.From.IsZero():
		return none, inputErr("from", "required")
	case q.To.IsZero():
		return none, inputErr("to", "required")
	case !q.From.Before(q.To):
		return none, inputErr("from", "must be before to")
	case q.To.Sub(q.From) > MaxArrivalWindow:
		return none, inputErr("to", "window must be at most 31 days")
	}
	query.Set("from", formatTime(q.From))
	query.Set("to", formatTime(q.To))
	size := page.Limit
	switch {
	case size < 0:
		return none, inputErr("limit", "must not be negative")
	case size == 0:
		size = DefaultPageSize
	case size > MaxPageSize:
		size = MaxPageSize
	}
	query.Set("page_size", strconv.Itoa(size))
	if page.Cursor != "" {
		if len(page.Cursor) > maxCursorBytes || strings.ContainsFunc(page.Cursor, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return none, inputErr("cursor", "not a cursor from a previous page")
		}
		query.Set("page_token", page.Cursor)
	}
	res, err := c.do(ctx, opArrivals, http.MethodGet, "/api/v1/arrivals", query, nil, "")
	if err != nil {
		return none, err
	}
	if res.status == http.StatusBadRequest && page.Cursor != "" && rejectedField(res.body, "page_token") {
		// The token came from the hub's client, so this is bad input, not an upstream fault.
		return none, inputErr("cursor", "not a valid cursor for this query")
	}
	if err := expect(opArrivals, res, http.StatusOK); err != nil {
		return none, err
	}
	items, next, err := decodeArrivals(res.body)
	if err != nil {
		return none, badData(opArrivals, err)
	}
	return domain.Page[domain.Passage]{Items: items, NextCursor: next, Total: -1}, nil
}

func rejectedField(body []byte, field string) bool {
	ae, err := decodeError(body)
	if err != nil {
		return false
	}
	for _, fe := range ae.Errors {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// EpidemicZones lists the zones in force at f.At (zero: now, by the system's
// clock). A province filter also returns its communes' zones; a commune filter
// also returns its province's zone.
func (c *Client) EpidemicZones(ctx context.Context, f domain.ZoneFilter) ([]domain.EpidemicZone, error) {
	query := url.Values{}
	if u := strings.TrimSpace(f.AdminUnit); u != "" {
		if !allDigits(u) || (len(u) != 2 && len(u) != 5) {
			return nil, inputErr("adminUnit", "want a 2-digit province or 5-digit commune code")
		}
		query.Set("admin_unit", u)
	}
	if !f.At.IsZero() {
		query.Set("at", formatTime(f.At))
	}
	res, err := c.do(ctx, opZones, http.MethodGet, "/api/v1/epidemic-zones", query, nil, "")
	if err != nil {
		return nil, err
	}
	if err := expect(opZones, res, http.StatusOK); err != nil {
		return nil, err
	}
	zones, err := decodeZones(res.body)
	if err != nil {
		return nil, badData(opZones, err)
	}
	return zones, nil
}

func sortNewestFirst[T any](items []T, timeOf func(T) time.Time) {
	sort.SliceStable(items, func(i, j int) bool { return timeOf(items[i]).After(timeOf(items[j])) })
}
