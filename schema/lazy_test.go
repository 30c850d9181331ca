package schema

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// TestLazyMatchesEager: for every kind of every embedded group-version, compiling only
// the kind's definitions on its lookup gives the same tree as compiling the whole
// document, and the whole document compiled lazily equals the eager one (with -short,
// the newest release only).
func TestLazyMatchesEager(t *testing.T) {
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
			t.Run(minor+"/"+gv.Group+"/"+gv.Version, func(t *testing.T) {
				data, err := builtin.Document(minor, gv.Group, gv.Version)
				if err != nil {
					t.Fatal(err)
				}
				eager, err := CompileDocument(data)
				if err != nil {
					t.Fatal(err)
				}
				compareLazy(t, data, eager)
			})
		}
	}
}

// compareLazy checks the lazy compilation of data against the eager document.
func compareLazy(t *testing.T, data []byte, eager *Document) {
	t.Helper()
	lazy, err := newLazyDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	gvks := sortedGVKs(eager.Kinds)
	if len(gvks) == 0 {
		t.Fatal("no kinds compiled")
	}
	for _, gvk := range gvks {
		// A fresh document for each kind: its tree must be complete without the others.
		fresh, err := newLazyDocument(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []*lazyDocument{fresh, lazy} {
			s, err := d.Kind(gvk)
			if err != nil {
				t.Fatalf("%v: %v", gvk, err)
			}
			if !reflect.DeepEqual(s, eager.Kinds[gvk]) {
				t.Errorf("%v: the lazily compiled schema differs from the eager one", gvk)
			}
		}
	}
	if !slices.Equal(sortedGVKs(kindsOf(t, lazy)), gvks) {
		t.Errorf("lazy kinds %v, eager kinds %v", sortedGVKs(kindsOf(t, lazy)), gvks)
	}
	doc, err := lazy.Document()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, eager) {
		t.Error("the lazily compiled document differs from the eager one")
	}
}

func kindsOf(t *testing.T, d *lazyDocument) map[GVK]*Schema {
	t.Helper()
	d.mu.Lock()
	err := d.indexKinds()
	names := d.kinds
	d.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	out := map[GVK]*Schema{}
	for gvk := range names {
		out[gvk] = nil
	}
	return out
}

