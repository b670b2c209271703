package vaccination

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// The platform's wire format. Decoding is typed and every mapped value is
// validated; unknown fields are ignored, since the platform may add fields
// without a new API version. Decoder errors describe what was wrong, never
// the values.

var vaccineByCode = map[string]domain.Vaccine{
	"AZD1222":       domain.VaccineAstraZeneca,
	"GAM-COVID-VAC": domain.VaccineSputnikV,
	"BBIBP-CORV":    domain.VaccineVeroCell,
	"BNT162B2":      domain.VaccinePfizer,
	"MRNA-1273":     domain.VaccineModerna,
	"AD26.COV2.S":   domain.VaccineJanssen,
	"HAYAT-VAX":     domain.VaccineHayatVax,
	"CIGB-66":       domain.VaccineAbdala,
}

func vaccineCode(v domain.Vaccine) (string, bool) {
	for code, x := range vaccineByCode {
		if x == v {
			return code, true
		}
	}
	return "", false
}

var kindByDoseType = map[string]domain.DoseKind{
	"basic": domain.DoseBasic, "additional": domain.DoseAdditional, "booster": domain.DoseBooster,
}

func doseType(k domain.DoseKind) (string, bool) {
	for t, x := range kindByDoseType {
		if x == k {
			return t, true
		}
	}
	return "", false
}

func sexCode(s domain.Sex) string {
	switch s {
	case domain.SexMale:
		return "MALE"
	case domain.SexFemale:
		return "FEMALE"
	}
	return ""
}

type wireIdentity struct {
	ID        string `json:"id"`
	FullName  string `json:"fullName"`
	Sex       string `json:"sex"`
	BirthDate string `json:"birthDate"`
}

type wireSite struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	CommuneCode string `json:"communeCode"`
}

type wireDose struct {
	RecordID   string   `json:"recordId"`
	PersonID   string   `json:"personId"`
	DoseNumber int      `json:"doseNumber"`
	DoseType   string   `json:"doseType"`
	Date       string   `json:"date"`
	Vaccine    string   `json:"vaccine"`
	Lot        string   `json:"lot"`
	Site       wireSite `json:"site"`
}

type wireVaccination struct {
	PersonID string       `json:"personId"`
	Identity wireIdentity `json:"identity"`
	Doses    []wireDose   `json:"doses"`
}

type wireCertificate struct {
	PersonID      string `json:"personId"`
	Status        string `json:"status"`
	CertificateID string `json:"certificateId"`
	IssuedAt      string `json:"issuedAt"`
	DosesCovered  int    `json:"dosesCovered"`
	ValidUntil    string `json:"validUntil"`
}

type wireReconciliation struct {
	PersonID         string       `json:"personId"`
	CommuneCode      string       `json:"communeCode"`
	Status           string       `json:"status"`
	MismatchedFields []string     `json:"mismatchedFields"`
	RecordedIdentity wireIdentity `json:"recordedIdentity"`
	CheckedAt        string       `json:"checkedAt"`
	Confirmed        bool         `json:"confirmed"`
}

type wireFeedback struct {
	ID          string `json:"id"`
	PersonID    string `json:"personId"`
	CommuneCode string `json:"communeCode"`
	Category    string `json:"category"`
	Text        string `json:"text"`
	Status      string `json:"status"`
	CreatedAt   string `json:"createdAt"`
	ResolvedAt  string `json:"resolvedAt"`
	Resolution  string `json:"resolution"`
	ResolvedBy  string `json:"resolvedBy"`
}

// Requests.

type wirePersonRef struct {
	PersonID     string   `json:"personId"`
	AlternateIDs []string `json:"alternateIds,omitempty"`
}

type wireBatchRequest struct {
	People []wirePersonRef `json:"people"`
}

type wireDoseRequest struct {
	PersonID   string `json:"personId"`
	FullName   string `json:"fullName"`
	Sex        string `json:"sex"`
	BirthDate  string `json:"birthDate"`
	DoseNumber int    `json:"doseNumber"`
	DoseType   string `json:"doseType"`
	Date       string `json:"date"`
	Vaccine    string `json:"vaccine"`
	Lot        string `json:"lot"`
	SiteCode   string `json:"siteCode"`
}

