// Package adminunit is the directory of Vietnam's administrative units since
// 1 July 2025: 34 provinces with their official codes and the communes
// (xã, phường, đặc khu) under each. It answers "what is this code, and which
// province is it in"; it knows nothing of people or upstream systems.
package adminunit

// Level says whether a code names a province or a commune.
type Level int

const (
	LevelUnknown Level = iota
	LevelProvince
	LevelCommune
)

// CommuneKind is the kind of a commune-level unit.
type CommuneKind string

const (
	KindXa     CommuneKind = "XA"      // rural commune
	KindPhuong CommuneKind = "PHUONG"  // ward
	KindDacKhu CommuneKind = "DAC_KHU" // special zone
)

// Province is a province-level unit (tỉnh / thành phố trực thuộc trung ương).
type Province struct {
	Code       string  // 2 digits, e.g. "01"
	Name       string  // e.g. "Hà Nội"
	City       bool    // thành phố trực thuộc trung ương
	Population float64 // residents in millions (approximate), used to weight synthetic data
}

// Commune is a commune-level unit.
type Commune struct {
	Code         string // 5 digits
	Name         string // full name with its kind, e.g. "Phường Ba Đình"
	Kind         CommuneKind
	ProvinceCode string
	Weight       float64 // relative population within its province
}

// Directory looks up units by code. It is immutable after construction and
// safe for concurrent use.
type Directory struct {
	provinces  []Province
	communes   []Commune
	byProvince map[string]int   // province code -> index in provinces
	byCommune  map[string]int   // commune code -> index in communes
	inProvince map[string][]int // province code -> indexes in communes
}
