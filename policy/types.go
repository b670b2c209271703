package policy

// Class is a data class: a kind of personal data the schema labels its
// fields with. The set is fixed in code because the schema's directive and
// the masks depend on it; the policy file may only name these.
type Class string

// The data classes. Aggregates (coverage counts) are not a class: they carry
// no personal data and are governed by the operations a role may call.
const (
	Identity  Class = "IDENTITY"  // who the person is: names, sex, birth date, ID numbers, nationality, ethnicity
	Contact   Class = "CONTACT"   // how to reach them: phone numbers, contact addresses given in declarations
	Residence Class = "RESIDENCE" // where they live: permanent and current residence
	Health    Class = "HEALTH"    // vaccination doses, certificates, reconciliation, symptoms and exposures
	Insurance Class = "INSURANCE" // health insurance card, benefit level, registered clinic
	Movement  Class = "MOVEMENT"  // checkpoint passages, travel declarations, vehicles
	Audit     Class = "AUDIT"     // the access log: who looked at whose data, when and why
)

// numClasses sizes the per-grant effect tables.
const numClasses = 7

// Classes lists every data class in a fixed order. The slice is the
// caller's own.
func Classes() []Class {
	return []Class{Identity, Contact, Residence, Health, Insurance, Movement, Audit}
}

// classIndex maps a class to its slot in an effect table. A switch rather
// than a map keeps Decide free of hashing on the hot path.
func classIndex(c Class) (int, bool) {
	switch c {
	case Identity:
		return 0, true
	case Contact:
		return 1, true
	case Residence:
		return 2, true
	case Health:
		return 3, true
	case Insurance:
		return 4, true
	case Movement:
		return 5, true
	case Audit:
		return 6, true
	}
	return 0, false
}

// Valid reports whether c is one of the data classes.
func (c Class) Valid() bool {
	_, ok := classIndex(c)
	return ok
}

// LocalityRule says whose data a grant reaches, relative to the locality the
// principal's token carries.
type LocalityRule string

const (
	// LocalityCommune: subjects whose commune is one of the token's communes.
	// Provinces in the token do not widen it.
	LocalityCommune LocalityRule = "commune"
	// LocalityProvince: subjects whose province is one of the token's
	// provinces (a commune's province counts), or whose commune is one of
	// the token's communes (a narrower token).
	LocalityProvince LocalityRule = "province"
	// LocalityNational: every subject, whatever locality the token carries,
	// including subjects whose locality is unknown.
	LocalityNational LocalityRule = "national"
	// LocalitySelf: only the subject whose citizen ID is the token's.
	LocalitySelf LocalityRule = "self"
	// LocalityNone: nobody's data; the grant may name no classes.
	LocalityNone LocalityRule = "none"
)

func (l LocalityRule) valid() bool {
	switch l {
	case LocalityCommune, LocalityProvince, LocalityNational, LocalitySelf, LocalityNone:
		return true
	}
	return false
}

// Effect is what happens to a field. The zero value is Deny, and the order
// Deny < Mask < Allow is what "most permissive across roles" compares.
type Effect uint8

const (
	Deny  Effect = iota // null plus a FORBIDDEN error at the field's path
	Mask                // the value with its identifying part hidden (see the Mask functions)
	Allow               // the value as it is
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "allow"
	case Mask:
		return "mask"
	}
	return "deny"
}

// Reason is a short machine code saying why a decision came out as it did.
// It is safe to log and to put in audit records: it never carries personal
// data.
type Reason string

const (
	ReasonAllowed             Reason = "allowed"               // a grant allows it
	ReasonMasked              Reason = "masked"                // a grant allows it masked only
	ReasonNoPolicy            Reason = "no_policy"             // no policy was loaded (nil *Policy)
	ReasonNoPrincipal         Reason = "no_principal"          // unauthenticated
	ReasonNoRole              Reason = "no_role"               // the principal holds no role the policy knows
	ReasonNoPurpose           Reason = "no_purpose"            // the token declares no purpose of use
	ReasonUnknownPurpose      Reason = "unknown_purpose"       // the declared purpose is not one of the policy's purposes
	ReasonPurposeNotAllowed   Reason = "purpose_not_allowed"   // no role of the principal may use the declared purpose
	ReasonUnknownClass        Reason = "unknown_class"         // the caller asked about a class that does not exist
	ReasonClassNotGranted     Reason = "class_not_granted"     // the grant for this purpose does not cover the class
	ReasonOutsideLocality     Reason = "outside_locality"      // the subject lives outside the principal's locality
	ReasonUnknownLocality     Reason = "unknown_locality"      // the subject's locality is unknown or inconsistent, and the rule needs it
	ReasonNotSelf             Reason = "not_self"              // self-service, and the subject is someone else
	ReasonUnknownOperation    Reason = "unknown_operation"     // the operation is not declared in the policy
	ReasonOperationNotGranted Reason = "operation_not_granted" // the grant for this purpose does not list the operation
)

// Decision is the answer for one field or operation.
type Decision struct {
	Effect Effect
	Reason Reason
}

// Subject is whose data a field holds and where they live, as far as the
// caller knows. Codes are post-2025 units (2-digit province, 5-digit
// commune); CitizenID is the 12-digit personal ID the record is held under.
type Subject struct {
	CitizenID    string
	ProvinceCode string
	CommuneCode  string
	// Known is true when the caller knows the subject's locality. When it
	// is false, rules that depend on locality deny (fail closed).
	Known bool
}
