package kube

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	ourschema "github.com/kubectl-lsp/kubectl-lsp/schema"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

// dryRunClients builds what DryRun takes from a rest.Config, with warnings captured.
func dryRunClients(t *testing.T, cfg *rest.Config) (dynamic.Interface, meta.RESTMapper) {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	CaptureWarnings(cfg)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dyn, restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
}

// parseManifest parses a one-document manifest and converts it to the object DryRun sends.
func parseManifest(t *testing.T, src string) (*yamlpos.Document, *unstructured.Unstructured) {
	t.Helper()
	f := parsedFile("test.yaml", []byte(src))
	if len(f.Docs) != 1 || f.Docs[0].Err != nil || f.Docs[0].Root == nil {
		t.Fatalf("fixture is not one YAML document: %+v", f.Docs)
	}
	v, err := yamlpos.ToValue(f.Docs[0].Root, validate.DefaultAliasLimit)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("fixture is not an object: %T", v)
	}
	return f.Docs[0], &unstructured.Unstructured{Object: m}
}

// want is an expected finding: at the line marked "# @<at>" in the fixture (or, for
// at == "kind", the kind value), on exactly text when text is set, with a message containing
// msg, and field when set. Order: the findings' order on different lines does not matter.
type want struct {
	sev   validate.Severity
	at    string
	text  string
	msg   string
	field string
}

func checkFindings(t *testing.T, doc *yamlpos.Document, got []validate.Finding, wants []want) {
	t.Helper()
	src := doc.File.Src
	m := doc.File.Mapper
	describe := func() string {
		var b strings.Builder
		for _, f := range got {
			line, col := m.OffsetLineChar(f.Range.Start)
			fmt.Fprintf(&b, "\n  %d:%d %s [%s] %q field=%q: %s", line, col, f.Severity, f.Code, src[f.Range.Start:f.Range.End], f.Field, f.Message)
		}
		return b.String()
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d findings, want %d:%s", len(got), len(wants), describe())
	}
	// DryRunFindings sorts by position: so do the wants, by line.
	lines := make([]int, len(wants))
	for i, w := range wants {
		if w.at == "kind" {
			k := strings.Index(string(src), "\nkind: ")
			if strings.HasPrefix(string(src), "kind: ") {
				k = -1
			}
			lines[i] = m.OffsetLine(k + 1)
			continue
		}
		marker := "# @" + w.at
		k := strings.Index(string(src), marker)
		if k < 0 {
			t.Fatalf("no marker %q in the fixture", marker)
		}
		lines[i] = m.OffsetLine(k)
	}
	order := make([]int, len(wants))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(lines[a], lines[b]), cmp.Compare(wants[a].sev, wants[b].sev))
	})
	for i, wi := range order {
		f, w, wantLine := got[i], wants[wi], lines[wi]
		if f.Code != CodeServer || f.Severity != w.sev {
			t.Errorf("finding %d: code %q severity %s, want %q %s:%s", i, f.Code, f.Severity, CodeServer, w.sev, describe())
		}
		if line := m.OffsetLine(f.Range.Start); line != wantLine {
			t.Errorf("finding %d is on line %d, want line %d (%s):%s", i, line+1, wantLine+1, w.at, describe())
		}
		if w.text != "" && string(src[f.Range.Start:f.Range.End]) != w.text {
			t.Errorf("finding %d covers %q, want %q:%s", i, src[f.Range.Start:f.Range.End], w.text, describe())
		}
		if !strings.Contains(f.Message, w.msg) {
			t.Errorf("finding %d message %q does not contain %q", i, f.Message, w.msg)
		}
		if w.field != "" && f.Field != w.field {
			t.Errorf("finding %d field %q, want %q", i, f.Field, w.field)
		}
	}
}

const dryRunNS = "dryrun-test"

