package validate

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/nodejson"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Codes of findings that only the apiserver's validation code gives.
const (
	// CodeInvalid: a value the apiserver's validation rejects (field.ErrorTypeInvalid).
	CodeInvalid = "invalid"
	// CodeForbidden: a field or value the apiserver forbids in this combination.
	CodeForbidden = "forbidden"
)

// decodeCodes are the schema-level findings that the apiserver gives while decoding a
// request with strict field validation, before its validation code runs: they stay
// ours for built-in kinds. Every other error of the schema and metadata levels (required
// fields, enums, lengths, names, labels, duplicates) is the create path's to give.
var decodeCodes = []string{CodeSyntax, CodeDuplicateKey, CodeAliasLimit, CodeUnknownField, CodeType,
	CodeFormat, CodeQuantity, CodeRange}

// StopsDecoding reports whether the apiserver rejects an object with this finding while
// decoding it, before its validation code runs: once it is fixed, that code may find more.
func StopsDecoding(f Finding) bool {
	return f.Severity == Error && slices.Contains(decodeCodes, f.Code)
}

// judgeBuiltin runs the apiserver's create path on a built-in object and puts its verdict
// in place of the walker's where the two overlap. The walker keeps what stops the
// apiserver's decoder (unknown fields, wrong types, malformed quantities); the values at
// fault are left out of the object the create path sees, and what it then says at or
// around them is not reported, so one mistake gets one finding and the rest of the object
// still gets the apiserver's verdict. It reports false, with out as it was, when the
// object does not reach the create path.
func (v *Validator) judgeBuiltin(ctx context.Context, doc *yamlpos.Document, root *yaml.Node, gvk schema.GVK, prefix string, out []Finding) ([]Finding, bool) {
	k8sGVK := k8sschema.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
	var errs []apiserver.Error
	var removed []string
	if !slices.ContainsFunc(out, StopsDecoding) {
		// Nothing to leave out, every field name exact: the tree straight into the Go type,
		// or where that decoder leaves it (aliases, the rare failure), its JSON text.
		var decodeErr error
		errs, ok := apiserver.CreateDecoded(ctx, k8sGVK, func(into any) error {
			decodeErr = nodejson.Decode(root, into)
			return decodeErr
		})
		if decodeErr == nil {
			if !ok {
				return out, false
			}
			return builtinFindings(doc, root, gvk, prefix, out, errs, nil), true
		}
		if data, ok := yamlpos.AppendJSON(nil, root, v.aliasLimit()); ok {
			if errs, ok = apiserver.CreateJSON(ctx, k8sGVK, data); !ok {
				return out, false
			}
			return builtinFindings(doc, root, gvk, prefix, out, errs, nil), true
		}
	}
	obj := v.objectOf(root)
	if obj == nil {
		return out, false
	}
	for _, f := range out {
		if !StopsDecoding(f) {
			continue
		}
		p := strings.TrimPrefix(f.Field, prefix)
		if f.Code != CodeUnknownField { // the decoder drops unknown fields by itself
			if p = removePath(obj, p); p == "" {
				return out, false
			}
		}
		removed = append(removed, p)
	}
	errs, ok := apiserver.Create(ctx, k8sGVK, obj)
	if !ok {
		return out, false
	}
	return builtinFindings(doc, root, gvk, prefix, out, errs, removed), true
}

// builtinFindings puts the create path's errors in place of the walker's errors but for
// those that stop the decoder, leaving out what it says about the values removed.
func builtinFindings(doc *yamlpos.Document, root *yaml.Node, gvk schema.GVK, prefix string, out []Finding, errs []apiserver.Error, removed []string) []Finding {
	kept := keepErrors(out, StopsDecoding)
	pl := &placer{root: root, gvk: gvk}
	said := make(map[string]bool, len(errs)) // field and message: the apiserver may repeat one
	for _, e := range errs {
		if e.Type == field.ErrorTypeInternal || slices.ContainsFunc(removed, func(p string) bool { return related(p, e) }) {
			continue
		}
		f := Finding{Severity: Error, Code: errorCode(gvk, e), Field: prefix + e.Field, Message: prefix + e.Message}
		if key := f.Field + "\x00" + f.Message; !said[key] {
			said[key] = true
			f.Range = doc.Range(pl.node(e))
			kept = append(kept, f)
		}
	}
	return kept
}

