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
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster/probe"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

const (
	bogus     = "NotAnEnumValue"
	proofNS   = "enum-proof"
	proofName = "enum-proof"
)

// objects are the objects the test sends: common kinds have a skeleton.
var objects = &probe.Objects{Name: proofName, Namespace: proofNS, Skeletons: probe.Skeletons(proofName)}

// filler fills the required fields of the objects on the way to a field.
var filler = &probe.Filler{
	Enum: func(def, field string) ([]string, bool) {
		e, ok := enums.Lookup(def, field)
		return e.Values, ok
	},
	Plausible: probe.Plausible(proofName),
}

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
	kinds := probe.ServedKinds(t, c.Config(), b)
	keys := enforcedKeys(t, b)

	// Shortest path from each served kind to every definition it reaches.
	reach := map[schema.GVK]map[string][]probe.Step{}
	servedDefs := map[string]bool{}
	for gvk, k := range kinds {
		reach[gvk] = probe.Paths(k.Schema)
		for def := range k.Doc.Definitions {
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
func proveKey(t *testing.T, ctx context.Context, c *testcluster.Cluster, key, def, field string, gvk schema.GVK, k probe.Kind, path []probe.Step) bool {
	e, ok := enums.Lookup(def, field)
	if !ok || !e.Enforced {
		t.Fatalf("enums.Lookup(%q, %q) = %+v, %v: want an enforced enum", def, field, e, ok)
	}
	fieldSchema := k.Doc.Definitions[def].Properties[field]
	if fieldSchema == nil {
		t.Fatalf("%s has no property %q", def, field)
	}
	isList := fieldSchema.T().Type == "array"
	send := func(v string) (obj []byte, fieldPath string, causes []metav1.StatusCause, accepted bool) {
		o := objects.New(t, gvk, k.Namespaced, true)
		if tweak := tweaks[key]; tweak != nil {
			tweak(o)
		}
		var value any = v
		if isList {
			value = []any{v}
		}
		fieldPath = place(t, o, k.Schema, path, field, value)
		if p, ok := reportedAt[key]; ok {
			fieldPath = p
		}
		obj, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		causes, rejected, err := probe.DryRun(ctx, c, obj)
		if err != nil {
			t.Fatalf("dry-run create %s: %v", gvk, err)
		}
		return obj, fieldPath, causes, !rejected
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
		if strings.Contains(cs.Message, `"`+bogus+`"`) && (probe.OnField(cs.Field, fieldPath) || probe.IsAncestor(cs.Field, fieldPath)) {
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
			if probe.OnField(cs.Field, fieldPath) || (cs.Field == hit.Field && cs.Field != "") {
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

func pickKind(key, def string, kinds map[schema.GVK]probe.Kind, reach map[schema.GVK]map[string][]probe.Step) (schema.GVK, bool) {
	var cands []schema.GVK
	for gvk := range kinds {
		if _, ok := reach[gvk][def]; ok {
			cands = append(cands, gvk)
		}
	}
	if len(cands) == 0 {
		return schema.GVK{}, false
	}
	probe.SortKinds(cands, func(g schema.GVK) []int {
		return objects.Rank(g, kindOverride[key] == g.Kind, reach[g][def])
	})
	return cands[0], true
}

// place walks path from the object's root (see probe.Filler.Reach), sets
// field to value at the end, and returns the field's path as the apiserver
// prints it.
func place(t *testing.T, obj map[string]any, root *schema.Schema, path []probe.Step, field string, value any) string {
	t.Helper()
	m, _, fp, err := filler.Reach(obj, root, path)
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	m[field] = value
	if fp != "" {
		fp += "."
	}
	return fp + field
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
