package enums_test

// Differential test: every field of the hand-kept enforced set (enforced.go)
// must really be rejected by a kube-apiserver when it holds a value outside
// the enum. For each key the test finds a creatable kind, served by the test
// cluster, whose schema reaches the key's definition, builds a small object
// along that path, and dry-run creates it twice: with a bogus value (the
// apiserver must report the field with that value) and with an allowed value
// (the apiserver must not complain about the field, which shows the object
// reaches the check at all).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

const (
	bogus     = "NotAnEnumValue"
	proofNS   = "enum-proof"
	proofName = "enum-proof"
)

func TestEnforcedEnumsRejectedByAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := c.EnsureNamespace(ctx, proofNS); err != nil {
		t.Fatal(err)
	}

	b, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	kinds := servedKinds(t, c.Config(), b)
	keys := enforcedKeys(t, b)

	// Shortest path from each served kind to every definition it reaches.
	reach := map[schema.GVK]map[string][]step{}
	servedDefs := map[string]bool{}
	for gvk, k := range kinds {
		reach[gvk] = paths(k.schema)
		for def := range k.doc.Definitions {
			servedDefs[def] = true
		}
	}

	var proven, notProvable []string
	for _, key := range keys {
		def, field := splitKey(key)
		gvk, ok := pickKind(key, def, kinds, reach)
		if !ok {
			if servedDefs[def] {
				t.Errorf("%s: the definition is served, yet no creatable kind reaches it: cannot prove the key", key)
			} else {
				notProvable = append(notProvable, key+" (no served group-version defines "+def+")")
			}
			continue
		}
		t.Run(key, func(t *testing.T) {
			if proveKey(t, ctx, c, key, def, field, gvk, kinds[gvk], reach[gvk][def]) {
				proven = append(proven, key)
			}
		})
	}
	t.Logf("proven on kube-apiserver %s: %d of %d enforced keys", testcluster.KubernetesVersion, len(proven), len(keys))
	for _, k := range notProvable {
		t.Logf("not provable here: %s", k)
	}
}

// proveKey sends the bogus and the allowed objects and checks the answers.
func proveKey(t *testing.T, ctx context.Context, c *testcluster.Cluster, key, def, field string, gvk schema.GVK, k kind, path []step) bool {
	e, ok := enums.Lookup(def, field)
	if !ok || !e.Enforced {
		t.Fatalf("enums.Lookup(%q, %q) = %+v, %v: want an enforced enum", def, field, e, ok)
	}
	fieldSchema := k.doc.Definitions[def].Properties[field]
	if fieldSchema == nil {
		t.Fatalf("%s has no property %q", def, field)
	}
	isList := fieldSchema.T().Type == "array"
	send := func(v string) (obj []byte, fieldPath string, causes []metav1.StatusCause, accepted bool) {
		o := skeleton(t, gvk, k.namespaced)
		if tweak := tweaks[key]; tweak != nil {
			tweak(o)
		}
		var value any = v
		if isList {
			value = []any{v}
		}
		fieldPath = place(t, o, k.schema, path, field, value)
		if p, ok := reportedAt[key]; ok {
			fieldPath = p
		}
		obj, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.DryRunCreate(ctx, obj)
		if err == nil {
			return obj, fieldPath, nil, true
		}
		var se *apierrors.StatusError
		if !errors.As(err, &se) {
			t.Fatalf("dry-run create %s: %v", gvk, err)
		}
		if se.ErrStatus.Details != nil {
			causes = se.ErrStatus.Details.Causes
		}
		if len(causes) == 0 { // e.g. an admission plugin's Forbidden
			causes = []metav1.StatusCause{{Message: se.ErrStatus.Message}}
		}
		return obj, fieldPath, causes, false
	}

	// The bogus value: the apiserver must report the field (or, for a few
	// checks, its parent) with the value.
	obj, fieldPath, causes, accepted := send(bogus)
	if accepted {
		t.Errorf("NOT ENFORCED: kube-apiserver accepted %s = %q in %s:\n%s", fieldPath, bogus, gvk, obj)
		return false
	}
	var hit *metav1.StatusCause
	for i, cs := range causes {
		if strings.Contains(cs.Message, `"`+bogus+`"`) && (onField(cs.Field, fieldPath) || isAncestor(cs.Field, fieldPath)) {
			hit = &causes[i]
			break
		}
	}
	if hit == nil {
		t.Errorf("NOT ENFORCED: kube-apiserver did not report %s = %q in %s; causes:\n%s\nobject:\n%s", fieldPath, bogus, gvk, formatCauses(causes), obj)
		return false
	}
	t.Logf("%s via %s: %s: %s", key, gvk, hit.Field, hit.Message)

	// An allowed value: no complaint about the field. Some values need
	// more context (Localhost needs a profile name, ...): one is enough.
	var tried []string
	for _, v := range e.Values {
		_, _, causes, accepted := send(v)
		complaint := ""
		for _, cs := range causes {
			if onField(cs.Field, fieldPath) || (cs.Field == hit.Field && cs.Field != "") {
				complaint = cs.Field + ": " + cs.Message
				break
			}
		}
		if accepted || complaint == "" {
			t.Logf("allowed %q: no complaint about the field (object accepted: %v)", v, accepted)
			return true
		}
		tried = append(tried, fmt.Sprintf("%q: %s", v, complaint))
	}
	t.Errorf("no allowed value of %s passes the apiserver's check (the object does not fit):\n%s", fieldPath, strings.Join(tried, "\n"))
	return false
}

