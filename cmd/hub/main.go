// Command hub is the GraphQL federation hub over the ministries' systems.
//
//	hub demo   [--addr 127.0.0.1:8080] [--size N] [--seed N]   hub + stand-ins + synthetic population, one process
//	hub serve  --config hub.yaml                              the hub against real upstreams
//	hub mocks  [--host 127.0.0.1] [--port 9100] [--size N]     the ministry stand-ins alone
//	hub token  --role R --purpose P [--locality codes]         a token from the running demo's identity provider
//	hub version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ()); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hub:", err)
		}
		os.Exit(2)
	}
}

const usage = `hub — one GraphQL schema over the ministries' systems

Usage:
  hub demo   [--addr 127.0.0.1:8080] [--size 1000000] [--seed 2021]
             [--upstream-latency 20ms] [--faults faults.json]
             the hub, a stand-in for every ministry system and a synthetic
             population, in one process on 127.0.0.1
  hub serve  --config hub.yaml
             the hub against the real upstreams named in the config file
  hub mocks  [--host 127.0.0.1] [--port 9100] [--size 1000000] [--seed 2021]
             [--faults faults.json]
             the ministry stand-ins alone (ports port+1 … port+4)
  hub token  --role commune_official --purpose epidemic_control
             [--locality 01,00024] [--sub officer-1] [--cid ID] [--ttl 1h]
             a token signed by the running demo's identity provider
  hub version
`

// run dispatches a subcommand; it is main without the process exits, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr, logger)
	case "serve":
		return runServe(ctx, args[1:], stderr, env, logger)
	case "mocks":
		return runMocks(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hub", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
