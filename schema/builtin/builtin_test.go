package builtin

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestVersions(t *testing.T) {
	want := []string{"1.34", "1.35", "1.36", "1.37"}
	if got := Versions(); !slices.Equal(got, want) {
		t.Fatalf("Versions() = %v, want %v", got, want)
	}
	if got := Latest(); got != "1.37" {
		t.Fatalf("Latest() = %q, want 1.37", got)
	}
}

func TestLoadIndexVersionForms(t *testing.T) {
	tests := []struct {
		in      string
		want    string // KubernetesVersion, "" for an error
		errHave string
	}{
		{in: "1.37", want: "v1.37.2"},
		{in: "v1.37", want: "v1.37.2"},
		{in: "1.37.2", want: "v1.37.2"},
		{in: "v1.37.0", want: "v1.37.2"},
		{in: "1.34", want: "v1.34.4"},
		{in: "1.35", want: "v1.35.4"},
		{in: "v1.36.3", want: "v1.36.3"},
		{in: "1.20", errHave: "1.34, 1.35, 1.36, 1.37"},
		{in: "latest", errHave: "embedded"},
		{in: "", errHave: "embedded"},
		{in: "1", errHave: "embedded"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			idx, err := LoadIndex(tt.in)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHave) {
					t.Fatalf("LoadIndex(%q) error = %v, want one containing %q", tt.in, err, tt.errHave)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if idx.KubernetesVersion != tt.want {
				t.Fatalf("KubernetesVersion = %q, want %q", idx.KubernetesVersion, tt.want)
			}
			again, _ := LoadIndex(tt.in)
			if again != idx {
				t.Fatal("LoadIndex did not return the cached index")
			}
		})
	}
}

func findResource(idx *Index, group, version, resource string) (Resource, bool) {
	gv := idx.GroupVersion(group, version)
	if gv == nil {
		return Resource{}, false
	}
	for _, r := range gv.Resources {
		if r.Resource == resource {
			return r, true
		}
	}
	return Resource{}, false
}

var crud = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

