// Package insurance is the stand-in for Vietnam Social Security's health
// insurance card lookup (Bảo hiểm xã hội Việt Nam, cổng tra cứu thẻ BHYT): a
// REST/JSON service with Vietnamese field names, an X-API-KEY header, the
// {"maKetQua","thongDiep","duLieu"} envelope with its own result codes, a
// batch lookup of up to 100 citizen IDs, and a small deterministic share of
// untidy records. It serves cards derived from the synthetic population and
// knows nothing of the hub; README.md documents the wire contract.
package insurance

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// DefaultAPIKey is the demo API key the stand-in accepts when Config.APIKey is
// empty. It is a published demo value, not a secret.
const DefaultAPIKey = "bhxh-demo-khoa-api-2026"

// MaxBatch is the most citizen IDs one tra-cuu-lo request may carry.
const MaxBatch = 100

// Operation names, as counted by the fault injector.
const (
	OpLookup  = "the.traCuuLo"
	OpHealth  = "health"
	OpOpenAPI = "openapi"
)

// API paths.
const (
	PathLookup  = "/api/bhyt/v1/the/tra-cuu-lo"
	PathHealth  = "/api/bhyt/v1/health"
	PathOpenAPI = "/openapi.json"
)

// APIKeyHeader carries the caller's API key.
const APIKeyHeader = "X-API-KEY"

// maxRequestBytes bounds a request body: 100 IDs take under 2 KiB, so 64 KiB
// leaves room for whitespace without letting a client stream megabytes.
const maxRequestBytes = 64 << 10

// Config configures the stand-in.
type Config struct {
	Population *synth.Population
	Faults     faults.Profile // initial fault profile
	FaultSeed  uint64
	APIKey     string           // accepted X-API-KEY; "" means DefaultAPIKey
	Now        func() time.Time // clock for response timestamps; nil means time.Now
	// FaultOptions are passed to the fault injector after the seed (tests
	// supply a fake clock or a recording sleep).
	FaultOptions []faults.Option
}

// Server is the running stand-in. Safe for concurrent use.
type Server struct {
	pop     *synth.Population
	apiKey  []byte
	now     func() time.Time
	inj     *faults.Injector
	seed    uint64 // population seed, mixed into the untidy-record choice
	mux     *http.ServeMux
	openapi []byte
}

// New builds the stand-in.
func New(cfg Config) (*Server, error) {
	if cfg.Population == nil {
		return nil, errors.New("insurance stand-in: Population is required")
	}
	key := cfg.APIKey
	if key == "" {
		key = DefaultAPIKey
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{pop: cfg.Population, apiKey: []byte(key), now: now, seed: cfg.Population.Config().Seed}
	opts := append([]faults.Option{faults.WithSeed(cfg.FaultSeed)}, cfg.FaultOptions...)
	inj, err := faults.New("insurance", cfg.Faults, s.writeFault, opts...)
	if err != nil {
		return nil, fmt.Errorf("insurance stand-in: %w", err)
	}
	s.inj = inj
	if s.openapi, err = openAPIDocument(); err != nil {
		return nil, fmt.Errorf("insurance stand-in: %w", err)
	}

	mux := http.NewServeMux()
	mux.Handle(PathLookup, inj.Wrap(OpLookup, s.method(http.MethodPost, s.authed(http.HandlerFunc(s.lookup)))))
	mux.Handle(PathHealth, inj.Wrap(OpHealth, s.method(http.MethodGet, s.authed(http.HandlerFunc(s.health)))))
	mux.Handle(PathOpenAPI, inj.Wrap(OpOpenAPI, s.method(http.MethodGet, http.HandlerFunc(s.openAPI))))
	mux.Handle(faults.ControlPrefix, inj.ControlHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeEnvelope(w, http.StatusNotFound, codeNoRoute, msgNoRoute, "", nil)
	})
	s.mux = mux
	return s, nil
}

// Handler serves the API, /openapi.json and /_control/.
func (s *Server) Handler() http.Handler { return s.mux }

// Faults is the stand-in's fault injector (profile and request counters).
func (s *Server) Faults() *faults.Injector { return s.inj }