func sortedGVKs(m map[GVK]*Schema) []GVK {
	out := make([]GVK, 0, len(m))
	for gvk := range m {
		out = append(out, gvk)
	}
	slices.SortFunc(out, func(a, b GVK) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// TestLazyDiffers: the comparison above sees a difference deep in a referenced
// definition (it is not vacuous).
func TestLazyDiffers(t *testing.T) {
	doc := func(max int) []byte {
		return fmt.Appendf(nil, `{"components":{"schemas":{
			"K":{"type":"object","properties":{"spec":{"$ref":"#/components/schemas/S"}},
			     "x-kubernetes-group-version-kind":[{"group":"g","version":"v1","kind":"K"}]},
			"S":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string","maxLength":%d}}}}}}}`, max)
	}
	eager, err := CompileDocument(doc(3))
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := newLazyDocument(doc(4))
	if err != nil {
		t.Fatal(err)
	}
	s, err := lazy.Kind(GVK{"g", "v1", "K"})
	if err != nil || s == nil {
		t.Fatalf("Kind: %v %v", s, err)
	}
	if reflect.DeepEqual(s, eager.Kinds[GVK{"g", "v1", "K"}]) {
		t.Error("kinds with different item lengths compare equal")
	}
}

// TestScanDefinitions: the definitions' JSON is found whatever the other members of
// the document and the strings within hold; a document of broken structure is an error.
func TestScanDefinitions(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      map[string]string // definition → JSON; nil when an error is wanted
	}{
		{"plain", `{"components":{"schemas":{"A":{"type":"string"},"B":{}}}}`,
			map[string]string{"A": `{"type":"string"}`, "B": `{}`}},
		{"other members", ` {"openapi":"3.0.0","info":{"a":[1,2,{"b":null}]},"components":{"x":true,"schemas":{"A" : [ ] } , "y":-1.5e3}} `,
			map[string]string{"A": `[ ]`}},
		{"strings with brackets and escapes", `{"components":{"schemas":{"A":{"description":"}]\"{[\\","x":"\\\\"},"B":1}}}`,
			map[string]string{"A": `{"description":"}]\"{[\\","x":"\\\\"}`, "B": `1`}},
		{"escaped key", `{"components":{"schemas":{"A\u002eB":{}}}}`, map[string]string{"A.B": `{}`}},
		{"no schemas", `{"components":{}}`, map[string]string{}},
		{"empty", ``, nil},
		{"not an object", `[]`, nil},
		{"unclosed", `{"components":{"schemas":{"A":{"type":"string"}}}`, nil},
		{"unclosed string", `{"components":{"schemas":{"A":{"type":"string}}}}`, nil},
		{"mismatched", `{"components":{"schemas":{"A":{"type":["string"}}}}`, nil},
		{"missing colon", `{"components":{"schemas":{"A" {}}}}`, nil},
		{"missing comma", `{"components":{"schemas":{"A":{} "B":{}}}}`, nil},
		{"trailing data", `{"components":{"schemas":{}}} {}`, nil},
		{"missing value", `{"components":{"schemas":{"A":,"B":{}}}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scanDefinitions([]byte(tc.doc))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("no error, definitions %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gotStr := map[string]string{}
			for k, v := range got {
				gotStr[k] = string(v)
			}
			if !reflect.DeepEqual(gotStr, tc.want) {
				t.Errorf("got %q, want %q", gotStr, tc.want)
			}
		})
	}
}

// TestLazyBadDefinition: a definition that does not decode is an error of the lookups
// that need it, not a crash, and not a silently empty schema.
func TestLazyBadDefinition(t *testing.T) {
	d, err := newLazyDocument([]byte(`{"components":{"schemas":{
		"K":{"properties":{"spec":{"$ref":"#/components/schemas/S"}},"x-kubernetes-group-version-kind":[{"group":"","version":"v1","kind":"K"}]},
		"S":{"type":{"not":"a string"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := d.Kind(GVK{"", "v1", "K"}); err == nil {
		t.Errorf("no error, schema %+v", s)
	}
	if _, err := d.Document(); err == nil {
		t.Error("Document: no error")
	}
}

// TestBuiltinConcurrentLookup: goroutines looking up kinds of the same fresh release at
// once get the same schemas as a lone lookup (run with -race).
func TestBuiltinConcurrentLookup(t *testing.T) {
	gvks := []GVK{{"", "v1", "Service"}, {"apps", "v1", "Deployment"}, {"", "v1", "Pod"},
		{"apps", "v1", "StatefulSet"}, {"", "v1", "ConfigMap"}, {"batch", "v1", "CronJob"}}
	ref, err := NewBuiltin("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuiltin("")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]*Type, 4)
	for w := range got {
		wg.Go(func() {
			for i := range gvks {
				ty, err := b.Lookup(gvks[(i+w)%len(gvks)])
				if err != nil {
					t.Error(err)
				}
				got[w] = append(got[w], ty)
			}
		})
	}
	wg.Go(func() {
		if _, err := b.Document("", "v1"); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	for w := range got {
		for i, ty := range got[w] {
			gvk := gvks[(i+w)%len(gvks)]
			want, err := ref.Lookup(gvk)
			if err != nil {
				t.Fatal(err)
			}
			if ty == nil || !reflect.DeepEqual(ty.Schema, want.Schema) {
				t.Errorf("%v: concurrent lookup gives another schema", gvk)
			}
		}
	}
	meta, err := b.Definition("", "v1", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
	if err != nil || meta == nil || meta.Properties["name"] == nil {
		t.Errorf("ObjectMeta: %v %v", meta, err)
	}
	if s, err := b.Definition("", "v1", "no.such.Definition"); s != nil || err != nil {
		t.Errorf("missing definition: %v %v", s, err)
	}
}
