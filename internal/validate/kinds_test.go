package validate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// discoverySource stands for a live cluster's discovery: the embedded 1.37 kinds, plus
// kinds it declares itself (with the schema of another kind), served by "cluster" and
// not by CRD manifests. It counts the calls to Kinds.
type discoverySource struct {
	builtin *schema.Builtin
	extra   map[schema.GVK]schema.KindInfo
	like    schema.GVK // whose schema the extra kinds have
	calls   int
}

func (s *discoverySource) Name() string { return "cluster" }

func (s *discoverySource) Lookup(gvk schema.GVK) (*schema.Type, error) {
	k, ok := s.extra[gvk]
	if !ok {
		return s.builtin.Lookup(gvk)
	}
	t, err := s.builtin.Lookup(s.like)
	if err != nil || t == nil {
		return t, err
	}
	c := *t
	c.GVK, c.Namespaced, c.Resource, c.ShortNames, c.Source = gvk, k.Namespaced, k.Resource, k.ShortNames, "cluster"
	return &c, nil
}

func (s *discoverySource) Kinds() []schema.KindInfo {
	s.calls++
	out := s.builtin.Kinds()
	for _, k := range s.extra {
		out = append(out, k)
	}
	return out
}

func newDiscoverySource(t *testing.T) *discoverySource {
	t.Helper()
	b, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	s := &discoverySource{builtin: b, like: schema.GVK{Group: "", Version: "v1", Kind: "ConfigMap"}, extra: map[schema.GVK]schema.KindInfo{}}
	for _, k := range []schema.KindInfo{
		{GVK: schema.GVK{Group: "example.io", Version: "v1", Kind: "Gadget"}, Resource: "gadgets", Namespaced: false},
		{GVK: schema.GVK{Group: "example.io", Version: "v1", Kind: "Gidget"}, Resource: "gidgets", Namespaced: true},
		{GVK: schema.GVK{Group: "example.io", Version: "v1", Kind: "Doohickey"}, Resource: "doohickeys", Namespaced: true, ShortNames: []string{"dh"}},
	} {
		k.Source = "cluster"
		s.extra[k.GVK] = k
	}
	return s
}

func validateOne(t *testing.T, src schema.Source, text string) validate.Result {
	t.Helper()
	f := yamlpos.Split("test.yaml", []byte(text))
	if len(f.Docs) != 1 {
		t.Fatalf("want one document, got %d", len(f.Docs))
	}
	d := f.Docs[0]
	d.ParseDoc()
	v := &validate.Validator{Source: src, KubernetesMinor: 37}
	return v.Validate(context.Background(), d)
}

// The scope of a kind is the source's word: a kind the source serves cluster-scoped gets
// the namespace-scope warning, whatever its name.
func TestNamespaceScopeComesFromTheSource(t *testing.T) {
	tests := []struct {
		name, doc string
		want      string // the namespace-scope message, or "" for none
	}{
		{"cluster-scoped builtin", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: a, namespace: foo}\n",
			`metadata.namespace: ClusterRole is cluster-scoped: the namespace "foo" is ignored`},
		{"cluster-scoped by discovery", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: a, namespace: foo}\n",
			`metadata.namespace: Gadget is cluster-scoped: the namespace "foo" is ignored`},
		{"namespaced by discovery", "apiVersion: example.io/v1\nkind: Gidget\nmetadata: {name: a, namespace: foo}\n", ""},
		{"empty namespace", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: a, namespace: ''}\n", ""},
		{"list item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: node-a, namespace: Bad_NS}\n",
			`items[0].metadata.namespace: Node is cluster-scoped: the namespace "Bad_NS" is ignored`},
	}
	src := newDiscoverySource(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validateOne(t, src, tt.doc)
			var got []string
			for _, fd := range r.Findings {
				if fd.Code == validate.CodeNamespaceScope {
					if fd.Severity != validate.Warning {
						t.Errorf("%s is an %s, want a warning", fd.Message, fd.Severity)
					}
					got = append(got, fd.Message)
				} else if fd.Severity == validate.Error {
					t.Errorf("unexpected error: %s: %s", fd.Code, fd.Message)
				}
			}
			if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || got[0] != tt.want) {
				t.Errorf("namespace-scope findings %q, want %q", got, tt.want)
			}
			if r.Status != validate.Valid {
				t.Errorf("status %s, want valid", r.Status)
			}
		})
	}
}

