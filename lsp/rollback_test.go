package lsp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// actionHarness is a session against the test cluster, with initOptions.
func actionHarness(t *testing.T, user *answers, initOptions map[string]any) *harness {
	t.Helper()
	t.Setenv("PATH", "/usr/bin:/bin") // no kubectl plugins among the code actions
	cache := t.TempDir()
	return newHarness(t, harnessOptions{
		initOptions: initOptions,
		respond:     user.respond,
		server: func(o *Options) {
			f := genericclioptions.NewConfigFlags(false)
			f.CacheDir = &cache
			o.ConfigFlags = f
		},
	})
}

// TestEditorApplyRollsBack: the editor's apply of a file is all or nothing too. With a
// quota of 2 ConfigMaps, one there already and changed by the file, and four new ones,
// the result says what was rolled back, and the cluster holds what it held before.
func TestEditorApplyRollsBack(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "lsp-rollback"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	cms := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(ns)
	before, err := cms.Create(ctx, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "cm-0", "labels": map[string]any{"v": "1"}}, "data": map[string]any{"mode": "old"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LimitConfigMaps(ctx, ns, 2); err != nil {
		t.Fatal(err)
	}

	user := &answers{}
	user.set("Apply")
	h := actionHarness(t, user, map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60})
	var text strings.Builder
	text.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-0\n  namespace: " + ns + "\n  labels: {v: \"2\"}\ndata:\n  mode: new\n")
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&text, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\n", i, ns)
	}
	uri := protocol.DocumentURI("file:///work/batch.yaml")
	h.Open(uri, text.String())
	h.AwaitDiagnostics(uri, 1)
	var res ActionResult
	if err := h.execute(CommandApply, &res, uri); err != nil {
		t.Fatal(err)
	}
	if !res.Confirmed || !slices.Equal(res.RolledBack, []string{"configmap/cm-0 restored", "configmap/cm-1 deleted"}) || len(res.Undo) != 0 ||
		len(res.Errors) < 2 || !strings.Contains(res.Errors[0], "configmap/cm-2 failed, so the 2 changes the batch made before it were rolled back") ||
		!strings.Contains(strings.Join(res.Errors, "\n"), "exceeded quota") {
		t.Fatalf("apply: %+v", res)
	}
	h.AwaitMessage("rolled back")
	for i := 1; i <= 4; i++ {
		if _, err := cms.Get(ctx, fmt.Sprintf("cm-%d", i), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("cm-%d: %v (left in the cluster)", i, err)
		}
	}
	after, err := cms.Get(ctx, "cm-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after.Object["data"], after.GetLabels(), after.GetAnnotations()) != fmt.Sprint(before.Object["data"], before.GetLabels(), before.GetAnnotations()) {
		t.Errorf("cm-0 not restored: %v %v %v", after.Object["data"], after.GetLabels(), after.GetAnnotations())
	}
}
