package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// TestMain keeps the tests away from the user's kubeconfig and cache: "auto" sees no
// cluster unless a test names one.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kubectl-lsp-cli-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("KUBECONFIG", filepath.Join(dir, "no-kubeconfig"))
	os.Setenv("KUBECACHEDIR", filepath.Join(dir, "cache"))
	code := testcluster.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.%[1]s
spec:
  group: %[1]s
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A gadget of the cluster.
        properties:
          spec:
            type: object
            description: What the gadget should be.
            x-kubernetes-validations:
            - rule: "self.size <= 10"
              message: size must be at most 10
            properties:
              size: {type: integer, description: How big the gadget is.}
`

// TestCommandsUseTheCluster: validate, explain and hover read a CRD the cluster serves,
// with no --crd, and say where the schemas came from.
func TestCommandsUseTheCluster(t *testing.T) {
	c := testcluster.Shared(t)
	group := fmt.Sprintf("cli%d.example.com", time.Now().UnixNano()%1e6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Apply(ctx, []byte(fmt.Sprintf(widgetCRD, group))); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForCRD(ctx, group, "v1", "Gadget"); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"gadget.yaml": fmt.Sprintf("apiVersion: %s/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  size: 11\n", group),
		"ok.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n",
	})
	kc := "--kubeconfig=" + c.Kubeconfig()
	cache := "--cache-dir=" + t.TempDir()

	out, errOut, code := run(t, "", "validate", kc, cache, "--schema-source=cluster", "-v", dir)
	if code != 1 || !strings.Contains(out, "gadget.yaml:5:1: error: spec: Invalid value: size must be at most 10 [cel]") ||
		!strings.Contains(out, "ok.yaml: document 0: ConfigMap c valid (schema: cluster admin v1.37.2)") ||
		!strings.Contains(errOut, "Schemas: crd → cluster admin v1.37.2") {
		t.Fatalf("validate against the cluster: exit %d\n%s\n%s", code, out, errOut)
	}
	// auto finds the same cluster through the kubeconfig.
	out, _, code = run(t, "", "validate", kc, cache, dir)
	if code != 1 || !strings.Contains(out, "size must be at most 10") {
		t.Fatalf("validate with auto: exit %d\n%s", code, out)
	}
	// An explicit release means the embedded schemas: the custom resource is unknown.
	out, errOut, code = run(t, "", "validate", kc, cache, "--kubernetes-version=1.36", dir)
	if code != 0 || strings.Contains(out, "size must be") {
		t.Fatalf("validate --kubernetes-version: exit %d\n%s\n%s", code, out, errOut)
	}

	out, errOut, code = run(t, "", "explain", kc, cache, "gd.spec.size")
	if code != 0 || !strings.Contains(out, "KIND:       Gadget") || !strings.Contains(out, "How big the gadget is.") {
		t.Fatalf("explain from the cluster: exit %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = run(t, "", "hover", kc, cache, filepath.Join(dir, "gadget.yaml")+":6:4")
	if code != 0 || !strings.Contains(out, "How big the gadget is.") || !strings.Contains(out, "cluster admin") {
		t.Fatalf("hover from the cluster: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestUnreachableCluster: auto falls back with a note; cluster is an error that says why.
func TestUnreachableCluster(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"kubeconfig": "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}\n" +
			"users:\n- name: u\n  user: {token: x}\ncontexts:\n- name: gone\n  context: {cluster: gone, user: u}\ncurrent-context: gone\n",
		"ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
	})
	kc := "--kubeconfig=" + filepath.Join(dir, "kubeconfig")
	cache := "--cache-dir=" + t.TempDir()
	_, errOut, code := run(t, "", "validate", kc, cache, filepath.Join(dir, "ok.yaml"))
	if code != 0 || !strings.Contains(errOut, `context "gone" (https://127.0.0.1:1): cannot reach the cluster`) ||
		!strings.Contains(errOut, "using the embedded schemas") {
		t.Fatalf("auto with an unreachable cluster: exit %d\n%s", code, errOut)
	}
	_, errOut, code = run(t, "", "validate", kc, cache, "--schema-source=cluster", filepath.Join(dir, "ok.yaml"))
	if code != 2 || !strings.Contains(errOut, "--schema-source=cluster") || !strings.Contains(errOut, "cannot reach the cluster") {
		t.Fatalf("cluster with an unreachable cluster: exit %d\n%s", code, errOut)
	}
	_, errOut, code = run(t, "", "validate", kc, cache, "--context=nope", filepath.Join(dir, "ok.yaml"))
	if code != 0 || !strings.Contains(errOut, `context "nope" is not in the kubeconfig`) {
		t.Fatalf("auto with a missing context: exit %d\n%s", code, errOut)
	}
}

// TestValidateDryRunServer: --dry-run=server adds the cluster's verdicts, admission
// policies included, at their positions.
func TestValidateDryRunServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "cli-dryrun"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	policy := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: cli-team-label
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [configmaps]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every ConfigMap needs a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: cli-team-label
spec:
  policyName: cli-team-label
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: ` + ns + `}
`
	if err := c.Apply(ctx, []byte(policy)); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: " + ns + "\n  labels:\n    app: x\n---\n" +
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: " + ns + "\n  labels:\n    team: web\n",
	})
	args := []string{"validate", "--kubeconfig=" + c.Kubeconfig(), "--cache-dir=" + t.TempDir(), "--dry-run=server", filepath.Join(dir, "cm.yaml")}
	var out, errOut string
	var code int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, errOut, code = run(t, "", args...)
		if code != 0 || time.Now().After(deadline) {
			break // the policy acts a moment after it is created
		}
	}
	want := "cm.yaml:6:3: error: metadata.labels: ValidatingAdmissionPolicy 'cli-team-label' with binding 'cli-team-label' denied request: every ConfigMap needs a team label [dry-run]"
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, "[dry-run]") != 1 {
		t.Fatalf("validate --dry-run=server: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := run(t, "", "validate", "--dry-run=bogus", filepath.Join(dir, "cm.yaml")); code != 2 || !strings.Contains(errOut, `--dry-run="bogus": use none, client or server`) {
		t.Fatalf("--dry-run=bogus: exit %d %s", code, errOut)
	}
	// No cluster: a clear error, not a hang.
	if _, errOut, code := run(t, "", "validate", "--dry-run=server", filepath.Join(dir, "cm.yaml")); code != 2 || !strings.Contains(errOut, "--dry-run=server: no Kubernetes context") {
		t.Fatalf("--dry-run=server without a context: exit %d %s", code, errOut)
	}
}
