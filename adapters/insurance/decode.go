package insurance

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// VSS result codes (maKetQua). Business outcomes come with HTTP 200; gateway
// failures with the matching HTTP status (and the same envelope).
const (
	codeOK          = "000"
	codeNotFound    = "001" // per ID
	codeInvalidID   = "002" // per ID
	codeBadRequest  = "003"
	codeTooMany     = "004"
	codeAuth        = "401"
	codeForbidden   = "403"
	codeNoRoute     = "404"
	codeMethod      = "405"
	codeRateLimited = "429"
	codeSystem      = "500"
	codeMaintenance = "503"
	codeTimeout     = "504"
)

type envelope struct {
	MaKetQua  string          `json:"maKetQua"`
	ThongDiep string          `json:"thongDiep"`
	DuLieu    json.RawMessage `json:"duLieu"`
}

// decodeEnvelope reads the outer shape of any answer below 500 and turns a
// result code other than 000 into the typed error it stands for.
func decodeEnvelope(op upstream.Op, status int, raw []byte) (envelope, error) {
	var env envelope
	parseErr := json.Unmarshal(raw, &env)
	if status >= 400 {
		// The status decides the kind; the code, when readable, is detail.
		reason := "HTTP " + strconv.Itoa(status)
		if parseErr == nil && isCode(env.MaKetQua) {
			reason += " maKetQua=" + env.MaKetQua
		}
		return envelope{}, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrRejected, reason, nil)
	}
	if status != http.StatusOK {
		return envelope{}, badData(op, "unexpected HTTP "+strconv.Itoa(status), nil)
	}
	if parseErr != nil {
		return envelope{}, badData(op, "answer is not the VSS envelope", parseErr)
	}
	if env.MaKetQua == codeOK {
		return env, nil
	}
	return envelope{}, codeError(op, env.MaKetQua)
}

// codeError maps a top-level maKetQua other than 000.
func codeError(op upstream.Op, code string) error {
	if !isCode(code) {
		return badData(op, "missing or malformed maKetQua", nil)
	}
	reason := "maKetQua=" + code
	var kind error
	switch code {
	case codeBadRequest, codeTooMany, codeAuth, codeForbidden, codeNoRoute, codeMethod, codeInvalidID:
		kind = domain.ErrRejected
	case codeRateLimited:
		kind = domain.ErrRateLimited
	case codeSystem, codeMaintenance:
		kind = domain.ErrUnavailable
	case codeTimeout:
		kind = domain.ErrTimeout
	default:
		return badData(op, "unknown "+reason, nil)
	}
	return domain.NewUpstreamError(op.Upstream, op.Name, kind, reason, nil)
}

// isCode accepts the three-digit shape of maKetQua, so that only such codes
// are ever copied into error reasons.
func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func badData(op upstream.Op, reason string, cause error) *domain.UpstreamError {
	return domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrBadUpstreamData, reason, cause)
}

// itemHead is read first, to align an element with the ID it answers even
// when the rest of it is malformed.
type itemHead struct {
	SoDinhDanh string `json:"soDinhDanh"`
	MaKetQua   string `json:"maKetQua"`
}

type itemWire struct {
	MaThe          string          `json:"maThe"`
	MaSoBhxh       string          `json:"maSoBhxh"`
	HoTen          string          `json:"hoTen"`
	NgaySinh       string          `json:"ngaySinh"`
	GioiTinh       json.RawMessage `json:"gioiTinh"`
	MaDoiTuong     string          `json:"maDoiTuong"`
	MucHuong       json.RawMessage `json:"mucHuong"`
	MaTinh         string          `json:"maTinh"`
	GtTheTu        string          `json:"gtTheTu"`
	GtTheDen       string          `json:"gtTheDen"`
	MaDKBD         string          `json:"maDKBD"`
	TenDKBD        string          `json:"tenDKBD"`
	ThoiDiemDu5Nam string          `json:"thoiDiemDu5Nam"`
}

