package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/gateway"
	"github.com/vn-epidemic/hub/mocks/faults"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoPersonalDataInLogsOrErrors drives the whole hub — good and bad
// tokens, found and unknown citizens, a ministry down, bad input — and
// checks that no ID, name, birth date or phone of the people involved
// appears in the hub's log or in any error it returned.
func TestNoPersonalDataInLogsOrErrors(t *testing.T) {
	e := newEnv(t)
	var logs lockedBuffer
	h, err := gateway.Build(demoConfig("127.0.0.1:0", e.stack, e.iss), slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	srv := httptest.NewServer(h.Server.Handler())
	t.Cleanup(srv.Close)
	e.hub = srv

	i := e.showcase(t, "full record")
	p := e.pop.At(i)
	secrets := []string{p.ID, p.Name.Full(), p.Name.Given, p.BirthDate.String(), e.pop.Phone(i), "001199999999", "Trần Thị Bí Mật"}
	if p.OldID != "" {
		secrets = append(secrets, p.OldID)
	}
	var errs []string
	record := func(res gqlResponse) {
		for _, er := range res.Errors {
			errs = append(errs, fmt.Sprintf("%s %v", er.Message, er.Extensions))
		}
	}
	record(e.query(t, fmt.Sprintf(citizenQuery, p.ID), nil))
	record(e.query(t, `{ citizen(id: "001199999999") { identity { fullName } } }`, nil))
	record(e.query(t, `{ citizen(id: "00119999999X") { id } }`, nil))
	record(e.query(t, `query($i: VerifyIdentityInput!) { verifyIdentity(input: $i) { outcome } }`, map[string]any{
		"i": map[string]any{"id": p.ID, "fullName": "Trần Thị Bí Mật", "sex": "FEMALE", "birthDate": p.BirthDate.String()}}))
	record(e.query(t, `query($q: String!) { citizenByQR(payload: $q) { kind } }`, map[string]any{"q": p.ID + "|" + p.Name.Full() + "|garbage"}))
	record(e.queryAs(t, "not-a-token."+p.ID, fmt.Sprintf(citizenQuery, p.ID), nil))
	if err := e.stack.Faults(domain.UpstreamVaccination).SetProfile(faults.Profile{Outage: true}); err != nil {
		t.Fatal(err)
	}
	record(e.query(t, fmt.Sprintf(citizenQuery, p.ID), nil))
	_ = e.stack.Faults(domain.UpstreamVaccination).SetProfile(faults.Profile{})
	if len(errs) < 4 {
		t.Fatalf("the scenario produced too few errors to mean anything: %v", errs)
	}
	all := strings.Join(errs, "\n") + "\n" + logs.String()
	if !strings.Contains(logs.String(), `"msg":"request"`) {
		t.Fatal("no access log lines were captured")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(all, s) {
			t.Errorf("personal data %q in errors or logs:\n%s", s, all)
		}
	}
}
