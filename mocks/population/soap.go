package population

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

const (
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
)

// SOAP 1.1 fault codes, with the prefix the envelope binds.
const (
	faultClient          = "soap:Client"
	faultServer          = "soap:Server"
	faultVersionMismatch = "soap:VersionMismatch"
	faultMustUnderstand  = "soap:MustUnderstand"
)

// ---- requests ----

// requestHeader holds the fields every request carries. Element names are
// namespace-qualified (elementFormDefault="qualified"): unqualified elements
// are not these fields.
type requestHeader struct {
	MaYeuCau  string `xml:"http://dancuquocgia.bca MaYeuCau"`
	MaDVC     string `xml:"http://dancuquocgia.bca MaDVC"`
	MaTichHop string `xml:"http://dancuquocgia.bca MaTichHop"`
	MaDonVi   string `xml:"http://dancuquocgia.bca MaDonVi"`
	MaCanBo   string `xml:"http://dancuquocgia.bca MaCanBo"`
}

type lookupRequest struct {
	requestHeader
	SoDinhDanh       string `xml:"http://dancuquocgia.bca SoDinhDanh"`
	SoCMND           string `xml:"http://dancuquocgia.bca SoCMND"`
	HoVaTen          string `xml:"http://dancuquocgia.bca HoVaTen"`
	NgayThangNamSinh string `xml:"http://dancuquocgia.bca NgayThangNamSinh"`
}

type verifyRequest struct {
	requestHeader
	SoDinhDanh       string `xml:"http://dancuquocgia.bca SoDinhDanh"`
	SoCMND           string `xml:"http://dancuquocgia.bca SoCMND"`
	HoVaTen          string `xml:"http://dancuquocgia.bca HoVaTen"`
	GioiTinh         string `xml:"http://dancuquocgia.bca GioiTinh"`
	NgayThangNamSinh string `xml:"http://dancuquocgia.bca NgayThangNamSinh"`
}

type countRequest struct {
	requestHeader
	MaDonViHanhChinh string `xml:"http://dancuquocgia.bca MaDonViHanhChinh"`
}

type anyElement struct {
	XMLName        xml.Name
	MustUnderstand string `xml:"http://schemas.xmlsoap.org/soap/envelope/ mustUnderstand,attr"`
}

type requestEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Header  *struct {
		Blocks []anyElement `xml:",any"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	Body *struct {
		Lookup *lookupRequest `xml:"http://dancuquocgia.bca TraCuuThongTinCongDan"`
		Verify *verifyRequest `xml:"http://dancuquocgia.bca XacThucThongTinCongDan"`
		Count  *countRequest  `xml:"http://dancuquocgia.bca ThongKeDanSo"`
		Other  []anyElement   `xml:",any"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// request is one parsed request: op names which of the three is set.
type request struct {
	op     string
	lookup *lookupRequest
	verify *verifyRequest
	count  *countRequest
}

func (r *request) header() requestHeader {
	switch {
	case r.lookup != nil:
		return r.lookup.requestHeader
	case r.verify != nil:
		return r.verify.requestHeader
	case r.count != nil:
		return r.count.requestHeader
	}
	return requestHeader{}
}

func malformed(why string) *fault {
	return &fault{code: faultClient, maLoi: ErrCodeMalformed, moTa: "Yêu cầu không đúng định dạng: " + why}
}

// parseRequest reads a SOAP 1.1 request envelope. It never panics: anything
// that is not exactly one known operation in a well-formed SOAP 1.1 envelope
// is a client fault.
func parseRequest(body []byte) (*request, *fault) {
	if f := checkWellFormed(body); f != nil {
		return nil, f
	}
	var env requestEnvelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, malformed("không phải SOAP 1.1 Envelope")
	}
	if env.Header != nil {
		for _, b := range env.Header.Blocks {
			if b.MustUnderstand == "1" || b.MustUnderstand == "true" {
				return nil, &fault{code: faultMustUnderstand, maLoi: ErrCodeMalformed,
					moTa: "Không hỗ trợ khối tiêu đề SOAP bắt buộc: " + safeName(b.XMLName.Local)}
			}
		}
	}
	if env.Body == nil {
		return nil, malformed("thiếu soap:Body")
	}
	b := env.Body
	req := &request{lookup: b.Lookup, verify: b.Verify, count: b.Count}
	n := 0
	if b.Lookup != nil {
		n, req.op = n+1, OpLookup
		trimAll(&b.Lookup.requestHeader, &b.Lookup.SoDinhDanh, &b.Lookup.SoCMND, &b.Lookup.HoVaTen, &b.Lookup.NgayThangNamSinh)
	}
	if b.Verify != nil {
		n, req.op = n+1, OpVerify
		trimAll(&b.Verify.requestHeader, &b.Verify.SoDinhDanh, &b.Verify.SoCMND, &b.Verify.HoVaTen,
			&b.Verify.GioiTinh, &b.Verify.NgayThangNamSinh)
	}
	if b.Count != nil {
		n, req.op = n+1, OpCount
		trimAll(&b.Count.requestHeader, &b.Count.MaDonViHanhChinh)
	}
	switch {
	case n+len(b.Other) == 0:
		return nil, malformed("soap:Body rỗng")
	case len(b.Other) > 0 && n == 0:
		return nil, malformed("thao tác không được hỗ trợ")
	case n+len(b.Other) > 1:
		return nil, malformed("soap:Body chỉ được chứa một thao tác")
	}
	return req, nil
}

