package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/domain"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeFixtures(t *testing.T) {
	t.Run("declarations", func(t *testing.T) {
		got, err := decodeDeclarationSearch(readFixture(t, "declarations_search.json"), []string{"001055378015", "C9999999"})
		if err != nil {
			t.Fatal(err)
		}
		r := got["001055378015"]
		if r.err != nil || len(r.items) != 2 {
			t.Fatalf("%+v", r)
		}
		d := r.items[0]
		if d.Kind != domain.DeclarationDomestic || d.Sex != domain.SexMale || d.BirthYear != 1955 ||
			d.SubmittedAt.Format(time.RFC3339) != "2025-12-16T07:16:35+07:00" || d.CommuneCode != "00382" ||
			len(d.Symptoms) != 2 || d.Symptoms[1] != domain.SymptomLossOfTaste || d.Exposures[0] != domain.ExposureAffectedArea {
			t.Errorf("declaration %+v", d)
		}
		if r.items[1].Sex != domain.SexUnknown || r.items[1].Kind != domain.DeclarationGeneral {
			t.Errorf("legacy sex 0: %+v", r.items[1])
		}
		if !errors.Is(got["C9999999"].err, errNotFound) {
			t.Errorf("not found: %v", got["C9999999"].err)
		}
	})
	t.Run("passages sorted newest first", func(t *testing.T) {
		got, err := decodePassageSearch(readFixture(t, "passages_search.json"), []string{"079065764713"})
		if err != nil {
			t.Fatal(err)
		}
		ps := got["079065764713"].items
		if len(ps) != 2 || ps[0].Direction != domain.DirectionIn || ps[1].Direction != domain.DirectionOut || ps[0].Time.Before(ps[1].Time) {
			t.Errorf("%+v", ps)
		}
	})
	t.Run("arrivals", func(t *testing.T) {
		items, next, err := decodeArrivals(readFixture(t, "arrivals.json"))
		if err != nil || len(items) != 1 || next == "" || items[0].PersonID != "M1234567" || items[0].Nationality != "KR" {
			t.Errorf("%v %q %+v", err, next, items)
		}
	})
	t.Run("zones", func(t *testing.T) {
		zs, err := decodeZones(readFixture(t, "zones.json"))
		if err != nil || len(zs) != 2 || zs[0].Level != domain.RiskLow || zs[1].Level != domain.RiskVeryHigh || !zs[1].ValidUntil.IsZero() {
			t.Errorf("%v %+v", err, zs)
		}
	})
	t.Run("error", func(t *testing.T) {
		e, err := decodeError(readFixture(t, "error_422.json"))
		if err != nil || fieldNames(e.Errors) != "sex,phone" {
			t.Errorf("%v %+v", err, e)
		}
	})
}

