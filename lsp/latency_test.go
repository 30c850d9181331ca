package lsp

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

// TestLatency measures, through the harness, how long an editor waits on a generated
// file: didOpen → diagnostics, didChange → diagnostics, hover. It reports; it asserts
// nothing about time. Run with KUBECTL_LSP_LATENCY=1 go test -run TestLatency -v ./lsp/
func TestLatency(t *testing.T) {
	if os.Getenv("KUBECTL_LSP_LATENCY") != "1" {
		t.Skip("set KUBECTL_LSP_LATENCY=1 to measure")
	}
	for _, n := range []int{500, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { measure(t, n) })
	}
}

func measure(t *testing.T, docs int) {
	h := newHarness(t, harnessOptions{})
	corpus, _ := bench.CorpusWithErrors(docs, 11, 10)
	text := string(corpus)

	var open []time.Duration
	for i := 0; i < 5; i++ {
		uri := protocol.DocumentURI(fmt.Sprintf("file:///work/open-%d.yaml", i))
		start := time.Now()
		v := h.Open(uri, text)
		h.AwaitDiagnostics(uri, v)
		open = append(open, time.Since(start))
		h.Close(uri)
	}

	uri := protocol.DocumentURI("file:///work/corpus.yaml")
	h.AwaitDiagnostics(uri, h.Open(uri, text))
	// Edit a different document each time: change a name in place (a keystroke's worth).
	names := regexp.MustCompile(`(?m)^  name: ([a-z0-9-]+)$`).FindAllStringSubmatchIndex(text, -1)
	var change []time.Duration
	for i := 0; i < 200 && i < len(names); i++ {
		m := names[(i*37)%len(names)]
		h.mu.Lock()
		cur := h.texts[uri]
		h.mu.Unlock()
		pos := lspPosition(cur, m[3]) // end of the name: append a letter
		start := time.Now()
		v := h.Change(uri, contentChange{Range: &protocol.Range{Start: pos, End: pos}, Text: "x"})
		h.AwaitDiagnostics(uri, v)
		change = append(change, time.Since(start))
	}

	h.mu.Lock()
	cur := h.texts[uri]
	h.mu.Unlock()
	keys := regexp.MustCompile(`(?m)^ +(image|replicas|containerPort|name|memory):`).FindAllStringSubmatchIndex(cur, -1)
	var hover []time.Duration
	for i := 0; i < 300 && i < len(keys); i++ {
		k := keys[(i*53)%len(keys)]
		params := protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: lspPosition(cur, k[2]+1)}
		var res *protocol.Hover
		start := time.Now()
		if err := h.call(protocol.MethodTextDocumentHover, params, &res); err != nil {
			t.Fatal(err)
		}
		hover = append(hover, time.Since(start))
	}

	var sym []time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		h.Symbols(uri)
		sym = append(sym, time.Since(start))
	}
	t.Logf("%d documents, %d KiB: didOpen→diagnostics %s; didChange→diagnostics %s; hover %s; documentSymbol %s",
		docs, len(text)/1024, stats(open), stats(change), stats(hover), stats(sym))
}

func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	pct := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return fmt.Sprintf("p50 %v p95 %v (n=%d)", pct(0.5).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), len(s))
}