// TestDryRun sends manifests to a real kube-apiserver and checks the verdict, and where
// DryRunFindings puts it in the manifest.
func TestDryRun(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, dryRunNS); err != nil {
		t.Fatal(err)
	}
	dyn, mapper := dryRunClients(t, c.Config())

	cases := []struct {
		name      string
		yaml      string
		defaultNS string
		accepted  bool
		reason    metav1.StatusReason
		code      int32
		want      []want
	}{
		{
			name:     "valid deployment",
			accepted: true,
			yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
`,
		},
		{
			name:   "invalid values",
			reason: metav1.StatusReasonInvalid, code: 422,
			yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1 # @replicas
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        imagePullPolicy: Sometimes # @policy
`,
			want: []want{
				{sev: validate.Error, at: "replicas", text: "-1", field: "spec.replicas", msg: "spec.replicas: Invalid value: -1: must be greater than or equal to 0"},
				{sev: validate.Error, at: "policy", text: "Sometimes", field: "spec.template.spec.containers[0].imagePullPolicy", msg: `spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes"`},
			},
		},
		{
			name:   "missing required field: at the deepest existing key",
			reason: metav1.StatusReasonInvalid, code: 422,
			yaml: `apiVersion: v1
kind: Service
metadata:
  name: svc
spec: # @spec
  selector: {app: web}
`,
			want: []want{{sev: validate.Error, at: "spec", text: "spec", field: "spec.ports", msg: "spec.ports: Required value"}},
		},
		{
			name: "unknown field in a list item: strict rejection at the field",
			code: 500,
			yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: sidecar
        image: busybox
      - name: web
        image: nginx
        imagePullPolcy: Always # @unknown
`,
			want: []want{{sev: validate.Error, at: "unknown", text: "imagePullPolcy", field: "spec.template.spec.containers[1].imagePullPolcy",
				msg: `spec.template.spec.containers[name="web"].imagePullPolcy: field not declared in schema`}},
		},
		{
			name: "several structured-merge-diff errors: a dotted map key, a list key the apiserver defaulted",
			code: 500,
			yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/replicas: 3 # @annotation
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
          hostPrt: 8080 # @port
`,
			want: []want{
				{sev: validate.Error, at: "annotation", text: "3", field: "metadata.annotations[example.com/replicas]", msg: "metadata.annotations.example.com/replicas: expected string"},
				{sev: validate.Error, at: "port", text: "hostPrt", field: "spec.template.spec.containers[0].ports[0].hostPrt", msg: `ports[containerPort=80,protocol="TCP"].hostPrt: field not declared in schema`},
			},
		},
		{
			name: "generateName: a dry-run create, strict decoding",
			code: 400, reason: metav1.StatusReasonBadRequest,
			yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  generateName: settings-
  labelz: {a: b} # @labelz
data:
  a: b
`,
			want: []want{{sev: validate.Error, at: "labelz", text: "labelz", field: "metadata.labelz", msg: `unknown field "metadata.labelz"`}},
		},
		{
			name: "namespace given by the object",
			yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ` + dryRunNS + `
`,
			defaultNS: "no-such-namespace",
			accepted:  true,
		},
		{
			name:      "namespace from defaultNamespace",
			yaml:      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
			defaultNS: "no-such-namespace",
			reason:    metav1.StatusReasonNotFound, code: 404,
			want: []want{{sev: validate.Error, at: "kind", text: "ConfigMap", msg: `namespaces "no-such-namespace" not found`}},
		},
		{
			name:      "cluster-scoped kinds ignore defaultNamespace",
			yaml:      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: dryrun-reader\nrules:\n- apiGroups: ['']\n  resources: [pods]\n  verbs: [get]\n",
			defaultNS: "no-such-namespace",
			accepted:  true,
		},
		{
			name:     "deprecation warning at the field it names",
			accepted: true,
			yaml: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          nodeSelector:
            beta.kubernetes.io/arch: amd64 # @selector
          containers:
          - name: job
            image: busybox
`,
			want: []want{{sev: validate.Warning, at: "selector", text: "beta.kubernetes.io/arch: amd64", field: "spec.jobTemplate.spec.template.spec.nodeSelector[beta.kubernetes.io/arch]", msg: "deprecated since v1.14"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, obj := parseManifest(t, tc.yaml)
			ns := tc.defaultNS
			if ns == "" {
				ns = dryRunNS
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			res, err := DryRun(ctx, dyn, mapper, obj, ns)
			if err != nil {
				t.Fatalf("DryRun: %v", err)
			}
			if res.Accepted != tc.accepted || metav1.StatusReason(res.Reason) != tc.reason || res.Code != tc.code {
				t.Fatalf("got accepted=%v reason=%q code=%d (%s), want accepted=%v reason=%q code=%d", res.Accepted, res.Reason, res.Code, res.Message, tc.accepted, tc.reason, tc.code)
			}
			checkFindings(t, doc, DryRunFindings(doc, res), tc.want)
		})
	}
	// Nothing was created.
	_, err := dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(dryRunNS).Get(ctx, "web", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("a dry run created deployment web: %v", err)
	}
}

// TestDryRunExistingObject: against an object that exists (applied by another field
// manager), the dry run is an update: apply semantics, forced, and the apiserver's update
// validation (immutable fields).
func TestDryRunExistingObject(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, dryRunNS); err != nil {
		t.Fatal(err)
	}
	const existing = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: existing
  namespace: ` + dryRunNS + `
spec:
  replicas: 1
  selector:
    matchLabels: {app: existing}
  template:
    metadata:
      labels: {app: existing}
    spec:
      containers:
      - name: web
        image: nginx
`
	if err := c.Apply(ctx, []byte(existing)); err != nil {
		t.Fatal(err)
	}
	dyn, mapper := dryRunClients(t, c.Config())

	// A change to fields another manager owns: accepted (force), and not persisted.
	doc, obj := parseManifest(t, strings.Replace(existing, "replicas: 1", "replicas: 3", 1))
	res, err := DryRun(ctx, dyn, mapper, obj, "default")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted {
		t.Fatalf("changing replicas of an existing deployment was rejected: %s", res.Message)
	}
	if fs := DryRunFindings(doc, res); len(fs) != 0 {
		t.Errorf("findings for an accepted object: %+v", fs)
	}
	live, err := dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(dryRunNS).Get(ctx, "existing", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _ := unstructured.NestedInt64(live.Object, "spec", "replicas"); r != 1 {
		t.Errorf("the dry run changed the live object: replicas %d", r)
	}
	for _, mf := range live.GetManagedFields() {
		if mf.Manager == FieldManager {
			t.Errorf("the dry run left a managedFields entry for %q", FieldManager)
		}
	}

	// An immutable field: rejected as an update.
	src := strings.Replace(existing, "  selector:\n    matchLabels: {app: existing}", "  selector: # @selector\n    matchLabels: {app: other}", 1)
	src = strings.Replace(src, "labels: {app: existing}", "labels: {app: other}", 1)
	doc, obj = parseManifest(t, src)
	res, err = DryRun(ctx, dyn, mapper, obj, "default")
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted || res.Reason != string(metav1.StatusReasonInvalid) {
		t.Fatalf("changing the selector: accepted=%v reason=%q %s", res.Accepted, res.Reason, res.Message)
	}
	checkFindings(t, doc, DryRunFindings(doc, res), []want{{sev: validate.Error, at: "selector", text: "selector", field: "spec.selector", msg: "field is immutable"}})
}

// TestDryRunAdmissionPolicy: a ValidatingAdmissionPolicy's denial is a rejection (at the
// kind: a VAP validation has no fieldPath, and its cause names no field), and a Warn
// binding's message is a warning.
func TestDryRunAdmissionPolicy(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	const ns = "dryrun-vap"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	// Bound to the test's namespace only, so that no other test sees the policies.
	policies := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: dryrun-max-replicas
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.replicas <= 5"
    messageExpression: "'replicas must be at most 5, not ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: dryrun-max-replicas
spec:
  policyName: dryrun-max-replicas
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: ` + ns + `}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: dryrun-named-image
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.template.spec.containers.all(c, c.image.contains(':'))"
    message: images should have a tag
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: dryrun-named-image
spec:
  policyName: dryrun-named-image
  validationActions: [Warn]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: ` + ns + `}
`
	if err := c.Apply(ctx, []byte(policies)); err != nil {
		t.Fatal(err)
	}
	dyn, mapper := dryRunClients(t, c.Config())
	t.Cleanup(func() {
		for _, r := range []string{"validatingadmissionpolicybindings", "validatingadmissionpolicies"} {
			for _, name := range []string{"dryrun-max-replicas", "dryrun-named-image"} {
				gvr := schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: r}
				if err := dyn.Resource(gvr).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
					t.Errorf("cleanup: %v", err)
				}
			}
		}
	})

	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 9
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
`
	doc, obj := parseManifest(t, deployment)
	// Policies take effect a moment after they are created: poll until both act.
	var res *DryRunResult
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		res, err = DryRun(ctx, dyn, mapper, obj, ns)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Accepted && len(res.Warnings) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the policies did not take effect within 30s: accepted=%v message=%q warnings=%q", res.Accepted, res.Message, res.Warnings)
		}
		time.Sleep(200 * time.Millisecond)
	}
	const denial = "ValidatingAdmissionPolicy 'dryrun-max-replicas' with binding 'dryrun-max-replicas' denied request: replicas must be at most 5, not 9"
	if res.Reason != string(metav1.StatusReasonInvalid) || res.Code != 422 || !strings.Contains(res.Message, denial) {
		t.Errorf("denial: reason=%q code=%d message=%q", res.Reason, res.Code, res.Message)
	}
	checkFindings(t, doc, DryRunFindings(doc, res), []want{
		{sev: validate.Error, at: "kind", text: "Deployment", msg: denial},
		{sev: validate.Warning, at: "kind", text: "Deployment", msg: "Validation failed for ValidatingAdmissionPolicy 'dryrun-named-image' with binding 'dryrun-named-image': images should have a tag"},
	})

	// The same object elsewhere: no policy applies.
	res, err := DryRun(ctx, dyn, mapper, obj, dryRunNS)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted || len(res.Warnings) != 0 {
		t.Errorf("outside the policies' namespace: accepted=%v %s %q", res.Accepted, res.Message, res.Warnings)
	}
}

