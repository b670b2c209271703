package issuer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/auth"
	"github.com/vn-epidemic/hub/auth/jwk"
)

const (
	iss = "http://127.0.0.1:8080/auth"
	aud = "vn-epidemic-hub"
)

var officer = Claims{
	Subject: "officer-1", Roles: []string{"commune_official"}, Agency: "UBND-XA-00024",
	Purpose: "epidemic_control", Provinces: []string{"01"}, Communes: []string{"00024"},
}

func fixedClock() func() time.Time {
	t := time.Date(2021, 10, 20, 8, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}

// payload decodes a token's claims without verifying (the verifier's
// tests do that; here we check what the issuer wrote).
func payload(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS")
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func TestMintClaims(t *testing.T) {
	now := fixedClock()
	i, err := New(iss, aud, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := i.Mint(officer, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h, c := payload(t, tok)
	if h["alg"] != "EdDSA" || h["kid"] != i.KeyID() || h["typ"] != "JWT" {
		t.Fatalf("header %v", h)
	}
	want := map[string]any{
		"iss": iss, "aud": []any{aud}, "sub": "officer-1", "roles": []any{"commune_official"},
		"agency": "UBND-XA-00024", "purpose": "epidemic_control",
		"locality": map[string]any{"provinces": []any{"01"}, "communes": []any{"00024"}},
		"iat":      float64(now().Unix()),
		"nbf":      float64(now().Unix()),
		"exp":      float64(now().Add(30 * time.Minute).Unix()),
	}
	for k, v := range want {
		if got, _ := json.Marshal(c[k]); string(got) != mustJSON(t, v) {
			t.Errorf("claim %s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
	if jti, _ := c["jti"].(string); len(jti) < 16 {
		t.Errorf("jti %q not random", jti)
	}
	if _, ok := c["cid"]; ok {
		t.Error("empty cid written")
	}
	tok2, _ := i.Mint(officer, time.Minute)
	if _, c2 := payload(t, tok2); c2["jti"] == c["jti"] {
		t.Error("two tokens share a jti")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMintRefusesBadClaims(t *testing.T) {
	i, err := New(iss, aud)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Claims)
		ttl  time.Duration
	}{
		{"no subject", func(c *Claims) { c.Subject = "" }, time.Hour},
		{"no roles", func(c *Claims) { c.Roles = nil }, time.Hour},
		{"bad province", func(c *Claims) { c.Provinces = []string{"1"} }, time.Hour},
		{"bad commune", func(c *Claims) { c.Communes = []string{"abcde"} }, time.Hour},
		{"bad cid", func(c *Claims) { c.CitizenID = "00109901234" }, time.Hour},
		{"zero ttl", func(c *Claims) {}, 0},
	}
	for _, tt := range tests {
		c := officer
		c.CitizenID = ""
		tt.edit(&c)
		_, err := i.Mint(c, tt.ttl)
		if err == nil {
			t.Errorf("%s: minted", tt.name)
			continue
		}
		if strings.Contains(err.Error(), "00109901234") || strings.Contains(err.Error(), "abcde") {
			t.Errorf("%s: error quotes the value: %v", tt.name, err)
		}
	}
}

func TestJWKSHandler(t *testing.T) {
	i, err := New(iss, aud, WithES256Key())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(i.JWKSHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	set, err := jwk.ParseSet(body)
	if err != nil || set.Len() != 2 || set.Ignored() != 0 {
		t.Fatalf("served set: %v, %d keys", err, set.Len())
	}
	algs := []string{set.Keys()[0].Algorithm, set.Keys()[1].Algorithm}
	if !slices.Equal(algs, []string{jwk.EdDSA, jwk.ES256}) {
		t.Fatalf("algorithms %v", algs)
	}
	if strings.Contains(string(body), `"d"`) {
		t.Fatal("private key material published")
	}
	resp, err = http.Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

func TestRotateRetire(t *testing.T) {
	i, err := New(iss, aud)
	if err != nil {
		t.Fatal(err)
	}
	first := i.KeyID()
	if err := i.Retire(first); err == nil {
		t.Fatal("retired the current key")
	}
	second, err := i.Rotate()
	if err != nil || second == first || i.KeyID() != second {
		t.Fatalf("rotate: %v", err)
	}
	if !slices.Equal(i.KeyIDs(), []string{first, second}) {
		t.Fatalf("published %v", i.KeyIDs())
	}
	if err := i.Retire(first); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(i.KeyIDs(), []string{second}) {
		t.Fatalf("published after retire %v", i.KeyIDs())
	}
	if _, err := i.MintWithKey(first, officer, time.Hour); err == nil {
		t.Fatal("minted with a retired key")
	}
	if err := i.Retire("nope"); err == nil {
		t.Fatal("retired an unknown key")
	}
}

// TestSaveLoadKey: a second process loading the saved key mints tokens the
// first process's JWKS verifies.
func TestSaveLoadKey(t *testing.T) {
	now := fixedClock()
	demo, err := New(iss, aud, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo-signing-key.jwk")
	if err := demo.SaveKey(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	cli, err := LoadKey(path, iss, aud, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if cli.KeyID() != demo.KeyID() {
		t.Fatal("loaded key has another kid")
	}
	tok, err := cli.Mint(officer, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.NewStaticKeys(demo.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{Issuer: iss, Audience: aud}, keys, auth.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(context.Background(), tok); err != nil || p.Subject != "officer-1" {
		t.Fatalf("token from the loaded key: %v", err)
	}

	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKey(path, iss, aud); err == nil {
			t.Fatal("loaded a world-readable key file")
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.jwk")
	_ = os.WriteFile(bad, demo.JWKS(), 0o600)
	if _, err := LoadKey(bad, iss, aud); err == nil {
		t.Fatal("loaded a public key set as a signing key")
	}
	if _, err := LoadKey(filepath.Join(t.TempDir(), "missing"), iss, aud); err == nil {
		t.Fatal("loaded a missing file")
	}
	if _, err := New("", aud); err == nil {
		t.Fatal("issuer without URL")
	}
}
