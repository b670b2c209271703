package principal

import (
	"context"
	"testing"
)

func TestContextRoundTrip(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("empty context has a principal")
	}
	if _, ok := FromContext(NewContext(context.Background(), nil)); ok {
		t.Fatal("nil principal reported present")
	}
	p := &Principal{Subject: "officer-1", Roles: []string{"commune_official"}, Locality: Locality{Communes: []string{"00024"}}}
	got, ok := FromContext(NewContext(context.Background(), p))
	if !ok || got != p || !got.HasRole("commune_official") || got.HasRole("admin") {
		t.Fatalf("got %+v %v", got, ok)
	}
	if p.Locality.National() || !(Locality{}).National() {
		t.Fatal("National")
	}
}
