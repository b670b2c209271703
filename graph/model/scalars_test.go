package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vn-epidemic/hub/domain"
)

func marshal(t *testing.T, m graphql.ContextMarshaler) string {
	t.Helper()
	var b bytes.Buffer
	if err := m.MarshalGQLContext(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDate(t *testing.T) {
	tests := []struct {
		in      any
		want    domain.Date
		wantErr bool
	}{
		{"1990-07-15", domain.Date{Year: 1990, Month: time.July, Day: 15}, false},
		{"1990", domain.Date{Year: 1990}, false},
		{"2000-02-29", domain.Date{Year: 2000, Month: time.February, Day: 29}, false},
		{"1990-02-30", domain.Date{}, true},
		{"1990-7-15", domain.Date{}, true},
		{"15/07/1990", domain.Date{}, true},
		{"0990", domain.Date{}, true},
		{"", domain.Date{}, true},
		{json.Number("1990"), domain.Date{}, true},
		{1990, domain.Date{}, true},
	}
	for _, tt := range tests {
		got, err := UnmarshalDate(context.Background(), tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("UnmarshalDate(%v) = %v, %v", tt.in, got, err)
		}
		var ie *domain.InputError
		if err != nil && !errors.As(err, &ie) {
			t.Errorf("UnmarshalDate(%v) error %T is not an InputError", tt.in, err)
		}
		if err == nil {
			if out := marshal(t, MarshalDate(got)); out != `"`+tt.in.(string)+`"` {
				t.Errorf("MarshalDate = %s, want %q", out, tt.in)
			}
		}
	}
	if out := marshal(t, MarshalDate(domain.Date{})); out != "null" {
		t.Errorf("zero date = %s, want null", out)
	}
}

func TestDateTime(t *testing.T) {
	got, err := UnmarshalDateTime(context.Background(), "2021-10-20T08:30:00+07:00")
	if err != nil || !got.Equal(time.Date(2021, 10, 20, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("UnmarshalDateTime = %v, %v", got, err)
	}
	if out := marshal(t, MarshalDateTime(got)); out != `"2021-10-20T01:30:00Z"` {
		t.Errorf("MarshalDateTime = %s", out)
	}
	for _, bad := range []any{"2021-10-20T08:30:00", "2021-10-20", "now", 12, "2021-10-20T08:30:00+07:00" + string(make([]byte, 40))} {
		if _, err := UnmarshalDateTime(context.Background(), bad); err == nil {
			t.Errorf("UnmarshalDateTime(%q) accepted", bad)
		}
	}
	if out := marshal(t, MarshalDateTime(time.Time{})); out != "null" {
		t.Errorf("zero time = %s, want null", out)
	}
}

func TestInputPathNamesTheField(t *testing.T) {
	ctx := graphql.WithPathContext(context.Background(), graphql.NewPathWithField("input"))
	ctx = graphql.WithPathContext(ctx, graphql.NewPathWithField("symptoms"))
	ctx = graphql.WithPathContext(ctx, graphql.NewPathWithIndex(2))
	if got := InputPath(ctx); got != "input.symptoms[2]" {
		t.Errorf("InputPath = %q", got)
	}
	_, err := UnmarshalDate(graphql.WithPathContext(context.Background(), graphql.NewPathWithField("birthDate")), "x")
	var ie *domain.InputError
	if !errors.As(err, &ie) || ie.Field != "birthDate" {
		t.Errorf("error = %v", err)
	}
}

func FuzzUnmarshalDate(f *testing.F) {
	for _, s := range []string{"1990-07-15", "1990", "2000-02-29", "9999-99-99", "-001", "1990-07-15T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(context.Background(), s)
		if err != nil {
			return
		}
		if !d.Valid() {
			t.Errorf("accepted invalid date %q -> %+v", s, d)
		}
		back, err := UnmarshalDate(context.Background(), d.String())
		if err != nil || back != d {
			t.Errorf("round trip %q -> %v -> %v, %v", s, d, back, err)
		}
	})
}

func FuzzUnmarshalDateTime(f *testing.F) {
	for _, s := range []string{"2021-10-20T08:30:00+07:00", "2021-10-20T01:30:00.123456789Z", "2021-10-20", "garbage"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := UnmarshalDateTime(context.Background(), s)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := MarshalDateTime(ts).MarshalGQLContext(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if ts.IsZero() {
			return
		}
		var out string
		if err := json.Unmarshal(b.Bytes(), &out); err != nil {
			t.Fatalf("marshalled %q is not a JSON string", b.String())
		}
		back, err := UnmarshalDateTime(context.Background(), out)
		if err != nil || !back.Equal(ts.Truncate(time.Second)) {
			t.Errorf("round trip %q -> %s -> %v, %v", s, out, back, err)
		}
	})
}
