package schema

import (
	"testing"
)

// BenchmarkLookupFirst measures the first Lookup of one kind in a fresh Builtin: what
// a one-file validation pays before it can walk its first document.
func BenchmarkLookupFirst(b *testing.B) {
	for _, gvk := range []GVK{{"", "v1", "Service"}, {"apps", "v1", "Deployment"}, {"", "v1", "ConfigMap"}} {
		b.Run(gvk.Group+"_"+gvk.Version+"_"+gvk.Kind, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				src, err := NewBuiltin("")
				if err != nil {
					b.Fatal(err)
				}
				t, err := src.Lookup(gvk)
				if err != nil || t == nil {
					b.Fatalf("%v: %v %v", gvk, t, err)
				}
			}
		})
	}
}
