package kube_test

import (
	"context"
	"errors"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

var (
	configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	servicesGVR   = schema.GroupVersionResource{Version: "v1", Resource: "services"}
)

// get reads an object; nil when it does not exist.
func get(t *testing.T, cl *kube.Client, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	dyn, err := cl.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	u, err := dyn.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// ownership is an object's managedFields without their times.
func ownership(u *unstructured.Unstructured) []metav1.ManagedFieldsEntry {
	m := u.GetManagedFields()
	for i := range m {
		m[i].Time = nil
	}
	return m
}

func configMaps(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + n + "\ndata:\n  k: v\n")
	}
	return b.String()
}

// TestBatchRollsBackOnQuota: a quota of 2 ConfigMaps, one there already and changed by
// the batch, and four new ones: the second new one is refused, the first is deleted, the
// changed one is restored (data, labels, annotations and field ownership), the rest is
// not applied. The server-side dry-run passes each object alone, so only the rollback
// keeps the batch whole.
func TestBatchRollsBackOnQuota(t *testing.T) {
	for _, serverSide := range []bool{false, true} {
		t.Run(map[bool]string{false: "client-side", true: "server-side"}[serverSide], func(t *testing.T) {
			c := testcluster.Shared(t)
			ctx := context.Background()
			ns := "act-quota-" + map[bool]string{false: "csa", true: "ssa"}[serverSide]
			if err := c.EnsureNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
			cl := nsClient(t, c, "admin", ns)
			opts := kube.ApplyOptions{ServerSide: serverSide}
			old := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-0\n  labels: {tier: old, keep: x}\n  annotations: {note: old}\ndata:\n  mode: old\n  gone: x\n"
			if _, err := cl.ApplyAll(ctx, objects(t, old), "old.yaml", opts); err != nil {
				t.Fatal(err)
			}
			before := get(t, cl, configMapsGVR, ns, "cm-0")
			if err := c.LimitConfigMaps(ctx, ns, 2); err != nil {
				t.Fatal(err)
			}

			changed := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-0\n  labels: {tier: new, added: yes-really}\n  annotations: {note: new}\ndata:\n  mode: new\n  more: extra\n"
			batch := objects(t, changed+configMaps("cm-1", "cm-2", "cm-3", "cm-4"))
			outs, err := cl.ApplyAll(ctx, batch, "batch.yaml", opts)
			var be *kube.BatchError
			if !errors.As(err, &be) || be.Failed != 2 || be.Left() != 0 {
				t.Fatalf("apply: %v %q", err, messages(outs))
			}
			if !strings.Contains(outs[2].Err.Error(), "exceeded quota") || !errors.Is(outs[3].Err, kube.ErrNotApplied) || !errors.Is(outs[4].Err, kube.ErrNotApplied) {
				t.Fatalf("outcomes: %q", messages(outs))
			}
			for i, want := range []string{"restored", "deleted"} {
				if r := outs[i].Rollback; r == nil || r.Operation != want || r.Err != nil {
					t.Fatalf("object %d rollback: %+v", i, r)
				}
			}
			wantMsg := []string{"configmap/cm-0 configured, then restored (rollback)", "configmap/cm-1 created, then deleted (rollback)"}
			if serverSide {
				wantMsg = []string{"configmap/cm-0 serverside-applied, then restored (rollback)", "configmap/cm-1 serverside-applied, then deleted (rollback)"}
			}
			if got := messages(outs)[:2]; !slices.Equal(got, wantMsg) {
				t.Fatalf("messages: %q", got)
			}
			if !strings.Contains(err.Error(), "configmap/cm-2 failed") || !strings.Contains(err.Error(), "rolled back") {
				t.Fatalf("error: %v", err)
			}
			for _, name := range []string{"cm-1", "cm-2", "cm-3", "cm-4"} {
				if get(t, cl, configMapsGVR, ns, name) != nil {
					t.Errorf("%s is left in the cluster", name)
				}
			}
			after := get(t, cl, configMapsGVR, ns, "cm-0")
			for _, field := range [][]string{{"data"}, {"metadata", "labels"}, {"metadata", "annotations"}} {
				a, _, _ := unstructured.NestedFieldNoCopy(before.Object, field...)
				b, _, _ := unstructured.NestedFieldNoCopy(after.Object, field...)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("cm-0 %s: before %v, after the rollback %v", strings.Join(field, "."), a, b)
				}
			}
			if a, b := ownership(before), ownership(after); !reflect.DeepEqual(a, b) {
				t.Errorf("cm-0 managedFields: before %+v\nafter the rollback %+v", a, b)
			}
			// The same batch, applied again after the quota: the next apply of the
			// restored object behaves as if the failed batch never happened.
			outs, err = cl.ApplyAll(ctx, objects(t, old), "old.yaml", opts)
			if want := map[bool]string{false: "configmap/cm-0 unchanged", true: "configmap/cm-0 serverside-applied"}[serverSide]; err != nil || outs[0].Message != want {
				t.Fatalf("re-applying the old manifest: %v %q", err, messages(outs))
			}
		})
	}
}

