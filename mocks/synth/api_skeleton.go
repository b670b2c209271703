// Package synth generates a deterministic synthetic population of Vietnam on
// demand: every person, vaccination record, insurance card, declaration and
// checkpoint passage is computed from (seed, index) when asked for and never
// stored, so 1 million or 100 million citizens take the same memory. The
// ministry stand-ins serve their data from it; the hub never imports it.
package synth

// SKELETON: the synth helper replaces this file with the real implementation.

import (
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

// Config fixes a population. Equal configs give identical populations.
type Config struct {
	Seed  uint64
	Size  int64     // citizens; 0 means 1,000,000
	Epoch time.Time // the simulated "now": ages, recent passages and declarations are relative to it; zero means 2026-01-01T00:00:00+07:00
}

// Population is a synthetic population. Immutable; safe for concurrent use.
type Population struct{}

// New builds the population's index structures (memory independent of Size).
func New(cfg Config, dir *adminunit.Directory) (*Population, error) { panic("synth: skeleton") }

// Config returns the effective configuration (defaults filled in).
func (p *Population) Config() Config { panic("synth: skeleton") }

// Directory returns the administrative units the population lives in.
func (p *Population) Directory() *adminunit.Directory { panic("synth: skeleton") }

// Size is the number of citizens (foreigners not included).
func (p *Population) Size() int64 { panic("synth: skeleton") }

// At returns citizen i, 0 <= i < Size().
func (p *Population) At(i int64) domain.Person { panic("synth: skeleton") }

// Lookup finds a citizen by 12-digit personal ID or 9-digit CMND in O(1).
func (p *Population) Lookup(id string) (int64, bool) { panic("synth: skeleton") }

// CardIssued is the issue date of citizen i's chip ID card (printed in its QR).
func (p *Population) CardIssued(i int64) domain.Date { panic("synth: skeleton") }

// Phone is citizen i's phone number as declared in health declarations.
func (p *Population) Phone(i int64) string { panic("synth: skeleton") }

// EachResident calls fn for each citizen whose current residence is in unit
// (a 2-digit province or 5-digit commune code), in a stable order, starting
// at position from (0 for the start). pos is the resumable position of the
// person: calling again with from = pos+1 continues after them. Stops when fn
// returns false. Cost is O(buckets + residents visited).
func (p *Population) EachResident(unit string, from int64, fn func(pos int64, i int64) bool) {
	panic("synth: skeleton")
}

// ResidentCount counts residents of unit in an age band (on the Epoch date)
// without enumerating them.
func (p *Population) ResidentCount(unit string, band domain.AgeBand) int64 { panic("synth: skeleton") }

// Defect is one kind of data-entry error in a vaccination record.
type Defect string

const (
	DefectNoDiacritics Defect = "NO_DIACRITICS"
	DefectNameTypo     Defect = "NAME_TYPO"
	DefectDaySwap      Defect = "DAY_MONTH_SWAPPED"
	DefectWrongSex     Defect = "WRONG_SEX"
	DefectOldID        Defect = "OLD_ID_INSTEAD_OF_NEW"
	DefectMissingDose  Defect = "MISSING_DOSE"
)

// Vaccination is what the vaccination platform holds on one person.
type Vaccination struct {
	Record         domain.VaccinationRecord // as the platform holds it, defects included
	Defects        []Defect
	Reconciliation domain.Reconciliation
	Certificate    domain.Certificate
}

// Vaccination derives citizen i's platform record; ok is false when the person
// was never vaccinated and has no record.
func (p *Population) Vaccination(i int64) (Vaccination, bool) { panic("synth: skeleton") }

// PlatformRecord finds the vaccination record held under id (12-digit ID,
// 9-digit CMND or passport), as the platform would: a record entered under a
// person's old ID is found by that old ID, not by the new one.
func (p *Population) PlatformRecord(id string) (Vaccination, bool) { panic("synth: skeleton") }

// Insurance derives citizen i's health insurance card; ok is false for the
// uninsured minority.
func (p *Population) Insurance(i int64) (domain.InsuranceCard, bool) { panic("synth: skeleton") }

// Declarations are the health declarations citizen i submitted in the 30 days
// before Epoch, newest first.
func (p *Population) Declarations(i int64) []domain.HealthDeclaration { panic("synth: skeleton") }

// Passages are citizen i's checkpoint passages in the 30 days before Epoch, newest first.
func (p *Population) Passages(i int64) []domain.Passage { panic("synth: skeleton") }

// EachArrival calls fn for each IN passage into the query's province or
// commune within [From, To), newest first, starting at position from; pos
// resumes as in EachResident. Cost is proportional to passages in the window.
func (p *Population) EachArrival(q domain.ArrivalsQuery, from int64, fn func(pos int64, pa domain.Passage) bool) {
	panic("synth: skeleton")
}

// EpidemicZones are the zone declarations around Epoch.
func (p *Population) EpidemicZones() []domain.EpidemicZone { panic("synth: skeleton") }

// Foreigner is a foreign resident: passport, no population record.
type Foreigner struct {
	Passport    string
	FullName    string
	Sex         domain.Sex
	BirthDate   domain.Date
	Nationality string
	Current     domain.Address
}

// ForeignerCount is the number of foreign residents.
func (p *Population) ForeignerCount() int64 { panic("synth: skeleton") }

// ForeignerAt returns foreigner j, 0 <= j < ForeignerCount().
func (p *Population) ForeignerAt(j int64) Foreigner { panic("synth: skeleton") }

// ForeignerByPassport finds a foreigner by passport number in O(1).
func (p *Population) ForeignerByPassport(passport string) (int64, bool) { panic("synth: skeleton") }

// ForeignerVaccination derives foreigner j's platform record (reconciliation NOT_APPLICABLE).
func (p *Population) ForeignerVaccination(j int64) (Vaccination, bool) { panic("synth: skeleton") }

// Showcase returns a few citizen indexes worth demonstrating, chosen
// deterministically: each kind names why ("full record", "reconciliation
// mismatch", "old ID only on vaccination record", "uninsured", ...).
func (p *Population) Showcase() []Showcased { panic("synth: skeleton") }

// Showcased is one demonstrable citizen.
type Showcased struct {
	Index int64
	Why   string
}