// method answers other methods with 405 in the system's envelope, the way
// the VSS gateway does, rather than the mux's plain-text reply.
func (s *Server) method(m string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m {
			w.Header().Set("Allow", m)
			s.writeEnvelope(w, http.StatusMethodNotAllowed, codeMethod, msgMethod, "", nil)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authed checks the API key at the gateway: a missing or wrong key is a real
// HTTP 401 (unlike business errors, which the application answers with 200).
func (s *Server) authed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(APIKeyHeader)
		switch {
		case got == "":
			s.writeEnvelope(w, http.StatusUnauthorized, codeAuth, msgNoKey, "", nil)
			return
		case subtle.ConstantTimeCompare([]byte(got), s.apiKey) != 1:
			s.writeEnvelope(w, http.StatusUnauthorized, codeAuth, msgBadKey, "", nil)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	var req lookupRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err := dec.Decode(&req); err != nil {
		s.writeEnvelope(w, http.StatusOK, codeBadRequest, msgBadBody, "", nil)
		return
	}
	if dec.More() {
		s.writeEnvelope(w, http.StatusOK, codeBadRequest, msgBadBody, "", nil)
		return
	}
	if !validRequestID(req.MaYeuCau) {
		s.writeEnvelope(w, http.StatusOK, codeBadRequest, msgBadRequestID, "", nil)
		return
	}
	switch {
	case len(req.DsSoDinhDanh) == 0:
		s.writeEnvelope(w, http.StatusOK, codeBadRequest, msgNoIDs, req.MaYeuCau, nil)
		return
	case len(req.DsSoDinhDanh) > MaxBatch:
		s.writeEnvelope(w, http.StatusOK, codeTooMany, msgTooMany, req.MaYeuCau, nil)
		return
	}
	items := make([]cardResult, len(req.DsSoDinhDanh))
	for k, id := range req.DsSoDinhDanh {
		items[k] = s.cardFor(id)
	}
	s.writeEnvelope(w, http.StatusOK, codeOK, msgOK, req.MaYeuCau, items)
}

// cardFor answers one ID of a batch.
func (s *Server) cardFor(id string) cardResult {
	if !isPersonalID(id) {
		// The ID is echoed only when it is plausibly an ID: the system does not
		// reflect arbitrary client text back.
		return cardResult{SoDinhDanh: echoID(id), MaKetQua: codeInvalidID, ThongDiep: msgInvalidID}
	}
	i, ok := s.pop.Lookup(id)
	if !ok {
		return cardResult{SoDinhDanh: id, MaKetQua: codeNotFound, ThongDiep: msgNotFound}
	}
	card, ok := s.pop.Insurance(i)
	if !ok {
		return cardResult{SoDinhDanh: id, MaKetQua: codeNotFound, ThongDiep: msgNotFound}
	}
	info := renderCard(card, quirkFor(s.seed, id))
	return cardResult{SoDinhDanh: id, MaKetQua: codeOK, ThongDiep: msgOK, cardInfo: &info}
}

// UntidyKind says how the card served for id is untidy on the wire
// ("UPPER_NAME", "UNPADDED_DATE", "TRAILING_SPACE", "LOWER_CARD_CODE"), or ""
// when it is tidy or there is no card. It lets tests and demos find the
// records that exercise a client's tidying without scanning the population.
func (s *Server) UntidyKind(id string) string {
	if !isPersonalID(id) {
		return ""
	}
	i, ok := s.pop.Lookup(id)
	if !ok {
		return ""
	}
	card, ok := s.pop.Insurance(i)
	if !ok {
		return ""
	}
	return quirkFor(s.seed, id).effective(card).String()
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	s.writeEnvelope(w, http.StatusOK, codeOK, msgHealthy, "", healthData{TrangThai: "HOAT_DONG", PhienBan: apiVersion})
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
}

// writeFault is the faults.ErrorWriter: injected failures look like the VSS
// gateway's own error answers.
func (s *Server) writeFault(w http.ResponseWriter, _ *http.Request, status int, code, _ string) {
	c, m := codeSystem, msgSystem
	switch code {
	case "UNAVAILABLE":
		c, m = codeMaintenance, msgMaintenance
	case "RATE_LIMITED":
		c, m = codeRateLimited, msgRateLimited
	case "TIMEOUT":
		c, m = codeTimeout, msgTimeout
	}
	s.writeEnvelope(w, status, c, m, "", nil)
}

func (s *Server) writeEnvelope(w http.ResponseWriter, status int, code, msg, requestID string, data any) {
	env := envelope{
		MaKetQua:  code,
		ThongDiep: msg,
		MaYeuCau:  requestID,
		ThoiGian:  s.now().In(vnZone).Format(timestampLayout),
		DuLieu:    data,
	}
	b, err := json.Marshal(env)
	if err != nil {
		// Only our own types are marshalled; this cannot happen with them.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
