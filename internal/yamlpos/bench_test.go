package yamlpos

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

// benchDocs splits a generated corpus of n documents (about 900 bytes each).
func benchDocs(b *testing.B, n int) *File {
	b.Helper()
	f := Split("corpus", bench.Corpus(n, 1))
	if len(f.Docs) != n {
		b.Fatalf("split %d documents, want %d", len(f.Docs), n)
	}
	return f
}

// BenchmarkParseDoc parses one document per iteration through Document.ParseDoc, the way
// a validation run does.
func BenchmarkParseDoc(b *testing.B) {
	f := benchDocs(b, 500)
	b.SetBytes(int64(len(f.Src) / len(f.Docs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		src := f.Docs[i%len(f.Docs)]
		d := &Document{File: f, Index: src.Index, Start: src.Start, End: src.End}
		d.ParseDoc()
		if d.Root == nil || d.Err != nil {
			b.Fatalf("document %d: no tree (%v)", d.Index, d.Err)
		}
	}
}

// BenchmarkParseDocLibrary is BenchmarkParseDoc through the YAML library, for scale.
func BenchmarkParseDocLibrary(b *testing.B) {
	f := benchDocs(b, 500)
	b.SetBytes(int64(len(f.Src) / len(f.Docs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var n yaml.Node
		if err := yaml.Unmarshal(f.Docs[i%len(f.Docs)].Text(), &n); err != nil {
			b.Fatal(err)
		}
	}
}

// parsedNodes parses the corpus and lists every node of every document.
func parsedNodes(b *testing.B, n int) (roots, nodes []*yaml.Node) {
	b.Helper()
	f := benchDocs(b, n)
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		nodes = append(nodes, n)
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range f.Docs {
		d.ParseDoc()
		roots = append(roots, d.Root)
		walk(d.Root)
	}
	return roots, nodes
}

// BenchmarkResolveScalars resolves every scalar of one document's worth of nodes per
// iteration, and reads every mapping key as the validator does.
func BenchmarkResolveScalars(b *testing.B) {
	roots, nodes := parsedNodes(b, 100)
	perDoc := len(nodes) / len(roots)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		for range perDoc {
			n := nodes[k%len(nodes)]
			k++
			switch n.Kind {
			case yaml.ScalarNode:
				_ = ResolveScalar(n)
			case yaml.MappingNode:
				for j := 0; j+1 < len(n.Content); j += 2 {
					_ = KeyString(n.Content[j])
				}
			}
		}
	}
}

// BenchmarkAppendJSON writes one document as JSON per iteration, into a new buffer as the
// validator does.
func BenchmarkAppendJSON(b *testing.B) {
	roots, _ := parsedNodes(b, 500)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := AppendJSON(nil, roots[i%len(roots)], 1<<20); !ok {
			b.Fatal("not written")
		}
	}
}

// BenchmarkParseCorpus parses the documents of a 1,000-document stream per iteration and
// keeps every tree until the end of it, as a validation run does.
func BenchmarkParseCorpus(b *testing.B) {
	f := benchDocs(b, 1000)
	b.SetBytes(int64(len(f.Src)))
	b.ReportAllocs()
	docs := make([]*Document, len(f.Docs))
	for b.Loop() {
		for i, src := range f.Docs {
			d := &Document{File: f, Index: src.Index, Start: src.Start, End: src.End}
			d.ParseDoc()
			docs[i] = d
		}
		clear(docs)
	}
}
