package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
)

// Protocol-level robustness tests: huge files, huge documents, hostile input, typing,
// hover latency under load and random incremental edits, all through the in-process
// harness with the real engine. Waiting is on protocol events; every wait is bounded by
// the harness's awaitTimeout. Run them with
//
//	go test ./lsp/ -run Robust -v
//
// The slow ones are skipped with -short; timing assertions are skipped under -race.

// robustRace reports whether the test binary was built with the race detector (timing
// assertions are meaningless then).
func robustRace() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

func robustSlow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
}

// robustText is the harness's (client-side) copy of a document's text.
func robustText(h *harness, uri protocol.DocumentURI) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.texts[uri]
}

func robustVersion(h *harness, uri protocol.DocumentURI) int32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.versions[uri]
}

func robustParams(uri protocol.DocumentURI, p protocol.Position) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: p}
}

// robustHover asks for a hover at a position and times it.
func robustHover(h *harness, uri protocol.DocumentURI, p protocol.Position) (*protocol.Hover, time.Duration, error) {
	var res *protocol.Hover
	start := time.Now()
	err := h.call(protocol.MethodTextDocumentHover, robustParams(uri, p), &res)
	return res, time.Since(start), err
}

// robustMustHover fails the test unless a hover at p answers without error (and, if
// wantContent, with content).
func robustMustHover(t *testing.T, h *harness, uri protocol.DocumentURI, p protocol.Position, wantContent bool) time.Duration {
	t.Helper()
	res, d, err := robustHover(h, uri, p)
	if err != nil {
		t.Fatalf("hover at %d:%d of %s: %v", p.Line, p.Character, uri, err)
	}
	if wantContent && (res == nil || res.Contents.Value == "") {
		t.Errorf("hover at %d:%d of %s: no content", p.Line, p.Character, uri)
	}
	return d
}

// robustPosOf is the position of the n-th (0-based) match of re's first group (or the
// whole match) in text, plus delta bytes.
func robustPosOf(t *testing.T, text string, re string, n, delta int) protocol.Position {
	t.Helper()
	ms := regexp.MustCompile(re).FindAllStringSubmatchIndex(text, n+1)
	if len(ms) <= n {
		t.Fatalf("no match %d of %q", n, re)
	}
	m := ms[n]
	off := m[0]
	if len(m) > 2 && m[2] >= 0 {
		off = m[2]
	}
	return lspPosition(text, off+delta)
}

func robustPercentiles(ds []time.Duration) (p50, p95, p99, top time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	pct := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return pct(0.50), pct(0.95), pct(0.99), s[len(s)-1]
}

func robustFmtPct(ds []time.Duration) string {
	p50, p95, p99, mx := robustPercentiles(ds)
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("p50 %v p95 %v p99 %v max %v (n=%d)", r(p50), r(p95), r(p99), r(mx), len(ds))
}

// robustMem is the live heap after a collection (the server runs in this process).
func robustMem() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

