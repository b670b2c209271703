package synth

// Reference tables. They are constants in spirit: never modified after
// compilation, only read.

type region int

const (
	regionNorth region = iota
	regionNorthMountain
	regionMuong // provinces that absorbed Hòa Bình / western Thanh Hóa
	regionCentral
	regionHighlands
	regionSouth
	regionMekong
	regionHCM
)

// south reports whether the region uses southern naming (Huỳnh, Võ, ấp, hẻm).
func (r region) south() bool { return r == regionSouth || r == regionMekong || r == regionHCM }

type provinceRef struct {
	cmnd   string // issuing-police prefix of old CMNDs (synthetic, modelled on the old codes)
	plate  string // licence plate code (real)
	region region
}

var provinceRefs = map[string]provinceRef{
	"01": {"01", "29", regionNorth},
	"04": {"08", "11", regionNorthMountain},
	"08": {"07", "22", regionNorthMountain},
	"11": {"04", "27", regionNorthMountain},
	"12": {"11", "25", regionNorthMountain},
	"14": {"05", "26", regionNorthMountain},
	"15": {"06", "24", regionNorthMountain},
	"19": {"09", "20", regionNorthMountain},
	"20": {"15", "12", regionNorthMountain},
	"22": {"10", "14", regionNorth},
	"24": {"12", "99", regionNorth},
	"25": {"13", "19", regionMuong},
	"31": {"03", "15", regionNorth},
	"33": {"14", "89", regionNorth},
	"37": {"16", "35", regionNorth},
	"38": {"17", "36", regionMuong},
	"40": {"18", "37", regionCentral},
	"42": {"19", "38", regionCentral},
	"44": {"20", "74", regionCentral},
	"46": {"21", "75", regionCentral},
	"48": {"22", "43", regionCentral},
	"51": {"23", "76", regionCentral},
	"52": {"24", "81", regionHighlands},
	"56": {"25", "79", regionCentral},
	"66": {"26", "47", regionHighlands},
	"68": {"27", "49", regionHighlands},
	"75": {"28", "60", regionSouth},
	"79": {"02", "51", regionHCM},
	"80": {"29", "70", regionSouth},
	"82": {"30", "66", regionMekong},
	"86": {"31", "64", regionMekong},
	"91": {"35", "67", regionMekong},
	"92": {"36", "65", regionMekong},
	"96": {"38", "69", regionMekong},
}

type weighted struct {
	v string
	w float64
}

// Family names of the Kinh majority by region, in per-mille-ish weights;
// Nguyễn ~38% nationwide once minorities are counted.
var (
	familyNorth = []weighted{
		{"Nguyễn", 40}, {"Trần", 11}, {"Lê", 9.5}, {"Phạm", 7.5}, {"Hoàng", 4.5}, {"Phan", 3.8},
		{"Vũ", 3.5}, {"Đặng", 2.2}, {"Bùi", 2.4}, {"Đỗ", 2}, {"Hồ", 0.8}, {"Ngô", 1.5},
		{"Dương", 1.2}, {"Lý", 0.5}, {"Đinh", 1}, {"Đào", 1}, {"Mai", 0.6}, {"Trịnh", 0.8},
		{"Lương", 0.6}, {"Tô", 0.3}, {"Cao", 0.4}, {"Lưu", 0.4}, {"Hà", 0.6}, {"Tạ", 0.3},
		{"Chu", 0.3}, {"Kiều", 0.2}, {"Triệu", 0.3}, {"Vương", 0.2}, {"Huỳnh", 0.2}, {"Võ", 0.3},
		{"Phùng", 0.3}, {"Nghiêm", 0.2},
	}
	familyCentral = []weighted{
		{"Nguyễn", 40}, {"Trần", 11}, {"Lê", 10}, {"Phạm", 6}, {"Hoàng", 3}, {"Huỳnh", 2.5},
		{"Phan", 6}, {"Vũ", 1}, {"Võ", 4}, {"Đặng", 2}, {"Bùi", 1.5}, {"Đỗ", 1.2},
		{"Hồ", 2.5}, {"Ngô", 1.3}, {"Dương", 1}, {"Lý", 0.4}, {"Đinh", 0.8}, {"Đoàn", 0.8},
		{"Trương", 1}, {"Mai", 0.5}, {"Lương", 0.5}, {"Cao", 0.5}, {"Thái", 0.4}, {"Tôn", 0.2},
	}
	familySouth = []weighted{
		{"Nguyễn", 40}, {"Trần", 12}, {"Lê", 9.5}, {"Phạm", 6}, {"Hoàng", 0.8}, {"Huỳnh", 5},
		{"Phan", 4}, {"Vũ", 0.6}, {"Võ", 4.5}, {"Đặng", 2}, {"Bùi", 1.5}, {"Đỗ", 1},
		{"Hồ", 1.2}, {"Ngô", 1.3}, {"Dương", 1.2}, {"Lý", 0.8}, {"Trương", 1.3}, {"Lâm", 1},
		{"Đoàn", 0.6}, {"Mai", 0.5}, {"Tạ", 0.2}, {"Châu", 0.4}, {"Tô", 0.3}, {"La", 0.2},
		{"Quách", 0.2}, {"Từ", 0.2},
	}
)

