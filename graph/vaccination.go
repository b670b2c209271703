package graph

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
	"github.com/vn-epidemic/hub/vntext"
)

// vietnamTime is the zone "today" is reckoned in (insurance validity).
var vietnamTime = time.FixedZone("ICT", 7*60*60)

// vaccination loads a citizen's record from the vaccination platform. The
// platform may hold it under the old CMND, which only the registry knows, so
// this first awaits the (batched, cached) registry lookup; when the registry
// is failing it goes on with the 12-digit ID alone rather than failing too.
func (r *Resolver) vaccination(ctx context.Context, c *model.Citizen) (*model.Vaccination, error) {
	l := r.loadersFrom(ctx)
	key := vaccKey{ID: c.ID}
	if p, err := l.person.Load(ctx, c.ID); err == nil {
		key.OldID = p.OldID
	}
	rec, err := l.record.Load(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		// No record is an answer, not a failure: nothing recorded yet.
		return &model.Vaccination{PersonID: key.ID, OldID: key.OldID, Status: domain.VaccinationNone, Doses: []domain.Dose{}}, nil
	}
	if err != nil {
		return nil, err
	}
	doses := slices.Clone(rec.Doses)
	slices.SortStableFunc(doses, func(a, b domain.Dose) int { return a.Number - b.Number })
	if doses == nil {
		doses = []domain.Dose{}
	}
	v := &model.Vaccination{
		PersonID:      key.ID,
		OldID:         key.OldID,
		Status:        rec.Status(),
		Doses:         doses,
		RecordedUnder: optString(rec.PersonID),
	}
	if rec.Recorded != (domain.RecordedIdentity{}) {
		recorded := rec.Recorded
		v.RecordedIdentity = &recorded
	}
	return v, nil
}

// registryCheck compares the identity fields a QR code carries with the
// registry's entry, field by field, without returning the registry's values.
func (r *Resolver) registryCheck(ctx context.Context, q *model.QRLookup) (*model.RegistryCheck, error) {
	if q.Kind == model.QRKindBareID {
		return nil, nil
	}
	person, err := r.loadersFrom(ctx).person.Load(ctx, q.DocumentNumber)
	if err != nil {
		return nil, err
	}
	p := q.Read
	checks := map[domain.IdentityField]bool{}
	idOK := q.DocumentNumber == person.ID || (person.OldID != "" && q.DocumentNumber == person.OldID)
	if p.OldID != "" && person.OldID != "" {
		idOK = idOK && p.OldID == person.OldID
	}
	checks[domain.FieldID] = idOK
	if p.FullName != "" {
		checks[domain.FieldFullName] = sameQRName(q.Kind, p.FullName, person.Name.Full())
	}
	if !p.BirthDate.IsZero() {
		checks[domain.FieldBirthDate] = sameBirthDate(p.BirthDate, person.BirthDate)
	}
	if p.Sex != domain.SexUnknown {
		checks[domain.FieldSex] = p.Sex == person.Sex
	}
	out := &model.RegistryCheck{Agrees: true, Fields: fieldChecks(checks)}
	for _, f := range out.Fields {
		out.Agrees = out.Agrees && f.Matches
	}
	return out, nil
}

// sameQRName compares a printed name with the registry's. The 1405 QR prints
// names folded to ASCII capitals, so only the folded forms can be compared;
// chip cards print diacritics (often in capitals), which must then agree.
func sameQRName(kind model.QRKind, printed, registered string) bool {
	if kind == model.QRKindPersonal1405 {
		return vntext.Fold(printed) == vntext.Fold(registered)
	}
	return vntext.SameName(printed, registered)
}

// sameBirthDate compares dates, by year only when either side knows only the year.
func sameBirthDate(a, b domain.Date) bool {
	if a.YearOnly() || b.YearOnly() {
		return a.Year == b.Year
	}
	return a == b
}