// onField reports whether a cause's field is the enum field or one of its
// items. Indices are ignored: some checks print the list without the index
// (spec.containers[0].volumeMounts.mountPropagation).
func onField(causeField, fieldPath string) bool {
	return causeField != "" && stripIndices(causeField) == stripIndices(fieldPath)
}

// isAncestor reports whether causeField is a proper ancestor of fieldPath.
func isAncestor(causeField, fieldPath string) bool {
	return causeField != "" && strings.HasPrefix(stripIndices(fieldPath), stripIndices(causeField)+".")
}

var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

func stripIndices(path string) string { return indexRE.ReplaceAllString(path, "") }

func formatCauses(causes []metav1.StatusCause) string {
	var sb strings.Builder
	for _, c := range causes {
		fmt.Fprintf(&sb, "  %s: %s (%s)\n", c.Field, c.Message, c.Type)
	}
	return sb.String()
}

func splitKey(key string) (def, field string) {
	i := strings.LastIndex(key, ".")
	return key[:i], key[i+1:]
}

// enforcedKeys reads the keys of the enforced map from enforced.go (the
// package exports no list of them) and checks them against the package API:
// each must be an enforced enum, and every enforced field of every embedded
// 1.37 definition must be among them.
func enforcedKeys(t *testing.T, b *schema.Builtin) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "enforced.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "enforced" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			t.Fatalf("enforced.go: enforced is not a composite literal")
		}
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			bl, ok := kv.Key.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				t.Fatalf("enforced.go:%v: key is not a string literal", fset.Position(kv.Pos()))
			}
			k, err := strconv.Unquote(bl.Value)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		return false
	})
	if len(keys) == 0 {
		t.Fatal("enforced.go: no keys found in var enforced")
	}
	slices.Sort(keys)
	for _, key := range keys {
		def, field := splitKey(key)
		if e, ok := enums.Lookup(def, field); !ok || !e.Enforced {
			t.Errorf("enforced.go key %q: enums.Lookup says found=%v enforced=%v", key, ok, e.Enforced)
		}
	}
	seen := map[string]bool{}
	for _, k := range b.Kinds() {
		if seen[k.GVK.APIVersion()] {
			continue
		}
		seen[k.GVK.APIVersion()] = true
		doc, err := b.Document(k.GVK.Group, k.GVK.Version)
		if err != nil {
			t.Fatal(err)
		}
		for def := range doc.Definitions {
			for field, e := range enums.ForDefinition(def) {
				if e.Enforced {
					if _, found := slices.BinarySearch(keys, def+"."+field); !found {
						t.Errorf("enums.ForDefinition(%q)[%q] is enforced but was not read from enforced.go", def, field)
					}
				}
			}
		}
	}
	return keys
}

// kind is a creatable kind the test cluster serves.
type kind struct {
	namespaced bool
	schema     *schema.Schema
	doc        *schema.Document
}

// servedKinds asks the cluster's discovery for the kinds it can create and
// pairs them with their embedded 1.37 schemas.
func servedKinds(t *testing.T, cfg *rest.Config, b *schema.Builtin) map[schema.GVK]kind {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil && len(lists) == 0 {
		t.Fatalf("discovery: %v", err)
	}
	out := map[schema.GVK]kind{}
	for _, l := range lists {
		gv, err := k8sschema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		var doc *schema.Document
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "create") {
				continue
			}
			if doc == nil {
				if doc, err = b.Document(gv.Group, gv.Version); err != nil {
					t.Logf("served %s has no embedded 1.37 schema: %v", l.GroupVersion, err)
					break
				}
			}
			gvk := schema.GVK{Group: gv.Group, Version: gv.Version, Kind: r.Kind}
			if s := doc.Kinds[gvk]; s != nil {
				out[gvk] = kind{namespaced: r.Namespaced, schema: s, doc: doc}
			}
		}
	}
	return out
}