func robustMiB(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// robustPeakHeap samples HeapInuse until stop is called and returns the peak.
func robustPeakHeap() (stop func() uint64) {
	done := make(chan struct{})
	var peak atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// robustSameAsFresh opens text under a new URI and checks its diagnostics equal got.
func robustSameAsFresh(t *testing.T, h *harness, uri protocol.DocumentURI, got []protocol.Diagnostic, text string, what string) bool {
	t.Helper()
	fresh := protocol.DocumentURI(fmt.Sprintf("file:///work/fresh-%d.yaml", time.Now().UnixNano()))
	want := h.AwaitDiagnostics(fresh, h.Open(fresh, text))
	h.Close(fresh)
	if !reflect.DeepEqual(robustNorm(got), robustNorm(relabel(want, uri))) {
		t.Errorf("%s: diagnostics differ from a fresh open of the same text:\nincremental:%s\nfresh:%s", what, dump(got), dump(want))
		if dir := os.Getenv("KUBECTL_LSP_ROBUST_DUMP"); dir != "" {
			name := filepath.Join(dir, strings.NewReplacer(" ", "-", "/", "-").Replace(t.Name()+"-"+what)+".yaml")
			if err := os.WriteFile(name, []byte(text), 0o644); err == nil {
				t.Logf("text written to %s", name)
			}
		}
		return false
	}
	return true
}

// robustNorm makes nil and empty slices compare equal.
func robustNorm(d []protocol.Diagnostic) []protocol.Diagnostic {
	if len(d) == 0 {
		return nil
	}
	return d
}

// 1. A 10 MB file of ~11,000 documents.
func TestRobustHugeFile(t *testing.T) {
	robustSlow(t)
	const docs = 11000
	corpus, injected := bench.CorpusWithErrors(docs, 20260401, 40)
	path := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(path, corpus, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if len(text) < 9<<20 {
		t.Fatalf("generated only %d bytes", len(text))
	}
	uri := protocol.DocumentURI("file://" + filepath.ToSlash(path))
	h := newHarness(t, harnessOptions{})
	before := robustMem()
	peak := robustPeakHeap()

	replicas := robustPosOf(t, text, `(?m)^  (replicas):`, 0, 1)
	lastImage := strings.LastIndex(text, "image:")
	imagePos := lspPosition(text, lastImage+1)

	start := time.Now()
	v := h.Open(uri, text)
	sent := time.Since(start)
	// A hover while the initial validation runs.
	res, hoverTook, err := robustHover(h, uri, replicas)
	doneAtHover := h.DoneCount(uri, v)
	if err != nil || res == nil || !strings.Contains(res.Contents.Value, "replicas") {
		t.Errorf("hover during the initial validation = %v, %v", res, err)
	}
	res2, hover2Took, err := robustHover(h, uri, imagePos)
	if err != nil || res2 == nil {
		t.Errorf("second hover during the initial validation = %v, %v", res2, err)
	}
	diags := h.AwaitDiagnostics(uri, v)
	openTook := time.Since(start)
	peakHeap := peak()
	if len(diags) < len(injected) {
		t.Errorf("%d diagnostics for %d injected errors", len(diags), len(injected))
	}
	lines := uint32(strings.Count(text, "\n") + 1)
	for _, d := range diags {
		if d.Range.End.Line >= lines || d.Range.Start.Line > d.Range.End.Line {
			t.Fatalf("diagnostic outside the text: %+v", d)
		}
	}

	// Responsive afterwards: hovers, and an edit at the end re-validated.
	var after []time.Duration
	for i := 0; i < 20; i++ {
		after = append(after, robustMustHover(t, h, uri, robustPosOf(t, text, `(?m)^ +(image|name|kind):`, i*400, 1), false))
	}
	end := lspPosition(text, len(text))
	editStart := time.Now()
	v2 := h.Change(uri, contentChange{Range: &protocol.Range{Start: end, End: end},
		Text: "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: tail}\ndata: {k: 1}\n"})
	diags2 := h.AwaitDiagnostics(uri, v2)
	editTook := time.Since(editStart)
	if len(diags2) != len(diags)+1 || len(find(diags2, "type")) != len(find(diags, "type"))+1 {
		t.Errorf("after appending one type error: %d diagnostics, before %d", len(diags2), len(diags))
	}

	withDoc := robustMem()
	h.Close(uri)
	h.await("diagnostics cleared", func() bool { return len(h.publishes[uri]) >= 3 })
	h.mu.Lock()
	delete(h.texts, uri) // the harness's own copy
	h.mu.Unlock()
	// Background work of the closed document (a diagnostics run being cancelled, pooled
	// buffers) may hold it a moment longer: wait for the heap to come down, a while.
	closed := robustMem()
	for deadline := time.Now().Add(5 * time.Second); closed.HeapInuse > before.HeapInuse+4*uint64(len(text)) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		closed = robustMem()
	}
	t.Logf("huge file: %d documents, %.1f MiB (%d bytes), %d diagnostics", docs, float64(len(text))/(1<<20), len(text), len(diags))
	t.Logf("didOpen written in %v; didOpen→diagnostics %v; hover during validation %v (diagnostics done then: %v), second %v; hovers after %s; append edit→diagnostics %v",
		sent.Round(time.Millisecond), openTook.Round(time.Millisecond), hoverTook.Round(time.Microsecond), doneAtHover > 0, hover2Took.Round(time.Microsecond), robustFmtPct(after), editTook.Round(time.Millisecond))
	t.Logf("heap in use: before %s, peak %s, with the file open %s, after close %s (file %s)",
		robustMiB(before.HeapInuse), robustMiB(peakHeap), robustMiB(withDoc.HeapInuse), robustMiB(closed.HeapInuse), robustMiB(uint64(len(text))))
	if live := withDoc.HeapInuse - min(before.HeapInuse, withDoc.HeapInuse); live > 40*uint64(len(text)) {
		t.Errorf("the open 10 MB file holds %s of heap (> 40× its size)", robustMiB(live))
	}
	if leaked := closed.HeapInuse - min(before.HeapInuse, closed.HeapInuse); leaked > 4*uint64(len(text)) {
		t.Errorf("after closing the file, %s more heap than before opening it", robustMiB(leaked))
	}
}

// 2. One document of 100,000 lines.
func TestRobustLongDocument(t *testing.T) {
	robustSlow(t)
	configMap := func() string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
		// Short keys and values: the apiserver rejects a ConfigMap whose data passes 1 MiB.
		for i := 0; i < 100000; i++ {
			fmt.Fprintf(&b, "  k%06d: \"v\"\n", i)
		}
		return b.String()
	}
	deploymentEnv := func() string {
		var b strings.Builder
		b.WriteString(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: big-env
spec:
  replicas: 1
  selector:
    matchLabels: {app: big}
  template:
    metadata:
      labels: {app: big}
    spec:
      containers:
        - name: app
          image: nginx
          env:
`)
		for i := 0; i < 50000; i++ {
			fmt.Fprintf(&b, "            - name: VAR_%d\n              value: \"%d\"\n", i, i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, text, tail string
		fixOld, fixNew   string
		tailKey          string
		hoverKeys        []string // regexes whose first group is hovered (must have content)
	}{
		{"configmap-100k-keys", configMap(), "  zz-last: 1\n", "zz-last: 1", `zz-last: "1"`, "zz-last",
			[]string{`(?m)^(kind):`, `(?m)^(data):`}},
		{"deployment-100k-line-env", deploymentEnv(), "            - name: LAST\n              value: 7\n", "value: 7", `value: "7"`, "value",
			[]string{`(?m)^  (replicas):`, `(?m)^          (env):`, `(?m)^              (value): "49999"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			uri := protocol.DocumentURI("file:///work/" + tc.name + ".yaml")
			t.Logf("%d lines, %.1f MiB", strings.Count(tc.text, "\n"), float64(len(tc.text))/(1<<20))
			start := time.Now()
			v := h.Open(uri, tc.text)
			first := h.AwaitDiagnostics(uri, v)
			openTook := time.Since(start)
			var hovers []time.Duration
			for _, re := range tc.hoverKeys {
				hovers = append(hovers, robustMustHover(t, h, uri, robustPosOf(t, tc.text, re, 0, 1), true))
			}
			// Hover on the last line (a data key or an env value).
			lastLine := uint32(strings.Count(tc.text, "\n") - 1)
			hovers = append(hovers, robustMustHover(t, h, uri, protocol.Position{Line: lastLine, Character: 15}, false))

			end := lspPosition(tc.text, len(tc.text))
			editStart := time.Now()
			v = h.Change(uri, contentChange{Range: &protocol.Range{Start: end, End: end}, Text: tc.tail})
			second := h.AwaitDiagnostics(uri, v)
			editTook := time.Since(editStart)
			added := find(second, "type")
			if len(second) != len(first)+1 || len(added) != len(find(first, "type"))+1 ||
				added[len(added)-1].Range.Start.Line != end.Line+uint32(strings.Count(tc.tail, "\n"))-1 {
				t.Errorf("after appending a type error at line %d: before%s\nafter%s", end.Line, dump(first), dump(second))
			}
			// Another edit at the end, and hover there.
			v = h.Replace(uri, tc.fixOld, tc.fixNew)
			third := h.AwaitDiagnostics(uri, v)
			if !reflect.DeepEqual(robustNorm(third), robustNorm(first)) {
				t.Errorf("after fixing the appended error: before%s\nnow%s", dump(first), dump(third))
			}
			cur := robustText(h, uri)
			tailKey := lspPosition(cur, strings.LastIndex(cur, tc.tailKey)+1)
			hovers = append(hovers, robustMustHover(t, h, uri, tailKey, strings.Contains(tc.name, "deployment")))
			t.Logf("didOpen→diagnostics %v (%d diagnostics); edit at the end→diagnostics %v; hovers %s",
				openTook.Round(time.Millisecond), len(first), editTook.Round(time.Millisecond), robustFmtPct(hovers))
		})
	}
}

