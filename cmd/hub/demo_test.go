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
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"demo", "--addr", "127.0.0.1:0", "--size", "20000"}, extra...)
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
	resp, err := http.Post(hubURL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"fullName"`) || strings.Contains(string(b), `"errors"`) {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
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
}

func TestDemoStartsWithFaultProfiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(path, []byte(`{"vaccination":{"outage":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hubURL, banner := startDemo(t, "--faults", path)
	id := regexp.MustCompile(`(?m)^  (\d{12})  \(`).FindStringSubmatch(banner)
	body := `{"query":"{ citizen(id: \"` + id[1] + `\") { identity { fullName } vaccination { status } } }"}`
	resp, err := http.Post(hubURL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
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
