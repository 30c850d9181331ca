package validate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// realProjects publish CRDs and example manifests that nobody here wrote; their modules
// come through the Go module proxy, pinned.
var realProjects = []struct {
	module   string
	crds     []string // CRD directories, below the module
	examples []string // manifest directories, below the module
}{
	{"sigs.k8s.io/gateway-api@v1.3.0", []string{"config/crd/experimental"}, []string{"examples"}},
	{"github.com/prometheus-operator/prometheus-operator@v0.85.0", []string{"example/prometheus-operator-crd"}, []string{"example"}},
	// kubectl-validate's own test cases (a CRD claiming CustomResourceDefinition among them).
	{"sigs.k8s.io/kubectl-validate@v0.0.4", []string{"testcases/crds", "testcases/more-crds"}, []string{"testcases/manifests"}},
	// The documentation's snippets: SecretStores, ExternalSecrets, generators of every provider.
	{"github.com/external-secrets/external-secrets@v0.16.2", []string{"config/crds/bases"}, []string{"docs/snippets"}},
	{"github.com/kedacore/keda/v2@v2.17.0", []string{"config/crd/bases"}, []string{"config"}},
	{"github.com/ray-project/kuberay/ray-operator@v1.5.0", []string{"config/crd/bases"}, []string{"config/samples", "config/rbac"}},
	{"knative.dev/serving@v0.51.0", []string{"config/core/300-resources"}, []string{"config/core/configmaps", "config/core/deployments", "config/core/200-roles", "test/config"}},
	{"github.com/open-policy-agent/gatekeeper/v3@v3.23.1", []string{"config/crd/bases"}, []string{"config/rbac", "test/bats/tests", "pkg/readiness/testdata"}},
	{"github.com/kyverno/kyverno@v1.19.1", []string{"cmd/cli/kubectl-kyverno/data/crds"}, []string{"test/resources", "test/cli", "test/conformance/chainsaw/validate"}},
	{"sigs.k8s.io/kueue@v0.17.0", []string{"config/components/crd/bases"}, []string{"config/components/rbac", "cmd/kueueviz/examples", "config/components/visibility"}},
	{"github.com/projectcontour/contour@v1.33.8", []string{"examples/contour/01-crds.yaml"}, []string{"examples/contour", "examples/example-workload", "examples/gatekeeper"}},
	{"github.com/cilium/cilium@v1.20.2", []string{"pkg/k8s/apis/cilium.io/client/crds"}, []string{"examples/kubernetes", "examples/policies"}},
	{"k8s.io/kube-state-metrics/v2@v2.20.0", nil, []string{"examples", "tests/manifests"}},
	{"k8s.io/ingress-nginx@v0.0.0-20240708192948-52c50467d67d", nil, []string{"deploy/static", "docs/examples"}},
	{"github.com/kubeflow/katib@v0.19.0", []string{"manifests/v1beta1/components/crd"}, []string{"examples/v1beta1", "manifests/v1beta1"}},
	{"github.com/envoyproxy/gateway@v1.9.1", []string{"charts/gateway-helm/charts/crds/crds"}, []string{"examples/kubernetes"}},
	{"k8s.io/kubernetes@v1.37.2", []string{"cluster/addons/calico-policy-controller", "cluster/addons/volumesnapshots/crd"}, []string{"test/integration/scheduler_perf", "test/e2e/testing-manifests", "test/fixtures", "hack/testdata", "cluster/addons", "test/kubemark/resources", "test/e2e/dra", "test/e2e_node/testing-manifests", "test/conformance/testdata"}},
	{"github.com/metallb/frr-k8s@v0.0.21", []string{"config/crd/bases"}, []string{"config/samples", "config/rbac", "hack/demo"}},
}

// moduleDir downloads a module (through the Go module proxy, or from the module cache)
// and returns its directory.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = t.TempDir() // outside this module: no go.mod to consult
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); err != nil || jerr != nil || m.Dir == "" {
		if os.Getenv("KUBECTL_LSP_REQUIRE_CLUSTER") != "" {
			t.Fatalf("go mod download %s: %v %s", module, err, m.Error)
		}
		t.Skipf("go mod download %s: %v %s", module, err, m.Error)
	}
	return m.Dir
}

