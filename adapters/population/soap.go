package population

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
)

const nsSOAP = "http://schemas.xmlsoap.org/soap/envelope/"

// ---- requests (marshalled: literal "soap:" prefix, as every SOAP stack
// expects it and encoding/xml cannot choose prefixes) ----

type requestEnvelope struct {
	XMLName   xml.Name `xml:"soap:Envelope"`
	XmlnsSoap string   `xml:"xmlns:soap,attr"`
	Body      struct {
		Content any
	} `xml:"soap:Body"`
}

type requestHeader struct {
	MaYeuCau  string `xml:"MaYeuCau"`
	MaDVC     string `xml:"MaDVC"`
	MaTichHop string `xml:"MaTichHop"`
	MaDonVi   string `xml:"MaDonVi"`
	MaCanBo   string `xml:"MaCanBo"`
}

type lookupRequest struct {
	XMLName xml.Name `xml:"TraCuuThongTinCongDan"`
	Xmlns   string   `xml:"xmlns,attr"`
	requestHeader
	SoDinhDanh string `xml:"SoDinhDanh,omitempty"`
	SoCMND     string `xml:"SoCMND,omitempty"`
}

type verifyRequest struct {
	XMLName xml.Name `xml:"XacThucThongTinCongDan"`
	Xmlns   string   `xml:"xmlns,attr"`
	requestHeader
	SoDinhDanh       string `xml:"SoDinhDanh,omitempty"`
	SoCMND           string `xml:"SoCMND,omitempty"`
	HoVaTen          string `xml:"HoVaTen"`
	GioiTinh         string `xml:"GioiTinh"`
	NgayThangNamSinh string `xml:"NgayThangNamSinh"`
}

type countRequest struct {
	XMLName xml.Name `xml:"ThongKeDanSo"`
	Xmlns   string   `xml:"xmlns,attr"`
	requestHeader
	MaDonViHanhChinh string `xml:"MaDonViHanhChinh"`
}

// encodeEnvelope marshals a request: encoding/xml escapes every value, so no
// caller text is ever spliced into markup.
func encodeEnvelope(payload any) ([]byte, error) {
	env := requestEnvelope{XmlnsSoap: nsSOAP}
	env.Body.Content = payload
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(env); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// rawResponse is what came back: decoding is separate from the call so that
// the decoders can be fuzzed without a network.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) call(ctx context.Context, name string, payload any) (rawResponse, error) {
	o := op(name)
	body, err := encodeEnvelope(payload)
	if err != nil {
		return rawResponse{}, &domain.InputError{Field: "request", Reason: "cannot be encoded as XML"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return rawResponse{}, domain.NewUpstreamError(o.Upstream, o.Name, domain.ErrUnavailable, "building request", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+Namespace+"/"+name+`"`)
	req.Header.Set("Accept", "text/xml")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.cfg.Username+":"+c.cfg.Password)))
	req.Header.Set(HeaderClient, c.cfg.AgencyCode)
	resp, err := c.caller.DoRaw(ctx, o, req)
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	data, err := upstream.ReadBody(o, resp.Body, maxResponseBytes)
	if err != nil {
		// An oversized or broken body on a 429/5xx is that status, not bad data.
		if se := upstream.StatusError(o, resp); se != nil {
			return rawResponse{}, se
		}
		return rawResponse{}, err
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// ---- responses (unmarshalled: envelope and operation element are checked
// by namespace; fields inside are matched by local name) ----

type responseEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    *struct {
		Fault  *soapFault      `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		Lookup *lookupResponse `xml:"http://dancuquocgia.bca TraCuuThongTinCongDanResponse"`
		Verify *verifyResponse `xml:"http://dancuquocgia.bca XacThucThongTinCongDanResponse"`
		Count  *countResponse  `xml:"http://dancuquocgia.bca ThongKeDanSoResponse"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type soapFault struct {
	FaultCode   string `xml:"faultcode"`
	FaultString string `xml:"faultstring"`
	MaLoi       string `xml:"detail>LoiDichVu>MaLoi"`
}

type resultHeader struct {
	MaYeuCau   string `xml:"MaYeuCau"`
	MaKetQua   string `xml:"MaKetQua"`
	MoTaKetQua string `xml:"MoTaKetQua"`
}

type lookupResponse struct {
	Result *struct {
		resultHeader
		CongDan *congDan `xml:"CongDan"`
	} `xml:"TraCuuThongTinCongDanResult"`
}

type congDan struct {
	SoDinhDanh string `xml:"SoDinhDanh"`
	SoCMND     string `xml:"SoCMND"`
	HoVaTen    struct {
		Ho     string `xml:"Ho"`
		ChuDem string `xml:"ChuDem"`
		Ten    string `xml:"Ten"`
	} `xml:"HoVaTen"`
	GioiTinh         string `xml:"GioiTinh"`
	NgayThangNamSinh string `xml:"NgayThangNamSinh"`
	QuocTich         string `xml:"QuocTich"`
	DanToc           string `xml:"DanToc"`
	NoiThuongTru     diaChi `xml:"NoiThuongTru"`
	NoiOHienTai      diaChi `xml:"NoiOHienTai"`
}

type diaChi struct {
	ChiTiet string `xml:"ChiTiet"`
	MaXa    string `xml:"MaXa"`
	TenXa   string `xml:"TenXa"`
	MaTinh  string `xml:"MaTinh"`
	TenTinh string `xml:"TenTinh"`
}

type verifyResponse struct {
	Result *struct {
		resultHeader
		KetQuaXacThuc *struct {
			KetQuaSoDinhDanh string `xml:"KetQuaSoDinhDanh"`
			KetQuaHoTen      string `xml:"KetQuaHoTen"`
			KetQuaGioiTinh   string `xml:"KetQuaGioiTinh"`
			KetQuaNgaySinh   string `xml:"KetQuaNgaySinh"`
			KetQuaTongHop    string `xml:"KetQuaTongHop"`
		} `xml:"KetQuaXacThuc"`
	} `xml:"XacThucThongTinCongDanResult"`
}

type countResponse struct {
	Result *struct {
		resultHeader
		ThongKe *struct {
			MaDonViHanhChinh string `xml:"MaDonViHanhChinh"`
			TongSo           string `xml:"TongSo"`
			NhomTuoi         []struct {
				TuTuoi  string  `xml:"TuTuoi"`
				DenTuoi *string `xml:"DenTuoi"`
				SoLuong string  `xml:"SoLuong"`
			} `xml:"DanhSachNhomTuoi>NhomTuoi"`
		} `xml:"ThongKe"`
	} `xml:"ThongKeDanSoResult"`
}

var errNotSOAP = errors.New("not a SOAP 1.1 envelope")

// parseEnvelope reads one SOAP 1.1 envelope: no DTD, nothing but
// whitespace, comments and processing instructions around it.
func parseEnvelope(body []byte) (*responseEnvelope, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var start *xml.StartElement
	for start == nil {
		tok, err := dec.Token()
		if err != nil {
			return nil, errNotSOAP
		}
		switch t := tok.(type) {
		case xml.StartElement:
			start = &t
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errNotSOAP
			}
		case xml.Directive:
			return nil, errNotSOAP
		}
	}
	var env responseEnvelope
	if err := dec.DecodeElement(&env, start); err != nil {
		return nil, errNotSOAP
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errNotSOAP
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errNotSOAP
			}
		default:
			return nil, errNotSOAP
		}
	}
	if env.Body == nil {
		return nil, errNotSOAP
	}
	return &env, nil
}
