// Command gencommunes writes the synthetic commune list (communes.csv) and the
// province table (provinces.csv) that package adminunit embeds. The official
// list of 3,321 communes is not available to us, so the communes are
// generated: real per-province counts of xã, phường and đặc khu, real đặc khu
// names, a few real ward names in the big cities, and plausible syllable-built
// names elsewhere. Output is a pure function of the tables below, so
// `go generate ./adminunit/...` reproduces the committed files byte for byte.
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strconv"
)

type province struct {
	code    string
	name    string
	city    bool
	pop     float64 // millions
	xa      int
	phuong  int
	dackhu  []string
	reals   []string // real ward names used first for phường
	weightK float64  // scales the weights of phường (denser cities)
}

// The per-province counts reproduce the post-2025 totals: 2,621 xã, 687
// phường, 13 đặc khu, 3,321 in all.
var provinces = []province{
	{"01", "Hà Nội", true, 8.7, 75, 51, nil, []string{"Ba Đình", "Ngọc Hà", "Giảng Võ", "Hoàn Kiếm", "Cửa Nam", "Hai Bà Trưng", "Bạch Mai", "Đống Đa", "Kim Liên", "Văn Miếu - Quốc Tử Giám", "Láng", "Ô Chợ Dừa", "Tây Hồ", "Phú Thượng", "Cầu Giấy", "Nghĩa Đô", "Yên Hòa", "Thanh Xuân", "Khương Đình", "Hoàng Mai", "Long Biên", "Bồ Đề", "Hà Đông", "Kiến Hưng", "Sơn Tây"}, 1.4},
	{"04", "Cao Bằng", false, 0.57, 53, 3, nil, nil, 1},
	{"08", "Tuyên Quang", false, 1.87, 117, 7, nil, nil, 1},
	{"11", "Điện Biên", false, 0.65, 42, 3, nil, nil, 1},
	{"12", "Lai Châu", false, 0.49, 36, 2, nil, nil, 1},
	{"14", "Sơn La", false, 1.3, 67, 8, nil, nil, 1},
	{"15", "Lào Cai", false, 1.78, 89, 10, nil, nil, 1},
	{"19", "Thái Nguyên", false, 1.8, 77, 15, nil, nil, 1},
	{"20", "Lạng Sơn", false, 0.8, 61, 4, nil, nil, 1},
	{"22", "Quảng Ninh", false, 1.4, 22, 30, []string{"Vân Đồn", "Cô Tô"}, []string{"Hạ Long", "Bãi Cháy", "Hồng Gai", "Cẩm Phả", "Móng Cái", "Uông Bí"}, 1},
	{"24", "Bắc Ninh", false, 3.6, 66, 33, nil, nil, 1.2},
	{"25", "Phú Thọ", false, 4.0, 133, 15, nil, nil, 1},
	{"31", "Hải Phòng", true, 4.7, 67, 45, []string{"Cát Hải", "Bạch Long Vĩ"}, []string{"Hồng Bàng", "Lê Chân", "Ngô Quyền", "Hải An", "Kiến An", "Đồ Sơn", "Dương Kinh", "An Biên", "Gia Viên"}, 1.3},
	{"33", "Hưng Yên", false, 3.6, 93, 11, nil, nil, 1},
	{"37", "Ninh Bình", false, 4.4, 97, 32, nil, nil, 1},
	{"38", "Thanh Hóa", false, 4.3, 147, 19, nil, nil, 1},
	{"40", "Nghệ An", false, 3.8, 119, 11, nil, nil, 1},
	{"42", "Hà Tĩnh", false, 1.6, 60, 9, nil, nil, 1},
	{"44", "Quảng Trị", false, 1.9, 69, 8, []string{"Cồn Cỏ"}, nil, 1},
	{"46", "Huế", true, 1.4, 19, 21, nil, []string{"Thuận Hóa", "Phú Xuân", "Kim Long", "Vỹ Dạ", "An Cựu", "Thủy Xuân", "Hương Thủy", "Hương Trà"}, 1.3},
	{"48", "Đà Nẵng", true, 3.1, 70, 23, []string{"Hoàng Sa"}, []string{"Hải Châu", "Thanh Khê", "Sơn Trà", "Ngũ Hành Sơn", "Liên Chiểu", "Cẩm Lệ", "An Hải", "Hòa Khánh", "Tam Kỳ", "Hội An"}, 1.4},
	{"51", "Quảng Ngãi", false, 2.2, 86, 9, []string{"Lý Sơn"}, nil, 1},
	{"52", "Gia Lai", false, 3.6, 110, 25, nil, []string{"Pleiku", "Quy Nhơn", "An Khê"}, 1},
	{"56", "Khánh Hòa", false, 2.2, 48, 16, []string{"Trường Sa"}, []string{"Nha Trang", "Cam Ranh", "Phan Rang"}, 1},
	{"66", "Đắk Lắk", false, 3.3, 88, 14, nil, []string{"Buôn Ma Thuột", "Tuy Hòa"}, 1},
	{"68", "Lâm Đồng", false, 3.9, 103, 20, []string{"Phú Quý"}, []string{"Xuân Hương - Đà Lạt", "Lâm Viên - Đà Lạt", "Bảo Lộc", "Phan Thiết"}, 1},
	{"75", "Đồng Nai", false, 4.5, 72, 23, nil, []string{"Biên Hòa", "Trấn Biên", "Long Khánh", "Đồng Xoài"}, 1.2},
	{"79", "Hồ Chí Minh", true, 14.0, 54, 113, []string{"Côn Đảo"}, []string{"Sài Gòn", "Tân Định", "Bến Thành", "Cầu Ông Lãnh", "Bàn Cờ", "Xuân Hòa", "Nhiêu Lộc", "Chợ Quán", "Chợ Lớn", "Bình Tây", "Gia Định", "Bình Thạnh", "Thạnh Mỹ Tây", "Gò Vấp", "Hạnh Thông", "Tân Sơn Nhất", "Tân Bình", "Phú Nhuận", "Thủ Đức", "Linh Xuân", "Hiệp Bình", "Tăng Nhơn Phú", "An Khánh", "Bình Trưng", "Tân Phú", "Bình Tân", "Thủ Dầu Một", "Dĩ An", "Thuận An", "Vũng Tàu", "Bà Rịa"}, 1.5},
	{"80", "Tây Ninh", false, 3.3, 82, 14, nil, nil, 1},
	{"82", "Đồng Tháp", false, 4.4, 82, 20, nil, nil, 1},
	{"86", "Vĩnh Long", false, 4.3, 105, 19, nil, nil, 1},
	{"91", "An Giang", false, 4.9, 85, 14, []string{"Phú Quốc", "Kiên Hải", "Thổ Châu"}, []string{"Long Xuyên", "Châu Đốc", "Rạch Giá", "Hà Tiên"}, 1},
	{"92", "Cần Thơ", true, 4.2, 72, 31, nil, []string{"Ninh Kiều", "Cái Khế", "Tân An", "An Bình", "Bình Thủy", "Cái Răng", "Ô Môn", "Thốt Nốt", "Vị Thanh", "Sóc Trăng"}, 1.3},
	{"96", "Cà Mau", false, 2.6, 55, 9, nil, []string{"An Xuyên", "Lý Văn Lâm", "Bạc Liêu"}, 1},
}

