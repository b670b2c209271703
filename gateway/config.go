package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/vn-epidemic/hub/graph"
)

// Config is the hub's one configuration file (hub.yaml). Every field can be
// overridden by an environment variable named HUB_ followed by the field's
// YAML path in upper case joined by underscores, e.g.
// HUB_UPSTREAMS_VACCINATION_CLIENTSECRET; secrets belong there, not in the file.
type Config struct {
	// Listen is the address the hub serves on.
	Listen string `yaml:"listen"`
	// ShutdownTimeout bounds graceful shutdown: in-flight requests get this long.
	ShutdownTimeout Duration `yaml:"shutdownTimeout"`
	// AdminUnits optionally replaces the embedded directory of administrative units.
	AdminUnits AdminUnitsConfig `yaml:"adminUnits"`
	GraphQL    GraphQLConfig    `yaml:"graphql"`
	Auth       AuthConfig       `yaml:"auth"`
	Policy     PolicyConfig     `yaml:"policy"`
	Upstreams  UpstreamsConfig  `yaml:"upstreams"`
}

// AuthConfig says which bearer tokens the hub accepts: signed by the
// identity provider's keys (a JWKS URL, or a JWKS file for a fixed key
// set), for this issuer and audience.
type AuthConfig struct {
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
	// JWKSURL is the identity provider's key set; exclusive with KeysFile.
	JWKSURL string `yaml:"jwksUrl"`
	// KeysFile is a JWKS document on disk; exclusive with JWKSURL.
	KeysFile string `yaml:"keysFile"`
	// Leeway tolerates clock skew for exp, nbf and iat.
	Leeway Duration `yaml:"leeway"`
	// MaxLifetime refuses tokens valid for longer than this (exp - iat).
	MaxLifetime Duration `yaml:"maxLifetime"`
	// CacheSize is how many verified tokens are kept (until they expire).
	CacheSize int `yaml:"cacheSize"`
	// RefreshInterval: the key set is refreshed when older than this.
	RefreshInterval Duration `yaml:"refreshInterval"`
	// MinRefreshInterval: unknown key IDs trigger at most one refresh per interval.
	MinRefreshInterval Duration `yaml:"minRefreshInterval"`
}

// PolicyConfig points at the access policy (who may see which data classes,
// for which purposes, where). Empty File uses the embedded default policy.
type PolicyConfig struct {
	File string `yaml:"file"`
}

// AdminUnitsConfig points at the official lists of provinces and communes (CSV).
type AdminUnitsConfig struct {
	ProvincesFile string `yaml:"provincesFile"`
	CommunesFile  string `yaml:"communesFile"`
}

// GraphQLConfig tunes the GraphQL endpoint.
type GraphQLConfig struct {
	// Introspection lets clients fetch the schema; on in demo, off by default in serve.
	Introspection bool `yaml:"introspection"`
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// RequestTimeout bounds one GraphQL request, upstream calls included.
	RequestTimeout Duration `yaml:"requestTimeout"`
	// LoaderWait is how long a dataloader gathers keys before calling upstream.
	LoaderWait Duration `yaml:"loaderWait"`
	// MaxDepth refuses operations nesting fields deeper than this (a root
	// field is depth 1; fragments expanded).
	MaxDepth int `yaml:"maxDepth"`
	// MaxComplexity refuses operations whose estimated cost exceeds it: each
	// field 1, a connection's edges times its page size (`first`, default
	// 20), other lists times a documented estimate.
	MaxComplexity int `yaml:"maxComplexity"`
	// MaxAliases refuses operations with more aliased fields than this.
	MaxAliases int `yaml:"maxAliases"`
	// MaxRootFields refuses operations selecting more root fields than this.
	MaxRootFields int `yaml:"maxRootFields"`
	// MaxTokens refuses documents of more lexical tokens than this while
	// parsing.
	MaxTokens int `yaml:"maxTokens"`
}

// UpstreamsConfig holds one section per ministry system.
type UpstreamsConfig struct {
	Population  PopulationUpstream  `yaml:"population"`
	Vaccination VaccinationUpstream `yaml:"vaccination"`
	Insurance   APIKeyUpstream      `yaml:"insurance"`
	Checkpoint  APIKeyUpstream      `yaml:"checkpoint"`
}

