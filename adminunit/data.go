package adminunit

import (
	_ "embed"
	"strings"
)

//go:generate go run ./internal/gencommunes -provinces provinces.csv -communes communes.csv

// Embedded as strings so that they cannot be modified. The province table is real (codes, names, approximate populations); the
// communes are synthetic but keep the official counts (see internal/gencommunes).
var (
	//go:embed provinces.csv
	provincesCSV string
	//go:embed communes.csv
	communesCSV string
)

// Default returns the embedded directory (34 provinces, 3,321 communes). It
// parses and validates the embedded files on every call, so callers own the
// result and nothing is shared between them.
func Default() (*Directory, error) {
	return Load(strings.NewReader(provincesCSV), strings.NewReader(communesCSV))
}
