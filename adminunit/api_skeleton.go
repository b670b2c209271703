package adminunit

// SKELETON: the synth/adminunit helper replaces this file with the real implementation.

// Default returns the embedded directory (34 provinces, 3,321 communes).
func Default() (*Directory, error) { panic("adminunit: skeleton") }

// Provinces lists the provinces in code order.
func (d *Directory) Provinces() []Province { panic("adminunit: skeleton") }

// Province finds a province by its 2-digit code.
func (d *Directory) Province(code string) (Province, bool) { panic("adminunit: skeleton") }

// Commune finds a commune by its 5-digit code.
func (d *Directory) Commune(code string) (Commune, bool) { panic("adminunit: skeleton") }

// Communes lists the communes of a province in code order.
func (d *Directory) Communes(provinceCode string) []Commune { panic("adminunit: skeleton") }

// AllCommunes lists every commune in code order.
func (d *Directory) AllCommunes() []Commune { panic("adminunit: skeleton") }

// Level says whether code is a known province, a known commune, or neither.
func (d *Directory) Level(code string) Level { panic("adminunit: skeleton") }

// ProvinceOf returns the province code of a province or commune code.
func (d *Directory) ProvinceOf(code string) (string, bool) { panic("adminunit: skeleton") }

// Name returns the name of a province or commune code.
func (d *Directory) Name(code string) (string, bool) { panic("adminunit: skeleton") }
