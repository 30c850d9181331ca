package validate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
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
	{"github.com/argoproj/argo-cd/v2@v2.14.21", []string{"manifests/crds"}, []string{"applicationset/examples", "manifests/base", "examples"}},
	{"github.com/dapr/dapr@v1.14.0", []string{"charts/dapr/crds"}, []string{"tests/config"}},
	{"sigs.k8s.io/network-policy-api@v0.3.1", []string{"config/crd/experimental"}, []string{"conformance/base", "site-src/user-story-examples"}},
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
			var tl tally
			eachProjectDocument(t, ctx, c, "1.37", p.module, p.crds, p.examples, func(doc projectDocument) {
				if doc.crdErr != nil {
					t.Fatalf("installing %s: %v", doc.rel, doc.crdErr)
				}
				if differs := tl.compare(doc.result, doc.serverErr); differs != "" {
					t.Errorf("%s: %s", doc, differs)
				} else if misplaced := tl.place(doc.doc, doc.result, doc.serverErr); misplaced != "" {
					t.Logf("%s: %s", doc, misplaced)
				}
			})
			t.Logf("%d documents (%d rejected by the apiserver); %d verdicts agree; %d left out (admission, cluster state); %d of %d rejections naming a field found at its line",
				tl.total, tl.rejected, tl.agree, tl.skipped, tl.atLine, tl.placed)
			if tl.atLine*100 < tl.placed*95 {
				t.Errorf("only %d of %d rejections naming a field found at its line (want 95%%)", tl.atLine, tl.placed)
			}
			if tl.total < 20 {
				t.Errorf("only %d documents compared", tl.total)
			}
		})
	}
}

// projectDocument is an example of a real project, our verdict on it and the apiserver's
// answer; or, with crdErr, a CRD file of the project the apiserver refused to install.
type projectDocument struct {
	rel       string // below the module
	index     int
	doc       *yamlpos.Document
	result    validate.Result
	serverErr error
	crdErr    error
}

func (d projectDocument) String() string {
	return fmt.Sprintf("%s#%d %s %s", d.rel, d.index, d.result.Kind, d.result.Name)
}

