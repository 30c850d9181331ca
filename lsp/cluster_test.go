package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// TestMain keeps the tests away from the user's kubeconfig and cache: the "auto" schema
// source sees no cluster unless a test configures one.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kubectl-lsp-lsp-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("KUBECONFIG", filepath.Join(dir, "no-kubeconfig"))
	os.Setenv("KUBECACHEDIR", filepath.Join(dir, "cache"))
	code := testcluster.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// clusterHarness starts a session against a kubeconfig, with its own cache folder.
func clusterHarness(t *testing.T, kubeconfig, cache string, cnt *testcluster.Counter, settings map[string]any) *harness {
	t.Helper()
	init := map[string]any{"kubeconfig": kubeconfig, "clusterRefreshSeconds": 0.2}
	for k, v := range settings {
		init[k] = v
	}
	caps := map[string]any{
		"window": map[string]any{"workDoneProgress": true},
		"textDocument": map[string]any{
			"hover": map[string]any{"contentFormat": []string{"markdown"}},
		},
	}
	return newHarness(t, harnessOptions{initOptions: init, capabilities: caps, server: func(o *Options) {
		f := genericclioptions.NewConfigFlags(false)
		f.CacheDir = &cache
		o.ConfigFlags = f
		if cnt != nil {
			o.WrapTransport = cnt.Wrap
		}
	}})
}

func hasCode(diags []protocol.Diagnostic, code, text string) bool {
	for _, d := range diags {
		if fmt.Sprint(d.Code) == code && strings.Contains(d.Message, text) {
			return true
		}
	}
	return false
}

// awaitDiagnostic waits until the latest published diagnostics of uri satisfy cond.
func (h *harness) awaitDiagnostic(uri protocol.DocumentURI, what string, cond func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	h.t.Helper()
	var got []protocol.Diagnostic
	h.await(what, func() bool {
		vs := h.publishes[uri]
		if len(vs) == 0 {
			return false
		}
		got = h.published[docVersion{uri, vs[len(vs)-1]}].Diagnostics
		return cond(got)
	})
	return got
}

const backupCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.%[1]s
spec:
  group: %[1]s
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.retainDays <= 365"
              message: retainDays must be at most 365
            properties:
              retainDays: {type: integer}
