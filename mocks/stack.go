// Package mocks runs the stand-ins for every ministry system together, on
// real TCP listeners, over one synthetic population: for `hub demo`,
// `hub mocks` and end-to-end tests. Each stand-in lives in its own
// subpackage and imitates its real system; this package only starts and
// stops them. It knows nothing of the hub.
package mocks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/checkpoint"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/insurance"
	"github.com/vn-epidemic/hub/mocks/population"
	"github.com/vn-epidemic/hub/mocks/synth"
	"github.com/vn-epidemic/hub/mocks/vaccination"
)

// Names of the stand-ins, the same as the hub's upstream names.
var Names = []string{domain.UpstreamPopulation, domain.UpstreamVaccination, domain.UpstreamInsurance, domain.UpstreamCheckpoint}

// Options configure a Stack.
type Options struct {
	Population *synth.Population
	// Host to listen on; default 127.0.0.1.
	Host string
	// BasePort: 0 gives every stand-in a random free port; otherwise they
	// listen on BasePort+1 (population) … BasePort+4 (checkpoint).
	BasePort int
	// Faults sets each stand-in's initial fault profile, by name.
	Faults map[string]faults.Profile
	// FaultSeed makes fault injection reproducible.
	FaultSeed uint64
}

// Stack is the running stand-ins.
type Stack struct {
	Population  *population.Server
	Vaccination *vaccination.Server
	Insurance   *insurance.Server
	Checkpoint  *checkpoint.Server

	urls    map[string]string
	servers []*http.Server
	done    []chan error
}

// Start builds every stand-in and starts serving. Close stops them.
func Start(opts Options) (*Stack, error) {
	if opts.Population == nil {
		return nil, errors.New("mocks: no population")
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	var (
		st  = &Stack{urls: map[string]string{}}
		err error
	)
	st.Population, err = population.New(population.Config{Population: opts.Population,
		Faults: opts.Faults[domain.UpstreamPopulation], FaultSeed: opts.FaultSeed + 1})
	if err != nil {
		return nil, fmt.Errorf("mocks: population: %w", err)
	}
	st.Vaccination, err = vaccination.New(vaccination.Config{Population: opts.Population,
		Faults: opts.Faults[domain.UpstreamVaccination], FaultSeed: opts.FaultSeed + 2})
	if err != nil {
		return nil, fmt.Errorf("mocks: vaccination: %w", err)
	}
	st.Insurance, err = insurance.New(insurance.Config{Population: opts.Population,
		Faults: opts.Faults[domain.UpstreamInsurance], FaultSeed: opts.FaultSeed + 3})
	if err != nil {
		return nil, fmt.Errorf("mocks: insurance: %w", err)
	}
	st.Checkpoint, err = checkpoint.New(checkpoint.Config{Population: opts.Population,
		Faults: opts.Faults[domain.UpstreamCheckpoint], FaultSeed: opts.FaultSeed + 4})
	if err != nil {
		return nil, fmt.Errorf("mocks: checkpoint: %w", err)
	}
	handlers := []http.Handler{st.Population.Handler(), st.Vaccination.Handler(), st.Insurance.Handler(), st.Checkpoint.Handler()}
	for i, name := range Names {
		port := 0
		if opts.BasePort != 0 {
			port = opts.BasePort + i + 1
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(opts.Host, strconv.Itoa(port)))
		if err != nil {
			_ = st.Close(context.Background())
			return nil, fmt.Errorf("mocks: %s: %w", name, err)
		}
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		st.servers = append(st.servers, srv)
		st.done = append(st.done, done)
		st.urls[name] = "http://" + ln.Addr().String()
	}
	return st, nil
}

// URL is the base URL of the named stand-in.
func (s *Stack) URL(name string) string { return s.urls[name] }

// Faults is the fault injector (and request counter) of the named stand-in.
func (s *Stack) Faults(name string) *faults.Injector {
	switch name {
	case domain.UpstreamPopulation:
		return s.Population.Faults()
	case domain.UpstreamVaccination:
		return s.Vaccination.Faults()
	case domain.UpstreamInsurance:
		return s.Insurance.Faults()
	case domain.UpstreamCheckpoint:
		return s.Checkpoint.Faults()
	}
	return nil
}

// Close stops every stand-in, waiting for in-flight requests until ctx ends.
func (s *Stack) Close(ctx context.Context) error {
	var errs []error
	for i, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
			errs = append(errs, err)
		}
		if err := <-s.done[i]; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ParseFaults reads initial fault profiles from JSON, one per stand-in name:
//
//	{"vaccination": {"latencyMedian": "20ms", "latencyP99": "200ms", "errorRate": 0.01},
//	 "population":  {"rateLimit": 50, "rateBurst": 10}}
//
// Fields are those of faults.Profile (and of PUT /_control/faults).
func ParseFaults(r io.Reader) (map[string]faults.Profile, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	var raw map[string]faults.Profile
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("mocks: fault profiles: %w", err)
	}
	for name, p := range raw {
		if !slices.Contains(Names, name) {
			return nil, fmt.Errorf("mocks: fault profiles: unknown stand-in %q (want one of %v)", name, Names)
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("mocks: fault profile for %s: %w", name, err)
		}
	}
	return raw, nil
}
