package nodejson_test

import (
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	apitesting "k8s.io/kubernetes/pkg/api/testing"
	kjson "sigs.k8s.io/json"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
	"github.com/kubectl-lsp/kubectl-lsp/internal/nodejson"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// outcome decodes n into a new value of t both ways: straight from the tree, and through
// its JSON text with the apiserver's decoder. unsupported is true when Decode leaves the
// tree to the JSON path, or fails on a tree that AppendJSON does not write either.
func outcome(t *testing.T, name string, n *yaml.Node, typ reflect.Type) (direct, viaJSON any, errDirect, errJSON error, unsupported bool) {
	t.Helper()
	d := reflect.New(typ)
	errDirect = nodejson.Decode(n, d.Interface())
	if errors.Is(errDirect, nodejson.ErrUnsupported) {
		return nil, nil, nil, nil, true
	}
	data, ok := yamlpos.AppendJSON(nil, n, 1_000_000)
	if !ok {
		if errDirect == nil {
			t.Fatalf("%s: Decode accepted a tree that AppendJSON does not write", name)
		}
		return nil, nil, nil, nil, true // both fail; the caller has the JSON path's fallback
	}
	j := reflect.New(typ)
	errJSON = kjson.UnmarshalCaseSensitivePreserveInts(data, j.Interface())
	return d.Interface(), j.Interface(), errDirect, errJSON, false
}

func compare(t *testing.T, name string, n *yaml.Node, typ reflect.Type) (unsupported bool) {
	t.Helper()
	direct, viaJSON, errDirect, errJSON, unsupported := outcome(t, name, n, typ)
	if unsupported {
		return true
	}
	if (errDirect == nil) != (errJSON == nil) {
		t.Errorf("%s: Decode error %v, JSON decoder error %v", name, errDirect, errJSON)
		return false
	}
	if errJSON == nil && !reflect.DeepEqual(direct, viaJSON) {
		a, _ := json.Marshal(direct)
		b, _ := json.Marshal(viaJSON)
		t.Errorf("%s: values differ\n direct: %s\n   json: %s", name, a, b)
	}
	return false
}

// goType is the Go type of the built-in kind a document's root names.
func goType(root *yaml.Node) (reflect.Type, bool) {
	av, _, _ := yamlpos.Get(root, "apiVersion")
	k, _, _ := yamlpos.Get(root, "kind")
	if av == nil || k == nil {
		return nil, false
	}
	gv, _ := schema.ParseGroupVersion(av.Value)
	typ, ok := legacyscheme.Scheme.AllKnownTypes()[gv.WithKind(k.Value)]
	return typ, ok
}

// handledKinds are the external group-version-kinds whose create path is linked in.
func handledKinds() []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for gvk := range legacyscheme.Scheme.AllKnownTypes() {
		if gvk.Version != runtime.APIVersionInternal && apiserver.Handles(gvk.Group, gvk.Kind) {
			out = append(out, gvk)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func parseYAML(t *testing.T, data []byte) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	return doc.Content[0]
}

// TestDecodeFuzzedObjects: every kind the create path judges, filled at random (the
// apiserver's own fuzzer functions for the types with a JSON form of their own), gives
// the same value or the same failure both ways.
func TestDecodeFuzzedObjects(t *testing.T) {
	kinds := handledKinds()
	if len(kinds) < 60 {
		t.Fatalf("only %d kinds", len(kinds))
	}
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	f := fuzzer.FuzzerFor(apitesting.FuzzerFuncs, rand.NewSource(1), legacyscheme.Codecs).NilChance(.3).NumElements(0, 2)
	compared := 0
	for _, gvk := range kinds {
		typ := legacyscheme.Scheme.AllKnownTypes()[gvk]
		for i := range rounds {
			obj := reflect.New(typ)
			f.Fill(obj.Interface())
			data, err := json.Marshal(obj.Interface())
			if err != nil {
				continue // a fuzzed value with no JSON form
			}
			if !compare(t, gvk.String()+"#"+string(rune('0'+i)), parseYAML(t, data), typ) {
				compared++
			}
		}
	}
	if want := len(kinds) * rounds * 9 / 10; compared < want {
		t.Fatalf("compared %d objects, want at least %d", compared, want)
	}
}

// TestDecodeManifests: the fixtures, examples and a generated corpus, each document
// decoded into its kind's Go type (and into a few wrong ones), the same both ways.
func TestDecodeManifests(t *testing.T) {
	var files [][]byte
	for _, glob := range []string{"../validate/testdata/*.yaml", "../../examples/*/*.yaml", "../cli/testdata/*.yaml"} {
		names, _ := filepath.Glob(glob)
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, data)
		}
	}
	files = append(files, bench.Corpus(300, 7))
	wrong := []reflect.Type{reflect.TypeFor[map[string]int32](), reflect.TypeFor[[]string](), reflect.TypeFor[struct{ Kind int }]()}
	docs := 0
	for _, data := range files {
		for _, d := range yamlpos.Split("m.yaml", data).Docs {
			d.ParseDoc()
			if d.Err != nil || d.Root == nil || d.Root.Kind != yaml.MappingNode {
				continue
			}
			typ, ok := goType(d.Root)
			if !ok {
				continue
			}
			docs++
			compare(t, string(d.Text()), d.Root, typ)
			for _, w := range wrong {
				compare(t, w.String()+" "+string(d.Text()), d.Root, w)
			}
		}
	}
	if docs < 300 {
		t.Fatalf("compared %d documents", docs)
	}
}

