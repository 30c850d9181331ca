package validate

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Validator checks documents against the kinds a schema source serves.
type Validator struct {
	Source schema.Source
	// ObjectMeta is the metadata schema used for custom and embedded resources.
	ObjectMeta *schema.Schema
	// KubernetesMinor is the release whose rules apply where they changed between releases
	// (e.g. 37 for 1.37).
	KubernetesMinor int
	// AliasLimit bounds the nodes a document may have once its aliases are expanded.
	AliasLimit int
	// CEL enables CEL rules (x-kubernetes-validations) of custom resources.
	CEL bool
	// SkipYAML drops the YAML-level findings (yaml-syntax, duplicate-key); a document that
	// does not parse is then skipped.
	SkipYAML bool
	// SkipSchema drops the schema-level findings: every code but the YAML-level,
	// metadata-level, CEL and alias-limit ones (see SchemaCodes).
	SkipSchema bool
	// SkipMetadata drops the metadata-level findings (see MetadataCodes).
	SkipMetadata bool
}

// The findings of each level that a Validator can switch off.
var (
	YAMLCodes     = []string{CodeSyntax, CodeDuplicateKey}
	MetadataCodes = []string{CodeName, CodeNamespace, CodeNamespaceScope, CodeLabel, CodeAnnotation}
	// SchemaCodes are the codes of the schema level: the apiVersion and kind, the fields
	// and values against the kind's schema, and CRD definitions.
	SchemaCodes = []string{CodeUnknownKind, CodeNoSchema, CodeUnknownField, CodeType, CodeRequired, CodeEnum,
		CodeFormat, CodeQuantity, CodeRange, CodeLength, CodePattern, CodeItems, CodeProperties,
		CodeDuplicateItem, CodeSchemaCombiner, CodeCRD, CodeOffByDefault}
)

// dropped reports whether a finding's code belongs to a level switched off.
func (v *Validator) dropped(code string) bool {
	return v.SkipYAML && slices.Contains(YAMLCodes, code) ||
		v.SkipSchema && slices.Contains(SchemaCodes, code) ||
		v.SkipMetadata && slices.Contains(MetadataCodes, code)
}

// filter removes the findings of the levels switched off (before finalize sets Status).
func (v *Validator) filter(r *Result) {
	if !v.SkipYAML && !v.SkipSchema && !v.SkipMetadata {
		return
	}
	r.Findings = slices.DeleteFunc(r.Findings, func(f Finding) bool { return v.dropped(f.Code) })
}

// DefaultAliasLimit is the expansion bound for a document's aliases: far above any real
// manifest, far below what exhausts memory.
const DefaultAliasLimit = 1_000_000

// Validate checks one parsed document.
func (v *Validator) Validate(ctx context.Context, doc *yamlpos.Document) (res Result) {
	r := &res
	r.Doc = doc
	defer r.finalize()
	defer v.filter(r) // runs before finalize
	text := doc.Text()
	if doc.Err != nil {
		if looksTemplated(doc.File.Name, text) {
			r.Status, r.Reason = Skipped, "template: Go/Helm template syntax, not a manifest"
			return
		}
		if v.SkipYAML {
			r.Status, r.Reason = Skipped, "YAML syntax error (YAML checks are off)"
			return
		}
		r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeSyntax, Message: "YAML syntax error: " + doc.Err.Msg, Range: doc.Err.Range})
		return
	}
	if doc.Empty() {
		r.Status, r.Reason = Skipped, "empty document"
		return
	}
	root := doc.Root
	if hasTemplateNode(root, 0) {
		r.Status, r.Reason = Skipped, "template: Go/Helm template syntax, not a manifest"
		return
	}
	if root.Kind != yaml.MappingNode {
		r.Status, r.Reason = Skipped, "not a Kubernetes object: the document is not a mapping"
		return
	}
	limit := v.aliasLimit()
	if hasAliases(text) {
		if _, exceeded := yamlpos.ExpandedSize(root, limit); exceeded {
			r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeAliasLimit,
				Message: fmt.Sprintf("the document's aliases expand to more than %d nodes (an alias bomb?); it was not validated", limit),
				Range:   doc.Range(firstAlias(root))})
			return
		}
	}
	v.object(ctx, doc, root, r, "")
	return
}