type wireFeedbackCreate struct {
	PersonID    string `json:"personId"`
	CommuneCode string `json:"communeCode"`
	Category    string `json:"category"`
	Text        string `json:"text"`
}

type wireFeedbackResolve struct {
	Resolution string `json:"resolution"`
	ResolvedBy string `json:"resolvedBy"`
}

// decodeStrict unmarshals one JSON value, refusing trailing data.
func decodeStrict(b []byte, v any) error {
	if !json.Valid(b) {
		return errors.New("not valid JSON")
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("field %q has the wrong type", te.Field)
		}
		return errors.New("does not match the expected shape")
	}
	return nil
}

// Batch answers: the envelope is decoded first and each result separately,
// so that one bad element spoils only itself.

type wireBatchEnvelope struct {
	Results []json.RawMessage `json:"results"`
}

type wireBatchHead struct {
	RequestedID string `json:"requestedId"`
	Status      string `json:"status"`
}

type batchElement struct {
	requestedID string
	found       bool
	raw         json.RawMessage
	err         error // the element itself is malformed
}

const (
	resultFound    = "FOUND"
	resultNotFound = "NOT_FOUND"
)

// decodeBatch splits a :batchGet answer into its results.
func decodeBatch(b []byte) ([]batchElement, error) {
	var env wireBatchEnvelope
	if err := decodeStrict(b, &env); err != nil {
		return nil, err
	}
	if env.Results == nil {
		return nil, errors.New("results missing")
	}
	out := make([]batchElement, len(env.Results))
	for k, raw := range env.Results {
		var h wireBatchHead
		if err := decodeStrict(raw, &h); err != nil {
			out[k].err = err
			continue
		}
		out[k].requestedID = h.RequestedID
		out[k].raw = raw
		switch h.Status {
		case resultFound:
			out[k].found = true
		case resultNotFound:
		default:
			out[k].err = errors.New("unknown result status")
		}
	}
	return out, nil
}

func decodeVaccinationResult(raw []byte) (domain.VaccinationRecord, error) {
	var w struct {
		Vaccination *wireVaccination `json:"vaccination"`
	}
	if err := decodeStrict(raw, &w); err != nil {
		return domain.VaccinationRecord{}, err
	}
	if w.Vaccination == nil {
		return domain.VaccinationRecord{}, errors.New("vaccination missing")
	}
	return mapVaccination(*w.Vaccination)
}

func decodeCertificateResult(raw []byte) (domain.Certificate, error) {
	var w struct {
		Certificate *wireCertificate `json:"certificate"`
	}
	if err := decodeStrict(raw, &w); err != nil {
		return domain.Certificate{}, err
	}
	if w.Certificate == nil {
		return domain.Certificate{}, errors.New("certificate missing")
	}
	return mapCertificate(*w.Certificate)
}

func decodeReconciliationResult(raw []byte) (domain.Reconciliation, error) {
	var w struct {
		Reconciliation *wireReconciliation `json:"reconciliation"`
	}
	if err := decodeStrict(raw, &w); err != nil {
		return domain.Reconciliation{}, err
	}
	if w.Reconciliation == nil {
		return domain.Reconciliation{}, errors.New("reconciliation missing")
	}
	return mapReconciliation(*w.Reconciliation)
}

// Mapping and validation.

func validID(id string) bool { return domain.ClassifyID(id) != domain.IDUnknown }

func validCommune(code string) bool { return len(code) == 5 && allDigits(code) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// text normalises free text from the platform and checks it is sane.
func text(s string, max int) (string, bool) {
	s = vntext.Normalize(s)
	return s, utf8.ValidString(s) && utf8.RuneCountInString(s) <= max
}

func parseDate(s string, yearOnly bool) (domain.Date, error) {
	d, err := domain.ParseISODate(s)
	if err != nil || !d.Valid() || (d.YearOnly() && !yearOnly) {
		return domain.Date{}, errors.New("invalid date")
	}
	return d, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("invalid timestamp")
	}
	return t, nil
}

