package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The yaml-language-server layout: all.json's entries name the definitions
// yaml-language-server's Kubernetes mode looks for, every $ref resolves, and the
// definitions mean what the kubeconform files mean.
func TestYLSLayout(t *testing.T) {
	dir := t.TempDir()
	n, err := (&generator{enums: true, descriptions: true}).runYLS("1.37", dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d kinds", n)
	}
	all := readJSON(t, filepath.Join(dir, ylsAll))
	var refs []string
	for _, e := range all["oneOf"].([]any) {
		refs = append(refs, e.(map[string]any)["$ref"].(string))
	}
	// yaml-language-server matches io.k8s.api.<group without .k8s.io, rbac for RBAC>.<version>.<kind>.
	for _, want := range []string{"io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.Service",
		"io.k8s.api.networking.v1.Ingress", "io.k8s.api.rbac.v1.ClusterRole", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"} {
		if !slices.Contains(refs, ylsDefinitions+"#/definitions/"+want) {
			t.Errorf("all.json has no entry for %s", want)
		}
	}

	raw, err := os.ReadFile(filepath.Join(dir, ylsDefinitions))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"#/definitions/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if d.Definitions[m[1]] == nil {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
	for _, r := range refs {
		if d.Definitions[strings.TrimPrefix(r, ylsDefinitions+"#/definitions/")] == nil {
			t.Errorf("all.json refers to a missing %s", r)
		}
	}
	dep := d.Definitions["io.k8s.api.apps.v1.Deployment"]
	if dep["additionalProperties"] != false || !isType(dep, "object") || !isType(dep, "null") {
		t.Errorf("Deployment: additionalProperties %v, type %v", dep["additionalProperties"], dep["type"])
	}
	spec := d.Definitions["io.k8s.api.apps.v1.DeploymentSpec"]
	if !slices.Equal(spec["required"].([]any), []any{"selector"}) {
		t.Errorf("DeploymentSpec required = %v", spec["required"])
	}
	tmpl := at(t, spec, "properties", "template")
	if tmpl["$ref"] != "#/definitions/io.k8s.api.core.v1.PodTemplateSpec" {
		t.Errorf("template = %v, want a plain $ref", tmpl)
	}
	c := d.Definitions["io.k8s.api.core.v1.Container"]
	pull := at(t, c, "properties", "imagePullPolicy")
	if !slices.Contains(pull["enum"].([]any), any("IfNotPresent")) {
		t.Errorf("imagePullPolicy enum = %v", pull["enum"])
	}
	if alts, _ := at(t, c, "properties", "resources")["$ref"].(string); alts == "" {
		t.Errorf("resources is not a $ref")
	}

	single := readJSON(t, filepath.Join(dir, ylsSingle))
	found := false
	for _, e := range single["allOf"].([]any) {
		m := e.(map[string]any)
		props := m["if"].(map[string]any)["properties"].(map[string]any)
		if slices.Equal(props["apiVersion"].(map[string]any)["enum"].([]any), []any{"apps/v1"}) &&
			slices.Equal(props["kind"].(map[string]any)["enum"].([]any), []any{"Deployment"}) {
			found = m["then"].(map[string]any)["$ref"] == ylsDefinitions+"#/definitions/io.k8s.api.apps.v1.Deployment"
		}
	}
	if !found {
		t.Error("kubernetes.json does not select Deployment's schema for apps/v1 Deployment")
	}
}
