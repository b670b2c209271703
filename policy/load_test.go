package policy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vn-epidemic/hub/adminunit"
)

func directory(t testing.TB) *adminunit.Directory {
	t.Helper()
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func defaultPolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := Default(directory(t))
	if err != nil {
		t.Fatalf("default policy: %v", err)
	}
	return p
}

func TestDefaultLoadsAndValidates(t *testing.T) {
	p := defaultPolicy(t)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, r := range p.Roles() {
		roles = append(roles, r.Name)
	}
	want := []string{"admin", "auditor", "citizen", "commune_official", "health_official", "insurance_officer",
		"ministry_analyst", "police_checkpoint", "provincial_official", "vaccination_site"}
	if !slices.Equal(roles, want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
}

// The seeds: personal data is used only for epidemic prevention. The default
// declares no other purpose, so no token can declare one.
func TestDefaultPurposesAreEpidemicOnly(t *testing.T) {
	p := defaultPolicy(t)
	var got []string
	for _, pu := range p.Purposes() {
		got = append(got, pu.Name)
		if pu.Description == "" || pu.Basis == "" {
			t.Errorf("purpose %s: description and basis are for auditors; both must be set", pu.Name)
		}
	}
	want := []string{"audit", "contact_tracing", "covid_treatment", "data_reconciliation", "epidemic_control", "self_service", "vaccination"}
	if !slices.Equal(got, want) {
		t.Errorf("purposes = %v, want exactly %v", got, want)
	}
}

// Least privilege, checked on the default as rules rather than by example.
func TestDefaultLeastPrivilege(t *testing.T) {
	p := defaultPolicy(t)
	for _, r := range p.Roles() {
		for _, g := range r.Grants {
			has := func(c Class) bool { return slices.Contains(g.Allow, c) || slices.Contains(g.Mask, c) }
			switch r.Name {
			case "ministry_analyst", "admin":
				if len(g.Allow)+len(g.Mask) > 0 || g.Locality != LocalityNone {
					t.Errorf("%s must see no personal data: %+v", r.Name, g)
				}
			case "auditor":
				if !slices.Equal(g.Allow, []Class{Audit}) || len(g.Mask) > 0 || !slices.Equal(g.Operations, []string{"auditLog"}) {
					t.Errorf("auditor must see the access log only: %+v", g)
				}
			case "citizen":
				if g.Locality != LocalitySelf {
					t.Errorf("citizen must be self-service only: %+v", g)
				}
			case "police_checkpoint":
				if has(Insurance) || slices.Contains(g.Allow, Contact) || !slices.Contains(g.Mask, Contact) {
					t.Errorf("police checkpoint: no insurance, contact masked: %+v", g)
				}
			case "insurance_officer":
				if !slices.Contains(g.Allow, Insurance) || !slices.Contains(g.Mask, Residence) || has(Health) || has(Movement) || has(Contact) {
					t.Errorf("insurance officer: identity and insurance, residence masked, nothing else: %+v", g)
				}
			case "vaccination_site":
				if !slices.Contains(g.Allow, Health) || has(Insurance) || has(Movement) || has(Contact) {
					t.Errorf("vaccination site: identity and health: %+v", g)
				}
			}
			if r.Name != "auditor" && has(Audit) {
				t.Errorf("%s must not read the access log", r.Name)
			}
			// A national reach must not come with a list of units to browse.
			if g.Locality == LocalityNational && slices.Contains(g.Operations, "arrivals") && r.Name != "health_official" {
				t.Errorf("%s: national grant with the arrivals list", r.Name)
			}
		}
	}
}

// Every fixture in testdata/invalid is a policy with known defects. A line
// ending in "# <- want: TEXT" must produce a problem on that line whose
// message contains TEXT; "# want: 0 TEXT" a problem without a line. No other
// problem may be reported.
func TestLoadRejects(t *testing.T) {
	dir := directory(t)
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	inline := regexp.MustCompile(`#\s*<-\s*want:\s*(.+)$`)
	header := regexp.MustCompile(`^#\s*want:\s*(\d+)\s+(.+)$`)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			type want struct {
				line int
				text string
			}
			var wants []want
			for i, l := range strings.Split(string(data), "\n") {
				if m := inline.FindStringSubmatch(l); m != nil {
					wants = append(wants, want{i + 1, strings.TrimSpace(m[1])})
				} else if m := header.FindStringSubmatch(l); m != nil {
					n, _ := strconv.Atoi(m[1])
					wants = append(wants, want{n, strings.TrimSpace(m[2])})
				}
			}
			if len(wants) == 0 {
				t.Fatal("fixture says nothing about what it wants")
			}
			p, err := Load(bytes.NewReader(data), dir)
			if err == nil {
				t.Fatalf("accepted: %+v", p.Roles())
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			for _, w := range wants {
				found := false
				for _, pr := range ve.Problems {
					if pr.Line == w.line && strings.Contains(pr.Message, w.text) {
						found = true
					}
				}
				if !found {
					t.Errorf("want a problem on line %d containing %q; got %v", w.line, w.text, ve.Problems)
				}
			}
			if len(ve.Problems) != len(wants) {
				t.Errorf("got %d problems, want %d: %v", len(ve.Problems), len(wants), ve.Problems)
			}
			if !slices.IsSortedFunc(ve.Problems, func(a, b Problem) int { return a.Line - b.Line }) {
				t.Errorf("problems not in line order: %v", ve.Problems)
			}
		})
	}
}

