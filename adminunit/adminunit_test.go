package adminunit

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func mustDefault(t testing.TB) *Directory {
	t.Helper()
	d, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return d
}

func TestDefaultCounts(t *testing.T) {
	d := mustDefault(t)
	if got := len(d.Provinces()); got != 34 {
		t.Errorf("provinces = %d, want 34", got)
	}
	if got := len(d.AllCommunes()); got != 3321 {
		t.Errorf("communes = %d, want 3321", got)
	}
	counts := d.Counts()
	for kind, want := range map[CommuneKind]int{KindXa: 2621, KindPhuong: 687, KindDacKhu: 13} {
		if counts[kind] != want {
			t.Errorf("%s = %d, want %d", kind, counts[kind], want)
		}
	}
	sum := 0
	for _, p := range d.Provinces() {
		cs := d.Communes(p.Code)
		if len(cs) == 0 {
			t.Errorf("province %s has no communes", p.Code)
		}
		sum += len(cs)
		names := map[string]bool{}
		for _, c := range cs {
			if c.ProvinceCode != p.Code {
				t.Errorf("commune %s listed under %s but belongs to %s", c.Code, p.Code, c.ProvinceCode)
			}
			if names[c.Name] {
				t.Errorf("duplicate commune name in province %s", p.Code)
			}
			names[c.Name] = true
		}
	}
	if sum != 3321 {
		t.Errorf("communes over provinces = %d", sum)
	}
}

func TestDefaultData(t *testing.T) {
	d := mustDefault(t)
	prev := ""
	for _, c := range d.AllCommunes() {
		if c.Code <= prev {
			t.Fatalf("commune codes not ascending at %s", c.Code)
		}
		prev = c.Code
		if !norm.NFC.IsNormalString(c.Name) {
			t.Errorf("commune %s name not NFC", c.Code)
		}
		prefix := map[CommuneKind]string{KindXa: "Xã ", KindPhuong: "Phường ", KindDacKhu: "Đặc khu "}[c.Kind]
		if !strings.HasPrefix(c.Name, prefix) {
			t.Errorf("commune %s name %q does not start with its kind", c.Code, c.Name)
		}
		if c.Weight <= 0 {
			t.Errorf("commune %s weight %v", c.Code, c.Weight)
		}
	}
	// Provinces in code order, ascending commune codes follow province order.
	var lastProv string
	for _, c := range d.AllCommunes() {
		if c.ProvinceCode < lastProv {
			t.Fatalf("commune %s breaks province order", c.Code)
		}
		lastProv = c.ProvinceCode
	}
	hcm, _ := d.Province("79")
	if hcm.Name != "Hồ Chí Minh" || !hcm.City || hcm.Population != 14 {
		t.Errorf("HCM = %+v", hcm)
	}
	if n := len(d.Communes("79")); n != 168 {
		t.Errorf("HCM communes = %d, want 168", n)
	}
	if n := len(d.Communes("01")); n != 126 {
		t.Errorf("Hà Nội communes = %d, want 126", n)
	}
}

func TestLookups(t *testing.T) {
	d := mustDefault(t)
	first := d.Communes("46")[0]
	tests := []struct {
		code     string
		level    Level
		province string
		name     string
	}{
		{"01", LevelProvince, "01", "Hà Nội"},
		{"96", LevelProvince, "96", "Cà Mau"},
		{"46", LevelProvince, "46", "Huế"},
		{first.Code, LevelCommune, "46", first.Name},
		{"02", LevelUnknown, "", ""},
		{"99999", LevelUnknown, "", ""},
		{"", LevelUnknown, "", ""},
		{"0001", LevelUnknown, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := d.Level(tt.code); got != tt.level {
				t.Errorf("Level = %v, want %v", got, tt.level)
			}
			prov, ok := d.ProvinceOf(tt.code)
			if prov != tt.province || ok != (tt.province != "") {
				t.Errorf("ProvinceOf = %q %v", prov, ok)
			}
			name, ok := d.Name(tt.code)
			if name != tt.name || ok != (tt.name != "") {
				t.Errorf("Name = %q %v", name, ok)
			}
		})
	}
	if _, ok := d.Commune("01"); ok {
		t.Error("a province code found as a commune")
	}
	if _, ok := d.Province(first.Code); ok {
		t.Error("a commune code found as a province")
	}
	if cs := d.Communes("02"); cs != nil {
		t.Errorf("Communes(unknown) = %d items", len(cs))
	}
	for _, dk := range []string{"Đặc khu Côn Đảo", "Đặc khu Phú Quốc", "Đặc khu Hoàng Sa", "Đặc khu Trường Sa"} {
		found := false
		for _, c := range d.AllCommunes() {
			found = found || c.Name == dk
		}
		if !found {
			t.Errorf("%s missing", dk)
		}
	}
}

func TestReturnedSlicesAreCopies(t *testing.T) {
	d := mustDefault(t)
	d.Provinces()[0].Name = "x"
	d.AllCommunes()[0].Name = "x"
	d.Communes("01")[0].Name = "x"
	if p, _ := d.Province("01"); p.Name != "Hà Nội" {
		t.Error("Provinces() exposed internal state")
	}
	if d.AllCommunes()[0].Name == "x" || d.Communes("01")[0].Name == "x" {
		t.Error("communes exposed internal state")
	}
}

const goodProvinces = "code,name,city,population\n01,Hà Nội,true,8.7\n79,Hồ Chí Minh,true,14\n"