// Family names of some ethnic minorities, used for most of their members.
var minorityFamily = map[string][]string{
	"Tày":     {"Nông", "Hoàng", "Lương", "Ma", "Hà", "Lục"},
	"Thái":    {"Lò", "Lường", "Cầm", "Quàng", "Vì", "Tòng"},
	"Mường":   {"Bùi", "Đinh", "Quách", "Hà", "Xa"},
	"H'Mông":  {"Giàng", "Vàng", "Thào", "Lý", "Sùng", "Hầu", "Mùa"},
	"Nùng":    {"Nông", "Hoàng", "Lý", "Lục", "Chu"},
	"Dao":     {"Triệu", "Bàn", "Đặng", "Lý"},
	"Khmer":   {"Thạch", "Danh", "Sơn", "Kim", "Lâm", "Trần"},
	"Hoa":     {"Lý", "Lâm", "Trương", "Quách", "Lưu", "Mã", "Hứa"},
	"Gia Rai": {"Ksor", "Rơ Châm", "Siu", "Rah Lan", "Nay"},
	"Ê Đê":    {"Niê", "Mlô", "Ayun", "Byă", "Êban"},
	"Ba Na":   {"Đinh", "Y", "A"},
	"K'Ho":    {"K'", "Ka", "Liêng"},
}

var ethnicByRegion = map[region][]weighted{
	regionNorth:         {{"Kinh", 97}, {"Mường", 1}, {"Tày", 0.5}, {"Thái", 0.3}, {"Hoa", 0.5}, {"Nùng", 0.4}, {"Dao", 0.3}},
	regionNorthMountain: {{"Kinh", 45}, {"Tày", 15}, {"Thái", 14}, {"H'Mông", 11}, {"Nùng", 7}, {"Dao", 5}, {"Mường", 2}, {"Giáy", 0.5}, {"Hà Nhì", 0.5}},
	regionMuong:         {{"Kinh", 80}, {"Mường", 15}, {"Thái", 3}, {"Dao", 1}, {"Tày", 1}},
	regionCentral:       {{"Kinh", 95}, {"Thái", 1}, {"Chăm", 1}, {"Bru - Vân Kiều", 1}, {"Cơ Tu", 1}, {"Xơ Đăng", 1}},
	regionHighlands:     {{"Kinh", 65}, {"Gia Rai", 10}, {"Ê Đê", 8}, {"Ba Na", 5}, {"K'Ho", 4}, {"M'Nông", 2}, {"Tày", 2}, {"Nùng", 2}, {"Chăm", 1}, {"Mường", 1}},
	regionSouth:         {{"Kinh", 96}, {"Hoa", 1.5}, {"Khmer", 1.5}, {"Chăm", 0.5}, {"Stiêng", 0.5}},
	regionMekong:        {{"Kinh", 88}, {"Khmer", 9}, {"Hoa", 2}, {"Chăm", 1}},
	regionHCM:           {{"Kinh", 93}, {"Hoa", 5}, {"Khmer", 1}, {"Chăm", 0.5}, {"Tày", 0.5}},
}