// object validates one Kubernetes object (the document root, or an item of a List).
func (v *Validator) object(ctx context.Context, doc *yamlpos.Document, root *yaml.Node, r *Result, prefix string) {
	apiVersion, avNode := scalarField(root, "apiVersion")
	kind, kindNode := scalarField(root, "kind")
	if prefix == "" {
		r.APIVersion, r.Kind = apiVersion, kind
		r.Name, _ = scalarPath(root, "metadata", "name")
		r.Namespace, _ = scalarPath(root, "metadata", "namespace")
		if r.Name == "" {
			r.Name, _ = scalarPath(root, "metadata", "generateName")
		}
	}
	if templated(apiVersion, kind, r.Name, r.Namespace) {
		r.Status, r.Reason = Skipped, "template: Go/Helm template syntax, not a manifest"
		return
	}
	group, _ := schema.ParseAPIVersion(apiVersion)
	switch {
	case apiVersion == "" && kind == "":
		if prefix == "" {
			r.Status, r.Reason = Skipped, "not a Kubernetes object: no apiVersion and kind"
			return
		}
	case (kind == "Kustomization" || kind == "Component") && strings.HasPrefix(group, "kustomize.config.k8s.io"):
		r.Status, r.Reason = Skipped, "kustomization file"
		return
	}
	if apiVersion == "" || kind == "" {
		missing, at := "apiVersion", kindNode
		if kind == "" {
			missing, at = "kind", avNode
		}
		if at == nil {
			at = root
		}
		if prefix == "" && apiVersion == "" {
			// A mapping with a kind but no apiVersion is not a Kubernetes object either
			// (Kustomize's and other tools' files look like this).
			r.Status, r.Reason = Skipped, "not a Kubernetes object: no apiVersion"
			return
		}
		r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeRequired, Field: prefix + missing,
			Message: fmt.Sprintf("%s%s: Required value: every Kubernetes object needs apiVersion and kind", prefix, missing), Range: doc.Range(at)})
		return
	}
	if isList(kind, root) {
		items, _, _ := yamlpos.Lookup(root, yamlpos.Path{{Key: "items"}})
		items = yamlpos.Resolve(items)
		for i, item := range items.Content {
			item = yamlpos.Resolve(item)
			p := prefix + "items[" + strconv.Itoa(i) + "]."
			if item.Kind != yaml.MappingNode {
				if yamlpos.KindOf(item) != yamlpos.Null {
					r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeType, Field: strings.TrimSuffix(p, "."),
						Message: strings.TrimSuffix(p, ".") + ": Invalid value: must be a Kubernetes object", Range: doc.Range(item)})
				}
				continue
			}
			v.object(ctx, doc, item, r, p)
		}
		if r.Status != Skipped {
			r.SchemaSource = v.Source.Name()
		}
		return
	}
	g, ver := schema.ParseAPIVersion(apiVersion)
	gvk := schema.GVK{Group: g, Version: ver, Kind: kind}
	t, err := v.Source.Lookup(gvk)
	if err != nil {
		r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeNoSchema, Field: prefix + "apiVersion",
			Message: fmt.Sprintf("could not load the schema of %s: %v", gvk, err), Range: doc.Range(avNode)})
		return
	}
	if t == nil {
		v.unknownKind(doc, r, gvk, avNode, kindNode, prefix)
		return
	}
	if prefix == "" {
		r.SchemaSource = t.Source
	}
	if t.Origin == schema.OriginBuiltin && !schema.ServedByDefault(gvk.Version) {
		v.offByDefault(doc, r, gvk, avNode, prefix)
	}
	walk := func(judged bool) *walker {
		w := &walker{doc: doc, meta: v.ObjectMeta, prefix: prefix, kind: gvk.Kind, judged: judged}
		w.value(root, t.Schema)
		w.metadataChecks(root, t, v.KubernetesMinor)
		return w
	}
	linked := t.CRD == nil && apiserver.Handles(gvk.Group, gvk.Kind)
	w := walk(linked)
	switch {
	case t.CRD == nil:
		if linked {
			var judged bool
			if w.out, judged = v.judgeBuiltin(ctx, doc, root, gvk, prefix, w.out); !judged {
				w = walk(false) // the create path was not reached: our own checks, all of them
			} else {
				w.olderNameRule(root, gvk, v.KubernetesMinor)
			}
		}
		if schema.IsCRD(apiVersion, kind) {
			w.builtinClaims(root, v.Source)
		}
	case v.CEL || !v.SkipSchema:
		if t.CRD.StatusSubresource {
			// With a status subresource the apiserver drops status on create: only what
			// strict decoding rejects there (an unknown field) is an error.
			w.out = keepErrors(w.out, func(f Finding) bool {
				return f.Code == CodeUnknownField || !within(f.Field, prefix+"status")
			})
		}
		prog, obj := v.customProgram(root, t)
		if prog == nil {
			break
		}
		if v.CEL {
			w.cel(ctx, root, prog, obj)
		}
		if !v.SkipSchema {
			w.out = judgeCustom(ctx, doc, root, t.GVK, prog, obj, v.KubernetesMinor, prefix, w.out)
		}
	}
	if gvk.Group == "" && gvk.Kind == "Secret" {
		redactSecret(root, w.out)
	}
	r.Findings = append(r.Findings, w.out...)
}