// UpstreamCommon is what every upstream section has.
type UpstreamCommon struct {
	// URL is the system's base URL.
	URL string `yaml:"url"`
	// Timeout bounds one call to the system.
	Timeout Duration `yaml:"timeout"`
}

// PopulationUpstream is the National Population Database (SOAP via NDXP).
type PopulationUpstream struct {
	UpstreamCommon  `yaml:",inline"`
	AgencyCode      string `yaml:"agencyCode"`
	ServiceCode     string `yaml:"serviceCode"`
	IntegrationCode string `yaml:"integrationCode"`
	OfficerCode     string `yaml:"officerCode"`
	Username        string `yaml:"username"`
	Password        string `yaml:"password"`
	// MaxConcurrency bounds parallel single lookups (the system has no batch call).
	MaxConcurrency int `yaml:"maxConcurrency"`
}

// VaccinationUpstream is the vaccination platform (OAuth2 client credentials).
type VaccinationUpstream struct {
	UpstreamCommon `yaml:",inline"`
	TokenURL       string `yaml:"tokenUrl"`
	ClientID       string `yaml:"clientId"`
	ClientSecret   string `yaml:"clientSecret"`
	Scope          string `yaml:"scope"`
}

// APIKeyUpstream is a system authenticated by an API key.
type APIKeyUpstream struct {
	UpstreamCommon `yaml:",inline"`
	APIKey         string `yaml:"apiKey"`
}

// Duration reads "2s", "150ms" from YAML and the environment.
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (use e.g. 500ms, 2s, 1m)", string(b))
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Defaults returns the configuration every file is layered on.
func Defaults() Config {
	return Config{
		Listen:          "127.0.0.1:8080",
		ShutdownTimeout: Duration(15 * time.Second),
		GraphQL: GraphQLConfig{
			Introspection:  false,
			MaxBodyBytes:   graph.DefaultMaxBodyBytes,
			RequestTimeout: Duration(10 * time.Second),
			LoaderWait:     Duration(2 * time.Millisecond),
			MaxDepth:       graph.DefaultMaxDepth,
			MaxComplexity:  graph.DefaultComplexityLimit,
			MaxAliases:     graph.DefaultMaxAliases,
			MaxRootFields:  graph.DefaultMaxRootFields,
			MaxTokens:      graph.DefaultParserTokenLimit,
		},
		Auth: AuthConfig{
			Audience:           "hub",
			Leeway:             Duration(30 * time.Second),
			MaxLifetime:        Duration(12 * time.Hour),
			CacheSize:          10_000,
			RefreshInterval:    Duration(time.Hour),
			MinRefreshInterval: Duration(30 * time.Second),
		},
		Upstreams: UpstreamsConfig{
			Population: PopulationUpstream{
				UpstreamCommon: UpstreamCommon{Timeout: Duration(3 * time.Second)},
				MaxConcurrency: 16,
			},
			Vaccination: VaccinationUpstream{UpstreamCommon: UpstreamCommon{Timeout: Duration(3 * time.Second)}},
			Insurance:   APIKeyUpstream{UpstreamCommon: UpstreamCommon{Timeout: Duration(3 * time.Second)}},
			Checkpoint:  APIKeyUpstream{UpstreamCommon: UpstreamCommon{Timeout: Duration(3 * time.Second)}},
		},
	}
}

// maxConfigBytes bounds the config file; a larger one is a mistake, not a config.
const maxConfigBytes = 1 << 20

// ParseConfig reads YAML over the defaults, applies environment overrides
// from env (os.Environ format) and validates the result.
func ParseConfig(data []byte, env []string) (Config, error) {
	cfg := Defaults()
	if len(data) > maxConfigBytes {
		return Config{}, fmt.Errorf("config: file is larger than %d bytes", maxConfigBytes)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.UnmarshalWithOptions(data, &cfg, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
			return Config{}, fmt.Errorf("config: %s", yaml.FormatError(err, false, true))
		}
	}
	if err := applyEnv(&cfg, env); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// LoadConfig reads the file at path (see ParseConfig).
func LoadConfig(path string, env []string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limitedReader{f: f, n: maxConfigBytes + 1}); err != nil {
		return Config{}, fmt.Errorf("config: reading %s: %w", path, err)
	}
	return ParseConfig(buf.Bytes(), env)
}

