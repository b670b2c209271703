package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/gateway"
	"github.com/vn-epidemic/hub/mocks"
	"github.com/vn-epidemic/hub/mocks/checkpoint"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/insurance"
	"github.com/vn-epidemic/hub/mocks/population"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/mocks/vaccination"
	"github.com/vn-epidemic/hub/policy"
	"github.com/vn-epidemic/hub/qr"
)

// runDemo runs the hub, every stand-in, an identity provider and a
// synthetic population in one process on 127.0.0.1, and prints where
// everything is and a ready token per role.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address the hub listens on")
	latency := fs.Duration("upstream-latency", 0, "median latency of every stand-in without a --faults profile (p99 is 10x), e.g. 20ms; 0 = instant")
	state := fs.String("issuer-state", defaultIssuerState(), "where the demo leaves its token-signing key for `hub token` (empty: nowhere)")
	pf := addPopulationFlags(fs)
	faultsPath := addFaultsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	profiles, err := loadFaults(*faultsPath)
	if err != nil {
		return err
	}
	if *latency > 0 {
		for _, n := range mocks.Names {
			if _, set := profiles[n]; !set {
				profiles[n] = faults.Profile{LatencyMedian: faults.Duration(*latency), LatencyP99: faults.Duration(10 * *latency)}
			}
		}
	}
	pop, err := pf.build()
	if err != nil {
		return err
	}
	stack, err := mocks.Start(mocks.Options{Population: pop, Faults: profiles, FaultSeed: *pf.seed})
	if err != nil {
		return err
	}
	iss, err := startIssuer(*state)
	if err != nil {
		_ = stack.Close(context.Background())
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stack.Close(shutdownCtx)
		_ = iss.close(shutdownCtx)
	}()

	pol, err := policy.Default(pop.Directory())
	if err != nil {
		return err
	}
	show := pop.Showcase()
	if len(show) == 0 {
		return fmt.Errorf("demo: the population has no showcase citizen (try a larger --size)")
	}
	first := pop.At(show[0].Index)
	tokens, err := demoTokens(iss.Issuer, pol, first.ID, first.Current.CommuneCode, first.Current.ProvinceCode, 8*time.Hour)
	if err != nil {
		return err
	}
	cfg := demoConfig(*addr, stack, iss)
	hub, err := gateway.Build(cfg, logger, gateway.WithExplorerHeaders(explorerHeaders(tokens)))
	if err != nil {
		return err
	}
	defer hub.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	printDemo(stdout, "http://"+ln.Addr().String(), stack, iss, pop, tokens, *state)
	return hub.Server.Serve(ctx, ln)
}

// explorerRole is the role whose token the demo's explorer starts with: the
// national health official, who may see a citizen's four ministries at once.
const explorerRole = "health_official"

func explorerHeaders(tokens []roleToken) string {
	for _, t := range tokens {
		if t.role == explorerRole {
			b, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + t.token})
			return string(b)
		}
	}
	return ""
}

// demoConfig points the hub at the in-process stand-ins with their demo credentials.
func demoConfig(addr string, stack *mocks.Stack, iss *demoIssuer) gateway.Config {
	cfg := gateway.Defaults()
	cfg.Listen = addr
	cfg.GraphQL.Introspection = true
	cfg.Auth.Issuer = iss.Issuer.Issuer()
	cfg.Auth.Audience = iss.Audience()
	cfg.Auth.JWKSURL = iss.jwksURL
	up := &cfg.Upstreams
	up.Population.URL = stack.URL(domain.UpstreamPopulation)
	up.Population.AgencyCode = population.DefaultAgencyCode
	up.Population.ServiceCode = "DVC-COVID19"
	up.Population.IntegrationCode = "HUB-LIENTHONG"
	up.Population.OfficerCode = "HUB-DEMO"
	up.Population.Username = population.DefaultUsername
	up.Population.Password = population.DefaultPassword
	up.Vaccination.URL = stack.URL(domain.UpstreamVaccination)
	up.Vaccination.ClientID = vaccination.DefaultClientID
	up.Vaccination.ClientSecret = vaccination.DefaultClientSecret
	up.Insurance.URL = stack.URL(domain.UpstreamInsurance)
	up.Insurance.APIKey = insurance.DefaultAPIKey
	up.Checkpoint.URL = stack.URL(domain.UpstreamCheckpoint)
	up.Checkpoint.APIKey = checkpoint.DefaultAPIKey
	return cfg
}

