package population

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// Wire constants of the service.
const (
	// Namespace is the target namespace of every element of the service.
	Namespace = "http://dancuquocgia.bca"
	// ServicePath is where the service (and its WSDL, at ServicePath+"?wsdl") is served.
	ServicePath = "/dancuquocgia/CongDanService"
	// MaxRequestBytes is the largest request body the service reads.
	MaxRequestBytes = 64 << 10
	// HeaderClient carries the calling agency's code (MaDonVi), as NDXP forwards it.
	HeaderClient = "X-NDXP-Client"
)

// Operation names, as in SOAPAction (Namespace + "/" + name) and in the fault
// injector's counters. OpWSDL counts GET ?wsdl.
const (
	OpLookup = "TraCuuThongTinCongDan"
	OpVerify = "XacThucThongTinCongDan"
	OpCount  = "ThongKeDanSo"
	OpWSDL   = "WSDL"
)

// Demo credentials accepted when Config leaves them empty: HTTP Basic
// DefaultUsername:DefaultPassword, and DefaultAgencyCode (the Ministry of
// Health's agency code under QCVN 102:2016) both in the X-NDXP-Client header
// and in every request's MaDonVi.
const (
	DefaultUsername   = "byt_tiemchung"
	DefaultPassword   = "Ndxp@2021-demo"
	DefaultAgencyCode = "000.00.00.G18"
)

// Result codes (MaKetQua) of answered requests.
const (
	ResultFound    = "00" // Thành công
	ResultNotFound = "01" // Không tìm thấy thông tin
	ResultInvalid  = "02" // Thông tin đầu vào không hợp lệ
)

// Error codes (MaLoi) in the detail of SOAP faults.
const (
	ErrCodeNoCredentials  = "101" // Thiếu thông tin xác thực
	ErrCodeBadCredentials = "102" // Sai tên đăng nhập hoặc mật khẩu
	ErrCodeForbidden      = "103" // Đơn vị không được phép khai thác dịch vụ
	ErrCodeMalformed      = "201" // Yêu cầu không đúng định dạng
	ErrCodeMissingField   = "202" // Thiếu trường thông tin bắt buộc
	ErrCodeInvalidField   = "203" // Trường thông tin không đúng định dạng
	ErrCodeTooLarge       = "204" // Yêu cầu vượt quá dung lượng cho phép
	ErrCodeRateLimited    = "429" // Vượt quá tần suất truy vấn cho phép
	ErrCodeInternal       = "500" // Lỗi hệ thống
	ErrCodeUnavailable    = "503" // Hệ thống tạm ngừng phục vụ
	ErrCodeTimeout        = "504" // Hết thời gian xử lý
)

// Config configures the stand-in.
type Config struct {
	Population *synth.Population
	Faults     faults.Profile // initial fault profile
	FaultSeed  uint64
	// Username and Password are the HTTP Basic credentials of the one account
	// the stand-in knows; AgencyCode is the agency (MaDonVi) that account
	// belongs to. Empty means the Default* constants.
	Username, Password, AgencyCode string
	Now                            func() time.Time // nil = time.Now
}

// Server is the stand-in. Safe for concurrent use.
type Server struct {
	pop                *synth.Population
	user, pass, agency string
	now                func() time.Time
	inj                *faults.Injector
	ops                map[string]http.Handler // by SOAPAction
	wsdl               http.Handler
	handler            http.Handler
}

// New builds the stand-in.
func New(cfg Config) (*Server, error) {
	if cfg.Population == nil {
		return nil, errors.New("population stand-in: Population is required")
	}
	s := &Server{
		pop:    cfg.Population,
		user:   orDefault(cfg.Username, DefaultUsername),
		pass:   orDefault(cfg.Password, DefaultPassword),
		agency: orDefault(cfg.AgencyCode, DefaultAgencyCode),
		now:    cfg.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	inj, err := faults.New("population", cfg.Faults, s.writeInjectedFault, faults.WithSeed(cfg.FaultSeed))
	if err != nil {
		return nil, fmt.Errorf("population stand-in: %w", err)
	}
	s.inj = inj
	s.ops = map[string]http.Handler{
		soapAction(OpLookup): inj.Wrap(OpLookup, s.operation(OpLookup, s.lookup)),
		soapAction(OpVerify): inj.Wrap(OpVerify, s.operation(OpVerify, s.verify)),
		soapAction(OpCount):  inj.Wrap(OpCount, s.operation(OpCount, s.count)),
	}
	s.wsdl = inj.Wrap(OpWSDL, http.HandlerFunc(s.serveWSDL))
	mux := http.NewServeMux()
	mux.Handle(faults.ControlPrefix, inj.ControlHandler())
	mux.HandleFunc(ServicePath, s.serveService)
	s.handler = mux
	return s, nil
}

// Handler serves the SOAP service at ServicePath, its WSDL at
// ServicePath+"?wsdl" and the fault-injection control endpoint at /_control/.
func (s *Server) Handler() http.Handler { return s.handler }

// Faults returns the fault injector (profile and per-operation counters).
func (s *Server) Faults() *faults.Injector { return s.inj }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func soapAction(op string) string { return Namespace + "/" + op }

func (s *Server) serveService(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Query().Has("wsdl") {
		s.wsdl.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.writeFault(w, &fault{status: http.StatusMethodNotAllowed, code: faultClient, maLoi: ErrCodeMalformed,
			moTa: "Phương thức HTTP không được hỗ trợ"})
		return
	}
	// Dispatch by SOAPAction, as the platform's SOAP stack does; the header
	// is mandatory in SOAP 1.1 and its value is quoted.
	raw, present := r.Header["Soapaction"]
	if !present || len(raw) != 1 {
		s.writeFault(w, &fault{code: faultClient, maLoi: ErrCodeMalformed, moTa: "Thiếu tiêu đề SOAPAction"})
		return
	}
	h, ok := s.ops[strings.Trim(strings.TrimSpace(raw[0]), `"`)]
	if !ok {
		s.writeFault(w, &fault{code: faultClient, maLoi: ErrCodeMalformed, moTa: "SOAPAction không hợp lệ"})
		return
	}
	h.ServeHTTP(w, r)
}

// operation runs the checks every operation shares, in the platform's order:
// credentials, media type, size, envelope, header fields, then fn.
func (s *Server) operation(op string, fn func(*request) any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := s.authenticate(r); f != nil {
			s.writeFault(w, f)
			return
		}
		if !isSOAP11(r.Header.Get("Content-Type")) {
			s.writeFault(w, &fault{status: http.StatusUnsupportedMediaType, code: faultClient, maLoi: ErrCodeMalformed,
				moTa: "Content-Type phải là text/xml; charset=utf-8 (SOAP 1.1)"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeFault(w, &fault{code: faultClient, maLoi: ErrCodeTooLarge,
					moTa: fmt.Sprintf("Yêu cầu vượt quá dung lượng cho phép (%d byte)", MaxRequestBytes)})
				return
			}
			s.writeFault(w, &fault{code: faultClient, maLoi: ErrCodeMalformed, moTa: "Không đọc được nội dung yêu cầu"})
			return
		}
		req, f := parseRequest(body)
		if f != nil {
			s.writeFault(w, f)
			return
		}
		if req.op != op {
			s.writeFault(w, &fault{code: faultClient, maLoi: ErrCodeMalformed, maYeuCau: req.header().MaYeuCau,
				moTa: "Nội dung yêu cầu không khớp với SOAPAction"})
			return
		}
		if f := s.checkHeader(req.header()); f != nil {
			s.writeFault(w, f)
			return
		}
		s.writeEnvelope(w, http.StatusOK, fn(req))
	})
}

