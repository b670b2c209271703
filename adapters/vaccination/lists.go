package vaccination

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vn-epidemic/hub/domain"
)

const (
	maxPageSize  = 100
	maxCursorLen = 1024
	maxTextRunes = 2000
)

// pageQuery turns a PageRequest into the platform's pageSize/pageToken.
func pageQuery(q url.Values, page domain.PageRequest) error {
	switch {
	case page.Limit < 0:
		return &domain.InputError{Field: "limit", Reason: "must not be negative"}
	case page.Limit > 0:
		q.Set("pageSize", strconv.Itoa(min(page.Limit, maxPageSize)))
	}
	if page.Cursor != "" {
		if len(page.Cursor) > maxCursorLen || strings.ContainsFunc(page.Cursor, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return &domain.InputError{Field: "cursor", Reason: "is not a cursor this list issued"}
		}
		q.Set("pageToken", page.Cursor)
	}
	return nil
}

// ReconciliationList pages through a commune's reconciliation list, filtered
// by status ("" = all). Pages may be short, even empty, with a NextCursor:
// follow the cursor until it is empty.
func (c *Client) ReconciliationList(ctx context.Context, commune string, status domain.ReconciliationStatus, page domain.PageRequest) (domain.Page[domain.Reconciliation], error) {
	if !validCommune(commune) {
		return domain.Page[domain.Reconciliation]{}, &domain.InputError{Field: "commune", Reason: "must be a 5-digit commune code"}
	}
	q := url.Values{}
	if status != "" {
		if _, ok := reconStatuses[string(status)]; !ok {
			return domain.Page[domain.Reconciliation]{}, &domain.InputError{Field: "status", Reason: "unknown reconciliation status"}
		}
		q.Set("status", string(status))
	}
	if err := pageQuery(q, page); err != nil {
		return domain.Page[domain.Reconciliation]{}, err
	}
	body, err := c.doOK(ctx, call{op: opReconList, method: http.MethodGet,
		path: "/api/v1/communes/" + commune + "/reconciliation", query: q})
	if err != nil {
		return domain.Page[domain.Reconciliation]{}, err
	}
	p, err := decodeReconciliationPage(body)
	if err != nil {
		return domain.Page[domain.Reconciliation]{}, badData(opReconList, "list response", err)
	}
	return p, nil
}

// ListFeedback pages through feedback, newest first. The platform lists by
// commune or by person, so one of f.CommuneCode and f.PersonID is required.
func (c *Client) ListFeedback(ctx context.Context, f domain.FeedbackFilter, page domain.PageRequest) (domain.Page[domain.Feedback], error) {
	q := url.Values{}
	commune, person := strings.TrimSpace(f.CommuneCode), strings.TrimSpace(f.PersonID)
	switch {
	case commune == "" && person == "":
		return domain.Page[domain.Feedback]{}, &domain.InputError{Field: "filter", Reason: "communeCode or personId is required"}
	case commune != "" && !validCommune(commune):
		return domain.Page[domain.Feedback]{}, &domain.InputError{Field: "communeCode", Reason: "must be a 5-digit commune code"}
	case person != "" && !validID(person):
		return domain.Page[domain.Feedback]{}, &domain.InputError{Field: "personId", Reason: "must be a 12-digit ID, 9-digit CMND or passport number"}
	}
	if commune != "" {
		q.Set("communeCode", commune)
	}
	if person != "" {
		q.Set("personId", person)
	}
	if f.Status != "" {
		if _, ok := feedbackStatuses[string(f.Status)]; !ok {
			return domain.Page[domain.Feedback]{}, &domain.InputError{Field: "status", Reason: "unknown feedback status"}
		}
		q.Set("status", string(f.Status))
	}
	if err := pageQuery(q, page); err != nil {
		return domain.Page[domain.Feedback]{}, err
	}
	body, err := c.doOK(ctx, call{op: opFbList, method: http.MethodGet, path: "/api/v1/feedback", query: q})
	if err != nil {
		return domain.Page[domain.Feedback]{}, err
	}
	p, err := decodeFeedbackPage(body)
	if err != nil {
		return domain.Page[domain.Feedback]{}, badData(opFbList, "list response", err)
	}
	return p, nil
}

// VaccinationCounts returns, per dose number and age band, the residents of
// a province (2 digits) or commune (5 digits) with at least that many doses.
func (c *Client) VaccinationCounts(ctx context.Context, unit string) ([]domain.VaccinationCount, error) {
	unit = strings.TrimSpace(unit)
	if !allDigits(unit) || (len(unit) != 2 && len(unit) != 5) {
		return nil, &domain.InputError{Field: "unit", Reason: "must be a 2-digit province or 5-digit commune code"}
	}
	body, err := c.doOK(ctx, call{op: opStatistics, method: http.MethodGet, path: "/api/v1/statistics/vaccinations",
		query: url.Values{"adminUnit": {unit}}})
	if err != nil {
		return nil, err
	}
	counts, err := decodeStatistics(body, unit)
	if err != nil {
		return nil, badData(opStatistics, "statistics", err)
	}
	return counts, nil
}
