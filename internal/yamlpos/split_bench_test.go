package yamlpos

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

// benchCorpus is the 5,000-document stream the speed targets are measured on.
var benchCorpus = bench.Corpus(5000, 1)

func BenchmarkSplit(b *testing.B) {
	b.SetBytes(int64(len(benchCorpus)))
	for b.Loop() {
		Split("corpus.yaml", benchCorpus)
	}
}

func BenchmarkNewMapper(b *testing.B) {
	b.SetBytes(int64(len(benchCorpus)))
	for b.Loop() {
		NewMapper(benchCorpus).LineCount() // the index is built on first use
	}
}

func BenchmarkSplitYAML(b *testing.B) {
	f := &File{Name: "corpus.yaml", Src: benchCorpus}
	b.SetBytes(int64(len(benchCorpus)))
	for b.Loop() {
		splitYAML(f, 0)
	}
}

// lineByLineSplit is splitYAML as it was first written, looking at every line: the
// reference the faster scan must agree with.
func lineByLineSplit(src []byte, start int) [][2]int {
	var docs [][2]int
	docStart := start
	emit := func(end int) {
		if end > docStart {
			docs = append(docs, [2]int{docStart, end})
		}
	}
	for pos := start; pos < len(src); {
		next := len(src)
		if eol := strings.IndexByte(string(src[pos:]), '\n'); eol >= 0 {
			next = pos + eol + 1
		}
		line := src[pos:next]
		if strings.HasPrefix(string(line), "---") && isSeparatorRest(line[3:]) {
			emit(pos)
			docStart = next
			if rest := strings.TrimSpace(string(line[3:])); len(rest) > 0 && rest[0] != '#' {
				docStart = pos + 3
			}
		}
		pos = next
	}
	emit(len(src))
	return docs
}

// TestSplitYAMLMatchesLineByLine: on random streams of separators, near-separators and
// content, the documents are those a scan of every line finds.
func TestSplitYAMLMatchesLineByLine(t *testing.T) {
	pieces := []string{"---", "--- |", "---x", "----", " ---", "--- # c", "---\t", "\n", "\r\n", "\r", "a: 1", "#c", "-", "--"}
	r := rand.New(rand.NewPCG(9, 10))
	for range 5000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		src := []byte(b.String())
		start := 0
		if len(src) > 0 && r.IntN(4) == 0 {
			start = r.IntN(len(src))
		}
		var got [][2]int
		for _, d := range splitYAML(&File{Src: src}, start) {
			got = append(got, [2]int{d.Start, d.End})
		}
		if want := lineByLineSplit(src, start); !slices.Equal(got, want) {
			t.Fatalf("splitYAML(%q, %d) = %v, want %v", src, start, got, want)
		}
	}
}

// TestMapperFirstUseConcurrent: goroutines that ask a new mapper for positions at once
// all get the right ones (run with -race to check the index is built once, safely).
func TestMapperFirstUseConcurrent(t *testing.T) {
	src := []byte(strings.Repeat("ab\r\ncd\n", 1000))
	m := NewMapper(src)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < 2000; i += 8 {
				off := 7*(i/2) + 4*(i%2) // "ab\r\n" and "cd\n" are 4 and 3 bytes
				if line, char := m.OffsetLineChar(off); line != i+1 || char != 1 {
					t.Errorf("OffsetLineChar(%d) = %d:%d, want %d:1", off, line, char, i+1)
					return
				}
			}
		})
	}
	wg.Wait()
}