// step is one edge of a path through a schema: a property, a list item
// ("[]") or a map value ("{}").
type step string

// paths returns, for each definition reachable from root, the shortest path
// to it (breadth first, properties in sorted order). Status and metadata
// are not followed: the apiserver resets the one and validates the other
// by its own rules.
func paths(root *schema.Schema) map[string][]step {
	type item struct {
		s    *schema.Schema
		path []step
	}
	out := map[string][]step{}
	queue := []item{{root, nil}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		s := it.s.T()
		if s == nil {
			continue
		}
		if s.Name != "" {
			if _, seen := out[s.Name]; seen {
				continue
			}
			out[s.Name] = it.path
		}
		if len(it.path) > 24 {
			continue
		}
		next := func(child *schema.Schema, st step) {
			if child != nil {
				queue = append(queue, item{child, append(slices.Clip(it.path), st)})
			}
		}
		for _, name := range s.PropertyNames() {
			if name == "status" || name == "metadata" {
				continue
			}
			next(s.Properties[name], step(name))
		}
		next(s.Items, "[]")
		next(s.AdditionalProperties, "{}")
	}
	return out
}

// kindPreference orders kinds that reach a definition equally well: common
// kinds with a hand-written skeleton first.
var kindPreference = []string{
	"Pod", "PersistentVolumeClaim", "PersistentVolume", "Service", "Endpoints", "Node", "ResourceQuota",
	"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
	"NetworkPolicy", "Ingress", "PodDisruptionBudget", "EndpointSlice", "StorageClass", "PriorityClass",
	"CertificateSigningRequest",
	"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
	"ResourceClaim", "ResourceSlice",
}

// kindOverride pins the kind for keys where the preferred one does not reach
// the check (admission in the way, ...).
var kindOverride = map[string]string{
	// The Priority admission plugin rejects a Pod's preemptionPolicy that
	// differs from its PriorityClass's before validation runs; a pod
	// template is validated by the same code without that plugin.
	"io.k8s.api.core.v1.PodSpec.preemptionPolicy": "Deployment",
	// Shortest through a ResourceSlice; a Pod's node affinity is the
	// common case (same core check).
	"io.k8s.api.core.v1.NodeSelectorRequirement.operator": "Pod",
}

