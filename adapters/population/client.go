// Package population is the hub's client for the Ministry of Public Security's
// National Population Database, reached through NDXP as a SOAP 1.1 service
// (namespace http://dancuquocgia.bca): citizen lookup one person per call,
// four-field identity verification and population counts, translated into
// domain types with text normalised at ingress. It owns that wire format and
// nothing else: it knows neither GraphQL nor how callers batch their work.
package population

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vn-epidemic/hub/adapters/upstream"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/vntext"
)

// Wire facts of the service.
const (
	// Namespace is the service's target namespace.
	Namespace = "http://dancuquocgia.bca"
	// EndpointPath is the service's path under Config.BaseURL.
	EndpointPath = "/dancuquocgia/CongDanService"
	// HeaderClient carries the agency code (MaDonVi) through NDXP.
	HeaderClient = "X-NDXP-Client"
	// DefaultMaxConcurrency bounds LookupMany's calls in flight.
	DefaultMaxConcurrency = 16
	// DefaultOfficerCode is sent as MaCanBo when no officer is configured:
	// the agency's system account rather than a person.
	DefaultOfficerCode = "HETHONG"
	// maxResponseBytes bounds what is read of any answer; real ones are a few KiB.
	maxResponseBytes = 256 << 10
	// pingUnit is the province ThongKeDanSo is asked about by Ping (Hà Nội).
	pingUnit = "01"
)

// Operation names, as in SOAPAction and in errors.
const (
	OpLookup = "TraCuuThongTinCongDan"
	OpVerify = "XacThucThongTinCongDan"
	OpCount  = "ThongKeDanSo"
)

// Config says where the service is and who the hub is to it.
type Config struct {
	BaseURL         string // scheme and host (and any prefix) before EndpointPath
	AgencyCode      string // MaDonVi, also sent in X-NDXP-Client
	ServiceCode     string // MaDVC
	IntegrationCode string // MaTichHop
	OfficerCode     string // MaCanBo; "" = DefaultOfficerCode
	Username        string // HTTP Basic credentials of the NDXP account
	Password        string
	MaxConcurrency  int // LookupMany's bound on calls in flight; 0 = DefaultMaxConcurrency
}

// Client calls the population database. Safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	caller   *upstream.Caller
	// newRequestID makes each MaYeuCau; tests fix it for golden files.
	newRequestID func() string
}

// New checks cfg and returns a client sending its calls through caller.
func New(cfg Config, caller *upstream.Caller) (*Client, error) {
	if caller == nil {
		return nil, errors.New("population adapter: caller is required")
	}
	u, err := upstream.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("population adapter: BaseURL: %w", err)
	}
	for _, f := range []struct{ name, v string }{
		{"AgencyCode", cfg.AgencyCode}, {"ServiceCode", cfg.ServiceCode},
		{"IntegrationCode", cfg.IntegrationCode}, {"Username", cfg.Username}, {"Password", cfg.Password},
	} {
		if f.v == "" {
			return nil, fmt.Errorf("population adapter: %s is required", f.name)
		}
	}
	if cfg.OfficerCode == "" {
		cfg.OfficerCode = DefaultOfficerCode
	}
	if cfg.MaxConcurrency < 0 {
		return nil, errors.New("population adapter: MaxConcurrency must not be negative")
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	return &Client{
		cfg:          cfg,
		endpoint:     u.String() + EndpointPath,
		caller:       caller,
		newRequestID: upstream.RandomID,
	}, nil
}

func op(name string) upstream.Op {
	return upstream.Op{Upstream: domain.UpstreamPopulation, Name: name, Idempotent: true}
}

// checkID trims id and accepts a 12-digit personal ID or a 9-digit CMND.
func checkID(id string) (string, domain.IDKind, error) {
	id = strings.TrimSpace(id)
	switch k := domain.ClassifyID(id); k {
	case domain.IDPersonal, domain.IDOld:
		return id, k, nil
	case domain.IDPassport:
		return "", k, &domain.InputError{Field: "id", Reason: "a passport number is not in the population database"}
	}
	return "", domain.IDUnknown, &domain.InputError{Field: "id", Reason: "must be a 12-digit personal ID or a 9-digit CMND"}
}

// Lookup fetches one citizen by 12-digit personal ID or 9-digit CMND.
func (c *Client) Lookup(ctx context.Context, id string) (domain.Person, error) {
	id, kind, err := checkID(id)
	if err != nil {
		return domain.Person{}, err
	}
	req := lookupRequest{Xmlns: Namespace}
	if kind == domain.IDPersonal {
		req.SoDinhDanh = id
	} else {
		req.SoCMND = id
	}
	reqID := c.fillHeader(&req.requestHeader)
	raw, err := c.call(ctx, OpLookup, req)
	if err != nil {
		return domain.Person{}, err
	}
	return decodeLookup(raw, reqID, id)
}

