// Package probe helps tests prove facts about schemas against the test
// cluster's kube-apiserver: it finds the creatable kinds the cluster serves,
// the paths by which their schemas reach a definition, builds small objects
// along such a path, dry-run creates them and classifies the answers.
package probe

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Kind is a creatable kind the test cluster serves.
type Kind struct {
	Namespaced bool
	CreateOnly bool // create is the only verb
	Schema     *schema.Schema
	Doc        *schema.Document
}

// ServedKinds asks the cluster's discovery for the kinds it can create and
// pairs them with their embedded schemas from b.
func ServedKinds(t testing.TB, cfg *rest.Config, b *schema.Builtin) map[schema.GVK]Kind {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil && len(lists) == 0 {
		t.Fatalf("discovery: %v", err)
	}
	out := map[schema.GVK]Kind{}
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
					t.Logf("served %s has no embedded %s schema: %v", l.GroupVersion, b.Version(), err)
					break
				}
			}
			gvk := schema.GVK{Group: gv.Group, Version: gv.Version, Kind: r.Kind}
			if s := doc.Kinds[gvk]; s != nil {
				out[gvk] = Kind{Namespaced: r.Namespaced, CreateOnly: len(r.Verbs) == 1, Schema: s, Doc: doc}
			}
		}
	}
	return out
}

// Step is one edge of a path through a schema: a property, a list item
// ("[]") or a map value ("{}").
type Step string

// Paths returns, for each definition reachable from root, the shortest path
// to it (breadth first, properties in sorted order). Status and metadata
// are not followed: the apiserver resets the one and validates the other
// by its own rules.
func Paths(root *schema.Schema) map[string][]Step {
	type item struct {
		s    *schema.Schema
		path []Step
	}
	out := map[string][]Step{}
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
		next := func(child *schema.Schema, st Step) {
			if child != nil {
				queue = append(queue, item{child, append(slices.Clip(it.path), st)})
			}
		}
		for _, name := range s.PropertyNames() {
			if name == "status" || name == "metadata" {
				continue
			}
			next(s.Properties[name], Step(name))
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

// Rank orders the kinds that reach a definition by path, best first (see
// SortKinds): a pinned kind, then kinds with a skeleton in o, stable
// versions, shorter paths, common kinds.
func (o *Objects) Rank(g schema.GVK, pinned bool, path []Step) []int {
	pin := 1
	if pinned {
		pin = 0
	}
	skel := 1
	if _, ok := o.SkeletonFor(g); ok {
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
	return []int{pin, skel, unstable, len(path), pref}
}

// SortKinds sorts kinds by rank, then by name.
func SortKinds(kinds []schema.GVK, rank func(schema.GVK) []int) {
	slices.SortFunc(kinds, func(a, b schema.GVK) int {
		if c := slices.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
}

// DryRun dry-run creates obj. rejected says the apiserver refused it, with
// causes: the status's causes, or a single cause holding its message and
// reason (an admission plugin's Forbidden, not found, ...). err is an
// answer that is no status at all.
func DryRun(ctx context.Context, c *testcluster.Cluster, obj []byte) (causes []metav1.StatusCause, rejected bool, err error) {
	_, err = c.DryRunCreate(ctx, obj)
	if err == nil {
		return nil, false, nil
	}
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return nil, true, err
	}
	if se.ErrStatus.Details != nil {
		causes = se.ErrStatus.Details.Causes
	}
	if len(causes) == 0 {
		causes = []metav1.StatusCause{{Message: se.ErrStatus.Message, Type: metav1.CauseType(se.ErrStatus.Reason)}}
	}
	return causes, true, nil
}

// OnField reports whether a cause's field is the field at fieldPath or one
// of its items. Indices are ignored: some checks print the list without the
// index (spec.containers[0].volumeMounts.mountPropagation).
func OnField(causeField, fieldPath string) bool {
	return causeField != "" && StripIndices(causeField) == StripIndices(fieldPath)
}

// IsAncestor reports whether causeField is a proper ancestor of fieldPath.
func IsAncestor(causeField, fieldPath string) bool {
	return causeField != "" && strings.HasPrefix(StripIndices(fieldPath), StripIndices(causeField)+".")
}

var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

// StripIndices removes list indices and map keys from a field path.
func StripIndices(path string) string { return indexRE.ReplaceAllString(path, "") }
