package population

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Result codes (MaKetQua).
const (
	resultFound    = "00"
	resultNotFound = "01"
	resultInvalid  = "02"
)

// isCredentialCode says whether a fault's MaLoi means the service refused our
// credentials (101 missing, 102 wrong) or our agency (103).
func isCredentialCode(maLoi string) bool { return maLoi == "101" || maLoi == "102" || maLoi == "103" }

func badData(o upstream.Op, reason string) error {
	return domain.NewUpstreamError(o.Upstream, o.Name, domain.ErrBadUpstreamData, reason, nil)
}

// openEnvelope turns a raw answer into its SOAP body, or into the typed error
// the answer stands for: a SOAP fault by its code, a non-SOAP answer by its
// HTTP status (a gateway or proxy spoke, not the service), anything else bad data.
func openEnvelope(o upstream.Op, raw rawResponse) (*responseEnvelope, error) {
	env, err := parseEnvelope(raw.body)
	if err != nil {
		if se := statusError(o, raw); se != nil {
			return nil, se
		}
		return nil, badData(o, fmt.Sprintf("HTTP %d, not a SOAP 1.1 envelope", raw.status))
	}
	if env.Body.Fault != nil {
		return nil, faultError(o, raw, env.Body.Fault)
	}
	if raw.status < 200 || raw.status > 299 {
		if se := statusError(o, raw); se != nil {
			return nil, se
		}
		return nil, badData(o, fmt.Sprintf("HTTP %d without a SOAP fault", raw.status))
	}
	return env, nil
}

func statusError(o upstream.Op, raw rawResponse) error {
	return upstream.StatusError(o, &http.Response{StatusCode: raw.status, Header: raw.header})
}

// faultError maps a SOAP fault: the gateway's rate limit and timeout keep
// their meaning, refused credentials and other client faults are rejections,
// server faults mean the service is unavailable.
func faultError(o upstream.Op, raw rawResponse, f *soapFault) error {
	code := f.FaultCode
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	code, _, _ = strings.Cut(strings.TrimSpace(code), ".")
	maLoi := strings.TrimSpace(f.MaLoi)
	reason := "SOAP fault " + safeCode(code) + " MaLoi=" + safeCode(maLoi)
	retryAfter := upstream.RetryAfter(raw.header.Get("Retry-After"), time.Now())
	var kind error
	switch {
	case raw.status == http.StatusTooManyRequests || maLoi == "429":
		kind = domain.ErrRateLimited
	case raw.status == http.StatusGatewayTimeout || maLoi == "504":
		kind = domain.ErrTimeout
	case isCredentialCode(maLoi):
		kind = domain.ErrRejected
	case code == "Server":
		kind = domain.ErrUnavailable
	case code == "Client" || code == "MustUnderstand" || code == "VersionMismatch":
		kind = domain.ErrRejected
	case raw.status >= 500:
		kind = domain.ErrUnavailable
	default:
		return badData(o, "SOAP fault with unknown faultcode")
	}
	e := domain.NewUpstreamError(o.Upstream, o.Name, kind, reason, nil)
	e.RetryAfter = retryAfter
	return e
}

// safeCode keeps a code from the wire fit for an error message.
func safeCode(s string) string {
	if s == "" || len(s) > 16 {
		return "?"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return "?"
		}
	}
	return s
}

// checkResult checks the echo of our MaYeuCau (an answer to someone else's
// request must never be used) and maps MaKetQua.
func checkResult(o upstream.Op, h resultHeader, requestID string) error {
	if strings.TrimSpace(h.MaYeuCau) != requestID {
		return badData(o, "MaYeuCau does not match the request")
	}
	switch code := strings.TrimSpace(h.MaKetQua); code {
	case resultFound:
		return nil
	case resultNotFound:
		return domain.NewUpstreamError(o.Upstream, o.Name, domain.ErrNotFound, "MaKetQua=01", nil)
	case resultInvalid:
		return domain.NewUpstreamError(o.Upstream, o.Name, domain.ErrRejected, "MaKetQua=02", nil)
	default:
		return badData(o, "unknown MaKetQua "+safeCode(code))
	}
}

