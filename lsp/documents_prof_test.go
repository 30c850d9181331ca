package lsp

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

// TestChangeLoop runs only didChange → diagnostics on a 5,000-document file, for
// profiling: KUBECTL_LSP_LATENCY=1 go test -run TestChangeLoop -cpuprofile cpu.out ./lsp/
func TestChangeLoop(t *testing.T) {
	if os.Getenv("KUBECTL_LSP_LATENCY") != "1" {
		t.Skip("set KUBECTL_LSP_LATENCY=1 to measure")
	}
	h := newHarness(t, harnessOptions{})
	corpus, _ := bench.CorpusWithErrors(5000, 11, 10)
	text := string(corpus)
	uri := protocol.DocumentURI("file:///work/corpus.yaml")
	h.AwaitDiagnostics(uri, h.Open(uri, text))
	names := regexp.MustCompile(`(?m)^  name: ([a-z0-9-]+)$`).FindAllStringSubmatchIndex(text, -1)
	var change []time.Duration
	for i := 0; i < 400; i++ {
		m := names[(i*37)%len(names)]
		h.mu.Lock()
		cur := h.texts[uri]
		h.mu.Unlock()
		pos := lspPosition(cur, m[3])
		start := time.Now()
		v := h.Change(uri, contentChange{Range: &protocol.Range{Start: pos, End: pos}, Text: "x"})
		h.AwaitDiagnostics(uri, v)
		change = append(change, time.Since(start))
	}
	t.Log(fmt.Sprint("didChange→diagnostics ", stats(change)))
}
