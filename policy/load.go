package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/vn-epidemic/hub/adminunit"
)

// maxFileBytes bounds an operator-supplied policy file; the default is a few
// kilobytes.
const maxFileBytes = 1 << 20

// Embedded as a string so that it cannot be modified.
//
//go:embed default.yaml
var defaultYAML string

// DefaultYAML returns the shipped default policy file, for printing and for
// operators who start their own from it. The slice is the caller's own.
func DefaultYAML() []byte { return []byte(defaultYAML) }

// Default loads the shipped default policy (policy/default.yaml).
func Default(dir *adminunit.Directory) (*Policy, error) {
	return Load(strings.NewReader(defaultYAML), dir)
}

// ErrInvalid is the kind of every error about the policy file's content;
// errors.Is(err, ErrInvalid).
var ErrInvalid = errors.New("invalid access policy")

// Problem is one thing wrong with a policy file.
type Problem struct {
	Line    int    // 1-based line in the file; 0 when not about one line
	Path    string // where in the document, e.g. "roles.citizen.grants[0].allow[1]"; empty for the whole file
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in a policy file, in line order.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("access policy: ")
	if len(e.Problems) != 1 {
		fmt.Fprintf(&b, "%d problems: ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(line int, path, format string, args ...any) *ValidationError {
	return &ValidationError{Problems: []Problem{{Line: line, Path: path, Message: fmt.Sprintf(format, args...)}}}
}

// The document as written. Maps lose the file's order; problems are sorted
// by line instead, and the public views sort by name.
type rawDocument struct {
	Version    *int                  `yaml:"version"`
	Purposes   map[string]rawPurpose `yaml:"purposes"`
	Operations rawOperations         `yaml:"operations"`
	Roles      map[string]rawRole    `yaml:"roles"`
}

type rawPurpose struct {
	Description string `yaml:"description"`
	Basis       string `yaml:"basis"`
}

type rawOperations struct {
	Queries   []string `yaml:"queries"`
	Mutations []string `yaml:"mutations"`
}

type rawRole struct {
	Description string     `yaml:"description"`
	Grants      []rawGrant `yaml:"grants"`
}

type rawGrant struct {
	Purposes   []string `yaml:"purposes"`
	Locality   string   `yaml:"locality"`
	Allow      []string `yaml:"allow"`
	Mask       []string `yaml:"mask"`
	Operations []string `yaml:"operations"`
}

// Load reads, validates and compiles a policy file. Unknown fields, duplicate
// keys, anchors and aliases are rejected; every problem is reported with its
// line. dir maps communes to provinces for the locality rules.
func Load(r io.Reader, dir *adminunit.Directory) (*Policy, error) {
	if dir == nil {
		return nil, errors.New("access policy: no administrative unit directory")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("access policy: read: %w", err)
	}
	if len(data) > maxFileBytes {
		return nil, invalid(0, "", "file is larger than %d bytes", maxFileBytes)
	}
	doc, lines, verr := parse(data)
	if verr != nil {
		return nil, verr
	}
	p := &Policy{dir: dir, doc: doc, lines: lines}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.compile()
	return p, nil
}

// parse turns the bytes into the raw document and an index from document
// path to line. It parses twice: once into an AST, for the checks the
// decoder does not make (one document, no anchors) and for the line index,
// and once strictly into the structs.
func parse(data []byte) (doc rawDocument, lines map[string]int, verr *ValidationError) {
	// The YAML library is outside code reading outside input: a panic in it
	// must become an error, not take the hub down at start.
	defer func() {
		if r := recover(); r != nil {
			verr = invalid(0, "", "the YAML parser failed on this file")
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return doc, nil, invalid(0, "", "empty file")
	}
	if verr := checkNesting(data); verr != nil {
		return doc, nil, verr
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return doc, nil, yamlProblem(err)
	}
	var bodies []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			bodies = append(bodies, d)
		}
	}
	switch {
	case len(bodies) == 0:
		return doc, nil, invalid(0, "", "empty file")
	case len(bodies) > 1:
		return doc, nil, invalid(line(bodies[1].Body), "", "more than one YAML document; a policy is one document")
	}
	if n := findIndirection(bodies[0].Body); n != nil {
		return doc, nil, invalid(line(n), "", "anchors, aliases and merge keys are not allowed: every grant is written out so that readers see it")
	}
	lines = map[string]int{}
	index(bodies[0].Body, "", lines)
	// The strict decoder stops at the first unknown field; this reports all
	// of them at once, so that an operator fixes the file in one go.
	var unknown ValidationError
	checkShape(bodies[0].Body, documentShape(), "", &unknown)
	if len(unknown.Problems) > 0 {
		return doc, nil, &unknown
	}

	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict())
	if err := dec.Decode(&doc); err != nil {
		return doc, nil, yamlProblem(err)
	}
	return doc, lines, nil
}

// Nesting limits. A policy is five levels deep; the YAML parser's time grows
// faster than linearly with nesting, so deeper input is refused before it is
// parsed.
const (
	maxFlowDepth   = 32   // open [ and { outside comments and quoted text
	maxRawDepth    = 1000 // open [ and { counting every byte, whatever its context
	maxBlockIndent = 128  // leading spaces, tabs and "- " of a line
)

