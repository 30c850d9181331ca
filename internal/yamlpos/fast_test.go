package yamlpos_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// sameTree compares the fast path's nodes with the YAML library's, field by field.
func sameTree(a, b *yaml.Node, path string) error {
	if a == nil || b == nil {
		if a != b {
			return fmt.Errorf("%s: one tree is nil", path)
		}
		return nil
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.Value != b.Value || a.Line != b.Line || a.Column != b.Column ||
		a.Anchor != b.Anchor || a.ShortTag() != b.ShortTag() || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: fast {kind %d style %d %q %d:%d tag %s, %d children} library {kind %d style %d %q %d:%d tag %s, %d children}",
			path, a.Kind, a.Style, a.Value, a.Line, a.Column, a.ShortTag(), len(a.Content),
			b.Kind, b.Style, b.Value, b.Line, b.Column, b.ShortTag(), len(b.Content))
	}
	for i := range a.Content {
		if err := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkFast parses one document both ways. It returns whether the fast path took it.
func checkFast(t *testing.T, name string, text []byte) bool {
	t.Helper()
	fast, err := yamlpos.FastParse(text)
	if err != nil {
		return false
	}
	var doc yaml.Node
	if lerr := yaml.Unmarshal(text, &doc); lerr != nil {
		t.Errorf("%s: the fast path accepted a document the YAML library rejects (%v):\n%s", name, lerr, text)
		return true
	}
	var want *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		want = doc.Content[0]
	}
	if err := sameTree(fast, want, ""); err != nil {
		t.Errorf("%s: %v\n%s", name, err, text)
	}
	return true
}

func fixtureFiles(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"../validate/testdata", "../explain/testdata", "../../examples", "testdata"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 5 {
		t.Fatalf("found only %d fixture files", len(files))
	}
	return files
}

func TestFastPathMatchesLibraryOnFixtures(t *testing.T) {
	taken, total := 0, 0
	for _, name := range fixtureFiles(t) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range yamlpos.Split(name, data).Docs {
			total++
			if checkFast(t, fmt.Sprintf("%s#%d", name, d.Index), d.Text()) {
				taken++
			}
		}
	}
	t.Logf("fast path took %d of %d fixture documents", taken, total)
}

func TestFastPathMatchesLibraryOnCorpus(t *testing.T) {
	data := bench.Corpus(2000, 7)
	taken, total := 0, 0
	for _, d := range yamlpos.Split("corpus", data).Docs {
		total++
		if checkFast(t, fmt.Sprintf("corpus#%d", d.Index), d.Text()) {
			taken++
		}
	}
	t.Logf("fast path took %d of %d corpus documents", taken, total)
	if taken*100 < total*95 {
		t.Errorf("the fast path took only %d of %d ordinary manifests", taken, total)
	}
}

// libraryRoot is the YAML library's tree of a one-document text.
func libraryRoot(t *testing.T, text []byte) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// The parser's tables are reused from one parse to the next, and the trees of many
// parses share nothing: trees kept while others are parsed, also concurrently, stay
// the library's trees.
func TestFastPathTreesOutliveTheParser(t *testing.T) {
	docs := yamlpos.Split("corpus", bench.Corpus(400, 11)).Docs
	trees := make([]*yaml.Node, len(docs))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(docs); i += 4 {
				trees[i], _ = yamlpos.FastParse(docs[i].Text())
				_, _ = yamlpos.FastParse([]byte("a:\n  - b: [c, {d: e}]\n  - f: |\n      g\n  - h: \"i\"\n  - ! x\n"))
			}
		})
	}
	wg.Wait()
	for i, d := range docs {
		if trees[i] == nil {
			continue
		}
		if err := sameTree(trees[i], libraryRoot(t, d.Text()), ""); err != nil {
			t.Errorf("corpus#%d: %v", i, err)
		}
	}
}

// A collection's children are its own: appending to one collection's Content leaves the
// other collections of the tree as they were.
func TestFastPathContentIsItsOwn(t *testing.T) {
	text := []byte("a:\n  b: [1, 2]\n  c: {d: e}\nf:\n  - g\n  - h: i\nj: k\n")
	root, err := yamlpos.FastParse(text)
	if err != nil {
		t.Fatal(err)
	}
	var grow func(n *yaml.Node)
	grow = func(n *yaml.Node) {
		for _, c := range n.Content {
			grow(c)
		}
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "extra"})
		}
	}
	grow(root)
	var trim func(n *yaml.Node)
	trim = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			last := n.Content[len(n.Content)-1]
			if last.Value != "extra" {
				t.Errorf("line %d: the added child was overwritten by %q", n.Line, last.Value)
			}
			n.Content = n.Content[:len(n.Content)-1]
		}
		for _, c := range n.Content {
			trim(c)
		}
	}
	trim(root)
	if err := sameTree(root, libraryRoot(t, text), ""); err != nil {
		t.Error(err)
	}
}