// TestDecodeScalars: YAML 1.1 scalars (as the apiserver reads YAML) into each kind of Go
// value, including overflows, floats into integers and nulls.
func TestDecodeScalars(t *testing.T) {
	type all struct {
		S   string            `json:"s"`
		B   bool              `json:"b"`
		I8  int8              `json:"i8"`
		I32 int32             `json:"i32"`
		I64 *int64            `json:"i64"`
		U16 uint16            `json:"u16"`
		F32 float32           `json:"f32"`
		F64 float64           `json:"f64"`
		Any any               `json:"any"`
		M   map[string]string `json:"m"`
		L   []int             `json:"l"`
		Raw []byte            `json:"raw"`
		Ptr **string          `json:"ptr"`
	}
	scalars := []string{`x`, `"x"`, `yes`, `no`, `on`, `~`, `null`, `0`, `-1`, `127`, `128`, `-129`, `65536`,
		`0777`, `0x1F`, `1_000`, `1.0`, `1.5`, `1e3`, `1.0e3`, `-0.0`, `.5`, `3.4e39`, `9007199254740993`,
		`18446744073709551616`, `.inf`, `.nan`, `"\xff"`, `'héllo'`, `2024-01-01`, `!!str 5`, `!!float 3`, `!!int "7"`,
		`aGVsbG8=`, `[]`, `{}`, `[1, 2]`, `{a: b}`}
	typ := reflect.TypeFor[all]()
	fields := []string{"s", "b", "i8", "i32", "i64", "u16", "f32", "f64", "any", "m", "l", "raw", "ptr"}
	for _, s := range scalars {
		docs := []string{"m: {k: " + s + "}", "l: [" + s + "]"}
		for _, f := range fields {
			docs = append(docs, f+": "+s)
		}
		for _, doc := range docs {
			compare(t, doc, parseYAML(t, []byte(doc)), typ)
		}
	}
}

// TestDecodeUnsupported: what AppendJSON does not write is left to the caller.
func TestDecodeUnsupported(t *testing.T) {
	for _, doc := range []string{"a: &x 1\nm: *x", "a: 1\nb: .nan", "<<: {a: 1}", "a: 1\na: 2", "a: .inf", "m: {k: 1, k: 2}"} {
		var v struct {
			A any            `json:"a"`
			M map[string]int `json:"m"`
		}
		if err := nodejson.Decode(parseYAML(t, []byte(doc)), &v); !errors.Is(err, nodejson.ErrUnsupported) {
			t.Errorf("%q: error %v, want ErrUnsupported", doc, err)
		}
	}
}