// removePath deletes the value at path from obj, or the list holding it when path ends
// in an index (a hole would shift the items after it). It returns the path removed, ""
// when there is nothing it can remove.
func removePath(obj map[string]any, path string) string {
	p := yamlpos.ParsePath(path)
	for len(p) > 0 && p[len(p)-1].IsIndex {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return ""
	}
	var cur any = obj
	for _, e := range p[:len(p)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[e.Key]
		case []any:
			if !e.IsIndex || e.Index < 0 || e.Index >= len(c) {
				return ""
			}
			cur = c[e.Index]
		default:
			return ""
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return ""
	}
	delete(m, p[len(p)-1].Key)
	return p.String()
}

// within reports whether field path x is y or lies inside it.
func within(x, y string) bool {
	return x == y || strings.HasPrefix(x, y) && (x[len(y)] == '.' || x[len(y)] == '[')
}

// related reports whether an error of the create path may come from a value missing at
// path a: at the same field, one inside the other, the same field name said to be
// required elsewhere, or a sibling left empty or zero by it (a port left out makes its
// defaulted targetPort 0).
func related(a string, e apiserver.Error) bool {
	b := e.Field
	if samePath(a, b) || within(a, b) || within(b, a) {
		return true
	}
	pa, pb := yamlpos.ParsePath(a), yamlpos.ParsePath(b)
	if e.Type == field.ErrorTypeRequired && len(pa) > 0 && len(pb) > 0 && pa[len(pa)-1].Key != "" && pa[len(pa)-1].Key == pb[len(pb)-1].Key {
		return true // the field left out, required under another path (a PVC's requests[storage])
	}
	sibling := len(pa) > 1 && len(pa) == len(pb) && samePath(pa[:len(pa)-1].String(), pb[:len(pb)-1].String())
	return sibling && (e.Type == field.ErrorTypeRequired || e.BadValue == nil || reflect.ValueOf(e.BadValue).IsZero())
}

// objectOf is root as the apiserver decodes it (maps, slices, strings, int64, float64,
// bool, nil); nil when it is not an object or its aliases expand past the limit.
func (v *Validator) objectOf(root *yaml.Node) map[string]any {
	val, err := yamlpos.ToValue(root, v.aliasLimit())
	if err != nil {
		return nil
	}
	obj, _ := val.(map[string]any)
	return obj
}

func (v *Validator) aliasLimit() int {
	if v.AliasLimit <= 0 {
		return DefaultAliasLimit
	}
	return v.AliasLimit
}

// keepErrors is out (a copy) without the errors for which keep is false; warnings stay.
func keepErrors(out []Finding, keep func(Finding) bool) []Finding {
	kept := make([]Finding, 0, len(out))
	for _, f := range out {
		if f.Severity != Error || keep(f) {
			kept = append(kept, f)
		}
	}
	return kept
}

// customCodes are the schema-level findings of a custom resource that the
// apiextensions-apiserver's OpenAPI validation gives with its own semantics (oneOf, anyOf,
// allOf and not as kube-openapi reads them, formats, bounds, list types): the walker's
// reading of these gives way to it.
var customCodes = []string{CodeRequired, CodeEnum, CodeFormat, CodeRange, CodeLength, CodePattern,
	CodeItems, CodeProperties, CodeSchemaCombiner, CodeDuplicateItem}