// Hand-made cases at the edges of the subset.
func TestFastPathEdges(t *testing.T) {
	cases := []string{
		"a:\nb: 1\n",
		"a:   # c\n  - x\n",
		"- a:\n  b: 2\n-\n- c\n",
		"a: |\n  x\n\n  y\n\nb: |-\n   z\n",
		"a: |+\n  x\n\n\nb: 1\n",
		"a: |\n  x\n    indented\n  # not a comment\nb: 1\n",
		"a: [ ]\nb: {x: 1, y: [2]}\n",
		"k: v # c\n",
		"\"q\": 'r'\n",
		"a:\n- b\n- c\nd: 1\n",
		"x: \"a\\\"b\\n\\u00e9\"\n",
		"x: 'it''s'\n",
		"é: ü\nb: [1, \"2\", three]\n",
		"a:\n  - - x\n    - y\n  - z\n",
		"list:\n- name: a\n  ports:\n  - 80\n- name: b\n",
		"url: http://example.com:8080/x\nt: 2024-01-01T00:00:00Z\n",
		"a: b #comment\nc: d#not\n",
		"args: [\"--a=b\", -v, 1, -2]\n",
		"a: {b: [1, {c: d}], e: \"f\"}\n",
		"a: yes\nb: ~\nc: null\nd: 0777\ne: .5\n",
		"a: 1\n  b: 2\n",      // an error: the library must handle it
		"a: b: c\n",           // an error
		"a: [1, 2\n",          // an error
		"a: \"unterminated\n", // an error
		"a:\n\tb: 1\n",        // tabs
		"a: &x 1\nb: *x\n",    // anchors
		"a: !!str 1\n",        // tags
		"a: >\n  folded\n",    // folded
		"a: multi\n  line\n",
		"? complex\n: key\n",
		"- |\n  in a list\n- x\n",
		"a:\n  b:\n    c: |\n      deep\n  d: e\n",
	}
	for i, c := range cases {
		checkFast(t, fmt.Sprintf("case %d", i), []byte(c))
	}
}

func FuzzFastPath(f *testing.F) {
	for _, c := range []string{"a: 1\n", "- a: [1, {b: c}]\n  d: |\n    x\n", "a:\n- b\n"} {
		f.Add([]byte(c))
	}
	for _, dir := range []string{"../validate/testdata", "../../examples/valid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, name := range files {
			data, _ := os.ReadFile(name)
			for _, d := range yamlpos.Split(name, data).Docs {
				f.Add(d.Text())
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("\n---")) || bytes.HasPrefix(data, []byte("---")) {
			return
		}
		checkFast(t, "fuzz", data)
	})
}

// A document end marker ("...") at a line start sends the text to the YAML library's
// decoder, which reads the documents around it; the fast path takes "..." anywhere else.
func TestDocumentEndMarker(t *testing.T) {
	cases := []struct {
		text, err string
		fast      bool
	}{
		{text: "a: 1\n...\n"},
		{text: "a: 1\n...\nb: 2\n"},
		{text: "...\na: 1\n", err: "did not find expected node content"},
		{text: "a: 1\n... # end\n"},
		{text: "a: ...\nb: x...\n", fast: true},
		{text: "a:\n  - ...\n", fast: true},
	}
	for _, c := range cases {
		d := yamlpos.Split("t.yaml", []byte(c.text)).Docs[0]
		d.ParseDoc()
		msg := ""
		if d.Err != nil {
			msg = d.Err.Msg
		}
		if msg != c.err {
			t.Errorf("%q: error %q, want %q", c.text, msg, c.err)
		}
		if c.err == "" && d.Root == nil {
			t.Errorf("%q: no tree", c.text)
		}
		if _, err := yamlpos.FastParse([]byte(c.text)); (err == nil) != c.fast {
			t.Errorf("%q: fast path took it: %v, want %v", c.text, err == nil, c.fast)
		}
		checkFast(t, c.text, []byte(c.text))
	}
}
