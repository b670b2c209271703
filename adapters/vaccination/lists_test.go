package vaccination

import (
	"context"
	"errors"
	"testing"

	"github.com/vn-epidemic/hub/domain"
)

// residentCommune is the commune of the most residents among the first
// thousand citizens: big enough for several pages.
func residentCommune(t testing.TB) string {
	p := population(t)
	counts := map[string]int{}
	best := ""
	for i := int64(0); i < 1000; i++ {
		c := p.At(i).Current.CommuneCode
		counts[c]++
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func TestReconciliationListWalk(t *testing.T) {
	e := newEnv(t)
	p := population(t)
	commune := residentCommune(t)
	for _, status := range []domain.ReconciliationStatus{"", domain.ReconMismatch} {
		t.Run(string(status), func(t *testing.T) {
			var want []string
			p.EachResident(commune, 0, func(_, i int64) bool {
				if v, ok := p.Vaccination(i); ok && (status == "" || v.Reconciliation.Status == status) {
					want = append(want, v.Reconciliation.PersonID)
				}
				return true
			})
			var got []string
			req := domain.PageRequest{Limit: 4}
			for pages := 0; ; pages++ {
				page, err := e.client.ReconciliationList(context.Background(), commune, status, req)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != -1 || len(page.Items) > 4 {
					t.Fatalf("page %+v", page)
				}
				for _, r := range page.Items {
					if status != "" && r.Status != status || r.CommuneCode != commune {
						t.Errorf("item %+v", r)
					}
					got = append(got, r.PersonID)
				}
				if page.NextCursor == "" {
					break
				}
				if pages > 1000 {
					t.Fatal("no end")
				}
				req.Cursor = page.NextCursor
			}
			if len(got) != len(want) {
				t.Fatalf("%d items, want %d", len(got), len(want))
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("item %d: %s, want %s", k, got[k], want[k])
				}
			}
		})
	}
}

func TestListInputErrorsMakeNoCall(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"bad commune", func() error {
			_, err := e.client.ReconciliationList(ctx, "1234", "", domain.PageRequest{})
			return err
		}},
		{"bad status", func() error {
			_, err := e.client.ReconciliationList(ctx, "00001", "WRONG", domain.PageRequest{})
			return err
		}},
		{"negative limit", func() error {
			_, err := e.client.ReconciliationList(ctx, "00001", "", domain.PageRequest{Limit: -1})
			return err
		}},
		{"cursor with spaces", func() error {
			_, err := e.client.ReconciliationList(ctx, "00001", "", domain.PageRequest{Cursor: "a b"})
			return err
		}},
		{"bad unit", func() error {
			_, err := e.client.VaccinationCounts(ctx, "123")
			return err
		}},
	}
	for _, tt := range tests {
		var ie *domain.InputError
		if err := tt.call(); !errors.As(err, &ie) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if n := e.count("token"); n != 0 {
		t.Errorf("%d token requests for invalid input", n)
	}
}

func TestReconciliationListUnknownCommune(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.ReconciliationList(context.Background(), "99999", "", domain.PageRequest{})
	wantKind(t, err, domain.ErrNotFound, "NOT_FOUND")
}

func TestVaccinationCounts(t *testing.T) {
	e := newEnv(t)
	commune := residentCommune(t)
	counts, err := e.client.VaccinationCounts(context.Background(), commune)
	if err != nil {
		t.Fatal(err)
	}
	bands := domain.StandardAgeBands
	if len(counts) != 4*len(bands) {
		t.Fatalf("%d counts", len(counts))
	}
	total := int64(0)
	for k, c := range counts {
		if c.AdminUnit != commune || c.DoseNumber != k/len(bands)+1 || c.AgeBand != bands[k%len(bands)] || c.Count < 0 {
			t.Errorf("count %d: %+v", k, c)
		}
		total += c.Count
	}
	if total == 0 {
		t.Error("no one vaccinated")
	}
	_, err = e.client.VaccinationCounts(context.Background(), "99")
	wantKind(t, err, domain.ErrNotFound, "")
}

func TestPing(t *testing.T) {
	e := newEnv(t)
	if err := e.client.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.count("openapi") != 1 || e.count("token") != 1 {
		t.Errorf("counts %v", e.platform.Faults().Counts())
	}
}
