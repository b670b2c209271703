package population

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

func TestGolden(t *testing.T) {
	_, ts := newTestServer(t, nil)
	p := findPerson(t, plain)
	cases := []struct {
		name   string
		op     string
		fields []field
		status int
	}{
		{"TraCuuThongTinCongDan", OpLookup,
			append(header("YC-20260115-000001"), field{"SoDinhDanh", p.ID}), 200},
		{"TraCuuThongTinCongDan_KhongTimThay", OpLookup,
			append(header("YC-20260115-000002"), field{"SoCMND", unknownCMND(t)}), 200},
		{"XacThucThongTinCongDan", OpVerify,
			append(header("YC-20260115-000003"), field{"SoDinhDanh", p.ID}, field{"HoVaTen", p.Name.Full()},
				field{"GioiTinh", sexCode(p.Sex)}, field{"NgayThangNamSinh", formatDate(p.BirthDate)}), 200},
		{"XacThucThongTinCongDan_SaiGioiTinh", OpVerify,
			append(header("YC-20260115-000004"), field{"SoCMND", p.OldID}, field{"HoVaTen", p.Name.Full()},
				field{"GioiTinh", sexCode(otherSex(p.Sex))}, field{"NgayThangNamSinh", fmt.Sprint(p.BirthDate.Year)}), 200},
		{"ThongKeDanSo", OpCount,
			append(header("YC-20260115-000005"), field{"MaDonViHanhChinh", p.Current.ProvinceCode}), 200},
		{"LoiXacThuc", OpLookup,
			append(header("YC-20260115-000006"), field{"SoDinhDanh", p.ID}), 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := envelope(c.op, c.fields...)
			golden(t, c.name+".request.xml", req)
			var mods []func(*http.Request)
			if c.status == 500 {
				mods = append(mods, func(r *http.Request) { r.SetBasicAuth(DefaultUsername, "sai-mat-khau") })
			}
			status, hdr, body := post(t, ts.URL, c.op, req, mods...)
			if status != c.status {
				t.Errorf("status %d, want %d", status, c.status)
			}
			if ct := hdr.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			golden(t, c.name+".response.xml", body)
		})
	}
}

