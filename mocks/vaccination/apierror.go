package vaccination

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// Error codes of the platform's error shape.
const (
	codeInvalidArgument     = "INVALID_ARGUMENT"
	codeBatchTooLarge       = "BATCH_TOO_LARGE"
	codeInvalidPageToken    = "INVALID_PAGE_TOKEN"
	codeUnauthenticated     = "UNAUTHENTICATED"
	codePermissionDenied    = "PERMISSION_DENIED"
	codeNotFound            = "NOT_FOUND"
	codeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	codeAlreadyResolved     = "ALREADY_RESOLVED"
	codePayloadTooLarge     = "PAYLOAD_TOO_LARGE"
	codeUnsupportedMedia    = "UNSUPPORTED_MEDIA_TYPE"
	codeIdentityNotVerified = "IDENTITY_NOT_VERIFIED"
	codeInvalidDoseNumber   = "INVALID_DOSE_NUMBER"
	codeInvalidDoseDate     = "INVALID_DOSE_DATE"
	codeUnknownVaccine      = "UNKNOWN_VACCINE"
	codeInvalidLot          = "INVALID_LOT_NUMBER"
	codeUnknownSite         = "UNKNOWN_SITE"
	codeIdempotencyReused   = "IDEMPOTENCY_KEY_REUSED"
	codeResourceExhausted   = "RESOURCE_EXHAUSTED"
)

// apiError is the one error shape of the platform:
//
//	{"error":{"status":422,"code":"IDENTITY_NOT_VERIFIED","message":"...",
//	          "requestId":"...","details":[{"field":"fullName","issue":"MISMATCH"}]}}
//
// Messages and details name fields, never their values.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Status    int           `json:"status"`
	Code      string        `json:"code"`
	Message   string        `json:"message"`
	RequestID string        `json:"requestId"`
	Details   []errorDetail `json:"details,omitempty"`
}

type errorDetail struct {
	Field string `json:"field"`
	Issue string `json:"issue"`
}

// writeError is also the fault injector's ErrorWriter, so injected failures
// look like the platform's own.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	s.writeErrorDetails(w, r, status, code, message, nil)
}

func (s *Server) writeErrorDetails(w http.ResponseWriter, r *http.Request, status int, code, message string, details []errorDetail) {
	writeJSON(w, status, apiError{Error: apiErrorBody{
		Status: status, Code: code, Message: message, RequestID: requestID(r), Details: details,
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own wire types are marshalled; failing here is a bug, and
		// the client still gets the platform's shape.
		b = []byte(`{"error":{"status":500,"code":"INTERNAL","message":"internal error","requestId":""}}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

type requestIDKey struct{}

// withRequestID gives every request an id, echoed in X-Request-Id and in
// error bodies. A well-formed inbound X-Request-Id is kept so callers can
// correlate; anything else is replaced.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = fmt.Sprintf("vx-%010d", s.reqSeq.Add(1))
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// Body limits per kind of request.
const (
	maxBatchBody = 256 << 10 // 100 people with alternate ids fit many times over
	maxWriteBody = 16 << 10
)

// decodeBody reads a JSON request body into v. Unknown fields are ignored,
// as the real platform does so that clients may send newer fields; malformed
// JSON, wrong types, trailing data, oversize bodies and non-JSON content
// types are refused. It writes the error and returns false on failure.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		s.writeError(w, r, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	err = dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		s.writeError(w, r, http.StatusRequestEntityTooLarge, codePayloadTooLarge,
			fmt.Sprintf("request body over %d bytes", limit))
	case errors.As(err, &typeErr) && typeErr.Field != "":
		s.writeErrorDetails(w, r, http.StatusBadRequest, codeInvalidArgument, "request body has a field of the wrong type",
			[]errorDetail{{Field: typeErr.Field, Issue: "WRONG_TYPE"}})
	default:
		s.writeError(w, r, http.StatusBadRequest, codeInvalidArgument, "malformed JSON body")
	}
	return false
}

// invalid answers 400 INVALID_ARGUMENT naming the offending fields.
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, details ...errorDetail) {
	s.writeErrorDetails(w, r, http.StatusBadRequest, codeInvalidArgument, "request has invalid fields", details)
}
