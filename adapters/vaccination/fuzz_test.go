package vaccination

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func seedFixtures(f *testing.F) {
	for _, name := range []string{"record_good.json", "batch_one_bad.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeBatch feeds arbitrary bytes through the batch decoders: they
// must never panic, and whatever they accept must be valid.
func FuzzDecodeBatch(f *testing.F) {
	seedFixtures(f)
	f.Add([]byte(`{"results":[{"requestedId":"001090000001","status":"FOUND","certificate":{"personId":"001090000001","status":"ISSUED","certificateId":"VN-1","issuedAt":"2022-01-01T00:00:00+07:00","dosesCovered":2,"validUntil":"2023-01-01"}}]}`))
	f.Add([]byte(`{"results":[{"requestedId":"001090000001","status":"FOUND","reconciliation":{"personId":"001090000001","communeCode":"00001","status":"MISMATCH","mismatchedFields":["SEX"],"recordedIdentity":{"id":"001090000001","fullName":"A","sex":"MALE","birthDate":"1990"},"checkedAt":"2022-03-01T08:00:00+07:00"}}]}`))
	f.Add([]byte(`{"results":null}`))
	f.Add([]byte(`{"results":[1,"x",null,{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		elems, err := decodeBatch(b)
		if err != nil {
			return
		}
		for _, e := range elems {
			if e.err != nil || !e.found {
				continue
			}
			if rec, err := decodeVaccinationResult(e.raw); err == nil {
				if !validID(rec.PersonID) || !utf8.ValidString(rec.Recorded.FullName) || rec.Recorded.FullName == "" {
					t.Fatalf("accepted invalid record %+v", rec)
				}
				for _, d := range rec.Doses {
					if d.Number < 1 || !d.Date.Valid() || d.Vaccine == "" || d.Kind == "" {
						t.Fatalf("accepted invalid dose %+v", d)
					}
				}
			}
			if c, err := decodeCertificateResult(e.raw); err == nil && (c.Status == "" || c.DosesCovered < 0) {
				t.Fatalf("accepted invalid certificate %+v", c)
			}
			if r, err := decodeReconciliationResult(e.raw); err == nil && (r.Status == "" || !validCommune(r.CommuneCode)) {
				t.Fatalf("accepted invalid reconciliation %+v", r)
			}
		}
	})
}

func FuzzDecodePages(f *testing.F) {
	f.Add([]byte(`{"reconciliations":[],"nextPageToken":"AQID"}`))
	f.Add([]byte(`{"feedback":[{"id":"FB-1","personId":"001090000001","communeCode":"00001","category":"OTHER","text":"x","status":"OPEN","createdAt":"2026-01-01T00:00:00+07:00"}],"nextPageToken":"","totalSize":1}`))
	f.Add([]byte(`{"nextPageToken":"a b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := decodeReconciliationPage(b); err == nil && p.Total < -1 {
			t.Fatalf("total %d", p.Total)
		}
		if p, err := decodeFeedbackPage(b); err == nil {
			for _, f := range p.Items {
				if f.ID == "" || f.CreatedAt.IsZero() || f.Status == "" {
					t.Fatalf("accepted invalid feedback %+v", f)
				}
			}
		}
		_, _ = decodeFeedback(b)
		_, _ = decodeDose(b)
	})
}

func FuzzDecodeStatistics(f *testing.F) {
	f.Add([]byte(`{"adminUnit":"01","counts":[{"doseNumber":1,"ageBand":{"label":"0-4","minAge":0,"maxAge":4},"people":3},{"doseNumber":1,"ageBand":{"label":"65+","minAge":65},"people":0}]}`))
	f.Add([]byte(`{"adminUnit":"01","counts":[{"doseNumber":1,"ageBand":{"minAge":9,"maxAge":2},"people":3}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		counts, err := decodeStatistics(b, "01")
		if err != nil {
			return
		}
		for _, c := range counts {
			if c.Count < 0 || c.DoseNumber < 1 || c.AgeBand.Min < 0 || (c.AgeBand.Max != 0 && c.AgeBand.Max <= c.AgeBand.Min) {
				t.Fatalf("accepted invalid count %+v", c)
			}
		}
	})
}

func FuzzDecodeTokenAndErrors(f *testing.F) {
	f.Add([]byte(`{"access_token":"abc","token_type":"Bearer","expires_in":300}`))
	f.Add([]byte(`{"error":"invalid_client"}`))
	f.Add([]byte(`{"error":{"status":422,"code":"IDENTITY_NOT_VERIFIED","message":"m","requestId":"r"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if tok, ttl, err := decodeToken(b); err == nil {
			if tok == "" || ttl <= 0 {
				t.Fatalf("accepted token %q ttl %v", tok, ttl)
			}
			for i := 0; i < len(tok); i++ {
				if tok[i] <= ' ' || tok[i] >= 0x7f {
					t.Fatalf("token with control or non-ASCII byte %q", tok)
				}
			}
		}
		if code := decodeErrorCode(b); code != "" && !safeCode(code, 'A', 'Z') {
			t.Fatalf("unsafe code %q", code)
		}
		if code := decodeOAuthError(b); code != "unknown" && !safeCode(code, 'a', 'z') {
			t.Fatalf("unsafe oauth code %q", code)
		}
	})
}
