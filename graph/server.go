package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vn-epidemic/hub/graph/generated"
)

// ServerOptions tune the GraphQL HTTP handler. The zero value is a
// production-safe default: introspection off, query cache on, APQ off.
type ServerOptions struct {
	// Introspection enables __schema/__type queries (development, schema tooling).
	Introspection bool
	// QueryCacheSize is how many parsed and validated documents are kept
	// (LRU); 0 means 1000, negative disables the cache.
	QueryCacheSize int
	// APQCacheSize enables automatic persisted queries with an LRU of this
	// many queries; 0 disables APQ.
	APQCacheSize int
	// ComplexityLimit refuses documents above this complexity (each field
	// counts 1, nested selections add up); 0 means 2000, negative disables.
	ComplexityLimit int
	// Logger receives internal errors and recovered panics, without their
	// text or value (which may carry personal data). Nil logs nothing.
	Logger *slog.Logger
}

const (
	defaultQueryCacheSize  = 1000
	defaultComplexityLimit = 2000
)

// NewServer returns the GraphQL handler over res, to be mounted at /graphql:
// POST with application/json, and GET for queries only (gqlgen refuses
// mutations over GET with 406). Every operation gets its own dataloaders;
// every error goes through the one presenter that assigns the documented
// codes; panics become INTERNAL_SERVER_ERROR without detail.
func NewServer(res *Resolver, opts ServerOptions) *handler.Server {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: res}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	if opts.QueryCacheSize >= 0 {
		size := opts.QueryCacheSize
		if size == 0 {
			size = defaultQueryCacheSize
		}
		srv.SetQueryCache(lru.New[*ast.QueryDocument](size))
	}
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	if opts.APQCacheSize > 0 {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opts.APQCacheSize)})
	}
	if opts.ComplexityLimit >= 0 {
		limit := opts.ComplexityLimit
		if limit == 0 {
			limit = defaultComplexityLimit
		}
		srv.Use(extension.FixedComplexityLimit(limit))
	}

	p := Presenter{Logger: opts.Logger}
	srv.SetErrorPresenter(p.Present)
	srv.SetRecoverFunc(p.Recover)

	// Loaders live exactly as long as one operation: batching and caching
	// never cross requests (nor principals).
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(res.WithLoaders(ctx))
	})
	return srv
}
