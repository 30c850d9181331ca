package kube_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// objects decodes a YAML stream.
func objects(t *testing.T, manifest string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatal(err)
		}
		if m != nil {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
}

func nsClient(t *testing.T, c *testcluster.Cluster, context, ns string) *kube.Client {
	t.Helper()
	f := flagsFor(c.Kubeconfig(), context, t.TempDir())
	f.Namespace = &ns
	return newClient(t, f, nil)
}

// kubectl runs the real kubectl 1.37 against the cluster.
func kubectl(t *testing.T, c *testcluster.Cluster, stdin string, args ...string) (string, string, int) {
	t.Helper()
	bin := c.Kubectl()
	if bin == "" {
		t.Skip("no kubectl binary (make controlplane builds it)")
	}
	cmd := exec.Command(bin, append([]string{"--kubeconfig", c.Kubeconfig()}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func messages(outs []kube.Outcome) []string {
	var m []string
	for _, o := range outs {
		if o.Err != nil {
			m = append(m, "error: "+o.Err.Error())
		} else {
			m = append(m, o.Message)
		}
	}
	return m
}

// changedLines are a unified diff's added and removed lines, without headers.
func changedLines(diff string) []string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---") {
			continue
		}
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

const appV1 = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
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
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`

// TestApplyAndDiffAgreeWithKubectl: the same manifests applied and diffed by kubectl-lsp
// and by kubectl 1.37 in two namespaces give the same messages, the same changed lines
// and the same objects.
func TestApplyAndDiffAgreeWithKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	for _, ns := range []string{"act-ours", "act-kubectl"} {
		if err := c.EnsureNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	cl := nsClient(t, c, "admin", "act-ours")
	appV2 := strings.Replace(strings.Replace(appV1, "replicas: 2", "replicas: 3", 1), "mode: fast", "mode: safe\n  extra: \"1\"", 1)

	steps := []struct {
		name     string
		manifest string
	}{{"create", appV1}, {"again", appV1}, {"change", appV2}}
	for _, step := range steps {
		// Diff first: what applying would change.
		var ours []string
		for _, o := range objects(t, step.manifest) {
			d, err := cl.Diff(ctx, o, "app.yaml", false, false)
			if err != nil {
				t.Fatalf("%s: diff: %v", step.name, err)
			}
			if d.Changed() {
				ours = append(ours, changedLines(unified(d))...)
			}
		}
		slices.Sort(ours)
		out, errOut, code := kubectl(t, c, step.manifest, "diff", "-n", "act-kubectl", "-f", "-")
		theirs := changedLines(out)
		if code > 1 {
			t.Fatalf("%s: kubectl diff: exit %d: %s", step.name, code, errOut)
		}
		// kubectl diff prints the whole object for one that does not exist: compare those
		// steps by count of changed lines only (namespaces differ inside them).
		if step.name == "create" {
			if len(ours) != len(theirs) || code != 1 {
				t.Fatalf("%s: %d changed lines, kubectl %d (exit %d)\nours: %q\nkubectl: %q", step.name, len(ours), len(theirs), code, ours, theirs)
			}
		} else if !slices.Equal(ours, theirs) || (len(ours) > 0) != (code == 1) {
			t.Fatalf("%s: diff disagrees with kubectl (exit %d)\nours: %q\nkubectl: %q", step.name, code, ours, theirs)
		}

		outs, err := cl.ApplyAll(ctx, objects(t, step.manifest), "app.yaml", kube.ApplyOptions{})
		if err != nil {
			t.Fatalf("%s: apply: %v %q", step.name, err, messages(outs))
		}
		out, errOut, code = kubectl(t, c, step.manifest, "apply", "-n", "act-kubectl", "-f", "-")
		if code != 0 {
			t.Fatalf("%s: kubectl apply: %s", step.name, errOut)
		}
		want := strings.Split(strings.TrimSpace(out), "\n")
		if got := messages(outs); !slices.Equal(got, want) {
			t.Fatalf("%s: apply says %q, kubectl %q", step.name, got, want)
		}
		t.Logf("%s: %q", step.name, want)
	}

	// The objects are the same, down to the last-applied annotation.
	dyn, err := cl.Dynamic()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects(t, appV2) {
		info := o.GroupVersionKind()
		gvr, _ := cl.Mapper().RESTMapping(info.GroupKind(), info.Version)
		get := func(ns string) *unstructured.Unstructured {
			u, err := dyn.Resource(gvr.Resource).Namespace(ns).Get(ctx, o.GetName(), metav1GetOptions)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		a, b := get("act-ours"), get("act-kubectl")
		for _, u := range []*unstructured.Unstructured{a, b} { // allocated by the cluster
			unstructured.RemoveNestedField(u.Object, "spec", "clusterIP")
			unstructured.RemoveNestedField(u.Object, "spec", "clusterIPs")
		}
		for _, field := range [][]string{{"spec"}, {"data"}, {"metadata", "labels"}} {
			va, _, _ := unstructured.NestedFieldNoCopy(a.Object, field...)
			vb, _, _ := unstructured.NestedFieldNoCopy(b.Object, field...)
			if fieldsDiffer(va, vb) {
				t.Errorf("%s %s: ours %v, kubectl's %v", o.GetKind(), strings.Join(field, "."), va, vb)
			}
		}
		la := strings.ReplaceAll(a.GetAnnotations()["kubectl.kubernetes.io/last-applied-configuration"], "act-ours", "NS")
		lb := strings.ReplaceAll(b.GetAnnotations()["kubectl.kubernetes.io/last-applied-configuration"], "act-kubectl", "NS")
		if la != lb || la == "" {
			t.Errorf("%s last-applied:\nours    %s\nkubectl %s", o.GetKind(), la, lb)
		}
	}
}

// TestServerSideApplyConflict: a field another manager owns is a clear conflict; forcing
// takes it over.
func TestServerSideApplyConflict(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, "act-ssa"); err != nil {
		t.Fatal(err)
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: act-ssa\ndata:\n  key: theirs\n"
	if err := c.Apply(ctx, []byte(cm)); err != nil { // server-side apply as another manager
		t.Fatal(err)
	}
	cl := nsClient(t, c, "admin", "act-ssa")
	ours := objects(t, strings.Replace(cm, "theirs", "ours", 1))
	out := cl.Apply(ctx, ours[0], "cm.yaml", kube.ApplyOptions{ServerSide: true})
	if out.Err == nil || !apierrors.IsConflict(out.Err) || !strings.Contains(out.Err.Error(), `conflict with "testcluster"`) ||
		!strings.Contains(out.Err.Error(), "--force-conflicts") {
		t.Fatalf("conflicting apply: %v", out.Err)
	}
	out = cl.Apply(ctx, ours[0], "cm.yaml", kube.ApplyOptions{ServerSide: true, ForceConflicts: true})
	if out.Err != nil || out.Message != "configmap/owned serverside-applied" {
		t.Fatalf("forced apply: %+v", out)
	}
	if v, _, _ := unstructured.NestedString(out.Object.Object, "data", "key"); v != "ours" {
		t.Fatalf("after the forced apply, data.key = %q", v)
	}
}

// TestDelete: dry-runs delete nothing; a delete with wait returns once the object is gone.
func TestDelete(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, "act-del"); err != nil {
		t.Fatal(err)
	}
	cl := nsClient(t, c, "admin", "act-del")
	objs := objects(t, appV1)
	if _, err := cl.ApplyAll(ctx, objs, "app.yaml", kube.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []string{kube.DryRunClient, kube.DryRunServer} {
		outs, err := cl.DeleteAll(ctx, objs, "app.yaml", kube.DeleteOptions{DryRun: dry, GracePeriod: -1})
		if err != nil || outs[0].Message != `configmap "settings" deleted from act-del namespace (`+map[string]string{"client": "dry run", "server": "server dry run"}[dry]+")" {
			t.Fatalf("delete --dry-run=%s: %v %q", dry, err, messages(outs))
		}
	}
	if d, err := cl.Diff(ctx, objs[0], "app.yaml", false, false); err != nil || d.Live == "" {
		t.Fatalf("a dry-run deleted the ConfigMap: %+v %v", d, err)
	}
	outs, err := cl.DeleteAll(ctx, objs, "app.yaml", kube.DeleteOptions{GracePeriod: -1, Wait: 30 * time.Second})
	want := []string{`configmap "settings" deleted from act-del namespace`, `deployment.apps "web" deleted from act-del namespace`, `service "web" deleted from act-del namespace`}
	if err != nil || !slices.Equal(messages(outs), want) {
		t.Fatalf("delete: %v %q", err, messages(outs))
	}
	for _, o := range objs {
		if d, err := cl.Diff(ctx, o, "app.yaml", false, false); err != nil || d.Live != "" {
			t.Fatalf("%s still there after delete --wait: %v", o.GetKind(), err)
		}
	}
	// Deleting what is not there is the apiserver's NotFound, and nothing else is deleted.
	if _, err := cl.ApplyAll(ctx, objs[:1], "app.yaml", kube.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	outs, err = cl.DeleteAll(ctx, objs, "app.yaml", kube.DeleteOptions{GracePeriod: -1})
	if err == nil || !strings.Contains(err.Error(), "nothing was changed: 2 of 3") || outs[1].Err == nil || !apierrors.IsNotFound(outs[1].Err) {
		t.Fatalf("delete with missing objects: %v %q", err, messages(outs))
	}
	if d, _ := cl.Diff(ctx, objs[0], "app.yaml", false, false); d.Live == "" {
		t.Fatal("the ConfigMap was deleted although the batch failed its dry-run")
	}
}

// TestForbiddenLeavesNothingHalfDone: a user who may write ConfigMaps but not Secrets
// gets the apiserver's Forbidden for the Secret, and the ConfigMap is not created either.
func TestForbiddenLeavesNothingHalfDone(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	rbac := `apiVersion: v1
kind: Namespace
metadata:
  name: act-rbac
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmaps
  namespace: act-rbac
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, create, patch, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: limited-configmaps
  namespace: act-rbac
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmaps}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: limited}
`
	if err := c.Apply(ctx, []byte(rbac)); err != nil {
		t.Fatal(err)
	}
	cl := nsClient(t, c, "limited", "act-rbac")
	batch := objects(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\n"+
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  k: v\n")
	var outs []kube.Outcome
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		// RBAC takes effect within moments: until then the ConfigMap is forbidden too.
		outs, err = cl.ApplyAll(ctx, batch, "b.yaml", kube.ApplyOptions{})
		if outs[0].Err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "nothing was changed: 1 of 2") || outs[0].Err != nil ||
		!apierrors.IsForbidden(outs[1].Err) || !strings.Contains(outs[1].Err.Error(), `User "limited" cannot`) {
		t.Fatalf("apply as limited: %v %q", err, messages(outs))
	}
	admin := nsClient(t, c, "admin", "act-rbac")
	if d, err := admin.Diff(ctx, batch[0], "b.yaml", false, false); err != nil || d.Live != "" {
		t.Fatalf("the ConfigMap was created although the Secret was forbidden: %v", err)
	}
}

var metav1GetOptions = metav1.GetOptions{}

func fieldsDiffer(a, b any) bool { return !reflect.DeepEqual(a, b) }

func unified(d kube.DiffResult) string { return kube.Unified(d) }