// judgeCustom validates a custom resource (obj: decoded and defaulted, see
// customProgram) the way the apiextensions-apiserver's custom-resource strategy does: its
// OpenAPI schema validator, the list-type invariants and the rules of embedded resources. The walker keeps what decoding
// and pruning give (unknown fields, types, duplicate keys) and CEL; the rest of its
// schema-level errors give way. minor is the release whose rules apply where they changed
// (see celProgram.schemaFor).
func judgeCustom(ctx context.Context, doc *yamlpos.Document, root *yaml.Node, gvk schema.GVK, prog *celProgram, obj map[string]any, minor int, prefix string, out []Finding) []Finding {
	sv := prog.schemaFor(minor)
	if sv == nil {
		return out
	}
	errs := apiservervalidation.ValidateCustomResource(nil, obj, sv)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, prog.structural, obj)...)
	// Embedded resources (x-kubernetes-embedded-resource): their apiVersion, kind and metadata.
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, obj, prog.structural, false)...)
	kept := keepErrors(out, func(f Finding) bool { return !slices.Contains(customCodes, f.Code) })
	pl := &placer{root: root, gvk: gvk}
	// The fields the walker's remaining errors are about (a type, an unknown field).
	walked := make(map[string]bool, len(kept))
	for _, k := range kept {
		if k.Severity == Error {
			walked[normPath(k.Field)] = true
		}
	}
	for _, e := range errs {
		if e.Type == field.ErrorTypeInternal || e.Field == "metadata" || strings.HasPrefix(e.Field, "metadata.") ||
			e.Field == "apiVersion" || e.Field == "kind" {
			continue // the metadata checks and the kind lookup speak for these
		}
		ae := apiserver.Error{Type: e.Type, Field: strings.TrimPrefix(e.Field, "."), Detail: e.Detail, Message: strings.TrimPrefix(e.Error(), "."), BadValue: e.BadValue}
		if ae.Field == "<nil>" || ae.Field == "" {
			ae.Field = quotedField(e.Detail)
		}
		f := Finding{Severity: Error, Code: customCode(ae), Field: prefix + ae.Field, Message: prefix + ae.Message}
		if walked[normPath(f.Field)] {
			continue // the walker already said what is wrong there
		}
		f.Range = doc.Range(pl.node(ae))
		kept = append(kept, f)
	}
	return kept
}

// typeCode maps the error types that name a kind of problem on their own onto our stable
// codes, the same for built-in kinds and custom resources.
func typeCode(e apiserver.Error) (string, bool) {
	switch e.Type {
	case field.ErrorTypeRequired:
		return CodeRequired, true
	case field.ErrorTypeNotSupported:
		return CodeEnum, true
	case field.ErrorTypeDuplicate:
		return CodeDuplicateItem, true
	case field.ErrorTypeTooLong:
		return CodeLength, true
	case field.ErrorTypeTooMany:
		if strings.Contains(e.Detail, "properties") {
			return CodeProperties, true
		}
		return CodeItems, true
	case field.ErrorTypeForbidden:
		return CodeForbidden, true
	case field.ErrorTypeTypeInvalid:
		if strings.Contains(e.Detail, "must be of type") && !jsonTypeError(e.Detail) {
			return CodeFormat, true // kube-openapi's "must be of type email"
		}
		return CodeType, true
	}
	return "", false
}

// jsonTypeError reports whether a kube-openapi detail names a JSON type (a format error
// names its format instead: "must be of type date-time").
func jsonTypeError(detail string) bool {
	for _, t := range []string{"string", "integer", "number", "boolean", "object", "array", "null"} {
		if strings.Contains(detail, "must be of type "+t) {
			return true
		}
	}
	return false
}

// customCode maps an apiextensions-apiserver error onto our stable codes, by its type or
// else the kind of OpenAPI rule its detail names.
func customCode(e apiserver.Error) string {
	if code, ok := typeCode(e); ok {
		return code
	}
	d := e.Detail
	switch {
	case strings.Contains(d, "oneOf") || strings.Contains(d, "anyOf") || strings.Contains(d, "allOf") || strings.Contains(d, "must not validate"):
		return CodeSchemaCombiner
	case strings.Contains(d, "should be less than") || strings.Contains(d, "should be greater than") || strings.Contains(d, "multiple of"):
		return CodeRange
	case strings.Contains(d, "should match"):
		return CodePattern
	case strings.Contains(d, "should have at least") || strings.Contains(d, "should have at most"):
		if strings.Contains(d, "properties") {
			return CodeProperties
		}
		if strings.Contains(d, "items") {
			return CodeItems
		}
		return CodeLength
	case strings.Contains(d, "must be of type"):
		if jsonTypeError(d) {
			return CodeType
		}
		return CodeFormat
	}
	return CodeInvalid
}

// quotedField is the field a kube-openapi combiner error names in its detail when its
// path is empty (`"spec" must validate one and only one schema (oneOf)`).
func quotedField(detail string) string {
	if !strings.HasPrefix(detail, `"`) {
		return ""
	}
	if end := strings.Index(detail[1:], `"`); end >= 0 {
		return detail[1 : end+1]
	}
	return ""
}

// samePath compares field paths whatever way they print a map key (spec.settings.a and
// spec.settings[a] name the same field).
func samePath(a, b string) bool {
	return a == b || normPath(a) == normPath(b)
}