func mapIdentity(w wireIdentity) (domain.RecordedIdentity, error) {
	if !validID(w.ID) {
		return domain.RecordedIdentity{}, errors.New("identity id invalid")
	}
	name, ok := text(w.FullName, 200)
	if !ok || name == "" {
		return domain.RecordedIdentity{}, errors.New("identity fullName invalid")
	}
	var sex domain.Sex
	switch w.Sex {
	case "MALE":
		sex = domain.SexMale
	case "FEMALE":
		sex = domain.SexFemale
	default:
		return domain.RecordedIdentity{}, errors.New("identity sex unknown")
	}
	birth, err := parseDate(w.BirthDate, true)
	if err != nil {
		return domain.RecordedIdentity{}, fmt.Errorf("identity birthDate: %w", err)
	}
	return domain.RecordedIdentity{ID: w.ID, FullName: name, Sex: sex, BirthDate: birth}, nil
}

func mapDose(w wireDose, holder string) (domain.Dose, error) {
	if w.RecordID == "" || len(w.RecordID) > 64 {
		return domain.Dose{}, errors.New("dose recordId invalid")
	}
	personID := w.PersonID
	if personID == "" {
		personID = holder
	}
	if !validID(personID) {
		return domain.Dose{}, errors.New("dose personId invalid")
	}
	if w.DoseNumber < 1 || w.DoseNumber > 20 {
		return domain.Dose{}, errors.New("dose number out of range")
	}
	kind, ok := kindByDoseType[w.DoseType]
	if !ok {
		return domain.Dose{}, errors.New("dose type unknown")
	}
	date, err := parseDate(w.Date, false)
	if err != nil {
		return domain.Dose{}, fmt.Errorf("dose date: %w", err)
	}
	vaccine, ok := vaccineByCode[w.Vaccine]
	if !ok {
		return domain.Dose{}, errors.New("vaccine code unknown")
	}
	lot, ok := text(w.Lot, 64)
	if !ok || lot == "" {
		return domain.Dose{}, errors.New("dose lot invalid")
	}
	siteName, ok := text(w.Site.Name, 300)
	if !ok || w.Site.Code == "" || len(w.Site.Code) > 64 {
		return domain.Dose{}, errors.New("dose site invalid")
	}
	if w.Site.CommuneCode != "" && !validCommune(w.Site.CommuneCode) {
		return domain.Dose{}, errors.New("dose site communeCode invalid")
	}
	return domain.Dose{
		RecordID: w.RecordID, PersonID: personID, Number: w.DoseNumber, Kind: kind, Date: date,
		Vaccine: vaccine, Lot: lot,
		Site: domain.Site{Code: w.Site.Code, Name: siteName, CommuneCode: w.Site.CommuneCode},
	}, nil
}

func mapVaccination(w wireVaccination) (domain.VaccinationRecord, error) {
	if !validID(w.PersonID) {
		return domain.VaccinationRecord{}, errors.New("personId invalid")
	}
	id, err := mapIdentity(w.Identity)
	if err != nil {
		return domain.VaccinationRecord{}, err
	}
	rec := domain.VaccinationRecord{PersonID: w.PersonID, Recorded: id, Doses: make([]domain.Dose, 0, len(w.Doses))}
	for _, wd := range w.Doses {
		d, err := mapDose(wd, w.PersonID)
		if err != nil {
			return domain.VaccinationRecord{}, err
		}
		rec.Doses = append(rec.Doses, d)
	}
	return rec, nil
}

var certificateStatuses = map[string]domain.CertificateStatus{
	"ISSUED": domain.CertificateIssued, "PENDING": domain.CertificatePending,
	"NONE": domain.CertificateNone, "REVOKED": domain.CertificateRevoked,
}

