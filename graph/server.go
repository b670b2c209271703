package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vn-epidemic/hub/graph/generated"
)

// ServerOptions tune the GraphQL HTTP handler. The zero value is a
// production-safe default: introspection off (and with it the "Did you mean"
// hints), every limit at its Default…, query cache on, APQ off. For the
// limits, 0 means the default and a negative value disables the limit (tests
// and tools only: the config accepts positive values).
type ServerOptions struct {
	// Introspection enables __schema/__type queries (development, schema
	// tooling) and validation errors' field suggestions.
	Introspection bool
	// QueryCacheSize is how many parsed and validated documents are kept
	// (LRU); 0 means 1000, negative disables the cache.
	QueryCacheSize int
	// APQCacheSize enables automatic persisted queries with an LRU of this
	// many queries; 0 disables APQ.
	APQCacheSize int
	// ComplexityLimit refuses operations whose estimated cost exceeds it:
	// each field counts 1, lists multiply their items' cost by the page size
	// asked for or an estimate (see listSizes). 0 means DefaultComplexityLimit.
	ComplexityLimit int
	// MaxDepth refuses operations nesting fields deeper than this, fragments
	// expanded (a root field is depth 1). 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxAliases refuses operations with more aliased fields than this,
	// fragments expanded. 0 means DefaultMaxAliases.
	MaxAliases int
	// MaxRootFields refuses operations selecting more root fields than this.
	// 0 means DefaultMaxRootFields.
	MaxRootFields int
	// ParserTokenLimit refuses documents of more lexical tokens than this
	// before they are parsed further. 0 means DefaultParserTokenLimit.
	ParserTokenLimit int
	// MaxBodyBytes refuses POST bodies larger than this with 413. 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives internal errors and recovered panics, without their
	// text or value (which may carry personal data). Nil logs nothing.
	Logger *slog.Logger
}

const defaultQueryCacheSize = 1000

// orDefault resolves a limit: 0 is the default, negative is off (0 here).
func orDefault[T int | int64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// NewServer returns the GraphQL handler over res, to be mounted at /graphql.
// It accepts POST with application/json (one operation per body) and GET for
// queries only with the CSRF header (see csrf.go); everything else is refused
// with a coded error. Every operation is checked against the limits before
// any resolver runs and gets its own dataloaders; every error goes through
// the one presenter that assigns the documented codes; panics become
// INTERNAL_SERVER_ERROR without detail.
func NewServer(res *Resolver, opts ServerOptions) *handler.Server {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: res}))
	srv.AddTransport(getTransport{})
	srv.AddTransport(postTransport{maxBodyBytes: orDefault(opts.MaxBodyBytes, DefaultMaxBodyBytes)})
	srv.AddTransport(refuseTransport{})

	if opts.QueryCacheSize >= 0 {
		size := opts.QueryCacheSize
		if size == 0 {
			size = defaultQueryCacheSize
		}
		srv.SetQueryCache(lru.New[*ast.QueryDocument](size))
	}
	srv.SetParserTokenLimit(orDefault(opts.ParserTokenLimit, DefaultParserTokenLimit))
	if !opts.Introspection {
		// Suggestions name fields and types: the schema, piece by piece.
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
	srv.Use(operationLimits{
		maxDepth:      orDefault(opts.MaxDepth, DefaultMaxDepth),
		maxComplexity: orDefault(opts.ComplexityLimit, DefaultComplexityLimit),
		maxAliases:    orDefault(opts.MaxAliases, DefaultMaxAliases),
		maxRootFields: orDefault(opts.MaxRootFields, DefaultMaxRootFields),
		introspection: opts.Introspection,
	})
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	if opts.APQCacheSize > 0 {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opts.APQCacheSize)})
	}

	p := Presenter{Logger: opts.Logger}
	srv.SetErrorPresenter(p.Present)
	srv.SetRecoverFunc(p.Recover)

	// Loaders live exactly as long as one operation: batching and caching
	// never cross requests (nor principals).
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(res.WithLoaders(ctx))
	})
	// Access control: operations, then every personal field (access.go).
	srv.AroundFields(res.enforce)
	return srv
}