func pickKind(key, def string, kinds map[schema.GVK]kind, reach map[schema.GVK]map[string][]step) (schema.GVK, bool) {
	var cands []schema.GVK
	for gvk := range kinds {
		if _, ok := reach[gvk][def]; ok {
			cands = append(cands, gvk)
		}
	}
	if len(cands) == 0 {
		return schema.GVK{}, false
	}
	rank := func(g schema.GVK) []int {
		pinned := 1
		if kindOverride[key] == g.Kind {
			pinned = 0
		}
		skel := 1
		if _, ok := skeletonFor(g); ok {
			skel = 0
		}
		unstable := 0
		if strings.Contains(g.Version, "alpha") || strings.Contains(g.Version, "beta") {
			unstable = 1
		}
		pref := slices.Index(kindPreference, g.Kind)
		if pref < 0 {
			pref = len(kindPreference)
		}
		return []int{pinned, skel, unstable, len(reach[g][def]), pref}
	}
	slices.SortFunc(cands, func(a, b schema.GVK) int {
		if c := slices.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
	return cands[0], true
}

// place walks path from the object's root, reusing what the skeleton holds
// and creating minimal objects where it holds nothing, sets field to value
// at the end, and returns the field's path as the apiserver prints it.
func place(t *testing.T, obj map[string]any, root *schema.Schema, path []step, field string, value any) string {
	t.Helper()
	var cur any = obj
	node := root.T()
	fp := ""
	for _, st := range path {
		switch st {
		case "[]":
			parent, ok := cur.(*listRef)
			if !ok {
				t.Fatalf("place: %s: not a list", fp)
			}
			node = node.Items.T()
			if len(parent.get()) == 0 {
				parent.set([]any{minimal(node, 0)})
			}
			list := parent.get()
			if _, ok := list[0].(map[string]any); !ok && node.Type == "object" {
				list[0] = minimal(node, 0)
			}
			cur = list[0]
			fp += "[0]"
		case "{}":
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("place: %s: not a map", fp)
			}
			node = node.AdditionalProperties.T()
			if len(m) == 0 {
				m["k"] = minimal(node, 0)
			}
			first := slices.Sorted(maps.Keys(m))[0]
			cur = m[first]
			fp += "[" + first + "]"
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("place: %s: not an object", fp)
			}
			name := string(st)
			node = node.Properties[name].T()
			if fp != "" {
				fp += "."
			}
			fp += name
			switch node.Type {
			case "array":
				if _, ok := m[name].([]any); !ok {
					m[name] = []any{}
				}
				cur = &listRef{m, name}
			default:
				if _, ok := m[name].(map[string]any); !ok {
					if node.AdditionalProperties != nil && len(node.Properties) == 0 {
						m[name] = map[string]any{}
					} else {
						m[name] = minimal(node, 0)
					}
				}
				cur = m[name]
			}
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		t.Fatalf("place: %s: not an object", fp)
	}
	m[field] = value
	if fp != "" {
		fp += "."
	}
	return fp + field
}

// listRef is a list held in an object's property, so that it can grow.
type listRef struct {
	m    map[string]any
	name string
}

func (l *listRef) get() []any  { v, _ := l.m[l.name].([]any); return v }
func (l *listRef) set(v []any) { l.m[l.name] = v }

// plausible values for required string fields, by JSON name.
var plausible = map[string]any{
	"name":            "x",
	"image":           "registry.example/image:1",
	"key":             "example.com/key",
	"topologyKey":     "kubernetes.io/hostname",
	"provisioner":     "example.com/provisioner",
	"signerName":      "example.com/signer",
	"deviceClassName": "example-class",
	"driver":          "example.com",
	"path":            "/x",
	"mountPath":       "/mnt",
	"ip":              "10.1.2.3",
	"expression":      "true",
	"diskName":        "disk",
	"diskURI":         "https://example.blob.core.windows.net/vhds/disk.vhd",
	"policyName":      proofName,
	"port":            80,
	"maxSkew":         1,
}

// minimal returns the smallest plausible value for s: an object with its
// required fields filled.
func minimal(s *schema.Schema, depth int) any {
	s = s.T()
	if s == nil || depth > 8 {
		return map[string]any{}
	}
	switch {
	case s.IntOrString:
		return 80
	case s.Type == "integer" || s.Type == "number":
		return 1
	case s.Type == "boolean":
		return false
	case s.Type == "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "x"
	case s.Type == "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{minimal(s.Items, depth+1)}
	}
	out := map[string]any{}
	for _, r := range s.Required {
		p := s.Properties[r]
		if p == nil {
			continue
		}
		pt := p.T()
		if e, ok := enums.Lookup(s.Name, r); ok && s.Name != "" {
			v := e.Values[0]
			if pt.Type == "array" {
				out[r] = []any{v}
			} else {
				out[r] = v
			}
			continue
		}
		if v, ok := plausible[r]; ok && (pt.Type != "object" || pt.IntOrString) {
			if _, isList := v.([]any); isList != (pt.Type == "array") {
				out[r] = minimal(p, depth+1)
				continue
			}
			if _, isNum := v.(int); isNum && pt.Type == "string" {
				out[r] = minimal(p, depth+1)
				continue
			}
			out[r] = v
			continue
		}
		out[r] = minimal(p, depth+1)
	}
	return out
}

// skeleton returns a fresh minimal valid-looking object of gvk.
func skeleton(t *testing.T, gvk schema.GVK, namespaced bool) map[string]any {
	t.Helper()
	var obj map[string]any
	if src, ok := skeletonFor(gvk); ok {
		data, err := utilyaml.ToJSON([]byte(src))
		if err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
	} else {
		obj = map[string]any{}
	}
	if obj == nil {
		obj = map[string]any{}
	}
	obj["apiVersion"] = gvk.APIVersion()
	obj["kind"] = gvk.Kind
	meta := map[string]any{"name": proofName}
	if namespaced {
		meta["namespace"] = proofNS
	}
	obj["metadata"] = meta
	if gvk.Kind == "CertificateSigningRequest" {
		spec, _ := obj["spec"].(map[string]any)
		spec["request"] = csrRequest(t)
	}
	return obj
}

func skeletonFor(gvk schema.GVK) (string, bool) {
	if s, ok := skeletons[gvk.APIVersion()+"/"+gvk.Kind]; ok {
		return s, true
	}
	s, ok := skeletons[gvk.Group+"/"+gvk.Kind]
	return s, ok
}

const podSpec = `
      containers:
      - name: c
        image: registry.example/image:1`

const podTemplate = `
    metadata:
      labels: {app: enum-proof}
    spec:` + podSpec

// skeletons by "group/Kind" or "group/version/Kind" (core group: "/Kind");
// apiVersion, kind and metadata are set by skeleton.
var skeletons = map[string]string{
	"/Pod": `
spec:
  containers:
  - name: c
    image: registry.example/image:1`,
	"/PersistentVolumeClaim": `
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}`,
	"/PersistentVolume": `
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]`,
	"/Service": `
spec:
  selector: {app: enum-proof}
  ports:
  - port: 80`,
	"/Endpoints": `
subsets:
- addresses: [{ip: 10.1.2.3}]
  ports:
  - port: 80`,
	"/Node":          `spec: {}`,
	"/ResourceQuota": `spec: {hard: {pods: "10"}}`,
	"apps/Deployment": `
spec:
  selector: {matchLabels: {app: enum-proof}}
  template:` + podTemplate,
	"apps/StatefulSet": `
spec:
  serviceName: enum-proof
  selector: {matchLabels: {app: enum-proof}}
  template:` + podTemplate,
	"apps/DaemonSet": `
spec:
  selector: {matchLabels: {app: enum-proof}}
  template:` + podTemplate,
	"batch/Job": `
spec:
  template:
    spec:
      restartPolicy: Never` + podSpec,
	"batch/CronJob": `
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: registry.example/image:1`,
	"networking.k8s.io/NetworkPolicy": `spec: {podSelector: {}}`,
	"networking.k8s.io/Ingress": `
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: enum-proof, port: {number: 80}}`,
	"policy/PodDisruptionBudget": `
spec:
  minAvailable: 1
  selector: {matchLabels: {app: enum-proof}}`,
	"discovery.k8s.io/EndpointSlice": `
addressType: IPv4
endpoints:
- addresses: [10.1.2.3]
ports:
- name: http
  port: 80`,
	"storage.k8s.io/StorageClass":     `provisioner: example.com/provisioner`,
	"scheduling.k8s.io/PriorityClass": `value: 1000`,
	"certificates.k8s.io/CertificateSigningRequest": `
spec:
  signerName: example.com/signer
  usages: [client auth]`,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": `
webhooks:
- name: enum-proof.example.com
  clientConfig: {url: "https://example.com/hook"}
  sideEffects: None
  admissionReviewVersions: [v1]
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [configmaps]`,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration": `
webhooks:
- name: enum-proof.example.com
  clientConfig: {url: "https://example.com/hook"}
  sideEffects: None
  admissionReviewVersions: [v1]
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [configmaps]`,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy": `
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  validations:
  - expression: "true"`,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": `
spec:
  policyName: enum-proof
  validationActions: [Deny]`,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy": `
spec:
  failurePolicy: Fail
  reinvocationPolicy: Never
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration: {expression: "Object{}"}`,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding": `
spec:
  policyName: enum-proof`,
	"resource.k8s.io/ResourceClaim": `
spec:
  devices:
    requests:
    - name: r
      exactly: {deviceClassName: example-class}`,
	"resource.k8s.io/v1beta1/ResourceClaim": `
spec:
  devices:
    requests:
    - name: r
      deviceClassName: example-class`,
	"resource.k8s.io/ResourceSlice": `
spec:
  driver: example.com
  pool: {name: pool, generation: 1, resourceSliceCount: 1}
  allNodes: true
  devices:
  - name: d`,
}

// reportedAt gives the field path the apiserver prints where it is not the
// path of the field in the object.
var reportedAt = map[string]string{
	// ValidateNodeSpecificAnnotations' path, kept by ValidateNode for spec.taints.
	"io.k8s.api.core.v1.Taint.effect": "metadata.taints[0].effect",
}

// tweaks adjust the skeleton for keys whose check needs some context.
var tweaks = map[string]func(obj map[string]any){
	// Any externalTrafficPolicy is invalid on a ClusterIP service.
	"io.k8s.api.core.v1.ServiceSpec.externalTrafficPolicy": func(obj map[string]any) {
		obj["spec"].(map[string]any)["type"] = "NodePort"
	},
	// Scopes other than PriorityClass (and VolumeAttributesClass) accept
	// only Exists, a different check.
	"io.k8s.api.core.v1.ScopedResourceSelectorRequirement.operator": func(obj map[string]any) {
		obj["spec"].(map[string]any)["scopeSelector"] = map[string]any{"matchExpressions": []any{
			map[string]any{"scopeName": "PriorityClass", "values": []any{"high"}},
		}}
	},
	// Without a key, only Exists is valid (a different check).
	"io.k8s.api.core.v1.Toleration.operator": func(obj map[string]any) {
		obj["spec"].(map[string]any)["tolerations"] = []any{map[string]any{"key": "example.com/key"}}
	},
}

// csrRequest returns a fresh PEM certificate request, as the []byte field
// (base64) of a CSR's spec.request.
func csrRequest(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: proofName}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}