// TestDryRunCRDValidationRule: a CRD's x-kubernetes-validations rule with a fieldPath is
// reported at that field, a rule without one at the object it is on; an unknown field in
// an associative list item of a custom resource is found through its key.
func TestDryRunCRDValidationRule(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, dryRunNS); err != nil {
		t.Fatal(err)
	}
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: dryrunwidgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: dryrunwidgets, singular: dryrunwidget, kind: DryRunWidget, listKind: DryRunWidgetList}
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
            - rule: "self.min <= self.max"
              fieldPath: .min
              message: min must not exceed max
            - rule: "!has(self.size) || self.size != 'huge'"
              message: no huge widgets
            properties:
              min: {type: integer}
              max: {type: integer}
              size: {type: string}
              parts:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    count: {type: integer}
`
	if err := c.Apply(ctx, []byte(crd)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForCRD(ctx, "example.com", "v1", "DryRunWidget"); err != nil {
		t.Fatal(err)
	}
	dyn, mapper := dryRunClients(t, c.Config()) // after the CRD: a fresh discovery cache

	doc, obj := parseManifest(t, `apiVersion: example.com/v1
kind: DryRunWidget
metadata:
  name: w
spec: # @spec
  min: 5 # @min
  max: 3
  size: huge
`)
	res, err := DryRun(ctx, dyn, mapper, obj, dryRunNS)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, doc, DryRunFindings(doc, res), []want{
		{sev: validate.Error, at: "min", text: "5", field: "spec.min", msg: "spec.min: Invalid value: min must not exceed max"},
		{sev: validate.Error, at: "spec", text: "spec", field: "spec", msg: "spec: Invalid value: no huge widgets"},
	})

	doc, obj = parseManifest(t, `apiVersion: example.com/v1
