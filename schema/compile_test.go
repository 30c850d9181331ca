package schema

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// TestCompileDocumentDecoders: the fast JSON decoder CompileDocument uses compiles every
// embedded document into the same schemas as encoding/json does (with -short, the
// newest release only).
func TestCompileDocumentDecoders(t *testing.T) {
	versions := builtin.Versions()
	if testing.Short() {
		versions = []string{builtin.Latest()}
	}
	for _, minor := range versions {
		ix, err := builtin.LoadIndex(minor)
		if err != nil {
			t.Fatal(err)
		}
		for _, gv := range ix.GroupVersions {
			data, err := builtin.Document(minor, gv.Group, gv.Version)
			if err != nil {
				t.Fatalf("%s %s/%s: %v", minor, gv.Group, gv.Version, err)
			}
			fast, err := CompileDocument(data)
			if err != nil {
				t.Fatalf("%s %s/%s: %v", minor, gv.Group, gv.Version, err)
			}
			std, err := compileDocument(data, json.Unmarshal)
			if err != nil {
				t.Fatalf("%s %s/%s: %v", minor, gv.Group, gv.Version, err)
			}
			if len(fast.Kinds) == 0 && len(gv.Resources) > 0 {
				t.Errorf("%s %s/%s: no kinds compiled", minor, gv.Group, gv.Version)
			}
			if !reflect.DeepEqual(fast, std) {
				t.Errorf("%s %s/%s: the fast decoder compiles other schemas than encoding/json", minor, gv.Group, gv.Version)
			}
		}
	}
}

// TestCompileDocumentDecodersDiffer: the comparison above sees a difference in one
// nested value (it is not vacuous).
func TestCompileDocumentDecodersDiffer(t *testing.T) {
	a, err := CompileDocument([]byte(`{"components":{"schemas":{"X":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string","maxLength":3}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := compileDocument([]byte(`{"components":{"schemas":{"X":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string","maxLength":4}}}}}}}`), json.Unmarshal)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, b) {
		t.Error("documents with different item lengths compare equal")
	}
}