// 3. Hostile input: no crash, no hang, a diagnostic where one applies, and the
// connection still answers afterwards.
func TestRobustHostileInput(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	randomBytes := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.UintN(256))
		}
		return string(b)
	}
	const cmHead = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hostile\ndata:\n"
	nested := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "x" + strings.Repeat(close, n)
	}
	deepBlockMap := func(n int) string {
		var b strings.Builder
		b.WriteString(cmHead)
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat(" ", i+2))
			b.WriteString("a:\n")
		}
		b.WriteString(strings.Repeat(" ", n+2) + "b: x\n")
		return b.String()
	}
	billionLaughs := func() string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
		prev := "a"
		for _, c := range "bcdefghi" {
			fmt.Fprintf(&b, "  %c: &%c [", c, c)
			for i := 0; i < 9; i++ {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString("*" + prev)
			}
			b.WriteString("]\n")
			prev = string(c)
		}
		return b.String()
	}
	anyError := func(diags []protocol.Diagnostic) error {
		for _, d := range diags {
			if d.Severity == protocol.DiagnosticSeverityError {
				return nil
			}
		}
		return fmt.Errorf("want an error diagnostic")
	}
	code := func(c string, line int) func([]protocol.Diagnostic) error {
		return func(diags []protocol.Diagnostic) error {
			for _, d := range diags {
				if d.Code == c && (line < 0 || d.Range.Start.Line == uint32(line)) {
					return nil
				}
			}
			return fmt.Errorf("want a %q diagnostic on line %d", c, line)
		}
	}
	none := func(diags []protocol.Diagnostic) error {
		if len(diags) != 0 {
			return fmt.Errorf("want no diagnostics")
		}
		return nil
	}
	cases := []struct {
		name  string
		text  string
		check func([]protocol.Diagnostic) error
		slow  bool
	}{
		{"flow-seq-depth-10000", cmHead + "  k: " + nested("[", "]", 10000) + "\n", anyError, false},
		{"flow-seq-depth-100000", cmHead + "  k: " + nested("[", "]", 100000) + "\n", anyError, false},
		{"flow-map-depth-10000", cmHead + "  k: " + nested("{a: ", "}", 10000) + "\n", anyError, false},
		{"flow-map-depth-100000", cmHead + "  k: " + nested("{a: ", "}", 100000) + "\n", anyError, false},
		{"flow-unclosed-100000", cmHead + "  k: " + strings.Repeat("[", 100000) + "\n", code("yaml-syntax", -1), false},
		// slow only because of the issue they show (see the report): skipped with -short.
		{"block-seq-depth-10000", cmHead + "  k:\n    " + strings.Repeat("- ", 10000) + "x\n", anyError, true},
		{"block-map-depth-3000", deepBlockMap(3000), anyError, true},
		{"billion-laughs", billionLaughs(), code("alias-limit", -1), false},
		{"random-bytes", randomBytes(64 << 10), nil, false},
		{"manifest-then-random-bytes", cmHead + "  k: " + randomBytes(16<<10), anyError, false},
		{"nul-bytes-only", strings.Repeat("\x00", 1<<20), none, false},
		{"nul-in-value", cmHead + "  k: a\x00b\n", anyError, false},
		{"nul-in-key", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  na\x00me: x\n", anyError, false},
		// JSON (hence LSP) cannot carry invalid UTF-8: the client's encoder sends U+FFFD.
		{"invalid-utf8", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\ndata:\n  k: \"\xff\xfe\"\n", code("invalid-name", 3), false},
		// isManifest's regexps anchor on "\n": a BOM hides the first line's apiVersion,
		// a lone CR every later line's kind.
		{"bom-lf", "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n", code("type", 5), false},
		{"crlf", "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  a: 1\r\n", code("type", 5), false},
		// A YAML stream whose first document is a flow sequence: yamlpos reads YAML (the
		// CLI reports the error), isManifest takes it for JSON and wants quoted keys.
		{"flow-seq-first-document", "[a, b]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n", code("type", 5), false},
		{"bom-crlf", "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  a: 1\r\n", code("type", 5), false},
		{"lone-cr", "apiVersion: v1\rkind: ConfigMap\rmetadata: {name: x}\rdata: {a: 1}\r", code("type", 3), false},
		{"tab-indent", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n", code("yaml-syntax", 3), false},
		{"tabs-as-separators", "apiVersion:\tv1\nkind:\tConfigMap\nmetadata:\n  name:\tx\ndata:\n  k:\t\"a\tb\"\n  num: 1\t# c\n", code("type", 6), false},
		{"4mb-line", cmHead + "  k: \"" + strings.Repeat("xyz🙂", 1<<20) + "\"\n  num: 1\n", code("type", 6), true},
		{"200k-separators", strings.Repeat("---\n", 200000) + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n", code("type", 200003), true},
		{"control-chars", cmHead + "  k: \"\x1b[31mred\x07\"\n  j: \x01\x02\x03\n", anyError, false},
		// YAML has no surrogate escapes: a syntax error, as the YAML library (and kubectl) says.
		{"surrogate-escapes", cmHead + "  k: \"\\ud800\\udc00 \\uDFFF\"\n", code("yaml-syntax", 5), false},
	}
	h := newHarness(t, harnessOptions{})
	const sane = protocol.DocumentURI("file:///work/sane.yaml")
	h.AwaitDiagnostics(sane, h.Open(sane, deployment))
	saneReplicas := robustPosOf(t, deployment, `(?m)^  (replicas):`, 0, 1)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.slow && testing.Short() {
				t.Skip("slow: skipped with -short")
			}
			uri := protocol.DocumentURI(fmt.Sprintf("file:///work/hostile-%d.yaml", i))
			start := time.Now()
			v := h.Open(uri, tc.text)
			diags := h.AwaitDiagnostics(uri, v)
			took := time.Since(start)
			if tc.check != nil {
				if err := tc.check(diags); err != nil {
					t.Errorf("%v; got%s", err, dump(diags))
				}
			}
			if took > 20*time.Second && !robustRace() {
				t.Errorf("diagnostics took %v", took)
			}
			// Requests on the hostile document itself answer (with or without content).
			var reqs []time.Duration
			lines := uint32(strings.Count(tc.text, "\n"))
			for _, p := range []protocol.Position{{}, {Line: 1, Character: 2}, {Line: lines / 2, Character: 3}, {Line: 3, Character: 4}, {Line: lines, Character: 0}, {Line: 5, Character: 1 << 20}} {
				_, d, err := robustHover(h, uri, p)
				if err != nil {
					t.Errorf("hover at %d:%d: %v", p.Line, p.Character, err)
				}
				if d > hangLimit && !robustRace() {
					t.Errorf("hover at %d:%d took %v", p.Line, p.Character, d.Round(time.Millisecond))
				}
				reqs = append(reqs, d)
				var list protocol.CompletionList
				cs := time.Now()
				if err := h.call(protocol.MethodTextDocumentCompletion, robustParams(uri, p), &list); err != nil {
					t.Errorf("completion at %d:%d: %v", p.Line, p.Character, err)
				}
				if d := time.Since(cs); d > hangLimit && !robustRace() {
					t.Errorf("completion at %d:%d took %v", p.Line, p.Character, d.Round(time.Millisecond))
				}
				reqs = append(reqs, time.Since(cs))
			}
			var syms []protocol.DocumentSymbol
			ss := time.Now()
			if err := h.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms); err != nil {
				t.Errorf("documentSymbol: %v", err)
			}
			if d := time.Since(ss); d > hangLimit && !robustRace() {
				t.Errorf("documentSymbol took %v", d.Round(time.Millisecond))
			}
			reqs = append(reqs, time.Since(ss))
			// An edit, then the connection still answers on another document.
			v = h.Change(uri, contentChange{Range: &protocol.Range{}, Text: "# edited\n"})
			h.AwaitDiagnostics(uri, v)
			robustMustHover(t, h, sane, saneReplicas, true)
			h.Close(uri)
			_, _, _, mx := robustPercentiles(reqs)
			t.Logf("%d bytes: diagnostics %v (%d: %s); slowest request %v", len(tc.text), took.Round(time.Millisecond), len(diags), robustCodes(diags), mx.Round(time.Microsecond))
		})
	}
	robustMustHover(t, h, sane, saneReplicas, true)
}

