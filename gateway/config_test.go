package gateway

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
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
