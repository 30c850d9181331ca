package validate

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// builtinClaims warns about the versions of a CustomResourceDefinition that claim a
// group-version the apiserver serves itself: the apiserver accepts such a CRD, but keeps
// serving its built-in kinds, so the CRD changes nothing there.
func (w *walker) builtinClaims(root *yaml.Node, src schema.Source) {
	group, groupNode := scalarPath(root, "spec", "group")
	kind, _ := scalarPath(root, "spec", "names", "kind")
	if group == "" || kind == "" {
		return
	}
	versions, _, m := yamlpos.Lookup(root, yamlpos.Path{{Key: "spec"}, {Key: "versions"}})
	versions = yamlpos.Resolve(versions)
	if m != 2 || versions == nil || versions.Kind != yaml.SequenceNode {
		return
	}
	for _, item := range versions.Content {
		name, nameNode := scalarField(yamlpos.Resolve(item), "name")
		if name == "" {
			continue
		}
		gvk := schema.GVK{Group: group, Version: name, Kind: kind}
		if served, _ := src.Lookup(gvk); served == nil || served.CRD != nil {
			continue
		}
		at := nameNode
		if at == nil {
			at = groupNode
		}
		p := w.prefix + "spec.group"
		w.add(Warning, CodeCRD, at, p, fmt.Sprintf("%s: %s/%s is served by the apiserver itself: it keeps serving its built-in kinds there, and this CustomResourceDefinition changes nothing for %s", p, group, name, kind))
	}
}
