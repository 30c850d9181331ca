package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// TestRequiredFields lists what an object has to give, with the validator's exemptions,
// defaults and allOf members.
func TestRequiredFields(t *testing.T) {
	src, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	def := func(group, version, name string) *schema.Schema {
		t.Helper()
		doc, err := src.Document(group, version)
		if err != nil {
			t.Fatal(err)
		}
		s := doc.Definitions[name]
		if s == nil {
			t.Fatalf("no definition %s", name)
		}
		return s
	}
	crd := func(js string) *schema.Schema {
		t.Helper()
		s, err := schema.CompileStructural([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name string
		t    *schema.Schema
		kind string
		want []string
	}{
		{"required fields, a filled-in template that lacks containers", def("apps", "v1", "io.k8s.api.apps.v1.DeploymentSpec"), "Deployment", []string{"selector", "template"}},
		{"an optional object filled in without its required list", def("", "v1", "io.k8s.api.core.v1.PodTemplateSpec"), "Deployment", []string{"spec"}},
		{"a plain required field, and the image the apiserver's validation asks for", def("", "v1", "io.k8s.api.core.v1.Container"), "Pod", []string{"name", "image"}},
		{"a required number whose zero default does not count", def("", "v1", "io.k8s.api.core.v1.ContainerPort"), "Pod", []string{"containerPort"}},
		{"a field the apiserver does not enforce", def("", "v1", "io.k8s.api.core.v1.HTTPHeader"), "Pod", []string{"name"}},
		{"enforced in most kinds", def("", "v1", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"), "Deployment", []string{"key", "operator"}},
		{"not enforced in this kind", def("", "v1", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"), "SubjectAccessReview", []string{"key"}},
		{"a default fills in a custom resource's field", crd(`{"type": "object", "required": ["size", "name"], "properties": {"size": {"type": "string", "default": "small"}, "name": {"type": "string"}}}`), "Widget", []string{"name"}},
		{"allOf members' required fields", crd(`{"type": "object", "required": ["a"], "allOf": [{"required": ["b"]}, {"required": ["a", "c"]}], "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string", "default": "x"}}}`), "Widget", []string{"a", "b"}},
		{"an allOf member's nested allOf", crd(`{"type": "object", "allOf": [{"allOf": [{"required": ["b"]}]}], "properties": {"b": {"type": "string"}}}`), "Widget", []string{"b"}},
		{"nothing required", crd(`{"type": "object", "properties": {"a": {"type": "string"}}}`), "Widget", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := validate.RequiredFields(c.t, c.kind)
			if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("RequiredFields = %q, want %q", got, c.want)
			}
		})
	}
}

// TestRequiredFieldsAreWhatValidationReports: an object with none of the fields that
// RequiredFields lists gets a "Required value" for each (or, for an object the apiserver
// fills in, for what it lacks), and giving them all clears those findings.
func TestRequiredFieldsAreWhatValidationReports(t *testing.T) {
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos}
  scope: Namespaced
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
              required: [a]
              allOf:
                - required: [b]
                - required: [c]
              properties:
                a: {type: string}
                b: {type: string}
                c: {type: string, default: x}
`
	if err := os.WriteFile(filepath.Join(dir, "gizmo.yaml"), []byte(crd), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := eng.LoadCRDPaths([]string{dir}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, src, full string
		gvk             schema.GVK
	}{
		{"Deployment",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
			schema.GVK{Group: "apps", Version: "v1", Kind: "Deployment"}},
		{"a custom resource with allOf",
			"apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}\nspec: {}\n",
			"apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}\nspec: {a: x, b: y}\n",
			schema.GVK{Group: "example.com", Version: "v1", Kind: "Gizmo"}},
	}
	required := func(src string) []string {
		f := yamlpos.Split("r.yaml", []byte(src))
		var out []string
		for _, fd := range eng.ValidateDocument(context.Background(), f.Docs[0]).Findings {
			if fd.Code == validate.CodeRequired {
				out = append(out, fd.Field)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			ty, err := eng.Source().Lookup(c.gvk)
			if err != nil {
				t.Fatal(err)
			}
			spec := ty.Schema.T().Properties["spec"]
			for _, name := range validate.RequiredFields(spec.T(), c.gvk.Kind) {
				want = append(want, "spec."+name)
			}
			got := required(c.src)
			// A field the apiserver fills in is reported by what it lacks, under it.
			var top []string
			for _, g := range got {
				parts := strings.SplitN(g, ".", 3)
				if p := parts[0] + "." + parts[1]; !slices.Contains(top, p) {
					top = append(top, p)
				}
			}
			if !slices.Equal(top, want) {
				t.Errorf("validation reports %q, RequiredFields says %q", got, want)
			}
			if got := required(c.full); len(got) > 0 {
				t.Errorf("with every required field given: %q", got)
			}
		})
	}
}
