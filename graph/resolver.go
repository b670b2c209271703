// Package graph resolves the hub's GraphQL schema (schema/*.graphqls): one
// graph centred on Citizen over the population database, the vaccination
// platform, health insurance and the police checkpoint system. It owns the
// resolvers, the per-request dataloaders, input validation and the one set of
// error codes clients see. It talks to the ministries only through the small
// interfaces in this file and knows none of their wire formats.
package graph

//go:generate go tool gqlgen generate

import (
	"context"
	"errors"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/generated"
	"github.com/vn-epidemic/hub/policy"
)

// Population is what the graph needs from the National Population Database.
type Population interface {
	// LookupMany returns persons aligned with ids (12-digit IDs or 9-digit
	// CMNDs); a missing person is errs[i] wrapping domain.ErrNotFound.
	LookupMany(ctx context.Context, ids []string) ([]domain.Person, []error)
	Verify(ctx context.Context, req domain.VerifyRequest) (domain.VerifyResult, error)
	PopulationCounts(ctx context.Context, unit string) ([]domain.PopulationCount, error)
}

// Vaccination is what the graph needs from the vaccination platform.
type Vaccination interface {
	Records(ctx context.Context, keys []domain.PersonKey) ([]domain.VaccinationRecord, []error)
	Certificates(ctx context.Context, keys []domain.PersonKey) ([]domain.Certificate, []error)
	Reconciliations(ctx context.Context, keys []domain.PersonKey) ([]domain.Reconciliation, []error)
	ReconciliationList(ctx context.Context, commune string, status domain.ReconciliationStatus, page domain.PageRequest) (domain.Page[domain.Reconciliation], error)
	RecordDose(ctx context.Context, in domain.DoseInput, identity domain.RecordedIdentity) (domain.Dose, error)
	CreateFeedback(ctx context.Context, in domain.FeedbackInput) (domain.Feedback, error)
	ListFeedback(ctx context.Context, f domain.FeedbackFilter, page domain.PageRequest) (domain.Page[domain.Feedback], error)
	ResolveFeedback(ctx context.Context, id, resolution, resolvedBy string) (domain.Feedback, error)
	VaccinationCounts(ctx context.Context, unit string) ([]domain.VaccinationCount, error)
}

// Insurance is what the graph needs from Vietnam Social Security.
type Insurance interface {
	// Cards returns cards aligned with ids (12-digit IDs); no card is errs[i]
	// wrapping domain.ErrNotFound.
	Cards(ctx context.Context, ids []string) ([]domain.InsuranceCard, []error)
}

// Checkpoint is what the graph needs from the police checkpoint & declaration system.
type Checkpoint interface {
	SubmitDeclaration(ctx context.Context, in domain.DeclarationInput) (domain.HealthDeclaration, error)
	Declarations(ctx context.Context, personIDs []string, since time.Time) ([][]domain.HealthDeclaration, []error)
	RecordPassage(ctx context.Context, in domain.PassageInput) (domain.Passage, error)
	Passages(ctx context.Context, personIDs []string, since time.Time) ([][]domain.Passage, []error)
	Arrivals(ctx context.Context, q domain.ArrivalsQuery, page domain.PageRequest) (domain.Page[domain.Passage], error)
	EpidemicZones(ctx context.Context, f domain.ZoneFilter) ([]domain.EpidemicZone, error)
}

// Sources are the four ministry systems behind the graph.
type Sources struct {
	Population  Population
	Vaccination Vaccination
	Insurance   Insurance
	Checkpoint  Checkpoint
}

// Config tunes the resolvers. Zero fields take the documented defaults.
type Config struct {
	// Now is the clock (default time.Now): "today" for insurance validity,
	// the default instant of epidemicZones, the history window.
	Now func() time.Time
	// LoaderWait is how long a dataloader waits for more keys (default 2 ms).
	LoaderWait time.Duration
	// LoaderCapacity is the largest batch a dataloader sends (default 100).
	LoaderCapacity int
	// UpstreamTimeout bounds each batched upstream call, which runs detached
	// from the cancellation of the caller that opened the batch (default 10 s).
	// The request's own deadline, when earlier, bounds it too.
	UpstreamTimeout time.Duration
	// HistoryWindow is how far back Citizen.declarations and
	// Citizen.movements reach (default 30 days).
	HistoryWindow time.Duration
	// Policy decides who may call which operation and see which personal
	// field (required: there is no mode without access control). The caller
	// is the request context's principal (principal.NewContext), set by the
	// gateway's authentication; none means UNAUTHENTICATED.
	Policy *policy.Policy
}

const defaultHistoryWindow = 30 * 24 * time.Hour

// Resolver is the root of the graph's resolvers. It is immutable after
// NewResolver and shared by all requests; per-request state (the loaders)
// lives in the request context.
type Resolver struct {
	cfg Config
	src Sources
	dir *adminunit.Directory
	pol *policy.Policy
	// rules are the schema's @personal directives by type and field;
	// citizenClasses the classes found under Citizen (see access.go).
	rules          accessRules
	citizenClasses []policy.Class
}

// NewResolver checks its dependencies and returns the root resolver.
func NewResolver(cfg Config, src Sources, dir *adminunit.Directory) (*Resolver, error) {
	switch {
	case src.Population == nil:
		return nil, errors.New("graph: Sources.Population is nil")
	case src.Vaccination == nil:
		return nil, errors.New("graph: Sources.Vaccination is nil")
	case src.Insurance == nil:
		return nil, errors.New("graph: Sources.Insurance is nil")
	case src.Checkpoint == nil:
		return nil, errors.New("graph: Sources.Checkpoint is nil")
	case dir == nil:
		return nil, errors.New("graph: admin unit directory is nil")
	case cfg.Policy == nil:
		return nil, errors.New("graph: Config.Policy is nil (access control is required)")
	}
	if cfg.LoaderWait < 0 || cfg.LoaderCapacity < 0 || cfg.UpstreamTimeout < 0 || cfg.HistoryWindow < 0 {
		return nil, errors.New("graph: negative durations or capacity in Config")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HistoryWindow == 0 {
		cfg.HistoryWindow = defaultHistoryWindow
	}
	rules, classes, err := buildRules(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		return nil, err
	}
	return &Resolver{cfg: cfg, src: src, dir: dir, pol: cfg.Policy, rules: rules, citizenClasses: classes}, nil
}