// checkNesting is a conservative scan, not a YAML lexer. It skips comments
// and quoted scalars the way YAML does closely enough for policy files;
// where it could be misled (an apostrophe it takes for a quote), the raw
// count, which looks at every byte, still bounds the parser's work.
func checkNesting(data []byte) *ValidationError {
	depth, raw, ln, indent := 0, 0, 1, 0
	atLineStart, inComment := true, false
	var quote byte // ' or " while inside a quoted scalar
	escaped := false
	prev := byte('\n')
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '[', '{':
			if raw++; raw > maxRawDepth {
				return invalid(ln, "", "brackets nested more than %d deep", maxRawDepth)
			}
		case ']', '}':
			raw = max(raw-1, 0)
		}
		if c == '\n' {
			ln++
			indent, atLineStart, inComment, escaped = 0, true, false, false
			prev = c
			continue
		}
		if atLineStart && quote == 0 {
			if c == ' ' || c == '\t' || c == '-' {
				if indent++; indent > maxBlockIndent {
					return invalid(ln, "", "nested more than %d columns deep", maxBlockIndent)
				}
			} else {
				atLineStart = false
			}
		}
		switch {
		case inComment:
		case quote == '"':
			switch {
			case escaped:
				escaped = false // the escaped byte cannot end the string
			case c == '\\':
				escaped = true
			case c == '"':
				quote = 0
			}
		case quote == '\'':
			if c == '\'' {
				if i+1 < len(data) && data[i+1] == '\'' {
					i++ // '' is an escaped quote
				} else {
					quote = 0
				}
			}
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			inComment = true
		case (c == '"' || c == '\'') && strings.IndexByte(" \t\n[{,:-?", prev) >= 0:
			quote = c
		case c == '[' || c == '{':
			if depth++; depth > maxFlowDepth {
				return invalid(ln, "", "brackets nested more than %d deep", maxFlowDepth)
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
		prev = c
	}
	return nil
}

// yamlProblem turns a YAML library error into a problem with its line,
// without the library's source excerpt (one line per problem is enough).
func yamlProblem(err error) *ValidationError {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		// The library's wording names Go types; say it in the file's terms.
		ln := 0
		if te.Token != nil && te.Token.Position != nil {
			ln = te.Token.Position.Line
		}
		return invalid(ln, "", "wrong kind of value: want %s", describeKind(te.DstType))
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		ln := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			ln = tk.Position.Line
		}
		return invalid(ln, "", "%s", clip(ye.GetMessage(), 200))
	}
	return invalid(0, "", "%s", clip(err.Error(), 200))
}

func describeKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeKind(t.Elem())
	case reflect.String:
		return "a single word or text, not a list or mapping"
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "a list, e.g. [A, B]"
	case reflect.Map, reflect.Struct:
		return "a mapping of names to values"
	}
	return "another kind of value"
}

func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

type indirectionFinder struct{ found ast.Node }

func (f *indirectionFinder) Visit(n ast.Node) ast.Visitor {
	if f.found != nil {
		return nil
	}
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.MergeKeyNode:
		f.found = n
		return nil
	}
	return f
}

func findIndirection(n ast.Node) ast.Node {
	f := &indirectionFinder{}
	ast.Walk(f, n)
	return f.found
}

// index records the line of every mapping key and sequence item under its
// path: "roles.citizen.grants[0].allow[1]". Validation messages use it.
func index(n ast.Node, path string, lines map[string]int) {
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			index(v, path, lines)
		}
	case *ast.MappingValueNode:
		key := ""
		if tk := n.Key.GetToken(); tk != nil {
			key = tk.Value
		}
		p := key
		if path != "" {
			p = path + "." + key
		}
		if _, dup := lines[p]; !dup {
			lines[p] = line(n.Key)
		}
		index(n.Value, p, lines)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			p := path + "[" + strconv.Itoa(i) + "]"
			lines[p] = line(v)
			index(v, p, lines)
		}
	case *ast.TagNode:
		index(n.Value, path, lines)
	}
}

// shape is the layout of the document, for reporting unknown fields: named
// fields, or a map of user-chosen names (each), or a list (item).
type shape struct {
	fields map[string]*shape
	each   *shape
	item   *shape
}

// documentShape must match rawDocument; TestShapeMatchesDocument keeps them
// together. A nil *shape is a leaf: a scalar or a list of scalars.
func documentShape() *shape {
	var leaf *shape
	return &shape{fields: map[string]*shape{
		"version":    leaf,
		"purposes":   {each: &shape{fields: map[string]*shape{"description": leaf, "basis": leaf}}},
		"operations": {fields: map[string]*shape{"queries": leaf, "mutations": leaf}},
		"roles": {each: &shape{fields: map[string]*shape{
			"description": leaf,
			"grants": {item: &shape{fields: map[string]*shape{
				"purposes": leaf, "locality": leaf, "allow": leaf, "mask": leaf, "operations": leaf,
			}}},
		}}},
	}}
}

func checkShape(n ast.Node, s *shape, path string, out *ValidationError) {
	if s == nil {
		return
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			checkShape(v, s, path, out)
		}
	case *ast.MappingValueNode:
		key := ""
		if tk := n.Key.GetToken(); tk != nil {
			key = tk.Value
		}
		p := key
		if path != "" {
			p = path + "." + key
		}
		next := s.each
		if s.fields != nil {
			var ok bool
			if next, ok = s.fields[key]; !ok {
				out.Problems = append(out.Problems, Problem{Line: line(n.Key), Path: p, Message: fmt.Sprintf("unknown field %q", clip(key, 80))})
				return
			}
		}
		checkShape(n.Value, next, p, out)
	case *ast.SequenceNode:
		if s.item == nil {
			return
		}
		for i, v := range n.Values {
			checkShape(v, s.item, path+"["+strconv.Itoa(i)+"]", out)
		}
	case *ast.TagNode:
		checkShape(n.Value, s, path, out)
	}
}

// lineOf finds the line of path, or of its nearest ancestor present in the
// file (a missing field is reported at its parent).
func (p *Policy) lineOf(path string) int {
	for path != "" {
		if ln, ok := p.lines[path]; ok {
			return ln
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// clip bounds text from the file quoted back in messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