// LookupMany looks up each id with at most Config.MaxConcurrency calls in
// flight (the service has no batch operation). Results are aligned with ids;
// a repeated id is looked up once. Once ctx is done no new call starts and the
// ids not yet looked up get ctx's error as an *domain.UpstreamError.
func (c *Client) LookupMany(ctx context.Context, ids []string) ([]domain.Person, []error) {
	people := make([]domain.Person, len(ids))
	errs := make([]error, len(ids))
	var unique []string
	positions := map[string][]int{}
	for i, id := range ids {
		key := strings.TrimSpace(id)
		if _, seen := positions[key]; !seen {
			unique = append(unique, key)
		}
		positions[key] = append(positions[key], i)
	}
	results := make([]domain.Person, len(unique))
	failures := make([]error, len(unique))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c.cfg.MaxConcurrency, len(unique)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(unique) {
					return
				}
				if err := ctx.Err(); err != nil {
					failures[k] = upstream.TransportError(ctx, op(OpLookup), err)
					continue
				}
				results[k], failures[k] = c.Lookup(ctx, unique[k])
			}
		})
	}
	wg.Wait()
	for k, id := range unique {
		for _, i := range positions[id] {
			people[i], errs[i] = results[k], failures[k]
		}
	}
	return people, errs
}

// Verify compares the four identity fields with the database. A passport
// number is not verifiable there (foreigners are not in it): NOT_APPLICABLE,
// without a call.
func (c *Client) Verify(ctx context.Context, in domain.VerifyRequest) (domain.VerifyResult, error) {
	id, kind, err := checkID(in.ID)
	if kind == domain.IDPassport {
		return domain.VerifyResult{Outcome: domain.VerifyNotApplicable}, nil
	}
	if err != nil {
		return domain.VerifyResult{}, err
	}
	name := vntext.Normalize(in.FullName)
	switch {
	case name == "":
		return domain.VerifyResult{}, &domain.InputError{Field: "fullName", Reason: "is required"}
	case len(name) > 200:
		return domain.VerifyResult{}, &domain.InputError{Field: "fullName", Reason: "is longer than 200 bytes"}
	case in.BirthDate.IsZero():
		return domain.VerifyResult{}, &domain.InputError{Field: "birthDate", Reason: "is required"}
	case !in.BirthDate.Valid():
		return domain.VerifyResult{}, &domain.InputError{Field: "birthDate", Reason: "is not a calendar date"}
	}
	req := verifyRequest{
		Xmlns:            Namespace,
		HoVaTen:          name,
		GioiTinh:         sexCode(in.Sex),
		NgayThangNamSinh: vntext.FormatDMY(in.BirthDate, "/"),
	}
	if kind == domain.IDPersonal {
		req.SoDinhDanh = id
	} else {
		req.SoCMND = id
	}
	reqID := c.fillHeader(&req.requestHeader)
	raw, err := c.call(ctx, OpVerify, req)
	if err != nil {
		return domain.VerifyResult{}, err
	}
	return decodeVerify(raw, reqID)
}

// PopulationCounts returns the residents of a province (2-digit code) or
// commune (5-digit code) per domain.StandardAgeBands.
func (c *Client) PopulationCounts(ctx context.Context, unit string) ([]domain.PopulationCount, error) {
	unit = strings.TrimSpace(unit)
	if k := len(unit); (k != 2 && k != 5) || !digits(unit) {
		return nil, &domain.InputError{Field: "adminUnit", Reason: "must be a 2-digit province or 5-digit commune code"}
	}
	req := countRequest{Xmlns: Namespace, MaDonViHanhChinh: unit}
	reqID := c.fillHeader(&req.requestHeader)
	raw, err := c.call(ctx, OpCount, req)
	if err != nil {
		return nil, err
	}
	return decodeCounts(raw, reqID, unit)
}

// Ping asks for one province's counts: cheap, and it proves the credentials
// as well as the connection.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.PopulationCounts(ctx, pingUnit)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // the service answered; the directory is not Ping's business
	}
	return err
}

// fillHeader sets the request header; MaYeuCau is unique per call, as the
// system's own audit log requires.
func (c *Client) fillHeader(h *requestHeader) string {
	id := c.newRequestID()
	*h = requestHeader{
		MaYeuCau:  id,
		MaDVC:     c.cfg.ServiceCode,
		MaTichHop: c.cfg.IntegrationCode,
		MaDonVi:   c.cfg.AgencyCode,
		MaCanBo:   c.cfg.OfficerCode,
	}
	return id
}

func sexCode(s domain.Sex) string {
	switch s {
	case domain.SexMale:
		return "1"
	case domain.SexFemale:
		return "2"
	}
	return "0"
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
