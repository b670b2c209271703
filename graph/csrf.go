package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The HTTP side of /graphql. Only two request shapes are accepted:
//
//   - POST with Content-Type: application/json, one operation per body (a
//     JSON array, i.e. a batch, is refused);
//   - GET, for queries only, carrying the CSRF header.
//
// Why: a browser sends a cross-site "simple" request (GET, or POST with
// text/plain, application/x-www-form-urlencoded or multipart/form-data)
// without asking the server first. application/json and any custom header
// make the request non-simple, so a browser must first ask with a CORS
// preflight, which the hub never approves. Form, multipart, websocket and
// application/graphql transports are therefore not registered at all.
//
// These refusals happen before a document is parsed, so they are written
// here rather than by the presenter, in the same shape: a fixed message and
// extensions.code BAD_USER_INPUT (without `field`; the request as a whole is
// at fault), never any of the request's content.
const (
	// CSRFHeader must be present, with any non-empty value, on GET requests.
	CSRFHeader = "X-Hub-CSRF"
	// apolloPreflightHeader is Apollo Client's equivalent, accepted as well.
	apolloPreflightHeader = "Apollo-Require-Preflight"

	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Fixed messages of the transport's refusals (also in docs/errors.md).
const (
	msgNotJSON        = "a POST to /graphql must have Content-Type: application/json"
	msgNoCSRFHeader   = "a GET to /graphql must carry the " + CSRFHeader + " header (any value); or use POST with application/json"
	msgBadMethod      = "only POST with application/json, and GET for queries, are accepted"
	msgBatch          = "batched requests are not supported: send one operation per request"
	msgGETMutation    = "GET only runs queries: send mutations with POST"
	msgBodyNotRequest = "the request body is not a readable GraphQL request"
	msgQueryString    = "the query string is not a readable GraphQL request"
	msgOperationName  = "operationName must be the name of an operation in the document"
)

type postTransport struct {
	maxBodyBytes int64 // <= 0: unbounded (the gateway bounds it too)
}

func (postTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	noStore(w)
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != mediaJSON {
		refuse(w, http.StatusUnsupportedMediaType, CodeBadUserInput, msgNotJSON)
		return
	}
	body := r.Body
	if t.maxBodyBytes > 0 {
		if r.ContentLength > t.maxBodyBytes {
			refuseTooLarge(w, t.maxBodyBytes)
			return
		}
		body = http.MaxBytesReader(w, r.Body, t.maxBodyBytes)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		// The gateway's http.MaxBytesHandler fails the read the same way.
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			refuseTooLarge(w, tooLarge.Limit)
			return
		}
		refuse(w, http.StatusBadRequest, CodeParseFailed, msgBodyNotRequest)
		return
	}
	if trimmed := bytes.TrimLeft(b, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
		refuse(w, http.StatusBadRequest, CodeBadUserInput, msgBatch)
		return
	}
	params := &graphql.RawParams{}
	if err := decodeJSONObject(b, params); err != nil {
		refuse(w, http.StatusBadRequest, CodeParseFailed, msgBodyNotRequest)
		return
	}
	params.Headers = r.Header
	execute(w, r, exec, params, false)
}

type getTransport struct{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	noStore(w)
	if !hasCSRFProof(r.Header) {
		refuse(w, http.StatusBadRequest, CodeBadUserInput, msgNoCSRFHeader)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		refuse(w, http.StatusBadRequest, CodeParseFailed, msgQueryString)
		return
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, p := range []struct {
		name string
		into *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if s := q.Get(p.name); s != "" {
			if err := decodeJSONObject([]byte(s), p.into); err != nil {
				refuse(w, http.StatusBadRequest, CodeParseFailed, msgQueryString)
				return
			}
		}
	}
	execute(w, r, exec, params, true)
}

// hasCSRFProof reports whether h carries a header a cross-site page cannot
// send without a CORS preflight.
func hasCSRFProof(h http.Header) bool {
	return strings.TrimSpace(h.Get(CSRFHeader)) != "" || strings.TrimSpace(h.Get(apolloPreflightHeader)) != ""
}

// isGraphQLName reports whether s is empty or a GraphQL Name
// (/[_A-Za-z][_0-9A-Za-z]*/), at most 128 characters.
func isGraphQLName(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i, c := range []byte(s) {
		letter := c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// refuseTransport is registered last: whatever the other transports do not
// take (other methods, websocket upgrades) gets a coded error rather than
// gqlgen's bare "transport not supported".
type refuseTransport struct{}

func (refuseTransport) Supports(*http.Request) bool { return true }

func (refuseTransport) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	noStore(w)
	w.Header().Set("Allow", "GET, POST")
	refuse(w, http.StatusMethodNotAllowed, CodeBadUserInput, msgBadMethod)
}

// execute runs one request the way gqlgen's transports do: parse, validate
// and check limits (CreateOperationContext), then run. onlyQueries refuses
// anything but a query before it runs (GET).
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, onlyQueries bool) {
	if !isGraphQLName(params.OperationName) {
		// It could never name an operation, and gqlgen's "operation … not
		// found" would echo it.
		refuse(w, http.StatusBadRequest, CodeBadUserInput, msgOperationName)
		return
	}
	ctx := r.Context()
	params.ReadTime = graphql.TraceTiming{Start: graphql.GetStartTime(ctx), End: graphql.Now()}
	contentType := responseContentType(r.Header.Get("Accept"))
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(protocolStatus(errs, contentType))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if onlyQueries && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, http.StatusMethodNotAllowed, CodeBadUserInput, msgGETMutation)
		return
	}
	w.Header().Set("Content-Type", contentType)
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// protocolStatus follows GraphQL over HTTP: a document that does not parse
// or validate is 422 with application/json (gqlgen's choice) and 400 with
// application/graphql-response+json.
func protocolStatus(errs gqlerror.List, contentType string) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// responseContentType picks the response media type from Accept:
// application/json unless the client prefers application/graphql-response+json.
func responseContentType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaJSON, "*/*", "application/*":
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaJSON
}

// decodeJSONObject decodes exactly one JSON object (numbers kept as
// json.Number, as gqlgen's transports do) and nothing after it.
func decodeJSONObject(b []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	return nil
}

func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		// Only a resolver bug gets here; the status is already written.
		b = []byte(`{"errors":[{"message":"` + internalMessage + `","extensions":{"code":"` + CodeInternal + `"}}]}`)
	}
	_, _ = w.Write(b)
}

func refuseTooLarge(w http.ResponseWriter, limit int64) {
	refuse(w, http.StatusRequestEntityTooLarge, CodeBadUserInput,
		fmt.Sprintf("the request body is larger than the limit of %d bytes", limit))
}

// refuse writes a transport-level refusal in the documented error shape.
func refuse(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(status)
	// Not a graphql.Response: a request refused before execution has no "data" key.
	b, _ := json.Marshal(struct {
		Errors gqlerror.List `json:"errors"`
	}{gqlerror.List{{Message: msg, Extensions: map[string]any{extCode: code}}}})
	_, _ = w.Write(b)
}

// noStore keeps answers, which carry personal data, out of browser and proxy caches.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}
