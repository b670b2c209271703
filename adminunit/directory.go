package adminunit

import "slices"

// Provinces lists the provinces in code order.
func (d *Directory) Provinces() []Province { return slices.Clone(d.provinces) }

// Province finds a province by its 2-digit code.
func (d *Directory) Province(code string) (Province, bool) {
	i, ok := d.byProvince[code]
	if !ok {
		return Province{}, false
	}
	return d.provinces[i], true
}

// Commune finds a commune by its 5-digit code.
func (d *Directory) Commune(code string) (Commune, bool) {
	i, ok := d.byCommune[code]
	if !ok {
		return Commune{}, false
	}
	return d.communes[i], true
}

// Communes lists the communes of a province in code order (nil for an
// unknown province).
func (d *Directory) Communes(provinceCode string) []Commune {
	idx := d.inProvince[provinceCode]
	if len(idx) == 0 {
		return nil
	}
	out := make([]Commune, len(idx))
	for j, i := range idx {
		out[j] = d.communes[i]
	}
	return out
}

// AllCommunes lists every commune in code order.
func (d *Directory) AllCommunes() []Commune { return slices.Clone(d.communes) }

// Level says whether code is a known province, a known commune, or neither.
func (d *Directory) Level(code string) Level {
	if _, ok := d.byProvince[code]; ok {
		return LevelProvince
	}
	if _, ok := d.byCommune[code]; ok {
		return LevelCommune
	}
	return LevelUnknown
}

// ProvinceOf returns the province code of a province or commune code.
func (d *Directory) ProvinceOf(code string) (string, bool) {
	if _, ok := d.byProvince[code]; ok {
		return code, true
	}
	if i, ok := d.byCommune[code]; ok {
		return d.communes[i].ProvinceCode, true
	}
	return "", false
}

// Name returns the name of a province or commune code.
func (d *Directory) Name(code string) (string, bool) {
	if i, ok := d.byProvince[code]; ok {
		return d.provinces[i].Name, true
	}
	if i, ok := d.byCommune[code]; ok {
		return d.communes[i].Name, true
	}
	return "", false
}

// Counts returns how many communes of each kind the directory holds.
func (d *Directory) Counts() map[CommuneKind]int {
	out := map[CommuneKind]int{}
	for _, c := range d.communes {
		out[c.Kind]++
	}
	return out
}
