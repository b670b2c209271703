package checkpoint

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// Demo defaults, documented in README.md.
const (
	// DefaultAPIKey is the X-Api-Key the stand-in accepts when Config.APIKey is empty.
	DefaultAPIKey = "demo-suckhoe-dcqg-2021"
	// DefaultMaxWrites bounds the declarations and passages kept in memory together;
	// beyond it writes are refused with E507.
	DefaultMaxWrites = 100_000
)

// Operation names, as counted by the fault injector.
const (
	OpDeclarationsSubmit = "declarations.submit"
	OpDeclarationsSearch = "declarations.search"
	OpPassagesRecord     = "passages.record"
	OpPassagesSearch     = "passages.search"
	OpArrivalsList       = "arrivals.list"
	OpZonesList          = "zones.list"
	OpOpenAPI            = "openapi"
)

// Limits of the real system that the stand-in enforces.
const (
	maxBodyBytes     = 64 << 10
	maxSearchIDs     = 100
	defaultPageSize  = 100
	maxPageSize      = 500
	maxArrivalWindow = 31 * 24 * time.Hour
	futureSkew       = 5 * time.Minute
	maxPassageAge    = 30 * 24 * time.Hour
)

// ict is Indochina Time: the system writes every timestamp in +07:00.
var ict = time.FixedZone("ICT", 7*3600)

// Config configures the stand-in.
type Config struct {
	Population *synth.Population
	Faults     faults.Profile // initial fault profile
	FaultSeed  uint64
	// APIKey is the only X-Api-Key accepted; empty means DefaultAPIKey.
	APIKey string
	// Now is the clock for submitted_at, the future-time check and the
	// default zone time; nil means time.Now.
	Now func() time.Time
	// MaxWrites bounds the writes kept in memory; 0 means DefaultMaxWrites.
	MaxWrites int
	// PageTokenKey signs arrivals page tokens; nil means a random key per
	// server, so tokens do not survive a restart (as on the real system).
	PageTokenKey []byte
}

// Server is the stand-in. Safe for concurrent use.
type Server struct {
	pop         *synth.Population
	dir         *adminunit.Directory
	apiKey      string
	now         func() time.Time
	tokenKey    []byte
	faults      *faults.Injector
	checkpoints *checkpointRegistry
	countries   map[string]bool
	store       *store
	openapi     []byte
	handler     http.Handler
}

// New builds a stand-in over cfg.Population.
func New(cfg Config) (*Server, error) {
	if cfg.Population == nil {
		return nil, errors.New("checkpoint stand-in: Population is required")
	}
	if cfg.MaxWrites < 0 {
		return nil, errors.New("checkpoint stand-in: MaxWrites must not be negative")
	}
	s := &Server{
		pop:    cfg.Population,
		dir:    cfg.Population.Directory(),
		apiKey: cfg.APIKey,
		now:    cfg.Now,
	}
	if s.dir == nil {
		return nil, errors.New("checkpoint stand-in: population has no admin unit directory")
	}
	if s.apiKey == "" {
		s.apiKey = DefaultAPIKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.tokenKey = cfg.PageTokenKey
	if len(s.tokenKey) == 0 {
		s.tokenKey = make([]byte, 32)
		if _, err := rand.Read(s.tokenKey); err != nil {
			return nil, fmt.Errorf("checkpoint stand-in: page token key: %w", err)
		}
	}
	maxWrites := cfg.MaxWrites
	if maxWrites == 0 {
		maxWrites = DefaultMaxWrites
	}
	s.store = newStore(maxWrites)
	s.checkpoints = newCheckpointRegistry(s.pop)
	s.countries = countrySet()
	inj, err := faults.New("checkpoint", cfg.Faults, s.faultError, faults.WithSeed(cfg.FaultSeed))
	if err != nil {
		return nil, fmt.Errorf("checkpoint stand-in: %w", err)
	}
	s.faults = inj
	if s.openapi, err = s.buildOpenAPI(); err != nil {
		return nil, fmt.Errorf("checkpoint stand-in: OpenAPI document: %w", err)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler serves the system, /openapi.json and /_control/.
func (s *Server) Handler() http.Handler { return s.handler }

// Faults is the stand-in's fault injector and request counter.
func (s *Server) Faults() *faults.Injector { return s.faults }

// Checkpoints lists the checkpoints the system knows, in code order.
func (s *Server) Checkpoints() []Checkpoint { return s.checkpoints.all() }

type route struct {
	method string
	op     string
	h      http.HandlerFunc
	public bool // no API key or request id (the OpenAPI document)
}

func (s *Server) routes() http.Handler {
	table := map[string]route{
		"/api/v1/health-declarations":        {http.MethodPost, OpDeclarationsSubmit, s.submitDeclaration, false},
		"/api/v1/health-declarations:search": {http.MethodPost, OpDeclarationsSearch, s.searchDeclarations, false},
		"/api/v1/checkpoint-passages":        {http.MethodPost, OpPassagesRecord, s.recordPassage, false},
		"/api/v1/checkpoint-passages:search": {http.MethodPost, OpPassagesSearch, s.searchPassages, false},
		"/api/v1/arrivals":                   {http.MethodGet, OpArrivalsList, s.listArrivals, false},
		"/api/v1/epidemic-zones":             {http.MethodGet, OpZonesList, s.listZones, false},
		"/openapi.json":                      {http.MethodGet, OpOpenAPI, s.serveOpenAPI, true},
	}
	wrapped := make(map[string]http.Handler, len(table))
	for path, rt := range table {
		var h http.Handler = rt.h
		if !rt.public {
			h = s.guard(h)
		}
		wrapped[path] = s.faults.Wrap(rt.op, h)
	}
	control := s.faults.ControlHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) >= len(faults.ControlPrefix) && r.URL.Path[:len(faults.ControlPrefix)] == faults.ControlPrefix {
			control.ServeHTTP(w, r)
			return
		}
		rt, ok := table[r.URL.Path]
		if !ok {
			writeError(w, r, http.StatusNotFound, "no such resource", nil)
			return
		}
		if r.Method != rt.method {
			w.Header().Set("Allow", rt.method)
			writeError(w, r, http.StatusMethodNotAllowed, "method not allowed", nil)
			return
		}
		wrapped[r.URL.Path].ServeHTTP(w, r)
	})
}

