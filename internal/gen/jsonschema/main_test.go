package main

import (
	"slices"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

func TestFileName(t *testing.T) {
	for _, c := range []struct{ group, version, kind, want string }{
		{"", "v1", "Service", "service-v1.json"},
		{"apps", "v1", "Deployment", "deployment-apps-v1.json"},
		{"networking.k8s.io", "v1", "Ingress", "ingress-networking-v1.json"},
		{"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterrole-rbac-v1.json"},
		{"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscaler-autoscaling-v2.json"},
	} {
		if got := FileName(c.group, c.version, c.kind); got != c.want {
			t.Errorf("FileName(%q, %q, %q) = %q, want %q", c.group, c.version, c.kind, got, c.want)
		}
	}
}

func kindSchema(t *testing.T, group, version, def string) map[string]any {
	t.Helper()
	raw, err := builtin.Document("1.37", group, version)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return (&generator{enums: true}).standalone(doc, def)
}

func at(t *testing.T, s map[string]any, path ...string) map[string]any {
	t.Helper()
	for _, p := range path {
		next, ok := s[p].(map[string]any)
		if !ok {
			t.Fatalf("no %q in %v", p, path)
		}
		s = next
	}
	return s
}

func TestStandalone(t *testing.T) {
	d := kindSchema(t, "apps", "v1", "io.k8s.api.apps.v1.Deployment")
	if d["additionalProperties"] != false || d["type"] != "object" {
		t.Errorf("root: additionalProperties %v, type %v", d["additionalProperties"], d["type"])
	}
	spec := at(t, d, "properties", "spec")
	// template is required but defaults to {}, and PodTemplateSpec has no required
	// fields: kubectl-lsp accepts a Deployment without one, and so do these schemas.
	if !slices.Equal(spec["required"].([]any), []any{"selector"}) {
		t.Errorf("DeploymentSpec required = %v", spec["required"])
	}
	if !isType(spec, "null") {
		t.Errorf("spec does not accept null: %v", spec["type"])
	}
	c := at(t, spec, "properties", "template", "properties", "spec", "properties", "containers", "items")
	if !slices.Equal(c["required"].([]any), []any{"name"}) {
		t.Errorf("Container required = %v", c["required"])
	}
	pull := at(t, c, "properties", "imagePullPolicy")
	if !slices.Contains(pull["enum"].([]any), any("IfNotPresent")) || !slices.Contains(pull["enum"].([]any), nil) {
		t.Errorf("imagePullPolicy enum = %v", pull["enum"])
	}
	port := at(t, c, "properties", "ports", "items", "properties", "containerPort")
	if !isType(port, "integer") {
		t.Errorf("containerPort type = %v", port["type"])
	}
	cpu := at(t, c, "properties", "resources", "properties", "limits", "additionalProperties")
	if alts, _ := cpu["oneOf"].([]any); len(alts) != 3 {
		t.Errorf("Quantity = %v, want oneOf string, number, null", cpu)
	}
	probePort := at(t, c, "properties", "readinessProbe", "properties", "httpGet", "properties", "port")
	if alts, _ := probePort["oneOf"].([]any); len(alts) != 3 {
		t.Errorf("IntOrString = %v, want oneOf integer, string, null", probePort)
	}

	// A required field with an object default that has no required fields of its own
	// is filled in by defaulting: not required.
	ing := kindSchema(t, "networking.k8s.io", "v1", "io.k8s.api.networking.v1.Ingress")
	path := at(t, ing, "properties", "spec", "properties", "rules", "items", "properties", "http", "properties", "paths", "items")
	if !slices.Equal(path["required"].([]any), []any{"pathType"}) {
		t.Errorf("HTTPIngressPath required = %v", path["required"])
	}
}

// JSONSchemaProps refers to itself: it goes to definitions.
func TestRecursive(t *testing.T) {
	crd := kindSchema(t, "apiextensions.k8s.io", "v1", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")
	defs, ok := crd["definitions"].(map[string]any)
	if !ok || defs["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"] == nil {
		t.Fatalf("no JSONSchemaProps definition: %v", mapsKeys(defs))
	}
}