// Syllables of common Vietnamese place names; a name is first + " " + second.
var first = []string{
	"Tân", "Hòa", "Phú", "An", "Bình", "Long", "Thạnh", "Phước", "Đông", "Tây",
	"Nam", "Bắc", "Trung", "Hưng", "Thái", "Vĩnh", "Quang", "Minh", "Đức", "Thanh",
	"Hồng", "Kim", "Ngọc", "Lạc", "Yên", "Cẩm", "Mỹ", "Hiệp", "Thuận", "Xuân",
	"Hải", "Sơn", "Lâm", "Gia", "Trường", "Thịnh", "Tiến", "Đại", "Thắng", "Việt",
	"Quảng", "Nghĩa", "Khánh", "Bảo", "Định", "Tam", "Vạn", "Phong", "Châu", "Hà",
}

var second = []string{
	"Phú", "Bình", "An", "Hòa", "Lợi", "Thành", "Lộc", "Hưng", "Thịnh", "Phong",
	"Long", "Sơn", "Hải", "Xuân", "Tiến", "Lập", "Mỹ", "Thuận", "Đông", "Tây",
	"Trung", "Hiệp", "Khánh", "Quang", "Minh", "Nghĩa", "Điền", "Hội", "Dương", "Vinh",
	"Châu", "Giang", "Lâm", "Thủy", "Hồng", "Phước", "Tân", "Yên", "Đức", "Kiều",
	"Quý", "Cường", "Thạch", "Bắc", "Nam", "Hạ", "Thượng", "Linh", "Trạch", "Đạt",
}

