package mocks

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		check             func(map[string]faults.Profile) bool
	}{
		{"latency", `{"vaccination":{"latencyMedian":"20ms","latencyP99":"200ms"}}`, "", func(m map[string]faults.Profile) bool {
			return time.Duration(m["vaccination"].LatencyP99) == 200*time.Millisecond
		}},
		{"outage and rate", `{"population":{"outage":true},"insurance":{"rateLimit":5,"rateBurst":2}}`, "", func(m map[string]faults.Profile) bool {
			return m["population"].Outage && m["insurance"].RateLimit == 5
		}},
		{"unknown stand-in", `{"tax":{}}`, `unknown stand-in "tax"`, nil},
		{"unknown field", `{"population":{"outrage":true}}`, "unknown field", nil},
		{"invalid rate", `{"checkpoint":{"errorRate":2}}`, "errorRate", nil},
		{"bad duration", `{"checkpoint":{"hangFor":"soon"}}`, "duration", nil},
		{"not json", `population: {}`, "fault profiles", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseFaults(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(m) {
				t.Fatalf("got %+v, %v", m, err)
			}
		})
	}
}

func FuzzParseFaults(f *testing.F) {
	f.Add(`{"vaccination":{"latencyMedian":"20ms","errorRate":0.5}}`)
	f.Add(`{"population":{"rateLimit":-1}}`)
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseFaults(strings.NewReader(in))
		if err != nil {
			return
		}
		for name, p := range m {
			if p.Validate() != nil {
				t.Fatalf("accepted an invalid profile for %s", name)
			}
		}
	})
}

// TestStackStartsEveryStandInWithItsProfile runs the four stand-ins on real
// listeners and reads each one's profile back through its control endpoint.
func TestStackStartsEveryStandInWithItsProfile(t *testing.T) {
	dir, err := adminunit.Default()
	if err != nil {
		t.Fatal(err)
	}
	pop, err := synth.New(synth.Config{Seed: 3, Size: 5_000}, dir)
	if err != nil {
		t.Fatal(err)
	}
	profiles := map[string]faults.Profile{domain.UpstreamInsurance: {Outage: true}}
	st, err := Start(Options{Population: pop, Faults: profiles})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := st.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	for _, name := range Names {
		resp, err := http.Get(st.URL(name) + faults.ControlPrefix + "faults")
		if err != nil {
			t.Fatal(err)
		}
		var p faults.Profile
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Outage != (name == domain.UpstreamInsurance) || st.Faults(name) == nil {
			t.Errorf("%s: profile %+v", name, p)
		}
	}
}