// decodeCards reads a tra-cuu-lo answer for ids. A non-nil error fails the
// whole call; otherwise the slices are aligned with ids and each element has
// either a card or an error.
func decodeCards(op upstream.Op, status int, raw []byte, ids []string) ([]domain.InsuranceCard, []error, error) {
	env, err := decodeEnvelope(op, status, raw)
	if err != nil {
		return nil, nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(env.DuLieu, &items); err != nil || items == nil {
		return nil, nil, badData(op, "duLieu is not a list", err)
	}
	byID := make(map[string]json.RawMessage, len(items))
	for _, it := range items {
		var h itemHead
		if json.Unmarshal(it, &h) != nil {
			continue // cannot tell which ID it answers; the ID shows up as missing below
		}
		id := strings.TrimSpace(h.SoDinhDanh)
		if _, dup := byID[id]; !dup {
			byID[id] = it
		}
	}
	cards := make([]domain.InsuranceCard, len(ids))
	errs := make([]error, len(ids))
	for k, id := range ids {
		it, ok := byID[id]
		if !ok {
			errs[k] = badData(op, "ID missing from answer", nil)
			continue
		}
		cards[k], errs[k] = decodeItem(op, id, it)
	}
	return cards, errs, nil
}

func decodeItem(op upstream.Op, id string, raw json.RawMessage) (domain.InsuranceCard, error) {
	var h itemHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return domain.InsuranceCard{}, badData(op, "malformed element", err)
	}
	switch h.MaKetQua {
	case codeOK:
	case codeNotFound:
		return domain.InsuranceCard{}, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrNotFound, "maKetQua=001", nil)
	case codeInvalidID:
		return domain.InsuranceCard{}, domain.NewUpstreamError(op.Upstream, op.Name, domain.ErrRejected, "maKetQua=002", nil)
	default:
		return domain.InsuranceCard{}, badData(op, "element has an unknown maKetQua", nil)
	}
	var w itemWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return domain.InsuranceCard{}, badData(op, "malformed card", err)
	}
	card, err := mapCard(w)
	if err != nil {
		return domain.InsuranceCard{}, badData(op, err.Error(), err)
	}
	card.HolderID = id
	return card, nil
}

// fieldError names the wire field that could not be read; it never carries
// the value.
type fieldError struct {
	Field  string
	Reason string
	Err    error
}

func (e *fieldError) Error() string { return "field " + e.Field + ": " + e.Reason }
func (e *fieldError) Unwrap() error { return e.Err }

