package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

const (
	uriA   protocol.DocumentURI = "file:///work/a.yaml"
	uriB   protocol.DocumentURI = "file:///work/b.yaml"
	uriCRD protocol.DocumentURI = "file:///work/crds/backup.yaml"
)

// find returns the diagnostics with a code.
func find(diags []protocol.Diagnostic, code string) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range diags {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

func only(t *testing.T, diags []protocol.Diagnostic, code string) protocol.Diagnostic {
	t.Helper()
	got := find(diags, code)
	if len(got) != 1 {
		t.Fatalf("want one %q diagnostic, got %d in %s", code, len(got), dump(diags))
	}
	return got[0]
}

func dump(diags []protocol.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %d:%d-%d:%d %v %s", d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Line, d.Range.End.Character, d.Code, d.Message)
	}
	return b.String()
}

func TestInitializeCapabilities(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true, features: fakeFeatures{}})
	res := h.initialize(harnessOptions{})
	caps := res.Capabilities
	sync, ok := caps.TextDocumentSync.(map[string]any)
	if !ok || sync["change"] != float64(protocol.TextDocumentSyncKindIncremental) || sync["openClose"] != true {
		t.Errorf("textDocumentSync = %#v, want incremental with open/close", caps.TextDocumentSync)
	}
	if caps.HoverProvider != true || caps.DocumentSymbolProvider != true || caps.FoldingRangeProvider != true {
		t.Errorf("hover/documentSymbol/foldingRange not advertised: %+v", caps)
	}
	if caps.CompletionProvider == nil || !reflect.DeepEqual(caps.CompletionProvider.TriggerCharacters, []string{":", " ", "-"}) {
		t.Errorf("completionProvider = %+v", caps.CompletionProvider)
	}
	if caps.TypeDefinitionProvider != nil || caps.ImplementationProvider != nil || caps.DocumentHighlightProvider != nil {
		t.Errorf("advertises what it does not answer: %+v", caps)
	}
	if res.ServerInfo == nil || res.ServerInfo.Name != "kubectl-lsp" || res.ServerInfo.Version != version.Get().Version {
		t.Errorf("serverInfo = %+v, want version %s", res.ServerInfo, version.Get().Version)
	}
}

func TestCapabilitiesAdvertised(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true})
	caps := h.initialize(harnessOptions{}).Capabilities
	if caps.HoverProvider != true || caps.CompletionProvider == nil || caps.DocumentSymbolProvider != true ||
		caps.FoldingRangeProvider != true || caps.CodeLensProvider == nil || caps.CodeActionProvider != true ||
		caps.DefinitionProvider != true || caps.ReferencesProvider != true || caps.RenameProvider != true {
		t.Errorf("capabilities %+v: want hover, completion, symbols, folding, code lenses, code actions, definition, references and rename", caps)
	}
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true})
	var res any
	if err := h.call(protocol.MethodTextDocumentHover, h.positionParamsAt(uriA, 0, 0), &res); rpcCode(err) != jsonrpc2.ServerNotInitialized {
		t.Errorf("hover before initialize: %v, want ServerNotInitialized", err)
	}
	h.Open(uriA, "apiVersion: v1\nkind: Pod\n") // dropped: not initialized
	h.initialize(harnessOptions{})
	if err := h.call(protocol.MethodInitialize, map[string]any{"capabilities": map[string]any{}}, &res); rpcCode(err) != jsonrpc2.InvalidRequest {
		t.Errorf("second initialize: %v, want InvalidRequest", err)
	}
	if err := h.call(protocol.MethodShutdown, nil, &res); err != nil || res != nil {
		t.Fatalf("shutdown = %v, %v; want null", res, err)
	}
	if err := h.call(protocol.MethodTextDocumentHover, h.positionParamsAt(uriA, 0, 0), &res); rpcCode(err) != jsonrpc2.InvalidRequest {
		t.Errorf("hover after shutdown: %v, want InvalidRequest", err)
	}
	h.notify(protocol.MethodExit, nil)
	if err := h.awaitExit(); err != nil {
		t.Errorf("Serve after shutdown and exit = %v, want nil", err)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.notify(protocol.MethodExit, nil)
	if err := h.awaitExit(); err != ErrExitWithoutShutdown {
		t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
	}
}

