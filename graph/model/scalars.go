package model

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vn-epidemic/hub/domain"
)

// The scalars are bound in gqlgen.yml as model.Date and model.DateTime: gqlgen
// finds MarshalDate/UnmarshalDate (and the DateTime pair) here and uses the
// domain's own types in resolvers and models.

// MarshalDate writes a civil date as "YYYY-MM-DD", or "YYYY" when only the
// year is known; the zero date (unknown) is written as null, which is why every
// Date field that may be unknown is nullable in the schema.
func MarshalDate(d domain.Date) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if d.IsZero() {
			_, err := io.WriteString(w, "null")
			return err
		}
		_, err := io.WriteString(w, strconv.Quote(d.String()))
		return err
	})
}

// UnmarshalDate reads "YYYY-MM-DD" or "YYYY". Errors are *domain.InputError
// naming the argument or input field, never echoing the value.
func UnmarshalDate(ctx context.Context, v any) (domain.Date, error) {
	s, ok := v.(string)
	if !ok {
		return domain.Date{}, inputError(ctx, "must be a string YYYY-MM-DD or YYYY")
	}
	if len(s) != 4 && len(s) != 10 {
		return domain.Date{}, inputError(ctx, "must be YYYY-MM-DD or YYYY")
	}
	d, err := domain.ParseISODate(s)
	if err != nil || !d.Valid() {
		return domain.Date{}, inputError(ctx, "must be a real date YYYY-MM-DD or a year YYYY between 1850 and 2400")
	}
	return d, nil
}

// MarshalDateTime writes an instant in RFC 3339, always in UTC; the zero time
// (unknown) is written as null.
func MarshalDateTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if t.IsZero() {
			_, err := io.WriteString(w, "null")
			return err
		}
		_, err := io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339)))
		return err
	})
}

// maxDateTimeLen bounds the input before parsing: RFC 3339 with nanoseconds
// and an offset is 35 characters.
const maxDateTimeLen = 40

// UnmarshalDateTime reads an RFC 3339 instant with an offset.
func UnmarshalDateTime(ctx context.Context, v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok || len(s) > maxDateTimeLen {
		return time.Time{}, inputError(ctx, "must be an RFC 3339 date-time string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, inputError(ctx, "must be an RFC 3339 date-time with offset, e.g. 2021-10-20T08:30:00+07:00")
	}
	return t, nil
}

func inputError(ctx context.Context, reason string) error {
	return &domain.InputError{Field: InputPath(ctx), Reason: reason}
}

// InputPath names the argument or input field being unmarshalled, e.g.
// "input.birthDate" or "input.symptoms[2]", from gqlgen's path context.
func InputPath(ctx context.Context) string {
	var parts []string
	for pc := graphql.GetPathContext(ctx); pc != nil; pc = pc.Parent {
		switch {
		case pc.Index != nil:
			parts = append(parts, "["+strconv.Itoa(*pc.Index)+"]")
		case pc.Field != nil:
			parts = append(parts, *pc.Field)
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if b.Len() > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if b.Len() == 0 {
		return "value"
	}
	return b.String()
}