// guard enforces the gateway's rules: a well-formed X-Request-Id, then the API key.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := r.Header.Get("X-Request-Id")
		if rid == "" {
			writeError(w, r, http.StatusBadRequest, "missing X-Request-Id header", nil)
			return
		}
		if !validRequestID(rid) {
			writeError(w, r, http.StatusBadRequest, "X-Request-Id must be 1-128 characters of A-Z a-z 0-9 . _ : -", nil)
			return
		}
		key := r.Header.Get("X-Api-Key")
		if key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.apiKey)) != 1 {
			writeError(w, r, http.StatusUnauthorized, "missing or invalid API key", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// apiError is the system's error body. code is "E" followed by the HTTP
// status; errors lists per-field problems for E400 and E422.
type apiError struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	RequestID string       `json:"request_id"`
	Errors    []fieldError `json:"errors,omitempty"`
}

// fieldError names a field and what is wrong with it, never its value.
type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Field error codes.
const (
	feRequired      = "REQUIRED"
	feInvalidFormat = "INVALID_FORMAT"
	feUnknownValue  = "UNKNOWN_VALUE"
	feOutOfRange    = "OUT_OF_RANGE"
	feTooLong       = "TOO_LONG"
	feDuplicate     = "DUPLICATE"
	feNotFound      = "NOT_FOUND"
	feInconsistent  = "INCONSISTENT"
)

func errorCode(status int) string { return "E" + strconv.Itoa(status) }

func requestID(r *http.Request) string {
	if rid := r.Header.Get("X-Request-Id"); validRequestID(rid) {
		return rid
	}
	return ""
}

func writeError(w http.ResponseWriter, r *http.Request, status int, message string, fields []fieldError) {
	writeJSON(w, r, status, apiError{Code: errorCode(status), Message: message, RequestID: requestID(r), Errors: fields})
}

// faultError is the faults.ErrorWriter: injected failures speak the system's format.
func (s *Server) faultError(w http.ResponseWriter, r *http.Request, status int, _ string, message string) {
	writeError(w, r, status, message, nil)
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"E500","message":"internal error","request_id":""}`)
	}
	writeRaw(w, r, status, b)
}

func writeRaw(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if rid := requestID(r); rid != "" {
		h.Set("X-Request-Id", rid)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readBody reads a JSON request body, bounded; it writes the error itself.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONContentType(ct) {
		writeError(w, r, http.StatusUnsupportedMediaType, "Content-Type must be application/json", nil)
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "could not read request body", nil)
		return nil, false
	}
	if len(b) > maxBodyBytes {
		writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", maxBodyBytes), nil)
		return nil, false
	}
	return b, true
}

func isJSONContentType(ct string) bool {
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	for len(ct) > 0 && ct[len(ct)-1] == ' ' {
		ct = ct[:len(ct)-1]
	}
	return ct == "application/json"
}

// decodeStrict decodes one JSON object, refusing unknown fields and trailing
// data. The message it returns names fields, never values.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			if te.Field != "" {
				return fmt.Errorf("field %s has the wrong type", te.Field)
			}
			return errors.New("request body must be a JSON object")
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return errors.New("request body is not valid JSON")
		}
		if name, ok := unknownField(err); ok {
			return fmt.Errorf("unknown field %s", name)
		}
		return errors.New("request body is not valid JSON")
	}
	if dec.More() {
		return errors.New("request body has data after the JSON object")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return errors.New("request body has data after the JSON object")
	}
	return nil
}

// unknownField extracts the field name from encoding/json's unknown-field
// error, which has no type of its own. Names are bounded so that a hostile
// body cannot be reflected back at length.
func unknownField(err error) (string, bool) {
	const prefix = `json: unknown field "`
	msg := err.Error()
	if len(msg) <= len(prefix) || msg[:len(prefix)] != prefix {
		return "", false
	}
	name := msg[len(prefix) : len(msg)-1]
	if len(name) > 64 {
		name = name[:64]
	}
	return strconv.Quote(name), true
}
