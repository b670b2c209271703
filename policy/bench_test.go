package policy

import (
	"testing"

	"github.com/vn-epidemic/hub/principal"
)

// BenchmarkDecide: one field decision, as made for every personal field of
// every response. Cases cover the fast allow, a locality check against the
// token's communes, a province derived from the subject's commune, and a
// principal with three roles that all deny.
func BenchmarkDecide(b *testing.B) {
	pol := defaultPolicy(b)
	pl := testPlaces(b, directory(b))
	near := Subject{CitizenID: otherID, CommuneCode: pl.neighbourCommune, Known: true}
	far := Subject{CitizenID: otherID, CommuneCode: pl.farCommune, Known: true}
	cases := []struct {
		name string
		p    *principal.Principal
		c    Class
		s    Subject
	}{
		{"national_allow", tokenFor("health_official", "epidemic_control", pl), Health, far},
		{"commune_allow", tokenFor("commune_official", "contact_tracing", pl), Identity, Subject{CommuneCode: pl.homeCommune, Known: true}},
		{"province_mask", tokenFor("provincial_official", "epidemic_control", pl), Contact, near},
		{"self_allow", tokenFor("citizen", "self_service", pl), Insurance, Subject{CitizenID: selfID}},
		{"three_roles_deny", &principal.Principal{Roles: []string{"commune_official", "provincial_official", "vaccination_site"}, Purpose: "data_reconciliation",
			Locality: principal.Locality{Provinces: []string{"01"}, Communes: []string{pl.homeCommune}}}, Insurance, far},
		{"no_purpose", &principal.Principal{Roles: []string{"health_official"}}, Identity, far},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pol.Decide(bc.p, bc.c, bc.s)
			}
		})
	}
}

func BenchmarkOperation(b *testing.B) {
	pol := defaultPolicy(b)
	p := tokenFor("provincial_official", "epidemic_control", testPlaces(b, directory(b)))
	b.ReportAllocs()
	for b.Loop() {
		pol.Operation(p, "arrivals")
	}
}

// BenchmarkScope: the list scope computed once per list request, and the
// Permits check of the requested unit.
func BenchmarkScope(b *testing.B) {
	pol := defaultPolicy(b)
	pl := testPlaces(b, directory(b))
	cases := []struct {
		name string
		p    *principal.Principal
		unit string
	}{
		{"commune", tokenFor("commune_official", "contact_tracing", pl), pl.homeCommune},
		{"province", tokenFor("provincial_official", "contact_tracing", pl), pl.neighbourCommune},
		{"national", tokenFor("health_official", "contact_tracing", pl), pl.farCommune},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !pol.ScopeFor(bc.p, "arrivals").Permits(bc.unit) {
					b.Fatal("denied")
				}
			}
		})
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	dir := directory(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Default(dir); err != nil {
			b.Fatal(err)
		}
	}
}