type limitedReader struct {
	f *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// EnvPrefix starts every environment override.
const EnvPrefix = "HUB_"

// applyEnv walks the config's fields and sets any with a matching variable.
func applyEnv(cfg *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil
	}
	known := map[string]bool{}
	err := walkFields(reflect.ValueOf(cfg).Elem(), EnvPrefix[:len(EnvPrefix)-1], func(name string, f reflect.Value) error {
		known[name] = true
		v, ok := vars[name]
		if !ok {
			return nil
		}
		if err := setFromString(f, v); err != nil {
			return fmt.Errorf("config: environment variable %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k := range vars {
		if !known[k] && !strings.HasPrefix(k, "HUB_TEST_") {
			return fmt.Errorf("config: environment variable %s names no setting (see hub.example.yaml for the names)", k)
		}
	}
	return nil
}

// EnvNames lists every environment variable the config reads, for docs and errors.
func EnvNames() []string {
	var names []string
	cfg := Defaults()
	_ = walkFields(reflect.ValueOf(&cfg).Elem(), "HUB", func(name string, _ reflect.Value) error {
		names = append(names, name)
		return nil
	})
	return names
}

var textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()

func walkFields(v reflect.Value, prefix string, fn func(name string, f reflect.Value) error) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		f := v.Field(i)
		if opts == "inline" {
			if err := walkFields(f, prefix, fn); err != nil {
				return err
			}
			continue
		}
		name := prefix + "_" + strings.ToUpper(tag)
		if f.Kind() == reflect.Struct && !reflect.PointerTo(f.Type()).Implements(textUnmarshalerType) {
			if err := walkFields(f, name, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(name, f); err != nil {
			return err
		}
	}
	return nil
}

func setFromString(f reflect.Value, s string) error {
	if u, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return u.UnmarshalText([]byte(s))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number")
		}
		f.SetInt(n)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Kind())
	}
	return nil
}