func robustCodes(diags []protocol.Diagnostic) string {
	var cs []string
	for i, d := range diags {
		if i == 3 {
			cs = append(cs, "...")
			break
		}
		msg := d.Message
		if len(msg) > 70 {
			msg = msg[:70] + "…"
		}
		cs = append(cs, fmt.Sprintf("%v@%d:%d %q", d.Code, d.Range.Start.Line, d.Range.Start.Character, msg))
	}
	return strings.Join(cs, ", ")
}

// typedManifest is typed character by character (~1,500 characters).
const typedManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-frontend
  namespace: shop
  labels:
    app: shop-frontend
    tier: web
  annotations:
    note: "🙂 typed by hand"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: shop-frontend
  template:
    metadata:
      labels:
        app: shop-frontend
        tier: web
    spec:
      containers:
        - name: frontend
          image: registry.example.com/shop/frontend:1.4.2
          imagePullPolicy: Sometimes
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: metrics
              containerPort: "9090"
          env:
            - name: LOG_LEVEL
              value: info
            - name: CACHE_SIZE
              value: 512
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "1"
              memory: 1GB
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          livenessprobe:
            tcpSocket: {port: 8080}
        - name: sidecar
          image: envoyproxy/envoy:v1.31.0
          ports:
            - containerPort: 9901
          resources:
            limits:
              memory: 128Mi
