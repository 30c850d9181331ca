package testcluster_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
EXTRA`

func deploy(replicas, extra string) []byte {
	return []byte(strings.NewReplacer("REPLICAS", replicas, "EXTRA", extra).Replace(deployment))
}

// statusError asserts that err is the server's *StatusError, unwrapped,
// whose message contains want.
func statusError(t *testing.T, err error, want string) *apierrors.StatusError {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want an error containing %q", want)
	}
	se, ok := err.(*apierrors.StatusError)
	if !ok {
		t.Fatalf("error %T %v; want *apierrors.StatusError", err, err)
	}
	if !strings.Contains(se.Error(), want) {
		t.Fatalf("error %q does not contain %q", se.Error(), want)
	}
	return se
}

func TestDryRunValid(t *testing.T) {
	c := testcluster.Shared(t)
	warnings, err := c.DryRunCreate(ctx(t), deploy("3", ""))
	if err != nil {
		t.Fatalf("valid Deployment rejected: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	// JSON and an explicit namespace work too.
	if err := c.EnsureNamespace(ctx(t), "team-a"); err != nil {
		t.Fatal(err)
	}
	cm := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"team-a"},"data":{"k":"v"}}`
	if _, err := c.DryRunCreate(ctx(t), []byte(cm)); err != nil {
		t.Fatalf("ConfigMap in team-a rejected: %v", err)
	}
	// Cluster-scoped.
	if _, err := c.DryRunCreate(ctx(t), []byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"dry"}}`)); err != nil {
		t.Fatalf("Namespace rejected: %v", err)
	}
}

func TestDryRunWrongType(t *testing.T) {
	c := testcluster.Shared(t)
	_, err := c.DryRunCreate(ctx(t), deploy(`"three"`, ""))
	se := statusError(t, err, "replicas")
	if !apierrors.IsBadRequest(se) {
		t.Errorf("reason %q; want BadRequest", apierrors.ReasonForError(se))
	}
}

func TestDryRunStrictFields(t *testing.T) {
	c := testcluster.Shared(t)
	_, err := c.DryRunCreate(ctx(t), deploy("1", "  paused: false\n  replicaz: 2\n"))
	statusError(t, err, `unknown field "spec.replicaz"`)

	// The bytes reach the server as written: duplicates are caught too.
	dup := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":{"a":"1","a":"2"}}`
	_, err = c.DryRunCreate(ctx(t), []byte(dup))
	statusError(t, err, "duplicate field")
}

func TestDryRunUnsupportedValue(t *testing.T) {
	c := testcluster.Shared(t)
	pod := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox
    imagePullPolicy: Sometimes
`
	_, err := c.DryRunCreate(ctx(t), []byte(pod))
	se := statusError(t, err, "Unsupported value")
	if !apierrors.IsInvalid(se) {
		t.Errorf("reason %q; want Invalid", apierrors.ReasonForError(se))
	}
	if !strings.Contains(se.Error(), "spec.containers[0].imagePullPolicy") {
		t.Errorf("error %q does not name the field", se.Error())
	}
}

func TestDryRunWarnings(t *testing.T) {
	c := testcluster.Shared(t)
	extra := "      nodeSelector: {beta.kubernetes.io/arch: amd64}\n"
	warnings, err := c.DryRunCreate(ctx(t), deploy("1", extra))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 || !strings.Contains(strings.Join(warnings, "\n"), "deprecated") {
		t.Fatalf("warnings %q; want a deprecation warning for beta.kubernetes.io/arch", warnings)
	}
}

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`

func TestCRD(t *testing.T) {
	c := testcluster.Shared(t)
	start := time.Now()
	if err := c.Apply(ctx(t), []byte(crd)); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx(t), []byte(crd)); err != nil { // idempotent
		t.Fatal(err)
	}
	if err := c.WaitForCRD(ctx(t), "example.com", "v1alpha1", "Widget"); err != nil {
		t.Fatal(err)
	}
	t.Logf("CRD published (/openapi/v3, discovery) and serving %s after Apply", time.Since(start).Round(time.Millisecond))

	ok := `{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":2}}`
	start = time.Now()
	if _, err := c.DryRunCreate(ctx(t), []byte(ok)); err != nil {
		t.Fatalf("valid Widget rejected: %v", err)
	}
	t.Logf("first Widget dry-run took %s", time.Since(start).Round(time.Millisecond))
	_, err := c.DryRunCreate(ctx(t), []byte(`{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":0}}`))
	statusError(t, err, "spec.size")
	_, err = c.DryRunCreate(ctx(t), []byte(`{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"},"spec":{"colour":"red"}}`))
	statusError(t, err, "unknown field")
}

func TestValidatingAdmissionPolicy(t *testing.T) {
	c := testcluster.Shared(t)
	policy := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-forbidden-configmaps}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  validations:
  - expression: "!has(object.metadata.labels) || !('forbidden' in object.metadata.labels)"
    message: configmaps labelled forbidden are forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-forbidden-configmaps}
spec:
  policyName: no-forbidden-configmaps
  validationActions: [Deny]
`
	if err := c.Apply(ctx(t), []byte(policy)); err != nil {
		t.Fatal(err)
	}
	cm := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f","labels":{"forbidden":"yes"}}}`)
	// The policy takes effect once its informer has seen it: poll.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.DryRunCreate(ctx(t), cm)
		if err != nil {
			statusError(t, err, "configmaps labelled forbidden are forbidden")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the ValidatingAdmissionPolicy never denied the ConfigMap")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.DryRunCreate(ctx(t), []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok"}}`)); err != nil {
		t.Fatalf("unlabelled ConfigMap rejected: %v", err)
	}
}

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func configMap(name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name},
		"data":     map[string]any{"k": "v"},
	}}
}

func TestLimitedUserForbidden(t *testing.T) {
	c := testcluster.Shared(t)
	dc, err := dynamic.NewForConfig(c.ConfigFor(testcluster.LimitedUser))
	if err != nil {
		t.Fatal(err)
	}
	_, err = dc.Resource(configMaps).Namespace("default").Create(ctx(t), configMap("limited"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("limited user create: %v; want Forbidden", err)
	}
	admin, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Resource(configMaps).Namespace("default").Create(ctx(t), configMap("by-admin"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Fatalf("admin create: %v", err)
	}
}

// TestRestartAndKubeconfig uses a cluster of its own, as it stops the API
// server.
func TestRestartAndKubeconfig(t *testing.T) {
	c := testcluster.New(t, testcluster.Options{})
	cms := func() dynamic.ResourceInterface {
		dc, err := dynamic.NewForConfig(c.Config())
		if err != nil {
			t.Fatal(err)
		}
		return dc.Resource(configMaps).Namespace("default")
	}()
	if _, err := cms.Create(ctx(t), configMap("survivor"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	if kubectl := c.Kubectl(); kubectl == "" {
		t.Log("no kubectl built; skipping the kubeconfig checks")
	} else {
		// run returns kubectl's output; a non-zero exit is fine ("can-i" → no).
		// kubectl's caches go to a temp dir, not $HOME/.kube.
		home := t.TempDir()
		run := func(args ...string) string {
			cmd := exec.CommandContext(ctx(t), kubectl, append([]string{"--kubeconfig", c.Kubeconfig(), "--cache-dir", home + "/cache"}, args...)...)
			cmd.Env = append(os.Environ(), "HOME="+home)
			out, _ := cmd.CombinedOutput()
			return strings.TrimSpace(string(out))
		}
		if out := run("get", "configmap", "survivor", "-o", "name"); out != "configmap/survivor" {
			t.Errorf("kubectl get as admin: %q", out)
		}
		if out := run("--context", "limited", "auth", "can-i", "create", "configmaps"); out != "no" {
			t.Errorf("kubectl auth can-i as limited: %q; want no", out)
		}
		if out := run("version", "-o", "json"); !strings.Contains(out, `"gitVersion": "`+testcluster.KubernetesVersion+`"`) {
			t.Errorf("kubectl version: %s", out)
		}
	}

	start := time.Now()
	c.StopAPIServer()
	t.Logf("StopAPIServer took %s", time.Since(start).Round(time.Millisecond))
	c.StopAPIServer() // idempotent
	short, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cms.Get(short, "survivor", metav1.GetOptions{}); err == nil {
		t.Fatal("API server still answers after StopAPIServer")
	} else if !strings.Contains(err.Error(), "connection refused") {
		t.Logf("request while down: %v", err)
	}

	start = time.Now()
	if err := c.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	t.Logf("StartAPIServer took %s", time.Since(start).Round(time.Millisecond))
	if err := c.StartAPIServer(ctx(t)); err == nil {
		t.Error("a second StartAPIServer succeeded; want an error")
	}
	got, err := cms.Get(ctx(t), "survivor", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.GetName() != "survivor" {
		t.Errorf("got %q", got.GetName())
	}
	if _, err := c.DryRunCreate(ctx(t), deploy("2", "")); err != nil {
		t.Fatalf("dry-run after restart: %v", err)
	}

	dir := c.Dir()
	start = time.Now()
	c.Stop()
	t.Logf("Stop took %s", time.Since(start).Round(time.Millisecond))
	c.Stop() // idempotent
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s not removed: %v", dir, err)
	}
	if err := c.StartAPIServer(ctx(t)); err == nil {
		t.Error("StartAPIServer after Stop succeeded")
	}
}

// TestOldestBesideShared runs the oldest release's control plane next to the shared one:
// each answers on its own port with its own version, and each judges objects by itself.
func TestOldestBesideShared(t *testing.T) {
	newest, oldest := testcluster.Shared(t), testcluster.SharedOldest(t)
	if newest.Host() == oldest.Host() {
		t.Fatalf("both clusters at %s", newest.Host())
	}
	for _, tc := range []struct {
		c    *testcluster.Cluster
		want string
	}{{newest, testcluster.KubernetesVersion}, {oldest, testcluster.OldestKubernetesVersion}} {
		dc, err := discovery.NewDiscoveryClientForConfig(tc.c.Config())
		if err != nil {
			t.Fatal(err)
		}
		v, err := dc.ServerVersion()
		if err != nil {
			t.Fatal(err)
		}
		if v.GitVersion != tc.want || tc.c.Version() != tc.want {
			t.Errorf("%s: server says %s, Version() %s; want %s", tc.c.Host(), v.GitVersion, tc.c.Version(), tc.want)
		}
		if _, err := tc.c.DryRunCreate(ctx(t), deploy("3", "")); err != nil {
			t.Errorf("%s: valid Deployment rejected: %v", tc.want, err)
		}
		_, err = tc.c.DryRunCreate(ctx(t), deploy("-1", ""))
		statusError(t, err, "spec.replicas")
	}
}
