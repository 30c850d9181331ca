package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// The in-process harness: the real server on one end of a net.Pipe, a go.lsp.dev
// jsonrpc2 client on the other. Waiting is on protocol events (the
// kubectl-lsp/diagnosticsDone notification), never on time; the only deadline is a
// generous timeout that fails the test instead of hanging it.

const awaitTimeout = 60 * time.Second

type harness struct {
	t        *testing.T
	srv      *Server
	conn     jsonrpc2.Conn
	pipe     net.Conn // the client's end, for raw writes
	serveErr chan error
	ctx      context.Context
	logDone  func()

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every event
	published map[docVersion]publishDiagnosticsParams
	done      map[docVersion]int               // diagnosticsDone notifications per version
	publishes map[protocol.DocumentURI][]int32 // versions published, in order
	messages  []protocol.ShowMessageParams
	statuses  []StatusParams
	progress  []map[string]any // $/progress values, in order
	calls     []string         // methods of the server's requests, in order
	respond   func(method string, params json.RawMessage) (any, error)
	texts     map[protocol.DocumentURI]string
	versions  map[protocol.DocumentURI]int32
	markers   map[protocol.DocumentURI]map[string]int
	exited    bool
}

type docVersion struct {
	uri     protocol.DocumentURI
	version int32
}

type harnessOptions struct {
	// initOptions are merged into the initializationOptions (which always ask for
	// diagnosticsDone and no debounce).
	initOptions map[string]any
	features    features
	hook        func(ctx context.Context, id jsonrpc2.ID, method string)
	// noInitialize leaves the session uninitialized.
	noInitialize bool
	// root is the workspace folder ("": none).
	root string
	// capabilities are the client's; nil means a typical modern client.
	capabilities map[string]any
	// server adjusts the server's options (cluster flags, transport wrappers).
	server func(*Options)
	// respond answers the server's requests to the client (showMessageRequest,
	// showDocument, codeLens/refresh); nil, or an error, means MethodNotFound.
	respond func(method string, params json.RawMessage) (any, error)
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logger, logDone := testLogger(t)
	sopts := Options{Logger: logger}
	if o.server != nil {
		o.server(&sopts)
	}
	srv := NewServer(sopts)
	srv.features = o.features
	srv.testHookRequest = o.hook
	serverEnd, clientEnd := net.Pipe()
	h := &harness{
		t: t, srv: srv, pipe: clientEnd, serveErr: make(chan error, 1), ctx: ctx, logDone: logDone,
		changed:   make(chan struct{}),
		published: map[docVersion]publishDiagnosticsParams{},
		done:      map[docVersion]int{},
		publishes: map[protocol.DocumentURI][]int32{},
		texts:     map[protocol.DocumentURI]string{},
		versions:  map[protocol.DocumentURI]int32{},
		markers:   map[protocol.DocumentURI]map[string]int{},
	}
	h.respond = o.respond
	go func() { h.serveErr <- srv.Serve(ctx, serverEnd) }()
	h.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	h.conn.Go(ctx, h.handle)
	t.Cleanup(func() {
		if !h.exited {
			_ = h.call(protocol.MethodShutdown, nil, nil)
			_ = h.conn.Notify(ctx, protocol.MethodExit, nil)
			h.awaitExit()
		}
		_ = h.conn.Close()
		cancel()
		logDone()
	})
	if !o.noInitialize {
		h.initialize(o)
	}
	return h
}

func (h *harness) initialize(o harnessOptions) *protocol.InitializeResult {
	h.t.Helper()
	opts := map[string]any{"diagnosticsDoneNotification": true, "debounceMs": 0}
	for k, v := range o.initOptions {
		opts[k] = v
	}
	caps := o.capabilities
	if caps == nil {
		caps = map[string]any{"textDocument": map[string]any{
			"hover":          map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
			"completion":     map[string]any{"completionItem": map[string]any{"snippetSupport": true}},
			"documentSymbol": map[string]any{"hierarchicalDocumentSymbolSupport": true},
		}}
	}
	var root any
	if o.root != "" {
		root = uri.File(o.root)
	}
	var res protocol.InitializeResult
	if err := h.call(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": root, "capabilities": caps, "initializationOptions": opts,
	}, &res); err != nil {
		h.t.Fatalf("initialize: %v", err)
	}
	h.notify(protocol.MethodInitialized, map[string]any{})
	return &res
}

