package explain_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

// diffCase is one `kubectl explain` invocation.
type diffCase struct {
	arg        string
	recursive  bool
	maxDepth   int
	apiVersion string
}

func (c diffCase) args() []string {
	args := []string{"explain", c.arg}
	if c.recursive {
		args = append(args, "--recursive")
	}
	if c.maxDepth > 0 {
		args = append(args, "--max-depth="+strconv.Itoa(c.maxDepth))
	}
	if c.apiVersion != "" {
		args = append(args, "--api-version="+c.apiVersion)
	}
	return args
}

func (c diffCase) String() string { return strings.Join(c.args()[1:], " ") }

var diffCases = []diffCase{
	{arg: "deploy"},
	{arg: "deploy.spec"},
	{arg: "deploy.spec.strategy"},
	{arg: "deploy.spec.strategy.rollingUpdate"},
	{arg: "deployments.apps.spec.template"},
	{arg: "Deployment.metadata.labels"},
	{arg: "pod.spec.containers.ports"},
	{arg: "pods.spec.containers.resources.limits"},
	{arg: "pod.spec.containers.imagePullPolicy"},
	{arg: "pod.spec.tolerations"},
	{arg: "pod.spec.overhead"},
	{arg: "pod.metadata.managedFields.fieldsV1"},
	{arg: "svc.spec.type"},
	{arg: "services.spec.ports.targetPort"},
	{arg: "configmaps"},
	{arg: "cm.data"},
	{arg: "secrets.type"},
	{arg: "ns"},
	{arg: "no.status.conditions"},
	{arg: "pvc.spec.accessModes"},
	{arg: "sts.spec.updateStrategy"},
	{arg: "ds.spec.updateStrategy.rollingUpdate"},
	{arg: "job.spec.template.spec.restartPolicy"},
	{arg: "events"},
	{arg: "ing.spec.rules.http.paths.backend"},
	{arg: "netpol.spec.ingress.ports"},
	{arg: "priorityclasses"},
	{arg: "crd.spec.versions.schema.openAPIV3Schema"},
	{arg: "hpa.spec", apiVersion: "autoscaling/v1"},
	{arg: "cronjob", recursive: true},
	{arg: "pod.spec.affinity", recursive: true},
	{arg: "pod", recursive: true, maxDepth: 2},
	{arg: "crd.spec.versions.schema.openAPIV3Schema", recursive: true},
	{arg: "ingress", recursive: true},
}

// TestKubectlExplainDiff compares our plaintext output with kubectl explain 1.37's
// against a real kube-apiserver 1.37, byte for byte after trimming line ends (kubectl
// indents empty lines; we do not), for two schema sources:
//
//   - served: the OpenAPI v3 documents the apiserver serves, compiled by schema: the
//     renderer must reproduce kubectl exactly;
//   - builtin: the embedded 1.37 documents. They equal the served ones except that they
//     lack the enums and the "Possible enum values" paragraphs of enum fields'
//     descriptions: both come from the built-in enum table, made from k8s.io/api's
//     constants and their doc comments, and must match kubectl's (but for
//     enumsNotInTable).
//
// In both, the enum table deliberately differs from the served enums for two fields (the
// values the apiserver accepts with its default feature gates): see enumTableDiffs.
func TestKubectlExplainDiff(t *testing.T) {
	c := testcluster.Shared(t)
	kubectl := c.Kubectl()
	if kubectl == "" {
		t.Skipf("kubectl %s not built (run %s)", testcluster.KubernetesVersion, testcluster.BuildCommand)
	}
	builtin, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	served, err := newServedSource(c.Config(), builtin)
	if err != nil {
		t.Fatal(err)
	}
	sources := []struct {
		name string
		src  schema.Source
		norm func(string) string
	}{
		{"served", served, func(s string) string { return replaceEnumTableDiffs(trimLines(s)) }},
		{"builtin", builtin, func(s string) string {
			return dropLines(replaceEnumTableDiffs(cutEnumParagraphs(trimLines(s), enumParagraphsNotInTable...)), enumsNotInTable)
		}},
	}

	// Warm kubectl's discovery cache once, so the parallel runs below do not all fill it.
	if _, _, err := runKubectl(kubectl, c.Kubeconfig(), "api-resources"); err != nil {
		t.Fatalf("kubectl api-resources: %v", err)
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, tc := range diffCases {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			sem <- struct{}{}
			stdout, stderr, err := runKubectl(kubectl, c.Kubeconfig(), tc.args()...)
			<-sem
			if err != nil {
				t.Fatalf("kubectl %s: %v\n%s", tc, err, stderr)
			}
			for _, s := range sources {
				ty, path, err := explain.Resolve(s.src, tc.arg, tc.apiVersion)
				if err != nil {
					t.Errorf("%s: Resolve: %v", s.name, err)
					continue
				}
				var got bytes.Buffer
				opts := explain.Options{Recursive: tc.recursive, MaxDepth: tc.maxDepth, ShowEnums: true}
				if err := explain.Render(&got, ty, path, opts); err != nil {
					t.Errorf("%s: Render: %v", s.name, err)
					continue
				}
				if want := s.norm(stdout); got.String() != want {
					t.Errorf("%s: output differs from kubectl explain %s (-kubectl +ours):\n%s", s.name, tc, lineDiff(want, got.String()))
				}
			}
		})
	}
}

