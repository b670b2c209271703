package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/principal"
)

// FuzzLoad: Load never panics; it either accepts a policy that validates and
// answers every question without panicking, or returns an ErrInvalid error.
func FuzzLoad(f *testing.F) {
	f.Add(DefaultYAML())
	f.Add([]byte(testPolicyYAML))
	for _, dir := range []string{"testdata/valid", "testdata/invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("version: 1\nroles: {a: {grants: [{purposes: [x]}]}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("{version: 1, purposes: {p: {description: d}}, operations: {queries: [q]}, roles: {r: {description: d, grants: [{purposes: [p], locality: self, allow: [HEALTH], operations: [q]}]}}}"))

	units := directory(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, err := Load(strings.NewReader(string(data)), units)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if err := pol.Validate(); err != nil {
			t.Fatalf("accepted policy does not validate: %v", err)
		}
		subjects := []Subject{{}, {Known: true, CommuneCode: "00024"}, {CitizenID: selfID, Known: true, ProvinceCode: "79"}}
		for _, r := range pol.Roles() {
			for _, pu := range pol.Purposes() {
				p := &principal.Principal{Roles: []string{r.Name}, Purpose: pu.Name, CitizenID: selfID,
					Locality: principal.Locality{Provinces: []string{"01"}, Communes: []string{"00024"}}}
				for _, c := range Classes() {
					for _, s := range subjects {
						pol.Decide(p, c, s)
					}
				}
				for _, op := range append(pol.Queries(), pol.Mutations()...) {
					pol.Operation(p, op)
					pol.ScopeFor(p, op).Permits("00024")
				}
				pol.Scope(p).Permits("01")
			}
		}
	})
}
