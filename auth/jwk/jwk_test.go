package jwk

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func mustRSA(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEC(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEd(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// member returns the JSON of one public JWK with some members replaced
// (a nil value deletes the member).
func member(t testing.TB, k *Key, set map[string]any) string {
	t.Helper()
	doc, err := MarshalSet(k)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct{ Keys []map[string]any }
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	m := parsed.Keys[0]
	for name, v := range set {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSetKeys(t *testing.T) {
	rsaKey := &Key{ID: "rsa-1", Algorithm: RS256, Public: &mustRSA(t, 2048).PublicKey}
	ecKey := &Key{ID: "ec-1", Algorithm: ES256, Public: &mustEC(t).PublicKey}
	edKey := &Key{ID: "ed-1", Algorithm: EdDSA, Public: mustEd(t).Public()}
	weak := &rsa.PublicKey{N: mustRSA(t, 1024).N, E: 65537}
	enc := base64.RawURLEncoding.EncodeToString
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384b, _ := p384.PublicKey.Bytes()

	tests := []struct {
		name string
		key  string
		want string // the algorithm of the usable key; "" = skipped
	}{
		{"rsa", member(t, rsaKey, nil), RS256},
		{"rsa without alg or use", member(t, rsaKey, map[string]any{"alg": nil, "use": nil}), RS256},
		{"ec", member(t, ecKey, nil), ES256},
		{"ed25519", member(t, edKey, nil), EdDSA},
		{"key_ops verify", member(t, edKey, map[string]any{"key_ops": []string{"verify"}}), EdDSA},
		{"padded base64", member(t, edKey, map[string]any{"x": enc(edKey.Public.(ed25519.PublicKey)) + "="}), EdDSA},
		{"use enc", member(t, rsaKey, map[string]any{"use": "enc"}), ""},
		{"key_ops sign only", member(t, edKey, map[string]any{"key_ops": []string{"sign"}}), ""},
		{"no kid", member(t, edKey, map[string]any{"kid": nil}), ""},
		{"kid with path", member(t, edKey, map[string]any{"kid": "../../etc/passwd"}), ""},
		{"kid url", member(t, edKey, map[string]any{"kid": "https://evil.example/k"}), ""},
		{"alg PS256 on rsa", member(t, rsaKey, map[string]any{"alg": "PS256"}), ""},
		{"alg RS256 on ec", member(t, ecKey, map[string]any{"alg": "RS256"}), ""},
		{"alg HS256 on rsa", member(t, rsaKey, map[string]any{"alg": "HS256"}), ""},
		{"oct key", `{"kty":"oct","kid":"h","k":"c2VjcmV0","alg":"HS256"}`, ""},
		{"unknown kty", `{"kty":"XYZ","kid":"x"}`, ""},
		{"ec P-384", `{"kty":"EC","crv":"P-384","kid":"p384","x":"` + enc(p384b[1:49]) + `","y":"` + enc(p384b[49:]) + `"}`, ""},
		{"ec point off curve", member(t, ecKey, map[string]any{"y": enc(make([]byte, 32))}), ""},
		{"ec short x", member(t, ecKey, map[string]any{"x": enc(make([]byte, 31))}), ""},
		{"ed25519 short", member(t, edKey, map[string]any{"x": enc(make([]byte, 31))}), ""},
		{"x448", member(t, edKey, map[string]any{"crv": "X25519"}), ""},
		{"weak rsa", `{"kty":"RSA","kid":"weak","n":"` + enc(weak.N.Bytes()) + `","e":"AQAB"}`, ""},
		{"rsa e=1", member(t, rsaKey, map[string]any{"e": "AQ"}), ""},
		{"rsa e even", member(t, rsaKey, map[string]any{"e": "AQAA"}), ""},
		{"rsa e huge", member(t, rsaKey, map[string]any{"e": enc([]byte{1, 0, 0, 0, 1})}), ""},
		{"rsa n not base64", member(t, rsaKey, map[string]any{"n": "***"}), ""},
		{"kid not a string", member(t, edKey, map[string]any{"kid": 7}), ""},
		{"not an object", `"key"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSet([]byte(`{"keys":[` + tt.key + `]}`))
			if err != nil {
				t.Fatalf("ParseSet: %v", err)
			}
			if tt.want == "" {
				if s.Len() != 0 || s.Ignored() != 1 {
					t.Fatalf("key kept: len %d ignored %d", s.Len(), s.Ignored())
				}
				return
			}
			if s.Len() != 1 || s.Ignored() != 0 {
				t.Fatalf("len %d ignored %d, want 1 usable", s.Len(), s.Ignored())
			}
			k := s.Keys()[0]
			if k.Algorithm != tt.want {
				t.Fatalf("alg %s, want %s", k.Algorithm, tt.want)
			}
			if s.Key(k.ID) != k {
				t.Fatal("lookup by kid failed")
			}
		})
	}
}

func TestParseSetDocument(t *testing.T) {
	ed := &Key{ID: "ed", Algorithm: EdDSA, Public: mustEd(t).Public()}
	one := member(t, ed, nil)
	tests := []struct {
		name    string
		doc     string
		wantErr bool
		wantLen int
	}{
		{"empty keys", `{"keys":[]}`, false, 0},
		{"extra members", `{"keys":[` + one + `],"other":1}`, false, 1},
		{"no keys member", `{}`, true, 0},
		{"keys not array", `{"keys":{}}`, true, 0},
		{"array", `[` + one + `]`, true, 0},
		{"not json", `keys`, true, 0},
		{"truncated", `{"keys":[` + one, true, 0},
		{"too many keys", `{"keys":[` + strings.Repeat(`{},`, MaxKeys) + `{}]}`, true, 0},
		{"too large", `{"keys":[],"pad":"` + strings.Repeat("a", MaxSetSize) + `"}`, true, 0},
		{"duplicate kid dropped", `{"keys":[` + one + `,` + member(t, ed, map[string]any{"use": "sig"}) + `]}`, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSet([]byte(tt.doc))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && s.Len() != tt.wantLen {
				t.Fatalf("len %d, want %d", s.Len(), tt.wantLen)
			}
		})
	}
}

// TestThumbprint checks the RFC 7638 §3.1 and RFC 8037 §A.3 examples.
func TestThumbprint(t *testing.T) {
	data, err := os.ReadFile("testdata/rfc7638.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSet(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"2011-04-29": "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
		"rfc8037":    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
	}
	if s.Len() != len(want) {
		t.Fatalf("parsed %d keys, want %d", s.Len(), len(want))
	}
	for kid, tp := range want {
		k := s.Key(kid)
		got, err := Thumbprint(k.Algorithm, k.Public)
		if err != nil || got != tp {
			t.Errorf("%s: thumbprint %q, %v; want %q", kid, got, err, tp)
		}
	}
}

func TestMarshalSetRoundTrip(t *testing.T) {
	keys := []*Key{
		{ID: "r", Algorithm: RS256, Public: &mustRSA(t, 2048).PublicKey},
		{ID: "e", Algorithm: ES256, Public: &mustEC(t).PublicKey},
		{ID: "d", Algorithm: EdDSA, Public: mustEd(t).Public()},
	}
	doc, err := MarshalSet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSet(doc)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range s.Keys() {
		if !k.Equal(keys[i]) {
			t.Errorf("key %s changed in the round trip", keys[i].ID)
		}
	}
	other := &Key{ID: "d", Algorithm: EdDSA, Public: mustEd(t).Public()}
	if other.Equal(keys[2]) {
		t.Error("different material compares equal")
	}
	if _, err := MarshalSet(&Key{ID: "x", Algorithm: ES256, Public: keys[2].Public}); err == nil {
		t.Error("marshalled an Ed25519 key as ES256")
	}
	if _, err := NewSet(keys[0], keys[0]); err == nil {
		t.Error("NewSet accepted a duplicate kid")
	}
	if _, err := NewSet(&Key{ID: "a/b", Algorithm: EdDSA, Public: keys[2].Public}); err == nil {
		t.Error("NewSet accepted a bad kid")
	}
}

func TestPrivateRoundTrip(t *testing.T) {
	for _, p := range []*PrivateKey{
		{ID: "ed", Algorithm: EdDSA, Signer: mustEd(t)},
		{ID: "ec", Algorithm: ES256, Signer: mustEC(t)},
	} {
		b, err := MarshalPrivate(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePrivate(b)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if !got.Public().Equal(p.Public()) {
			t.Errorf("%s: public key changed", p.ID)
		}
		// A public-only JWK or one whose d belongs to another key is refused.
		pub, _ := MarshalSet(p.Public())
		if _, err := ParsePrivate(pub); err == nil {
			t.Errorf("%s: parsed a key set as a private key", p.ID)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		other := &PrivateKey{ID: p.ID, Algorithm: p.Algorithm, Signer: mustEd(t)}
		if p.Algorithm == ES256 {
			other.Signer = mustEC(t)
		}
		ob, _ := MarshalPrivate(other)
		var om map[string]any
		_ = json.Unmarshal(ob, &om)
		m["d"] = om["d"]
		mixed, _ := json.Marshal(m)
		if _, err := ParsePrivate(mixed); err == nil {
			t.Errorf("%s: accepted a d that does not match x/y", p.ID)
		}
	}
	if _, err := MarshalPrivate(&PrivateKey{ID: "r", Algorithm: RS256, Signer: mustRSA(t, 2048)}); err == nil {
		t.Error("RSA private keys are not supported but marshalled")
	}
}

func TestValidKeyID(t *testing.T) {
	for kid, want := range map[string]bool{
		"abc":                    true,
		"2024-01.key_1":          true,
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"":                       false,
		"../../etc/passwd":       false,
		"a/b":                    false,
		"http://x":               false,
		"a b":                    false,
		"a\nb":                   false,
		"kíd":                    false,
	} {
		if ValidKeyID(kid) != want {
			t.Errorf("ValidKeyID(%q) != %v", kid, want)
		}
	}
}

func FuzzParseJWKS(f *testing.F) {
	if data, err := os.ReadFile("testdata/rfc7638.json"); err == nil {
		f.Add(data)
	}
	ec := &Key{ID: "ec", Algorithm: ES256, Public: &mustEC(f).PublicKey}
	doc, err := MarshalSet(ec, &Key{ID: "ed", Algorithm: EdDSA, Public: mustEd(f).Public()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"","y":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSet(data)
		if err != nil {
			return
		}
		for _, k := range s.Keys() {
			if !ValidKeyID(k.ID) || checkPublic(k.Algorithm, k.Public) != nil {
				t.Fatalf("unusable key %q accepted", k.ID)
			}
		}
		// What was accepted must survive a round trip unchanged.
		out, err := MarshalSet(s.Keys()...)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		again, err := ParseSet(out)
		if err != nil || again.Len() != s.Len() {
			t.Fatalf("round trip lost keys: %v", err)
		}
		for _, k := range s.Keys() {
			if !again.Key(k.ID).Equal(k) {
				t.Fatalf("key %q changed in round trip", k.ID)
			}
		}
	})
}
