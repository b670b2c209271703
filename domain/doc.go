// Package domain holds the hub's own vocabulary: people, doses, insurance cards,
// declarations, passages, zones, feedback and counts, plus the typed errors every
// upstream adapter returns. It knows nothing of GraphQL, HTTP or any ministry's
// wire format; adapters translate into these types and the graph reads them.
package domain
