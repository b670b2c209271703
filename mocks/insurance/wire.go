package insurance

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

const apiVersion = "1.4.2"

// Result codes (maKetQua). Codes below 100 are business outcomes answered
// with HTTP 200; the three-digit HTTP-like codes come with the matching HTTP
// status from the gateway.
const (
	codeOK          = "000" // thành công
	codeNotFound    = "001" // per ID: no card for this ID
	codeInvalidID   = "002" // per ID: not a 12-digit số định danh
	codeBadRequest  = "003" // malformed body, empty list, bad maYeuCau (HTTP 200)
	codeTooMany     = "004" // more than MaxBatch IDs (HTTP 200)
	codeAuth        = "401" // missing or wrong API key (HTTP 401)
	codeNoRoute     = "404" // unknown path (HTTP 404)
	codeMethod      = "405" // wrong method (HTTP 405)
	codeRateLimited = "429" // quota exceeded (HTTP 429, Retry-After)
	codeSystem      = "500" // internal error (HTTP 500)
	codeMaintenance = "503" // maintenance / outage (HTTP 503)
	codeTimeout     = "504" // backend timed out (HTTP 504)
)

const (
	msgOK           = "Thành công"
	msgHealthy      = "Hệ thống hoạt động bình thường"
	msgNotFound     = "Không tìm thấy thông tin thẻ BHYT"
	msgInvalidID    = "Số định danh cá nhân không hợp lệ"
	msgBadBody      = "Dữ liệu yêu cầu không hợp lệ"
	msgBadRequestID = "Mã yêu cầu không hợp lệ"
	msgNoIDs        = "Danh sách số định danh không được để trống"
	msgTooMany      = "Vượt quá số lượng tra cứu tối đa (100 số định danh mỗi yêu cầu)"
	msgNoKey        = "Thiếu khóa API"
	msgBadKey       = "Sai khóa API"
	msgNoRoute      = "Không tìm thấy tài nguyên"
	msgMethod       = "Phương thức không được hỗ trợ"
	msgRateLimited  = "Vượt quá hạn mức truy cập, vui lòng thử lại sau"
	msgSystem       = "Lỗi hệ thống"
	msgMaintenance  = "Hệ thống đang bảo trì, vui lòng thử lại sau"
	msgTimeout      = "Hết thời gian xử lý yêu cầu"
)

// Timestamps are Vietnam local time (UTC+7, no daylight saving); a fixed zone
// avoids depending on the host's tzdata.
var vnZone = time.FixedZone("ICT", 7*60*60)

const timestampLayout = "02/01/2006 15:04:05"

// envelope is every answer's outer shape.
type envelope struct {
	MaKetQua  string `json:"maKetQua"`
	ThongDiep string `json:"thongDiep"`
	MaYeuCau  string `json:"maYeuCau,omitempty"`
	ThoiGian  string `json:"thoiGian"`
	DuLieu    any    `json:"duLieu"`
}

type lookupRequest struct {
	MaYeuCau     string   `json:"maYeuCau"`
	DsSoDinhDanh []string `json:"dsSoDinhDanh"`
}

type healthData struct {
	TrangThai string `json:"trangThai"`
	PhienBan  string `json:"phienBan"`
}

// cardResult is one element of duLieu: the ID asked for, its own result code
// and, when found, the card's fields flattened in (as VSS's card check does).
type cardResult struct {
	SoDinhDanh string `json:"soDinhDanh"`
	MaKetQua   string `json:"maKetQua"`
	ThongDiep  string `json:"thongDiep"`
	*cardInfo
}

type cardInfo struct {
	MaThe          string `json:"maThe"`    // 15-character code on old cards, the 10-digit social number on new ones
	MaSoBhxh       string `json:"maSoBhxh"` // 10-digit social insurance number
	HoTen          string `json:"hoTen"`
	NgaySinh       string `json:"ngaySinh"` // dd/MM/yyyy, or yyyy when only the year is registered
	GioiTinh       int    `json:"gioiTinh"` // 1 Nam, 2 Nữ
	MaDoiTuong     string `json:"maDoiTuong"`
	MucHuong       int    `json:"mucHuong"`
	MaTinh         string `json:"maTinh"`
	GtTheTu        string `json:"gtTheTu"`
	GtTheDen       string `json:"gtTheDen"`
	MaDKBD         string `json:"maDKBD"`
	TenDKBD        string `json:"tenDKBD"`
	ThoiDiemDu5Nam string `json:"thoiDiemDu5Nam"` // "" until five consecutive years are reached
}