// TestDecodeEmbedded: promoted fields of embedded structs, a name two embedded structs
// tie on (dropped), a tagged field beating an untagged one, ignored and unexported fields.
func TestDecodeEmbedded(t *testing.T) {
	type Inner struct {
		A string `json:"a"`
		B string
		T string `json:"t"`
	}
	type Other struct {
		A string `json:"a"`
		C string `json:"c"`
	}
	type Tagged struct {
		B string `json:"B"`
	}
	type outer struct {
		Inner
		*Other
		Tagged
		T       string `json:"-"`
		private string
		D       string `json:"d,omitempty"`
	}
	for _, doc := range []string{"a: '1'\nB: '2'\nc: '3'\nt: '4'\nd: '5'\nprivate: '6'\nT: '7'", "c: x", "B: why", "{}"} {
		compare(t, doc, parseYAML(t, []byte(doc)), reflect.TypeFor[outer]())
		var v outer
		if err := nodejson.Decode(parseYAML(t, []byte(doc)), &v); err != nil || v.private != "" || v.T != "" {
			t.Errorf("%q: unexported or ignored field set (%+v, %v)", doc, v, err)
		}
	}
}

// corpusDocs are the parsed documents of a generated corpus with their kinds' Go types.
func corpusDocs(b *testing.B) (nodes []*yaml.Node, types []reflect.Type) {
	for _, d := range yamlpos.Split("corpus.yaml", bench.Corpus(500, 3)).Docs {
		d.ParseDoc()
		if typ, ok := goType(d.Root); ok {
			nodes, types = append(nodes, d.Root), append(types, typ)
		}
	}
	if len(nodes) == 0 {
		b.Fatal("no documents")
	}
	return nodes, types
}

// BenchmarkDecode: one op decodes the 500 documents of a generated corpus into their Go
// types straight from the tree; BenchmarkDecodeJSON does it through JSON text as before.
func BenchmarkDecode(b *testing.B) {
	nodes, types := corpusDocs(b)
	b.ReportAllocs()
	for b.Loop() {
		for i, n := range nodes {
			if err := nodejson.Decode(n, reflect.New(types[i]).Interface()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	nodes, types := corpusDocs(b)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		for i, n := range nodes {
			buf, _ = yamlpos.AppendJSON(buf[:0], n, 1_000_000)
			if err := kjson.UnmarshalCaseSensitivePreserveInts(buf, reflect.New(types[i]).Interface()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestDecodeConcurrent: goroutines decoding at once (making the plans of the types as they
// go) get the values one goroutine gets. Run with -race.
func TestDecodeConcurrent(t *testing.T) {
	type doc struct {
		n   *yaml.Node
		typ reflect.Type
	}
	var docs []doc
	for _, d := range yamlpos.Split("corpus.yaml", bench.Corpus(200, 11)).Docs {
		d.ParseDoc()
		if typ, ok := goType(d.Root); ok {
			docs = append(docs, doc{d.Root, typ})
		}
	}
	results := make([][]any, 4)
	done := make(chan int)
	for g := range results {
		go func() {
			defer func() { done <- g }()
			for _, d := range docs {
				v := reflect.New(d.typ)
				if err := nodejson.Decode(d.n, v.Interface()); err != nil {
					t.Error(err)
					return
				}
				results[g] = append(results[g], v.Interface())
			}
		}()
	}
	for range results {
		<-done
	}
	for g := 1; g < len(results); g++ {
		if !reflect.DeepEqual(results[0], results[g]) {
			t.Fatalf("goroutine %d decoded differently", g)
		}
	}
}