// TestRealProjectsAgainstAPIServer validates the example manifests of real projects
// against their own CRDs, offline, and compares each verdict with the real apiserver's
// (the CRDs installed, each object sent by server-side dry-run create with strict field
// validation). Objects the apiserver refuses for reasons other than validation
// (admission, a namespace that does not exist) are left out.
func TestRealProjectsAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	for _, p := range realProjects {
		t.Run(p.module, func(t *testing.T) {
			dir := moduleDir(t, p.module)
			eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
			if err != nil {
				t.Fatal(err)
			}
			var crdPaths []string
			for _, d := range p.crds {
				crdPaths = append(crdPaths, filepath.Join(dir, d))
			}
			if err := eng.LoadCRDPaths(crdPaths); err != nil {
				t.Fatal(err)
			}
			crdFiles, err := engine.ExpandPaths(crdPaths, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range crdFiles {
				data, _ := os.ReadFile(name)
				kinds := eng.AddCRDs(yamlpos.Split(name, data))
				if len(kinds) == 0 {
					continue // a kustomization beside the CRDs
				}
				if err := c.Apply(ctx, data); err != nil {
					t.Fatalf("installing %s: %v", name, err)
				}
				for _, gvk := range kinds {
					if err := c.WaitForCRD(ctx, gvk.Group, gvk.Version, gvk.Kind); err != nil {
						t.Fatal(err)
					}
				}
			}
			var examples []string
			for _, d := range p.examples {
				examples = append(examples, filepath.Join(dir, d))
			}
			files, err := engine.ExpandPaths(examples, true)
			if err != nil {
				t.Fatal(err)
			}
			var tl tally
			for _, name := range files {
				data, _ := os.ReadFile(name)
				f := yamlpos.Split(name, data)
				for i, r := range eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0] {
					d := f.Docs[i]
					if r.Status == validate.Skipped || strings.HasSuffix(r.Kind, "List") {
						continue
					}
					if r.Namespace != "" {
						_ = c.EnsureNamespace(ctx, r.Namespace)
					}
					obj, err := yamlpos.ToValue(d.Root, validate.DefaultAliasLimit)
					if err != nil {
						continue
					}
					text, err := yaml.Marshal(obj)
					if err != nil {
						t.Fatal(err)
					}
					_, serverErr := c.DryRunCreate(ctx, text)
					if differs := tl.compare(r, serverErr); differs != "" {
						rel, _ := filepath.Rel(dir, name)
						t.Errorf("%s#%d %s %s: %s", rel, d.Index, r.Kind, r.Name, differs)
					}
				}
			}
			t.Logf("%d documents (%d rejected by the apiserver); %d verdicts agree; %d left out (admission, cluster state)", tl.total, tl.rejected, tl.agree, tl.skipped)
			if tl.total < 20 {
				t.Errorf("only %d documents compared", tl.total)
			}
		})
	}
}

// tally counts our verdicts compared with the apiserver's.
type tally struct{ total, agree, rejected, skipped int }

// compare records our result on a document against the apiserver's answer to creating
// it (dry-run, strict field validation) and says how they differ ("" when they agree).
// An answer that is not about validation (admission, cluster state: not Invalid or
// BadRequest, or a cluster IP outside this cluster's service range) is left out.
func (tl *tally) compare(r validate.Result, serverErr error) string {
	var se *apierrors.StatusError
	if serverErr != nil && !(errors.As(serverErr, &se) && (apierrors.IsInvalid(serverErr) || apierrors.IsBadRequest(serverErr))) ||
		serverErr != nil && strings.Contains(serverErr.Error(), "failed to allocate IP") { // the cluster's service range
		tl.skipped++
		return ""
	}
	tl.total++
	ours, theirs := r.Status == validate.Invalid, serverErr != nil
	if theirs {
		tl.rejected++
	}
	if ours == theirs {
		tl.agree++
		return ""
	}
	var findings []string
	for _, fd := range r.Findings {
		findings = append(findings, fd.Severity.String()+" "+fd.Code+": "+fd.Message)
	}
	return fmt.Sprintf("we say %s %q, the apiserver says %s", r.Status, findings, describeServer(serverErr))
}