`

// 4. A manifest typed one character at a time, with hover and completion at the cursor
// after every keystroke.
func TestRobustTyping(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const uri = protocol.DocumentURI("file:///work/typed.yaml")
	h.Open(uri, "")
	var (
		wg                  sync.WaitGroup
		sent, answered      atomic.Int64
		errMu               sync.Mutex
		errs                []string
		hoverLat, compLat   []time.Duration
		hoverHits, compHits atomic.Int64
	)
	record := func(what string, p protocol.Position, err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if len(errs) < 10 {
			errs = append(errs, fmt.Sprintf("%s at %d:%d: %v", what, p.Line, p.Character, err))
		}
	}
	steps := 0
	start := time.Now()
	for off := 0; off < len(typedManifest); {
		_, size := utf8.DecodeRuneInString(typedManifest[off:])
		ch := typedManifest[off : off+size]
		cursor := lspPosition(typedManifest, off)
		h.Change(uri, contentChange{Range: &protocol.Range{Start: cursor, End: cursor}, Text: ch})
		off += size
		steps++
		after := lspPosition(typedManifest, off)
		onChar := cursor
		sent.Add(2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			res, d, err := robustHover(h, uri, onChar)
			answered.Add(1)
			if err != nil {
				record("hover", onChar, err)
				return
			}
			if res != nil {
				hoverHits.Add(1)
			}
			errMu.Lock()
			hoverLat = append(hoverLat, d)
			errMu.Unlock()
		}()
		go func() {
			defer wg.Done()
			var list protocol.CompletionList
			cs := time.Now()
			err := h.call(protocol.MethodTextDocumentCompletion, robustParams(uri, after), &list)
			d := time.Since(cs)
			answered.Add(1)
			if err != nil {
				record("completion", after, err)
				return
			}
			if len(list.Items) > 0 {
				compHits.Add(1)
			}
			errMu.Lock()
			compLat = append(compLat, d)
			errMu.Unlock()
		}()
	}
	typing := time.Since(start)
	wg.Wait()
	if got := robustText(h, uri); got != typedManifest {
		t.Fatalf("the harness's text is not the manifest")
	}
	if sent.Load() != answered.Load() {
		t.Errorf("%d requests sent, %d answered", sent.Load(), answered.Load())
	}
	for _, e := range errs {
		t.Error(e)
	}
	v := robustVersion(h, uri)
	final := h.AwaitDiagnostics(uri, v)
	for _, c := range []string{"enum", "type", "quantity", "unknown-field"} {
		if len(find(final, c)) == 0 {
			t.Errorf("final diagnostics lack %q:%s", c, dump(final))
		}
	}
	robustSameAsFresh(t, h, uri, final, typedManifest, "typed manifest")
	h.mu.Lock()
	versions := append([]int32(nil), h.publishes[uri]...)
	h.mu.Unlock()
	for i := 1; i < len(versions); i++ {
		if versions[i] < versions[i-1] {
			t.Errorf("published versions out of order: ...%v", versions[max(0, i-3):min(len(versions), i+3)])
			break
		}
	}
	t.Logf("%d keystrokes in %v, %d requests all answered; %d publications; hover %s (%d with content); completion %s (%d non-empty)",
		steps, typing.Round(time.Millisecond), answered.Load(), len(versions), robustFmtPct(hoverLat), hoverHits.Load(), robustFmtPct(compLat), compHits.Load())
}

// 5. Hover latency while a 5,000-document file is being validated.
func TestRobustHoverUnderLoad(t *testing.T) {
	robustSlow(t)
	corpus, _ := bench.CorpusWithErrors(5000, 99, 10)
	text := string(corpus)
	keys := regexp.MustCompile(`(?m)^ +(image|replicas|containerPort|name|memory|kind):`).FindAllStringSubmatchIndex(text, -1)
	var positions []protocol.Position
	for i := 0; i < 200; i++ {
		k := keys[(i*7919)%len(keys)]
		positions = append(positions, lspPosition(text, k[2]+1))
	}
	h := newHarness(t, harnessOptions{})

	// An editor sends one hover at a time: measure each while diagnostics run.
	burst := func(uri protocol.DocumentURI, v int32) (lat []time.Duration, hits int, overlapped bool) {
		for _, p := range positions {
			res, d, err := robustHover(h, uri, p)
			if err != nil {
				t.Errorf("hover at %d:%d: %v", p.Line, p.Character, err)
				continue
			}
			if res != nil {
				hits++
			}
			lat = append(lat, d)
		}
		return lat, hits, h.DoneCount(uri, v) == 0
	}

	// a) Cold: the file just opened, nothing parsed or validated yet.
	const uri = protocol.DocumentURI("file:///work/load.yaml")
	v := h.Open(uri, text)
	cold, coldHits, coldOverlap := burst(uri, v)
	h.AwaitDiagnostics(uri, v)

	// b) A keystroke in the middle of the file: one section re-validated.
	mid := robustPosOf(t, text, `(?m)^  name: ([a-z0-9-]+)$`, 2500, 0)
	v = h.Change(uri, contentChange{Range: &protocol.Range{Start: mid, End: mid}, Text: "x"})
	warm, warmHits, warmOverlap := burst(uri, v)
	h.AwaitDiagnostics(uri, v)

	// c) A change of every section that moves no key (a full-text replacement, as from a
	// formatter): everything parsed and validated again.
	v = h.Change(uri, contentChange{Text: strings.ReplaceAll(text, "\nkind: ", "\nkind:  ")})
	full, fullHits, fullOverlap := burst(uri, v)
	h.AwaitDiagnostics(uri, v)

	for _, r := range []struct {
		name    string
		lat     []time.Duration
		hits    int
		overlap bool
	}{{"cold open", cold, coldHits, coldOverlap}, {"one-section edit", warm, warmHits, warmOverlap}, {"full-text change", full, fullHits, fullOverlap}} {
		_, _, _, worst := robustPercentiles(r.lat)
		t.Logf("%s: 200 hovers %s, %d with content, diagnostics still running when the last answered: %v", r.name, robustFmtPct(r.lat), r.hits, r.overlap)
		if len(r.lat) != len(positions) {
			t.Errorf("%s: %d of %d hovers answered", r.name, len(r.lat), len(positions))
		}
		if r.hits < len(positions)*9/10 {
			t.Errorf("%s: only %d of %d hovers had content", r.name, r.hits, len(positions))
		}
		// Timings are reported, not asserted; only a hang fails.
		if worst > 10*time.Second {
			t.Errorf("%s: a hover took %v", r.name, worst)
		}
	}
}

// 6. Random incremental edits (ranges at line ends, across CRLF, inside surrogate pairs)
// against a client-side shadow text.
func TestRobustRandomEdits(t *testing.T) {
	seed := uint64(20260401)
	if s := os.Getenv("KUBECTL_LSP_ROBUST_SEED"); s != "" {
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("KUBECTL_LSP_ROBUST_SEED=%q: %v", s, err)
		}
	}
	rnd := rand.New(rand.NewPCG(seed, 1))
	initial := "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: emoji-🙂\r\n  labels: {app: \"𝔘𝔫𝔦\"}\r\ndata:\r\n  a: \"🙂🙂\"\r\n  b: 1\r\n" +
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # 𝔘 comment\nspec:\n  replicas: \"two\"\n  selector:\n    matchLabels: {app: web}\n" +
		"  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx\r\n          imagePullPolicy: Sometimes\r\n" +
		"---\r\napiVersion: v1\rkind: Service\rmetadata: {name: é-svc}\rspec:\r  ports: [{port: 80}]\r"
	pieces := []string{"", "", "a", "xyz", " ", "  ", ":", ": ", "- ", "\n", "\r\n", "\r", "🙂", "𝔘", "é", "\t", "#", "\"", "{", "}", "[", "]",
		"---\n", "  key: value\r\n", "name: 🙂x\n", "\r\n---\r\n", "apiVersion: v1\nkind: ConfigMap\n"}

	blocks := []string{
		"---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c🙂\r\ndata:\r\n  k: 1\r\n",
		"\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: x\n  template:\n    spec:\n      containers:\n        - name: 𝔘\n          image: i\n",
		"\n  labels:\n    app: 𝔘𝔫𝔦\r\n    tier: \"é\"\n",
		"\r\n  ports:\r\n    - port: \"80\"\r\n      protocol: tcp\r\n",
	}
	h := newHarness(t, harnessOptions{})
	const uri = protocol.DocumentURI("file:///work/random.yaml")
	v := h.Open(uri, initial)
	robustSameAsFresh(t, h, uri, h.AwaitDiagnostics(uri, v), initial, "initial text")

	// lines splits text as LSP does, returning each line's content (without its break).
	lines := func(text string) []string {
		var out []string
		s := 0
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '\n':
				out = append(out, text[s:i])
				s = i + 1
			case '\r':
				out = append(out, text[s:i])
				if i+1 < len(text) && text[i+1] == '\n' {
					i++
				}
				s = i + 1
			}
		}
		return append(out, text[s:])
	}
	utf16Len := func(s string) int { return len(utf16.Encode([]rune(s))) }
	randPos := func(ls []string) protocol.Position {
		l := rnd.IntN(len(ls))
		n := utf16Len(ls[l])
		var c int
		switch r := rnd.IntN(10); {
		case r < 2:
			c = n // the line end (before the CR or LF)
		case r < 3:
			c = n + 1 + rnd.IntN(5) // past the end: clamped to it
		case r < 4:
			c = 0
		case r < 5:
			// Inside a surrogate pair, if the line has one.
			u := utf16.Encode([]rune(ls[l]))
			c = rnd.IntN(n + 1)
			for i := range u {
				if utf16.IsSurrogate(rune(u[i])) && i+1 < len(u) {
					c = i + 1
					break
				}
			}
		default:
			c = rnd.IntN(n + 1)
		}
		return protocol.Position{Line: uint32(l), Character: uint32(c)}
	}
	const edits = 2000
	checkpoints, mismatches := 0, 0
	totalChanges := 0
	start := time.Now()
	for i := 0; i < edits; i++ {
		text := robustText(h, uri)
		var changes []contentChange
		for n := 1 + rnd.IntN(3)*rnd.IntN(2); n > 0; n-- {
			ls := lines(text)
			a := randPos(ls)
			b := a
			switch r := rnd.IntN(10); {
			case r < 4: // an insertion
			case r < 7: // a range on a line
				b = randPos(ls[a.Line : a.Line+1])
				b.Line = a.Line
			default: // across up to three line breaks (CRLF, LF, CR)
				l := int(a.Line) + 1 + rnd.IntN(3)
				if l >= len(ls) {
					l = len(ls) - 1
				}
				b = randPos(ls[l : l+1])
				b.Line = uint32(l)
			}
			if offsetOf(text, b) < offsetOf(text, a) {
				a, b = b, a
			}
			ins := pieces[rnd.IntN(len(pieces))]
			if rnd.IntN(4) == 0 {
				ins += pieces[rnd.IntN(len(pieces))]
			}
			if len(text) < 1500 && rnd.IntN(8) == 0 {
				ins += blocks[rnd.IntN(len(blocks))] // keep the text from wasting away
			}
			c := contentChange{Range: &protocol.Range{Start: a, End: b}, Text: ins}
			changes = append(changes, c)
			sa, sb := offsetOf(text, a), offsetOf(text, b)
			text = text[:sa] + ins + text[sb:]
		}
		totalChanges += len(changes)
		v = h.Change(uri, changes...)
		if robustText(h, uri) != text {
			t.Fatalf("edit %d: the harness's shadow disagrees with the test's", i)
		}
		if (i+1)%200 == 0 {
			checkpoints++
			got := h.AwaitDiagnostics(uri, v)
			if !robustSameAsFresh(t, h, uri, got, text, fmt.Sprintf("after edit %d", i+1)) {
				mismatches++
			}
			robustServerText(t, h, uri, text, i+1)
			if mismatches > 2 {
				t.Fatalf("stopping after %d mismatches (seed %d)", mismatches, seed)
			}
		}
	}
	editing := time.Since(start)

	// Finally a known document at the end; its error and hover must be where the client
	// thinks they are.
	text := robustText(h, uri)
	end := lspPosition(text, len(text))
	tail := "\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: sentinel}\r\ndata: {\"🙂\": 1}\r\n"
	v = h.Change(uri, contentChange{Range: &protocol.Range{Start: end, End: end}, Text: tail})
	text = robustText(h, uri)
	got := h.AwaitDiagnostics(uri, v)
	one := strings.LastIndex(text, ": 1}")
	want := protocol.Range{Start: lspPosition(text, one+2), End: lspPosition(text, one+3)}
	found := false
	for _, d := range got {
		found = found || (d.Code == "type" && d.Range == want)
	}
	// A text starting with "{" is a JSON stream (as kubectl reads it), which swallows the
	// sentinel; one starting with "[" is the isManifest issue TestRobustHostileInput's
	// flow-seq-first-document shows. Either way the comparison with a fresh open holds.
	jsonLike := strings.IndexAny(strings.TrimLeft(text, " \t\r\n"), "{[") == 0
	if !found && !jsonLike {
		t.Errorf("no type diagnostic at %+v for the sentinel document:%s\ntext (%d bytes) begins %q", want, dump(got), len(text), text[:min(len(text), 160)])
		if dir := os.Getenv("KUBECTL_LSP_ROBUST_DUMP"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("random-%d.yaml", seed)), []byte(text), 0o644)
		}
	}
	robustSameAsFresh(t, h, uri, got, text, "final text")
	robustServerText(t, h, uri, text, edits)
	dataKey := lspPosition(text, strings.LastIndex(text, "data:")+1)
	if res, _, err := robustHover(h, uri, dataKey); err != nil || (!jsonLike && (res == nil || !strings.Contains(res.Contents.Value, "data"))) {
		t.Errorf("hover on the sentinel's data key at %+v = %v, %v", dataKey, res, err)
	}
	// Hovers and symbols agree with a fresh open of the same text.
	fresh := protocol.DocumentURI("file:///work/random-fresh.yaml")
	h.AwaitDiagnostics(fresh, h.Open(fresh, text))
	ls := lines(text)
	differ := 0
	for i := 0; i < 300; i++ {
		p := randPos(ls)
		a, _, err1 := robustHover(h, uri, p)
		b, _, err2 := robustHover(h, fresh, p)
		if err1 != nil || err2 != nil {
			t.Errorf("hover at %+v: %v / %v", p, err1, err2)
			continue
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			differ++
			if differ <= 3 {
				t.Errorf("hover at %d:%d differs from a fresh open:\n%s\n%s", p.Line, p.Character, ja, jb)
			}
		}
	}
	sa, sb := h.Symbols(uri), h.Symbols(fresh)
	if ja, jb := robustJSON(sa), robustJSON(sb); ja != jb {
		t.Errorf("document symbols differ from a fresh open")
	}
	t.Logf("seed %d (KUBECTL_LSP_ROBUST_SEED): %d didChange notifications (%d content changes) in %v; %d checkpoints, final text %d bytes / %d lines, %d diagnostics",
		seed, edits, totalChanges, editing.Round(time.Millisecond), checkpoints, len(text), len(ls), len(got))
}

func robustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// robustServerText compares the server's own text of the document with the client's
// (white-box, for diagnosis: the protocol-level checks above are the test).
func robustServerText(t *testing.T, h *harness, uri protocol.DocumentURI, want string, edit int) {
	t.Helper()
	h.srv.mu.Lock()
	doc := h.srv.docs[uri]
	var got []byte
	if doc != nil {
		got = doc.snap.text
	}
	h.srv.mu.Unlock()
	if string(got) == want {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-30)
	t.Errorf("after edit %d the server's text differs from the client's at byte %d:\nserver %q\nclient %q",
		edit, i, got[lo:min(len(got), i+30)], want[lo:min(len(want), i+30)])
}

// A deterministic form of what TestRobustRandomEdits finds with some seeds: a syntax
// error reported on the line after its section (here the separator line) keeps the
// range computed for the old separator once only that line changes.
func TestRobustEditNextToSyntaxError(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const uri = protocol.DocumentURI("file:///work/next-to-error.yaml")
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\na: \"unclosed\n--- # next document\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: yy}\n"
	v := h.Open(uri, text)
	first := h.AwaitDiagnostics(uri, v)
	robustSameAsFresh(t, h, uri, first, text, "as opened")
	v = h.Replace(uri, "--- # next document\n", "---\n")
	got := h.AwaitDiagnostics(uri, v)
	robustSameAsFresh(t, h, uri, got, robustText(h, uri), "after editing the separator line")
}

// hangLimit is how long a single request may take before a robustness test calls it a
// hang. Latencies are logged, never asserted: a busy CI machine must not fail a test.
const hangLimit = 15 * time.Second