// splitmix64: a fixed, seedable generator so the output never depends on
// math/rand's algorithm or on map order.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// unit returns a float in [0,1).
func (r *rng) unit() float64 { return float64(r.next()>>11) / (1 << 53) }

type commune struct {
	code   int
	name   string
	kind   string
	prov   string
	weight float64
}

func generate() []commune {
	r := &rng{s: 20250701}
	var out []commune
	code := 0
	for _, p := range provinces {
		code += 1 + r.intn(40) // gap between provinces, as old codes left
		kinds := make([]string, 0, p.xa+p.phuong+len(p.dackhu))
		for range p.phuong {
			kinds = append(kinds, "PHUONG")
		}
		for range p.xa {
			kinds = append(kinds, "XA")
		}
		for range p.dackhu {
			kinds = append(kinds, "DAC_KHU")
		}
		// Real codes follow the old districts, so kinds are interleaved.
		for i := len(kinds) - 1; i > 0; i-- {
			j := r.intn(i + 1)
			kinds[i], kinds[j] = kinds[j], kinds[i]
		}
		used := map[string]bool{}
		for _, n := range p.dackhu {
			used[n] = true
		}
		reals, dk := 0, 0
		for _, k := range kinds {
			code += 1 + r.intn(17)
			var base, prefix string
			var w float64
			switch k {
			case "DAC_KHU":
				base, prefix = p.dackhu[dk], "Đặc khu"
				dk++
				w = 0.15 + 0.3*r.unit()
				if base == "Phú Quốc" {
					w = 2.5 // an island city of its own
				}
			case "PHUONG":
				prefix = "Phường"
				w = (1.6 + 1.6*r.unit()) * p.weightK
				for reals < len(p.reals) && used[p.reals[reals]] {
					reals++
				}
				if reals < len(p.reals) {
					base = p.reals[reals]
					reals++
				}
			default:
				prefix = "Xã"
				w = 0.5 + 0.8*r.unit()
			}
			for k != "DAC_KHU" && (base == "" || used[base]) {
				base = first[r.intn(len(first))] + " " + second[r.intn(len(second))]
				if first0(base) {
					base = ""
				}
			}
			used[base] = true
			out = append(out, commune{code: code, name: prefix + " " + base, kind: k, prov: p.code, weight: w})
		}
	}
	return out
}

// first0 rejects names whose two syllables are the same ("Phú Phú").
func first0(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] == ' ' {
			return name[:i] == name[i+1:]
		}
	}
	return false
}

func main() {
	communesPath := flag.String("communes", "communes.csv", "output path of the commune list")
	provincesPath := flag.String("provinces", "provinces.csv", "output path of the province table")
	flag.Parse()

	var pb bytes.Buffer
	pw := csv.NewWriter(&pb)
	must(pw.Write([]string{"code", "name", "city", "population"}))
	for _, p := range provinces {
		must(pw.Write([]string{p.code, p.name, strconv.FormatBool(p.city), strconv.FormatFloat(p.pop, 'f', -1, 64)}))
	}
	pw.Flush()
	must(pw.Error())

	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	must(cw.Write([]string{"code", "name", "kind", "province_code", "weight"}))
	for _, c := range generate() {
		if c.code > 99999 {
			must(fmt.Errorf("commune code %d overflows 5 digits", c.code))
		}
		must(cw.Write([]string{fmt.Sprintf("%05d", c.code), c.name, c.kind, c.prov, strconv.FormatFloat(c.weight, 'f', 3, 64)}))
	}
	cw.Flush()
	must(cw.Error())

	must(os.WriteFile(*provincesPath, pb.Bytes(), 0o644))
	must(os.WriteFile(*communesPath, cb.Bytes(), 0o644))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencommunes:", err)
		os.Exit(1)
	}
}
