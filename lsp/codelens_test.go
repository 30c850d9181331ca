package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func (h *harness) CodeLenses(uri protocol.DocumentURI) []protocol.CodeLens {
	h.t.Helper()
	var res []protocol.CodeLens
	if err := h.call(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": uri}}, &res); err != nil {
		h.t.Fatalf("codeLens: %v", err)
	}
	return res
}

const lensFixture = `# a comment
<|cm|>apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
---
apiVersion: apps/v1
<|dep|>kind: Deployment
metadata:
  generateName: web-
---
foo: bar
---
- a list
---
apiVersion: v1
kind: Secret
`

func TestCodeLens(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true})
	caps := h.initialize(harnessOptions{}).Capabilities
	if caps.CodeLensProvider == nil || caps.CodeLensProvider.ResolveProvider || caps.ExecuteCommandProvider == nil ||
		strings.Join(caps.ExecuteCommandProvider.Commands, " ") != strings.Join(serverCommands, " ") {
		t.Errorf("codeLensProvider = %+v, executeCommandProvider = %+v; want lenses, no resolve, the server's commands", caps.CodeLensProvider, caps.ExecuteCommandProvider)
	}
	h.Open(uriA, lensFixture)
	lenses := h.CodeLenses(uriA) // documents count as the engine's do ("---\n---" is one separator)
	type lens struct {
		line  uint32
		title string
		index float64
	}
	want := []lens{{h.Pos(uriA, "cm").Line, "ConfigMap/x", 0}, {h.Pos(uriA, "dep").Line - 1, "Deployment/web-*", 1}, {15, "Secret", 4}}
	if len(lenses) != len(want) {
		t.Fatalf("got %d lenses, want %d: %+v", len(lenses), len(want), lenses)
	}
	for i, l := range lenses {
		w := want[i]
		c := l.Command
		if c == nil || c.Title != w.title || c.Command != CommandShowResource || len(c.Arguments) != 2 ||
			c.Arguments[0] != string(uriA) || c.Arguments[1] != w.index {
			t.Errorf("lens %d command = %+v, want %q [%s %v]", i, c, w.title, uriA, w.index)
		}
		if l.Range.Start != (protocol.Position{Line: w.line}) || l.Range.End.Line != w.line || l.Range.End.Character == 0 {
			t.Errorf("lens %d range = %+v, want line %d", i, l.Range, w.line)
		}
	}
	// Not Kubernetes YAML, and documents not open: no lenses.
	h.Open(uriB, "name: build\non: push\n")
	if l := h.CodeLenses(uriB); len(l) != 0 {
		t.Errorf("lenses in a non-manifest: %+v", l)
	}
	if l := h.CodeLenses("file:///work/closed.yaml"); len(l) != 0 {
		t.Errorf("lenses of a closed document: %+v", l)
	}
}

func codes(diags []protocol.Diagnostic) string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Code.(string))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

const levelsFixture = `apiVersion: example.com/v1
kind: Backup
metadata:
  name: nightly
  labels: {"bad key!": v}
spec:
  schedule: "0 3 * * *"
  target: ftp://backups
  retainDays: 400
  schedule: again
---
apiVersion: v1
kind: ConfigMap
data: [
`

func TestValidationLevels(t *testing.T) {
	crds, err := filepath.Abs("../examples/crds")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{initOptions: map[string]any{"crdPaths": []string{crds}}})
	v := h.Open(uriA, levelsFixture)
	all := "cel duplicate-key invalid-label pattern yaml-syntax"
	if got := codes(h.AwaitDiagnostics(uriA, v)); got != all {
		t.Fatalf("all levels on: %s, want %s", got, all)
	}
	for _, c := range []struct {
		validation map[string]any
		want       string
	}{
		{map[string]any{"yaml": false}, "cel invalid-label pattern"},
		{map[string]any{"schema": false}, "cel duplicate-key invalid-label yaml-syntax"},
		{map[string]any{"metadata": false}, "cel duplicate-key pattern yaml-syntax"},
		{map[string]any{"cel": false}, "duplicate-key invalid-label pattern yaml-syntax"},
		{map[string]any{"yaml": false, "schema": false, "metadata": false, "cel": false}, ""},
		{map[string]any{}, all},
	} {
		seen := h.DoneCount(uriA, v)
		h.Configure(map[string]any{"kubectl-lsp": map[string]any{"crdPaths": []string{crds}, "debounceMs": 0, "validation": c.validation}})
		if got := codes(h.AwaitDiagnosticsAfter(uriA, v, seen)); got != c.want {
			t.Errorf("validation %v: %s, want %s", c.validation, got, c.want)
		}
	}
}

// initializeAt initializes a harness's session with a workspace root.
func (h *harness) initializeAt(root string, opts map[string]any) {
	h.t.Helper()
	opts["diagnosticsDoneNotification"], opts["debounceMs"] = true, 0
	var res protocol.InitializeResult
	if err := h.call(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": root, "capabilities": map[string]any{}, "initializationOptions": opts,
	}, &res); err != nil {
		h.t.Fatalf("initialize: %v", err)
	}
	h.notify(protocol.MethodInitialized, map[string]any{})
}

