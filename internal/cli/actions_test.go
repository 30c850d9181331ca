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
	if out, errOut, code := cmd("delete"); code != 0 || out != "configmap \"settings\" deleted\nconfigmap \"other\" deleted\n" {
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