func trimAll(h *requestHeader, fields ...*string) {
	for _, p := range []*string{&h.MaYeuCau, &h.MaDVC, &h.MaTichHop, &h.MaDonVi, &h.MaCanBo} {
		*p = strings.TrimSpace(*p)
	}
	for _, p := range fields {
		*p = strings.TrimSpace(*p)
	}
}

// safeName keeps an element name from the request fit to echo in a fault.
func safeName(s string) string {
	if len(s) > 64 || !isCode(s) {
		return "?"
	}
	return s
}

// checkWellFormed walks the tokens once: SOAP forbids DTDs, the root must be
// a SOAP 1.1 Envelope, and nothing but whitespace, comments and processing
// instructions may follow it.
func checkWellFormed(body []byte) *fault {
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return malformed("XML không hợp lệ")
		}
		switch t := tok.(type) {
		case xml.Directive:
			return malformed("không chấp nhận DTD")
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return malformed("có nội dung sau Envelope")
				}
				if t.Name.Local != "Envelope" {
					return malformed("phần tử gốc phải là soap:Envelope")
				}
				if t.Name.Space == nsSOAP12 {
					return &fault{code: faultVersionMismatch, maLoi: ErrCodeMalformed,
						moTa: "Dịch vụ chỉ hỗ trợ SOAP 1.1"}
				}
				if t.Name.Space != nsSOAP11 {
					return malformed("sai không gian tên của soap:Envelope")
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return malformed("có văn bản ngoài Envelope")
			}
		}
	}
	if roots == 0 {
		return malformed("thiếu soap:Envelope")
	}
	return nil
}

// ---- responses ----

// responseEnvelope is written with literal prefixes: encoding/xml has no
// prefix control, and every SOAP client expects soap:Envelope.
type responseEnvelope struct {
	XMLName   xml.Name `xml:"soap:Envelope"`
	XmlnsSoap string   `xml:"xmlns:soap,attr"`
	Body      struct {
		Content any
	} `xml:"soap:Body"`
}

// resultHeader opens every result.
type resultHeader struct {
	MaYeuCau        string `xml:"MaYeuCau"`
	MaKetQua        string `xml:"MaKetQua"`
	MoTaKetQua      string `xml:"MoTaKetQua"`
	ThoiGianPhanHoi string `xml:"ThoiGianPhanHoi"`
}

type lookupResponse struct {
	XMLName xml.Name     `xml:"TraCuuThongTinCongDanResponse"`
	Xmlns   string       `xml:"xmlns,attr"`
	Result  lookupResult `xml:"TraCuuThongTinCongDanResult"`
}

type lookupResult struct {
	resultHeader
	CongDan *congDan `xml:"CongDan,omitempty"`
}

type congDan struct {
	SoDinhDanh       string  `xml:"SoDinhDanh"`
	SoCMND           string  `xml:"SoCMND"`
	HoVaTen          hoVaTen `xml:"HoVaTen"`
	GioiTinh         string  `xml:"GioiTinh"`
	NgayThangNamSinh string  `xml:"NgayThangNamSinh"`
	QuocTich         string  `xml:"QuocTich"`
	DanToc           string  `xml:"DanToc"`
	NoiThuongTru     diaChi  `xml:"NoiThuongTru"`
	NoiOHienTai      diaChi  `xml:"NoiOHienTai"`
}