// handle receives the server's messages to the client.
func (h *harness) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.signal()
	switch req.Method() {
	case protocol.MethodTextDocumentPublishDiagnostics:
		var p publishDiagnosticsParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			h.t.Errorf("publishDiagnostics: %v", err)
			break
		}
		h.published[docVersion{p.URI, p.Version}] = p
		h.publishes[p.URI] = append(h.publishes[p.URI], p.Version)
	case MethodDiagnosticsDone:
		var p DiagnosticsDoneParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			h.t.Errorf("diagnosticsDone: %v", err)
			break
		}
		h.done[docVersion{p.URI, p.Version}]++
	case protocol.MethodWindowShowMessage:
		var p protocol.ShowMessageParams
		_ = json.Unmarshal(req.Params(), &p)
		h.messages = append(h.messages, p)
	case MethodStatus:
		var p StatusParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			h.t.Errorf("status: %v", err)
		}
		h.statuses = append(h.statuses, p)
	case protocol.MethodProgress:
		var p struct {
			Token string         `json:"token"`
			Value map[string]any `json:"value"`
		}
		_ = json.Unmarshal(req.Params(), &p)
		p.Value["token"] = p.Token
		h.progress = append(h.progress, p.Value)
	case protocol.MethodWorkDoneProgressCreate:
		// Reply off the read loop: over a synchronous pipe, a write here could wait on
		// a server that is itself writing.
		go func() { _ = reply(ctx, nil, nil) }()
		return nil
	}
	if _, isCall := req.(*jsonrpc2.Call); isCall {
		h.calls = append(h.calls, req.Method())
		if h.respond != nil {
			// Reply off the read loop (see workDoneProgress/create above).
			method, params := req.Method(), req.Params()
			go func() {
				res, err := h.respond(method, params)
				_ = reply(ctx, res, err)
			}()
			return nil
		}
		return reply(ctx, nil, jsonrpc2.ErrMethodNotFound)
	}
	return nil
}

// signal wakes waiters; called with h.mu held.
func (h *harness) signal() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// await waits until cond (evaluated with h.mu held) holds.
func (h *harness) await(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(awaitTimeout)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		ok, ch := cond(), h.changed
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *harness) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(h.ctx, awaitTimeout)
	defer cancel()
	_, err := h.conn.Call(ctx, method, params, result)
	return err
}

func (h *harness) notify(method string, params any) {
	h.t.Helper()
	if err := h.conn.Notify(h.ctx, method, params); err != nil {
		h.t.Fatalf("%s: %v", method, err)
	}
}

func (h *harness) awaitExit() error {
	h.t.Helper()
	h.exited = true
	select {
	case err := <-h.serveErr:
		return err
	case <-time.After(awaitTimeout):
		h.t.Fatal("the server did not exit")
		return nil
	}
}

// Open opens a document whose text may carry markers `<|name|>`; they are removed and
// remembered for Hover, Complete and Pos. It returns the version (1).
func (h *harness) Open(uri protocol.DocumentURI, text string) int32 {
	h.t.Helper()
	clean, markers := parseMarkers(text)
	h.mu.Lock()
	h.texts[uri], h.markers[uri], h.versions[uri] = clean, markers, 1
	h.mu.Unlock()
	h.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: uri, LanguageID: "yaml", Version: 1, Text: clean,
	}})
	return 1
}

