package validate

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// crdChecks runs the apiserver's own validation of a CustomResourceDefinition (structural
// schema rules, names, versions, CEL rules that do not compile, defaults that do not match
// their schema) after the apiserver's defaulting, and maps each error to its position.
// Problems the schema walk already reported (types, unknown fields) are not repeated: this
// runs only on a document the walk found no error in.
func (w *walker) crdChecks(ctx context.Context, root *yaml.Node) {
	obj, err := yamlpos.ToValue(root, DefaultAliasLimit)
	if err != nil {
		return
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(data, &v1); err != nil {
		return
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1)
	// On create the apiserver records the storage version as stored.
	for _, ver := range v1.Spec.Versions {
		if ver.Storage {
			v1.Status.StoredVersions = append(v1.Status.StoredVersions, ver.Name)
		}
	}
	var internal apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &internal, nil); err != nil {
		return
	}
	for _, e := range crdvalidation.ValidateCustomResourceDefinition(ctx, &internal) {
		if strings.HasPrefix(e.Field, "metadata.name") || strings.HasPrefix(e.Field, "status.") {
			continue // metadata: reported by the metadata checks; status: set by the apiserver
		}
		field := v1Path(e.Field, &v1)
		path := yamlpos.ParsePath(field)
		node, key, matched := yamlpos.Lookup(root, path)
		at := node
		if key != nil && (matched < len(path) || yamlpos.KindOf(node) == yamlpos.Map || yamlpos.KindOf(node) == yamlpos.Seq) {
			at = key
		}
		w.out = append(w.out, Finding{Severity: Error, Code: CodeCRD, Field: w.prefix + field, Message: w.prefix + strings.Replace(e.Error(), e.Field, field, 1), Range: w.doc.Range(at)})
	}
}

// v1Path maps a field path of the internal CRD type, where a schema, subresources or
// columns shared by all versions sit under spec, to where the v1 manifest has them: under
// the first version that declares them.
func v1Path(p string, crd *apiextensionsv1.CustomResourceDefinition) string {
	for internal, v1field := range map[string]string{
		"spec.validation.":              "schema",
		"spec.subresources":             "subresources",
		"spec.additionalPrinterColumns": "additionalPrinterColumns",
		"spec.selectableFields":         "selectableFields",
	} {
		if !strings.HasPrefix(p, internal) {
			continue
		}
		for i, v := range crd.Spec.Versions {
			has := (v1field == "schema" && v.Schema != nil) || (v1field == "subresources" && v.Subresources != nil) ||
				(v1field == "additionalPrinterColumns" && len(v.AdditionalPrinterColumns) > 0) || (v1field == "selectableFields" && len(v.SelectableFields) > 0)
			if has {
				rest := strings.TrimPrefix(p, strings.TrimSuffix(internal, "."))
				return "spec.versions[" + strconv.Itoa(i) + "]." + v1field + rest
			}
		}
	}
	return p
}
