package domain

import (
	"errors"
	"fmt"
	"time"
)

// Upstream names, as they appear in errors, metrics and /readyz.
const (
	UpstreamPopulation  = "population"
	UpstreamVaccination = "vaccination"
	UpstreamInsurance   = "insurance"
	UpstreamCheckpoint  = "checkpoint"
)

// Sentinel kinds of failure. Adapters wrap them in *UpstreamError; callers
// branch with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrUnavailable     = errors.New("upstream unavailable")
	ErrTimeout         = errors.New("upstream timeout")
	ErrRejected        = errors.New("rejected by upstream")
	ErrBadUpstreamData = errors.New("bad data from upstream")
	ErrRateLimited     = errors.New("rate limited by upstream")
)

// UpstreamError is the one error type adapters return. Its message names the
// upstream and operation and the kind of failure, never personal data.
type UpstreamError struct {
	Upstream   string        // e.g. UpstreamPopulation
	Op         string        // operation, e.g. "TraCuuThongTinCongDan"
	Kind       error         // one of the sentinels above
	Reason     string        // short machine-safe detail, e.g. "HTTP 503" or "SOAP fault MaLoi=401"; no personal data
	RetryAfter time.Duration // from Retry-After, when the upstream sent one
	Err        error         // underlying cause, may be nil
}

func (e *UpstreamError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.Upstream, e.Op, e.Kind)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Unwrap exposes both the kind and the cause to errors.Is / errors.As.
func (e *UpstreamError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// NewUpstreamError builds an *UpstreamError.
func NewUpstreamError(upstream, op string, kind error, reason string, cause error) *UpstreamError {
	return &UpstreamError{Upstream: upstream, Op: op, Kind: kind, Reason: reason, Err: cause}
}

// InputError reports bad input from a hub client: which field, and why, in
// words safe to show (never echoing the value).
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }
