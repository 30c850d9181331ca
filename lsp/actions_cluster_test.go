package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// answers is the user at the other end of the confirmations.
type answers struct {
	mu       sync.Mutex
	choice   string // the button to press; "" dismisses
	asked    []string
	shown    []string // documents shown
	refreshs int
}

func (a *answers) respond(method string, params json.RawMessage) (any, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch method {
	case protocol.MethodWindowShowMessageRequest:
		var p protocol.ShowMessageRequestParams
		_ = json.Unmarshal(params, &p)
		a.asked = append(a.asked, p.Message)
		if a.choice == "" {
			return nil, nil
		}
		return protocol.MessageActionItem{Title: a.choice}, nil
	case "window/showDocument":
		var p struct {
			URI string `json:"uri"`
		}
		_ = json.Unmarshal(params, &p)
		a.shown = append(a.shown, p.URI)
		return map[string]any{"success": true}, nil
	case "workspace/codeLens/refresh":
		a.refreshs++
		return nil, nil
	}
	return nil, jsonrpc2.ErrMethodNotFound
}

func (a *answers) set(choice string) {
	a.mu.Lock()
	a.choice = choice
	a.mu.Unlock()
}

func (a *answers) lastAsked() (string, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.asked) == 0 {
		return "", 0
	}
	return a.asked[len(a.asked)-1], len(a.asked)
}

func (h *harness) execute(command string, result any, args ...any) error {
	return h.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": command, "arguments": args}, result)
}

func (h *harness) lensTitles(uri protocol.DocumentURI) []string {
	h.t.Helper()
	var titles []string
	for _, l := range h.CodeLenses(uri) {
		titles = append(titles, l.Command.Title)
	}
	return titles
}

// TestEditorActions: apply, diff, dry-run and delete from the editor against the real
// apiserver: nothing changes without confirmation, results are reported, a diff is a
// read-only document and a kubectl-lsp/diff result, the drift lens follows.
func TestEditorActions(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.EnsureNamespace(ctx, "lsp-act"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/usr/bin:/bin") // no kubectl plugins among the code actions
	// Another user prepared the temp folder: the diff document must not land there.
	tmp, victim := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	trap := plantOutputTrap(t, tmp, "diff", "settings.yaml.diff", victim)
	user := &answers{}
	cache := t.TempDir()
	caps := map[string]any{
		"window":    map[string]any{"showDocument": map[string]any{"support": true}},
		"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}},
	}
	h := newHarness(t, harnessOptions{
		initOptions:  map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60},
		capabilities: caps,
		respond:      user.respond,
		server: func(o *Options) {
			f := genericclioptions.NewConfigFlags(false)
			f.CacheDir = &cache
			o.ConfigFlags = f
		},
	})
	uri := protocol.DocumentURI("file:///work/settings.yaml")
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: lsp-act\ndata:\n  mode: fast\n"
	h.Open(uri, text)
	h.AwaitDiagnostics(uri, 1)
	if got := h.lensTitles(uri); !slices.Equal(got, []string{"ConfigMap/settings · drift unknown (save to check)", "Apply", "Diff", "Dry-run", "Delete"}) {
		t.Fatalf("lenses: %q", got)
	}

	// Dismissed, then cancelled: nothing is applied.
	for _, choice := range []string{"", "Cancel"} {
		user.set(choice)
		var res ActionResult
		if err := h.execute(CommandApply, &res, uri, 0); err != nil {
			t.Fatal(err)
		}
		if res.Confirmed || len(res.Messages) != 0 {
			t.Fatalf("apply with %q: %+v", choice, res)
		}
	}
	asked, n := user.lastAsked()
	if n != 2 || !strings.Contains(asked, `Apply ConfigMap/settings in namespace "lsp-act" of context "admin"`) || !strings.Contains(asked, c.Host()) {
		t.Fatalf("confirmation %d: %q", n, asked)
	}
	var dry ActionResult
	if err := h.execute(CommandDryRun, &dry, uri, 0); err != nil || !slices.Equal(dry.Messages, []string{"configmap/settings created (server dry run)"}) {
		t.Fatalf("dry-run: %+v %v", dry, err)
	}
	if _, n2 := user.lastAsked(); n2 != n {
		t.Fatal("a dry-run asked for confirmation")
	}
	var diff DiffResult
	if err := h.call(MethodDiff, DiffParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}}, &diff); err != nil ||
		len(diff.Diffs) != 1 || diff.Diffs[0].Live != "" || !strings.Contains(diff.Diffs[0].Merged, "mode: fast") {
		t.Fatalf("kubectl-lsp/diff before apply: %+v %v", diff, err)
	}

	user.set("Apply")
	var res ActionResult
	if err := h.execute(CommandApply, &res, uri, 0); err != nil || !res.Confirmed || !slices.Equal(res.Messages, []string{"configmap/settings created"}) {
		t.Fatalf("apply: %+v %v", res, err)
	}
	h.AwaitMessage("configmap/settings created")
	h.await("the drift lens to be refreshed", func() bool { return slices.Contains(h.calls, "workspace/codeLens/refresh") })
	if got := h.lensTitles(uri); got[0] != "ConfigMap/settings · in sync" {
		t.Fatalf("drift after apply: %q", got)
	}

	// An edit: the diff is exactly it, in a read-only document.
	v := h.Replace(uri, "mode: fast", "mode: safe")
	h.AwaitDiagnostics(uri, v)
	if got := h.lensTitles(uri); got[0] != "ConfigMap/settings · edited since the last check" {
		t.Fatalf("drift after an edit: %q", got)
	}
	diff = DiffResult{}
	if err := h.execute(CommandDiff, &diff, uri, 0); err != nil || diff.Document == "" || !diff.Diffs[0].Changed {
		t.Fatalf("diff: %+v %v", diff, err)
	}
	data, err := os.ReadFile(uriFilename(diff.Document))
	if err != nil {
		t.Fatal(err)
	}
	want := "--- live/v1.ConfigMap.lsp-act.settings\n+++ merged/v1.ConfigMap.lsp-act.settings\n"
	if !strings.HasPrefix(string(data), want) || !strings.Contains(string(data), "\n-  mode: fast\n+  mode: safe\n") {
		t.Fatalf("diff document:\n%s", data)
	}
	checkOutputFile(t, diff.Document, trap, victim, "+  mode: safe\n")
	user.mu.Lock()
	shown := slices.Clone(user.shown)
	user.mu.Unlock()
	if !slices.Equal(shown, []string{string(diff.Document)}) {
		t.Fatalf("documents shown: %q", shown)
	}
	h.notify(protocol.MethodTextDocumentDidSave, map[string]any{"textDocument": map[string]any{"uri": uri}})
	h.await("a differs lens", func() bool {
		st, ok := h.srv.drift.get(uri, 0)
		return ok && st.drift == engine.Differs
	})
	if got := h.lensTitles(uri); got[0] != "ConfigMap/settings · differs from the cluster" {
		t.Fatalf("drift after save: %q", got)
	}

	// Code actions for the resource under the cursor.
	var actions []protocol.CodeAction
	if err := h.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": protocol.Range{Start: protocol.Position{Line: 3, Character: 4}, End: protocol.Position{Line: 3, Character: 4}},
		"context": map[string]any{"diagnostics": []any{}, "only": []string{"source"}},
	}, &actions); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	if !slices.Equal(titles, []string{"Apply ConfigMap/settings to admin", "Diff ConfigMap/settings against admin", "Dry-run ConfigMap/settings on admin", "Delete ConfigMap/settings from admin"}) {
		t.Fatalf("source actions: %q", titles)
	}

	user.set("Delete")
	res = ActionResult{}
	if err := h.execute(CommandDelete, &res, uri); err != nil || !slices.Equal(res.Messages, []string{`configmap "settings" deleted from lsp-act namespace`}) {
		t.Fatalf("delete: %+v %v", res, err)
	}
	asked, _ = user.lastAsked()
	if !strings.HasPrefix(asked, "Delete ConfigMap/settings") {
		t.Fatalf("delete confirmation: %q", asked)
	}
	res = ActionResult{}
	if err := h.execute(CommandDelete, &res, uri); err != nil || len(res.Errors) == 0 || !strings.Contains(strings.Join(res.Errors, " "), "not found") {
		t.Fatalf("delete again: %+v %v", res, err)
	}
	h.AwaitMessage(`configmaps "settings" not found`)

	// A workspace cannot switch confirmations off (TestSkipConfirmation has the rest).
	h.Configure(map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60, "skipConfirmationContexts": []any{map[string]any{"context": "admin", "server": c.Host()}}})
	h.AwaitMessage("skipConfirmationContexts can only be set in the user's settings")
	_, before := user.lastAsked()
	user.set("Apply")
	res = ActionResult{}
	if err := h.execute(CommandApply, &res, uri, 0); err != nil || !slices.Equal(res.Messages, []string{"configmap/settings created"}) {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if _, after := user.lastAsked(); after != before+1 {
		t.Fatal("a workspace setting switched the confirmation off")
	}
	// Server-side apply from the editor: the same object, now owned by kubectl-lsp.
	res = ActionResult{}
	if err := h.execute(CommandApply, &res, uri, 0, map[string]any{"serverSide": true}); err != nil ||
		!slices.Equal(res.Messages, []string{"configmap/settings serverside-applied"}) {
		t.Fatalf("server-side apply: %+v %v", res, err)
	}
	// Bad arguments are errors, not crashes.
	if err := h.execute(CommandApply, nil); err == nil {
		t.Fatal("apply without arguments succeeded")
	}
	if err := h.execute(CommandApply, nil, "file:///not/open.yaml"); err == nil || !strings.Contains(err.Error(), "is not open") {
		t.Fatalf("apply of a closed file: %v", err)
	}
}

func TestIndexArgument(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	uri := protocol.DocumentURI("file:///work/two.yaml")
	h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")
	h.AwaitDiagnostics(uri, 1)
	for _, tc := range []struct {
		line uint32
		want int
	}{{0, 0}, {3, 0}, {5, 1}, {8, 1}} {
		got, ok := h.srv.indexAt(uri, protocol.Position{Line: tc.line})
		if !ok || got != tc.want {
			t.Errorf("indexAt(line %d) = %d, %v; want %d", tc.line, got, ok, tc.want)
		}
	}
	// Without a cluster the actions say so.
	err := h.execute(CommandApply, nil, uri, map[string]any{"line": 6, "character": 0})
	if err == nil || !strings.Contains(err.Error(), "no cluster") {
		t.Fatalf("apply without a cluster: %v", err)
	}
}