func TestUnknownMethods(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var res any
	err := h.call("textDocument/noSuchThing", map[string]any{}, &res)
	if rpcCode(err) != jsonrpc2.MethodNotFound {
		t.Errorf("unknown request: %v, want MethodNotFound", err)
	}
	h.notify("workspace/noSuchNotification", map[string]any{"x": 1})
	h.notify("$/setTrace", map[string]any{"value": "off"})
	// Still serving.
	v := h.Open(uriA, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	if d := h.AwaitDiagnostics(uriA, v); len(d) != 0 {
		t.Errorf("diagnostics: %s", dump(d))
	}
}

func TestMalformedMessagesSurvived(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, raw := range []string{
		"Content-Length: 9\r\n\r\n{not json",
		"Content-Length: 2\r\n\r\n{}", // neither a request nor a response
		"garbage line\r\n\r\n",        // no Content-Length
		"Content-Length: -4\r\n\r\n",  // bad length
		"Content-Length: 40\r\nX-Bad\r\n\r\n" + `{"jsonrpc":"2.0","method":"unknown/x"}  `, // bad header, usable length
	} {
		if _, err := h.pipe.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	// Params of the wrong shape: an error reply, not a dead connection.
	var res any
	if err := h.call(protocol.MethodTextDocumentHover, []int{1, 2}, &res); rpcCode(err) != jsonrpc2.InvalidParams {
		t.Errorf("hover with bad params: %v, want InvalidParams", err)
	}
	h.notify(protocol.MethodTextDocumentDidChange, "not an object")
	v := h.Open(uriA, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n")
	if d := h.AwaitDiagnostics(uriA, v); len(find(d, "type")) != 1 {
		t.Errorf("after malformed messages: %s", dump(d))
	}
}

func TestCancelRequest(t *testing.T) {
	started := make(chan jsonrpc2.ID, 1)
	var once sync.Once
	h := newHarness(t, harnessOptions{features: fakeFeatures{}, hook: func(ctx context.Context, id jsonrpc2.ID, method string) {
		if method != protocol.MethodTextDocumentHover {
			return
		}
		once.Do(func() {
			started <- id
			<-ctx.Done() // hold the first hover until it is cancelled
		})
	}})
	h.Open(uriA, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <|h|>name: x\n")
	errc := make(chan error, 1)
	go func() {
		var res any
		errc <- h.call(protocol.MethodTextDocumentHover, h.positionParams(uriA, "h"), &res)
	}()
	id := <-started
	h.notify(protocol.MethodCancelRequest, map[string]any{"id": &id})
	if err := <-errc; rpcCode(err) != codeRequestCancelled {
		t.Errorf("cancelled hover: %v, want RequestCancelled (-32800)", err)
	}
	// Cancelling an unknown or finished request is harmless.
	h.notify(protocol.MethodCancelRequest, map[string]any{"id": 12345})
	h.notify(protocol.MethodCancelRequest, map[string]any{"id": "abc"})
	if hov := h.Hover(uriA, "h"); hov == nil {
		t.Error("hover after cancellations: nil")
	}
}

// The emoji takes 4 bytes, 1 character and 2 UTF-16 units: columns after it tell which
// unit a server counts in.
const emojiManifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: web, annotations: {note: "🙂 ok 🙂"}, labels: {app: <|s|>3<|e|>}}
data:
  a: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  <|first|>name<|first_end|>: a
  <|dup|>name<|dup_end|>: b
`

func TestDiagnosticsUTF16Ranges(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v := h.Open(uriA, emojiManifest)
	diags := h.AwaitDiagnostics(uriA, v)
	typ := only(t, diags, "type")
	if want := h.Span(uriA, "s", "e"); typ.Range != want {
		t.Errorf("type diagnostic at %+v, want %+v (UTF-16 columns)", typ.Range, want)
	}
	if typ.Severity != protocol.DiagnosticSeverityError || typ.Source != "kubectl-lsp" || !strings.Contains(typ.Message, "metadata.labels[app]") {
		t.Errorf("type diagnostic = %+v", typ)
	}
	dup := only(t, diags, "duplicate-key")
	if want := h.Span(uriA, "dup", "dup_end"); dup.Range != want || dup.Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("duplicate-key at %+v severity %v, want %+v warning", dup.Range, dup.Severity, want)
	}
	if len(dup.RelatedInformation) != 1 || dup.RelatedInformation[0].Location.URI != uriA ||
		dup.RelatedInformation[0].Location.Range != h.Span(uriA, "first", "first_end") {
		t.Errorf("duplicate-key related information = %+v, want the first occurrence", dup.RelatedInformation)
	}
}

func TestDiagnosticsCRLF(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v := h.Open(uriA, strings.ReplaceAll(emojiManifest, "\n", "\r\n"))
	diags := h.AwaitDiagnostics(uriA, v)
	if got, want := only(t, diags, "type").Range, h.Span(uriA, "s", "e"); got != want {
		t.Errorf("type diagnostic at %+v, want %+v", got, want)
	}
	if got, want := only(t, diags, "duplicate-key").Range, h.Span(uriA, "dup", "dup_end"); got != want {
		t.Errorf("duplicate-key at %+v, want %+v", got, want)
	}
	// An incremental edit across a CRLF line break.
	v = h.Replace(uriA, "a: b\r\n---", "a: \"🙂\"\r\n  b: 7\r\n---")
	diags = h.AwaitDiagnostics(uriA, v)
	if n := len(find(diags, "type")); n != 2 {
		t.Fatalf("after the edit (data.b: 7 is a second type error): %s", dump(diags))
	}
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
`

func TestIncrementalEdits(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v := h.Open(uriA, deployment)
	if d := h.AwaitDiagnostics(uriA, v); len(d) != 0 {
		t.Fatalf("valid deployment: %s", dump(d))
	}
	v = h.Replace(uriA, "replicas: 2", `replicas: "🙂two"`)
	d := only(t, h.AwaitDiagnostics(uriA, v), "type")
	if want := (protocol.Range{Start: protocol.Position{Line: 5, Character: 12}, End: protocol.Position{Line: 5, Character: 19}}); d.Range != want {
		t.Errorf("type at %+v, want %+v", d.Range, want)
	}
	// Two changes in one notification, the second at a position in the text the first
	// produced; the emoji before the new error on its line counts two UTF-16 units.
	v = h.Change(uriA, h.Edit(uriA, `"🙂two"`, `3`), contentChange{Range: &protocol.Range{
		Start: protocol.Position{Line: 7, Character: 17}, End: protocol.Position{Line: 7, Character: 27},
	}, Text: `{e: "🙂", app: 4}`})
	d = only(t, h.AwaitDiagnostics(uriA, v), "type")
	if want := (protocol.Range{Start: protocol.Position{Line: 7, Character: 32}, End: protocol.Position{Line: 7, Character: 33}}); d.Range != want {
		t.Errorf("type at %+v, want %+v", d.Range, want)
	}
	v = h.Replace(uriA, `{e: "🙂", app: 4}`, `{app: web}`)
	if d := h.AwaitDiagnostics(uriA, v); len(d) != 0 {
		t.Fatalf("fixed: %s", dump(d))
	}
	v = h.Replace(uriA, "replicas: 3", `replicas: "three"`)
	if d := h.AwaitDiagnostics(uriA, v); len(d) != 1 {
		t.Fatalf("replicas: %s", dump(d))
	}
	v = h.Change(uriA, h.Edit(uriA, "  name: web\nspec", "  name: web\n  annotations: {a: \"🙂🙂\"}\nspec"))
	d = only(t, h.AwaitDiagnostics(uriA, v), "type")
	if d.Range.Start.Line != 6 {
		t.Errorf("after inserting a line: type at %+v, want line 6", d.Range)
	}
	v = h.Replace(uriA, `          image: nginx`, "          image: nginx\n          imagePullPolicy: Sometimes")
	if got := h.AwaitDiagnostics(uriA, v); len(find(got, "enum")) != 1 || len(find(got, "type")) != 1 {
		t.Errorf("after adding an enum error: %s", dump(got))
	}
	// A full-text change (no range) replaces everything.
	v = h.Change(uriA, contentChange{Text: deployment})
	if got := h.AwaitDiagnostics(uriA, v); len(got) != 0 {
		t.Errorf("after a full-text change: %s", dump(got))
	}
	h.mu.Lock()
	versions := h.publishes[uriA]
	h.mu.Unlock()
	for i := 1; i < len(versions); i++ {
		if versions[i] < versions[i-1] {
			t.Errorf("published versions out of order: %v", versions)
		}
	}
}

func TestStaleDiagnosticsNeverOverwriteNewer(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.Open(uriA, string(bench.Corpus(200, 3))+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: last}\ndata: {k: v0}\n")
	for i := 1; i <= 20; i++ {
		h.Replace(uriA, fmt.Sprintf("data: {k: v%d}", i-1), fmt.Sprintf("data: {k: v%d}", i))
	}
	v := h.Replace(uriA, "data: {k: v20}", "data: {k: 20}")
	if d := h.AwaitDiagnostics(uriA, v); len(find(d, "type")) != 1 {
		t.Errorf("last version: %s", dump(d))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	versions := h.publishes[uriA]
	for i := 1; i < len(versions); i++ {
		if versions[i] < versions[i-1] {
			t.Errorf("published versions out of order: %v", versions)
		}
	}
	if last := versions[len(versions)-1]; last != v {
		t.Errorf("last published version %d, want %d", last, v)
	}
}

func TestNonKubernetesYAMLHasNoDiagnostics(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for name, text := range map[string]string{
		".github/workflows/ci.yaml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n      - bad: [unclosed\n",
		"docker-compose.yaml":       "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n    kind: oops\n",
		"chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n" +
			"{{- if .Values.x }}\n  extra: 1\n{{- end }}\n",
		// Its entries are checked on disk (TestKustomizationDiagnostics); a remote one is not.
		"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [\"https://github.com/example/app//base?ref=v1\"]\nbogus: 1\n",
		"list.yaml":          "- a\n- b\n",
		"values.yaml":        "replicaCount: 1\nimage:\n  repository: nginx\n  tag: [\n",
		"empty.yaml":         "",
	} {
		uri := protocol.DocumentURI("file:///work/" + name)
		v := h.Open(uri, text)
		if d := h.AwaitDiagnostics(uri, v); len(d) != 0 {
			t.Errorf("%s: %s", name, dump(d))
		}
	}
}

func crdText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../examples/crds/backup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const backup = `apiVersion: example.com/v1
kind: Backup
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  target: <|t|>ftp://backups<|t_end|>
`

func TestCRDInOneFileValidatesAnother(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v := h.Open(uriB, backup)
	before := h.AwaitDiagnostics(uriB, v)
	if d := only(t, before, "no-schema"); d.Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("custom resource without its CRD: %+v", d)
	}
	seen := h.DoneCount(uriB, v)
	cv := h.Open(uriCRD, crdText(t))
	if d := h.AwaitDiagnostics(uriCRD, cv); len(d) != 0 {
		t.Errorf("CRD: %s", dump(d))
	}
	after := h.AwaitDiagnosticsAfter(uriB, v, seen)
	if len(find(after, "no-schema")) != 0 {
		t.Errorf("still no schema with the CRD open: %s", dump(after))
	}
	if d := only(t, after, "pattern"); d.Range != h.Span(uriB, "t", "t_end") {
		t.Errorf("pattern at %+v, want %+v", d.Range, h.Span(uriB, "t", "t_end"))
	}
	// Editing the CRD (the pattern) re-validates the resource against the new schema.
	seen = h.DoneCount(uriB, v)
	cv = h.Replace(uriCRD, `pattern: "^s3://"`, `pattern: "^ftp://"`)
	h.AwaitDiagnostics(uriCRD, cv)
	if d := h.AwaitDiagnosticsAfter(uriB, v, seen); len(d) != 0 {
		t.Errorf("after changing the CRD's pattern: %s", dump(d))
	}
	// Closing the CRD takes its schema away again.
	seen = h.DoneCount(uriB, v)
	h.Close(uriCRD)
	if d := h.AwaitDiagnosticsAfter(uriB, v, seen); len(find(d, "no-schema")) != 1 {
		t.Errorf("after closing the CRD: %s", dump(d))
	}
}

func TestSettings(t *testing.T) {
	h := newHarness(t, harnessOptions{initOptions: map[string]any{"validate": false}})
	v := h.Open(uriA, backup+"---\n"+strings.Replace(deployment, "replicas: 2", "replicas: two", 1))
	if d := h.AwaitDiagnostics(uriA, v); len(d) != 0 {
		t.Errorf("validation off: %s", dump(d))
	}
	seen := h.DoneCount(uriA, v)
	crds, err := filepath.Abs("../examples/crds")
	if err != nil {
		t.Fatal(err)
	}
	h.Configure(map[string]any{"kubectl-lsp": map[string]any{"validate": true, "crdPaths": []string{crds}, "debounceMs": 0}})
	d := h.AwaitDiagnosticsAfter(uriA, v, seen)
	if len(find(d, "pattern")) != 1 || len(find(d, "type")) != 1 {
		t.Errorf("validation on, CRDs from crdPaths: %s", dump(d))
	}
	seen = h.DoneCount(uriA, v)
	h.Configure(map[string]any{"kubernetesVersion": "0.1", "validate": true, "debounceMs": 0})
	d = h.AwaitDiagnosticsAfter(uriA, v, seen)
	if len(find(d, "no-schema")) != 1 || len(find(d, "type")) != 1 {
		t.Errorf("without crdPaths, unknown release: %s", dump(d))
	}
	msgs := h.Messages()
	if len(msgs) == 0 || msgs[len(msgs)-1].Type != protocol.MessageTypeError || !strings.Contains(msgs[len(msgs)-1].Message, "0.1") {
		t.Errorf("want an error message about kubernetesVersion 0.1, got %+v", msgs)
	}
}

func TestOnlyChangedSectionsAreRevalidated(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	corpus, _ := bench.CorpusWithErrors(300, 7, 10)
	v := h.Open(uriA, string(corpus))
	first := h.AwaitDiagnostics(uriA, v)
	if len(first) == 0 {
		t.Fatal("the corpus has errors, none reported")
	}
	base := h.srv.validations.Load()
	// An edit in the first section moves every later one down a line.
	v = h.Change(uriA, contentChange{Range: &protocol.Range{Start: protocol.Position{Line: 1}, End: protocol.Position{Line: 1}}, Text: "# 🙂 a comment\n"})
	got := h.AwaitDiagnostics(uriA, v)
	if n := h.srv.validations.Load() - base; n != 1 {
		t.Errorf("validated %d sections after editing one, want 1", n)
	}
	// The cached, shifted findings equal a fresh validation of the same text.
	h.mu.Lock()
	text := h.texts[uriA]
	h.mu.Unlock()
	fv := h.Open(uriB, text)
	if want := h.AwaitDiagnostics(uriB, fv); !reflect.DeepEqual(got, relabel(want, uriA)) {
		t.Errorf("cached diagnostics differ from a fresh run:\ncached:%s\nfresh:%s", dump(got), dump(want))
	}
}

func relabel(diags []protocol.Diagnostic, uri protocol.DocumentURI) []protocol.Diagnostic {
	out := append([]protocol.Diagnostic(nil), diags...)
	for i := range out {
		rel := append([]protocol.DiagnosticRelatedInformation(nil), out[i].RelatedInformation...)
		for j := range rel {
			rel[j].Location.URI = uri
		}
		out[i].RelatedInformation = rel
	}
	return out
}

func TestCloseClearsDiagnostics(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	v := h.Open(uriA, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n")
	if len(h.AwaitDiagnostics(uriA, v)) != 1 {
		t.Fatal("want one diagnostic")
	}
	h.Close(uriA)
	h.await("empty diagnostics after close", func() bool {
		p := h.published[docVersion{uriA, v}]
		n := len(h.publishes[uriA])
		return n >= 2 && len(p.Diagnostics) == 0
	})
	var res *protocol.Hover
	if err := h.call(protocol.MethodTextDocumentHover, h.positionParamsAt(uriA, 0, 0), &res); err != nil || res != nil {
		t.Errorf("hover in a closed document = %v, %v; want null", res, err)
	}
}

func (h *harness) positionParamsAt(uri protocol.DocumentURI, line, char uint32) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: protocol.Position{Line: line, Character: char}}
}

// fakeFeatures stands in for the engine's editor features, to test the conversions.
type fakeFeatures struct{}

func isWord(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func wordAt(src []byte, off int) yamlpos.Range {
	s, e := off, off
	for s > 0 && isWord(src[s-1]) {
		s--
	}
	for e < len(src) && isWord(src[e]) {
		e++
	}
	return yamlpos.Range{Start: s, End: e}
}

func (fakeFeatures) Hover(f *yamlpos.File, offset int) (*engine.HoverResult, bool) {
	r := wordAt(f.Src, offset)
	if r.Start == r.End {
		return nil, false
	}
	return &engine.HoverResult{Markdown: "**" + string(f.Src[r.Start:r.End]) + "**", Range: r}, true
}

func (fakeFeatures) Complete(f *yamlpos.File, offset int, _ engine.CompleteOptions) []engine.CompletionItem {
	r := wordAt(f.Src, offset)
	r.End = offset
	return []engine.CompletionItem{
		{Label: "key", Kind: engine.CompleteField, Detail: "<string>", Documentation: "The *key*.", InsertText: "key: ", Replace: r, SortText: "0key"},
		{Label: "labels", Kind: engine.CompleteSnippet, InsertText: "labels:\n  ${1:name}: ${2:value}", Snippet: true, Replace: r, SortText: "1labels", Deprecated: true},
		{Label: "Always", Kind: engine.CompleteValue},
	}
}

func (fakeFeatures) QuickFixes(*yamlpos.File, yamlpos.Range) []engine.CodeAction { return nil }

func (fakeFeatures) Symbols(f *yamlpos.File) []engine.Symbol {
	var out []engine.Symbol
	for _, d := range f.Docs {
		text := string(d.Text())
		sym := engine.Symbol{Name: "ConfigMap/x", Kind: engine.SymbolResource, Range: yamlpos.Range{Start: d.Start, End: d.End},
			Selection: yamlpos.Range{Start: d.Start, End: d.Start + strings.IndexByte(text, '\n')}}
		if i := strings.Index(text, "metadata:"); i >= 0 {
			sym.Children = []engine.Symbol{{Name: "metadata", Kind: engine.SymbolObject,
				Range: yamlpos.Range{Start: d.Start + i, End: d.End}, Selection: yamlpos.Range{Start: d.Start + i, End: d.Start + i + 8}}}
		}
		out = append(out, sym)
	}
	return out
}

const featureFixture = `apiVersion: v1
kind: ConfigMap
metadata:
  name: "🙂🙂"
  labels: {a: "🙂", <|ws|>ke<|c|>y<|we|>: v}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: y
`

func TestFeatureConversions(t *testing.T) {
	h := newHarness(t, harnessOptions{features: fakeFeatures{}})
	h.Open(uriA, featureFixture)

	hov := h.Hover(uriA, "c")
	if hov == nil || hov.Contents.Kind != protocol.Markdown || hov.Contents.Value != "**key**" {
		t.Fatalf("hover = %+v", hov)
	}
	if want := h.Span(uriA, "ws", "we"); hov.Range == nil || *hov.Range != want {
		t.Errorf("hover range %+v, want %+v", hov.Range, want)
	}

	list := h.Complete(uriA, "c")
	if len(list.Items) != 3 {
		t.Fatalf("completion items: %+v", list.Items)
	}
	key, labels, always := list.Items[0], list.Items[1], list.Items[2]
	replace := h.Span(uriA, "ws", "c")
	if key.TextEdit == nil || key.TextEdit.Range != replace || key.TextEdit.NewText != "key: " {
		t.Errorf("key textEdit = %+v, want %+v", key.TextEdit, replace)
	}
	if key.Kind != protocol.CompletionItemKindField || key.Detail != "<string>" || key.SortText != "0key" ||
		key.InsertTextFormat != protocol.InsertTextFormatPlainText {
		t.Errorf("key item = %+v", key)
	}
	if doc, ok := key.Documentation.(map[string]any); !ok || doc["kind"] != "markdown" || doc["value"] != "The *key*." {
		t.Errorf("key documentation = %#v", key.Documentation)
	}
	if labels.InsertTextFormat != protocol.InsertTextFormatSnippet || labels.Kind != protocol.CompletionItemKindSnippet ||
		!labels.Deprecated || len(labels.Tags) != 1 {
		t.Errorf("snippet item = %+v", labels)
	}
	if at := h.Pos(uriA, "c"); always.TextEdit == nil || always.TextEdit.Range != (protocol.Range{Start: at, End: at}) || always.TextEdit.NewText != "Always" {
		t.Errorf("item without a replace range = %+v", always.TextEdit)
	}

	syms := h.Symbols(uriA)
	if len(syms) != 2 || syms[0].Name != "ConfigMap/x" || syms[0].Kind != protocol.SymbolKindClass ||
		len(syms[0].Children) != 1 || syms[0].Children[0].Kind != protocol.SymbolKindObject {
		t.Fatalf("symbols = %+v", syms)
	}
	if r := syms[0].Range; r.Start != (protocol.Position{}) || r.End != (protocol.Position{Line: 5}) {
		t.Errorf("first resource range %+v", r)
	}
	folds := h.Folding(uriA)
	want := []protocol.FoldingRange{{StartLine: 0, EndLine: 4}, {StartLine: 2, EndLine: 4}, {StartLine: 6, EndLine: 9}, {StartLine: 8, EndLine: 9}}
	if !reflect.DeepEqual(folds, want) {
		t.Errorf("folding ranges = %+v, want %+v", folds, want)
	}
}

func TestFeatureConversionsForOlderClients(t *testing.T) {
	h := newHarness(t, harnessOptions{features: fakeFeatures{}, capabilities: map[string]any{
		"textDocument": map[string]any{"hover": map[string]any{"contentFormat": []string{"plaintext"}}},
	}})
	h.Open(uriA, featureFixture)
	if hov := h.Hover(uriA, "c"); hov == nil || hov.Contents.Kind != protocol.PlainText {
		t.Errorf("hover for a plain-text client = %+v", hov)
	}
	for _, it := range h.Complete(uriA, "c").Items {
		if it.InsertTextFormat == protocol.InsertTextFormatSnippet {
			t.Errorf("snippet sent to a client without snippet support: %+v", it)
		}
	}
	var flat []protocol.SymbolInformation
	if err := h.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uriA}}, &flat); err != nil {
		t.Fatal(err)
	}
	if len(flat) != 4 || flat[1].Name != "metadata" || flat[1].ContainerName != "ConfigMap/x" || flat[1].Location.URI != uriA {
		t.Errorf("flat symbols = %+v", flat)
	}
}

// TestEngineFeatures runs hover, completion and symbols through the real engine.
func TestEngineFeatures(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.Open(uriA, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  <|r|>replicas: 2
  <|c|>
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
`)
	if res := h.Hover(uriA, "r"); res == nil || !strings.Contains(res.Contents.Value, "replicas") {
		t.Errorf("hover on replicas = %+v", res)
	}
	found := false
	for _, it := range h.Complete(uriA, "c").Items {
		found = found || it.Label == "minReadySeconds"
	}
	if !found {
		t.Error("completion in spec: no minReadySeconds")
	}
	if syms := h.Symbols(uriA); len(syms) != 1 || !strings.Contains(syms[0].Name, "Deployment") {
		t.Errorf("symbols = %+v", syms)
	}
	if len(h.Folding(uriA)) == 0 {
		t.Error("no folding ranges")
	}
}