type hoVaTen struct {
	Ho     string `xml:"Ho"`
	ChuDem string `xml:"ChuDem"`
	Ten    string `xml:"Ten"`
}

type diaChi struct {
	ChiTiet string `xml:"ChiTiet"`
	MaXa    string `xml:"MaXa"`
	TenXa   string `xml:"TenXa"`
	MaTinh  string `xml:"MaTinh"`
	TenTinh string `xml:"TenTinh"`
}

type verifyResponse struct {
	XMLName xml.Name     `xml:"XacThucThongTinCongDanResponse"`
	Xmlns   string       `xml:"xmlns,attr"`
	Result  verifyResult `xml:"XacThucThongTinCongDanResult"`
}

type verifyResult struct {
	resultHeader
	KetQuaXacThuc *ketQuaXacThuc `xml:"KetQuaXacThuc,omitempty"`
}

type ketQuaXacThuc struct {
	KetQuaSoDinhDanh bool `xml:"KetQuaSoDinhDanh"`
	KetQuaHoTen      bool `xml:"KetQuaHoTen"`
	KetQuaGioiTinh   bool `xml:"KetQuaGioiTinh"`
	KetQuaNgaySinh   bool `xml:"KetQuaNgaySinh"`
	KetQuaTongHop    bool `xml:"KetQuaTongHop"`
}

type countResponse struct {
	XMLName xml.Name    `xml:"ThongKeDanSoResponse"`
	Xmlns   string      `xml:"xmlns,attr"`
	Result  countResult `xml:"ThongKeDanSoResult"`
}

type countResult struct {
	resultHeader
	ThongKe *thongKe `xml:"ThongKe,omitempty"`
}

type thongKe struct {
	MaDonViHanhChinh  string     `xml:"MaDonViHanhChinh"`
	TenDonViHanhChinh string     `xml:"TenDonViHanhChinh"`
	NgayThongKe       string     `xml:"NgayThongKe"`
	TongSo            int64      `xml:"TongSo"`
	NhomTuoi          []nhomTuoi `xml:"DanhSachNhomTuoi>NhomTuoi"`
}

type nhomTuoi struct {
	TuTuoi  int   `xml:"TuTuoi"`
	DenTuoi *int  `xml:"DenTuoi,omitempty"` // inclusive; absent for the open-ended band
	SoLuong int64 `xml:"SoLuong"`
}

// fault is a SOAP fault the service answers with.
type fault struct {
	status   int    // HTTP status; 0 means 500 as SOAP 1.1 requires
	code     string // faultcode
	maLoi    string
	moTa     string
	maYeuCau string // echoed when the request was readable
}

type faultXML struct {
	XMLName     xml.Name `xml:"soap:Fault"`
	FaultCode   string   `xml:"faultcode"`
	FaultString string   `xml:"faultstring"`
	Detail      struct {
		Loi loiDichVu `xml:"LoiDichVu"`
	} `xml:"detail"`
}

type loiDichVu struct {
	Xmlns    string `xml:"xmlns,attr"`
	MaLoi    string `xml:"MaLoi"`
	MoTaLoi  string `xml:"MoTaLoi"`
	MaYeuCau string `xml:"MaYeuCau,omitempty"`
	ThoiGian string `xml:"ThoiGian"`
}

// timestamp is the service's clock in Indochina Time, the zone it stamps its answers in.
func (s *Server) timestamp() string {
	return s.now().In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02T15:04:05-07:00")
}

func (s *Server) writeFault(w http.ResponseWriter, f *fault) {
	status := f.status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	x := faultXML{FaultCode: f.code, FaultString: f.moTa}
	x.Detail.Loi = loiDichVu{Xmlns: Namespace, MaLoi: f.maLoi, MoTaLoi: f.moTa, MaYeuCau: f.maYeuCau, ThoiGian: s.timestamp()}
	s.writeEnvelope(w, status, x)
}

func (s *Server) writeEnvelope(w http.ResponseWriter, status int, content any) {
	env := responseEnvelope{XmlnsSoap: nsSOAP11}
	env.Body.Content = content
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(env); err != nil {
		// Only a programming error gets here; still answer in the wire format.
		buf.Reset()
		buf.WriteString(xml.Header + `<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><soap:Fault>` +
			`<faultcode>soap:Server</faultcode><faultstring>Lỗi hệ thống</faultstring></soap:Fault></soap:Body></soap:Envelope>`)
		status = http.StatusInternalServerError
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