func TestWSDL(t *testing.T) {
	s, _ := newTestServer(t, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://ws.example.gov.vn"+ServicePath+"?wsdl", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.Bytes()
	golden(t, "CongDanService.wsdl", body)
	checkWSDL(t, body, "http://ws.example.gov.vn"+ServicePath)
	if n := s.Faults().Count(OpWSDL); n != 1 {
		t.Errorf("WSDL count %d, want 1", n)
	}
}

// checkWSDL checks that the description is complete and self-consistent:
// every reference resolves, the three operations are bound with the
// SOAPActions the service dispatches on, and the port points at the service.
func checkWSDL(t *testing.T, body []byte, location string) {
	t.Helper()
	const nsXS = "http://www.w3.org/2001/XMLSchema"
	type named struct {
		Name string `xml:"name,attr"`
	}
	var doc struct {
		XMLName  xml.Name `xml:"http://schemas.xmlsoap.org/wsdl/ definitions"`
		TNS      string   `xml:"targetNamespace,attr"`
		Messages []struct {
			Name  string `xml:"name,attr"`
			Parts []struct {
				Element string `xml:"element,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ part"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ message"`
		PortType struct {
			Name string `xml:"name,attr"`
			Ops  []struct {
				Name   string `xml:"name,attr"`
				Input  named  `xml:"http://schemas.xmlsoap.org/wsdl/ input"`
				Output named  `xml:"http://schemas.xmlsoap.org/wsdl/ output"`
				Msgs   []struct {
					Message string `xml:"message,attr"`
				} `xml:",any"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ portType"`
		Binding struct {
			Name  string `xml:"name,attr"`
			Type  string `xml:"type,attr"`
			Style struct {
				Style     string `xml:"style,attr"`
				Transport string `xml:"transport,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ binding"`
			Ops []struct {
				Name string `xml:"name,attr"`
				Soap struct {
					Action string `xml:"soapAction,attr"`
				} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ operation"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ binding"`
		Service struct {
			Port struct {
				Binding string `xml:"binding,attr"`
				Address struct {
					Location string `xml:"location,attr"`
				} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ address"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ port"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ service"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("WSDL does not parse: %v", err)
	}
	if doc.TNS != Namespace {
		t.Errorf("targetNamespace %q", doc.TNS)
	}
	// Walk the schema: what it defines, and what it refers to.
	defined := map[string]bool{} // "element:X", "type:X", "group:X"
	var refs []string
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth, schemaDepth := 0, -1
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if el.Name.Space == nsXS && el.Name.Local == "schema" {
				schemaDepth = depth
			}
			if schemaDepth < 0 || el.Name.Space != nsXS {
				continue
			}
			for _, a := range el.Attr {
				switch {
				case a.Name.Local == "name" && depth == schemaDepth+1:
					kind := map[string]string{"element": "element", "complexType": "type", "simpleType": "type", "group": "group"}[el.Name.Local]
					defined[kind+":"+a.Value] = true
				case a.Name.Local == "type" && strings.HasPrefix(a.Value, "tns:"):
					refs = append(refs, "type:"+strings.TrimPrefix(a.Value, "tns:"))
				case a.Name.Local == "ref" && el.Name.Local == "group":
					refs = append(refs, "group:"+strings.TrimPrefix(a.Value, "tns:"))
				}
			}
		case xml.EndElement:
			if depth == schemaDepth {
				schemaDepth = -1
			}
			depth--
		}
	}
	for _, r := range refs {
		if !defined[r] {
			t.Errorf("schema refers to undefined %s", r)
		}
	}
	messages := map[string]bool{}
	for _, m := range doc.Messages {
		messages["tns:"+m.Name] = true
		for _, p := range m.Parts {
			if !defined["element:"+strings.TrimPrefix(p.Element, "tns:")] {
				t.Errorf("message %s: part element %s not in the schema", m.Name, p.Element)
			}
		}
	}
	want := []string{OpLookup, OpVerify, OpCount}
	if len(doc.PortType.Ops) != len(want) || len(doc.Binding.Ops) != len(want) {
		t.Fatalf("portType has %d operations, binding %d; want %d", len(doc.PortType.Ops), len(doc.Binding.Ops), len(want))
	}
	for i, op := range want {
		pt, b := doc.PortType.Ops[i], doc.Binding.Ops[i]
		if pt.Name != op || b.Name != op {
			t.Errorf("operation %d: portType %q binding %q, want %q", i, pt.Name, b.Name, op)
		}
		for _, m := range pt.Msgs {
			if m.Message != "" && !messages[m.Message] {
				t.Errorf("%s: message %s undefined", op, m.Message)
			}
		}
		if b.Soap.Action != soapAction(op) {
			t.Errorf("%s: soapAction %q", op, b.Soap.Action)
		}
	}
	if doc.Binding.Type != "tns:"+doc.PortType.Name || doc.Service.Port.Binding != "tns:"+doc.Binding.Name {
		t.Errorf("binding/port references do not resolve")
	}
	if doc.Binding.Style.Style != "document" || doc.Binding.Style.Transport != "http://schemas.xmlsoap.org/soap/http" {
		t.Errorf("binding style %+v, want document over HTTP", doc.Binding.Style)
	}
	if doc.Service.Port.Address.Location != location {
		t.Errorf("location %q, want %q", doc.Service.Port.Address.Location, location)
	}
}

func TestAuthentication(t *testing.T) {
	s, ts := newTestServer(t, nil)
	p := findPerson(t, plain)
	ok := envelope(OpLookup, append(header("YC-AUTH"), field{"SoDinhDanh", p.ID})...)
	otherAgency := header("YC-AUTH")
	otherAgency[3].value = "000.00.00.H26"
	cases := []struct {
		name  string
		body  []byte
		mod   func(*http.Request)
		maLoi string
	}{
		{"no Authorization", ok, func(r *http.Request) { r.Header.Del("Authorization") }, ErrCodeNoCredentials},
		{"no agency header", ok, func(r *http.Request) { r.Header.Del(HeaderClient) }, ErrCodeNoCredentials},
		{"not Basic", ok, func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, ErrCodeNoCredentials},
		{"wrong password", ok, func(r *http.Request) { r.SetBasicAuth(DefaultUsername, DefaultPassword+"x") }, ErrCodeBadCredentials},
		{"wrong user", ok, func(r *http.Request) { r.SetBasicAuth("khach", DefaultPassword) }, ErrCodeBadCredentials},
		{"other agency header", ok, func(r *http.Request) { r.Header.Set(HeaderClient, "000.00.00.H26") }, ErrCodeForbidden},
		{"MaDonVi of another agency", envelope(OpLookup, append(otherAgency, field{"SoDinhDanh", p.ID})...),
			func(*http.Request) {}, ErrCodeForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := post(t, ts.URL, OpLookup, c.body, c.mod)
			env := decode(t, body)
			if status != 500 || env.Body.Fault == nil {
				t.Fatalf("status %d, fault %v; want a 500 SOAP fault", status, env.Body.Fault)
			}
			if env.Body.Fault.Code != faultClient || env.Body.Fault.MaLoi != c.maLoi {
				t.Errorf("fault %s MaLoi=%s, want %s MaLoi=%s", env.Body.Fault.Code, env.Body.Fault.MaLoi, faultClient, c.maLoi)
			}
			if bytes.Contains(body, []byte(p.ID)) {
				t.Errorf("a refused request's answer echoes the ID")
			}
		})
	}
	if n := s.Faults().Count(OpLookup); n != int64(len(cases)) {
		t.Errorf("%d lookups counted, want %d (refused requests count too)", n, len(cases))
	}

	t.Run("configured credentials", func(t *testing.T) {
		_, ts := newTestServer(t, func(c *Config) { c.Username, c.Password, c.AgencyCode = "u", "p", "000.00.00.H26" })
		status, _, body := post(t, ts.URL, OpLookup, envelope(OpLookup, append(otherAgency, field{"SoDinhDanh", p.ID})...),
			func(r *http.Request) { r.SetBasicAuth("u", "p"); r.Header.Set(HeaderClient, "000.00.00.H26") })
		if status != 200 || decode(t, body).Body.Lookup == nil {
			t.Fatalf("status %d\n%s", status, body)
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	s, ts := newTestServer(t, nil)
	p := findPerson(t, plain)
	good := string(envelope(OpLookup, append(header("YC-BAD"), field{"SoDinhDanh", p.ID})...))
	replace := func(old, new string) []byte { return []byte(strings.Replace(good, old, new, 1)) }
	unqualified := strings.NewReplacer("<MaYeuCau>", `<MaYeuCau xmlns="">`, "<MaDVC>", `<MaDVC xmlns="">`).Replace(good)
	var huge bytes.Buffer
	huge.WriteString(strings.Replace(good, "<soap:Body>", "<soap:Body>"+strings.Repeat(" ", MaxRequestBytes), 1))
	cases := []struct {
		name   string
		body   []byte
		mod    func(*http.Request)
		status int
		code   string
		maLoi  string
	}{
		{"not XML", []byte("xin chào"), nil, 500, faultClient, ErrCodeMalformed},
		{"empty", nil, nil, 500, faultClient, ErrCodeMalformed},
		{"truncated", []byte(good[:len(good)/2]), nil, 500, faultClient, ErrCodeMalformed},
		{"SOAP 1.2", replace(nsSOAP11, nsSOAP12), nil, 500, faultVersionMismatch, ErrCodeMalformed},
		{"wrong envelope namespace", replace(nsSOAP11, "urn:khac"), nil, 500, faultClient, ErrCodeMalformed},
		{"DTD", replace("<soap:Envelope", `<!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope`), nil, 500, faultClient, ErrCodeMalformed},
		{"trailing garbage", []byte(good + "<x/>"), nil, 500, faultClient, ErrCodeMalformed},
		{"operation in another namespace", replace(`xmlns="`+Namespace+`"`, `xmlns="http://dancuquocgia.bca/v2"`), nil, 500, faultClient, ErrCodeMalformed},
		{"unknown operation", []byte(strings.ReplaceAll(good, OpLookup, "XoaCongDan")), nil, 500, faultClient, ErrCodeMalformed},
		{"two operations", replace("</soap:Body>", `<ThongKeDanSo xmlns="`+Namespace+`"/></soap:Body>`), nil, 500, faultClient, ErrCodeMalformed},
		{"no body", []byte(`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"/>`), nil, 500, faultClient, ErrCodeMalformed},
		{"body does not match SOAPAction", []byte(good), func(r *http.Request) { r.Header.Set("SOAPAction", soapAction(OpVerify)) }, 500, faultClient, ErrCodeMalformed},
		{"must-understand header", replace("<soap:Body>", `<soap:Header><ChuKy xmlns="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>`), nil, 500, faultMustUnderstand, ErrCodeMalformed},
		{"SOAP 1.2 media type", []byte(good), func(r *http.Request) { r.Header.Set("Content-Type", "application/soap+xml; charset=utf-8") }, 415, faultClient, ErrCodeMalformed},
		{"not UTF-8", []byte(good), func(r *http.Request) { r.Header.Set("Content-Type", "text/xml; charset=iso-8859-1") }, 415, faultClient, ErrCodeMalformed},
		{"over the size limit", huge.Bytes(), nil, 500, faultClient, ErrCodeTooLarge},
		{"missing MaYeuCau", replace("<MaYeuCau>YC-BAD</MaYeuCau>", ""), nil, 500, faultClient, ErrCodeMissingField},
		{"unqualified fields", []byte(unqualified), nil, 500, faultClient, ErrCodeMissingField},
		{"officer code with spaces", replace("<MaCanBo>CB.0001</MaCanBo>", "<MaCanBo>Nguyễn Văn A</MaCanBo>"), nil, 500, faultClient, ErrCodeInvalidField},
		{"request id too long", replace("YC-BAD", strings.Repeat("A", 65)), nil, 500, faultClient, ErrCodeInvalidField},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*http.Request)
			if c.mod != nil {
				mods = append(mods, c.mod)
			}
			status, _, body := post(t, ts.URL, OpLookup, c.body, mods...)
			env := decode(t, body)
			if status != c.status || env.Body.Fault == nil {
				t.Fatalf("status %d, fault %v; want %d with a fault\n%s", status, env.Body.Fault, c.status, body)
			}
			if env.Body.Fault.Code != c.code || env.Body.Fault.MaLoi != c.maLoi {
				t.Errorf("fault %s MaLoi=%s (%s), want %s MaLoi=%s", env.Body.Fault.Code, env.Body.Fault.MaLoi, env.Body.Fault.String, c.code, c.maLoi)
			}
		})
	}

	t.Run("SOAPAction", func(t *testing.T) {
		before := s.Faults().Counts()
		for name, mod := range map[string]func(*http.Request){
			"missing": func(r *http.Request) { r.Header.Del("SOAPAction") },
			"unknown": func(r *http.Request) { r.Header.Set("SOAPAction", `"`+Namespace+`/XoaCongDan"`) },
		} {
			status, _, body := post(t, ts.URL, OpLookup, []byte(good), mod)
			if f := decode(t, body).Body.Fault; status != 500 || f == nil || f.MaLoi != ErrCodeMalformed {
				t.Errorf("%s: status %d fault %+v", name, status, f)
			}
		}
		if after := s.Faults().Counts(); after[OpLookup] != before[OpLookup] {
			t.Errorf("requests that name no operation were counted as %s", OpLookup)
		}
	})

	t.Run("GET without ?wsdl", func(t *testing.T) {
		resp, err := http.Get(ts.URL + ServicePath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
			t.Errorf("status %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

func TestLookup(t *testing.T) {
	_, ts := newTestServer(t, nil)
	pop := testPopulation(t)
	p := findPerson(t, plain)
	other := findPerson(t, func(q domain.Person) bool { return plain(q) && q.ID != p.ID })
	cases := []struct {
		name   string
		fields []field
		code   string
	}{
		{"by ID", []field{{"SoDinhDanh", p.ID}}, ResultFound},
		{"by CMND", []field{{"SoCMND", p.OldID}}, ResultFound},
		{"by both", []field{{"SoDinhDanh", p.ID}, {"SoCMND", p.OldID}}, ResultFound},
		{"ID and CMND of different people", []field{{"SoDinhDanh", p.ID}, {"SoCMND", other.OldID}}, ResultNotFound},
		{"with matching name and date", []field{{"SoDinhDanh", p.ID}, {"HoVaTen", strings.ToUpper(p.Name.Full())},
			{"NgayThangNamSinh", formatDate(p.BirthDate)}}, ResultFound},
		{"with matching year", []field{{"SoDinhDanh", p.ID}, {"NgayThangNamSinh", fmt.Sprint(p.BirthDate.Year)}}, ResultFound},
		{"with another name", []field{{"SoDinhDanh", p.ID}, {"HoVaTen", other.Name.Full() + " A"}}, ResultNotFound},
		{"with another year", []field{{"SoDinhDanh", p.ID}, {"NgayThangNamSinh", fmt.Sprint(p.BirthDate.Year + 1)}}, ResultNotFound},
		{"unknown CMND", []field{{"SoCMND", unknownCMND(t)}}, ResultNotFound},
		{"passport", []field{{"SoDinhDanh", "B1234567"}}, ResultInvalid},
		{"passport as CMND", []field{{"SoCMND", "C12345678"}}, ResultInvalid},
		{"short ID", []field{{"SoDinhDanh", "00108501234"}}, ResultInvalid},
		{"no ID", []field{{"HoVaTen", p.Name.Full()}}, ResultInvalid},
		{"ISO date", []field{{"SoDinhDanh", p.ID}, {"NgayThangNamSinh", p.BirthDate.String()}}, ResultInvalid},
		{"impossible date", []field{{"SoDinhDanh", p.ID}, {"NgayThangNamSinh", "31/02/1990"}}, ResultInvalid},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reqID := fmt.Sprintf("YC-LOOKUP-%d", i)
			status, _, body := post(t, ts.URL, OpLookup, envelope(OpLookup, append(header(reqID), c.fields...)...))
			env := decode(t, body)
			if status != 200 || env.Body.Lookup == nil {
				t.Fatalf("status %d\n%s", status, body)
			}
			r := env.Body.Lookup.Result
			if r.MaYeuCau != reqID || r.MaKetQua != c.code {
				t.Fatalf("MaYeuCau %q MaKetQua %q (%s), want %q %q", r.MaYeuCau, r.MaKetQua, r.MoTaKetQua, reqID, c.code)
			}
			if (r.CongDan != nil) != (c.code == ResultFound) {
				t.Fatalf("CongDan present: %v", r.CongDan != nil)
			}
			if r.CongDan != nil {
				if got, want := *r.CongDan, *render(p); got != want {
					t.Errorf("CongDan\n got %+v\nwant %+v", got, want)
				}
			}
		})
	}

	t.Run("rendering", func(t *testing.T) {
		c := render(p)
		if c.SoDinhDanh != p.ID || c.SoCMND != p.OldID || c.HoVaTen.Ho+c.HoVaTen.ChuDem+c.HoVaTen.Ten != p.Name.Family+p.Name.Middle+p.Name.Given ||
			c.NgayThangNamSinh != fmt.Sprintf("%02d/%02d/%04d", p.BirthDate.Day, p.BirthDate.Month, p.BirthDate.Year) ||
			c.NoiThuongTru.MaXa != p.Permanent.CommuneCode || c.NoiOHienTai.TenTinh != p.Current.ProvinceName {
			t.Errorf("render = %+v for %+v", c, p)
		}
		if _, ok := pop.Lookup(p.OldID); !ok {
			t.Errorf("the population does not find its own CMND")
		}
	})
}

// TestQuirks checks that the defects some records carry really reach the wire.
func TestQuirks(t *testing.T) {
	_, ts := newTestServer(t, nil)
	lookup := func(t *testing.T, p domain.Person) (string, congDan) {
		t.Helper()
		_, _, body := post(t, ts.URL, OpLookup, envelope(OpLookup, append(header("YC-QUIRK"), field{"SoDinhDanh", p.ID})...))
		r := decode(t, body).Body.Lookup
		if r == nil || r.Result.CongDan == nil {
			t.Fatalf("no CongDan\n%s", body)
		}
		return string(body), *r.Result.CongDan
	}
	t.Run("decomposed name", func(t *testing.T) {
		p := findPerson(t, func(p domain.Person) bool {
			return QuirkOf(p.ID) == QuirkDecomposedName && !norm.NFD.IsNormalString(p.Name.Full())
		})
		_, c := lookup(t, p)
		full := c.HoVaTen.Ho + " " + c.HoVaTen.ChuDem + " " + c.HoVaTen.Ten
		if norm.NFC.IsNormalString(full) || !norm.NFD.IsNormalString(full) {
			t.Errorf("name is not decomposed")
		}
		if norm.NFC.String(c.HoVaTen.Ten) != p.Name.Given {
			t.Errorf("decomposed given name is not the stored one")
		}
	})
	t.Run("look-alike D", func(t *testing.T) {
		p := findPerson(t, func(p domain.Person) bool {
			return QuirkOf(p.ID) == QuirkLookalikeD && strings.Contains(p.Name.Full(), "Đ")
		})
		body, _ := lookup(t, p)
		if !strings.Contains(body, "Ð") {
			t.Errorf("no U+00D0 in the answer")
		}
	})
	t.Run("padded address", func(t *testing.T) {
		p := findPerson(t, func(p domain.Person) bool {
			return QuirkOf(p.ID) == QuirkPaddedAddress && strings.Contains(p.Permanent.Detail, " ")
		})
		_, c := lookup(t, p)
		if !strings.Contains(c.NoiThuongTru.ChiTiet, "  ") || !strings.HasSuffix(c.NoiThuongTru.ChiTiet, " ") {
			t.Errorf("address detail not padded")
		}
	})
	t.Run("year-only birth date", func(t *testing.T) {
		p := findPerson(t, func(p domain.Person) bool { return QuirkOf(p.ID) == QuirkYearOnlyBirth })
		_, c := lookup(t, p)
		if c.NgayThangNamSinh != fmt.Sprint(p.BirthDate.Year) {
			t.Errorf("NgayThangNamSinh %q, want the year only", c.NgayThangNamSinh)
		}
		for date, want := range map[string]bool{
			formatDate(p.BirthDate):                   true, // a full date matches a year-only record on its year
			fmt.Sprintf("01/01/%d", p.BirthDate.Year): true,
			fmt.Sprint(p.BirthDate.Year + 1):          false,
		} {
			_, _, body := post(t, ts.URL, OpVerify, envelope(OpVerify, append(header("YC-YEAR"), field{"SoDinhDanh", p.ID},
				field{"HoVaTen", p.Name.Full()}, field{"GioiTinh", sexCode(p.Sex)}, field{"NgayThangNamSinh", date})...))
			r := decode(t, body).Body.Verify
			if r == nil || r.Result.KetQuaXacThuc == nil || r.Result.KetQuaXacThuc.KetQuaNgaySinh != want {
				t.Errorf("verify with %s: %+v, want KetQuaNgaySinh %v", date, r, want)
			}
		}
	})
	t.Run("shares", func(t *testing.T) {
		n := map[Quirk]int{}
		pop := testPopulation(t)
		for i := int64(0); i < pop.Size(); i++ {
			n[QuirkOf(pop.At(i).ID)]++
		}
		size := int(pop.Size())
		if n[QuirkDecomposedName] < size/200 || n[QuirkDecomposedName] > size/50 || n[QuirkYearOnlyBirth] == 0 || n[QuirkNone] < size*94/100 {
			t.Errorf("quirk shares %v of %d", n, size)
		}
	})
}

func TestSameName(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"Nguyễn Văn Hòa", "Nguyễn Văn Hòa", true},
		{"Nguyễn Văn Hòa", "NGUYỄN VĂN HOÀ", true},
		{"Trần Thị Thủy", "Trần Thị Thuỷ", true},
		{"Lê Thúy", "Lê Thuý", true},
		{"Phạm  Văn   An ", "Phạm Văn An", true},
		{norm.NFD.String("Đặng Thị Ngọc Ánh"), "Đặng Thị Ngọc Ánh", true},
		{"Nguyễn Văn Hòa", "Nguyen Van Hoa", false},
		{"Nguyễn Văn Hòa", "Nguyễn Văn Hoa", false},
		{"Nguyễn Văn Hòa", "Nguyễn Văn Hỏa", false},
		{"Đào", "Dao", false},
		{"Đào", "Ðào", false}, // U+00D0 is not the Vietnamese letter
		{"Nguyễn Văn An", "Nguyễn An", false},
		{"Văn", "Vân", false},
	}
	for _, c := range cases {
		if got := sameName(c.a, c.b); got != c.same {
			t.Errorf("sameName(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

func TestVerify(t *testing.T) {
	_, ts := newTestServer(t, nil)
	p := findPerson(t, func(p domain.Person) bool { return plain(p) && strings.ToUpper(p.Name.Full()) != p.Name.Full() })
	toned := findPerson(t, func(q domain.Person) bool { return toggleTones(q.Name.Full()) != q.Name.Full() })
	other := findPerson(t, func(q domain.Person) bool { return plain(q) && q.ID != p.ID })
	ascii := strings.NewReplacer("Đ", "D", "đ", "d").Replace(norm.NFD.String(p.Name.Full()))
	ascii = strings.Map(func(r rune) rune {
		if r >= 0x300 && r <= 0x36f {
			return -1
		}
		return r
	}, ascii)
	date := formatDate(p.BirthDate)
	wrongDay := formatDate(domain.DateOf(p.BirthDate.Time().AddDate(0, 0, 1)))
	type want struct{ id, name, sex, birth bool }
	cases := []struct {
		name   string
		who    domain.Person
		fields []field
		want   want
	}{
		{"all correct", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{true, true, true, true}},
		{"by CMND", p, []field{{"SoCMND", p.OldID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{true, true, true, true}},
		{"upper case, decomposed", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", norm.NFD.String(strings.ToUpper(p.Name.Full()))}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{true, true, true, true}},
		{"other tone placement", toned, []field{{"SoDinhDanh", toned.ID}, {"HoVaTen", toggleTones(toned.Name.Full())}, {"GioiTinh", sexCode(toned.Sex)}, {"NgayThangNamSinh", formatDate(toned.BirthDate)}}, want{true, true, true, true}},
		{"no diacritics", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", ascii}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{true, false, true, true}},
		{"another name", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", other.Name.Full() + " Anh"}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{true, false, true, true}},
		{"wrong sex", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(otherSex(p.Sex))}, {"NgayThangNamSinh", date}}, want{true, true, false, true}},
		{"sex unknown", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", "0"}, {"NgayThangNamSinh", date}}, want{true, true, false, true}},
		{"wrong day", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", wrongDay}}, want{true, true, true, false}},
		{"year only", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", fmt.Sprint(p.BirthDate.Year)}}, want{true, true, true, true}},
		{"wrong year only", p, []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", fmt.Sprint(p.BirthDate.Year - 1)}}, want{true, true, true, false}},
		{"CMND of someone else", p, []field{{"SoDinhDanh", p.ID}, {"SoCMND", other.OldID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", sexCode(p.Sex)}, {"NgayThangNamSinh", date}}, want{false, true, true, true}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := post(t, ts.URL, OpVerify, envelope(OpVerify, append(header(fmt.Sprintf("YC-VERIFY-%d", i)), c.fields...)...))
			env := decode(t, body)
			if status != 200 || env.Body.Verify == nil {
				t.Fatalf("status %d\n%s", status, body)
			}
			r := env.Body.Verify.Result
			if r.MaKetQua != ResultFound || r.KetQuaXacThuc == nil {
				t.Fatalf("MaKetQua %q (%s)", r.MaKetQua, r.MoTaKetQua)
			}
			k := *r.KetQuaXacThuc
			got := want{k.KetQuaSoDinhDanh, k.KetQuaHoTen, k.KetQuaGioiTinh, k.KetQuaNgaySinh}
			if got != c.want {
				t.Errorf("fields %+v, want %+v", got, c.want)
			}
			if all := (got == want{true, true, true, true}); k.KetQuaTongHop != all {
				t.Errorf("KetQuaTongHop %v, want %v", k.KetQuaTongHop, all)
			}
			// Verification never hands out what the registry holds.
			for _, stored := range []string{c.who.Permanent.Detail, c.who.Current.CommuneName} {
				if stored != "" && strings.Contains(string(body), stored) {
					t.Errorf("answer carries stored data")
				}
			}
		})
	}

	bad := []struct {
		name   string
		fields []field
		code   string
	}{
		{"unknown ID", []field{{"SoCMND", unknownCMND(t)}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", "1"}, {"NgayThangNamSinh", date}}, ResultNotFound},
		{"passport", []field{{"SoDinhDanh", "N1234567"}, {"HoVaTen", "John Smith"}, {"GioiTinh", "1"}, {"NgayThangNamSinh", "1980"}}, ResultInvalid},
		{"no name", []field{{"SoDinhDanh", p.ID}, {"GioiTinh", "1"}, {"NgayThangNamSinh", date}}, ResultInvalid},
		{"sex word", []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", "Nam"}, {"NgayThangNamSinh", date}}, ResultInvalid},
		{"no date", []field{{"SoDinhDanh", p.ID}, {"HoVaTen", p.Name.Full()}, {"GioiTinh", "1"}}, ResultInvalid},
	}
	for i, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, body := post(t, ts.URL, OpVerify, envelope(OpVerify, append(header(fmt.Sprintf("YC-VBAD-%d", i)), c.fields...)...))
			env := decode(t, body)
			if env.Body.Verify == nil {
				t.Fatalf("no result\n%s", body)
			}
			if r := env.Body.Verify.Result; r.MaKetQua != c.code || r.KetQuaXacThuc != nil {
				t.Errorf("MaKetQua %q KetQuaXacThuc %v, want %q and none", r.MaKetQua, r.KetQuaXacThuc, c.code)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	_, ts := newTestServer(t, nil)
	pop := testPopulation(t)
	p := findPerson(t, plain)
	for _, unit := range []string{p.Current.ProvinceCode, p.Current.CommuneCode} {
		t.Run(unit, func(t *testing.T) {
			_, _, body := post(t, ts.URL, OpCount, envelope(OpCount, append(header("YC-COUNT"), field{"MaDonViHanhChinh", unit})...))
			env := decode(t, body)
			if env.Body.Count == nil || env.Body.Count.Result.ThongKe == nil {
				t.Fatalf("no ThongKe\n%s", body)
			}
			tk := env.Body.Count.Result.ThongKe
			if tk.MaDonViHanhChinh != unit || len(tk.NhomTuoi) != len(domain.StandardAgeBands) {
				t.Fatalf("unit %q, %d groups", tk.MaDonViHanhChinh, len(tk.NhomTuoi))
			}
			var total int64
			for i, b := range domain.StandardAgeBands {
				g := tk.NhomTuoi[i]
				if want := pop.ResidentCount(unit, b); g.TuTuoi != b.Min || g.SoLuong != want {
					t.Errorf("band %s: TuTuoi %d SoLuong %d, want %d", b.Label(), g.TuTuoi, g.SoLuong, want)
				}
				if (b.Max == 0) != (g.DenTuoi == nil) || g.DenTuoi != nil && *g.DenTuoi != b.Max-1 {
					t.Errorf("band %s: DenTuoi %v", b.Label(), g.DenTuoi)
				}
				total += g.SoLuong
			}
			if tk.TongSo != total || total == 0 {
				t.Errorf("TongSo %d, sum %d", tk.TongSo, total)
			}
		})
	}
	for unit, code := range map[string]string{"99": ResultNotFound, "99999": ResultNotFound, "1": ResultInvalid, "0101": ResultInvalid, "Hà Nội": ResultInvalid} {
		_, _, body := post(t, ts.URL, OpCount, envelope(OpCount, append(header("YC-COUNT"), field{"MaDonViHanhChinh", unit})...))
		if r := decode(t, body).Body.Count; r == nil || r.Result.MaKetQua != code || r.Result.ThongKe != nil {
			t.Errorf("unit %q: %+v, want MaKetQua %s", unit, r, code)
		}
	}
}

func TestFaultProfile(t *testing.T) {
	s, ts := newTestServer(t, nil)
	p := findPerson(t, plain)
	body := envelope(OpLookup, append(header("YC-FAULT"), field{"SoDinhDanh", p.ID})...)
	setProfile := func(t *testing.T, profile string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, ts.URL+"/_control/faults", strings.NewReader(profile))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("PUT /_control/faults: %d", resp.StatusCode)
		}
	}
	cases := []struct {
		profile    string
		status     int
		code       string
		maLoi      string
		retryAfter bool
	}{
		{`{"outage":true}`, 503, faultServer, ErrCodeUnavailable, false},
		{`{"errorRate":1}`, 500, faultServer, ErrCodeInternal, false},
		{`{"rateLimit":0.001,"rateBurst":1}`, 429, faultClient, ErrCodeRateLimited, true},
	}
	for _, c := range cases {
		t.Run(c.profile, func(t *testing.T) {
			setProfile(t, c.profile)
			if c.retryAfter { // the burst lets one through
				if status, _, _ := post(t, ts.URL, OpLookup, body); status != 200 {
					t.Fatalf("first request: %d", status)
				}
			}
			status, hdr, out := post(t, ts.URL, OpLookup, body)
			f := decode(t, out).Body.Fault
			if status != c.status || f == nil || f.Code != c.code || f.MaLoi != c.maLoi {
				t.Fatalf("status %d fault %+v, want %d %s %s", status, f, c.status, c.code, c.maLoi)
			}
			if got := hdr.Get("Retry-After") != ""; got != c.retryAfter {
				t.Errorf("Retry-After %q", hdr.Get("Retry-After"))
			}
		})
	}
	setProfile(t, `{}`)
	if status, _, _ := post(t, ts.URL, OpLookup, body); status != 200 {
		t.Errorf("after clearing the profile: %d", status)
	}

	t.Run("counters", func(t *testing.T) {
		s.Faults().ResetCounts()
		post(t, ts.URL, OpLookup, body)
		post(t, ts.URL, OpLookup, body)
		post(t, ts.URL, OpVerify, envelope(OpVerify, append(header("YC-C"), field{"SoDinhDanh", p.ID}, field{"HoVaTen", "A"},
			field{"GioiTinh", "1"}, field{"NgayThangNamSinh", "1990"})...))
		post(t, ts.URL, OpCount, envelope(OpCount, append(header("YC-C"), field{"MaDonViHanhChinh", "01"})...))
		resp, err := http.Get(ts.URL + "/_control/counts")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var counts map[string]int64
		if err := json.NewDecoder(resp.Body).Decode(&counts); err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{OpLookup: 2, OpVerify: 1, OpCount: 1, OpWSDL: 0}
		for op, n := range want {
			if counts[op] != n {
				t.Errorf("%s: %d, want %d (all %v)", op, counts[op], n, counts)
			}
		}
	})
}

func TestNewRequiresPopulation(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a population succeeded")
	}
}

// unknownCMND is a well-formed CMND no citizen holds.
func unknownCMND(t *testing.T) string {
	t.Helper()
	pop := testPopulation(t)
	for n := 999999999; n > 0; n -= 7919 {
		id := fmt.Sprintf("%09d", n)
		if _, ok := pop.Lookup(id); !ok {
			return id
		}
	}
	t.Fatal("every CMND is taken")
	return ""
}

func otherSex(s domain.Sex) domain.Sex {
	if s == domain.SexMale {
		return domain.SexFemale
	}
	return domain.SexMale
}

// TestREADMEExamples keeps the README's wire examples equal to the golden files.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"TraCuuThongTinCongDan.request.xml", "TraCuuThongTinCongDan.response.xml",
		"TraCuuThongTinCongDan_KhongTimThay.response.xml",
		"XacThucThongTinCongDan.request.xml", "XacThucThongTinCongDan.response.xml",
		"ThongKeDanSo.request.xml", "ThongKeDanSo.response.xml", "LoiXacThuc.response.xml",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, b) {
			t.Errorf("README.md does not show testdata/%s as it is", name)
		}
	}
}