// normPath prints a field path with map keys as fields (spec.settings.a).
func normPath(s string) string {
	var parts []string
	for _, e := range yamlpos.ParsePath(s) {
		if e.IsIndex {
			parts = append(parts, "["+strconv.Itoa(e.Index)+"]")
		} else {
			parts = append(parts, e.Key)
		}
	}
	return strings.Join(parts, ".")
}

// errorCode maps an apiserver error onto our stable codes. Every error of a
// CustomResourceDefinition is invalid-crd, as it has always been.
func errorCode(gvk schema.GVK, e apiserver.Error) string {
	if gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition" {
		return CodeCRD
	}
	if e.Type == field.ErrorTypeRequired && e.Field == "metadata.name" {
		return CodeName
	}
	if code, ok := typeCode(e); ok {
		return code
	}
	switch {
	case e.Field == "metadata.name" || e.Field == "metadata.generateName":
		return CodeName
	case e.Field == "metadata.namespace":
		return CodeNamespace
	case strings.HasPrefix(e.Field, "metadata.labels"):
		return CodeLabel
	case strings.HasPrefix(e.Field, "metadata.annotations"):
		return CodeAnnotation
	}
	return CodeInvalid
}

// placer finds where apiserver errors are reported in one object (see node), with an
// index of the large collections it has searched, so that thousands of errors about one
// map (a label per error) cost no more than one pass over it each.
type placer struct {
	root  *yaml.Node
	gvk   schema.GVK
	index map[*yaml.Node]map[string]*yaml.Node
}

// node is where an apiserver error is reported: the node its path names (see PathNode),
// or inside it the key or item its value names when the path stops at a collection
// (`metadata.labels: Invalid value: "-x"` is about the key -x).
func (pl *placer) node(e apiserver.Error) *yaml.Node {
	path := e.Field
	if pl.gvk.Group == "apiextensions.k8s.io" && pl.gvk.Kind == "CustomResourceDefinition" {
		path = crdVersionPath(pl.root, path)
	}
	at := PathNode(pl.root, path)
	bad := badValues(e.BadValue)
	if len(bad) == 0 {
		return at
	}
	p := yamlpos.ParsePath(path)
	value, _, matched := yamlpos.Lookup(pl.root, p)
	value = yamlpos.Resolve(value)
	if matched != len(p) || value == nil || value.Kind == yaml.ScalarNode {
		return at
	}
	ix := pl.index[value]
	if ix == nil {
		ix = collectionIndex(value)
		if pl.index == nil {
			pl.index = map[*yaml.Node]map[string]*yaml.Node{}
		}
		pl.index[value] = ix
	}
	for _, b := range bad {
		if n := ix[b]; n != nil {
			return n
		}
	}
	return at
}

// collectionIndex maps the texts in a collection to the node holding each, first
// occurrence first: a mapping's keys, then its scalar values; a sequence's scalar items.
func collectionIndex(c *yaml.Node) map[string]*yaml.Node {
	ix := map[string]*yaml.Node{}
	put := func(text string, n *yaml.Node) {
		if _, ok := ix[text]; !ok {
			ix[text] = n
		}
	}
	switch c.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(c.Content); i += 2 {
			put(c.Content[i].Value, c.Content[i])
		}
		for i := 1; i < len(c.Content); i += 2 {
			if v := yamlpos.Resolve(c.Content[i]); v != nil && v.Kind == yaml.ScalarNode {
				put(v.Value, c.Content[i])
			}
		}
	case yaml.SequenceNode:
		for _, item := range c.Content {
			if it := yamlpos.Resolve(item); it != nil && it.Kind == yaml.ScalarNode {
				put(it.Value, item)
			}
		}
	}
	return ix
}

// badValues are the texts a bad value may be written as in a manifest: a scalar's own,
// or the scalar fields of a struct (an unsupported {"Type":"Rolling"} names type: Rolling).
func badValues(v any) []string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		return []string{rv.String()}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64, reflect.Bool:
		return []string{fmt.Sprint(rv.Interface())}
	case reflect.Struct:
		var out []string
		for i := range rv.NumField() {
			if f := rv.Field(i); f.Kind() == reflect.String && f.String() != "" && rv.Type().Field(i).IsExported() {
				out = append(out, f.String())
			}
		}
		return out
	}
	return nil
}

