package population

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseRequest: whatever arrives, the parser answers with exactly one of
// a request naming a known operation or a fault, and never panics.
func FuzzParseRequest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.request.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body/></soap:Envelope>`))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a><a/>`))
	f.Add([]byte("<soap:Envelope"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, flt := parseRequest(body)
		if (req == nil) == (flt == nil) {
			t.Fatalf("request %v and fault %v", req, flt)
		}
		if flt != nil {
			if flt.code == "" || flt.maLoi == "" {
				t.Fatalf("fault without codes: %+v", flt)
			}
			return
		}
		set := 0
		for _, p := range []bool{req.lookup != nil, req.verify != nil, req.count != nil} {
			if p {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("%d operations set", set)
		}
		switch req.op {
		case OpLookup, OpVerify, OpCount:
		default:
			t.Fatalf("op %q", req.op)
		}
		_ = req.header()
	})
}