func (s *Server) authenticate(r *http.Request) *fault {
	user, pass, ok := r.BasicAuth()
	client := strings.TrimSpace(r.Header.Get(HeaderClient))
	if !ok || client == "" {
		return &fault{code: faultClient, maLoi: ErrCodeNoCredentials, moTa: "Thiếu thông tin xác thực"}
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.user))
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.pass))
	if userOK&passOK != 1 {
		return &fault{code: faultClient, maLoi: ErrCodeBadCredentials, moTa: "Sai tên đăng nhập hoặc mật khẩu"}
	}
	if client != s.agency {
		return &fault{code: faultClient, maLoi: ErrCodeForbidden, moTa: "Đơn vị không được phép khai thác dịch vụ"}
	}
	return nil
}

// checkHeader validates the fields every request carries. MaDonVi must be the
// agency the account belongs to.
func (s *Server) checkHeader(h requestHeader) *fault {
	fields := []struct {
		name, value string
		max         int
	}{
		{"MaYeuCau", h.MaYeuCau, 64},
		{"MaDVC", h.MaDVC, 50},
		{"MaTichHop", h.MaTichHop, 50},
		{"MaDonVi", h.MaDonVi, 50},
		{"MaCanBo", h.MaCanBo, 50},
	}
	for _, f := range fields {
		if f.value == "" {
			return &fault{code: faultClient, maLoi: ErrCodeMissingField, maYeuCau: safeRequestID(h.MaYeuCau),
				moTa: "Thiếu trường thông tin bắt buộc: " + f.name}
		}
		if len(f.value) > f.max || !isCode(f.value) {
			return &fault{code: faultClient, maLoi: ErrCodeInvalidField, maYeuCau: safeRequestID(h.MaYeuCau),
				moTa: "Trường thông tin không đúng định dạng: " + f.name}
		}
	}
	if h.MaDonVi != s.agency {
		return &fault{code: faultClient, maLoi: ErrCodeForbidden, maYeuCau: h.MaYeuCau,
			moTa: "Mã đơn vị không khớp với tài khoản kết nối"}
	}
	return nil
}

// isCode accepts the code alphabet of NDXP identifiers: ASCII letters, digits, '.', '-', '_'.
func isCode(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// safeRequestID echoes a request id in a fault only when it is well-formed.
func safeRequestID(id string) string {
	if len(id) <= 64 && isCode(id) {
		return id
	}
	return ""
}

func isSOAP11(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "text/xml" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// writeInjectedFault is the faults.ErrorWriter: injected failures answer in
// the service's own SOAP fault, keeping the injector's HTTP status (NDXP passes
// 429, 503 and 504 through from its gateway).
func (s *Server) writeInjectedFault(w http.ResponseWriter, _ *http.Request, status int, code, _ string) {
	f := &fault{status: status, code: faultServer}
	switch code {
	case "RATE_LIMITED":
		f.code, f.maLoi, f.moTa = faultClient, ErrCodeRateLimited, "Vượt quá tần suất truy vấn cho phép"
	case "UNAVAILABLE":
		f.maLoi, f.moTa = ErrCodeUnavailable, "Hệ thống tạm ngừng phục vụ"
	case "TIMEOUT":
		f.maLoi, f.moTa = ErrCodeTimeout, "Hết thời gian xử lý yêu cầu"
	default:
		f.maLoi, f.moTa = ErrCodeInternal, "Lỗi hệ thống"
	}
	s.writeFault(w, f)
}