`

// TestClusterCRDReachesDiagnostics: a CRD installed while the session runs reaches the
// diagnostics of an open custom resource, CEL rule included, without a restart; the
// status notification names the cluster, and loading is reported with $/progress.
func TestClusterCRDReachesDiagnostics(t *testing.T) {
	c := testcluster.Shared(t)
	group := fmt.Sprintf("lsp%d.example.com", time.Now().UnixNano()%1e6)
	h := clusterHarness(t, c.Kubeconfig(), t.TempDir(), nil, nil)
	st := h.AwaitStatus("a status from the cluster", func(s StatusParams) bool { return s.Source == "cluster" })
	if st.Context != "admin" || !strings.HasPrefix(st.ServerVersion, "v1.37") || !st.Connected || st.LastRefresh.IsZero() {
		t.Fatalf("status: %+v", st)
	}
	uri := protocol.DocumentURI("file:///work/backup.yaml")
	h.Open(uri, fmt.Sprintf("apiVersion: %s/v1\nkind: Backup\nmetadata:\n  name: nightly\nspec:\n  retainDays: 400\n", group))
	h.awaitDiagnostic(uri, "a no-schema warning", func(d []protocol.Diagnostic) bool {
		return hasCode(d, "no-schema", `no schema for kind "Backup" in version "`+group+`/v1": the cluster (cluster admin v1.37.2) does not serve it`)
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Apply(ctx, []byte(fmt.Sprintf(backupCRD, group))); err != nil {
		t.Fatal(err)
	}
	diags := h.awaitDiagnostic(uri, "the CRD's CEL rule", func(d []protocol.Diagnostic) bool {
		return hasCode(d, "cel", "retainDays must be at most 365")
	})
	if len(diags) != 1 || diags[0].Range.Start.Line != 4 {
		t.Fatalf("diagnostics once the CRD is served: %+v", diags)
	}
	// The cluster's schemas answer hovers too.
	h.mu.Lock()
	h.markers[uri] = map[string]int{"retain": strings.Index(h.texts[uri], "retainDays")}
	h.mu.Unlock()
	if hv := h.Hover(uri, "retain"); hv == nil || !strings.Contains(hv.Contents.Value, "cluster admin v1.37") {
		t.Fatalf("hover: %+v", hv)
	}
	h.mu.Lock()
	prog := append([]map[string]any(nil), h.progress...)
	h.mu.Unlock()
	kinds := ""
	for _, p := range prog {
		kinds += fmt.Sprint(p["kind"]) + " "
	}
	if !strings.HasPrefix(kinds, "begin ") || !strings.Contains(kinds, "end") {
		t.Fatalf("$/progress: %s", kinds)
	}
}

// TestClusterOutage: the apiserver stopped mid-session gives one warning, validation goes
// on with the cached schemas, and the session recovers when it is back.
func TestClusterOutage(t *testing.T) {
	c := testcluster.Shared(t)
	h := clusterHarness(t, c.Kubeconfig(), t.TempDir(), nil, nil)
	h.AwaitStatus("a status from the cluster", func(s StatusParams) bool { return s.Source == "cluster" })
	uri := protocol.DocumentURI("file:///work/deploy.yaml")
	h.Open(uri, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n")
	h.awaitDiagnostic(uri, "a type error", func(d []protocol.Diagnostic) bool { return hasCode(d, "type", "replicas") })

	c.StopAPIServer()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = c.StartAPIServer(context.Background())
		}
	})
	msg := h.AwaitMessage("cannot reach the cluster")
	if msg.Type != protocol.MessageTypeWarning || !strings.Contains(msg.Message, "validating with the schemas cached at") {
		t.Fatalf("outage message: %+v", msg)
	}
	st := h.AwaitStatus("an error status", func(s StatusParams) bool { return s.ErrorKind == "unreachable" })
	if st.Source != "cache" {
		t.Fatalf("status during the outage: %+v", st)
	}
	// Edits are still validated, from the cache.
	v := h.Replace(uri, "three", "3\n  strategy:\n    type: Rolling")
	diags := h.AwaitDiagnostics(uri, v)
	if !hasCode(diags, "enum", "Rolling") {
		t.Fatalf("diagnostics during the outage: %+v", diags)
	}
	warnings := 0
	for _, m := range h.Messages() {
		if strings.Contains(m.Message, "cannot reach") {
			warnings++
		}
	}
	if err := c.StartAPIServer(context.Background()); err != nil {
		t.Fatal(err)
	}
	restarted = true
	h.AwaitMessage("answers again")
	h.AwaitStatus("a recovered status", func(s StatusParams) bool {
		return s.Source == "cluster" && s.LastError == "" && s.LastRefresh.After(st.LastRefresh)
	})
	if warnings != 1 {
		t.Fatalf("%d outage warnings, want 1", warnings)
	}
}

// TestClusterForbidden: a user without rights on /openapi/v3 gets a warning, and the
// embedded schemas validate.
func TestClusterForbidden(t *testing.T) {
	c := testcluster.Shared(t)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: c.Host(), CertificateAuthorityData: c.Config().CAData}
	cfg.AuthInfos["anonymous"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["anonymous"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "anonymous"}
	cfg.CurrentContext = "anonymous"
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}
	h := clusterHarness(t, kc, t.TempDir(), nil, nil)
	msg := h.AwaitMessage("403 Forbidden")
	if msg.Type != protocol.MessageTypeWarning || !strings.Contains(msg.Message, "validating with the embedded schemas") {
		t.Fatalf("message: %+v", msg)
	}
	uri := protocol.DocumentURI("file:///work/deploy.yaml")
	h.Open(uri, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  <|r|>replicas: three\n")
	if diags := h.AwaitDiagnostics(uri, 1); !hasCode(diags, "type", "replicas") {
		t.Fatalf("diagnostics: %+v", diags)
	}
	if hv := h.Hover(uri, "r"); hv == nil || !strings.Contains(hv.Contents.Value, "builtin 1.37") {
		t.Fatalf("hover: %+v", hv)
	}
	if st := h.AwaitStatus("a forbidden status", func(s StatusParams) bool { return s.ErrorKind == "forbidden" }); st.Source != "builtin" {
		t.Fatalf("status: %+v", st)
	}
}

// TestWarmStartMakesNoNetworkCall: with a populated cache, a new session publishes its
// first diagnostics, from the cluster's schemas, without one network call.
func TestWarmStartMakesNoNetworkCall(t *testing.T) {
	c := testcluster.Shared(t)
	cache := t.TempDir()
	uri := protocol.DocumentURI("file:///work/deploy.yaml")
	text := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  <|r|>replicas: three\n"

	// A first session fills the cache.
	var cold testcluster.Counter
	h := clusterHarness(t, c.Kubeconfig(), cache, &cold, map[string]any{"clusterRefreshSeconds": 3600})
	h.AwaitStatus("a status from the cluster", func(s StatusParams) bool { return s.Source == "cluster" })
	h.Open(uri, text)
	deadline := time.Now().Add(awaitTimeout)
	for {
		hv := h.Hover(uri, "r")
		if hv != nil && strings.Contains(hv.Contents.Value, "cluster admin") && !strings.Contains(hv.Contents.Value, "while") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster's apps/v1 schema never loaded: %+v", hv)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("cold session: %s", &cold)
	if err := h.call(protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatal(err)
	}
	h.notify(protocol.MethodExit, nil)
	h.awaitExit()

	var warm testcluster.Counter
	h2 := clusterHarness(t, c.Kubeconfig(), cache, &warm, map[string]any{"clusterRefreshSeconds": 3600})
	h2.Open(uri, text)
	diags := h2.AwaitDiagnostics(uri, 1)
	if n := warm.N(); n != 0 {
		t.Fatalf("a warm start made network calls before its first diagnostics: %s", &warm)
	}
	if !hasCode(diags, "type", "replicas") {
		t.Fatalf("warm diagnostics: %+v", diags)
	}
	if hv := h2.Hover(uri, "r"); hv == nil || !strings.Contains(hv.Contents.Value, "cluster admin v1.37") {
		t.Fatalf("warm hover: %+v", hv)
	}
	if n := warm.N(); n != 0 {
		t.Fatalf("a warm session made network calls: %s", &warm)
	}
	// The counter does see the network: a refresh on demand revalidates the index.
	if err := h2.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandRefreshCluster}, nil); err != nil {
		t.Fatal(err)
	}
	h2.await("a refresh", func() bool { return warm.N() > 0 })
	t.Logf("warm session after a refresh: %s", &warm)
}

// TestUseContextCommand: the context can be switched at runtime and listed; a context
// that is not in the kubeconfig is refused.
func TestUseContextCommand(t *testing.T) {
	c := testcluster.Shared(t)
	h := clusterHarness(t, c.Kubeconfig(), t.TempDir(), nil, nil)
	var list struct {
		Contexts []string `json:"contexts"`
		Current  string   `json:"current"`
	}
	if err := h.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandListContexts}, &list); err != nil {
		t.Fatal(err)
	}
	if strings.Join(list.Contexts, ",") != "admin,limited" || list.Current != "admin" {
		t.Fatalf("listContexts: %+v", list)
	}
	var st StatusParams
	if err := h.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandUseContext, "arguments": []any{"limited"}}, &st); err != nil {
		t.Fatal(err)
	}
	if st.Context != "limited" {
		t.Fatalf("status after useContext: %+v", st)
	}
	h.AwaitStatus("the limited context's cluster status", func(s StatusParams) bool { return s.Context == "limited" && s.Source == "cluster" })
	err := h.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandUseContext, "arguments": []any{"nope"}}, nil)
	if err == nil || !strings.Contains(err.Error(), `context "nope" is not in the kubeconfig (contexts: admin, limited)`) {
		t.Fatalf("useContext nope: %v", err)
	}
	if err := h.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandListContexts}, &list); err != nil || list.Current != "limited" {
		t.Fatalf("listContexts after the switch: %+v %v", list, err)
	}
}

const maxReplicasPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: %[1]s
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.replicas <= 3"
    message: at most 3 replicas in this namespace
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: %[1]s
spec:
  policyName: %[1]s
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: %[2]s}
`

