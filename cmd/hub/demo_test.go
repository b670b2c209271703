package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDemo runs `hub demo` in-process on a random port and returns the
// hub's URL and everything the demo printed.
func startDemo(t *testing.T, extra ...string) (hubURL, banner string) {
	t.Helper()
	return startDemoWithState(t, filepath.Join(t.TempDir(), "issuer.json"), extra...)
}

func startDemoWithState(t *testing.T, state string, extra ...string) (hubURL, banner string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"demo", "--addr", "127.0.0.1:0", "--size", "20000", "--issuer-state", state}, extra...)
		done <- run(ctx, args, pw, io.Discard, nil)
		_ = pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo exited with %v", err)
		}
	})
	var b strings.Builder
	sc := bufio.NewScanner(pr)
	hubLine := regexp.MustCompile(`^Hub:\s+(http://\S+)/graphql`)
	for sc.Scan() {
		line := sc.Text()
		b.WriteString(line + "\n")
		if m := hubLine.FindStringSubmatch(line); m != nil {
			hubURL = m[1]
		}
		if strings.HasPrefix(line, "curl ") {
			break // the banner ends with the curl example
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if hubURL == "" {
		t.Fatalf("demo printed no hub URL:\n%s", b.String())
	}
	return hubURL, b.String()
}

// bannerToken is the token the demo printed for role.
func bannerToken(t *testing.T, banner, role string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + role + ` .*\n    (\S+)$`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner has no %s token:\n%s", role, banner)
	}
	return m[1]
}

func TestDemoPrintsWhatAUserNeedsAndServes(t *testing.T) {
	hubURL, banner := startDemo(t)
	for _, want := range []string{"population", "vaccination", "insurance", "checkpoint", "chip-card QR:", "citizen(id:", "arrivals(", "coverage("} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	id := regexp.MustCompile(`(?m)^  (\d{12})  \(`).FindStringSubmatch(banner)
	if id == nil {
		t.Fatalf("banner shows no citizen ID:\n%s", banner)
	}
	body := `{"query":"{ citizen(id: \"` + id[1] + `\") { identity { fullName } vaccination { status } insurance { validToday } } }"}`
	b := postAs(t, hubURL, bannerToken(t, banner, explorerRole), body)
	if !strings.Contains(string(b), `"fullName"`) || strings.Contains(string(b), `"errors"`) {
		t.Fatalf("query: %s", b)
	}
	if b := postAs(t, hubURL, "", body); !strings.Contains(string(b), "UNAUTHENTICATED") {
		t.Fatalf("demo answered without a token: %s", b)
	}
	for _, path := range []string{"/healthz", "/readyz?strict=1", "/"} {
		resp, err := http.Get(hubURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
}

// TestExplorerRendersInChromium loads the explorer in a real headless browser
// and checks that GraphiQL rendered from the binary's own assets.
func TestExplorerRendersInChromium(t *testing.T) {
	browser := os.Getenv("HUB_TEST_CHROMIUM")
	if browser == "" {
		if p, err := exec.LookPath("chromium"); err == nil {
			browser = p
		}
	}
	if browser == "" {
		t.Skip("no chromium: install Debian's chromium (apt-get install chromium) or set HUB_TEST_CHROMIUM to run this test; .ci/run does")
	}
	hubURL, _ := startDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", hubURL+"/")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	if !strings.Contains(dom, "graphiql-container") {
		t.Fatalf("GraphiQL did not render; DOM starts:\n%.2000s", dom)
	}
	if strings.Contains(dom, "Loading the explorer") {
		t.Fatal("explorer placeholder still shown")
	}
	if !strings.Contains(dom, "Authorization") {
		t.Fatal("the demo explorer's headers editor does not hold the demo token")
	}
}

func TestDemoStartsWithFaultProfiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(path, []byte(`{"vaccination":{"outage":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hubURL, banner := startDemo(t, "--faults", path)
	id := regexp.MustCompile(`(?m)^  (\d{12})  \(`).FindStringSubmatch(banner)
	body := `{"query":"{ citizen(id: \"` + id[1] + `\") { identity { fullName } vaccination { status } } }"}`
	b := postAs(t, hubURL, bannerToken(t, banner, explorerRole), body)
	if !strings.Contains(string(b), `"vaccination":null`) || !strings.Contains(string(b), `"upstream":"vaccination"`) ||
		!strings.Contains(string(b), `"fullName"`) {
		t.Fatalf("want partial data with the vaccination platform down: %s", b)
	}
}

func TestCommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(bad, []byte(`{"tax":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"launch"}, `unknown command "launch"`},
		{[]string{"serve"}, "--config is required"},
		{[]string{"serve", "--config", filepath.Join(t.TempDir(), "missing.yaml")}, "no such file"},
		{[]string{"demo", "--faults", bad}, `unknown stand-in "tax"`},
		{[]string{"demo", "--size", "0"}, "size"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, &out, io.Discard, nil); err != nil || !strings.HasPrefix(out.String(), "hub ") {
		t.Errorf("version: %q %v", out.String(), err)
	}
}

// TestTokenCommandMintsForTheRunningDemo: `hub token` signs with the key the
// running demo left, and the hub accepts it within the role's locality.
func TestTokenCommandMintsForTheRunningDemo(t *testing.T) {
	state := filepath.Join(t.TempDir(), "issuer.json")
	hubURL, banner := startDemoWithState(t, state)
	m := regexp.MustCompile(`--locality (\d{5})`).FindStringSubmatch(banner)
	id := regexp.MustCompile(`(?m)^  (\d{12})  \(`).FindStringSubmatch(banner)
	if m == nil || id == nil {
		t.Fatalf("banner:\n%s", banner)
	}
	var out strings.Builder
	err := run(context.Background(), []string{"token", "--state", state, "--role", "commune_official",
		"--purpose", "epidemic_control", "--locality", m[1], "--sub", "officer-7"}, &out, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	body := `{"query":"{ citizen(id: \"` + id[1] + `\") { identity { fullName } } }"}`
	if b := postAs(t, hubURL, token, body); !strings.Contains(string(b), `"fullName"`) {
		t.Fatalf("commune official of the citizen's commune: %s", b)
	}
	for _, args := range [][]string{
		{"token", "--state", state},
		{"token", "--state", state, "--role", "x", "--locality", "123"},
		{"token", "--state", filepath.Join(t.TempDir(), "none.json"), "--role", "x"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard, nil); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