func mapCertificate(w wireCertificate) (domain.Certificate, error) {
	if !validID(w.PersonID) {
		return domain.Certificate{}, errors.New("personId invalid")
	}
	status, ok := certificateStatuses[w.Status]
	if !ok {
		return domain.Certificate{}, errors.New("certificate status unknown")
	}
	if w.DosesCovered < 0 || w.DosesCovered > 20 || len(w.CertificateID) > 128 {
		return domain.Certificate{}, errors.New("certificate fields out of range")
	}
	c := domain.Certificate{PersonID: w.PersonID, Status: status, CertificateID: w.CertificateID, DosesCovered: w.DosesCovered}
	if w.IssuedAt != "" {
		t, err := parseTime(w.IssuedAt)
		if err != nil {
			return domain.Certificate{}, fmt.Errorf("certificate issuedAt: %w", err)
		}
		c.IssuedAt = t
	}
	if w.ValidUntil != "" {
		d, err := parseDate(w.ValidUntil, false)
		if err != nil {
			return domain.Certificate{}, fmt.Errorf("certificate validUntil: %w", err)
		}
		c.ValidUntil = d
	}
	if status == domain.CertificateIssued && (c.CertificateID == "" || c.IssuedAt.IsZero()) {
		return domain.Certificate{}, errors.New("issued certificate without id or issue time")
	}
	return c, nil
}

var reconStatuses = map[string]domain.ReconciliationStatus{
	"MATCH": domain.ReconMatch, "MISMATCH": domain.ReconMismatch,
	"PENDING": domain.ReconPending, "NOT_APPLICABLE": domain.ReconNotApplicable,
}

var identityFields = map[string]domain.IdentityField{
	"ID_NUMBER": domain.FieldID, "FULL_NAME": domain.FieldFullName,
	"SEX": domain.FieldSex, "BIRTH_DATE": domain.FieldBirthDate,
}

func mapReconciliation(w wireReconciliation) (domain.Reconciliation, error) {
	if !validID(w.PersonID) {
		return domain.Reconciliation{}, errors.New("personId invalid")
	}
	if !validCommune(w.CommuneCode) {
		return domain.Reconciliation{}, errors.New("communeCode invalid")
	}
	status, ok := reconStatuses[w.Status]
	if !ok {
		return domain.Reconciliation{}, errors.New("reconciliation status unknown")
	}
	r := domain.Reconciliation{PersonID: w.PersonID, CommuneCode: w.CommuneCode, Status: status, Confirmed: w.Confirmed}
	if len(w.MismatchedFields) > len(identityFields) {
		return domain.Reconciliation{}, errors.New("too many mismatched fields")
	}
	for _, f := range w.MismatchedFields {
		field, ok := identityFields[f]
		if !ok {
			return domain.Reconciliation{}, errors.New("mismatched field unknown")
		}
		r.Mismatched = append(r.Mismatched, field)
	}
	id, err := mapIdentity(w.RecordedIdentity)
	if err != nil {
		return domain.Reconciliation{}, err
	}
	r.Recorded = id
	if w.CheckedAt != "" {
		t, err := parseTime(w.CheckedAt)
		if err != nil {
			return domain.Reconciliation{}, fmt.Errorf("checkedAt: %w", err)
		}
		r.CheckedAt = t
	}
	return r, nil
}

var feedbackCategories = map[string]domain.FeedbackCategory{
	"WRONG_IDENTITY": domain.FeedbackWrongIdentity, "MISSING_DOSE": domain.FeedbackMissingDose,
	"WRONG_DOSE": domain.FeedbackWrongDose, "CERTIFICATE": domain.FeedbackCertificate, "OTHER": domain.FeedbackOther,
}

var feedbackStatuses = map[string]domain.FeedbackStatus{
	"OPEN": domain.FeedbackOpen, "IN_PROGRESS": domain.FeedbackInProgress, "RESOLVED": domain.FeedbackResolved,
}