func TestUnknownKindSuggestions(t *testing.T) {
	tests := []struct {
		apiVersion, kind string
		sev              validate.Severity
		code             string
		want             string // the message's suffix after `no matches for kind "K" in version "V"`
	}{
		{"apps/v1", "Deploymnet", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment"?)`},
		{"apps/v1", "DEPLOYMENT", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment"?)`},
		{"apps/v1", "deployments", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment"?)`},
		{"apps/v1", "deploy", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment"?)`},
		// Another version of the same group, then another group.
		{"apps/v2", "Deploymnet", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment" in version "apps/v1"?)`},
		{"v1", "Deploymnet", validate.Error, validate.CodeUnknownKind, ` (did you mean "Deployment" in version "apps/v1"?)`},
		// Event is served in v1 and events.k8s.io/v1: the version written wins.
		{"v1", "event", validate.Error, validate.CodeUnknownKind, ` (did you mean "Event"?)`},
		{"events.k8s.io/v1", "Evnet", validate.Error, validate.CodeUnknownKind, ` (did you mean "Event"?)`},
		// A short name is one edit at most from a kind: Pdo, not Job.
		{"v1", "Pdo", validate.Error, validate.CodeUnknownKind, ` (did you mean "Pod"?)`},
		{"batch/v1", "Jbo", validate.Error, validate.CodeUnknownKind, ` (did you mean "Job"?)`},
		{"v1", "Pxx", validate.Error, validate.CodeUnknownKind, ``},
		// Jod is one edit from Job and from Pod: the kind of the group-version written wins.
		{"batch/v1", "Jod", validate.Error, validate.CodeUnknownKind, ` (did you mean "Job"?)`},
		{"v1", "Jod", validate.Error, validate.CodeUnknownKind, ` (did you mean "Pod"?)`},
		{"apps/v1", "Frobnicator", validate.Error, validate.CodeUnknownKind, ``},
		// Kinds a cluster's discovery serves are suggested like built-in ones.
		{"example.io/v1", "gadget", validate.Error, validate.CodeUnknownKind, ` (did you mean "Gadget"?)`},
		{"example.io/v1", "dh", validate.Error, validate.CodeUnknownKind, ` (did you mean "Doohickey"?)`},
		// Gudget is one edit from Gadget and from Gidget: no answer.
		{"example.io/v1", "Gudget", validate.Error, validate.CodeUnknownKind, ``},
		// A group nothing serves: a custom resource whose CRD is unknown, near miss or not.
		{"acme.example.org/v1", "Deploymnet", validate.Warning, validate.CodeNoSchema, ""},
	}
	src := newDiscoverySource(t)
	for _, tt := range tests {
		t.Run(tt.apiVersion+"/"+tt.kind, func(t *testing.T) {
			src.calls = 0
			r := validateOne(t, src, "apiVersion: "+tt.apiVersion+"\nkind: "+tt.kind+"\nmetadata: {name: a}\n")
			if len(r.Findings) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(r.Findings), r.Findings)
			}
			fd := r.Findings[0]
			if fd.Severity != tt.sev || fd.Code != tt.code || fd.Field != "kind" {
				t.Errorf("got %s %s at %s, want %s %s at kind", fd.Severity, fd.Code, fd.Field, tt.sev, tt.code)
			}
			if tt.code == validate.CodeUnknownKind {
				want := `no matches for kind "` + tt.kind + `" in version "` + tt.apiVersion + `"` + tt.want
				if fd.Message != want {
					t.Errorf("message\n  %s\nwant\n  %s", fd.Message, want)
				}
			} else if strings.Contains(fd.Message, "did you mean") {
				t.Errorf("unexpected suggestion: %s", fd.Message)
			}
			if src.calls > 1 {
				t.Errorf("the kinds were listed %d times for one unknown kind; want once", src.calls)
			}
		})
	}
}
