package gateway

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/graph"
)

// secretsEnv supplies what the example file leaves to the environment.
var secretsEnv = []string{
	"HUB_UPSTREAMS_POPULATION_PASSWORD=p",
	"HUB_UPSTREAMS_VACCINATION_CLIENTSECRET=s",
	"HUB_UPSTREAMS_INSURANCE_APIKEY=k1",
	"HUB_UPSTREAMS_CHECKPOINT_APIKEY=k2",
}

func TestExampleConfigLoadsWithSecretsFromEnv(t *testing.T) {
	cfg, err := LoadConfig("../hub.example.yaml", secretsEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Upstreams.Population.Password != "p" || cfg.Upstreams.Checkpoint.APIKey != "k2" {
		t.Fatalf("env overrides not applied: %+v", cfg.Upstreams)
	}
	if cfg.Upstreams.Population.Timeout.Std() != 3*time.Second {
		t.Fatalf("timeout = %v", cfg.Upstreams.Population.Timeout.Std())
	}
	if cfg.GraphQL.Introspection {
		t.Fatal("introspection must default to off in serve")
	}
}

func TestExampleConfigWithoutSecretsSaysWhatToSet(t *testing.T) {
	_, err := LoadConfig("../hub.example.yaml", nil)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConfigError", err)
	}
	for _, want := range []string{
		"upstreams.population.password is required",
		"HUB_UPSTREAMS_POPULATION_PASSWORD",
		"HUB_UPSTREAMS_VACCINATION_CLIENTSECRET",
		"HUB_UPSTREAMS_INSURANCE_APIKEY",
		"HUB_UPSTREAMS_CHECKPOINT_APIKEY",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestParseConfigRejects(t *testing.T) {
	base, err := os.ReadFile("../hub.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		yaml    string
		env     []string
		wantErr string
	}{
		{"unknown field", "listen: 127.0.0.1:1\nlisten_addr: x\n", nil, "unknown field"},
		{"duplicate key", string(base) + "\nshutdownTimeout: 1s\n", nil, "already defined"},
		{"bad duration", strings.Replace(string(base), "shutdownTimeout: 15s", "shutdownTimeout: soon", 1), secretsEnv, "is not a duration"},
		{"bad listen", strings.Replace(string(base), "listen: 127.0.0.1:8080", "listen: nowhere", 1), secretsEnv, `listen: "nowhere" is not host:port`},
		{"bad url", strings.Replace(string(base), "https://api.bhxh.example.gov.vn", "ftp://x", 1), secretsEnv, "upstreams.insurance.url"},
		{"url with credentials", strings.Replace(string(base), "https://api.bhxh.example.gov.vn", "https://u:p@x", 1), secretsEnv, "must not carry credentials"},
		{"negative timeout", strings.Replace(string(base), "requestTimeout: 10s", "requestTimeout: -1s", 1), secretsEnv, "graphql.requestTimeout"},
		{"concurrency", strings.Replace(string(base), "maxConcurrency: 16", "maxConcurrency: 0", 1), secretsEnv, "maxConcurrency"},
		{"half admin units", strings.Replace(string(base), `provincesFile: ""`, `provincesFile: "p.csv"`, 1), secretsEnv, "adminUnits"},
		{"unknown env", string(base), append([]string{"HUB_UPSTREAMS_POPULATON_PASSWORD=x"}, secretsEnv...), "HUB_UPSTREAMS_POPULATON_PASSWORD names no setting"},
		{"bad env bool", string(base), append([]string{"HUB_GRAPHQL_INTROSPECTION=yes please"}, secretsEnv...), "want true or false"},
		{"bad env duration", string(base), append([]string{"HUB_UPSTREAMS_VACCINATION_TIMEOUT=3"}, secretsEnv...), "is not a duration"},
		{"depth off", strings.Replace(string(base), "maxDepth: 12", "maxDepth: 0", 1), secretsEnv, "graphql.maxDepth: must be between 2 and 64"},
		{"depth too deep", strings.Replace(string(base), "maxDepth: 12", "maxDepth: 65", 1), secretsEnv, "graphql.maxDepth"},
		{"complexity off", strings.Replace(string(base), "maxComplexity: 5000", "maxComplexity: -1", 1), secretsEnv, "graphql.maxComplexity: must be between 10 and 1000000"},
		{"complexity unbounded", strings.Replace(string(base), "maxComplexity: 5000", "maxComplexity: 2000000", 1), secretsEnv, "graphql.maxComplexity"},
		{"aliases off", strings.Replace(string(base), "maxAliases: 30", "maxAliases: 0", 1), secretsEnv, "graphql.maxAliases: must be between 1 and 1000"},
		{"root fields", strings.Replace(string(base), "maxRootFields: 10", "maxRootFields: 101", 1), secretsEnv, "graphql.maxRootFields"},
		{"tokens", strings.Replace(string(base), "maxTokens: 15000", "maxTokens: 50", 1), secretsEnv, "graphql.maxTokens: must be between 100 and 1000000"},
		{"limit not a number", strings.Replace(string(base), "maxDepth: 12", "maxDepth: deep", 1), secretsEnv, "maxDepth"},
		{"bad env limit", string(base), append([]string{"HUB_GRAPHQL_MAXDEPTH=deep"}, secretsEnv...), "want a whole number"},
		{"env turns a limit off", string(base), append([]string{"HUB_GRAPHQL_MAXCOMPLEXITY=0"}, secretsEnv...), "graphql.maxComplexity"},
		{"not yaml", "{{{", nil, "config:"},
		{"too large", strings.Repeat("#", maxConfigBytes+1), nil, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml), tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestEnvOverridesEveryKind(t *testing.T) {
	base, _ := os.ReadFile("../hub.example.yaml")
	env := append([]string{
		"HUB_LISTEN=127.0.0.1:9999",
		"HUB_GRAPHQL_INTROSPECTION=true",
		"HUB_GRAPHQL_MAXBODYBYTES=2048",
		"HUB_GRAPHQL_LOADERWAIT=5ms",
		"HUB_UPSTREAMS_VACCINATION_URL=http://127.0.0.1:1",
		"HUB_TEST_REDIS_ADDR=ignored",
	}, secretsEnv...)
	cfg, err := ParseConfig(base, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" || !cfg.GraphQL.Introspection || cfg.GraphQL.MaxBodyBytes != 2048 ||
		cfg.GraphQL.LoaderWait.Std() != 5*time.Millisecond || cfg.Upstreams.Vaccination.URL != "http://127.0.0.1:1" {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
}

func TestEnvNamesCoverSecrets(t *testing.T) {
	names := strings.Join(EnvNames(), " ")
	for _, want := range []string{"HUB_LISTEN", "HUB_UPSTREAMS_POPULATION_URL", "HUB_UPSTREAMS_POPULATION_PASSWORD", "HUB_UPSTREAMS_VACCINATION_CLIENTSECRET"} {
		if !strings.Contains(names, want) {
			t.Errorf("EnvNames lacks %s", want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	base, _ := os.ReadFile("../hub.example.yaml")
	f.Add(base)
	f.Add([]byte("listen: [1, 2]"))
	f.Add([]byte("upstreams: {population: {timeout: 1h}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, secretsEnv)
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("accepted an invalid config: %v", verr)
			}
		}
	})
}

// TestGraphQLLimits: the example file documents every limit at its default,
// the defaults are the graph's, and each can be set from the environment.
func TestGraphQLLimits(t *testing.T) {
	base, err := os.ReadFile("../hub.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(base, secretsEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := GraphQLConfig{
		MaxBodyBytes: graph.DefaultMaxBodyBytes, RequestTimeout: Duration(10 * time.Second), LoaderWait: Duration(2 * time.Millisecond),
		MaxDepth: graph.DefaultMaxDepth, MaxComplexity: graph.DefaultComplexityLimit, MaxAliases: graph.DefaultMaxAliases,
		MaxRootFields: graph.DefaultMaxRootFields, MaxTokens: graph.DefaultParserTokenLimit,
	}
	if cfg.GraphQL != want || Defaults().GraphQL != want {
		t.Fatalf("example %+v, defaults %+v; want %+v", cfg.GraphQL, Defaults().GraphQL, want)
	}
	env := append([]string{
		"HUB_GRAPHQL_MAXDEPTH=8",
		"HUB_GRAPHQL_MAXCOMPLEXITY=2500",
		"HUB_GRAPHQL_MAXALIASES=5",
		"HUB_GRAPHQL_MAXROOTFIELDS=3",
		"HUB_GRAPHQL_MAXTOKENS=4000",
	}, secretsEnv...)
	cfg, err = ParseConfig(base, env)
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.GraphQL
	if g.MaxDepth != 8 || g.MaxComplexity != 2500 || g.MaxAliases != 5 || g.MaxRootFields != 3 || g.MaxTokens != 4000 {
		t.Fatalf("env overrides not applied: %+v", g)
	}
	names := strings.Join(EnvNames(), " ")
	for _, n := range []string{"HUB_GRAPHQL_MAXDEPTH", "HUB_GRAPHQL_MAXCOMPLEXITY", "HUB_GRAPHQL_MAXALIASES", "HUB_GRAPHQL_MAXROOTFIELDS", "HUB_GRAPHQL_MAXTOKENS"} {
		if !strings.Contains(names, n) {
			t.Errorf("EnvNames lacks %s", n)
		}
	}
}
