package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/loader"
)

// Error codes: the one documented set of extensions.code values (also in
// docs/errors.md and the schema's description of Query).
const (
	CodeBadUserInput        = "BAD_USER_INPUT"
	CodeNotFound            = "NOT_FOUND"
	CodeIdentityNotVerified = "IDENTITY_NOT_VERIFIED"
	CodeForbidden           = "FORBIDDEN"
	CodeUnauthenticated     = "UNAUTHENTICATED"
	CodeRateLimited         = "RATE_LIMITED"
	CodeUpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	CodeUpstreamTimeout     = "UPSTREAM_TIMEOUT"
	CodeUpstreamRejected    = "UPSTREAM_REJECTED"
	CodeUpstreamBadData     = "UPSTREAM_BAD_DATA"
	CodeUpstreamRateLimited = "UPSTREAM_RATE_LIMITED"
	CodeInternal            = "INTERNAL_SERVER_ERROR"
	CodeParseFailed         = "GRAPHQL_PARSE_FAILED"      // set by gqlgen
	CodeValidationFailed    = "GRAPHQL_VALIDATION_FAILED" // set by gqlgen
	internalMessage         = "internal server error"
	// Codes gqlgen's extensions set: the APQ protocol's signal to resend the
	// query (passed through, only with APQ on), and the complexity limit
	// (reported as GRAPHQL_VALIDATION_FAILED).
	codePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	codeComplexityLimit        = "COMPLEXITY_LIMIT_EXCEEDED"
	// msgIntrospectionDisabled is gqlgen's error for __schema/__type with
	// introspection off; reported as GRAPHQL_VALIDATION_FAILED.
	msgIntrospectionDisabled = "introspection disabled"
	// gqlgen's POST transport errors for unreadable bodies; reported as
	// GRAPHQL_PARSE_FAILED without gqlgen's text, which quotes the body.
	msgBodyNotJSON            = "json request body could not be decoded"
	msgBodyUnreadable         = "could not read request body"
	extCode, extField         = "code", "field"
	extUpstream, extRetry     = "upstream", "retryAfterSeconds"
	extOutcome, extMismatched = "outcome", "mismatchedFields"
)

// Errors the access-control and rate-limiting layers return (from resolvers,
// directives or field middleware) to get their documented codes.
var (
	ErrUnauthenticated = errors.New("not authenticated")
	ErrForbidden       = errors.New("not allowed")
)

// RateLimitedError refuses a request because the caller exceeded the hub's
// own rate limit (RATE_LIMITED, with retryAfterSeconds when RetryAfter > 0).
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string { return "too many requests" }

// NotFoundError says the thing asked for does not exist (NOT_FOUND). What
// is a noun like "citizen", never an identifier.
type NotFoundError struct {
	What string
}

func (e *NotFoundError) Error() string { return e.What + " not found" }

// IdentityNotVerifiedError refuses a write whose identity fields did not
// MATCH the population database (IDENTITY_NOT_VERIFIED).
type IdentityNotVerifiedError struct {
	Outcome    domain.VerifyOutcome
	Mismatched []domain.IdentityField
}

func (e *IdentityNotVerifiedError) Error() string {
	return "identity not verified against the population database"
}

// Presenter turns any error into the response error with a documented code.
// Its messages never contain personal data: known errors get fixed phrases,
// unknown ones a generic message (their text could carry anything).
type Presenter struct {
	Logger *slog.Logger // optional; gets internal errors without their text
}

