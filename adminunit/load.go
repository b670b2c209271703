package adminunit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/domain"
)

// Limits on operator-supplied files: the real lists are far smaller.
const (
	maxFileBytes = 16 << 20
	maxCommunes  = 100_000 // every 5-digit code
	maxProvinces = 100     // every 2-digit code
	maxNameBytes = 200
)

// ErrBadData is the kind of every error Load returns; errors.Is(err, ErrBadData).
var ErrBadData = errors.New("bad administrative unit data")

// DataError says which file and line of the unit lists is wrong, and why.
type DataError struct {
	File   string // "provinces" or "communes"
	Line   int    // 1-based CSV record number, 0 when not about one line
	Reason string
}

func (e *DataError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("adminunit: %s line %d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("adminunit: %s: %s", e.File, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBadData) true.
func (e *DataError) Unwrap() error { return ErrBadData }

var (
	provinceHeader = []string{"code", "name", "city", "population"}
	communeHeader  = []string{"code", "name", "kind", "province_code", "weight"}
)

// Load reads a directory from two CSV files, so that operators can supply the
// official commune list instead of the embedded synthetic one.
//
// provinces: header "code,name,city,population"; code 2 digits, city
// true/false, population in millions (> 0).
// communes: header "code,name,kind,province_code,weight"; code 5 digits, kind
// XA/PHUONG/DAC_KHU (or Xã/Phường/Đặc khu), weight > 0 or empty for the kind's
// default. Codes must be unique and every commune must name a listed
// province. Names are normalised to NFC. Rows may come in any order; the
// directory sorts them by code.
func Load(provinces, communes io.Reader) (*Directory, error) {
	provRows, err := readCSV("provinces", provinces, provinceHeader)
	if err != nil {
		return nil, err
	}
	comRows, err := readCSV("communes", communes, communeHeader)
	if err != nil {
		return nil, err
	}
	if len(provRows) == 0 {
		return nil, &DataError{File: "provinces", Reason: "no provinces"}
	}
	if len(provRows) > maxProvinces {
		return nil, &DataError{File: "provinces", Reason: "too many rows"}
	}
	if len(comRows) > maxCommunes {
		return nil, &DataError{File: "communes", Reason: "too many rows"}
	}

	d := &Directory{
		byProvince: make(map[string]int, len(provRows)),
		byCommune:  make(map[string]int, len(comRows)),
		inProvince: make(map[string][]int, len(provRows)),
	}
	for n, r := range provRows {
		line := n + 2 // header is line 1
		p, err := parseProvince(r)
		if err != nil {
			return nil, &DataError{File: "provinces", Line: line, Reason: err.Error()}
		}
		if _, dup := d.byProvince[p.Code]; dup {
			return nil, &DataError{File: "provinces", Line: line, Reason: "duplicate province code " + p.Code}
		}
		d.byProvince[p.Code] = len(d.provinces)
		d.provinces = append(d.provinces, p)
	}
	seen := make(map[string]bool, len(comRows))
	for n, r := range comRows {
		line := n + 2
		c, err := parseCommune(r)
		if err != nil {
			return nil, &DataError{File: "communes", Line: line, Reason: err.Error()}
		}
		if seen[c.Code] {
			return nil, &DataError{File: "communes", Line: line, Reason: "duplicate commune code " + c.Code}
		}
		if _, ok := d.byProvince[c.ProvinceCode]; !ok {
			return nil, &DataError{File: "communes", Line: line, Reason: "unknown province code " + c.ProvinceCode}
		}
		seen[c.Code] = true
		d.communes = append(d.communes, c)
	}

	sort.Slice(d.provinces, func(i, j int) bool { return d.provinces[i].Code < d.provinces[j].Code })
	sort.Slice(d.communes, func(i, j int) bool { return d.communes[i].Code < d.communes[j].Code })
	for i, p := range d.provinces {
		d.byProvince[p.Code] = i
	}
	for i, c := range d.communes {
		d.byCommune[c.Code] = i
		d.inProvince[c.ProvinceCode] = append(d.inProvince[c.ProvinceCode], i)
	}
	return d, nil
}

func readCSV(file string, r io.Reader, header []string) ([][]string, error) {
	if r == nil {
		return nil, &DataError{File: file, Reason: "no reader"}
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("adminunit: reading %s: %w", file, err)
	}
	if len(data) > maxFileBytes {
		return nil, &DataError{File: file, Reason: "file too large"}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheet exports start with a BOM
	if !utf8.Valid(data) {
		return nil, &DataError{File: file, Reason: "not valid UTF-8"}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = len(header)
	cr.ReuseRecord = false
	rows, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &DataError{File: file, Line: pe.Line, Reason: "malformed CSV: " + pe.Err.Error()}
		}
		return nil, &DataError{File: file, Reason: "malformed CSV"}
	}
	if len(rows) == 0 {
		return nil, &DataError{File: file, Reason: "empty file"}
	}
	for i, h := range header {
		if strings.ToLower(strings.TrimSpace(rows[0][i])) != h {
			return nil, &DataError{File: file, Line: 1, Reason: "header must be " + strings.Join(header, ",")}
		}
	}
	return rows[1:], nil
}

func parseProvince(r []string) (Province, error) {
	code := strings.TrimSpace(r[0])
	if !digits(code, 2) {
		return Province{}, errors.New("province code must be 2 digits")
	}
	name, err := cleanName(r[1])
	if err != nil {
		return Province{}, err
	}
	city, err := strconv.ParseBool(strings.TrimSpace(r[2]))
	if err != nil {
		return Province{}, errors.New("city must be true or false")
	}
	pop, err := strconv.ParseFloat(strings.TrimSpace(r[3]), 64)
	if err != nil || math.IsNaN(pop) || math.IsInf(pop, 0) || pop <= 0 || pop > 1000 {
		return Province{}, errors.New("population must be a positive number of millions")
	}
	return Province{Code: code, Name: name, City: city, Population: pop}, nil
}

func parseCommune(r []string) (Commune, error) {
	code := strings.TrimSpace(r[0])
	if !digits(code, 5) {
		return Commune{}, errors.New("commune code must be 5 digits")
	}
	name, err := cleanName(r[1])
	if err != nil {
		return Commune{}, err
	}
	kind, ok := parseKind(r[2])
	if !ok {
		return Commune{}, errors.New("kind must be XA, PHUONG or DAC_KHU")
	}
	prov := strings.TrimSpace(r[3])
	if !digits(prov, 2) {
		return Commune{}, errors.New("province code must be 2 digits")
	}
	w := defaultWeight(kind)
	if s := strings.TrimSpace(r[4]); s != "" {
		w, err = strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) || w <= 0 || w > 1e6 {
			return Commune{}, errors.New("weight must be a positive number")
		}
	}
	return Commune{Code: code, Name: name, Kind: kind, ProvinceCode: prov, Weight: w}, nil
}

// defaultWeight applies when an operator's list carries no weights: wards are
// denser than rural communes, special zones are islands.
func defaultWeight(k CommuneKind) float64 {
	switch k {
	case KindPhuong:
		return 2.4
	case KindDacKhu:
		return 0.3
	}
	return 1
}

func parseKind(s string) (CommuneKind, bool) {
	switch strings.ToLower(norm.NFC.String(strings.TrimSpace(s))) {
	case "xa", "xã":
		return KindXa, true
	case "phuong", "phường":
		return KindPhuong, true
	case "dac_khu", "đặc khu", "dac khu":
		return KindDacKhu, true
	}
	return "", false
}

func cleanName(s string) (string, error) {
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if s == "" {
		return "", errors.New("name is empty")
	}
	if len(s) > maxNameBytes {
		return "", errors.New("name is too long")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return "", errors.New("name contains control characters")
		}
	}
	return s, nil
}

func digits(s string, n int) bool { return len(s) == n && domain.IsDigits(s) }
