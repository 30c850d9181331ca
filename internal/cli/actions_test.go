package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// TestApplyDiffDeleteCommands: apply, then diff shows nothing; an edit shows exactly that
// change; delete removes; the output lines are kubectl's.
func TestApplyDiffDeleteCommands(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.EnsureNamespace(ctx, "cli-actions"); err != nil {
		t.Fatal(err)
	}
	manifest := `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  mode: fast
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  labels: {app: db}
data:
  mode: slow
`
	dir := writeFiles(t, map[string]string{"app.yaml": manifest})
	file := filepath.Join(dir, "app.yaml")
	flags := []string{"--kubeconfig=" + c.Kubeconfig(), "--cache-dir=" + t.TempDir(), "-n", "cli-actions", "-f", file}
	cmd := func(args ...string) (string, string, int) { return run(t, "", append(args, flags...)...) }

	if out, errOut, code := cmd("diff"); code != 1 || strings.Count(out, "+++ merged/v1.ConfigMap.cli-actions.") != 2 {
		t.Fatalf("diff before apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("apply", "--dry-run=server"); code != 0 || out != "configmap/settings created (server dry run)\nconfigmap/other created (server dry run)\n" {
		t.Fatalf("apply --dry-run=server: exit %d\n%q\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("apply", "-l", "app=web"); code != 0 || out != "configmap/settings created\n" {
		t.Fatalf("apply -l: exit %d\n%q\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("apply"); code != 0 || out != "configmap/settings unchanged\nconfigmap/other created\n" {
		t.Fatalf("apply: exit %d\n%q\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("diff"); code != 0 || out != "" {
		t.Fatalf("diff after apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(manifest, "mode: fast", "mode: safe", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cmd("diff")
	if code != 1 || !strings.Contains(out, "--- live/v1.ConfigMap.cli-actions.settings\n+++ merged/v1.ConfigMap.cli-actions.settings\n") ||
		!strings.Contains(out, "\n-  mode: fast\n+  mode: safe\n") || strings.Contains(out, "other") {
		t.Fatalf("diff after an edit: exit %d\n%s\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("apply"); code != 0 || out != "configmap/settings configured\nconfigmap/other unchanged\n" {
		t.Fatalf("apply after an edit: exit %d\n%q\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("delete"); code != 0 || out != "configmap \"settings\" deleted from cli-actions namespace\nconfigmap \"other\" deleted from cli-actions namespace\n" {
		t.Fatalf("delete: exit %d\n%q\n%s", code, out, errOut)
	}
	if out, errOut, code := cmd("delete"); code != 1 || out != "" || !strings.Contains(errOut, `configmaps "settings" not found`) ||
		!strings.Contains(errOut, "nothing was changed: 2 of 2 objects would fail") {
		t.Fatalf("delete again: exit %d\n%q\n%s", code, out, errOut)
	}
	// A namespace in the object that -n contradicts is refused before anything is sent.
	other := writeFiles(t, map[string]string{"x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: elsewhere\n"})
	_, errOut, code = run(t, "", "apply", "--kubeconfig="+c.Kubeconfig(), "-n", "cli-actions", "-f", filepath.Join(other, "x.yaml"))
	if code != 2 || !strings.Contains(errOut, `the namespace from the object "elsewhere" does not match the namespace "cli-actions"`) {
		t.Fatalf("namespace mismatch: exit %d %s", code, errOut)
	}
}

// TestApplyRollsBack: with a quota of 2 ConfigMaps, `apply -f` of 5 leaves none: each
// passes its dry-run alone, the third is refused, the two created are deleted again.
func TestApplyRollsBack(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "cli-rollback"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := c.LimitConfigMaps(ctx, ns, 2); err != nil {
		t.Fatal(err)
	}
	var manifest strings.Builder
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		manifest.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n")
	}
	dir := writeFiles(t, map[string]string{"five.yaml": manifest.String()})
	out, errOut, code := run(t, "", "apply", "--kubeconfig="+c.Kubeconfig(), "--cache-dir="+t.TempDir(), "-n", ns, "-f", filepath.Join(dir, "five.yaml"))
	if code != 1 || out != "configmap/a created, then deleted (rollback)\nconfigmap/b created, then deleted (rollback)\n" ||
		!strings.Contains(errOut, "configmap/c: configmaps \"c\" is forbidden: exceeded quota") ||
		!strings.Contains(errOut, "Not applied (") || !strings.Contains(errOut, "configmap/e: an earlier object failed") ||
		!strings.Contains(errOut, "error: configmap/c failed, so the 2 changes the batch made before it were rolled back: nothing is left changed") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		_, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("configmap %s after the rollback: %v", name, err)
		}
	}
}

// TestActionInputErrors: apply, diff and delete refuse bad flags and inputs with a usage
// error before any cluster is asked (the kubeconfig names none: reaching the cluster step
// says "no Kubernetes context"). The namespace rule is the engine's: -n that contradicts
// the object's namespace is refused for namespaced and unknown kinds; a cluster-scoped
// kind has no namespace, so its metadata.namespace does not matter.
func TestActionInputErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"cm.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: elsewhere\n  labels: {app: web}\n",
		"role.yaml":    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: elsewhere\n",
		"widget.yaml":  "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: elsewhere\n",
		"list.yaml":    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, namespace: elsewhere}\n",
		"notobj.yaml":  "a: b\n",
		"broken.yaml":  "a: [b\n",
		"kubeconfig":   "",
		"nested/.keep": "",
	})
	kc := "--kubeconfig=" + filepath.Join(dir, "kubeconfig")
	file := func(name string) string { return filepath.Join(dir, name) }
	const noContext = "no Kubernetes context"
	tests := []struct {
		name string
		args []string
		err  string // substring of stderr; every case exits with status 2
	}{
		{"arguments", []string{"apply", "-f", file("cm.yaml"), "extra"}, `apply takes its objects from -f FILE or -k DIR, not arguments (got "extra")`},
		{"no -f", []string{"diff"}, "diff: give the manifests with -f FILE"},
		{"bad dry-run", []string{"delete", "-f", file("cm.yaml"), "--dry-run=maybe"}, `--dry-run="maybe": use none, client or server`},
		{"bad selector", []string{"apply", "-f", file("cm.yaml"), "-l", "a b"}, `-l "a b":`},
		{"force without server-side", []string{"apply", "-f", file("cm.yaml"), "--force-conflicts"}, "--force-conflicts only applies with --server-side"},
		{"missing file", []string{"apply", "-f", file("nope.yaml")}, "does not exist"},
		{"syntax error", []string{"apply", "-f", file("broken.yaml")}, file("broken.yaml") + ":"},
		{"not an object", []string{"delete", "-f", file("notobj.yaml")}, "not a Kubernetes object (it needs apiVersion and kind)"},
		{"nothing selected", []string{"apply", "-f", file("cm.yaml"), "-l", "app=db"}, `no objects match -l "app=db"`},
		{"no objects", []string{"apply", "-f", file("nested")}, "no objects passed to apply"},
		{"-n against a namespaced kind", []string{"apply", "-n", "here", "-f", file("cm.yaml")},
			`the namespace from the object "elsewhere" does not match the namespace "here": pass --namespace=elsewhere, or none`},
		{"-n against an unknown kind", []string{"diff", "-n", "here", "-f", file("widget.yaml")}, `does not match the namespace "here"`},
		{"-n against a List item", []string{"delete", "-n", "here", "-f", file("list.yaml")}, `does not match the namespace "here"`},
		{"-n agreeing", []string{"apply", "-n", "elsewhere", "-f", file("cm.yaml")}, noContext},
		{"-n and a cluster-scoped kind", []string{"apply", "-n", "here", "-f", file("role.yaml")}, noContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append(tt.args, kc)...)
			if code != 2 || out != "" || !strings.Contains(errOut, tt.err) {
				t.Fatalf("exit %d, want 2 and %q on stderr\nstdout: %s\nstderr: %s", code, tt.err, out, errOut)
			}
			if tt.err != noContext && strings.Contains(errOut, noContext) {
				t.Errorf("the cluster was asked before the input was refused:\n%s", errOut)
			}
		})
	}
}
