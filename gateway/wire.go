package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/vn-epidemic/hub/adapters/checkpoint"
	"github.com/vn-epidemic/hub/adapters/insurance"
	"github.com/vn-epidemic/hub/adapters/population"
	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/adapters/vaccination"
	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/auth"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/gateway/explorer"
	"github.com/vn-epidemic/hub/graph"
	"github.com/vn-epidemic/hub/policy"
)

// Hub is the assembled hub, ready to serve.
type Hub struct {
	Server    *Server
	Directory *adminunit.Directory
	Policy    *policy.Policy
	keys      *auth.JWKSClient // nil with a key file
}

// BuildOption adjusts how Build assembles the hub.
type BuildOption func(*buildOptions)

type buildOptions struct {
	middleware      []upstream.Middleware
	explorerHeaders string
}

// WithUpstreamMiddleware wraps every upstream call (outermost first).
func WithUpstreamMiddleware(mws ...upstream.Middleware) BuildOption {
	return func(o *buildOptions) { o.middleware = append(o.middleware, mws...) }
}

// WithExplorerHeaders pre-fills the explorer's headers editor (a JSON
// object). For the demo only: it puts a token in the page.
func WithExplorerHeaders(json string) BuildOption {
	return func(o *buildOptions) { o.explorerHeaders = json }
}

// Close stops background work (the key-set client).
func (h *Hub) Close() {
	if h.keys != nil {
		h.keys.Close()
	}
}