// eachProjectDocument downloads a real project, loads its CRDs into an engine of the
// given Kubernetes version and installs them in c (a CRD file c refuses is passed to fn
// with crdErr), then judges every example document with the engine and with c
// (server-side dry-run create, strict field validation) and passes both verdicts to fn.
func eachProjectDocument(t *testing.T, ctx context.Context, c *testcluster.Cluster, version, module string, crdDirs, exampleDirs []string, fn func(projectDocument)) {
	t.Helper()
	dir := moduleDir(t, module)
	eng, err := engine.New(engine.Options{KubernetesVersion: version, SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	var crdPaths []string
	for _, d := range crdDirs {
		crdPaths = append(crdPaths, filepath.Join(dir, d))
	}
	if err := eng.LoadCRDPaths(crdPaths); err != nil {
		t.Fatal(err)
	}
	crdFiles, err := engine.ExpandPaths(crdPaths, true)
	if err != nil {
		t.Fatal(err)
	}
	var installed []schema.GVK
	for _, name := range crdFiles {
		data, _ := os.ReadFile(name)
		kinds := eng.AddCRDs(yamlpos.Split(name, data))
		if len(kinds) == 0 {
			continue // a kustomization beside the CRDs
		}
		rel, _ := filepath.Rel(dir, name)
		if err := c.Apply(ctx, data); err != nil {
			fn(projectDocument{rel: rel, crdErr: err})
			continue
		}
		installed = append(installed, kinds...)
	}
	if err := waitForCRDs(ctx, c, installed); err != nil {
		t.Fatal(err)
	}
	ours := map[schema.GVK]bool{}
	for _, gvk := range installed {
		ours[gvk] = true
	}
	var examples []string
	for _, d := range exampleDirs {
		examples = append(examples, filepath.Join(dir, d))
	}
	files, err := engine.ExpandPaths(examples, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f := yamlpos.Split(name, data)
		rel, _ := filepath.Rel(dir, name)
		for i, r := range eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0] {
			d := f.Docs[i]
			if r.Status == validate.Skipped || strings.HasSuffix(r.Kind, "List") || !judgedAlike(eng, r, ours) {
				continue
			}
			if r.Namespace != "" {
				_ = c.EnsureNamespace(ctx, r.Namespace)
			}
			obj, err := yamlpos.ToValue(d.Root, validate.DefaultAliasLimit)
			if err != nil {
				continue
			}
			text, err := sigsyaml.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			_, serverErr := c.DryRunCreate(ctx, text)
			fn(projectDocument{rel: rel, index: d.Index, doc: d, result: r, serverErr: serverErr})
		}
	}
}

// judgedAlike reports whether the apiserver judges a document by the schema we judge it
// by: a built-in kind, or a custom resource whose CRD the project installed. A custom
// resource whose CRD only the examples hold (one we read among the inputs) would be judged
// by whatever CRD of that kind the cluster has from an earlier test, or not at all.
func judgedAlike(eng *engine.Engine, r validate.Result, installed map[schema.GVK]bool) bool {
	g, v := schema.ParseAPIVersion(r.APIVersion)
	gvk := schema.GVK{Group: g, Version: v, Kind: r.Kind}
	if t, err := eng.Builtin().Lookup(gvk); err == nil && t != nil {
		return true
	}
	return installed[gvk]
}

// waitForCRDs waits until c serves every kind, several at a time: most of a wait is the
// apiserver's latency in publishing a new kind, not work.
func waitForCRDs(ctx context.Context, c *testcluster.Cluster, kinds []schema.GVK) error {
	const atOnce = 8
	errs := make([]error, len(kinds))
	sem := make(chan struct{}, atOnce)
	var wg sync.WaitGroup
	for i, gvk := range kinds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = c.WaitForCRD(ctx, gvk.Group, gvk.Version, gvk.Kind)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// tally counts our verdicts compared with the apiserver's, and of the rejections whose
// first cause names a field (placed), those where one of our findings is at its line.
type tally struct{ total, agree, rejected, skipped, placed, atLine int }

// place records, for a document both the apiserver and we reject, whether one of our
// findings is at the line of the field the apiserver's first cause names (its nearest
// ancestor in the document when the field is missing), and says where they are when not.
func (tl *tally) place(d *yamlpos.Document, r validate.Result, serverErr error) string {
	var se *apierrors.StatusError
	if serverErr == nil || r.Status != validate.Invalid || !errors.As(serverErr, &se) || se.ErrStatus.Details == nil {
		return ""
	}
	var field string
	for _, c := range se.ErrStatus.Details.Causes {
		if c.Field != "" {
			field = c.Field
			break
		}
	}
	if field == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(field, "spec.validation."); ok && r.Kind == "CustomResourceDefinition" {
		field = "spec.versions[0].schema." + rest // the internal version's path, of a one-version CRD
	}
	node, key, matched := yamlpos.Lookup(d.Root, yamlpos.ParsePath(field))
	if matched == 0 {
		// Nothing of the path is there: the object's kind stands for it.
		_, key, _ = yamlpos.Lookup(d.Root, yamlpos.Path{{Key: "kind"}})
	}
	lines := map[int]bool{}
	for _, n := range []*yaml.Node{node, key} {
		if n != nil {
			lines[d.File.Mapper.OffsetLine(d.Range(n).Start)+1] = true
		}
	}
	tl.placed++
	var ours []string
	for _, f := range r.Findings {
		line := d.File.Mapper.OffsetLine(f.Range.Start) + 1
		if lines[line] {
			tl.atLine++
			return ""
		}
		ours = append(ours, fmt.Sprintf("line %d %s", line, f.Message))
	}
	return fmt.Sprintf("the apiserver names %s (lines %v); we say %q", field, slices.Sorted(maps.Keys(lines)), ours)
}

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
