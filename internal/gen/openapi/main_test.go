package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

const testDoc = `{
  "openapi": "3.0.0",
  "info": {"title": "Kubernetes", "version": "unversioned"},
  "paths": {
    "/apis/example.io/v1/": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIResourceList"}}}}}}},
    "/apis/example.io/v1/widgets": {"get": {"x-kubernetes-action": "list", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Widget"}}},
    "/apis/example.io/v1/namespaces/{namespace}/widgets": {
      "parameters": [{"name": "namespace", "in": "path"}],
      "post": {"x-kubernetes-action": "post", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Widget"},
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}}}},
      "delete": {"x-kubernetes-action": "deletecollection", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Widget"}}
    },
    "/apis/example.io/v1/namespaces/{namespace}/widgets/{name}": {
      "put": {"x-kubernetes-action": "put", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Widget"}}
    },
    "/apis/example.io/v1/namespaces/{namespace}/widgets/{name}/scale": {
      "get": {"x-kubernetes-action": "get", "x-kubernetes-group-version-kind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}}
    },
    "/apis/example.io/v1/watch/gadgets/{name}": {
      "get": {"x-kubernetes-action": "watch", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Gadget"}}
    },
    "/apis/example.io/v1/reviews": {
      "post": {"x-kubernetes-action": "post", "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Review"}}
    }
  },
  "components": {
    "securitySchemes": {"BearerToken": {"type": "apiKey"}},
    "schemas": {
      "APIResourceList": {"type": "object", "example": {"x": 1}},
      "Widget": {
        "type": "object",
        "externalDocs": {"url": "https://example.invalid"},
        "properties": {
          "spec": {"allOf": [{"$ref": "#/components/schemas/WidgetSpec"}], "default": {"example": 1}},
          "example": {"type": "string", "example": "dropped"},
          "$ref": {"type": "string"}
        }
      },
      "WidgetSpec": {"type": "object", "additionalProperties": {"items": {"$ref": "#/components/schemas/Quantity"}}},
      "Quantity": {"type": "string", "x-kubernetes-int-or-string": true, "maximum": 5},
      "Unused": {"type": "object"}
    }
  }
}`

func TestProcessDocument(t *testing.T) {
	out, resources, err := processDocument([]byte(testDoc), "example.io", "v1")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		`"openapi":"3.0.0"`, `"info":{"title":"Kubernetes","version":"unversioned"}`,
		`"example":{"type":"string"}`, // a property named example stays
		`"$ref":{"type":"string"}`, `"default":{"example":1}`, `"maximum":5`, `"x-kubernetes-int-or-string":true`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %s:\n%s", want, s)
		}
	}
	for _, gone := range []string{`"paths"`, `"Unused"`, `"dropped"`, `externalDocs`, `securitySchemes`, `"x":1`} {
		if strings.Contains(s, gone) {
			t.Errorf("output still has %s:\n%s", gone, s)
		}
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"APIResourceList", "Quantity", "Widget", "WidgetSpec"}; !slices.Equal(names, want) {
		t.Errorf("schemas = %v, want %v", names, want)
	}

	want := []Resource{
		{Kind: "Gadget", Resource: "gadgets", Verbs: []string{"watch"}},
		{Kind: "Review", Resource: "reviews", Verbs: []string{"create"}},
		{Kind: "Widget", Resource: "widgets", Namespaced: true, Verbs: []string{"create", "deletecollection", "list", "update"}},
	}
	if !slices.EqualFunc(resources, want, func(a, b Resource) bool {
		return a.Kind == b.Kind && a.Resource == b.Resource && a.Namespaced == b.Namespaced && slices.Equal(a.Verbs, b.Verbs)
	}) {
		t.Errorf("resources = %+v, want %+v", resources, want)
	}
}

func TestProcessDocumentDanglingRef(t *testing.T) {
	bad := strings.Replace(testDoc, `"#/components/schemas/Quantity"`, `"#/components/schemas/Missing"`, 1)
	if _, _, err := processDocument([]byte(bad), "example.io", "v1"); err == nil || !strings.Contains(err.Error(), "Missing") {
		t.Fatalf("error = %v, want one about the dangling $ref", err)
	}
}

func TestSpecFileNames(t *testing.T) {
	tests := []struct {
		name, group, version string
		ok                   bool
	}{
		{"api__v1_openapi.json", "", "v1", true},
		{"apis__apps__v1_openapi.json", "apps", "v1", true},
		{"apis__resource.k8s.io__v1beta2_openapi.json", "resource.k8s.io", "v1beta2", true},
		{"api_openapi.json", "", "", false},
		{"apis_openapi.json", "", "", false},
		{"apis__apps_openapi.json", "", "", false},
		{"logs_openapi.json", "", "", false},
		{"openid__v1__jwks_openapi.json", "", "", false},
		{"version_openapi.json", "", "", false},
	}
	for _, tt := range tests {
		m := specFileRE.FindStringSubmatch(tt.name)
		if (m != nil) != tt.ok {
			t.Errorf("%s: matched %v, want %v", tt.name, m != nil, tt.ok)
			continue
		}
		if m == nil {
			continue
		}
		version := m[1] + m[3]
		if m[2] != tt.group || version != tt.version {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, m[2], version, tt.group, tt.version)
		}
	}
}
