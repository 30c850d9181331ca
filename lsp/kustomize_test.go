package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// kustomizeTree copies the kustomize examples into a temp folder, the production overlay
// in namespace ns, and returns the folder.
func kustomizeTree(t *testing.T, ns string) string {
	t.Helper()
	from, to := filepath.Join("..", "examples", "kustomize"), t.TempDir()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == filepath.Join("overlays", "production", "kustomization.yaml") {
			data = append(data, "namespace: "+ns+"\n"...)
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// TestKustomizationDiagnostics: a kustomization file gets an error at each entry naming
// a path that does not exist; without a cluster it has no lenses.
func TestKustomizationDiagnostics(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{})
	u := protocol.DocumentURI(uri.File(filepath.Join(dir, "kustomization.yaml")))
	text := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cm.yaml\n  - gone.yaml\npatches:\n  - path: fix.yaml\n"
	diags := h.AwaitDiagnostics(u, h.Open(u, text))
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%d:%d %s [%v]", d.Range.Start.Line, d.Range.Start.Character, d.Message, d.Code))
	}
	want := []string{
		`4:4 resources: "gone.yaml" does not exist [kustomization-entry]`,
		`6:10 patches[0].path: "fix.yaml" does not exist [kustomization-entry]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	if lenses := h.CodeLenses(u); len(lenses) != 0 {
		t.Errorf("lenses without a cluster: %+v", lenses)
	}
	// Once the file exists, the error goes.
	if err := os.WriteFile(filepath.Join(dir, "gone.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	diags = h.AwaitDiagnostics(u, h.Replace(u, "fix.yaml", "fix2.yaml"))
	if len(diags) != 1 || !strings.Contains(diags[0].Message, `"fix2.yaml" does not exist`) {
		t.Errorf("diagnostics after the fix: %+v", diags)
	}
	// When every entry exists, what kustomize says about the unsaved text is the error,
	// on the first line: here, a patch of an object the kustomization does not have.
	if err := os.WriteFile(filepath.Join(dir, "fix2.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	diags = h.AwaitDiagnostics(u, h.Replace(u, "kind: Kustomization", "kind: Kustomization\nnamePrefix: x-"))
	if len(diags) != 1 || diags[0].Range.Start.Line != 0 || diags[0].Code != "kustomize" || !strings.Contains(diags[0].Message, "no resource matches strategic merge patch") {
		t.Errorf("a patch of nothing: %+v", diags)
	}
}

// TestKustomizationEditorActions: a kustomization file has the Apply, Diff, Dry-run and
// Delete lenses, which act on every object it renders, against the real apiserver.
func TestKustomizationEditorActions(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "lsp-kustomize"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/usr/bin:/bin")
	t.Setenv("TMPDIR", t.TempDir())
	tree := kustomizeTree(t, ns)
	user := &answers{}
	cache := t.TempDir()
	h := newHarness(t, harnessOptions{
		initOptions: map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60},
		capabilities: map[string]any{
			"window":    map[string]any{"showDocument": map[string]any{"support": true}},
			"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}},
		},
		respond: user.respond,
		server: func(o *Options) {
			f := genericclioptions.NewConfigFlags(false)
			f.CacheDir = &cache
			o.ConfigFlags = f
		},
	})
	path := filepath.Join(tree, "overlays", "production", "kustomization.yaml")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := protocol.DocumentURI(uri.File(path))
	if diags := h.AwaitDiagnostics(u, h.Open(u, string(text))); len(diags) != 0 {
		t.Fatalf("diagnostics of a good kustomization: %+v", diags)
	}
	lenses := h.CodeLenses(u)
	var titles []string
	for _, l := range lenses {
		titles = append(titles, l.Command.Title)
		if l.Range.Start.Line != 0 || len(l.Command.Arguments) != 1 {
			t.Errorf("lens %q at %v with %v", l.Command.Title, l.Range, l.Command.Arguments)
		}
	}
	if !slices.Equal(titles, []string{"Apply", "Diff", "Dry-run", "Delete"}) {
		t.Fatalf("lenses: %q", titles)
	}
	objects := []string{"configmap/prod-web-extra-", "configmap/prod-web-settings", "service/prod-web", "deployment.apps/prod-web"}
	matches := func(messages []string, suffix string) bool {
		if len(messages) != len(objects) {
			return false
		}
		for i, m := range messages {
			if !strings.HasPrefix(m, objects[i]) || !strings.HasSuffix(m, suffix) {
				return false
			}
		}
		return true
	}

	var dry ActionResult
	if err := h.execute(CommandDryRun, &dry, u); err != nil || !matches(dry.Messages, " created (server dry run)") {
		t.Fatalf("dry-run: %+v %v", dry, err)
	}
	user.set("Apply")
	var res ActionResult
	if err := h.execute(CommandApply, &res, u); err != nil || !res.Confirmed || !matches(res.Messages, " created") {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if asked, _ := user.lastAsked(); !strings.Contains(asked, "Deployment/prod-web") || !strings.Contains(asked, `in namespace "`+ns+`"`) {
		t.Fatalf("confirmation: %q", asked)
	}
	var diff DiffResult
	if err := h.execute(CommandDiff, &diff, u); err != nil || len(diff.Diffs) != len(objects) {
		t.Fatalf("diff: %+v %v", diff, err)
	}
	for _, d := range diff.Diffs {
		if d.Changed {
			t.Errorf("%s differs right after apply:\n%s", d.Object, d.Unified)
		}
	}
	if err := h.execute(CommandApply, nil, u, 0); err == nil || !strings.Contains(err.Error(), "a kustomization is acted on whole") {
		t.Errorf("apply of one resource of a kustomization: %v", err)
	}
	user.set("Delete")
	res = ActionResult{}
	deleted := []string{`configmap "prod-web-extra-`, `configmap "prod-web-settings" deleted from lsp-kustomize namespace`, `service "prod-web" deleted from lsp-kustomize namespace`, `deployment.apps "prod-web" deleted from lsp-kustomize namespace`}
	if err := h.execute(CommandDelete, &res, u); err != nil || len(res.Messages) != len(deleted) || !strings.HasPrefix(res.Messages[0], deleted[0]) ||
		!slices.Equal(res.Messages[1:], deleted[1:]) {
		t.Fatalf("delete: %+v %v", res, err)
	}
}
