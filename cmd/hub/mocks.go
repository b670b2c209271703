package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/mocks"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// populationFlags are the flags that fix a synthetic population.
type populationFlags struct {
	size *int64
	seed *uint64
}

func addPopulationFlags(fs *flag.FlagSet) populationFlags {
	return populationFlags{
		size: fs.Int64("size", 1_000_000, "number of synthetic citizens (up to 200,000,000; memory does not grow with it)"),
		seed: fs.Uint64("seed", 2021, "seed of the synthetic population"),
	}
}

// faultsFlag names a JSON file of initial fault profiles (see mocks.ParseFaults).
func addFaultsFlag(fs *flag.FlagSet) *string {
	return fs.String("faults", "", `JSON file of initial fault profiles per stand-in, e.g. {"vaccination":{"outage":true}}`)
}

func loadFaults(path string) (map[string]faults.Profile, error) {
	if path == "" {
		return map[string]faults.Profile{}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mocks.ParseFaults(f)
}

// build makes the population. Its "now" is the current hour, so recent
// passages and declarations are recent when the demo runs.
func (p populationFlags) build() (*synth.Population, error) {
	if *p.size < 1 || *p.size > synth.MaxSize {
		return nil, fmt.Errorf("--size must be between 1 and %d", synth.MaxSize)
	}
	dir, err := adminunit.Default()
	if err != nil {
		return nil, err
	}
	return synth.New(synth.Config{Seed: *p.seed, Size: *p.size, Epoch: time.Now().Truncate(time.Hour)}, dir)
}

// runMocks runs the stand-ins alone, on fixed ports, until interrupted.
func runMocks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mocks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "127.0.0.1", "host to listen on")
	port := fs.Int("port", 9100, "base port: stand-ins listen on port+1 … port+4 (0 = random ports)")
	pf := addPopulationFlags(fs)
	faultsPath := addFaultsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	profiles, err := loadFaults(*faultsPath)
	if err != nil {
		return err
	}
	pop, err := pf.build()
	if err != nil {
		return err
	}
	stack, err := mocks.Start(mocks.Options{Population: pop, Host: *host, BasePort: *port, Faults: profiles, FaultSeed: *pf.seed})
	if err != nil {
		return err
	}
	printStandIns(stdout, stack)
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return stack.Close(shutdownCtx)
}