// TestKubectlExplainCRD compares the explanation of a custom resource from its CRD
// manifest with kubectl's for the CRD applied to the apiserver. Only paths below spec:
// the apiserver publishes a custom resource's apiVersion, kind and metadata as those of
// every object, with their descriptions, where the manifest has bare types.
func TestKubectlExplainCRD(t *testing.T) {
	c := testcluster.Shared(t)
	kubectl := c.Kubectl()
	if kubectl == "" {
		t.Skipf("kubectl %s not built (run %s)", testcluster.KubernetesVersion, testcluster.BuildCommand)
	}
	manifest, err := os.ReadFile("testdata/crd-widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Apply(ctx, manifest); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForCRD(ctx, "example.com", "v1", "Widget"); err != nil {
		t.Fatal(err)
	}
	src := source(t)
	for _, tc := range []diffCase{
		{arg: "widgets.spec"},
		{arg: "wd.spec.size"},
		{arg: "widget.spec.parts"},
		{arg: "widgets.example.com.spec.port"},
		{arg: "widgets.spec.labels"},
		{arg: "widgets.spec", recursive: true},
	} {
		t.Run(tc.String(), func(t *testing.T) {
			stdout, stderr, err := runKubectl(kubectl, c.Kubeconfig(), tc.args()...)
			if err != nil {
				t.Fatalf("kubectl %s: %v\n%s", tc, err, stderr)
			}
			ty, path, err := explain.Resolve(src, tc.arg, tc.apiVersion)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := explain.Render(&got, ty, path, explain.Options{Recursive: tc.recursive, ShowEnums: true}); err != nil {
				t.Fatal(err)
			}
			if want := trimLines(stdout); got.String() != want {
				t.Errorf("output differs from kubectl explain %s (-kubectl +ours):\n%s", tc, lineDiff(want, got.String()))
			}
		})
	}
}

// TestKubectlExplainErrors checks that our errors say what kubectl's say.
func TestKubectlExplainErrors(t *testing.T) {
	c := testcluster.Shared(t)
	kubectl := c.Kubectl()
	if kubectl == "" {
		t.Skipf("kubectl %s not built (run %s)", testcluster.KubernetesVersion, testcluster.BuildCommand)
	}
	builtin, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []diffCase{
		{arg: "foo"},
		{arg: "deploy.spec.foo"},
		{arg: "pod.metadata.labels.foo"},
		{arg: "svc.spec.type.foo"},
		{arg: "deploy", apiVersion: "apps/v2"},
	} {
		t.Run(tc.String(), func(t *testing.T) {
			_, stderr, kerr := runKubectl(kubectl, c.Kubeconfig(), tc.args()...)
			if kerr == nil {
				t.Fatalf("kubectl %s succeeded", tc)
			}
			ty, path, err := explain.Resolve(builtin, tc.arg, tc.apiVersion)
			if err == nil {
				err = explain.Render(io.Discard, ty, path, explain.Options{})
			}
			if err == nil {
				t.Fatalf("no error; kubectl says %s", stderr)
			}
			if !strings.Contains(stderr, err.Error()) {
				t.Errorf("error %q; kubectl says %q", err, stderr)
			}
		})
	}
}