func TestDecodeRejects(t *testing.T) {
	base := string(readFixture(t, "passages_search.json"))
	tests := []struct {
		name, from, to string
		whole          bool // the whole answer is refused, not one person
	}{
		{"time without offset", `"2025-12-31T20:12:05+07:00"`, `"2025-12-31T20:12:05"`, false},
		{"direction", `"direction":"IN"`, `"direction":"VAO"`, false},
		{"id type", `"id_type":"CCCD"`, `"id_type":"CMT"`, false},
		{"id number against type", `"id_number":"079065764713","full_name":"Võ Trung Khoa","nationality":"VN"},{`, `"id_number":"C1234567","full_name":"Võ Trung Khoa","nationality":"VN"},{`, false},
		{"commune code", `"origin_commune_code":"21278"`, `"origin_commune_code":"2127"`, false},
		{"missing id", `"id":"PS00000000152",`, ``, false},
		{"found missing", `"found":true,`, ``, true},
		{"trailing data", `]}]}`, `]}]} {}`, true},
		{"results not a list", `{"results":[`, `{"results":{"a":[`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(base, tt.from, tt.to, 1)
			if body == base {
				t.Fatal("mutation did not apply")
			}
			got, err := decodePassageSearch([]byte(body), []string{"079065764713"})
			if tt.whole {
				if err == nil {
					t.Errorf("accepted: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("whole answer refused: %v", err)
			}
			if r := got["079065764713"]; r.err == nil {
				t.Errorf("accepted: %+v", r.items)
			}
		})
	}
}

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readFixture(f, n))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"results":[{"person_id":"001055378015","found":false,"declarations":[{}]}]}`))
}

func FuzzDecodeDeclarationSearch(f *testing.F) {
	seeds(f, "declarations_search.json")
	want := []string{"001055378015", "C9999999"}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeDeclarationSearch(b, want)
		if err != nil {
			checkDataError(t, err)
			return
		}
		for id, r := range got {
			if id != want[0] && id != want[1] {
				t.Fatalf("result for unrequested %q", id)
			}
			if r.err != nil {
				if !errors.Is(r.err, errNotFound) {
					checkDataError(t, r.err)
				}
				continue
			}
			for k, d := range r.items {
				if d.ID == "" || d.PersonID == "" || d.SubmittedAt.IsZero() || d.Kind == "" {
					t.Fatalf("incomplete declaration %+v", d)
				}
				if k > 0 && d.SubmittedAt.After(r.items[k-1].SubmittedAt) {
					t.Fatal("not newest first")
				}
			}
		}
	})
}

func FuzzDecodePassageSearch(f *testing.F) {
	seeds(f, "passages_search.json")
	want := []string{"079065764713"}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodePassageSearch(b, want)
		if err != nil {
			checkDataError(t, err)
			return
		}
		for _, r := range got {
			if r.err != nil {
				continue
			}
			for _, p := range r.items {
				if p.Direction != domain.DirectionIn && p.Direction != domain.DirectionOut {
					t.Fatalf("direction %q accepted", p.Direction)
				}
				if len(p.OriginCommune) != 5 || len(p.DestinationCommune) != 5 || p.Time.IsZero() {
					t.Fatalf("incomplete passage %+v", p)
				}
			}
		}
	})
}

func FuzzDecodeArrivals(f *testing.F) {
	seeds(f, "arrivals.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		items, next, err := decodeArrivals(b)
		if err != nil {
			checkDataError(t, err)
			return
		}
		if len(next) > maxCursorBytes {
			t.Fatal("oversized cursor accepted")
		}
		for _, p := range items {
			if p.Direction != domain.DirectionIn {
				t.Fatalf("arrival with direction %q", p.Direction)
			}
		}
	})
}

func FuzzDecodeZones(f *testing.F) {
	seeds(f, "zones.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		zs, err := decodeZones(b)
		if err != nil {
			checkDataError(t, err)
			return
		}
		for _, z := range zs {
			switch z.Level {
			case domain.RiskLow, domain.RiskMedium, domain.RiskHigh, domain.RiskVeryHigh:
			default:
				t.Fatalf("level %q accepted", z.Level)
			}
			if !z.ValidUntil.IsZero() && !z.ValidUntil.After(z.ValidFrom) {
				t.Fatal("empty validity accepted")
			}
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	seeds(f, "error_422.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeError(b)
		if err != nil {
			return
		}
		for _, name := range strings.Split(fieldNames(e.Errors), ",") {
			if name != "..." && name != safeFieldName(name) {
				t.Fatalf("unsafe field name %q passed on", name)
			}
		}
	})
}

// checkDataError asserts a decoding failure is the safe, typed kind.
func checkDataError(t *testing.T, err error) {
	t.Helper()
	var de *dataError
	if !errors.As(err, &de) {
		t.Fatalf("untyped decode error %T: %v", err, err)
	}
}

// The police system adds fields in minor versions; the hub must keep working.
func TestDecodeIgnoresUnknownFields(t *testing.T) {
	base := string(readFixture(t, "passages_search.json"))
	changed := strings.Replace(base, `"vehicle":"51L-205.84",`, `"vehicle":"51L-205.84","new_field":{"x":1},`, 1)
	if changed == base {
		t.Fatal("fixture changed; update the test")
	}
	ids := []string{"079065764713"}
	want, err := decodePassageSearch([]byte(base), ids)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePassageSearch([]byte(changed), ids)
	if err != nil || got["079065764713"].err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("unknown field changed the result: %v\n%v\n%v", err, got, want)
	}
}