func TestFilesAndExclude(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true})
	h.initializeAt("file:///work", map[string]any{
		"files":   []string{"deploy/**/*.yaml", "*.yml"},
		"exclude": []string{"**/charts/**"},
	})
	const bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n"
	for uri, want := range map[protocol.DocumentURI]int{
		"file:///work/deploy/a.yaml":              1,
		"file:///work/deploy/prod/eu/b.yaml":      1,
		"file:///work/deploy/charts/web/c.yaml":   0, // excluded
		"file:///work/other/d.yaml":               0, // not in files
		"file:///work/other/e.yml":                1, // a glob without / matches in any directory
		"file:///elsewhere/deploy/f.yaml":         0, // outside the root: its absolute path
		"untitled:Untitled-1":                     0,
		"file:///work/deploy/charts-not/g.yaml":   1,
		"file:///work/deploy/x/charts/h.yaml.bak": 0,
	} {
		v := h.Open(uri, bad)
		if d := h.AwaitDiagnostics(uri, v); len(d) != want {
			t.Errorf("%s: %d diagnostics, want %d", uri, len(d), want)
		}
	}
	// Settings pushed later replace the globs and re-validate the open documents.
	uri := protocol.DocumentURI("file:///work/other/d.yaml")
	seen := h.DoneCount(uri, 1)
	h.Configure(map[string]any{"files": []string{}, "exclude": []string{"deploy"}, "debounceMs": 0})
	if d := h.AwaitDiagnosticsAfter(uri, 1, seen); len(d) != 1 {
		t.Errorf("after clearing files: %s", dump(d))
	}
	// A malformed glob is reported and the settings kept.
	h.Configure(map[string]any{"files": []string{"[a-"}})
	h.await("a warning about the bad glob", func() bool {
		for _, m := range h.messages {
			if strings.Contains(m.Message, "[a-") {
				return true
			}
		}
		return false
	})
}

func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		glob, name string
		want       bool
	}{
		{"**/*.yaml", "a.yaml", true},
		{"**/*.yaml", "x/y/a.yaml", true},
		{"**/*.yaml", "x/y/a.yml", false},
		{"*.yaml", "x/y/a.yaml", true},
		{"x/*.yaml", "x/y/a.yaml", false},
		{"x/**", "x/y/a.yaml", true},
		{"x/**", "x", true},
		{"**/charts/**", "charts/a.yaml", true},
		{"**/charts/**", "a/charts/b/c.yaml", true},
		{"**/charts/**", "a/chart/b.yaml", false},
		{"a/**/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"k?s/[a-c].yaml", "k8s/b.yaml", true},
		{"[a-", "[a-", false},
		// As users write them: alternatives, negated classes, both together.
		{"*.{yaml,yml}", "x/a.yml", true},
		{"*.{yaml,yml}", "x/a.yaml", true},
		{"*.{yaml,yml}", "x/a.json", false},
		{"**/*.{yaml,yml}", "a.yml", true},
		{"[!_]*.yaml", "x/a.yaml", true},
		{"[!_]*.yaml", "x/_a.yaml", false},
		{"[^_]*.yaml", "_a.yaml", false},
		{"deploy/**/[!_]*.{yaml,yml}", "deploy/prod/web.yml", true},
		{"deploy/**/[!_]*.{yaml,yml}", "deploy/prod/_values.yml", false},
		{"{base,overlays/*}/*.yaml", "overlays/prod/a.yaml", true},
		{"{base,overlays/*}/*.yaml", "overlays/a.yaml", false},
		{"*.yaml", "x/.hidden.yaml", true},
		{"{a,b", "{a,b", false},
	} {
		if got := matchGlob(c.glob, c.name); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.glob, c.name, got, c.want)
		}
	}
}

// TestLensesRefreshedWithTheCluster: settings that bring a cluster in make the server ask
// the client for the code lenses again (workspace/codeLens/refresh), and the lenses of a
// document opened before then carry the cluster's actions. Nothing listens at the
// kubeconfig's server: the lenses need no answer from it.
func TestLensesRefreshedWithTheCluster(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	const kc = "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:9\"}}]\n" +
		"users: [{name: u, user: {token: none}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\ncurrent-context: dev\n"
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{
		initOptions:  map[string]any{"schemaSource": "builtin", "kubeconfig": kubeconfig},
		capabilities: map[string]any{"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}}},
	})
	const uri = protocol.DocumentURI("file:///work/cm.yaml")
	h.AwaitDiagnostics(uri, h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"))
	if got := h.lensTitles(uri); slices.Contains(got, "Apply") {
		t.Fatalf("lenses without a cluster: %q", got)
	}
	h.Configure(map[string]any{"schemaSource": "auto", "kubeconfig": kubeconfig})
	h.await("a code lens refresh", func() bool { return slices.Contains(h.calls, "workspace/codeLens/refresh") })
	if got := h.lensTitles(uri); !slices.Contains(got, "Apply") || !slices.Contains(got, "Delete") {
		t.Fatalf("lenses with a cluster: %q", got)
	}
}
