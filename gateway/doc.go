// Package gateway wires the hub together and serves it: it reads the one
// config file, builds an adapter per ministry system, hands them to the graph,
// and serves /graphql, the explorer at /, /healthz and /readyz with graceful
// shutdown. It knows no ministry's wire format (the adapters do) and no
// resolver logic (the graph does).
package gateway