// Present is a graphql.ErrorPresenterFunc.
func (p Presenter) Present(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if !errors.As(err, &gqlErr) {
		gqlErr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
	}
	out := &gqlerror.Error{Path: gqlErr.Path, Locations: gqlErr.Locations}
	cause := gqlErr.Err
	if cause == nil {
		// Errors gqlgen builds itself: parse and validation errors carry their
		// code; anything else (e.g. a non-null violation) is our bug.
		switch code, _ := gqlErr.Extensions[extCode].(string); code {
		case CodeParseFailed, CodeValidationFailed:
			return redactProtocolError(gqlErr, code)
		case codePersistedQueryNotFound:
			return gqlErr
		case codeComplexityLimit:
			// Too complex is a validation failure in our one set of codes.
			return redactProtocolError(gqlErr, CodeValidationFailed)
		}
		cause = errors.New(gqlErr.Message)
	}
	if msg := cause.Error(); strings.HasPrefix(msg, msgBodyNotJSON) || strings.HasPrefix(msg, msgBodyUnreadable) {
		// gqlgen's own text echoes the body, which may carry personal data.
		out.Message, out.Extensions = "the request body is not a readable GraphQL request", map[string]any{extCode: CodeParseFailed}
		return out
	}
	if cause.Error() == msgIntrospectionDisabled {
		out.Message, out.Extensions = "introspection is disabled", map[string]any{extCode: CodeValidationFailed}
		return out
	}
	out.Message, out.Extensions = p.classify(ctx, cause)
	return out
}

// redactProtocolError keeps a parse or validation error's position and shape
// but not the values it quotes: gqlparser's messages echo tokens and variable
// values from the document, which may be personal data.
func redactProtocolError(e *gqlerror.Error, code string) *gqlerror.Error {
	out := &gqlerror.Error{Path: e.Path, Locations: e.Locations, Rule: e.Rule, Extensions: map[string]any{extCode: code}}
	switch {
	case strings.HasPrefix(e.Message, "operation ") && strings.HasSuffix(e.Message, " not found"):
		// gqlgen quotes the client's operationName unescaped.
		out.Message = "the document has no operation of the requested operationName"
	case e.Rule == "ValuesOfCorrectType":
		out.Message = "a value does not fit the type of its argument or input field"
	case len(e.Path) > 0 && e.Path[0] == ast.PathName("variable"):
		out.Message = "a variable's value does not fit its declared type"
	default:
		out.Message = quoted.ReplaceAllString(e.Message, `"…"`)
	}
	return out
}

// quoted matches the double-quoted tokens gqlparser puts in its messages.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func (p Presenter) classify(ctx context.Context, err error) (string, map[string]any) {
	var (
		inputErr    *domain.InputError
		notFound    *NotFoundError
		notVerified *IdentityNotVerifiedError
		rateLimited *RateLimitedError
		accessErr   *AccessError
		upErr       *domain.UpstreamError
	)
	switch {
	case errors.As(err, &inputErr):
		return inputErr.Error(), map[string]any{extCode: CodeBadUserInput, extField: inputErr.Field}
	case errors.As(err, &notVerified):
		fields := make([]string, len(notVerified.Mismatched))
		for i, f := range notVerified.Mismatched {
			fields[i] = string(f)
		}
		return notVerified.Error(), map[string]any{
			extCode: CodeIdentityNotVerified, extOutcome: string(notVerified.Outcome), extMismatched: fields,
		}
	case errors.As(err, &notFound):
		return notFound.Error(), map[string]any{extCode: CodeNotFound}
	case errors.Is(err, ErrUnauthenticated):
		return "authentication required", map[string]any{extCode: CodeUnauthenticated}
	case errors.As(err, &accessErr):
		return accessErr.Error(), map[string]any{extCode: CodeForbidden, extReason: accessErr.Reason}
	case errors.Is(err, ErrForbidden):
		return "not allowed", map[string]any{extCode: CodeForbidden}
	case errors.As(err, &rateLimited):
		ext := map[string]any{extCode: CodeRateLimited}
		addRetry(ext, rateLimited.RetryAfter)
		return "too many requests", ext
	case errors.As(err, &upErr):
		return upstreamError(upErr.Upstream, upErr.Kind, upErr.RetryAfter)
	case errors.Is(err, loader.ErrMisaligned):
		p.logInternal(ctx, "upstream batch misaligned")
		return internalMessage, map[string]any{extCode: CodeInternal}
	case errors.Is(err, errPanic), errors.Is(err, loader.ErrPanic):
		return internalMessage, map[string]any{extCode: CodeInternal}
	case errors.Is(err, context.DeadlineExceeded):
		return "the request ran out of time", map[string]any{extCode: CodeUpstreamTimeout}
	case errors.Is(err, context.Canceled):
		return "the request was cancelled", map[string]any{extCode: CodeInternal}
	}
	// A bare domain sentinel without an *UpstreamError (should not happen,
	// adapters always wrap) still gets its code, without an upstream name.
	for _, k := range upstreamKinds {
		if errors.Is(err, k.kind) {
			return upstreamError("", k.kind, 0)
		}
	}
	p.logInternal(ctx, "unclassified error")
	return internalMessage, map[string]any{extCode: CodeInternal}
}

