package engine_test

import (
	"bytes"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// featureDocs is the size of the file the editor-feature benchmarks work in: a large
// manifest an editor may well have open.
const featureDocs = 500

// BenchmarkHover hovers over the image values of a 500-document file: "warm" with the
// documents parsed by earlier hovers (the server's steady state), "split" on a freshly
// split file, so that the hovered document is parsed first (a hover after an edit).
func BenchmarkHover(b *testing.B) {
	data := bench.Corpus(featureDocs, 1)
	eng := newBenchEngine(b)
	var offsets []int
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("image: "))
		if j < 0 {
			break
		}
		offsets = append(offsets, i+j+len("image: ")+1)
		i += j + 1
	}
	if len(offsets) == 0 {
		b.Fatal("no image in the corpus")
	}
	b.Run("warm", func(b *testing.B) {
		f := yamlpos.Split("corpus.yaml", data)
		for _, off := range offsets {
			if _, ok := eng.Hover(f, off); !ok {
				b.Fatalf("no hover at %d", off)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			eng.Hover(f, offsets[i%len(offsets)])
			i++
		}
	})
	b.Run("split", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			f := yamlpos.Split("corpus.yaml", data)
			if _, ok := eng.Hover(f, offsets[i%len(offsets)]); !ok {
				b.Fatal("no hover")
			}
			i++
		}
	})
}

// BenchmarkComplete completes a key being typed ("  prog" under a Deployment's spec) in
// the middle of a 500-document file: "warm" on a file split once, "split" splitting it
// first, as after each keystroke.
func BenchmarkComplete(b *testing.B) {
	corpus := bench.Corpus(featureDocs, 1)
	mid := len(corpus) / 2
	i := bytes.Index(corpus[mid:], []byte("\nkind: Deployment\n"))
	if i < 0 {
		b.Fatal("no Deployment in the second half of the corpus")
	}
	j := mid + i + bytes.Index(corpus[mid+i:], []byte("\nspec:\n")) + len("\nspec:\n")
	data := append(append(append([]byte(nil), corpus[:j]...), "  prog\n"...), corpus[j:]...)
	off := j + len("  prog")
	eng := newBenchEngine(b)
	check := func(f *yamlpos.File) {
		for _, it := range eng.Complete(f, off, engine.CompleteOptions{Snippets: true}) {
			if it.Label == "progressDeadlineSeconds" {
				return
			}
		}
		b.Fatal("revisionHistoryLimit not offered")
	}
	b.Run("warm", func(b *testing.B) {
		f := yamlpos.Split("corpus.yaml", data)
		check(f)
		b.ReportAllocs()
		for b.Loop() {
			eng.Complete(f, off, engine.CompleteOptions{Snippets: true})
		}
	})
	b.Run("split", func(b *testing.B) {
		check(yamlpos.Split("corpus.yaml", data))
		b.ReportAllocs()
		for b.Loop() {
			eng.Complete(yamlpos.Split("corpus.yaml", data), off, engine.CompleteOptions{Snippets: true})
		}
	})
}
