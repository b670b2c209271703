package qr

import (
	"github.com/vn-epidemic/hub/domain"
)

// MaxPayloadBytes is the largest payload Parse accepts; real codes are a few
// hundred bytes, and the limit keeps hostile input cheap to refuse.
const MaxPayloadBytes = 2048

// Kind says which QR layout a payload was read as.
type Kind int

const (
	KindUnknown Kind = iota
	KindChipCard
	KindPersonal1405
	KindBareID
	KindInsuranceCard
)

func (k Kind) String() string {
	switch k {
	case KindChipCard:
		return "chip card"
	case KindPersonal1405:
		return "personal 1405"
	case KindBareID:
		return "bare id"
	case KindInsuranceCard:
		return "insurance card"
	}
	return "unknown"
}

// Payload is what a QR code says about its holder. Text fields are
// vntext.Normalize'd (NFC, trimmed) but otherwise as printed: an upper-case
// name stays upper-case.
type Payload struct {
	Kind      Kind
	ID        string // 12-digit personal ID, or 9-digit CMND (bare ID); 1405: IDNumber; insurance: holder ID if printed
	OldID     string // chip card field 2 (may be empty)
	FullName  string
	BirthDate domain.Date
	Sex       domain.Sex
	Address   string      // chip card permanent address / insurance address
	IssueDate domain.Date // chip card or insurance card issue date
	OnBehalf  bool        // 1405: declared on someone's behalf
	QID       string      // 1405
	// Extras holds the 1405 EXT split on '<', the four extra fields of a mid-2024
	// chip card, or the insurance fields after the eleventh, all as given; nil
	// when the layout has none.
	Extras        []string
	InsuranceCode string // insurance card code (15 characters, or the 10-digit number on new cards); 1405 extras when present
	// Insurance is everything an insurance card QR carries (KindInsuranceCard only;
	// ClinicName is never in the code).
	Insurance domain.InsuranceCard
}

// Error is a payload Parse refused. Reason is a fixed phrase from this package
// and never contains any part of the payload.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return "qr: " + e.Reason }

func fail(reason string) (Payload, error) { return Payload{}, &Error{Reason: reason} }