func TestIndexResources(t *testing.T) {
	tests := []struct {
		group, version, resource, kind string
		namespaced                     bool
		verbs                          []string // nil: not checked
	}{
		{"", "v1", "pods", "Pod", true, crud},
		{"", "v1", "nodes", "Node", false, crud},
		{"", "v1", "namespaces", "Namespace", false, []string{"create", "delete", "get", "list", "patch", "update", "watch"}},
		{"", "v1", "events", "Event", true, crud},
		{"", "v1", "bindings", "Binding", true, []string{"create"}},
		{"", "v1", "componentstatuses", "ComponentStatus", false, []string{"get", "list"}},
		{"events.k8s.io", "v1", "events", "Event", true, crud},
		{"apps", "v1", "deployments", "Deployment", true, crud},
		{"batch", "v1", "cronjobs", "CronJob", true, crud},
		{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, crud},
		{"rbac.authorization.k8s.io", "v1", "roles", "Role", true, crud},
		{"authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, []string{"create"}},
		{"authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, []string{"create"}},
		{"authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, []string{"create"}},
		{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, crud},
		{"networking.k8s.io", "v1", "ingresses", "Ingress", true, crud},
		{"storage.k8s.io", "v1", "storageclasses", "StorageClass", false, crud},
	}
	for _, v := range Versions() {
		idx, err := LoadIndex(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(v+"/"+tt.group+"/"+tt.version+"/"+tt.resource, func(t *testing.T) {
				r, ok := findResource(idx, tt.group, tt.version, tt.resource)
				if !ok {
					t.Fatalf("%s/%s %s not in the %s index", tt.group, tt.version, tt.resource, v)
				}
				if r.Kind != tt.kind || r.Namespaced != tt.namespaced {
					t.Errorf("got kind %q namespaced %v, want %q %v", r.Kind, r.Namespaced, tt.kind, tt.namespaced)
				}
				if tt.verbs != nil && !slices.Equal(r.Verbs, tt.verbs) {
					t.Errorf("verbs = %v, want %v", r.Verbs, tt.verbs)
				}
			})
		}
		// No subresources: names are plain.
		for _, gv := range idx.GroupVersions {
			for _, r := range gv.Resources {
				if strings.ContainsAny(r.Resource, "/{}") || r.Kind == "" || len(r.Verbs) == 0 {
					t.Errorf("%s: %s/%s: bad resource %+v", v, gv.Group, gv.Version, r)
				}
			}
		}
	}
}

func TestIndexGroupVersionLookup(t *testing.T) {
	idx, err := LoadIndex(Latest())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		group, version, file string
	}{
		{"", "v1", "core_v1.json.gz"},
		{"core", "v1", "core_v1.json.gz"},
		{"apps", "v1", "apps_v1.json.gz"},
		{"autoscaling", "v2", "autoscaling_v2.json.gz"},
		{"apps", "v9", ""},
		{"nope.example.com", "v1", ""},
	}
	for _, tt := range tests {
		gv := idx.GroupVersion(tt.group, tt.version)
		switch {
		case tt.file == "" && gv != nil:
			t.Errorf("GroupVersion(%q, %q) = %+v, want nil", tt.group, tt.version, gv)
		case tt.file != "" && (gv == nil || gv.File != tt.file):
			t.Errorf("GroupVersion(%q, %q) = %+v, want file %s", tt.group, tt.version, gv, tt.file)
		}
	}
}

func TestDocumentErrors(t *testing.T) {
	tests := []struct {
		minor, group, version, errHave string
	}{
		{"1.37", "apps", "v9", "apps/v9"},
		{"1.37", "", "v2", "v2 (core)"},
		{"1.12", "apps", "v1", "embedded"},
	}
	for _, tt := range tests {
		if _, err := Document(tt.minor, tt.group, tt.version); err == nil || !strings.Contains(err.Error(), tt.errHave) {
			t.Errorf("Document(%q, %q, %q) error = %v, want one containing %q", tt.minor, tt.group, tt.version, err, tt.errHave)
		}
	}
}

// TestDocuments checks every embedded document: valid JSON, an OpenAPI 3
// document with components.schemas and no paths, every $ref resolving
// within it, and every kind of the index defined with its
// x-kubernetes-group-version-kind.
func TestDocuments(t *testing.T) {
	for _, v := range Versions() {
		idx, err := LoadIndex(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, gv := range idx.GroupVersions {
			t.Run(v+"/"+gv.File, func(t *testing.T) {
				b, err := Document(v, gv.Group, gv.Version)
				if err != nil {
					t.Fatal(err)
				}
				var doc map[string]any
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				if doc["openapi"] != "3.0.0" {
					t.Errorf("openapi = %v", doc["openapi"])
				}
				if _, ok := doc["paths"]; ok {
					t.Error("document has paths")
				}
				if _, ok := doc["info"].(map[string]any); !ok {
					t.Error("document has no info")
				}
				components, _ := doc["components"].(map[string]any)
				schemas, _ := components["schemas"].(map[string]any)
				if len(schemas) == 0 {
					t.Fatal("no components.schemas")
				}
				for name, s := range schemas {
					checkSchema(t, name, s, schemas)
				}
				gvks := map[string]bool{}
				for _, s := range schemas {
					list, _ := s.(map[string]any)["x-kubernetes-group-version-kind"].([]any)
					for _, k := range list {
						k := k.(map[string]any)
						gvks[k["group"].(string)+"/"+k["version"].(string)+"/"+k["kind"].(string)] = true
					}
				}
				for _, r := range gv.Resources {
					if !gvks[gv.Group+"/"+gv.Version+"/"+r.Kind] {
						t.Errorf("kind %s of %s has no schema", r.Kind, r.Resource)
					}
				}
			})
		}
	}
}

// checkSchema walks a schema's subschemas, checking that $refs resolve and
// that the dropped keywords are gone.
func checkSchema(t *testing.T, at string, v any, schemas map[string]any) {
	t.Helper()
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"example", "externalDocs"} {
		if _, ok := s[k]; ok {
			t.Errorf("%s: keyword %s kept", at, k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/components/schemas/")
		if _, ok := schemas[name]; !found || !ok {
			t.Errorf("%s: $ref %q does not resolve", at, ref)
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		checkSchema(t, at+"."+k, s[k], schemas)
	}
	props, _ := s["properties"].(map[string]any)
	for p, x := range props {
		checkSchema(t, at+".properties."+p, x, schemas)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for _, x := range list {
			checkSchema(t, at+"."+k, x, schemas)
		}
	}
}

func TestDeploymentSchema(t *testing.T) {
	for _, v := range Versions() {
		b, err := Document(v, "apps", "v1")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Components struct {
				Schemas map[string]struct {
					Properties map[string]json.RawMessage `json:"properties"`
					GVK        []struct {
						Group, Version, Kind string
					} `json:"x-kubernetes-group-version-kind"`
				} `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		d, ok := doc.Components.Schemas["io.k8s.api.apps.v1.Deployment"]
		if !ok {
			t.Fatalf("%s: io.k8s.api.apps.v1.Deployment missing", v)
		}
		if len(d.GVK) != 1 || d.GVK[0].Group != "apps" || d.GVK[0].Version != "v1" || d.GVK[0].Kind != "Deployment" {
			t.Errorf("%s: x-kubernetes-group-version-kind = %+v", v, d.GVK)
		}
		for _, p := range []string{"apiVersion", "kind", "metadata", "spec", "status"} {
			if _, ok := d.Properties[p]; !ok {
				t.Errorf("%s: Deployment has no property %s", v, p)
			}
		}
	}
}

// JSONSchemaProps has properties named like the dropped keywords: they stay.
func TestKeywordNamedPropertiesKept(t *testing.T) {
	b, err := Document(Latest(), "apiextensions.k8s.io", "v1")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	props := doc.Components.Schemas["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"].Properties
	for _, p := range []string{"example", "externalDocs", "$ref", "x-kubernetes-validations"} {
		if _, ok := props[p]; !ok {
			t.Errorf("JSONSchemaProps lost property %q", p)
		}
	}
}

func BenchmarkDocumentCoreV1(b *testing.B) {
	var n int
	for b.Loop() {
		doc, err := Document(Latest(), "", "v1")
		if err != nil {
			b.Fatal(err)
		}
		n = len(doc)
	}
	b.SetBytes(int64(n))
}

func TestNearest(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1.36", "1.36"},
		{"v1.35.4", "1.35"},
		{"v1.37.2+k3s1", "1.37"}, // unreadable: the newest
		{"1.38", "1.37"},
		{"2.0", "1.37"},
		{"1.20", "1.34"},
		{"", "1.37"},
	} {
		if got := Nearest(tc.in); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