// decodeLookup reads a TraCuuThongTinCongDan answer to the request requestID
// about requested (the 12-digit ID or 9-digit CMND asked for).
func decodeLookup(raw rawResponse, requestID, requested string) (domain.Person, error) {
	o := op(OpLookup)
	env, err := openEnvelope(o, raw)
	if err != nil {
		return domain.Person{}, err
	}
	if env.Body.Lookup == nil || env.Body.Lookup.Result == nil {
		return domain.Person{}, badData(o, "no TraCuuThongTinCongDanResult")
	}
	res := env.Body.Lookup.Result
	if err := checkResult(o, res.resultHeader, requestID); err != nil {
		return domain.Person{}, err
	}
	if res.CongDan == nil {
		return domain.Person{}, badData(o, "MaKetQua=00 without CongDan")
	}
	p, reason := toPerson(res.CongDan)
	if reason != "" {
		return domain.Person{}, badData(o, reason)
	}
	if p.ID != requested && p.OldID != requested {
		return domain.Person{}, badData(o, "CongDan is not the citizen asked for")
	}
	return p, nil
}

// toPerson maps and checks a CongDan; reason names the bad field, never its value.
func toPerson(c *congDan) (domain.Person, string) {
	p := domain.Person{
		ID:    strings.TrimSpace(c.SoDinhDanh),
		OldID: strings.TrimSpace(c.SoCMND),
		Name: domain.PersonName{
			Family: vntext.Normalize(c.HoVaTen.Ho),
			Middle: vntext.Normalize(c.HoVaTen.ChuDem),
			Given:  vntext.Normalize(c.HoVaTen.Ten),
		},
		Ethnicity: vntext.Normalize(c.DanToc),
	}
	if domain.ClassifyID(p.ID) != domain.IDPersonal {
		return p, "SoDinhDanh is not 12 digits"
	}
	// Some CMNDs issued 2012-2016 already had 12 digits.
	if p.OldID != "" && (len(p.OldID) != 9 && len(p.OldID) != 12 || !digits(p.OldID)) {
		return p, "SoCMND is not 9 or 12 digits"
	}
	if p.Name.Given == "" {
		return p, "HoVaTen has no Ten"
	}
	switch strings.TrimSpace(c.GioiTinh) {
	case "1":
		p.Sex = domain.SexMale
	case "2":
		p.Sex = domain.SexFemale
	case "0":
		p.Sex = domain.SexUnknown
	default:
		return p, "GioiTinh is not 0, 1 or 2"
	}
	d, err := vntext.ParseDMY(c.NgayThangNamSinh)
	if err != nil {
		return p, "NgayThangNamSinh is not dd/MM/yyyy or yyyy"
	}
	p.BirthDate = d
	nat := strings.ToUpper(strings.TrimSpace(c.QuocTich))
	if nat != "" && (len(nat) != 2 || nat[0] < 'A' || nat[0] > 'Z' || nat[1] < 'A' || nat[1] > 'Z') {
		return p, "QuocTich is not a 2-letter code"
	}
	p.Nationality = nat
	var ok bool
	if p.Permanent, ok = toAddress(c.NoiThuongTru); !ok {
		return p, "NoiThuongTru has a malformed unit code"
	}
	if p.Current, ok = toAddress(c.NoiOHienTai); !ok {
		return p, "NoiOHienTai has a malformed unit code"
	}
	return p, ""
}

func toAddress(a diaChi) (domain.Address, bool) {
	out := domain.Address{
		Detail:       vntext.Normalize(a.ChiTiet),
		CommuneCode:  strings.TrimSpace(a.MaXa),
		CommuneName:  vntext.Normalize(a.TenXa),
		ProvinceCode: strings.TrimSpace(a.MaTinh),
		ProvinceName: vntext.Normalize(a.TenTinh),
	}
	okCode := func(s string, n int) bool { return s == "" || len(s) == n && digits(s) }
	return out, okCode(out.CommuneCode, 5) && okCode(out.ProvinceCode, 2)
}