// TestBatchRollsBackOnNodePortClash: two Services asking for the same nodePort pass
// their dry-runs one by one; the second is refused and the first is deleted.
func TestBatchRollsBackOnNodePortClash(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	const ns = "act-nodeport"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	cl := nsClient(t, c, "admin", ns)
	svc := func(name string) string {
		return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\nspec:\n  type: NodePort\n  selector: {app: " + name +
			"}\n  ports:\n  - port: 80\n    nodePort: 31777\n"
	}
	outs, err := cl.ApplyAll(ctx, objects(t, svc("first")+configMaps("between")+svc("second")), "svc.yaml", kube.ApplyOptions{})
	var be *kube.BatchError
	if !errors.As(err, &be) || be.Failed != 2 || be.Left() != 0 || !strings.Contains(outs[2].Err.Error(), "provided port is already allocated") {
		t.Fatalf("apply: %v %q", err, messages(outs))
	}
	if get(t, cl, servicesGVR, ns, "first") != nil || get(t, cl, configMapsGVR, ns, "between") != nil {
		t.Fatal("the first Service or the ConfigMap is left in the cluster")
	}
	// The port is free again: one Service alone gets it.
	if outs, err := cl.ApplyAll(ctx, objects(t, svc("second")), "svc.yaml", kube.ApplyOptions{}); err != nil {
		t.Fatalf("the port is still taken: %v %q", err, messages(outs))
	}
}

// TestRollbackFailureSaysHowToUndo: when undoing fails (an admission policy forbids
// deleting one object and restoring another), the error names what is left and the
// kubectl commands that undo it; those commands, run with kubectl, restore the state.
func TestRollbackFailureSaysHowToUndo(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	const ns = "act-undo"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	policy := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: act-undo-sticky
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [UPDATE, DELETE]
      resources: [configmaps]
  validations:
  - expression: "request.operation != 'DELETE' || !has(oldObject.metadata.labels) || !('sticky' in oldObject.metadata.labels)"
    message: sticky ConfigMaps stay
  - expression: "request.operation != 'UPDATE' || !has(object.data) || !('mode' in object.data) || object.data.mode != 'old'"
    message: no going back to mode old
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: act-undo-sticky
spec:
  policyName: act-undo-sticky
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: ` + ns + `}
`
	cl := nsClient(t, c, "admin", ns)
	if _, err := cl.ApplyAll(ctx, objects(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-x\ndata:\n  mode: old\n"), "x.yaml", kube.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before := get(t, cl, configMapsGVR, ns, "cm-x")
	if err := c.Apply(ctx, []byte(policy)); err != nil {
		t.Fatal(err)
	}
	dyn, err := cl.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	unbind := func() {
		gvr := schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicybindings"}
		if err := dyn.Resource(gvr).Delete(context.Background(), "act-undo-sticky", metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Error(err)
		}
	}
	t.Cleanup(func() {
		unbind()
		gvr := schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}
		_ = dyn.Resource(gvr).Delete(context.Background(), "act-undo-sticky", metav1.DeleteOptions{})
	})
	// goingBack is what a dry-run update of cm-x back to mode old gets.
	goingBack := func() error {
		cur := get(t, cl, configMapsGVR, ns, "cm-x")
		cur.Object["data"] = map[string]any{"mode": "old"}
		_, err := dyn.Resource(configMapsGVR).Namespace(ns).Update(ctx, cur, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	// Wait until the policy is in force: an update back to mode old is denied.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := goingBack()
		if err != nil && strings.Contains(err.Error(), "no going back") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the policy is not in force: %v", err)
		}
	}
	if err := c.LimitConfigMaps(ctx, ns, 2); err != nil {
		t.Fatal(err)
	}

	batch := objects(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-x\ndata:\n  mode: new\n"+
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-s\n  labels: {sticky: \"yes\"}\n"+configMaps("cm-over"))
	outs, err := cl.ApplyAll(ctx, batch, "batch.yaml", kube.ApplyOptions{Kubeconfig: c.Kubeconfig()})
	var be *kube.BatchError
	if !errors.As(err, &be) || be.Failed != 2 || be.Left() != 2 {
		t.Fatalf("apply: %v %q", err, messages(outs))
	}
	for i, want := range []string{"no going back to mode old", "sticky ConfigMaps stay"} {
		if r := outs[i].Rollback; r == nil || r.Err == nil || !strings.Contains(r.Err.Error(), want) || len(r.Undo) == 0 {
			t.Fatalf("object %d rollback: %+v", i, r)
		}
	}
	msg := err.Error()
	kc := "--kubeconfig=" + c.Kubeconfig() + " --context=admin"
	if !strings.Contains(msg, "kubectl "+kc+" delete configmap/cm-s -n act-undo") || !strings.Contains(msg, "kubectl "+kc+" patch configmap/cm-x -n act-undo --type=json --patch-file=") ||
		!strings.Contains(msg, "configmap/cm-x") || !strings.Contains(msg, "left") {
		t.Fatalf("the error does not say how to undo:\n%s", msg)
	}
	t.Logf("%s", msg)

	// The commands, run as printed once the policy is gone, undo the batch.
	unbind()
	bin := c.Kubectl()
	if bin == "" {
		t.Skip("no kubectl binary (make controlplane builds it)")
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := goingBack(); err == nil || time.Now().After(deadline) {
			break
		}
	}
	for _, o := range outs[:2] {
		for _, cmd := range o.Rollback.Undo {
			if !strings.HasPrefix(cmd, "kubectl ") {
				t.Fatalf("not a kubectl command: %q", cmd)
			}
			out, err := exec.Command("sh", "-c", bin+cmd[len("kubectl"):]).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, out)
			}
		}
	}
	if get(t, cl, configMapsGVR, ns, "cm-s") != nil {
		t.Error("cm-s is still there after its undo command")
	}
	if after := get(t, cl, configMapsGVR, ns, "cm-x"); !reflect.DeepEqual(after.Object["data"], before.Object["data"]) ||
		!reflect.DeepEqual(after.GetAnnotations(), before.GetAnnotations()) {
		t.Errorf("cm-x after its undo command: %v %v", after.Object["data"], after.GetAnnotations())
	}
}