// quirk is a kind of untidiness found in a small share of real VSS records.
type quirk int

const (
	quirkNone          quirk = iota
	quirkUpperName           // name stored in ALL CAPS, as printed on the card
	quirkUnpaddedDate        // dates typed as d/M/yyyy ("1/2/1980")
	quirkTrailingSpace       // stray trailing space after the name and clinic name
	quirkLowerCardCode       // old card code entered in lower case
	quirkKinds
)

// quirkPerMille is the share of cards (per thousand) that carry a quirk.
const quirkPerMille = 5

// quirkFor decides, from the population seed and the ID alone, whether and
// how a card is untidy: the same card is always untidy the same way, as a
// stored record would be.
func quirkFor(seed uint64, id string) quirk {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "bhyt-quirk|%d|%s", seed, id)
	v := h.Sum64()
	if v%1000 >= quirkPerMille {
		return quirkNone
	}
	return quirk(1 + (v/1000)%uint64(quirkKinds-1))
}

// String names the quirk as UntidyKind reports it.
func (q quirk) String() string {
	switch q {
	case quirkUpperName:
		return "UPPER_NAME"
	case quirkUnpaddedDate:
		return "UNPADDED_DATE"
	case quirkTrailingSpace:
		return "TRAILING_SPACE"
	case quirkLowerCardCode:
		return "LOWER_CARD_CODE"
	}
	return ""
}

// effective is the quirk a card actually shows: a new card has no letters
// in its code to lower, so such records are untidy in the name instead.
func (q quirk) effective(c domain.InsuranceCard) quirk {
	if q == quirkLowerCardCode && c.CardCode == "" {
		return quirkUpperName
	}
	return q
}

// renderCard writes a card the way VSS stores it, with the given quirk.
func renderCard(c domain.InsuranceCard, q quirk) cardInfo {
	q = q.effective(c)
	dmy := formatDMY
	if q == quirkUnpaddedDate {
		dmy = formatDMYUnpadded
	}
	code := c.CardCode
	if code == "" {
		// New cards carry the social number as their code.
		code = c.SocialNumber
	}
	info := cardInfo{
		MaThe:          code,
		MaSoBhxh:       c.SocialNumber,
		HoTen:          c.HolderName,
		NgaySinh:       dmy(c.BirthDate),
		GioiTinh:       sexCode(c.Sex),
		MaDoiTuong:     c.GroupCode,
		MucHuong:       c.BenefitLevel,
		MaTinh:         c.ProvinceCode,
		GtTheTu:        dmy(c.ValidFrom),
		GtTheDen:       dmy(c.ValidTo),
		MaDKBD:         c.ClinicCode,
		TenDKBD:        c.ClinicName,
		ThoiDiemDu5Nam: dmy(c.FiveYearsSince),
	}
	switch q {
	case quirkUpperName:
		info.HoTen = strings.ToUpper(info.HoTen)
	case quirkTrailingSpace:
		info.HoTen += " "
		info.TenDKBD += " "
	case quirkLowerCardCode:
		info.MaThe = strings.ToLower(info.MaThe)
	}
	return info
}

func sexCode(s domain.Sex) int {
	switch s {
	case domain.SexMale:
		return 1
	case domain.SexFemale:
		return 2
	}
	return 0
}

func formatDMY(d domain.Date) string {
	switch {
	case d.IsZero():
		return ""
	case d.YearOnly():
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

func formatDMYUnpadded(d domain.Date) string {
	if d.IsZero() || d.YearOnly() {
		return formatDMY(d)
	}
	return strconv.Itoa(d.Day) + "/" + strconv.Itoa(int(d.Month)) + "/" + strconv.Itoa(d.Year)
}

func isPersonalID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// echoID returns s when it is short plain ASCII worth echoing for alignment,
// "" otherwise.
func echoID(s string) string {
	if s == "" || len(s) > 20 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return ""
		}
	}
	return s
}

// validRequestID accepts an absent maYeuCau or up to 64 characters of
// [A-Za-z0-9._-], since it is echoed back.
func validRequestID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