func TestLoad(t *testing.T) {
	decomposed := norm.NFD.String("Phường Bến Thành")
	d, err := Load(strings.NewReader("\uFEFF"+goodProvinces),
		strings.NewReader("code,name,kind,province_code,weight\n26734,"+decomposed+",Phường,79,\n00004,Phường Ba Đình,PHUONG,01,2.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := d.Commune("26734")
	if !ok || c.Name != "Phường Bến Thành" || c.Kind != KindPhuong || c.Weight != 2.4 {
		t.Errorf("commune = %+v %v", c, ok)
	}
	if all := d.AllCommunes(); all[0].Code != "00004" {
		t.Errorf("not sorted by code: %v", all[0].Code)
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	const ch = "code,name,kind,province_code,weight\n"
	tests := []struct {
		name, provinces, communes, want string
	}{
		{"empty provinces", "", ch, "empty file"},
		{"no provinces", "code,name,city,population\n", ch, "no provinces"},
		{"bad header", "id,name,city,population\n01,Hà Nội,true,1\n", ch, "header"},
		{"short province code", "code,name,city,population\n1,Hà Nội,true,1\n", ch, "2 digits"},
		{"duplicate province", goodProvinces + "01,Khác,false,1\n", ch, "duplicate province"},
		{"bad city", "code,name,city,population\n01,Hà Nội,maybe,1\n", ch, "city"},
		{"zero population", "code,name,city,population\n01,Hà Nội,true,0\n", ch, "population"},
		{"NaN population", "code,name,city,population\n01,Hà Nội,true,NaN\n", ch, "population"},
		{"empty name", "code,name,city,population\n01, ,true,1\n", ch, "empty"},
		{"wrong field count", goodProvinces, ch + "00004,Phường Ba Đình,PHUONG,01\n", "malformed CSV"},
		{"4-digit commune", goodProvinces, ch + "0004,Phường Ba Đình,PHUONG,01,1\n", "5 digits"},
		{"letters in code", goodProvinces, ch + "0000A,Phường Ba Đình,PHUONG,01,1\n", "5 digits"},
		{"duplicate commune", goodProvinces, ch + "00004,Phường Ba Đình,PHUONG,01,1\n00004,Xã Khác,XA,01,1\n", "duplicate commune"},
		{"unknown province", goodProvinces, ch + "00004,Phường Ba Đình,PHUONG,02,1\n", "unknown province"},
		{"bad kind", goodProvinces, ch + "00004,Phường Ba Đình,HUYEN,01,1\n", "kind"},
		{"negative weight", goodProvinces, ch + "00004,Phường Ba Đình,PHUONG,01,-1\n", "weight"},
		{"control chars", goodProvinces, ch + "00004,\"Phường\x01Ba\",PHUONG,01,1\n", "control"},
		{"invalid UTF-8", goodProvinces, ch + "00004,Ph\xffng,PHUONG,01,1\n", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(strings.NewReader(tt.provinces), strings.NewReader(tt.communes))
			if err == nil {
				t.Fatalf("accepted: %+v", d)
			}
			if !errors.Is(err, ErrBadData) {
				t.Errorf("error %v is not ErrBadData", err)
			}
			var de *DataError
			if !errors.As(err, &de) {
				t.Errorf("error %T is not *DataError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadRejectsHugeInput(t *testing.T) {
	big := bytes.Repeat([]byte("x"), maxFileBytes+10)
	_, err := Load(bytes.NewReader(big), strings.NewReader(""))
	if !errors.Is(err, ErrBadData) {
		t.Fatalf("err = %v", err)
	}
}

// TestGenerateReproduces runs the generator and compares with the committed
// files, as `go generate ./adminunit/...` would.
func TestGenerateReproduces(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	dir := t.TempDir()
	pc, cc := filepath.Join(dir, "p.csv"), filepath.Join(dir, "c.csv")
	cmd := exec.Command("go", "run", "./internal/gencommunes", "-provinces", pc, "-communes", cc)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for gen, committed := range map[string]string{pc: "provinces.csv", cc: "communes.csv"} {
		a, err := os.ReadFile(gen)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from generator output; run go generate ./adminunit/...", committed)
		}
	}
}

func FuzzLoad(f *testing.F) {
	comm, err := os.ReadFile("communes.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(goodProvinces), comm[:400])
	f.Add([]byte(goodProvinces), []byte("code,name,kind,province_code,weight\n00004,\"Phường, Ba Đình\",PHUONG,01,\n"))
	f.Add([]byte("code,name,city,population\n01,\"Hà\nNội\",true,1e308\n"), []byte("code,name,kind,province_code,weight\n"))
	f.Fuzz(func(t *testing.T, provinces, communes []byte) {
		d, err := Load(bytes.NewReader(provinces), bytes.NewReader(communes))
		if err != nil {
			if !errors.Is(err, ErrBadData) {
				t.Fatalf("error %v is not ErrBadData", err)
			}
			return
		}
		for _, c := range d.AllCommunes() {
			if len(c.Code) != 5 || d.Level(c.Code) != LevelCommune {
				t.Fatalf("bad commune %+v", c)
			}
			if _, ok := d.Province(c.ProvinceCode); !ok {
				t.Fatalf("commune in unknown province")
			}
			if !norm.NFC.IsNormalString(c.Name) || c.Weight <= 0 {
				t.Fatalf("bad commune %+v", c)
			}
		}
		for _, p := range d.Provinces() {
			if len(p.Code) != 2 || d.Level(p.Code) != LevelProvince {
				t.Fatalf("bad province %+v", p)
			}
		}
	})
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}