// unknownKind reports an apiVersion/kind that the source does not serve, naming the
// group-versions that do serve the kind, or the served kind it is most likely a
// misspelling of.
func (v *Validator) unknownKind(doc *yamlpos.Document, r *Result, gvk schema.GVK, avNode, kindNode *yaml.Node, prefix string) {
	// The kinds are listed once here: a source may build the list (~700 kinds) on each call.
	src := kindList{Source: v.Source, kinds: v.Source.Kinds()}
	served := schema.ServedVersions(src, gvk.Kind)
	if len(served) > 0 {
		names := make([]string, len(served))
		for i, s := range served {
			names[i] = s.APIVersion()
		}
		msg := fmt.Sprintf("no matches for kind %q in version %q: %s is served as apiVersion %s", gvk.Kind, gvk.APIVersion(), gvk.Kind, names[0])
		if len(names) > 1 {
			msg += " (also " + strings.Join(names[1:], ", ") + ")"
		}
		r.Findings = append(r.Findings, Finding{Severity: Error, Code: CodeUnknownKind, Field: prefix + "apiVersion", Message: msg, Range: doc.Range(avNode),
			ServedAs: names})
		return
	}
	msg := fmt.Sprintf("no matches for kind %q in version %q", gvk.Kind, gvk.APIVersion())
	if servesGroup(src.kinds, gvk.Group) {
		f := Finding{Severity: Error, Code: CodeUnknownKind, Field: prefix + "kind", Range: doc.Range(kindNode)}
		if near, ok := suggestKind(src, gvk, false); ok {
			msg += didYouMeanKind(gvk, near)
			f.Suggestion = near.Kind
		}
		f.Message = msg
		r.Findings = append(r.Findings, f)
		return
	}
	// A group served only by the CRD manifests given: a kind missing from it may come from
	// a CRD we were not given, so a near miss of one of its kinds is a warning, and the
	// document is not validated.
	if near, ok := suggestKind(src, gvk, true); ok {
		if prefix == "" {
			r.Status = Skipped
			r.Reason = fmt.Sprintf("no schema for %s: did you mean %s?", gvk, near)
		}
		r.Findings = append(r.Findings, Finding{Severity: Warning, Code: CodeUnknownKind, Field: prefix + "kind",
			Message: msg + " among the CustomResourceDefinitions given" + didYouMeanKind(gvk, near), Range: doc.Range(kindNode), Suggestion: near.Kind})
		return
	}
	// A custom resource whose CRD we have not seen: not an error of the manifest.
	if prefix == "" {
		r.Status = Skipped
		r.Reason = fmt.Sprintf("no schema for %s: pass its CustomResourceDefinition with --crd", gvk)
	}
	msg = fmt.Sprintf("no schema for kind %q in version %q: pass its CustomResourceDefinition with --crd, or validate against a cluster that serves it", gvk.Kind, gvk.APIVersion())
	if name := v.Source.Name(); strings.Contains(name, "cluster ") {
		// The schemas are a live cluster's: it does not serve the kind (yet).
		msg = fmt.Sprintf("no schema for kind %q in version %q: the cluster (%s) does not serve it; is its CustomResourceDefinition installed? (or pass it with --crd)",
			gvk.Kind, gvk.APIVersion(), name[strings.Index(name, "cluster "):])
	}
	r.Findings = append(r.Findings, Finding{Severity: Warning, Code: CodeNoSchema, Field: prefix + "kind", Message: msg, Range: doc.Range(kindNode)})
}

