package graph

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
	"github.com/vn-epidemic/hub/qr"
)

// Turning client inputs into domain inputs: validate everything first, so a
// bad input changes nothing and no upstream is asked.

func verifyRequest(in model.VerifyIdentityInput, now time.Time) (domain.VerifyRequest, domain.IDKind, error) {
	id, kind, err := documentNumber("input.id", in.ID)
	if err != nil {
		return domain.VerifyRequest{}, kind, err
	}
	name, err := personName("input.fullName", in.FullName)
	if err != nil {
		return domain.VerifyRequest{}, kind, err
	}
	if err := sexInput("input.sex", in.Sex); err != nil {
		return domain.VerifyRequest{}, kind, err
	}
	if err := birthDate("input.birthDate", in.BirthDate, now); err != nil {
		return domain.VerifyRequest{}, kind, err
	}
	return domain.VerifyRequest{ID: id, FullName: name, Sex: in.Sex, BirthDate: in.BirthDate}, kind, nil
}

func doseInput(in model.RecordDoseInput, now time.Time) (domain.DoseInput, domain.RecordedIdentity, domain.IDKind, error) {
	fail := func(err error) (domain.DoseInput, domain.RecordedIdentity, domain.IDKind, error) {
		return domain.DoseInput{}, domain.RecordedIdentity{}, domain.IDUnknown, err
	}
	req, kind, err := verifyRequest(model.VerifyIdentityInput{
		ID: in.PersonID, FullName: in.FullName, Sex: in.Sex, BirthDate: in.BirthDate,
	}, now)
	if err != nil {
		var ie *domain.InputError
		if errors.As(err, &ie) && ie.Field == "input.id" {
			ie.Field = "input.personId"
		}
		return fail(err)
	}
	if in.DoseNumber < 1 || in.DoseNumber > maxDoseNumber {
		return fail(inputErr("input.doseNumber", "must be between 1 and 10"))
	}
	if !in.Date.Valid() || in.Date.YearOnly() || in.Date.Time().After(now) {
		return fail(inputErr("input.date", "must be a full date, not in the future"))
	}
	if !in.BirthDate.YearOnly() && in.Date.Time().Before(in.BirthDate.Time()) {
		return fail(inputErr("input.date", "must not be before the date of birth"))
	}
	lot, err := code("input.lot", in.Lot, "-/.")
	if err != nil {
		return fail(err)
	}
	site, err := code("input.siteCode", in.SiteCode, "-_")
	if err != nil {
		return fail(err)
	}
	dose := domain.DoseInput{
		PersonID: req.ID, Number: in.DoseNumber, Kind: in.Kind, Date: in.Date,
		Vaccine: in.Vaccine, Lot: lot, SiteCode: site,
	}
	identity := domain.RecordedIdentity{ID: req.ID, FullName: req.FullName, Sex: req.Sex, BirthDate: req.BirthDate}
	return dose, identity, kind, nil
}

// recordUnderPersonalID moves a dose verified by old CMND onto the person's
// 12-digit ID: records kept under old IDs are what the reconciliation campaign
// has to clean up. When the registry lookup fails the dose stays under the
// CMND it was verified with; the write is not refused for that.
func (r *Resolver) recordUnderPersonalID(ctx context.Context, in *domain.DoseInput, identity *domain.RecordedIdentity) {
	p, err := r.loadersFrom(ctx).person.Load(ctx, in.PersonID)
	if err != nil || domain.ClassifyID(p.ID) != domain.IDPersonal {
		return
	}
	in.PersonID, identity.ID = p.ID, p.ID
}

func (r *Resolver) declarationInput(in model.HealthDeclarationInput, now time.Time) (domain.DeclarationInput, error) {
	var out domain.DeclarationInput
	var err error
	if out.PersonID, _, err = documentNumber("input.documentNumber", in.DocumentNumber); err != nil {
		return out, err
	}
	if out.FullName, err = personName("input.fullName", in.FullName); err != nil {
		return out, err
	}
	if in.BirthYear < minBirthYear || in.BirthYear > now.Year() {
		return out, inputErr("input.birthYear", "must be a year between 1900 and this year")
	}
	if err = sexInput("input.sex", in.Sex); err != nil {
		return out, err
	}
	if out.Nationality, err = nationality("input.nationality", in.Nationality); err != nil {
		return out, err
	}
	if out.Phone, err = phone("input.phone", in.Phone); err != nil {
		return out, err
	}
	if out.CommuneCode, err = r.communeCode("input.communeCode", in.CommuneCode); err != nil {
		return out, err
	}
	if out.Address, err = freeText("input.address", in.Address, 0, maxAddressLen); err != nil {
		return out, err
	}
	if in.Transport != nil {
		if out.Transport, err = freeText("input.transport", *in.Transport, 0, maxTransportLen); err != nil {
			return out, err
		}
	}
	out.Kind, out.BirthYear, out.Sex = in.Kind, in.BirthYear, in.Sex
	out.Symptoms = dedupe(in.Symptoms)
	out.Exposures = dedupe(in.Exposures)
	return out, nil
}