// crdVersionPath maps a path of the internal CustomResourceDefinition, which holds a
// schema, subresources or printer columns shared by every version at the top of its spec
// (spec.validation.openAPIV3Schema...), onto the first version of the manifest that
// holds it (spec.versions[0].schema.openAPIV3Schema...).
func crdVersionPath(root *yaml.Node, path string) string {
	for internal, versioned := range map[string]string{
		"spec.validation":               "schema",
		"spec.subresources":             "subresources",
		"spec.additionalPrinterColumns": "additionalPrinterColumns",
		"spec.selectableFields":         "selectableFields",
	} {
		rest, ok := strings.CutPrefix(path, internal)
		if !ok || (rest != "" && rest[0] != '.' && rest[0] != '[') {
			continue
		}
		versions, _, m := yamlpos.Lookup(root, yamlpos.Path{{Key: "spec"}, {Key: "versions"}})
		versions = yamlpos.Resolve(versions)
		if m != 2 || versions == nil || versions.Kind != yaml.SequenceNode {
			return path
		}
		for i, v := range versions.Content {
			if _, _, ok := yamlpos.Get(yamlpos.Resolve(v), versioned); ok {
				return fmt.Sprintf("spec.versions[%d].%s%s", i, versioned, rest)
			}
		}
	}
	return path
}

// PathNode finds the node an apiserver field path names under root: the value itself when
// it exists, else the key of its nearest existing ancestor (a missing field is reported at
// its parent), else root's kind. Map keys (`metadata.labels[app]`) point at the key;
// a bracketed key on a list (`ports[80/TCP]`, `env[NAME]`) picks the item whose
// identifying fields it names.
func PathNode(root *yaml.Node, path string) *yaml.Node {
	p := yamlpos.ParsePath(path)
	node, key := root, (*yaml.Node)(nil)
	var lastKey *yaml.Node
	for i, e := range p {
		cur := yamlpos.Resolve(node)
		if cur == nil {
			break
		}
		var next, nextKey *yaml.Node
		switch {
		case e.IsIndex && cur.Kind == yaml.SequenceNode && e.Index >= 0 && e.Index < len(cur.Content):
			next = cur.Content[e.Index]
		case !e.IsIndex && cur.Kind == yaml.MappingNode:
			if v, k, ok := yamlpos.Get(cur, e.Key); ok {
				next, nextKey = v, k
				if e.MapKey && i == len(p)-1 {
					// The error is about the key (a label or annotation name) or its value;
					// the key names it either way.
					return k
				}
			}
		case e.MapKey && cur.Kind == yaml.SequenceNode:
			next = itemByKey(cur, e.Key)
		}
		if next == nil {
			break
		}
		node, key = next, nextKey
		if key != nil {
			lastKey = key
		} else if m := yamlpos.Resolve(next); m != nil && m.Kind == yaml.MappingNode && len(m.Content) > 0 {
			lastKey = m.Content[0]
		}
		if i == len(p)-1 {
			if n := yamlpos.Resolve(node); n != nil && n.Kind == yaml.ScalarNode && (key == nil || yamlpos.KindOf(n) != yamlpos.Null) {
				return node // a value; a null has nothing to point at but its key
			}
			if key != nil {
				return key
			}
			return lastKey
		}
	}
	if lastKey != nil {
		return lastKey
	}
	if _, k, ok := yamlpos.Get(root, "kind"); ok {
		return k
	}
	return root
}

// itemByKey finds the list item a bracketed key names: the item one of whose scalar fields
// equals it (env[NAME] names an item by its name), or, for a key of several parts joined
// by "/" (ports[80/TCP]), the item with each part among its scalar values.
func itemByKey(seq *yaml.Node, key string) *yaml.Node {
	parts := strings.Split(key, "/")
	for _, item := range seq.Content {
		m := yamlpos.Resolve(item)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		var values []string
		for i := 1; i < len(m.Content); i += 2 {
			if v := yamlpos.Resolve(m.Content[i]); v != nil && v.Kind == yaml.ScalarNode {
				values = append(values, v.Value)
			}
		}
		all := true
		for _, part := range parts {
			all = all && slices.Contains(values, part)
		}
		if all {
			return item
		}
	}
	return nil
}