// decodeVerify reads a XacThucThongTinCongDan answer.
func decodeVerify(raw rawResponse, requestID string) (domain.VerifyResult, error) {
	o := op(OpVerify)
	env, err := openEnvelope(o, raw)
	if err != nil {
		return domain.VerifyResult{}, err
	}
	if env.Body.Verify == nil || env.Body.Verify.Result == nil {
		return domain.VerifyResult{}, badData(o, "no XacThucThongTinCongDanResult")
	}
	res := env.Body.Verify.Result
	if err := checkResult(o, res.resultHeader, requestID); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.VerifyResult{Outcome: domain.VerifyNotFound}, nil
		}
		return domain.VerifyResult{}, err
	}
	k := res.KetQuaXacThuc
	if k == nil {
		return domain.VerifyResult{}, badData(o, "MaKetQua=00 without KetQuaXacThuc")
	}
	fields := make(map[domain.IdentityField]bool, len(domain.IdentityFields))
	all := true
	for _, f := range []struct {
		field domain.IdentityField
		value string
	}{
		{domain.FieldID, k.KetQuaSoDinhDanh},
		{domain.FieldFullName, k.KetQuaHoTen},
		{domain.FieldSex, k.KetQuaGioiTinh},
		{domain.FieldBirthDate, k.KetQuaNgaySinh},
	} {
		v, ok := parseBool(f.value)
		if !ok {
			return domain.VerifyResult{}, badData(o, "KetQuaXacThuc field is not a boolean")
		}
		fields[f.field] = v
		all = all && v
	}
	overall, ok := parseBool(k.KetQuaTongHop)
	if !ok || overall != all {
		return domain.VerifyResult{}, badData(o, "KetQuaTongHop missing or inconsistent with the fields")
	}
	out := domain.VerifyResult{Outcome: domain.VerifyMismatch, Fields: fields}
	if all {
		out.Outcome = domain.VerifyMatch
	}
	return out, nil
}

// parseBool reads the xsd:boolean lexical forms.
func parseBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// decodeCounts reads a ThongKeDanSo answer for unit and folds its age groups
// into domain.StandardAgeBands (a finer breakdown is summed; a group that
// straddles two standard bands cannot be and is bad data).
func decodeCounts(raw rawResponse, requestID, unit string) ([]domain.PopulationCount, error) {
	o := op(OpCount)
	env, err := openEnvelope(o, raw)
	if err != nil {
		return nil, err
	}
	if env.Body.Count == nil || env.Body.Count.Result == nil {
		return nil, badData(o, "no ThongKeDanSoResult")
	}
	res := env.Body.Count.Result
	if err := checkResult(o, res.resultHeader, requestID); err != nil {
		return nil, err
	}
	tk := res.ThongKe
	if tk == nil {
		return nil, badData(o, "MaKetQua=00 without ThongKe")
	}
	if strings.TrimSpace(tk.MaDonViHanhChinh) != unit {
		return nil, badData(o, "ThongKe is not about the unit asked for")
	}
	type group struct {
		band  domain.AgeBand
		count int64
	}
	groups := make([]group, 0, len(tk.NhomTuoi))
	for _, g := range tk.NhomTuoi {
		from, err1 := strconv.Atoi(strings.TrimSpace(g.TuTuoi))
		n, err2 := strconv.ParseInt(strings.TrimSpace(g.SoLuong), 10, 64)
		if err1 != nil || err2 != nil || from < 0 || from > 200 || n < 0 {
			return nil, badData(o, "NhomTuoi with a malformed TuTuoi or SoLuong")
		}
		b := domain.AgeBand{Min: from}
		if g.DenTuoi != nil {
			to, err := strconv.Atoi(strings.TrimSpace(*g.DenTuoi))
			if err != nil || to < from || to > 200 {
				return nil, badData(o, "NhomTuoi with a malformed DenTuoi")
			}
			b.Max = to + 1
		}
		groups = append(groups, group{b, n})
	}
	slices.SortFunc(groups, func(a, b group) int { return a.band.Min - b.band.Min })
	counts := make([]domain.PopulationCount, len(domain.StandardAgeBands))
	for i, b := range domain.StandardAgeBands {
		counts[i] = domain.PopulationCount{AdminUnit: unit, AgeBand: b}
	}
	var total int64
	for i, g := range groups {
		if i > 0 {
			prev := groups[i-1].band
			if prev.Max == 0 || g.band.Min < prev.Max {
				return nil, badData(o, "overlapping NhomTuoi")
			}
		}
		k := slices.IndexFunc(domain.StandardAgeBands, func(s domain.AgeBand) bool {
			return g.band.Min >= s.Min && (s.Max == 0 || g.band.Max != 0 && g.band.Max <= s.Max)
		})
		if k < 0 {
			return nil, badData(o, "NhomTuoi straddles the standard age bands")
		}
		if g.count > math.MaxInt64-total {
			return nil, badData(o, "NhomTuoi counts overflow")
		}
		counts[k].Count += g.count
		total += g.count
	}
	if ts := strings.TrimSpace(tk.TongSo); ts != "" {
		if n, err := strconv.ParseInt(ts, 10, 64); err != nil || n != total {
			return nil, badData(o, "TongSo is not the sum of NhomTuoi")
		}
	}
	return counts, nil
}
