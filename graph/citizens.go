package graph

import (
	"context"
	"errors"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
	"github.com/vn-epidemic/hub/vntext"
)

// errCitizenNotFound is the NOT_FOUND of a citizen lookup.
var errCitizenNotFound = &NotFoundError{What: "citizen"}

// citizenRef turns an ID found anywhere (a query argument, a passage, a
// reconciliation record) into a Citizen:
//   - passports and unrecognised numbers: no citizen (nil, nil);
//   - a 12-digit ID: the citizen, lazily, even when the population database
//     is failing (its fields then report the failure at their own paths);
//   - a 9-digit CMND: needs the population database to learn the 12-digit ID.
//
// The registry is asked through the request's person loader, so many
// references in one response are one batch. When the registry does not know
// the ID, strict lookups (the client asked for this citizen) fail with
// NOT_FOUND; references from other records are simply null.
func (r *Resolver) citizenRef(ctx context.Context, id string, strict bool) (*model.Citizen, error) {
	kind := domain.ClassifyID(id)
	if kind != domain.IDPersonal && kind != domain.IDOld {
		return nil, nil
	}
	l := r.loadersFrom(ctx)
	person, err := l.person.Load(ctx, id)
	switch {
	case err == nil:
		if person.ID == "" {
			person.ID = id
		}
		if person.ID != id {
			// Found by CMND: prime the 12-digit key so its fields hit the cache.
			l.person.Prime(ctx, person.ID, person)
		}
		return &model.Citizen{ID: person.ID}, nil
	case errors.Is(err, domain.ErrNotFound):
		if !strict {
			return nil, nil
		}
		var upErr *domain.UpstreamError
		if errors.As(err, &upErr) {
			return nil, err // NOT_FOUND, naming the population database
		}
		return nil, errCitizenNotFound
	case kind == domain.IDPersonal:
		return &model.Citizen{ID: id}, nil
	}
	return nil, err
}

// person loads the citizen's registry entry (cached for the request).
func (r *Resolver) person(ctx context.Context, c *model.Citizen) (*domain.Person, error) {
	p, err := r.loadersFrom(ctx).person.Load(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// adminUnit describes a unit code, preferring the directory's official name
// and falling back to the name an upstream sent (units before July 2025).
func (r *Resolver) adminUnit(code, upstreamName string) *model.AdminUnit {
	if code == "" {
		return nil
	}
	u := &model.AdminUnit{Code: code, Level: r.dir.Level(code)}
	if name, ok := r.dir.Name(code); ok {
		u.Name = &name
	} else if n := vntext.Normalize(upstreamName); n != "" {
		u.Name = &n
	}
	if u.Level == adminunit.LevelCommune {
		if p, ok := r.dir.ProvinceOf(code); ok {
			u.Province = r.adminUnit(p, "")
		}
	}
	return u
}

// fieldChecks lists verification results in the canonical field order.
func fieldChecks(m map[domain.IdentityField]bool) []model.FieldCheck {
	out := make([]model.FieldCheck, 0, len(m))
	for _, f := range domain.IdentityFields {
		if ok, present := m[f]; present {
			out = append(out, model.FieldCheck{Field: f, Matches: ok})
		}
	}
	return out
}

func mismatchedFields(m map[domain.IdentityField]bool) []domain.IdentityField {
	var out []domain.IdentityField
	for _, f := range domain.IdentityFields {
		if ok, present := m[f]; present && !ok {
			out = append(out, f)
		}
	}
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