func runKubectl(kubectl, kubeconfig string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// Keep kubectl's discovery cache out of $HOME.
	cmd.Env = append(os.Environ(), "KUBECACHEDIR="+filepath.Join(filepath.Dir(kubeconfig), "kubecache"))
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// servedSource serves the OpenAPI v3 documents of a running apiserver, compiled. It
// takes the list of kinds from the embedded release of the same version.
type servedSource struct {
	kinds  schema.Source
	client *http.Client
	host   string

	mu   sync.Mutex
	docs map[string]*schema.Document
}

func newServedSource(cfg *rest.Config, kinds schema.Source) (*servedSource, error) {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &servedSource{kinds: kinds, client: client, host: strings.TrimSuffix(cfg.Host, "/"), docs: map[string]*schema.Document{}}, nil
}

func (s *servedSource) Name() string             { return "served" }
func (s *servedSource) Kinds() []schema.KindInfo { return s.kinds.Kinds() }

func (s *servedSource) Lookup(gvk schema.GVK) (*schema.Type, error) {
	info, err := s.kinds.Lookup(gvk)
	if err != nil || info == nil {
		return info, err
	}
	path := "/openapi/v3/apis/" + gvk.Group + "/" + gvk.Version
	if gvk.Group == "" {
		path = "/openapi/v3/api/" + gvk.Version
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.docs[path]
	if !ok {
		resp, err := s.client.Get(s.host + path)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		if doc, err = schema.CompileDocument(data); err != nil {
			return nil, err
		}
		s.docs[path] = doc
	}
	ty := *info
	ty.Schema = doc.Kinds[gvk]
	ty.Source = "served"
	return &ty, nil
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// cutEnumParagraphs removes the "Possible enum values" paragraphs that the apiserver
// appends to the descriptions of enum fields, where the paragraph names one of the values
// given: from the empty line before the heading to the empty line that ends the
// description.
func cutEnumParagraphs(s string, values ...string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "Possible enum values:" {
			end := i + 2
			for end < len(lines) && lines[end] != "" {
				end++
			}
			if slices.ContainsFunc(values, func(v string) bool { return strings.Contains(strings.Join(lines[i:end], "\n"), v) }) {
				i = end - 1 // keep the empty line that ends the description
				continue
			}
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}

// enumTableDiffs are the enum lines where the built-in enum table lists what the
// apiserver accepts with its default feature gates, not every constant of the Go type:
// Toleration.operator (Gt and Lt need an alpha gate) and StatefulSetUpdateStrategy.type
// (the apiserver rejects Recreate).
var enumTableDiffs = map[string]string{
	"enum: Equal, Exists, Gt, Lt":             "enum: Equal, Exists",
	"enum: OnDelete, Recreate, RollingUpdate": "enum: OnDelete, RollingUpdate",
}

// enumsNotInTable are enum lines of kubectl's output that the built-in enum table, made
// from k8s.io/api only, cannot supply: apiextensions' ValidationRule.reason.
var enumsNotInTable = map[string]bool{
	"enum: FieldValueDuplicate, FieldValueForbidden, FieldValueInvalid, FieldValueRequired": true,
}

// enumParagraphsNotInTable: the "Possible enum values" paragraphs of those fields.
var enumParagraphsNotInTable = []string{"FieldValueDuplicate"}

func dropLines(s string, drop map[string]bool) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !drop[strings.TrimLeft(l, " ")] {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func replaceEnumTableDiffs(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		if r, ok := enumTableDiffs[body]; ok {
			lines[i] = l[:len(l)-len(body)] + r
		}
	}
	return strings.Join(lines, "\n")
}

// lineDiff shows the first differing lines with some context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(0, i-3)
	for j := from; j < i; j++ {
		fmt.Fprintf(&b, "  %q\n", w[j])
	}
	for j := i; j < min(len(w), i+8); j++ {
		fmt.Fprintf(&b, "- %q\n", w[j])
	}
	for j := i; j < min(len(g), i+8); j++ {
		fmt.Fprintf(&b, "+ %q\n", g[j])
	}
	fmt.Fprintf(&b, "(line %d; kubectl %d lines, ours %d)", i+1, len(w), len(g))
	return b.String()
}