func mapFeedback(w wireFeedback) (domain.Feedback, error) {
	if w.ID == "" || len(w.ID) > 128 {
		return domain.Feedback{}, errors.New("feedback id invalid")
	}
	if !validID(w.PersonID) || !validCommune(w.CommuneCode) {
		return domain.Feedback{}, errors.New("feedback personId or communeCode invalid")
	}
	cat, ok := feedbackCategories[w.Category]
	if !ok {
		return domain.Feedback{}, errors.New("feedback category unknown")
	}
	status, ok := feedbackStatuses[w.Status]
	if !ok {
		return domain.Feedback{}, errors.New("feedback status unknown")
	}
	body, ok1 := text(w.Text, 5000)
	res, ok2 := text(w.Resolution, 5000)
	by, ok3 := text(w.ResolvedBy, 300)
	if !ok1 || !ok2 || !ok3 {
		return domain.Feedback{}, errors.New("feedback text invalid")
	}
	created, err := parseTime(w.CreatedAt)
	if err != nil {
		return domain.Feedback{}, fmt.Errorf("feedback createdAt: %w", err)
	}
	f := domain.Feedback{
		ID: w.ID, PersonID: w.PersonID, CommuneCode: w.CommuneCode, Category: cat, Text: body,
		Status: status, CreatedAt: created, Resolution: res, ResolvedBy: by,
	}
	if w.ResolvedAt != "" {
		if f.ResolvedAt, err = parseTime(w.ResolvedAt); err != nil {
			return domain.Feedback{}, fmt.Errorf("feedback resolvedAt: %w", err)
		}
	}
	return f, nil
}

func decodeFeedback(b []byte) (domain.Feedback, error) {
	var w wireFeedback
	if err := decodeStrict(b, &w); err != nil {
		return domain.Feedback{}, err
	}
	return mapFeedback(w)
}

func decodeDose(b []byte) (domain.Dose, error) {
	var w wireDose
	if err := decodeStrict(b, &w); err != nil {
		return domain.Dose{}, err
	}
	return mapDose(w, "")
}

// Pages.

const maxNextPageToken = 4096

func decodeReconciliationPage(b []byte) (domain.Page[domain.Reconciliation], error) {
	var w struct {
		Reconciliations []wireReconciliation `json:"reconciliations"`
		NextPageToken   string               `json:"nextPageToken"`
		TotalSize       *int64               `json:"totalSize"`
	}
	if err := decodeStrict(b, &w); err != nil {
		return domain.Page[domain.Reconciliation]{}, err
	}
	page := domain.Page[domain.Reconciliation]{Items: make([]domain.Reconciliation, 0, len(w.Reconciliations)), Total: -1}
	for _, wr := range w.Reconciliations {
		r, err := mapReconciliation(wr)
		if err != nil {
			return domain.Page[domain.Reconciliation]{}, err
		}
		page.Items = append(page.Items, r)
	}
	if err := setPaging(&page.NextCursor, &page.Total, w.NextPageToken, w.TotalSize); err != nil {
		return domain.Page[domain.Reconciliation]{}, err
	}
	return page, nil
}

func decodeFeedbackPage(b []byte) (domain.Page[domain.Feedback], error) {
	var w struct {
		Feedback      []wireFeedback `json:"feedback"`
		NextPageToken string         `json:"nextPageToken"`
		TotalSize     *int64         `json:"totalSize"`
	}
	if err := decodeStrict(b, &w); err != nil {
		return domain.Page[domain.Feedback]{}, err
	}
	page := domain.Page[domain.Feedback]{Items: make([]domain.Feedback, 0, len(w.Feedback)), Total: -1}
	for _, wf := range w.Feedback {
		f, err := mapFeedback(wf)
		if err != nil {
			return domain.Page[domain.Feedback]{}, err
		}
		page.Items = append(page.Items, f)
	}
	if err := setPaging(&page.NextCursor, &page.Total, w.NextPageToken, w.TotalSize); err != nil {
		return domain.Page[domain.Feedback]{}, err
	}
	return page, nil
}

