package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// celProgram is a CRD version's compiled CEL rules, built once per version.
type celProgram struct {
	structural *structuralschema.Structural
	validator  *cel.Validator
	// schema is the apiextensions-apiserver's OpenAPI validator of the version's schema.
	schema apiservervalidation.SchemaValidator
}

// celTimeout bounds one object's CEL evaluation (on top of the apiserver's cost budget).
const celTimeout = 2 * time.Second

func compileCEL(v *schema.CRDVersion) (any, error) {
	var ext apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(v.SchemaJSON, &ext); err != nil {
		return nil, fmt.Errorf("reading openAPIV3Schema: %w", err)
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&ext, &internal, nil); err != nil {
		return nil, fmt.Errorf("converting openAPIV3Schema: %w", err)
	}
	ss, err := structuralschema.NewStructural(&internal)
	if err != nil {
		return nil, fmt.Errorf("the schema is not structural: %w", err)
	}
	sv, _, err := apiservervalidation.NewSchemaValidator(&internal)
	if err != nil {
		sv = nil // the CRD document itself reports what is wrong with its schema
	}
	return &celProgram{structural: ss, validator: cel.NewValidator(ss, true, celconfig.PerCallLimit), schema: sv}, nil
}

// customProgram is a custom resource's compiled schema programs and the object as the
// apiserver validates it (decoded, defaults filled in), computed once for CEL and for the
// schema validation. Nil when the CRD's schema does not compile (the CRD document itself
// reports why) or the document is no object.
func (v *Validator) customProgram(root *yaml.Node, t *schema.Type) (*celProgram, map[string]any) {
	progAny, err := t.CRD.Lazy(func() (any, error) { return compileCEL(t.CRD) })
	if err != nil {
		return nil, nil
	}
	obj := v.objectOf(root)
	if obj == nil {
		return nil, nil
	}
	prog := progAny.(*celProgram)
	if t.CRD.StatusSubresource {
		delete(obj, "status") // the apiserver drops it on create (PrepareForCreate)
	}
	// Decoding drops nulls where the schema allows none and has no default; then the
	// apiserver fills in defaults, and validates.
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, prog.structural)
	structuraldefaulting.Default(obj, prog.structural)
	return prog, obj
}

// cel runs a custom resource's x-kubernetes-validations rules on obj (see customProgram),
// as the apiserver does on create, and maps each failure back to the node its field path
// names.
func (w *walker) cel(ctx context.Context, root *yaml.Node, prog *celProgram, m map[string]any) {
	if prog.validator == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, celTimeout)
	defer cancel()
	errs, _ := prog.validator.Validate(ctx, nil, prog.structural, m, nil, celconfig.RuntimeCELCostBudget)
	for _, e := range errs {
		p := strings.TrimPrefix(e.Field, ".")
		node, key, matched := yamlpos.Lookup(root, yamlpos.ParsePath(p))
		at := node
		if key != nil && matched == len(yamlpos.ParsePath(p)) && yamlpos.KindOf(node) == yamlpos.Map {
			at = key // a rule on an object: point at the object's key
		}
		if p == "" {
			_, at, _ = yamlpos.Lookup(root, yamlpos.Path{{Key: "kind"}})
		}
		msg := strings.TrimPrefix(e.Error(), ".")
		if p == "" {
			msg = strings.TrimPrefix(msg, ": ")
		}
		w.out = append(w.out, Finding{Severity: Error, Code: CodeCEL, Field: w.prefix + p, Message: w.prefix + msg, Range: w.doc.Range(at)})
	}
}
