package graph

import (
	"strings"
	"testing"
)

// FuzzCursor: cursors come from clients; decoding never panics, and what
// decodes re-encodes to a cursor that decodes the same.
func FuzzCursor(f *testing.F) {
	f.Add(encodeUpstreamCursor(upstreamCursor{upstream: "abc|def", skip: 3}))
	f.Add(encodeOffsetCursor(42))
	f.Add("")
	f.Add("dXwxfA")
	f.Add(strings.Repeat("A", 2000))
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := decodeUpstreamCursor(&s); err == nil && s != "" {
			enc := encodeUpstreamCursor(c)
			back, err := decodeUpstreamCursor(&enc)
			if err != nil || back != c {
				t.Errorf("round trip of %q: %+v, %v", s, back, err)
			}
		}
		if n, err := decodeOffsetCursor(&s); err == nil && s != "" {
			enc := encodeOffsetCursor(n)
			if back, err := decodeOffsetCursor(&enc); err != nil || back != n {
				t.Errorf("round trip of %q: %d, %v", s, back, err)
			}
		}
	})
}