func printStandIns(w io.Writer, stack *mocks.Stack) {
	fmt.Fprintln(w, "Ministry stand-ins (faults and request counts: <url>/_control/faults, <url>/_control/counts):")
	fmt.Fprintf(w, "  population   %s   SOAP 1.1, WSDL at ?wsdl  (user %s, agency %s)\n",
		stack.URL(domain.UpstreamPopulation), population.DefaultUsername, population.DefaultAgencyCode)
	fmt.Fprintf(w, "  vaccination  %s   REST, OAuth2 client %s, /openapi.json\n",
		stack.URL(domain.UpstreamVaccination), vaccination.DefaultClientID)
	fmt.Fprintf(w, "  insurance    %s   REST, API key, /openapi.json\n", stack.URL(domain.UpstreamInsurance))
	fmt.Fprintf(w, "  checkpoint   %s   REST, API key, /openapi.json\n", stack.URL(domain.UpstreamCheckpoint))
}

func printDemo(w io.Writer, hubURL string, stack *mocks.Stack, iss *demoIssuer, pop *synth.Population, tokens []roleToken, statePath string) {
	fmt.Fprintf(w, "Hub:       %s/graphql   (explorer: %s/ , health: /healthz, /readyz)\n", hubURL, hubURL)
	fmt.Fprintf(w, "Population: %d synthetic citizens (seed %d), as of %s\n\n",
		pop.Size(), pop.Config().Seed, pop.Config().Epoch.Format(time.RFC3339))
	printStandIns(w, stack)
	fmt.Fprintf(w, "  identity provider  %s   JWKS at /.well-known/jwks.json\n", iss.Issuer.Issuer())

	fmt.Fprintln(w, "\nCitizens to try:")
	show := pop.Showcase()
	for _, s := range show {
		p := pop.At(s.Index)
		fmt.Fprintf(w, "  %s  (%s)\n    chip-card QR: %s\n", p.ID, s.Why, qr.EncodeChipCard(p, pop.CardIssued(s.Index), false))
	}
	first := pop.At(show[0].Index)

	fmt.Fprintln(w, "\nTokens, one per role (valid 8 h; send as Authorization: Bearer <token>):")
	for _, t := range tokens {
		fmt.Fprintf(w, "  %-20s purpose %-20s %s\n    %s\n", t.role, t.purpose, t.scope, t.token)
	}
	if statePath != "" {
		fmt.Fprintf(w, "  more: hub token --role commune_official --purpose epidemic_control --locality %s --sub officer-1\n", first.Current.CommuneCode)
	}
	fmt.Fprintf(w, "The explorer starts with the %s token.\n", explorerRole)

	fmt.Fprintln(w, "\nExample queries (paste into the explorer, or use curl):")
	for _, q := range demoQueries(first.ID, qr.EncodeChipCard(first, pop.CardIssued(show[0].Index), false),
		first.Current.CommuneCode, first.Current.ProvinceCode, pop.Config().Epoch) {
		fmt.Fprintf(w, "\n# %s\n%s\n", q.title, q.query)
	}
	var token string
	for _, t := range tokens {
		if t.role == explorerRole {
			token = t.token
		}
	}
	fmt.Fprintf(w, "\ncurl -s %s/graphql -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \\\n  -d '{\"query\":\"{ citizen(id: \\\"%s\\\") { identity { fullName } vaccination { status } } }\"}'\n\n",
		hubURL, token, first.ID)
}

type exampleQuery struct{ title, query string }

func demoQueries(id, chipQR, commune, province string, epoch time.Time) []exampleQuery {
	qrLiteral := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(chipQR)
	return []exampleQuery{
		{"One citizen, four ministries in one answer", fmt.Sprintf(citizenQuery, id)},
		{"Checkpoint scan of a chip-card QR", fmt.Sprintf(qrQuery, qrLiteral)},
		{"Arrivals into a province in the last 24 hours", fmt.Sprintf(arrivalsQuery, province,
			epoch.Add(-24*time.Hour).Format(time.RFC3339), epoch.Add(time.Hour).Format(time.RFC3339))},
		{"A commune's reconciliation list (mismatches to correct)", fmt.Sprintf(reconciliationQuery, commune)},
		{"Vaccination coverage of a province", fmt.Sprintf(coverageQuery, province)},
	}
}