// TestDryRunOnSave: with dryRun onSave, saving a file sends its objects to the cluster;
// a ValidatingAdmissionPolicy's denial is reported at the field its rule reads, beside
// the static diagnostics, until the next edit.
func TestDryRunOnSave(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "lsp-dryrun"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, []byte(fmt.Sprintf(maxReplicasPolicy, "lsp-max-replicas", ns))); err != nil {
		t.Fatal(err)
	}
	h := clusterHarness(t, c.Kubeconfig(), t.TempDir(), nil, map[string]any{"dryRun": "onSave"})
	uri := protocol.DocumentURI("file:///work/web.yaml")
	text := `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ` + ns + `
data:
  a: b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ` + ns + `
spec:
  replicas: <|replicas|>5
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`
	h.Open(uri, text)
	if diags := h.AwaitDiagnostics(uri, 1); len(diags) != 0 {
		t.Fatalf("static diagnostics: %+v", diags)
	}
	want := h.Pos(uri, "replicas")
	// The policy takes effect a moment after it is created: save until it denies.
	var got []protocol.Diagnostic
	deadline := time.Now().Add(awaitTimeout)
	for {
		seen := h.DoneCount(uri, 1)
		h.notify(protocol.MethodTextDocumentDidSave, map[string]any{"textDocument": map[string]any{"uri": uri}})
		got = h.AwaitDiagnosticsAfter(uri, 1, seen)
		if len(got) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != 1 || fmt.Sprint(got[0].Code) != "dry-run" || got[0].Range.Start != want ||
		!strings.Contains(got[0].Message, "ValidatingAdmissionPolicy 'lsp-max-replicas' with binding 'lsp-max-replicas' denied request: at most 3 replicas in this namespace") {
		t.Fatalf("diagnostics after save: %+v (want one at %+v)", got, want)
	}
	// An edit drops the verdict (its positions are the old text's); the next save renews it.
	v := h.Replace(uri, "a: b", "a: c")
	if diags := h.AwaitDiagnostics(uri, v); len(diags) != 0 {
		t.Fatalf("after an edit: %+v", diags)
	}
	v = h.Replace(uri, "replicas: 5", "replicas: 2")
	h.notify(protocol.MethodTextDocumentDidSave, map[string]any{"textDocument": map[string]any{"uri": uri}})
	if diags := h.AwaitDiagnosticsAfter(uri, v, 1); len(diags) != 0 {
		t.Fatalf("after fixing and saving: %+v", diags)
	}
}