// Change sends changes as one didChange and applies them to the harness's copy of the
// text (with its own position arithmetic, not the server's). It returns the new version.
func (h *harness) Change(uri protocol.DocumentURI, changes ...contentChange) int32 {
	h.t.Helper()
	h.mu.Lock()
	text := h.texts[uri]
	for _, c := range changes {
		if c.Range == nil {
			text = c.Text
			continue
		}
		start, end := offsetOf(text, c.Range.Start), offsetOf(text, c.Range.End)
		text = text[:start] + c.Text + text[end:]
	}
	h.texts[uri] = text
	h.versions[uri]++
	v := h.versions[uri]
	h.mu.Unlock()
	h.notify(protocol.MethodTextDocumentDidChange, &didChangeParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: v},
		ContentChanges: changes,
	})
	return v
}

// Replace changes the only occurrence of old in the document into new, incrementally.
func (h *harness) Replace(uri protocol.DocumentURI, old, new string) int32 {
	h.t.Helper()
	return h.Change(uri, h.Edit(uri, old, new))
}

// Edit is the incremental change replacing the only occurrence of old.
func (h *harness) Edit(uri protocol.DocumentURI, old, new string) contentChange {
	h.t.Helper()
	h.mu.Lock()
	text := h.texts[uri]
	h.mu.Unlock()
	if strings.Count(text, old) != 1 {
		h.t.Fatalf("Edit: %q occurs %d times in %s", old, strings.Count(text, old), uri)
	}
	i := strings.Index(text, old)
	r := protocol.Range{Start: lspPosition(text, i), End: lspPosition(text, i+len(old))}
	return contentChange{Range: &r, Text: new}
}

func (h *harness) Close(uri protocol.DocumentURI) {
	h.t.Helper()
	h.notify(protocol.MethodTextDocumentDidClose, &protocol.DidCloseTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}})
}

// AwaitDiagnostics waits for the diagnostics of a document version and returns them.
func (h *harness) AwaitDiagnostics(uri protocol.DocumentURI, version int32) []protocol.Diagnostic {
	h.t.Helper()
	return h.AwaitDiagnosticsAfter(uri, version, 0)
}

// DoneCount is how many times the diagnostics of a version were published so far.
func (h *harness) DoneCount(uri protocol.DocumentURI, version int32) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done[docVersion{uri, version}]
}

// AwaitDiagnosticsAfter waits for diagnostics of a version published after the first
// `seen` ones (re-validations of an unchanged document: new schemas or settings).
func (h *harness) AwaitDiagnosticsAfter(uri protocol.DocumentURI, version int32, seen int) []protocol.Diagnostic {
	h.t.Helper()
	key := docVersion{uri, version}
	h.await(fmt.Sprintf("diagnostics of %s version %d (after %d)", uri, version, seen), func() bool { return h.done[key] > seen })
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.published[key].Diagnostics
}

// Pos is the LSP position of a marker of the document as opened.
func (h *harness) Pos(uri protocol.DocumentURI, marker string) protocol.Position {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	off, ok := h.markers[uri][marker]
	if !ok {
		h.t.Fatalf("no marker %q in %s", marker, uri)
	}
	return lspPosition(h.texts[uri], off)
}

// Span is the LSP range between two markers.
func (h *harness) Span(uri protocol.DocumentURI, from, to string) protocol.Range {
	h.t.Helper()
	return protocol.Range{Start: h.Pos(uri, from), End: h.Pos(uri, to)}
}

func (h *harness) positionParams(uri protocol.DocumentURI, marker string) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: h.Pos(uri, marker)}
}

// Hover asks for the hover at a marker.
func (h *harness) Hover(uri protocol.DocumentURI, marker string) *protocol.Hover {
	h.t.Helper()
	var res *protocol.Hover
	if err := h.call(protocol.MethodTextDocumentHover, h.positionParams(uri, marker), &res); err != nil {
		h.t.Fatalf("hover: %v", err)
	}
	return res
}

// Complete asks for completions at a marker.
func (h *harness) Complete(uri protocol.DocumentURI, marker string) *protocol.CompletionList {
	h.t.Helper()
	var res protocol.CompletionList
	if err := h.call(protocol.MethodTextDocumentCompletion, h.positionParams(uri, marker), &res); err != nil {
		h.t.Fatalf("completion: %v", err)
	}
	return &res
}