var upstreamKinds = []struct {
	kind    error
	code    string
	message string
}{
	{domain.ErrNotFound, CodeNotFound, "not found"},
	{domain.ErrUnavailable, CodeUpstreamUnavailable, "is unavailable"},
	{domain.ErrTimeout, CodeUpstreamTimeout, "did not answer in time"},
	{domain.ErrRejected, CodeUpstreamRejected, "rejected the request"},
	{domain.ErrBadUpstreamData, CodeUpstreamBadData, "answered with unusable data"},
	{domain.ErrRateLimited, CodeUpstreamRateLimited, "is rate limiting the hub"},
}

var upstreamTitles = map[string]string{
	domain.UpstreamPopulation:  "the population database",
	domain.UpstreamVaccination: "the vaccination platform",
	domain.UpstreamInsurance:   "the health insurance system",
	domain.UpstreamCheckpoint:  "the checkpoint system",
}

func upstreamError(upstream string, kind error, retryAfter time.Duration) (string, map[string]any) {
	title, ok := upstreamTitles[upstream]
	if !ok {
		title, upstream = "an upstream system", ""
	}
	for _, k := range upstreamKinds {
		if errors.Is(kind, k.kind) {
			ext := map[string]any{extCode: k.code}
			if upstream != "" {
				ext[extUpstream] = upstream
			}
			addRetry(ext, retryAfter)
			if k.code == CodeNotFound {
				return "not found in " + title, ext
			}
			return title + " " + k.message, ext
		}
	}
	ext := map[string]any{extCode: CodeUpstreamUnavailable}
	if upstream != "" {
		ext[extUpstream] = upstream
	}
	return title + " failed", ext
}

func addRetry(ext map[string]any, d time.Duration) {
	if d > 0 {
		ext[extRetry] = int(math.Ceil(d.Seconds()))
	}
}

func (p Presenter) logInternal(ctx context.Context, what string) {
	if p.Logger == nil {
		return
	}
	// The error's text is deliberately not logged: it may carry personal data.
	p.Logger.LogAttrs(ctx, slog.LevelError, "graph: "+what, slog.String("path", graphql.GetPath(ctx).String()))
}

// errPanic is what a recovered panic becomes; its value is never shown or logged.
var errPanic = errors.New("panic in resolver")

// Recover is a graphql.RecoverFunc: the panic value and stack stay out of
// the response and the log (they may carry personal data).
func (p Presenter) Recover(ctx context.Context, _ any) error {
	if p.Logger != nil {
		p.Logger.LogAttrs(ctx, slog.LevelError, "graph: panic recovered", slog.String("path", graphql.GetPath(ctx).String()))
	}
	return errPanic
}

// inputErr is a BAD_USER_INPUT for field (named like the scalars name theirs,
// see model.InputPath: "input.birthDate").
func inputErr(field, reason string) error {
	return &domain.InputError{Field: field, Reason: reason}
}
