package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/auth/issuer"
	"github.com/vn-epidemic/hub/policy"
)

// The demo runs its own identity provider: keys generated at start, the
// JWKS served on its own listener like a real provider's. It leaves its
// signing key and what it signs for in a state file, so that `hub token`
// can mint tokens for a running demo.

const demoAudience = "hub"

// issuerState is what `hub demo` leaves for `hub token`.
type issuerState struct {
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	KeyFile  string `json:"keyFile"`
}

func defaultIssuerState() string { return filepath.Join(os.TempDir(), "hub-demo", "issuer.json") }

// demoIssuer is the running demo identity provider.
type demoIssuer struct {
	*issuer.Issuer
	jwksURL string
	srv     *http.Server
	done    chan error
}

// startIssuer starts the provider on a random loopback port and, when
// statePath is set, saves its key and state there (0600).
func startIssuer(statePath string) (*demoIssuer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo issuer: %w", err)
	}
	url := "http://" + ln.Addr().String()
	iss, err := issuer.New(url, demoAudience)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/jwks.json", iss.JWKSHandler())
	d := &demoIssuer{Issuer: iss, jwksURL: url + "/.well-known/jwks.json",
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, done: make(chan error, 1)}
	go func() { d.done <- d.srv.Serve(ln) }()
	if statePath != "" {
		if err := d.save(statePath); err != nil {
			_ = d.close(context.Background())
			return nil, err
		}
	}
	return d, nil
}

func (d *demoIssuer) save(statePath string) error {
	if err := os.MkdirAll(filepath.Dir(statePath), 0o700); err != nil {
		return fmt.Errorf("demo issuer state: %w", err)
	}
	keyFile := filepath.Join(filepath.Dir(statePath), "issuer-key.jwk")
	if err := d.SaveKey(keyFile); err != nil {
		return fmt.Errorf("demo issuer key: %w", err)
	}
	b, _ := json.MarshalIndent(issuerState{Issuer: d.Issuer.Issuer(), Audience: d.Audience(), KeyFile: keyFile}, "", "  ")
	if err := os.WriteFile(statePath, b, 0o600); err != nil {
		return fmt.Errorf("demo issuer state: %w", err)
	}
	return nil
}

func (d *demoIssuer) close(ctx context.Context) error {
	err := d.srv.Shutdown(ctx)
	if e := <-d.done; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// roleToken is a ready token for one role of the policy.
type roleToken struct {
	role, purpose, scope, token string
}

// demoTokens mints one token per role of the policy, for the role's first
// purpose and a locality around the showcase citizen.
func demoTokens(iss *issuer.Issuer, pol *policy.Policy, citizenID, commune, province string, ttl time.Duration) ([]roleToken, error) {
	var out []roleToken
	for _, r := range pol.Roles() {
		if len(r.Grants) == 0 || len(r.Grants[0].Purposes) == 0 {
			continue
		}
		g := r.Grants[0]
		c := issuer.Claims{Subject: "demo-" + strings.ReplaceAll(r.Name, "_", "-"), Roles: []string{r.Name},
			Agency: "DEMO", Purpose: g.Purposes[0]}
		scope := "national"
		switch g.Locality {
		case policy.LocalityCommune:
			c.Communes, scope = []string{commune}, "commune "+commune
		case policy.LocalityProvince:
			c.Provinces, scope = []string{province}, "province "+province
		case policy.LocalitySelf:
			c.CitizenID, scope = citizenID, "self "+citizenID
		}
		tok, err := iss.Mint(c, ttl)
		if err != nil {
			return nil, fmt.Errorf("minting a %s token: %w", r.Name, err)
		}
		out = append(out, roleToken{role: r.Name, purpose: c.Purpose, scope: scope, token: tok})
	}
	return out, nil
}

// runToken mints a token for a running demo's identity provider.
func runToken(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "role, e.g. commune_official (see policy/default.yaml)")
	purpose := fs.String("purpose", "", "purpose of use, e.g. epidemic_control")
	locality := fs.String("locality", "", "comma-separated 2-digit province and 5-digit commune codes; empty = national")
	sub := fs.String("sub", "demo-user", "subject (the officer or citizen account)")
	agency := fs.String("agency", "DEMO", "agency the subject acts for")
	cid := fs.String("cid", "", "12-digit citizen ID, for the citizen (self-service) role")
	ttl := fs.Duration("ttl", time.Hour, "lifetime (at most 12h)")
	state := fs.String("state", defaultIssuerState(), "state file written by `hub demo`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *role == "" {
		return errors.New("token: --role is required")
	}
	b, err := os.ReadFile(*state)
	if err != nil {
		return fmt.Errorf("token: no running demo's issuer (%w); start `hub demo` first", err)
	}
	var st issuerState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("token: state file %s: %w", *state, err)
	}
	iss, err := issuer.LoadKey(st.KeyFile, st.Issuer, st.Audience)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	c := issuer.Claims{Subject: *sub, Roles: strings.Split(*role, ","), Agency: *agency, Purpose: *purpose, CitizenID: *cid}
	for _, code := range strings.Split(*locality, ",") {
		switch code = strings.TrimSpace(code); len(code) {
		case 0:
		case 2:
			c.Provinces = append(c.Provinces, code)
		case 5:
			c.Communes = append(c.Communes, code)
		default:
			return fmt.Errorf("token: --locality: %q is neither a 2-digit province nor a 5-digit commune code", code)
		}
	}
	tok, err := iss.Mint(c, *ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