// Build assembles the hub from a validated config: one adapter per upstream,
// the graph over them, and the HTTP server.
func Build(cfg Config, logger *slog.Logger, opts ...BuildOption) (*Hub, error) {
	var bo buildOptions
	for _, o := range opts {
		o(&bo)
	}
	mws := bo.middleware
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir, err := loadDirectory(cfg.AdminUnits)
	if err != nil {
		return nil, err
	}
	pol, err := loadPolicy(cfg.Policy, dir)
	if err != nil {
		return nil, err
	}
	hub := &Hub{Directory: dir, Policy: pol}
	verifier, err := hub.newVerifier(cfg.Auth, pol)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: newTransport()}
	caller := func(uc UpstreamCommon) *upstream.Caller { return upstream.NewCaller(client, uc.Timeout.Std(), mws...) }

	up := cfg.Upstreams
	pop, err := population.New(population.Config{
		BaseURL:         up.Population.URL,
		AgencyCode:      up.Population.AgencyCode,
		ServiceCode:     up.Population.ServiceCode,
		IntegrationCode: up.Population.IntegrationCode,
		OfficerCode:     up.Population.OfficerCode,
		Username:        up.Population.Username,
		Password:        up.Population.Password,
		MaxConcurrency:  up.Population.MaxConcurrency,
	}, caller(up.Population.UpstreamCommon))
	if err != nil {
		return nil, fmt.Errorf("gateway: population adapter: %w", err)
	}
	vac, err := vaccination.New(vaccination.Config{
		BaseURL:      up.Vaccination.URL,
		TokenURL:     up.Vaccination.TokenURL,
		ClientID:     up.Vaccination.ClientID,
		ClientSecret: up.Vaccination.ClientSecret,
		Scope:        up.Vaccination.Scope,
	}, caller(up.Vaccination.UpstreamCommon))
	if err != nil {
		return nil, fmt.Errorf("gateway: vaccination adapter: %w", err)
	}
	ins, err := insurance.New(insurance.Config{BaseURL: up.Insurance.URL, APIKey: up.Insurance.APIKey}, caller(up.Insurance.UpstreamCommon))
	if err != nil {
		return nil, fmt.Errorf("gateway: insurance adapter: %w", err)
	}
	chk, err := checkpoint.New(checkpoint.Config{BaseURL: up.Checkpoint.URL, APIKey: up.Checkpoint.APIKey}, caller(up.Checkpoint.UpstreamCommon))
	if err != nil {
		return nil, fmt.Errorf("gateway: checkpoint adapter: %w", err)
	}

	res, err := graph.NewResolver(graph.Config{
		LoaderWait:      cfg.GraphQL.LoaderWait.Std(),
		UpstreamTimeout: cfg.GraphQL.RequestTimeout.Std(),
		Policy:          pol,
	}, graph.Sources{
		Population:  pop,
		Vaccination: vac,
		Insurance:   ins,
		Checkpoint:  chk,
	}, dir)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	gql := graph.NewServer(res, graph.ServerOptions{
		Introspection:    cfg.GraphQL.Introspection,
		ComplexityLimit:  cfg.GraphQL.MaxComplexity,
		MaxDepth:         cfg.GraphQL.MaxDepth,
		MaxAliases:       cfg.GraphQL.MaxAliases,
		MaxRootFields:    cfg.GraphQL.MaxRootFields,
		ParserTokenLimit: cfg.GraphQL.MaxTokens,
		MaxBodyBytes:     cfg.GraphQL.MaxBodyBytes,
		Logger:           logger,
	})
	exp, err := explorer.New(explorer.Config{Title: "Hub explorer", Endpoint: "/graphql", DefaultQuery: explorerIntro, DefaultHeaders: bo.explorerHeaders})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	srv, err := NewServer(cfg, ServerDeps{
		GraphQL: auth.Middleware(verifier, auth.MiddlewareOptions{
			OnFailure: func(r *http.Request, code string) {
				// The reason code only: never the token or its claims.
				logger.Info("authentication refused", "reason", code, "path", r.URL.Path)
			},
		})(gql),
		Explorer: exp,
		Upstreams: map[string]Pinger{
			domain.UpstreamPopulation:  pop,
			domain.UpstreamVaccination: vac,
			domain.UpstreamInsurance:   ins,
			domain.UpstreamCheckpoint:  chk,
		},
		Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	hub.Server = srv
	return hub, nil
}

// newVerifier builds the token verifier over the configured key set. Only
// roles the policy defines are accepted in tokens.
func (h *Hub) newVerifier(c AuthConfig, pol *policy.Policy) (*auth.Verifier, error) {
	var keys auth.KeySource
	if c.KeysFile != "" {
		b, err := os.ReadFile(c.KeysFile)
		if err != nil {
			return nil, fmt.Errorf("auth.keysFile: %w", err)
		}
		static, err := auth.NewStaticKeys(b)
		if err != nil {
			return nil, fmt.Errorf("auth.keysFile: %w", err)
		}
		keys = static
	} else {
		client, err := auth.NewJWKSClient(auth.JWKSConfig{
			URL:                c.JWKSURL,
			HTTPClient:         &http.Client{Transport: newTransport()},
			RefreshInterval:    c.RefreshInterval.Std(),
			MinRefreshInterval: c.MinRefreshInterval.Std(),
		})
		if err != nil {
			return nil, fmt.Errorf("auth.jwksUrl: %w", err)
		}
		h.keys, keys = client, client
	}
	var roles []string
	for _, r := range pol.Roles() {
		roles = append(roles, r.Name)
	}
	v, err := auth.NewVerifier(auth.Config{
		Issuer:      c.Issuer,
		Audience:    c.Audience,
		Leeway:      c.Leeway.Std(),
		MaxLifetime: c.MaxLifetime.Std(),
		CacheSize:   c.CacheSize,
		KnownRoles:  roles,
	}, keys)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return v, nil
}

// RefreshKeys loads the identity provider's key set now, so that a wrong
// jwksUrl shows at start rather than on the first request. Nil with a key file.
func (h *Hub) RefreshKeys(ctx context.Context) error {
	if h.keys == nil {
		return nil
	}
	return h.keys.Refresh(ctx)
}

func loadPolicy(c PolicyConfig, dir *adminunit.Directory) (*policy.Policy, error) {
	if c.File == "" {
		return policy.Default(dir)
	}
	f, err := os.Open(c.File)
	if err != nil {
		return nil, fmt.Errorf("policy.file: %w", err)
	}
	defer f.Close()
	p, err := policy.Load(f, dir)
	if err != nil {
		return nil, fmt.Errorf("policy.file %s: %w", c.File, err)
	}
	return p, nil
}

const explorerIntro = `# The hub: one schema over the population database, the vaccination
# platform, health insurance and the police checkpoint system.
# Open "Docs" for every type and field; error codes are listed on Query.
`

// newTransport is shared by every upstream: keep-alive pools sized for the
// population database's fan-out of single lookups.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func loadDirectory(c AdminUnitsConfig) (*adminunit.Directory, error) {
	if c.ProvincesFile == "" {
		return adminunit.Default()
	}
	p, err := os.Open(c.ProvincesFile)
	if err != nil {
		return nil, fmt.Errorf("adminUnits.provincesFile: %w", err)
	}
	defer p.Close()
	cm, err := os.Open(c.CommunesFile)
	if err != nil {
		return nil, fmt.Errorf("adminUnits.communesFile: %w", err)
	}
	defer cm.Close()
	dir, err := adminunit.Load(p, cm)
	if err != nil {
		return nil, fmt.Errorf("adminUnits: %w", err)
	}
	return dir, nil
}
