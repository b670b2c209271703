package population

import (
	"fmt"
	"strconv"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

const (
	descFound    = "Thành công"
	descNotFound = "Không tìm thấy thông tin công dân"
)

func (s *Server) result(h requestHeader, code, desc string) resultHeader {
	return resultHeader{MaYeuCau: h.MaYeuCau, MaKetQua: code, MoTaKetQua: desc, ThoiGianPhanHoi: s.timestamp()}
}

// lookup answers TraCuuThongTinCongDan. When the request also carries a name
// or birth date, the record is returned only if they match: the database does
// not hand out a record to a caller who does not already know who it is.
func (s *Server) lookup(req *request) any {
	in := req.lookup
	out := lookupResponse{Xmlns: Namespace}
	invalid := func(why string) any {
		out.Result.resultHeader = s.result(in.requestHeader, ResultInvalid, why)
		return out
	}
	if why := checkIDs(in.SoDinhDanh, in.SoCMND); why != "" {
		return invalid(why)
	}
	var birth domain.Date
	if in.NgayThangNamSinh != "" {
		d, ok := parseBirthDate(in.NgayThangNamSinh)
		if !ok {
			return invalid("NgayThangNamSinh phải có dạng dd/MM/yyyy hoặc yyyy")
		}
		birth = d
	}
	p, ok := s.find(in.SoDinhDanh, in.SoCMND, true)
	if ok && in.HoVaTen != "" && !sameName(p.Name.Full(), in.HoVaTen) {
		ok = false
	}
	if ok && !birth.IsZero() && !sameBirthDate(p.BirthDate, birth) {
		ok = false
	}
	if !ok {
		out.Result.resultHeader = s.result(in.requestHeader, ResultNotFound, descNotFound)
		return out
	}
	out.Result.resultHeader = s.result(in.requestHeader, ResultFound, descFound)
	out.Result.CongDan = render(p)
	return out
}

// verify answers XacThucThongTinCongDan: per-field match, never the stored values.
func (s *Server) verify(req *request) any {
	in := req.verify
	out := verifyResponse{Xmlns: Namespace}
	invalid := func(why string) any {
		out.Result.resultHeader = s.result(in.requestHeader, ResultInvalid, why)
		return out
	}
	if why := checkIDs(in.SoDinhDanh, in.SoCMND); why != "" {
		return invalid(why)
	}
	if in.HoVaTen == "" {
		return invalid("Thiếu HoVaTen")
	}
	if len(in.HoVaTen) > 200 {
		return invalid("HoVaTen quá dài")
	}
	if in.GioiTinh != "0" && in.GioiTinh != "1" && in.GioiTinh != "2" {
		return invalid("GioiTinh phải là 0, 1 hoặc 2")
	}
	birth, ok := parseBirthDate(in.NgayThangNamSinh)
	if !ok {
		return invalid("NgayThangNamSinh phải có dạng dd/MM/yyyy hoặc yyyy")
	}
	p, found := s.find(in.SoDinhDanh, in.SoCMND, false)
	if !found {
		out.Result.resultHeader = s.result(in.requestHeader, ResultNotFound, descNotFound)
		return out
	}
	k := &ketQuaXacThuc{
		KetQuaSoDinhDanh: (in.SoDinhDanh == "" || p.ID == in.SoDinhDanh) && (in.SoCMND == "" || p.OldID == in.SoCMND),
		KetQuaHoTen:      sameName(p.Name.Full(), in.HoVaTen),
		// "0" (no information) never verifies, on either side.
		KetQuaGioiTinh: in.GioiTinh != "0" && sexCode(p.Sex) == in.GioiTinh,
		KetQuaNgaySinh: sameBirthDate(p.BirthDate, birth),
	}
	k.KetQuaTongHop = k.KetQuaSoDinhDanh && k.KetQuaHoTen && k.KetQuaGioiTinh && k.KetQuaNgaySinh
	out.Result.resultHeader = s.result(in.requestHeader, ResultFound, descFound)
	out.Result.KetQuaXacThuc = k
	return out
}

// count answers ThongKeDanSo for a province or commune, per standard age band.
func (s *Server) count(req *request) any {
	in := req.count
	out := countResponse{Xmlns: Namespace}
	code := in.MaDonViHanhChinh
	if !(len(code) == 2 || len(code) == 5) || !digits(code) {
		out.Result.resultHeader = s.result(in.requestHeader, ResultInvalid, "MaDonViHanhChinh phải gồm 2 (tỉnh) hoặc 5 (xã) chữ số")
		return out
	}
	dir := s.pop.Directory()
	name, known := dir.Name(code)
	if !known || dir.Level(code) == adminunit.LevelUnknown {
		out.Result.resultHeader = s.result(in.requestHeader, ResultNotFound, "Không tìm thấy đơn vị hành chính")
		return out
	}
	tk := &thongKe{
		MaDonViHanhChinh:  code,
		TenDonViHanhChinh: name,
		NgayThongKe:       formatDate(domain.DateOf(s.pop.Config().Epoch)),
	}
	for _, b := range domain.StandardAgeBands {
		n := s.pop.ResidentCount(code, b)
		g := nhomTuoi{TuTuoi: b.Min, SoLuong: n}
		if b.Max != 0 {
			den := b.Max - 1
			g.DenTuoi = &den
		}
		tk.TongSo += n
		tk.NhomTuoi = append(tk.NhomTuoi, g)
	}
	out.Result.resultHeader = s.result(in.requestHeader, ResultFound, descFound)
	out.Result.ThongKe = tk
	return out
}

// checkIDs validates the identifiers of a request: at least one, each of its
// own length. A passport number is neither, so foreigners are refused here.
func checkIDs(id, cmnd string) string {
	switch {
	case id == "" && cmnd == "":
		return "Phải cung cấp SoDinhDanh hoặc SoCMND"
	case id != "" && (len(id) != 12 || !digits(id)):
		return "SoDinhDanh phải gồm 12 chữ số"
	case cmnd != "" && (len(cmnd) != 9 || !digits(cmnd)):
		return "SoCMND phải gồm 9 chữ số"
	}
	return ""
}

// find resolves the identifiers to a citizen. With both given, strict lookups
// (TraCuu) need both to name the same person; verification finds the person
// by either and reports the ID match per field.
func (s *Server) find(id, cmnd string, strict bool) (domain.Person, bool) {
	if id != "" {
		if i, ok := s.pop.Lookup(id); ok {
			if p := stored(s.pop.At(i)); p.ID == id && (!strict || cmnd == "" || p.OldID == cmnd) {
				return p, true
			}
		}
		if strict || cmnd == "" {
			return domain.Person{}, false
		}
	}
	if i, ok := s.pop.Lookup(cmnd); ok {
		if p := stored(s.pop.At(i)); p.OldID == cmnd {
			return p, true
		}
	}
	return domain.Person{}, false
}

func render(p domain.Person) *congDan {
	q := QuirkOf(p.ID)
	name := hoVaTen{Ho: p.Name.Family, ChuDem: p.Name.Middle, Ten: p.Name.Given}
	perm, cur := renderAddress(p.Permanent), renderAddress(p.Current)
	switch q {
	case QuirkDecomposedName:
		name = hoVaTen{Ho: decompose(name.Ho), ChuDem: decompose(name.ChuDem), Ten: decompose(name.Ten)}
	case QuirkLookalikeD:
		name = hoVaTen{Ho: lookalikeD(name.Ho), ChuDem: lookalikeD(name.ChuDem), Ten: lookalikeD(name.Ten)}
	case QuirkPaddedAddress:
		perm.ChiTiet, cur.ChiTiet = pad(perm.ChiTiet), pad(cur.ChiTiet)
	}
	return &congDan{
		SoDinhDanh:       p.ID,
		SoCMND:           p.OldID,
		HoVaTen:          name,
		GioiTinh:         sexCode(p.Sex),
		NgayThangNamSinh: formatDate(p.BirthDate),
		QuocTich:         p.Nationality,
		DanToc:           p.Ethnicity,
		NoiThuongTru:     perm,
		NoiOHienTai:      cur,
	}
}

func renderAddress(a domain.Address) diaChi {
	return diaChi{ChiTiet: a.Detail, MaXa: a.CommuneCode, TenXa: a.CommuneName, MaTinh: a.ProvinceCode, TenTinh: a.ProvinceName}
}

// sexCode is the service's GioiTinh: 1 Nam, 2 Nữ, 0 chưa có thông tin.
func sexCode(s domain.Sex) string {
	switch s {
	case domain.SexMale:
		return "1"
	case domain.SexFemale:
		return "2"
	}
	return "0"
}

// formatDate writes dd/MM/yyyy, or yyyy for the old records that only know the year.
func formatDate(d domain.Date) string {
	switch {
	case d.IsZero():
		return ""
	case d.YearOnly():
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// parseBirthDate reads dd/MM/yyyy or yyyy, the two forms the service accepts.
func parseBirthDate(s string) (domain.Date, bool) {
	switch {
	case len(s) == 4 && digits(s):
		y, _ := strconv.Atoi(s)
		d := domain.Date{Year: y}
		return d, d.Valid()
	case len(s) == 10 && s[2] == '/' && s[5] == '/' && digits(s[:2]) && digits(s[3:5]) && digits(s[6:]):
		day, _ := strconv.Atoi(s[:2])
		month, _ := strconv.Atoi(s[3:5])
		y, _ := strconv.Atoi(s[6:])
		d := domain.Date{Year: y, Month: time.Month(month), Day: day}
		return d, d.Valid()
	}
	return domain.Date{}, false
}

// sameBirthDate compares the full date when both sides know it, else the year.
func sameBirthDate(stored, given domain.Date) bool {
	if stored.YearOnly() || given.YearOnly() {
		return stored.Year == given.Year
	}
	return stored == given
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