func TestLoadRejectsEmptyInput(t *testing.T) {
	dir := directory(t)
	for _, in := range []string{"", "   \n\t\n", "---\n", "# only a comment\n", "~\n"} {
		_, err := Load(strings.NewReader(in), dir)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: error %v, want ErrInvalid", in, err)
		}
	}
}

func TestLoadAcceptsValidFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Load(bytes.NewReader(data), directory(t)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestLoadLimitsAndReadErrors(t *testing.T) {
	dir := directory(t)
	if _, err := Load(strings.NewReader("version: 1"), nil); err == nil {
		t.Error("nil directory accepted")
	}
	big := "version: 1\n" + strings.Repeat("# padding\n", maxFileBytes/10+1)
	if _, err := Load(strings.NewReader(big), dir); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger") {
		t.Errorf("oversized file: %v", err)
	}
	boom := errors.New("disk on fire")
	if _, err := Load(iotest.ErrReader(boom), dir); !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
		t.Errorf("read error: %v, want it wrapped and not ErrInvalid", err)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	e := &ValidationError{Problems: []Problem{
		{Line: 3, Path: "version", Message: "unsupported version 2; this hub reads version 1"},
		{Line: 9, Path: "roles.x.grants[0].allow[0]", Message: `unknown class "FOO"`},
	}}
	want := `access policy: 2 problems: line 3: version: unsupported version 2; this hub reads version 1; line 9: roles.x.grants[0].allow[0]: unknown class "FOO"`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
	var nilPolicy *Policy
	if err := nilPolicy.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil policy validates: %v", err)
	}
}

// documentShape (for reporting every unknown field) and rawDocument (for
// decoding) describe the same layout.
func TestShapeMatchesDocument(t *testing.T) {
	var walk func(typ reflect.Type, s *shape, path string)
	walk = func(typ reflect.Type, s *shape, path string) {
		switch typ.Kind() {
		case reflect.Pointer:
			walk(typ.Elem(), s, path)
		case reflect.Map:
			if typ.Elem().Kind() != reflect.Struct {
				return
			}
			if s == nil || s.each == nil {
				t.Errorf("%s: shape lacks each", path)
				return
			}
			walk(typ.Elem(), s.each, path+".*")
		case reflect.Slice:
			if typ.Elem().Kind() != reflect.Struct {
				return
			}
			if s == nil || s.item == nil {
				t.Errorf("%s: shape lacks item", path)
				return
			}
			walk(typ.Elem(), s.item, path+"[]")
		case reflect.Struct:
			if s == nil || s.fields == nil {
				t.Errorf("%s: shape lacks fields", path)
				return
			}
			if typ.NumField() != len(s.fields) {
				t.Errorf("%s: %d fields in the struct, %d in the shape", path, typ.NumField(), len(s.fields))
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				tag := f.Tag.Get("yaml")
				sub, ok := s.fields[tag]
				if !ok {
					t.Errorf("%s.%s: not in the shape", path, tag)
					continue
				}
				walk(f.Type, sub, path+"."+tag)
			}
		}
	}
	walk(reflect.TypeFor[rawDocument](), documentShape(), "$")
}

func TestDefaultYAMLIsACopy(t *testing.T) {
	a := DefaultYAML()
	a[0] = 'X'
	if DefaultYAML()[0] == 'X' {
		t.Error("DefaultYAML shares its bytes")
	}
}

func TestCheckNesting(t *testing.T) {
	deep := strings.Repeat("[", maxFlowDepth+1)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"default policy", string(DefaultYAML()), true},
		{"brackets in a comment", "# " + deep + "\na: 1", true},
		{"brackets in a double-quoted string", `a: "` + deep + `"`, true},
		{"brackets in a double-quoted string with escapes", `a: "\"` + deep + `\\"`, true},
		{"brackets in a single-quoted string", `a: 'it''s ` + deep + `'`, true},
		{"an apostrophe inside a word is not a quote", "a: Ministry's " + deep, false},
		{"deep flow nesting", "a: " + deep, false},
		{"deep flow nesting after a closed string", `a: ["x", ` + deep, false},
		{"a hash inside a word is not a comment", "a: x#" + deep, false},
		{"hidden behind a quote the scan takes at its word", `a: '` + strings.Repeat("[", maxRawDepth+1), false},
		{"deep block nesting", strings.Repeat("- ", maxBlockIndent/2+1) + "x", false},
		{"deep indentation", strings.Repeat(" ", maxBlockIndent+1) + "x", false},
		{"indentation inside a quoted string", "a: \"x\n" + strings.Repeat(" ", maxBlockIndent+1) + "y\"", true},
	}
	for _, tt := range tests {
		err := checkNesting([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