kind: DryRunWidget
metadata:
  name: w
spec:
  min: 1
  max: 3
  parts:
  - name: a
    count: 1
  - count: 2
    name: b
    colour: red # @colour
`)
	res, err = DryRun(ctx, dyn, mapper, obj, dryRunNS)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, doc, DryRunFindings(doc, res), []want{
		{sev: validate.Error, at: "colour", text: "colour", field: "spec.parts[1].colour", msg: `spec.parts[name="b"].colour: field not declared in schema`},
	})
}

// TestDryRunForbidden: a user without the rights gets a verdict, not an error.
func TestDryRunForbidden(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	dyn, mapper := dryRunClients(t, c.ConfigFor(testcluster.LimitedUser))
	doc, obj := parseManifest(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n")
	res, err := DryRun(ctx, dyn, mapper, obj, "default")
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted || res.Reason != string(metav1.StatusReasonForbidden) || res.Code != 403 {
		t.Fatalf("got accepted=%v reason=%q code=%d", res.Accepted, res.Reason, res.Code)
	}
	checkFindings(t, doc, DryRunFindings(doc, res), []want{{sev: validate.Error, at: "kind", text: "ConfigMap",
		msg: `configmaps "settings" is forbidden: User "limited" cannot patch resource "configmaps" in API group "" in the namespace "default"`}})
}

// TestDryRunErrors: problems with the cluster or the request are errors, not verdicts.
func TestDryRunErrors(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	dyn, mapper := dryRunClients(t, c.Config())
	_, cm := parseManifest(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n")

	t.Run("kind not served", func(t *testing.T) {
		_, obj := parseManifest(t, "apiVersion: example.com/v9\nkind: Gadget\nmetadata:\n  name: g\n")
		res, err := DryRun(ctx, dyn, mapper, obj, "default")
		if err == nil || !meta.IsNoMatchError(err) || !strings.Contains(err.Error(), `the cluster does not serve kind "Gadget" in apiVersion "example.com/v9"`) {
			t.Fatalf("got %+v, %v", res, err)
		}
	})
	t.Run("no kind", func(t *testing.T) {
		_, obj := parseManifest(t, "apiVersion: v1\nmetadata:\n  name: x\n")
		if _, err := DryRun(ctx, dyn, mapper, obj, "default"); err == nil {
			t.Fatal("no error")
		}
		if _, err := DryRun(ctx, dyn, mapper, nil, "default"); err == nil {
			t.Fatal("no error for a nil object")
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
		defer cancel()
		<-ctx.Done()
		res, err := DryRun(ctx, dyn, mapper, cm, "default")
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %+v, %v", res, err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		cfg := c.Config()
		cfg.Host = "https://127.0.0.1:1"
		cfg.Timeout = 5 * time.Second
		dyn, _ := dryRunClients(t, cfg)
		res, err := DryRun(ctx, dyn, mapper, cm, "default") // the working mapper: the request itself fails
		if err == nil {
			t.Fatalf("got %+v", res)
		}
		var status apierrors.APIStatus
		if errors.As(err, &status) {
			t.Errorf("a network error became a Status: %v", err)
		}
	})
	t.Run("unauthorized", func(t *testing.T) {
		cfg := c.Config()
		cfg.BearerToken = "not-a-token"
		dyn, _ := dryRunClients(t, cfg)
		res, err := DryRun(ctx, dyn, mapper, cm, "default")
		if err == nil || !apierrors.IsUnauthorized(err) {
			t.Fatalf("got %+v, %v", res, err)
		}
	})
}

// TestDryRunWarningsGoElsewhereOutsideDryRun: CaptureWarnings keeps the handler a config had
// for requests other than DryRun's.
func TestDryRunWarningsGoElsewhereOutsideDryRun(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, dryRunNS); err != nil {
		t.Fatal(err)
	}
	var seen recorder
	cfg := c.Config()
	cfg.WarningHandler = &seen
	CaptureWarnings(cfg)
	CaptureWarnings(cfg) // twice is once
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, obj := parseManifest(t, `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  nodeSelector: {beta.kubernetes.io/os: linux}
  containers:
  - name: c
    image: busybox