func mapCard(w itemWire) (domain.InsuranceCard, error) {
	var c domain.InsuranceCard

	social := strings.TrimSpace(w.MaSoBhxh)
	if social != "" && !isDigits(social, 10) {
		return c, &fieldError{Field: "maSoBhxh", Reason: "want 10 digits"}
	}
	code := strings.ToUpper(strings.Join(strings.Fields(w.MaThe), ""))
	switch {
	case code == "":
	case isDigits(code, 10):
		// A new card: its code is the social number itself.
		if social != "" && social != code {
			return c, &fieldError{Field: "maThe", Reason: "differs from maSoBhxh"}
		}
		social, code = code, ""
	case isOldCardCode(code):
		if social != "" && social != code[5:] {
			return c, &fieldError{Field: "maThe", Reason: "number differs from maSoBhxh"}
		}
		social = code[5:]
	default:
		return c, &fieldError{Field: "maThe", Reason: "want 15 characters XX Y ZZ NNNNNNNNNN or 10 digits"}
	}
	if social == "" {
		return c, &fieldError{Field: "maSoBhxh", Reason: "missing"}
	}
	c.CardCode, c.SocialNumber = code, social

	name := vntext.Normalize(w.HoTen)
	if name == "" {
		return c, &fieldError{Field: "hoTen", Reason: "empty"}
	}
	if isAllCaps(name) {
		name = vntext.TitleCase(name)
	}
	c.HolderName = name

	var err error
	if c.BirthDate, err = vntext.ParseDMY(w.NgaySinh); err != nil {
		return c, &fieldError{Field: "ngaySinh", Reason: "not a date", Err: err}
	}
	switch n, ok := wireInt(w.GioiTinh); {
	case ok && n == 1:
		c.Sex = domain.SexMale
	case ok && n == 2:
		c.Sex = domain.SexFemale
	default:
		return c, &fieldError{Field: "gioiTinh", Reason: "want 1 or 2"}
	}

	// On an old card the group and benefit level are part of the code; the
	// separate fields may be omitted, but must not contradict it.
	group := strings.ToUpper(strings.TrimSpace(w.MaDoiTuong))
	if group == "" && code != "" {
		group = code[:2]
	}
	if !isLetters(group, 2) {
		return c, &fieldError{Field: "maDoiTuong", Reason: "want 2 letters"}
	}
	if code != "" && group != code[:2] {
		return c, &fieldError{Field: "maDoiTuong", Reason: "differs from maThe"}
	}
	c.GroupCode = group

	level, ok := wireInt(w.MucHuong)
	if isAbsent(w.MucHuong) && code != "" {
		level, ok = int(code[2]-'0'), true
	}
	if !ok || level < 1 || level > 5 {
		return c, &fieldError{Field: "mucHuong", Reason: "want 1 to 5"}
	}
	if code != "" && level != int(code[2]-'0') {
		return c, &fieldError{Field: "mucHuong", Reason: "differs from maThe"}
	}
	c.BenefitLevel = level

	if c.ProvinceCode = strings.TrimSpace(w.MaTinh); !isDigits(c.ProvinceCode, 2) {
		return c, &fieldError{Field: "maTinh", Reason: "want 2 digits"}
	}
	if c.ValidFrom, err = fullDate("gtTheTu", w.GtTheTu); err != nil {
		return c, err
	}
	if c.ValidTo, err = fullDate("gtTheDen", w.GtTheDen); err != nil {
		return c, err
	}
	if c.ValidTo.Time().Before(c.ValidFrom.Time()) {
		return c, &fieldError{Field: "gtTheDen", Reason: "before gtTheTu"}
	}
	if c.ClinicCode = strings.ToUpper(strings.TrimSpace(w.MaDKBD)); !isClinicCode(c.ClinicCode) {
		return c, &fieldError{Field: "maDKBD", Reason: "want 1 to 10 letters or digits"}
	}
	c.ClinicName = vntext.Normalize(w.TenDKBD)
	if strings.TrimSpace(w.ThoiDiemDu5Nam) != "" {
		if c.FiveYearsSince, err = fullDate("thoiDiemDu5Nam", w.ThoiDiemDu5Nam); err != nil {
			return c, err
		}
	}
	return c, nil
}

// fullDate reads a day-precise dd/MM/yyyy date (single-digit day and month
// tolerated); validity dates are never year-only.
func fullDate(field, s string) (domain.Date, error) {
	d, err := vntext.ParseDMY(s)
	if err != nil {
		return domain.Date{}, &fieldError{Field: field, Reason: "not a date", Err: err}
	}
	if d.YearOnly() {
		return domain.Date{}, &fieldError{Field: field, Reason: "year only"}
	}
	return d, nil
}

// wireInt reads a small integer sent as a JSON number or, as some VSS
// endpoints do, as a numeric string.
func wireInt(raw json.RawMessage) (int, bool) {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// isOldCardCode checks "XX Y ZZ NNNNNNNNNN" without spaces: group letters,
// benefit level 1-5, two-digit province, ten-digit social number.
func isOldCardCode(s string) bool {
	return len(s) == 15 && isLetters(s[:2], 2) && s[2] >= '1' && s[2] <= '5' && isDigits(s[3:], 12)
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isClinicCode(s string) bool {
	if len(s) == 0 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isAllCaps reports a name typed in capitals (it has letters and no
// lower-case ones), which VSS stores for some cards as printed on them.
func isAllCaps(s string) bool {
	return s == strings.ToUpper(s) && s != strings.ToLower(s)
}