func (h *harness) Symbols(uri protocol.DocumentURI) []protocol.DocumentSymbol {
	h.t.Helper()
	var res []protocol.DocumentSymbol
	if err := h.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uri}}, &res); err != nil {
		h.t.Fatalf("documentSymbol: %v", err)
	}
	return res
}

func (h *harness) Folding(uri protocol.DocumentURI) []protocol.FoldingRange {
	h.t.Helper()
	var res []protocol.FoldingRange
	if err := h.call(protocol.MethodTextDocumentFoldingRange, map[string]any{"textDocument": map[string]any{"uri": uri}}, &res); err != nil {
		h.t.Fatalf("foldingRange: %v", err)
	}
	return res
}

func (h *harness) Configure(settings map[string]any) {
	h.t.Helper()
	h.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": settings})
}

// Statuses returns the kubectl-lsp/status notifications received so far.
func (h *harness) Statuses() []StatusParams {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]StatusParams(nil), h.statuses...)
}

// AwaitStatus waits for a status notification that satisfies cond and returns it.
func (h *harness) AwaitStatus(what string, cond func(StatusParams) bool) StatusParams {
	h.t.Helper()
	var found StatusParams
	h.await(what, func() bool {
		for _, st := range h.statuses {
			if cond(st) {
				found = st
				return true
			}
		}
		return false
	})
	return found
}

// AwaitMessage waits for a showMessage containing text and returns it.
func (h *harness) AwaitMessage(text string) protocol.ShowMessageParams {
	h.t.Helper()
	var found protocol.ShowMessageParams
	h.await("a message containing "+strconv.Quote(text), func() bool {
		for _, m := range h.messages {
			if strings.Contains(m.Message, text) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// Messages returns the window/showMessage notifications received so far.
func (h *harness) Messages() []protocol.ShowMessageParams {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]protocol.ShowMessageParams(nil), h.messages...)
}

var markerRE = regexp.MustCompile(`<\|([A-Za-z0-9_.-]+)\|>`)

// parseMarkers removes `<|name|>` markers from text, returning their byte offsets.
func parseMarkers(text string) (string, map[string]int) {
	markers := map[string]int{}
	var b strings.Builder
	last := 0
	for _, m := range markerRE.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(text[last:m[0]])
		markers[text[m[2]:m[3]]] = b.Len()
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String(), markers
}

// lspPosition and offsetOf are the tests' own position arithmetic (lines broken at \n,
// \r\n or \r; columns in UTF-16 units), deliberately independent of yamlpos.Mapper.
func lspPosition(text string, offset int) protocol.Position {
	var line, col uint32
	for i := 0; i < offset; {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\r' && i+1 < len(text) && text[i+1] == '\n' && i+1 < offset:
			line, col = line+1, 0
			size = 2
		case r == '\n' || r == '\r':
			line, col = line+1, 0
		default:
			col += uint32(utf16.RuneLen(r))
		}
		i += size
	}
	return protocol.Position{Line: line, Character: col}
}

func offsetOf(text string, p protocol.Position) int {
	var line uint32
	i := 0
	for line < p.Line && i < len(text) {
		if text[i] == '\n' || (text[i] == '\r' && (i+1 >= len(text) || text[i+1] != '\n')) {
			line++
		}
		i++
	}
	for col := uint32(0); col < p.Character && i < len(text) && text[i] != '\n' && text[i] != '\r'; {
		r, size := utf8.DecodeRuneInString(text[i:])
		col += uint32(utf16.RuneLen(r))
		i += size
	}
	return i
}

// testLogger logs to t.Log until the returned function is called.
func testLogger(t *testing.T) (*slog.Logger, func()) {
	w := &testWriter{t: t}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), w.stop
}

type testWriter struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

// rpcCode is the JSON-RPC error code of err (0 if none).
func rpcCode(err error) jsonrpc2.Code {
	var jerr *jsonrpc2.Error
	if errors.As(err, &jerr) {
		return jerr.Code
	}
	return 0
}