// didYouMeanKind is the suggestion appended to an unknown-kind message: the kind alone
// when it is served in the version written, else the kind and the version serving it.
func didYouMeanKind(gvk, near schema.GVK) string {
	if near.Group == gvk.Group && near.Version == gvk.Version {
		return fmt.Sprintf(" (did you mean %q?)", near.Kind)
	}
	return fmt.Sprintf(" (did you mean %q in version %q?)", near.Kind, near.APIVersion())
}

// kindList is a Source whose kinds were listed once.
type kindList struct {
	schema.Source
	kinds []schema.KindInfo
}

func (k kindList) Kinds() []schema.KindInfo { return k.kinds }

// offByDefault warns about a built-in group-version that exists but that an apiserver
// serves only when enabled with --runtime-config (alpha and beta APIs).
func (v *Validator) offByDefault(doc *yamlpos.Document, r *Result, gvk schema.GVK, avNode *yaml.Node, prefix string) {
	msg := fmt.Sprintf("%s is not served by a default apiserver: it must be enabled with --runtime-config=%s=true", gvk.APIVersion(), gvk.APIVersion())
	for _, s := range schema.ServedVersions(v.Source, gvk.Kind) {
		if s.Group == gvk.Group && schema.ServedByDefault(s.Version) {
			msg += fmt.Sprintf("; %s is served as apiVersion %s", gvk.Kind, s.APIVersion())
			break
		}
	}
	r.Findings = append(r.Findings, Finding{Severity: Warning, Code: CodeOffByDefault, Field: prefix + "apiVersion", Message: msg, Range: doc.Range(avNode)})
}

// servesGroup reports whether a group is served by a source other than CRD manifests (a
// kind missing from a CRD's group may come from another CRD we were not given).
func servesGroup(kinds []schema.KindInfo, group string) bool {
	for _, k := range kinds {
		if k.GVK.Group == group && k.Origin != schema.OriginCRD {
			return true
		}
	}
	return false
}

func isList(kind string, root *yaml.Node) bool {
	if !strings.HasSuffix(kind, "List") {
		return false
	}
	items, _, m := yamlpos.Lookup(root, yamlpos.Path{{Key: "items"}})
	items = yamlpos.Resolve(items)
	return m == 1 && items != nil && items.Kind == yaml.SequenceNode
}

func scalarField(n *yaml.Node, field string) (string, *yaml.Node) {
	v, _, m := yamlpos.Lookup(n, yamlpos.Path{{Key: field}})
	v = yamlpos.Resolve(v)
	if m != 1 || v == nil || v.Kind != yaml.ScalarNode || yamlpos.KindOf(v) == yamlpos.Null {
		return "", v
	}
	return v.Value, v
}

func scalarPath(n *yaml.Node, fields ...string) (string, *yaml.Node) {
	var p yamlpos.Path
	for _, f := range fields {
		p = p.Field(f)
	}
	v, _, m := yamlpos.Lookup(n, p)
	v = yamlpos.Resolve(v)
	if m != len(p) || v == nil || v.Kind != yaml.ScalarNode || yamlpos.KindOf(v) == yamlpos.Null {
		return "", nil
	}
	return v.Value, v
}

func templated(values ...string) bool {
	for _, v := range values {
		if strings.Contains(v, "{{") {
			return true
		}
	}
	return false
}

func looksTemplated(name string, text []byte) bool {
	return bytes.Contains(text, []byte("{{")) || bytes.Contains(text, []byte("{%"))
}

func hasAliases(text []byte) bool { return bytes.IndexByte(text, '*') >= 0 }

func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// hasTemplateNode finds what Go/Helm template syntax becomes when parsed as YAML: a
// mapping used as a key, as in `name: {{ .Values.name }}`. No manifest has one.
func hasTemplateNode(n *yaml.Node, depth int) bool {
	if depth > 200 {
		return false
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Kind; k == yaml.MappingNode || k == yaml.SequenceNode {
				return true
			}
		}
	}
	for _, c := range n.Content {
		if hasTemplateNode(c, depth+1) {
			return true
		}
	}
	return false
}