func setPaging(cursor *string, total *int64, next string, size *int64) error {
	if len(next) > maxNextPageToken || strings.ContainsFunc(next, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return errors.New("nextPageToken invalid")
	}
	*cursor = next
	if size != nil {
		if *size < 0 {
			return errors.New("totalSize negative")
		}
		*total = *size
	}
	return nil
}

// Statistics.

type wireStatistics struct {
	AdminUnit string `json:"adminUnit"`
	Counts    []struct {
		DoseNumber int `json:"doseNumber"`
		AgeBand    struct {
			MinAge *int `json:"minAge"`
			MaxAge *int `json:"maxAge"`
		} `json:"ageBand"`
		People *int64 `json:"people"`
	} `json:"counts"`
}

func decodeStatistics(b []byte, unit string) ([]domain.VaccinationCount, error) {
	var w wireStatistics
	if err := decodeStrict(b, &w); err != nil {
		return nil, err
	}
	if w.AdminUnit != unit {
		return nil, errors.New("statistics for another unit")
	}
	out := make([]domain.VaccinationCount, 0, len(w.Counts))
	for _, c := range w.Counts {
		if c.DoseNumber < 1 || c.DoseNumber > 20 || c.People == nil || *c.People < 0 || c.AgeBand.MinAge == nil {
			return nil, errors.New("count out of range")
		}
		band := domain.AgeBand{Min: *c.AgeBand.MinAge}
		if band.Min < 0 || band.Min > 200 {
			return nil, errors.New("age band out of range")
		}
		if c.AgeBand.MaxAge != nil {
			if *c.AgeBand.MaxAge < band.Min || *c.AgeBand.MaxAge > 200 {
				return nil, errors.New("age band out of range")
			}
			band.Max = *c.AgeBand.MaxAge + 1 // the platform's bound is inclusive
		}
		out = append(out, domain.VaccinationCount{AdminUnit: unit, DoseNumber: c.DoseNumber, AgeBand: band, Count: *c.People})
	}
	return out, nil
}

// Errors and tokens.

// decodeErrorCode returns the machine code of the platform's error shape, or
// "" when the body is not one (a proxy's HTML page, say). Only codes made of
// A-Z, 0-9 and _ are passed on, so a reason is always safe to log.
func decodeErrorCode(b []byte) string {
	var w struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &w) != nil || !safeCode(w.Error.Code, 'A', 'Z') {
		return ""
	}
	return w.Error.Code
}

// decodeOAuthError returns the RFC 6749 §5.2 error code, or "unknown".
func decodeOAuthError(b []byte) string {
	var w struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &w) != nil || !safeCode(w.Error, 'a', 'z') {
		return "unknown"
	}
	return w.Error
}

func safeCode(s string, lo, hi byte) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= lo && c <= hi || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// decodeToken validates an RFC 6749 §5.1 answer. A missing expires_in is
// treated as one minute: the token is then refreshed early rather than used
// until refused.
func decodeToken(b []byte) (string, time.Duration, error) {
	var w struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   *int64 `json:"expires_in"`
	}
	if err := decodeStrict(b, &w); err != nil {
		return "", 0, err
	}
	if w.AccessToken == "" || len(w.AccessToken) > 4096 {
		return "", 0, errors.New("access_token missing or oversize")
	}
	// RFC 6750 b64token alphabet, so the header cannot be split or injected.
	for i := 0; i < len(w.AccessToken); i++ {
		c := w.AccessToken[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/=", c) >= 0) {
			return "", 0, errors.New("access_token has characters outside b64token")
		}
	}
	if !strings.EqualFold(w.TokenType, "Bearer") {
		return "", 0, errors.New("token_type is not Bearer")
	}
	ttl := time.Minute
	if w.ExpiresIn != nil {
		if *w.ExpiresIn <= 0 || *w.ExpiresIn > 7*24*3600 {
			return "", 0, errors.New("expires_in out of range")
		}
		ttl = time.Duration(*w.ExpiresIn) * time.Second
	}
	return w.AccessToken, ttl, nil
}
