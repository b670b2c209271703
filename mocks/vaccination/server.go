package vaccination

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// Demo credentials and limits. They are documented so that the demo and
// tests can log in; a deployment passes its own.
const (
	DefaultClientID     = "hub-demo"
	DefaultClientSecret = "hub-demo-secret"
	DefaultTokenTTL     = 5 * time.Minute
	// DefaultMaxWrites bounds what the stand-in keeps in memory: recorded
	// doses, created feedback, resolutions and idempotency keys together.
	DefaultMaxWrites = 100_000
)

// Scopes the platform grants. A token request without scope gets every
// scope of the client.
const (
	ScopeRead  = "vaccination.read"
	ScopeWrite = "vaccination.write"
)

// Operation names as they appear in the fault injector's counters.
const (
	OpToken               = "token"
	OpVaccinationsBatch   = "vaccinations.batchGet"
	OpCertificatesBatch   = "certificates.batchGet"
	OpReconciliationBatch = "reconciliation.batchGet"
	OpReconciliationList  = "reconciliation.list"
	OpDosesRecord         = "doses.record"
	OpFeedbackCreate      = "feedback.create"
	OpFeedbackList        = "feedback.list"
	OpFeedbackResolve     = "feedback.resolve"
	OpStatistics          = "statistics.vaccinations"
	OpOpenAPI             = "openapi"
)

// Config configures the stand-in.
type Config struct {
	Population   *synth.Population
	Faults       faults.Profile // initial fault profile
	FaultSeed    uint64
	ClientID     string        // "" = DefaultClientID
	ClientSecret string        // "" = DefaultClientSecret
	TokenTTL     time.Duration // 0 = DefaultTokenTTL
	Now          func() time.Time
	MaxWrites    int // 0 = DefaultMaxWrites
}

// Server is the vaccination platform stand-in.
type Server struct {
	pop        *synth.Population
	now        func() time.Time
	clientID   string
	secret     string
	ttl        time.Duration
	inj        *faults.Injector
	tokens     *tokenStore
	store      *store
	pages      pageCodec
	stats      *memo[[]countEntry]
	fbMemo     *memo[[]domain.Feedback]
	scanBudget int
	routes     []route
	handler    http.Handler
	reqSeq     atomic.Uint64
}

// route is one operation the platform serves; the table drives the mux, the
// fault counters and the OpenAPI coverage test.
type route struct {
	method  string
	pattern string // http.ServeMux path pattern
	apiPath string // path as the OpenAPI document writes it
	op      string
	scope   string // required OAuth2 scope; "" = no bearer token needed
	handle  http.HandlerFunc
}

// New builds the stand-in.
func New(cfg Config) (*Server, error) {
	if cfg.Population == nil {
		return nil, errors.New("vaccination stand-in: Population is required")
	}
	if cfg.TokenTTL < 0 || cfg.MaxWrites < 0 {
		return nil, errors.New("vaccination stand-in: TokenTTL and MaxWrites must not be negative")
	}
	s := &Server{
		pop:      cfg.Population,
		now:      cfg.Now,
		clientID: cfg.ClientID,
		secret:   cfg.ClientSecret,
		ttl:      cfg.TokenTTL,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.clientID == "" {
		s.clientID = DefaultClientID
	}
	if s.secret == "" {
		s.secret = DefaultClientSecret
	}
	if s.ttl == 0 {
		s.ttl = DefaultTokenTTL
	}
	maxWrites := cfg.MaxWrites
	if maxWrites == 0 {
		maxWrites = DefaultMaxWrites
	}
	inj, err := faults.New("vaccination", cfg.Faults, s.writeError,
		faults.WithSeed(cfg.FaultSeed), faults.WithClock(clockFunc(s.now)))
	if err != nil {
		return nil, err
	}
	s.inj = inj
	s.tokens = newTokenStore(maxTokens)
	s.store = newStore(maxWrites)
	// Page tokens are signed with a key derived from the population, so that
	// they survive a restart of the same population and golden files are
	// stable, yet a token cannot be forged by editing its bytes.
	var seed [8]byte
	binary.BigEndian.PutUint64(seed[:], s.pop.Config().Seed)
	key := sha256.Sum256(append([]byte("vaccination platform page tokens/"), seed[:]...))
	s.pages = pageCodec{key: key[:]}
	s.stats = newMemo[[]countEntry](statsMemoSize)
	s.fbMemo = newMemo[[]domain.Feedback](feedbackMemoSize)
	s.scanBudget = defaultScanBudget
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// Handler serves the platform, /openapi.json and the fault control endpoint.
func (s *Server) Handler() http.Handler { return s.handler }

// Faults returns the fault injector (profile and per-operation counters).
func (s *Server) Faults() *faults.Injector { return s.inj }

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

func (s *Server) routeTable() []route {
	return []route{
		{"POST", "/oauth2/token", "/oauth2/token", OpToken, "", s.handleToken},
		{"POST", "/api/v1/vaccinations:batchGet", "/api/v1/vaccinations:batchGet", OpVaccinationsBatch, ScopeRead, s.handleVaccinationsBatch},
		{"POST", "/api/v1/certificates:batchGet", "/api/v1/certificates:batchGet", OpCertificatesBatch, ScopeRead, s.handleCertificatesBatch},
		{"POST", "/api/v1/reconciliation:batchGet", "/api/v1/reconciliation:batchGet", OpReconciliationBatch, ScopeRead, s.handleReconciliationBatch},
		{"GET", "/api/v1/communes/{communeCode}/reconciliation", "/api/v1/communes/{communeCode}/reconciliation", OpReconciliationList, ScopeRead, s.handleReconciliationList},
		{"POST", "/api/v1/doses", "/api/v1/doses", OpDosesRecord, ScopeWrite, s.handleRecordDose},
		{"POST", "/api/v1/feedback", "/api/v1/feedback", OpFeedbackCreate, ScopeWrite, s.handleFeedbackCreate},
		{"GET", "/api/v1/feedback", "/api/v1/feedback", OpFeedbackList, ScopeRead, s.handleFeedbackList},
		// ServeMux wildcards must fill a whole segment, so the custom method
		// suffix ":resolve" is checked by the handler.
		{"POST", "/api/v1/feedback/{name}", "/api/v1/feedback/{id}:resolve", OpFeedbackResolve, ScopeWrite, s.handleFeedbackResolve},
		{"GET", "/api/v1/statistics/vaccinations", "/api/v1/statistics/vaccinations", OpStatistics, ScopeRead, s.handleStatistics},
		{"GET", "/openapi.json", "/openapi.json", OpOpenAPI, "", s.handleOpenAPI},
	}
}

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.routes {
		h := http.Handler(rt.handle)
		if rt.scope != "" {
			h = s.requireToken(rt.scope, h)
		}
		mux.Handle(rt.method+" "+rt.pattern, s.inj.Wrap(rt.op, h))
		allowed[rt.pattern] = append(allowed[rt.pattern], rt.method)
	}
	// A known path with the wrong method gets 405 in the platform's error
	// shape rather than ServeMux's plain text.
	for pattern, methods := range allowed {
		sort.Strings(methods)
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.writeError(w, r, http.StatusMethodNotAllowed, codeMethodNotAllowed, "method not allowed on this resource")
		})
	}
	mux.Handle(faults.ControlPrefix, s.inj.ControlHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, codeNotFound, "no such resource")
	})
	return s.withRequestID(mux)
}