// Validate checks the whole config and reports every problem at once, each
// naming the setting and how to fix it.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		add("listen: %q is not host:port (e.g. 127.0.0.1:8080)", c.Listen)
	}
	if c.ShutdownTimeout <= 0 {
		add("shutdownTimeout: must be positive (e.g. 15s)")
	}
	if c.GraphQL.MaxBodyBytes < 1024 || c.GraphQL.MaxBodyBytes > 64<<20 {
		add("graphql.maxBodyBytes: must be between 1024 and 67108864")
	}
	if c.GraphQL.RequestTimeout <= 0 {
		add("graphql.requestTimeout: must be positive (e.g. 10s)")
	}
	if c.GraphQL.LoaderWait < 0 || c.GraphQL.LoaderWait.Std() > time.Second {
		add("graphql.loaderWait: must be between 0 and 1s (e.g. 2ms)")
	}
	// The operation limits cannot be turned off from the config; the upper
	// bounds keep a typo from opening the endpoint to what they exist to stop.
	for _, l := range []struct {
		setting  string
		value    int
		min, max int
		def      int
	}{
		{"maxDepth", c.GraphQL.MaxDepth, 2, 64, graph.DefaultMaxDepth},
		{"maxComplexity", c.GraphQL.MaxComplexity, 10, 1_000_000, graph.DefaultComplexityLimit},
		{"maxAliases", c.GraphQL.MaxAliases, 1, 1000, graph.DefaultMaxAliases},
		{"maxRootFields", c.GraphQL.MaxRootFields, 1, 100, graph.DefaultMaxRootFields},
		{"maxTokens", c.GraphQL.MaxTokens, 100, 1_000_000, graph.DefaultParserTokenLimit},
	} {
		if l.value < l.min || l.value > l.max {
			add("graphql.%s: must be between %d and %d (default %d)", l.setting, l.min, l.max, l.def)
		}
	}
	if (c.AdminUnits.ProvincesFile == "") != (c.AdminUnits.CommunesFile == "") {
		add("adminUnits: set both provincesFile and communesFile, or neither to use the embedded list")
	}
	a := c.Auth
	if strings.TrimSpace(a.Issuer) == "" {
		add("auth.issuer is required: the exact iss of the identity provider's tokens (or %s)", envName("auth.issuer"))
	}
	if strings.TrimSpace(a.Audience) == "" {
		add("auth.audience is required: the aud value tokens for the hub carry")
	}
	switch {
	case (a.JWKSURL == "") == (a.KeysFile == ""):
		add("auth: set exactly one of jwksUrl (the identity provider's JWKS) and keysFile (a JWKS file)")
	case a.JWKSURL != "":
		if err := checkURL(a.JWKSURL); err != nil {
			add("auth.jwksUrl: %v", err)
		}
	}
	if a.Leeway < 0 || a.Leeway.Std() > 5*time.Minute {
		add("auth.leeway: must be between 0 and 5m (e.g. 30s)")
	}
	if a.MaxLifetime <= 0 || a.MaxLifetime.Std() > 7*24*time.Hour {
		add("auth.maxLifetime: must be positive and at most 168h (e.g. 12h)")
	}
	if a.CacheSize < 0 || a.CacheSize > 10_000_000 {
		add("auth.cacheSize: must be between 0 and 10000000")
	}
	if a.RefreshInterval <= 0 || a.MinRefreshInterval <= 0 || a.MinRefreshInterval > a.RefreshInterval {
		add("auth.refreshInterval and auth.minRefreshInterval: must be positive, minRefreshInterval not above refreshInterval")
	}
	u := c.Upstreams
	checkCommon := func(name string, uc UpstreamCommon) {
		if err := checkURL(uc.URL); err != nil {
			add("upstreams.%s.url: %v", name, err)
		}
		if uc.Timeout <= 0 {
			add("upstreams.%s.timeout: must be positive (e.g. 3s)", name)
		}
	}
	required := func(setting, value string) {
		if strings.TrimSpace(value) == "" {
			add("upstreams.%s is required (set it in the config file or %s)", setting, envName("upstreams."+setting))
		}
	}
	checkCommon("population", u.Population.UpstreamCommon)
	required("population.agencyCode", u.Population.AgencyCode)
	required("population.serviceCode", u.Population.ServiceCode)
	required("population.integrationCode", u.Population.IntegrationCode)
	required("population.officerCode", u.Population.OfficerCode)
	required("population.username", u.Population.Username)
	required("population.password", u.Population.Password)
	if u.Population.MaxConcurrency < 1 || u.Population.MaxConcurrency > 256 {
		add("upstreams.population.maxConcurrency: must be between 1 and 256")
	}
	checkCommon("vaccination", u.Vaccination.UpstreamCommon)
	if u.Vaccination.TokenURL != "" {
		if err := checkURL(u.Vaccination.TokenURL); err != nil {
			add("upstreams.vaccination.tokenUrl: %v", err)
		}
	}
	required("vaccination.clientId", u.Vaccination.ClientID)
	required("vaccination.clientSecret", u.Vaccination.ClientSecret)
	checkCommon("insurance", u.Insurance.UpstreamCommon)
	required("insurance.apiKey", u.Insurance.APIKey)
	checkCommon("checkpoint", u.Checkpoint.UpstreamCommon)
	required("checkpoint.apiKey", u.Checkpoint.APIKey)
	if len(errs) == 0 {
		return nil
	}
	return &ConfigError{Problems: errs}
}

// ConfigError lists every problem found in a config.
type ConfigError struct{ Problems []error }

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(strconv.Itoa(len(e.Problems)))
	b.WriteString(" problem(s):")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

func envName(path string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

func checkURL(s string) error {
	if s == "" {
		return errors.New("is required (e.g. https://ndxp.example.gov.vn/dancu)")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if u.User != nil {
		return errors.New("must not carry credentials; use the section's credential settings")
	}
	return nil
}
