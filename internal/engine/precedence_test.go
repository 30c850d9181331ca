package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// A CustomResourceDefinition among the inputs that claims a built-in group-version (here
// the CustomResourceDefinition kind itself, with a schema that knows none of its fields)
// changes nothing: the apiserver keeps serving its built-in kinds, so every other CRD is
// still judged by the built-in schema, and the claiming CRD gets a warning.
const claimingCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: customresourcedefinitions.apiextensions.k8s.io
  annotations: {api-approved.kubernetes.io: "https://example.com/pull/1"}
spec:
  group: apiextensions.k8s.io
  names: {kind: CustomResourceDefinition, plural: customresourcedefinitions}
  scope: Cluster
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            metadata: {type: object}
`

const ordinaryCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: 3}
`

func TestCRDNeverShadowsABuiltinKind(t *testing.T) {
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	claim := yamlpos.Split("claim.yaml", []byte(claimingCRD))
	ordinary := yamlpos.Split("widgets.yaml", []byte(ordinaryCRD))
	eng.AddCRDs(claim)
	eng.AddCRDs(ordinary)

	for _, d := range ordinary.Docs {
		d.ParseDoc()
		r := eng.ValidateDocument(context.Background(), d)
		if r.Status != validate.Valid || len(r.Findings) > 0 {
			t.Errorf("%s %s: %s %+v", r.Kind, r.Name, r.Status, r.Findings)
		}
	}
	d := claim.Docs[0]
	d.ParseDoc()
	r := eng.ValidateDocument(context.Background(), d)
	if r.Status != validate.Valid || len(r.Findings) != 1 {
		t.Fatalf("claiming CRD: %s %+v", r.Status, r.Findings)
	}
	f := r.Findings[0]
	if f.Severity != validate.Warning || f.Code != validate.CodeCRD || !strings.Contains(f.Message, "served by the apiserver itself") {
		t.Errorf("claiming CRD: %+v", f)
	}
	if l, _ := claim.Mapper.OffsetLineChar(f.Range.Start); l != 11 {
		t.Errorf("warning on line %d, want 11 (the version's name)", l)
	}
}
