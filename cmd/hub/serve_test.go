package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/checkpoint"
	"github.com/vn-epidemic/hub/mocks/insurance"
	"github.com/vn-epidemic/hub/mocks/population"
	"github.com/vn-epidemic/hub/mocks/vaccination"
)

// TestServeWithConfigFile runs `hub serve` as an operator would: one YAML
// file naming the upstreams, secrets from the environment.
func TestServeWithConfigFile(t *testing.T) {
	e := newEnv(t)
	yaml := fmt.Sprintf(`listen: 127.0.0.1:0
auth:
  issuer: %s
  jwksUrl: %s
upstreams:
  population:
    url: %s
    agencyCode: %q
    serviceCode: DVC-COVID19
    integrationCode: HUB-LIENTHONG
    officerCode: HUB-TEST
    username: %s
  vaccination:
    url: %s
    clientId: %s
  insurance:
    url: %s
  checkpoint:
    url: %s
`, e.iss.Issuer.Issuer(), e.iss.jwksURL, e.stack.URL(domain.UpstreamPopulation), population.DefaultAgencyCode, population.DefaultUsername,
		e.stack.URL(domain.UpstreamVaccination), vaccination.DefaultClientID,
		e.stack.URL(domain.UpstreamInsurance), e.stack.URL(domain.UpstreamCheckpoint))
	path := filepath.Join(t.TempDir(), "hub.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HUB_UPSTREAMS_POPULATION_PASSWORD=" + population.DefaultPassword,
		"HUB_UPSTREAMS_VACCINATION_CLIENTSECRET=" + vaccination.DefaultClientSecret,
		"HUB_UPSTREAMS_INSURANCE_APIKEY=" + insurance.DefaultAPIKey,
		"HUB_UPSTREAMS_CHECKPOINT_APIKEY=" + checkpoint.DefaultAPIKey,
	}

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", path}, io.Discard, pw, env)
		_ = pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve exited with %v", err)
		}
	}()
	// The JSON log's "hub serving" line says where it listens.
	var addr string
	sc := bufio.NewScanner(pr)
	for addr == "" && sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "hub serving" {
			addr = line.Addr
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if addr == "" {
		t.Fatal("serve logged no address")
	}

	i := e.showcase(t, "full record")
	body := `{"query":"{ citizen(id: \"` + e.pop.At(i).ID + `\") { identity { fullName } vaccination { status } insurance { socialNumber } } }"}`
	b := postAs(t, "http://"+addr, e.token, body)
	if strings.Contains(string(b), `"errors"`) || !strings.Contains(string(b), e.pop.At(i).Name.Full()) {
		t.Fatalf("query through serve: %s", b)
	}
	if b := postAs(t, "http://"+addr, "", body); !strings.Contains(string(b), "UNAUTHENTICATED") {
		t.Fatalf("serve answered without a token: %s", b)
	}
	// Introspection is off by default in serve.
	b = postAs(t, "http://"+addr, e.token, `{"query":"{ __schema { types { name } } }"}`)
	if !strings.Contains(string(b), "GRAPHQL_VALIDATION_FAILED") || strings.Contains(string(b), `"types"`) {
		t.Fatalf("introspection answered in serve: %s", b)
	}
}

// postAs posts a GraphQL body to the hub at base, with a bearer token when given.
func postAs(t *testing.T, base, token, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
