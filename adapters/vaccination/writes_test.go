package vaccination

import (
	"context"
	"errors"
	"testing"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/faults"
	"github.com/vn-epidemic/hub/mocks/synth"
	standin "github.com/vn-epidemic/hub/mocks/vaccination"
)

func unvaccinated(t testing.TB, skip int) int64 {
	p := population(t)
	return findCitizen(t, func(i int64, v synth.Vaccination, ok bool) bool {
		if ok || p.At(i).BirthDate.YearOnly() || p.At(i).OldID != "" {
			return false
		}
		skip--
		return skip < 0
	})
}

func doseInput(t testing.TB, i int64, n int) (domain.DoseInput, domain.RecordedIdentity) {
	p := population(t)
	per := p.At(i)
	in := domain.DoseInput{PersonID: per.ID, Number: n, Kind: domain.DoseBasic,
		Date: domain.Date{Year: 2022, Month: 2, Day: n}, Vaccine: domain.VaccinePfizer, Lot: "fk1234",
		SiteCode: p.Sites(per.Current.CommuneCode)[0].Code}
	id := domain.RecordedIdentity{FullName: per.Name.Full(), Sex: per.Sex, BirthDate: per.BirthDate}
	return in, id
}

func TestRecordDose(t *testing.T) {
	var rec keyRecorder
	e := newEnv(t, func(o *envOption) { o.wrap = rec.wrap })
	ctx := context.Background()
	p := population(t)
	i := unvaccinated(t, 0)
	in, id := doseInput(t, i, 1)

	d, err := e.client.RecordDose(ctx, in, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.PersonID != in.PersonID || d.Number != 1 || d.Vaccine != domain.VaccinePfizer || d.Lot != "FK1234" ||
		d.Site.CommuneCode != p.At(i).Current.CommuneCode || d.RecordID == "" {
		t.Errorf("dose %+v", d)
	}
	recs, errs := e.client.Records(ctx, []PersonKey{{ID: in.PersonID}})
	if errs[0] != nil || len(recs[0].Doses) != 1 || recs[0].Doses[0] != d {
		t.Errorf("record after write: %+v %v", recs[0], errs[0])
	}

	// The platform's refusals come back as rejections with its code.
	_, err = e.client.RecordDose(ctx, in, id)
	wantKind(t, err, domain.ErrRejected, "INVALID_DOSE_NUMBER")
	wrong := id
	wrong.FullName = "Nguyen Van Sai"
	in2, _ := doseInput(t, i, 2)
	_, err = e.client.RecordDose(ctx, in2, wrong)
	wantKind(t, err, domain.ErrRejected, "IDENTITY_NOT_VERIFIED")

	// Each write carries its own random Idempotency-Key.
	if len(rec.keys) != 3 || rec.keys[0] == "" || rec.keys[0] == rec.keys[1] || rec.keys[1] == rec.keys[2] {
		t.Errorf("idempotency keys %q", rec.keys)
	}
}

func TestRecordDoseInputErrorsMakeNoCall(t *testing.T) {
	e := newEnv(t)
	in, id := doseInput(t, unvaccinated(t, 1), 1)
	tests := []struct {
		name  string
		field string
		mod   func(*domain.DoseInput, *domain.RecordedIdentity)
	}{
		{"bad person id", "personId", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.PersonID = "12" }},
		{"identity id differs", "identity.id", func(_ *domain.DoseInput, id *domain.RecordedIdentity) { id.ID = "001090000001" }},
		{"unknown vaccine", "vaccine", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.Vaccine = "SPUTNIK_LIGHT" }},
		{"unknown kind", "kind", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.Kind = "EXTRA" }},
		{"dose zero", "number", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.Number = 0 }},
		{"year-only date", "date", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.Date = domain.Date{Year: 2022} }},
		{"no lot", "lot", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.Lot = " " }},
		{"no site", "siteCode", func(in *domain.DoseInput, _ *domain.RecordedIdentity) { in.SiteCode = "" }},
		{"no name", "identity.fullName", func(_ *domain.DoseInput, id *domain.RecordedIdentity) { id.FullName = "\r\n" }},
		{"unknown sex", "identity.sex", func(_ *domain.DoseInput, id *domain.RecordedIdentity) { id.Sex = domain.SexUnknown }},
		{"no birth date", "identity.birthDate", func(_ *domain.DoseInput, id *domain.RecordedIdentity) { id.BirthDate = domain.Date{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, id := in, id
			tt.mod(&in, &id)
			_, err := e.client.RecordDose(context.Background(), in, id)
			var ie *domain.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("error %v, want input error on %s", err, tt.field)
			}
		})
	}
	if got := e.count(standin.OpDosesRecord); got != 0 {
		t.Errorf("%d calls for invalid input", got)
	}
}

func TestRecordDoseIsNeverRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.client.Ping(ctx); err != nil { // fetch the token first
		t.Fatal(err)
	}
	if err := e.platform.Faults().SetProfile(faults.Profile{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	in, id := doseInput(t, unvaccinated(t, 2), 1)
	_, err := e.client.RecordDose(ctx, in, id)
	wantKind(t, err, domain.ErrUnavailable, "HTTP 500")
	if got := e.count(standin.OpDosesRecord); got != 1 {
		t.Errorf("write sent %d times", got)
	}
	if opRecordDose.Idempotent {
		t.Error("doses.record must not be marked idempotent")
	}
}

func TestFeedbackThroughTheAdapter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	commune := population(t).At(0).Current.CommuneCode
	fb, err := e.client.CreateFeedback(ctx, domain.FeedbackInput{PersonID: "001090000001", CommuneCode: commune,
		Category: domain.FeedbackMissingDose, Text: "Tôi đã tiêm mũi 3\r\n nhưng chưa thấy cập nhật."})
	if err != nil {
		t.Fatal(err)
	}
	if fb.Status != domain.FeedbackOpen || fb.Text != "Tôi đã tiêm mũi 3 nhưng chưa thấy cập nhật." || fb.CreatedAt.IsZero() {
		t.Errorf("created %+v", fb)
	}
	page, err := e.client.ListFeedback(ctx, domain.FeedbackFilter{CommuneCode: commune}, domain.PageRequest{Limit: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != fb.ID || page.Total != -1 {
		t.Fatalf("list %+v, %v", page, err)
	}
	// Walk the whole list through the cursor.
	seen := map[string]bool{}
	for req := (domain.PageRequest{Limit: 2}); ; {
		page, err := e.client.ListFeedback(ctx, domain.FeedbackFilter{CommuneCode: commune}, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Items {
			if seen[f.ID] {
				t.Fatalf("duplicate %s", f.ID)
			}
			seen[f.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	if !seen[fb.ID] {
		t.Error("created feedback not listed")
	}
	res, err := e.client.ResolveFeedback(ctx, fb.ID, "Đã cập nhật.", "TYT-"+commune)
	if err != nil || res.Status != domain.FeedbackResolved || res.ResolvedAt.IsZero() || res.ResolvedBy != "TYT-"+commune {
		t.Fatalf("resolve %+v, %v", res, err)
	}
	_, err = e.client.ResolveFeedback(ctx, fb.ID, "Lần hai.", "TYT-"+commune)
	wantKind(t, err, domain.ErrRejected, "ALREADY_RESOLVED")
	_, err = e.client.ResolveFeedback(ctx, "FB-"+commune+"-N999", "x", "y")
	wantKind(t, err, domain.ErrNotFound, "NOT_FOUND")

	var ie *domain.InputError
	if _, err := e.client.ResolveFeedback(ctx, "../x", "x", "y"); !errors.As(err, &ie) {
		t.Errorf("path-breaking id: %v", err)
	}
	if _, err := e.client.ListFeedback(ctx, domain.FeedbackFilter{}, domain.PageRequest{}); !errors.As(err, &ie) {
		t.Errorf("unfiltered list: %v", err)
	}
	if _, err := e.client.CreateFeedback(ctx, domain.FeedbackInput{PersonID: "001090000001", CommuneCode: commune, Category: "RUDE", Text: "x"}); !errors.As(err, &ie) {
		t.Errorf("bad category: %v", err)
	}
	// A cursor the platform did not issue is the platform's to refuse.
	_, err = e.client.ListFeedback(ctx, domain.FeedbackFilter{CommuneCode: commune}, domain.PageRequest{Cursor: "AQID"})
	wantKind(t, err, domain.ErrRejected, "INVALID_PAGE_TOKEN")
}
