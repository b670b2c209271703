// Package model holds the graph's Go models: the ones gqlgen generates
// (models_gen.go), the hand-written ones whose fields resolve lazily per
// upstream, and the Date and DateTime scalars over the domain's types. It
// knows GraphQL's shapes, never a ministry's wire format.
package model

import (
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/qr"
)

// Citizen is a reference to a person by 12-digit personal ID. Nothing else is
// loaded up front: each field asks its own upstream (through the request's
// loaders), so one ministry failing nulls only its own fields.
type Citizen struct {
	ID string
}

// Vaccination is a person's record on the vaccination platform. PersonID and
// OldID are the lookup keys the certificate and reconciliation fields reuse.
type Vaccination struct {
	PersonID         string
	OldID            string
	Status           domain.VaccinationStatus
	Doses            []domain.Dose
	RecordedUnder    *string
	RecordedIdentity *domain.RecordedIdentity
}

// QRLookup is what a QR code said. Read keeps the whole parsed payload for the
// registry check; only the fields in the schema are ever sent to clients.
type QRLookup struct {
	Kind           QRKind
	DocumentNumber string
	OldID          *string
	FullName       *string
	BirthDate      domain.Date
	Sex            *domain.Sex
	IssueDate      domain.Date
	OnBehalf       *bool
	Read           qr.Payload
}

// Coverage is an admin unit's coverage; the counts are loaded by its fields.
type Coverage struct {
	AdminUnit *AdminUnit
}

// The models below are hand-written rather than generated because their
// fields are nullable in the schema only so that access control can withhold
// them (see the @personal directive): the values themselves are always there.

// IdentityVerification is the answer of verifyIdentity. Subject is the ID
// the caller presented: whose data the answer is about, for access control;
// it is never sent.
type IdentityVerification struct {
	Outcome domain.VerifyOutcome
	Fields  []FieldCheck
	Subject string
}

// RecordDosePayload is the result of recordDose.
type RecordDosePayload struct {
	Dose         *domain.Dose
	Verification domain.VerifyOutcome
}

// Traveller is a traveller as declared at a checkpoint.
type Traveller struct {
	DocumentNumber string
	DocumentKind   domain.IDKind
	Name           string
	Nationality    string
}

// RegistryCheck is the agreement of a QR code's identity fields with the
// population database.
type RegistryCheck struct {
	Agrees bool
	Fields []FieldCheck
}

// FieldCheck is whether one presented field matches the registry.
type FieldCheck struct {
	Field   domain.IdentityField
	Matches bool
}

// Clinic is a health facility registered for primary care.
type Clinic struct {
	Code string
	Name string
}
