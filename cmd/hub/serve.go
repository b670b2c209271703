package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/vn-epidemic/hub/gateway"
)

// runServe runs the hub against the real upstreams named in the config file.
func runServe(ctx context.Context, args []string, stderr io.Writer, env []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to hub.yaml (see hub.example.yaml)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		fs.Usage()
		return errors.New("serve: --config is required")
	}
	cfg, err := gateway.LoadConfig(*path, env)
	if err != nil {
		return err
	}
	hub, err := gateway.Build(cfg, logger)
	if err != nil {
		return err
	}
	defer hub.Close()
	// A wrong jwksUrl should show now, not on the first request; the hub
	// still starts (the provider may come up later) and retries on demand.
	refreshCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := hub.RefreshKeys(refreshCtx); err != nil {
		logger.Warn("identity provider's key set not loaded at start; requests will retry", "error", err.Error())
	}
	cancel()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("hub serving", "addr", ln.Addr().String())
	return hub.Server.Serve(ctx, ln)
}