`)
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	if _, err := dyn.Resource(gvr).Namespace(dryRunNS).Create(ctx, obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || !strings.Contains(seen[0], "deprecated") {
		t.Fatalf("the config's own handler got %q", seen)
	}
	_, mapper := dryRunClients(t, c.Config())
	res, err := DryRun(ctx, dyn, mapper, obj, dryRunNS)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted || len(res.Warnings) != 1 || len(seen) != 1 {
		t.Fatalf("DryRun's warnings: %+v; the handler's: %q", res, seen)
	}
}

type recorder []string

func (r *recorder) HandleWarningHeader(_ int, _ string, text string) { *r = append(*r, text) }

// TestDryRunFindings maps hand-built verdicts, covering the forms the apiserver uses.
func TestDryRunFindings(t *testing.T) {
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web # @label
spec: # @spec
  replicas: 3 # @replicas
  template:
    spec:
      containers: # @containers
      - name: sidecar # @sidecar
        image: busybox
      - name: web
        image: "" # @image
        ports:
        - containerPort: 80
          protocol: UDP
          bogus: 1 # @bogus
      finalizers: [a, b] # @finalizers
`
	cases := []struct {
		name string
		yaml string
		res  DryRunResult
		want []want
	}{
		{
			name: "accepted",
			res:  DryRunResult{Accepted: true},
		},
		{
			name: "causes: a scalar, a message already prefixed, a path beyond the document, a list item, no field",
			res: DryRunResult{Message: "Deployment.apps \"web\" is invalid: [...]", Reason: "Invalid", Code: 422, Causes: []DryRunCause{
				{Type: "FieldValueInvalid", Field: "spec.replicas", Message: "Invalid value: 3: too many"},
				{Type: "FieldValueRequired", Field: "spec.template.spec.containers[1].image", Message: "spec.template.spec.containers[1].image: Required value"},
				{Type: "FieldValueRequired", Field: "spec.selector", Message: "Required value"},
				{Type: "FieldValueRequired", Field: "spec.template.spec.containers[0].resources", Message: "Required value"},
				{Type: "", Field: "", Message: "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: no"},
				{Type: "FieldValueInvalid", Field: "metadata.labels[app.kubernetes.io/name]", Message: "Invalid value"},
				{Type: "FieldValueInvalid", Field: "status.replicas", Message: "Invalid value"},
			}},
			want: []want{
				{sev: validate.Error, at: "replicas", text: "3", field: "spec.replicas", msg: "spec.replicas: Invalid value: 3: too many"},
				{sev: validate.Error, at: "image", text: `""`, field: "spec.template.spec.containers[1].image", msg: "spec.template.spec.containers[1].image: Required value"},
				{sev: validate.Error, at: "spec", text: "spec", field: "spec.selector", msg: "spec.selector: Required value"},
				{sev: validate.Error, at: "sidecar", text: "name", field: "spec.template.spec.containers[0].resources", msg: "spec.template.spec.containers[0].resources: Required value"},
				{sev: validate.Error, at: "kind", text: "Deployment", msg: "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: no"},
				{sev: validate.Error, at: "label", text: "app.kubernetes.io/name: web", field: "metadata.labels[app.kubernetes.io/name]", msg: "metadata.labels[app.kubernetes.io/name]: Invalid value"},
				{sev: validate.Error, at: "kind", text: "Deployment", field: "status.replicas", msg: "status.replicas: Invalid value"},
			},
		},
		{
			name: "no causes",
			res:  DryRunResult{Message: `configmaps "x" is forbidden: User "u" cannot patch resource "configmaps"`, Reason: "Forbidden", Code: 403},
			want: []want{{sev: validate.Error, at: "kind", text: "Deployment", msg: `configmaps "x" is forbidden`}},
		},
		{
			name: "no message",
			res:  DryRunResult{Reason: "Conflict", Code: 409},
			want: []want{{sev: validate.Error, at: "kind", text: "Deployment", msg: "409 Conflict"}},
		},
		{
			name: "structured-merge-diff errors",
			res: DryRunResult{Code: 500, Message: "failed to create typed patch object (/web; apps/v1, Kind=Deployment): errors:\n" +
				`  .spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="UDP"].bogus: field not declared in schema` + "\n" +
				`  .spec.template.spec.finalizers[="b"]: expected something` + "\n" +
				`  .metadata.labels.app.kubernetes.io/name: expected string, got &value.valueUnstructured{Value:1}` + "\n" +
				`  .spec.template.spec.containers: duplicate entries for key [name="web"]`},
			want: []want{
				{sev: validate.Error, at: "bogus", text: "bogus", field: "spec.template.spec.containers[1].ports[0].bogus", msg: `spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="UDP"].bogus: field not declared in schema`},
				{sev: validate.Error, at: "finalizers", text: "b", field: "spec.template.spec.finalizers[1]", msg: `spec.template.spec.finalizers[="b"]: expected something`},
				{sev: validate.Error, at: "label", text: "web", field: "metadata.labels[app.kubernetes.io/name]", msg: "metadata.labels.app.kubernetes.io/name: expected string"},
				{sev: validate.Error, at: "containers", field: "spec.template.spec.containers", text: "containers", msg: `spec.template.spec.containers: duplicate entries for key [name="web"]`},
			},
		},
		{
			name: "a structured-merge-diff path partly in the document",
			res:  DryRunResult{Code: 500, Message: `failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="db"].image: field not declared in schema`},
			want: []want{{sev: validate.Error, at: "containers", text: "containers", field: `spec.template.spec.containers[name="db"].image`, msg: `spec.template.spec.containers[name="db"].image: field not declared`}},
		},
		{
			name: "a message that only looks like a structured-merge-diff error",
			res:  DryRunResult{Code: 500, Message: `Internal error occurred: failed calling webhook "x": .nothing: here`},
			want: []want{{sev: validate.Error, at: "kind", text: "Deployment", msg: `Internal error occurred: failed calling webhook "x": .nothing: here`}},
		},
		{
			name: "strict decoding",
			res:  DryRunResult{Code: 400, Reason: "BadRequest", Message: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[1].ports[0].bogus", unknown field "spec.nope"`},
			want: []want{
				{sev: validate.Error, at: "bogus", text: "bogus", field: "spec.template.spec.containers[1].ports[0].bogus", msg: `unknown field "spec.template.spec.containers[1].ports[0].bogus"`},
				{sev: validate.Error, at: "spec", text: "spec", field: "spec.nope", msg: `unknown field "spec.nope"`},
			},
		},
		{
			name: "warnings",
			res: DryRunResult{Accepted: true, Warnings: []string{
				"metadata.labels[app.kubernetes.io/name]: deprecated",
				"spec.replicas: high",
				"spec.nothing: not here",
				"Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': careful",
			}},
			want: []want{
				{sev: validate.Warning, at: "label", text: "app.kubernetes.io/name: web", field: "metadata.labels[app.kubernetes.io/name]", msg: "deprecated"},
				{sev: validate.Warning, at: "replicas", text: "3", field: "spec.replicas", msg: "spec.replicas: high"},
				{sev: validate.Warning, at: "kind", text: "Deployment", msg: "spec.nothing: not here"},
				{sev: validate.Warning, at: "kind", text: "Deployment", msg: "careful"},
			},
		},
		{
			name: "a rejection and a warning",
			yaml: "apiVersion: v1 # @first\nmetadata:\n  name: x\n",
			res:  DryRunResult{Message: "no kind", Code: 400, Warnings: []string{"hm"}},
			want: []want{
				{sev: validate.Error, at: "first", text: "apiVersion", msg: "no kind"},
				{sev: validate.Warning, at: "first", text: "apiVersion", msg: "hm"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.yaml
			if src == "" {
				src = deployment
			}
			doc := parsedFile("test.yaml", []byte(src)).Docs[0]
			checkFindings(t, doc, DryRunFindings(doc, &tc.res), tc.want)
		})
	}
	if fs := DryRunFindings(nil, &DryRunResult{}); fs != nil {
		t.Errorf("a nil document: %v", fs)
	}
	empty := parsedFile("test.yaml", []byte("# nothing\n")).Docs[0]
	if fs := DryRunFindings(empty, &DryRunResult{Message: "x"}); len(fs) != 1 || fs[0].Range.Start != empty.Start {
		t.Errorf("an empty document: %+v", fs)
	}
}

// TestStaticAndServerFindingsOnce: static validation runs the apiserver's own create
// path, so a server-side dry-run finds the same errors, in the same words: merged, each
// is reported once, and the dry-run adds nothing static validation missed.
func TestStaticAndServerFindingsOnce(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, dryRunNS); err != nil {
		t.Fatal(err)
	}
	dyn, mapper := dryRunClients(t, c.Config())
	b, err := ourschema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	v := &validate.Validator{Source: b}
	for name, src := range map[string]string{
		"labels and selector": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {\"-bad\": x, ok: \"-bad-value-\"}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports: [{containerPort: 0}]\n",
		"no image":            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    imagePullPolicy: Sometimes\n",
		"rbac subject":        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: sa}]\n",
	} {
		doc, obj := parseManifest(t, src)
		static := v.Validate(ctx, doc).Findings
		res, err := DryRun(ctx, dyn, mapper, obj, dryRunNS)
		if err != nil {
			t.Fatal(err)
		}
		merged := MergeServerFindings(static, DryRunFindings(doc, res))
		var msgs []string
		seen := map[string]bool{}
		for _, f := range merged {
			if f.Severity != validate.Error {
				continue
			}
			if seen[f.Message] {
				t.Errorf("%s: %q twice", name, f.Message)
			}
			seen[f.Message] = true
			msgs = append(msgs, f.Code+": "+f.Message)
		}
		if len(static) == 0 || len(msgs) != len(static) {
			t.Errorf("%s: static %d findings, merged with the dry-run %d:\n%s", name, len(static), len(msgs), strings.Join(msgs, "\n"))
		}
	}
}

// parsedFile splits src and parses every document.
func parsedFile(name string, src []byte) *yamlpos.File {
	f := yamlpos.Split(name, src)
	for _, d := range f.Docs {
		d.ParseDoc()
	}
	return f
}