var (
	middleMale = []weighted{
		{"Văn", 30}, {"Hữu", 6}, {"Đức", 8}, {"Quốc", 5}, {"Minh", 9}, {"Công", 5}, {"Thanh", 6},
		{"Xuân", 3}, {"Đình", 5}, {"Ngọc", 3}, {"Quang", 5}, {"Trung", 3}, {"Anh", 2}, {"Hoàng", 3},
		{"Gia", 3}, {"Bảo", 2}, {"Thế", 3}, {"Trọng", 3}, {"Mạnh", 2}, {"Duy", 3}, {"Hải", 2},
		{"Nhật", 2}, {"Tiến", 2}, {"Đăng", 2}, {"Chí", 2}, {"Tấn", 2}, {"Thành", 2},
	}
	middleFemale = []weighted{
		{"Thị", 40}, {"Ngọc", 8}, {"Kim", 5}, {"Diệu", 2}, {"Thu", 5}, {"Thanh", 5}, {"Phương", 4},
		{"Hồng", 3}, {"Mai", 2}, {"Minh", 3}, {"Bảo", 3}, {"Khánh", 3}, {"Quỳnh", 2}, {"Thảo", 2},
		{"Hải", 2}, {"Thùy", 3}, {"Mỹ", 3}, {"Bích", 2}, {"Tuyết", 1}, {"Ánh", 2}, {"Gia", 2},
		{"Hoài", 1}, {"Cẩm", 1},
	}
	givenMale = []string{
		"An", "Bình", "Cường", "Dũng", "Hùng", "Hòa", "Hải", "Hiếu", "Hoàng", "Huy",
		"Khang", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Lộc", "Minh", "Nam", "Nghĩa",
		"Nhân", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành",
		"Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Đạt",
		"Đức", "Duy", "Hưng", "Hậu", "Lợi", "Mạnh", "Nguyên", "Phát", "Quý", "Sang",
		"Tân", "Thái", "Thiện", "Tiến", "Trọng", "Tú", "Tường", "Bảo", "Chiến", "Công",
		"Giang", "Kiệt", "Luân", "Hiển",
	}
	givenFemale = []string{
		"An", "Anh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
		"Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan",
		"Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Nhi", "Oanh", "Phương",
		"Quyên", "Quỳnh", "Tâm", "Thảo", "Thủy", "Thư", "Thúy", "Trang", "Trâm", "Trinh",
		"Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Hòa", "Hậu", "Diệp", "Đào",
		"Nhàn", "Thắm", "Thoa", "Khánh", "Phượng", "Hường", "Thu", "Lệ", "Nguyệt", "Hiên",
	}
)

var streets = []string{
	"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Lý Thường Kiệt", "Hai Bà Trưng", "Quang Trung",
	"Lê Duẩn", "Nguyễn Huệ", "Điện Biên Phủ", "Phan Chu Trinh", "Hùng Vương", "Ngô Quyền",
	"Nguyễn Du", "Trần Phú", "Lê Hồng Phong", "Phạm Văn Đồng", "Hoàng Diệu", "Bạch Đằng",
	"Nguyễn Thị Minh Khai", "Võ Thị Sáu", "Lê Thánh Tông", "Nguyễn Văn Cừ", "Trường Chinh",
	"Cách Mạng Tháng Tám", "Phan Đình Phùng", "Tôn Đức Thắng", "Lạc Long Quân", "Âu Cơ",
	"Nguyễn Chí Thanh", "Lý Thái Tổ", "Trần Quang Khải", "Phan Bội Châu", "Huỳnh Thúc Kháng",
	"Chu Văn An", "Lê Văn Sỹ", "Nguyễn Đình Chiểu", "Hàm Nghi", "Yersin", "Pasteur",
	"30 Tháng 4",
}

var hamlets = []string{
	"Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Tân Lợi", "Phú Hòa",
	"Bình An", "Hòa Bình", "An Thạnh", "Long Hòa", "Mỹ Lợi", "Thạnh Phú", "Đồng Tâm", "Quyết Tiến",
}

// Mobile prefixes of Viettel, MobiFone and VinaPhone (10-digit numbers).
var mobilePrefixes = []string{
	"086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
	"090", "093", "070", "076", "077", "078", "079", "091", "094", "081", "082", "083",
	"084", "085", "088",
}

func pickWeighted(ws []weighted, u float64) string {
	tot := 0.0
	for _, w := range ws {
		tot += w.w
	}
	x := u * tot
	for _, w := range ws {
		if x < w.w {
			return w.v
		}
		x -= w.w
	}
	return ws[len(ws)-1].v
}
