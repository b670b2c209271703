package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/auth/issuer"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/gateway"
	"github.com/vn-epidemic/hub/mocks"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/qr"
)

// env is the hub in front of real stand-ins over one synthetic population.
type env struct {
	pop   *synth.Population
	stack *mocks.Stack
	iss   *demoIssuer
	hub   *httptest.Server
	token string // a national health official's, for epidemic control
}

// testEpoch is the current hour: the graph reads "recent" history relative to the real clock.
var testEpoch = time.Now().Truncate(time.Hour)

func newEnv(t *testing.T) *env {
	t.Helper()
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	pop, err := synth.New(synth.Config{Seed: 7, Size: 20_000, Epoch: testEpoch}, dir)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := mocks.Start(mocks.Options{Population: pop, FaultSeed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stack.Close(context.Background()) })
	iss, err := startIssuer("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = iss.close(context.Background()) })
	h, err := gateway.Build(demoConfig("127.0.0.1:0", stack, iss), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	srv := httptest.NewServer(h.Server.Handler())
	t.Cleanup(srv.Close)
	token, err := iss.Mint(issuer.Claims{Subject: "officer-e2e", Roles: []string{explorerRole}, Agency: "BYT", Purpose: "epidemic_control"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &env{pop: pop, stack: stack, iss: iss, hub: srv, token: token}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (e *env) query(t *testing.T, query string, vars map[string]any) gqlResponse {
	t.Helper()
	return e.queryAs(t, e.token, query, vars)
}

func (e *env) queryAs(t *testing.T, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	b := postAs(t, e.hub.URL, token, string(body))
	var out gqlResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not JSON: %s", b)
	}
	return out
}

func (e *env) showcase(t *testing.T, why string) int64 {
	t.Helper()
	for _, s := range e.pop.Showcase() {
		if strings.Contains(s.Why, why) {
			return s.Index
		}
	}
	t.Fatalf("no showcase citizen %q in %+v", why, e.pop.Showcase())
	return 0
}

func TestFourMinistriesInOneAnswer(t *testing.T) {
	e := newEnv(t)
	i := e.showcase(t, "full record")
	p := e.pop.At(i)
	vac, ok := e.pop.Vaccination(i)
	if !ok {
		t.Fatal("showcase citizen has no vaccination record")
	}
	card, ok := e.pop.Insurance(i)
	if !ok {
		t.Fatal("showcase citizen is uninsured")
	}

	res := e.query(t, fmt.Sprintf(citizenQuery, p.ID), nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	var got struct {
		Citizen struct {
			ID       string
			Identity struct {
				FullName, Sex, BirthDate string
			}
			Residence struct {
				Current struct {
					Commune struct{ Code string }
				}
			}
			Vaccination struct {
				Status         string
				Doses          []struct{ Number int }
				Reconciliation struct{ Status string }
			}
			Insurance struct {
				SocialNumber string
			}
			Declarations struct {
				Edges []struct{ Node struct{ Kind string } }
			}
			Movements struct {
				Edges []struct{ Node struct{ Direction string } }
			}
		}
	}
	if err := json.Unmarshal(res.Data, &got); err != nil {
		t.Fatal(err)
	}
	c := got.Citizen
	switch {
	case c.ID != p.ID:
		t.Errorf("id %q", c.ID)
	case c.Identity.FullName != p.Name.Full(): // population database
		t.Errorf("identity from the population database does not match the registry")
	case c.Identity.BirthDate != p.BirthDate.String():
		t.Errorf("birth date %q, want %q", c.Identity.BirthDate, p.BirthDate)
	case c.Residence.Current.Commune.Code != p.Current.CommuneCode:
		t.Errorf("commune %q, want %q", c.Residence.Current.Commune.Code, p.Current.CommuneCode)
	case c.Vaccination.Status != string(vac.Record.Status()) || len(c.Vaccination.Doses) != len(vac.Record.Doses): // vaccination platform
		t.Errorf("vaccination %+v, want %s with %d doses", c.Vaccination, vac.Record.Status(), len(vac.Record.Doses))
	case c.Vaccination.Reconciliation.Status != string(vac.Reconciliation.Status):
		t.Errorf("reconciliation %q, want %q", c.Vaccination.Reconciliation.Status, vac.Reconciliation.Status)
	case c.Insurance.SocialNumber != card.SocialNumber: // insurance
		t.Errorf("insurance %q, want %q", c.Insurance.SocialNumber, card.SocialNumber)
	case len(c.Declarations.Edges) == 0 || len(c.Movements.Edges) == 0: // checkpoint system
		t.Errorf("declarations %d, movements %d: want some of each", len(c.Declarations.Edges), len(c.Movements.Edges))
	}
}

// The dataloader guarantee: a page of 100 arrivals, each with citizen,
// vaccination and insurance, costs one call to the vaccination platform, one
// to insurance and one single lookup per distinct citizen (no batch exists)
// at the population database — not 300 calls.
func TestArrivalsPageBatchesUpstreamCalls(t *testing.T) {
	e := newEnv(t)
	province := e.largestProvince(t)
	for _, n := range mocks.Names {
		e.stack.Faults(n).ResetCounts()
	}
	res := e.query(t, `query($p: String!, $from: DateTime!, $to: DateTime!) {
	  arrivals(provinceCode: $p, from: $from, to: $to, first: 100) {
	    edges { node { traveller { documentNumber documentKind }
	      citizen { id identity { fullName } vaccination { status doses { number } } insurance { socialNumber } } } }
	  }
	}`, map[string]any{"p": province, "from": testEpoch.Add(-30 * 24 * time.Hour).Format(time.RFC3339), "to": testEpoch.Format(time.RFC3339)})
	var got struct {
		Arrivals struct {
			Edges []struct {
				Node struct {
					Traveller struct{ DocumentNumber, DocumentKind string }
					Citizen   *struct {
						ID       string
						Identity *struct{ FullName string }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(res.Data, &got); err != nil {
		t.Fatal(err)
	}
	for _, er := range res.Errors {
		// Some arrivals' people legitimately have no insurance or no doses;
		// anything else is a failure.
		if er.Extensions["code"] != "NOT_FOUND" {
			t.Fatalf("unexpected error: %+v", er)
		}
	}
	if len(got.Arrivals.Edges) != 100 {
		t.Fatalf("page has %d arrivals, want 100 (pick a larger window or province)", len(got.Arrivals.Edges))
	}
	citizens := map[string]bool{}
	for _, edge := range got.Arrivals.Edges {
		if c := edge.Node.Citizen; c != nil {
			citizens[c.ID] = true
			if c.Identity == nil {
				t.Fatalf("citizen without identity")
			}
		}
	}
	counts := func(name string) map[string]int64 { return e.stack.Faults(name).Counts() }
	if n := counts(domain.UpstreamVaccination)["vaccinations.batchGet"]; n != 1 {
		t.Errorf("vaccination platform called %d times, want 1", n)
	}
	if n := counts(domain.UpstreamInsurance)["the.traCuuLo"]; n != 1 {
		t.Errorf("insurance called %d times, want 1", n)
	}
	if n := counts(domain.UpstreamPopulation)["TraCuuThongTinCongDan"]; n != int64(len(citizens)) || n > 100 {
		t.Errorf("population database called %d times for %d distinct citizens", n, len(citizens))
	}
	if n := counts(domain.UpstreamCheckpoint)["arrivals.list"]; n != 1 {
		t.Errorf("arrivals listed %d times, want 1", n)
	}
}

func (e *env) largestProvince(t *testing.T) string {
	best, bestN := "", int64(-1)
	for _, p := range e.pop.Directory().Provinces() {
		if n := e.pop.ResidentCount(p.Code, domain.AgeBand{Min: 0}); n > bestN {
			best, bestN = p.Code, n
		}
	}
	return best
}

func TestOneMinistryDownGivesPartialData(t *testing.T) {
	for _, down := range mocks.Names {
		t.Run(down, func(t *testing.T) {
			e := newEnv(t)
			i := e.showcase(t, "full record")
			if err := e.stack.Faults(down).SetProfile(faults.Profile{Outage: true}); err != nil {
				t.Fatal(err)
			}
			res := e.query(t, fmt.Sprintf(`{ citizen(id: %q) {
			  id identity { fullName } vaccination { status } insurance { socialNumber }
			  movements(first: 1) { edges { node { id } } } } }`, e.pop.At(i).ID), nil)
			var got map[string]map[string]any
			if err := json.Unmarshal(res.Data, &got); err != nil || got["citizen"] == nil {
				t.Fatalf("no citizen in %s (errors %+v)", res.Data, res.Errors)
			}
			field := map[string]string{
				domain.UpstreamPopulation: "identity", domain.UpstreamVaccination: "vaccination",
				domain.UpstreamInsurance: "insurance", domain.UpstreamCheckpoint: "movements",
			}[down]
			for f, v := range got["citizen"] {
				if (v == nil) != (f == field) {
					t.Errorf("field %s = %v with %s down", f, v, down)
				}
			}
			if len(res.Errors) != 1 {
				t.Fatalf("errors %+v, want exactly one", res.Errors)
			}
			er := res.Errors[0]
			if er.Extensions["code"] != "UPSTREAM_UNAVAILABLE" || er.Extensions["upstream"] != down ||
				fmt.Sprint(er.Path) != fmt.Sprint([]any{"citizen", field}) {
				t.Fatalf("error %+v", er)
			}
			if strings.Contains(er.Message, e.pop.At(i).ID) {
				t.Fatal("error message carries the citizen's ID")
			}
		})
	}
}

func TestCitizenByChipCardQR(t *testing.T) {
	e := newEnv(t)
	i := e.showcase(t, "full record")
	p := e.pop.At(i)
	payload := strings.ToUpper(qr.EncodeChipCard(p, e.pop.CardIssued(i), true)) + "\r\n"
	res := e.query(t, `query($q: String!) { citizenByQR(payload: $q) {
	  kind documentNumber registryCheck { agrees } citizen { identity { fullName } } } }`, map[string]any{"q": payload})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	var got struct {
		CitizenByQR struct {
			Kind, DocumentNumber string
			RegistryCheck        struct{ Agrees bool }
			Citizen              struct{ Identity struct{ FullName string } }
		}
	}
	if err := json.Unmarshal(res.Data, &got); err != nil {
		t.Fatal(err)
	}
	q := got.CitizenByQR
	if q.DocumentNumber != p.ID || !q.RegistryCheck.Agrees || q.Citizen.Identity.FullName != p.Name.Full() {
		t.Fatalf("got %+v", q)
	}
}

func TestReadyzShowsEachUpstream(t *testing.T) {
	e := newEnv(t)
	if err := e.stack.Faults(domain.UpstreamInsurance).SetProfile(faults.Profile{Outage: true}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.hub.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep struct {
		Status    string
		Upstreams map[string]struct{ Status string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "degraded" || rep.Upstreams[domain.UpstreamInsurance].Status != "down" ||
		rep.Upstreams[domain.UpstreamPopulation].Status != "up" || rep.Upstreams[domain.UpstreamVaccination].Status != "up" ||
		rep.Upstreams[domain.UpstreamCheckpoint].Status != "up" {
		t.Fatalf("readyz %+v", rep)
	}
}
