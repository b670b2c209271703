package graph

import (
	"os"
	"regexp"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/vn-epidemic/hub/graph/generated"
)

// TestDocsExamplesValidate keeps the front-end guide honest: every GraphQL
// example in docs/schema.md must validate against the schema.
func TestDocsExamplesValidate(t *testing.T) {
	doc, err := os.ReadFile("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 10 {
		t.Fatalf("found %d GraphQL examples, expected the guide's examples", len(blocks))
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: newHarness(t).res}).Schema()
	for _, b := range blocks {
		if _, errs := gqlparser.LoadQuery(schema, string(b[1])); len(errs) > 0 {
			t.Errorf("example does not validate: %v\n%s", errs, b[1])
		}
	}
}