func (r *Resolver) passageInput(in model.CheckpointPassageInput, now time.Time) (domain.PassageInput, error) {
	var out domain.PassageInput
	var err error
	if out.PersonID, _, err = documentNumber("input.documentNumber", in.DocumentNumber); err != nil {
		return out, err
	}
	if out.FullName, err = personName("input.fullName", in.FullName); err != nil {
		return out, err
	}
	if out.Nationality, err = nationality("input.nationality", in.Nationality); err != nil {
		return out, err
	}
	if out.CheckpointCode, err = code("input.checkpointCode", in.CheckpointCode, "-_"); err != nil {
		return out, err
	}
	out.Time = now
	if in.Time != nil {
		if in.Time.After(now.Add(futureSkew)) {
			return out, inputErr("input.time", "must not be in the future")
		}
		out.Time = *in.Time
	}
	if in.OriginCommune != nil && *in.OriginCommune != "" {
		if out.OriginCommune, err = r.communeCode("input.originCommune", *in.OriginCommune); err != nil {
			return out, err
		}
	}
	if out.DestinationCommune, err = r.communeCode("input.destinationCommune", in.DestinationCommune); err != nil {
		return out, err
	}
	if in.Vehicle != nil {
		if out.Vehicle, err = freeText("input.vehicle", *in.Vehicle, 0, maxCodeLen); err != nil {
			return out, err
		}
	}
	out.Direction = in.Direction
	return out, nil
}

func (r *Resolver) feedbackInput(in model.SubmitFeedbackInput) (domain.FeedbackInput, error) {
	var out domain.FeedbackInput
	var err error
	if out.PersonID, _, err = personID("input.personId", in.PersonID); err != nil {
		return out, err
	}
	if out.CommuneCode, err = r.communeCode("input.communeCode", in.CommuneCode); err != nil {
		return out, err
	}
	if out.Text, err = freeText("input.text", in.Text, 1, maxTextLen); err != nil {
		return out, err
	}
	out.Category = in.Category
	return out, nil
}

func (r *Resolver) arrivalsQuery(provinceCode, communeCode *string, from, to time.Time) (domain.ArrivalsQuery, error) {
	var q domain.ArrivalsQuery
	hasProvince := provinceCode != nil && *provinceCode != ""
	hasCommune := communeCode != nil && *communeCode != ""
	var err error
	switch {
	case hasProvince == hasCommune:
		return q, inputErr("provinceCode", "give exactly one of provinceCode and communeCode")
	case hasProvince:
		if q.ProvinceCode, err = r.provinceCode("provinceCode", *provinceCode); err != nil {
			return q, err
		}
	default:
		if q.CommuneCode, err = r.communeCode("communeCode", *communeCode); err != nil {
			return q, err
		}
	}
	if !from.Before(to) {
		return q, inputErr("to", "must be after from")
	}
	if to.Sub(from) > maxArrivalsWindow {
		return q, inputErr("to", "the window from..to must be at most 31 days")
	}
	q.From, q.To = from, to
	return q, nil
}

// readQR parses a QR payload into what the client sees of it.
func readQR(payload string) (*model.QRLookup, error) {
	p, err := qr.Parse(payload)
	if err != nil {
		var qe *qr.Error
		if errors.As(err, &qe) {
			return nil, inputErr("payload", "is not a readable QR code: "+qe.Reason)
		}
		return nil, inputErr("payload", "is not a readable QR code")
	}
	out := &model.QRLookup{Read: p, BirthDate: p.BirthDate, IssueDate: p.IssueDate, OldID: optString(p.OldID)}
	switch p.Kind {
	case qr.KindChipCard:
		out.Kind = model.QRKindChipCard
	case qr.KindPersonal1405:
		out.Kind = model.QRKindPersonal1405
		onBehalf := p.OnBehalf
		out.OnBehalf = &onBehalf
	case qr.KindBareID:
		out.Kind = model.QRKindBareID
	default:
		return nil, inputErr("payload", "is not a chip ID card QR, a personal QR (Decision 1405) or an ID number")
	}
	if out.DocumentNumber, _, err = personID("payload", p.ID); err != nil {
		return nil, inputErr("payload", "does not carry a valid 12-digit personal ID or 9-digit CMND")
	}
	out.FullName = optString(p.FullName)
	if p.Sex != domain.SexUnknown {
		sex := p.Sex
		out.Sex = &sex
	}
	return out, nil
}

// dedupe drops repeated values, keeping the first occurrence's order.
func dedupe[T comparable](in []T) []T {
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
