package vaccination

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Writes are sent once: never retried, not even after a 401 (see Client.do).

// CreateFeedback files a feedback. It is a write: sent once, with an
// Idempotency-Key, never retried.
func (c *Client) CreateFeedback(ctx context.Context, in domain.FeedbackInput) (domain.Feedback, error) {
	req := wireFeedbackCreate{
		PersonID:    strings.TrimSpace(in.PersonID),
		CommuneCode: strings.TrimSpace(in.CommuneCode),
		Category:    string(in.Category),
		Text:        vntext.Normalize(in.Text),
	}
	switch {
	case !validID(req.PersonID):
		return domain.Feedback{}, &domain.InputError{Field: "personId", Reason: "must be a 12-digit ID, 9-digit CMND or passport number"}
	case !validCommune(req.CommuneCode):
		return domain.Feedback{}, &domain.InputError{Field: "communeCode", Reason: "must be a 5-digit commune code"}
	case feedbackCategories[req.Category] == "":
		return domain.Feedback{}, &domain.InputError{Field: "category", Reason: "unknown feedback category"}
	case req.Text == "" || utf8.RuneCountInString(req.Text) > maxTextRunes:
		return domain.Feedback{}, &domain.InputError{Field: "text", Reason: "required, at most 2000 characters"}
	}
	body, _ := json.Marshal(req)
	resp, err := c.doOK(ctx, call{op: opFbCreate, method: http.MethodPost, path: "/api/v1/feedback",
		body: body, idemKey: upstream.RandomID()})
	if err != nil {
		return domain.Feedback{}, err
	}
	fb, err := decodeFeedback(resp)
	if err != nil {
		return domain.Feedback{}, badData(opFbCreate, "feedback", err)
	}
	return fb, nil
}

// ResolveFeedback marks a feedback resolved. Resolving one already resolved
// is rejected (ALREADY_RESOLVED); an unknown id is not found.
func (c *Client) ResolveFeedback(ctx context.Context, id, resolution, resolvedBy string) (domain.Feedback, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) {
		return domain.Feedback{}, &domain.InputError{Field: "id", Reason: "is not a feedback id"}
	}
	req := wireFeedbackResolve{Resolution: vntext.Normalize(resolution), ResolvedBy: vntext.Normalize(resolvedBy)}
	if req.Resolution == "" || utf8.RuneCountInString(req.Resolution) > maxTextRunes {
		return domain.Feedback{}, &domain.InputError{Field: "resolution", Reason: "required, at most 2000 characters"}
	}
	if req.ResolvedBy == "" || utf8.RuneCountInString(req.ResolvedBy) > 100 {
		return domain.Feedback{}, &domain.InputError{Field: "resolvedBy", Reason: "required, at most 100 characters"}
	}
	body, _ := json.Marshal(req)
	resp, err := c.doOK(ctx, call{op: opFbResolve, method: http.MethodPost, path: "/api/v1/feedback/" + id + ":resolve", body: body})
	if err != nil {
		return domain.Feedback{}, err
	}
	fb, err := decodeFeedback(resp)
	if err != nil {
		return domain.Feedback{}, badData(opFbResolve, "feedback", err)
	}
	return fb, nil
}

// RecordDose records an administered dose with the identity as entered at
// the site; the platform refuses it (ErrRejected, reason
// IDENTITY_NOT_VERIFIED) unless the identity matches the population
// database. Sent once with a fresh Idempotency-Key, never retried.
func (c *Client) RecordDose(ctx context.Context, in domain.DoseInput, identity domain.RecordedIdentity) (domain.Dose, error) {
	personID := strings.TrimSpace(in.PersonID)
	if !validID(personID) {
		return domain.Dose{}, &domain.InputError{Field: "personId", Reason: "must be a 12-digit ID, 9-digit CMND or passport number"}
	}
	if id := strings.TrimSpace(identity.ID); id != "" && id != personID {
		return domain.Dose{}, &domain.InputError{Field: "identity.id", Reason: "must equal personId"}
	}
	vaccine, ok := vaccineCode(in.Vaccine)
	if !ok {
		return domain.Dose{}, &domain.InputError{Field: "vaccine", Reason: "unknown vaccine"}
	}
	typ, ok := doseType(in.Kind)
	if !ok {
		return domain.Dose{}, &domain.InputError{Field: "kind", Reason: "unknown dose kind"}
	}
	name := vntext.Normalize(identity.FullName)
	sex := sexCode(identity.Sex)
	lot := strings.ToUpper(strings.TrimSpace(in.Lot))
	site := strings.TrimSpace(in.SiteCode)
	switch {
	case in.Number < 1 || in.Number > 10:
		return domain.Dose{}, &domain.InputError{Field: "number", Reason: "must be between 1 and 10"}
	case !in.Date.Valid() || in.Date.YearOnly():
		return domain.Dose{}, &domain.InputError{Field: "date", Reason: "must be a full calendar date"}
	case lot == "" || len(lot) > 20:
		return domain.Dose{}, &domain.InputError{Field: "lot", Reason: "required, at most 20 characters"}
	case site == "" || len(site) > 64:
		return domain.Dose{}, &domain.InputError{Field: "siteCode", Reason: "required"}
	case name == "" || utf8.RuneCountInString(name) > 100:
		return domain.Dose{}, &domain.InputError{Field: "identity.fullName", Reason: "required, at most 100 characters"}
	case sex == "":
		return domain.Dose{}, &domain.InputError{Field: "identity.sex", Reason: "must be known"}
	case !identity.BirthDate.Valid():
		return domain.Dose{}, &domain.InputError{Field: "identity.birthDate", Reason: "must be a calendar date or a year"}
	}
	body, _ := json.Marshal(wireDoseRequest{
		PersonID: personID, FullName: name, Sex: sex, BirthDate: identity.BirthDate.String(),
		DoseNumber: in.Number, DoseType: typ, Date: in.Date.String(), Vaccine: vaccine, Lot: lot, SiteCode: site,
	})
	resp, err := c.doOK(ctx, call{op: opRecordDose, method: http.MethodPost, path: "/api/v1/doses",
		body: body, idemKey: upstream.RandomID()})
	if err != nil {
		return domain.Dose{}, err
	}
	d, err := decodeDose(resp)
	if err != nil {
		return domain.Dose{}, badData(opRecordDose, "dose", err)
	}
	return d, nil
}
