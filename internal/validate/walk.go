package validate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/kube-openapi/pkg/validation/strfmt"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// walker validates one document's node tree against a schema.
type walker struct {
	doc  *yamlpos.Document
	meta *schema.Schema // ObjectMeta, for the metadata of custom and embedded resources
	out  []Finding
	// path and keys are stacks: the field path to the current node and, per level, the
	// nearest key node (for ranges of findings about a whole object).
	path yamlpos.Path
	keys []*yaml.Node
	// prefix is prepended to reported paths (items[3]. inside a List).
	prefix string
	// defs is the stack of definitions entered, innermost last.
	defs []string
	// kind is the kind of the object validated.
	kind string
	// judged: the apiserver's create path judges the object, so the checks it replaces
	// (required fields, metadata rules) are not run.
	judged bool
	// allOfAt is the node being checked against an allOf member: its object already
	// reported the members' required fields (see RequiredFields).
	allOfAt *yaml.Node
}

func (w *walker) fieldPath() string {
	return w.prefix + w.path.String()
}

func (w *walker) childPath(name string) string {
	p := w.fieldPath()
	if p == "" || strings.HasSuffix(p, ".") {
		return p + name
	}
	return p + "." + name
}

func (w *walker) add(sev Severity, code string, n *yaml.Node, field, msg string) {
	w.out = append(w.out, Finding{Severity: sev, Code: code, Field: field, Message: msg, Range: w.doc.Range(n)})
}

// nearestKey is the key node of the innermost object level, for findings about a whole
// object (a missing required field is reported at the key of the object that lacks it).
func (w *walker) nearestKey(fallback *yaml.Node) *yaml.Node {
	if len(w.keys) > 0 && w.keys[len(w.keys)-1] == nil && fallback != nil {
		// Inside a list item: point at the item (its first key), not at the list.
		if fallback.Kind == yaml.MappingNode && len(fallback.Content) > 0 {
			return fallback.Content[0]
		}
		return fallback
	}
	for i := len(w.keys) - 1; i >= 0; i-- {
		if w.keys[i] != nil {
			return w.keys[i]
		}
	}
	return fallback
}

func (w *walker) push(e yamlpos.Elem, key *yaml.Node) {
	w.path = append(w.path, e)
	w.keys = append(w.keys, key)
}

func (w *walker) pop() {
	w.path = w.path[:len(w.path)-1]
	w.keys = w.keys[:len(w.keys)-1]
}

// value validates node n against schema s.
func (w *walker) value(n *yaml.Node, s *schema.Schema) {
	if s == nil || n == nil {
		return
	}
	n = yamlpos.Resolve(n)
	t := s.T()
	if t == nil {
		return
	}
	kind := yamlpos.KindOf(n)
	if kind == yamlpos.Null {
		// The apiserver drops null for optional fields (and for required ones the field
		// counts as missing, which the parent reports).
		return
	}
	if len(t.AllOf) > 0 || len(t.AnyOf) > 0 || len(t.OneOf) > 0 {
		if w.combiners(n, s, t) {
			return
		}
	}
	switch {
	case t.IntOrString:
		w.intOrString(n, s)
		return
	case t.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
		w.quantity(n, kind)
		return
	}
	switch t.Type {
	case "object":
		if kind != yamlpos.Map {
			w.typeError(n, kind, "object")
			return
		}
		w.object(n, s, t)
	case "array":
		if kind != yamlpos.Seq {
			w.typeError(n, kind, "array")
			return
		}
		w.array(n, s, t)
	case "string":
		if kind != yamlpos.String {
			w.typeError(n, kind, "string")
			return
		}
		w.str(n, s, t)
	case "integer":
		sc := yamlpos.ResolveScalar(n)
		if (kind != yamlpos.Int && kind != yamlpos.Float) || !sc.IsIntegral() {
			w.typeError(n, kind, "integer")
			return
		}
		w.integer(n, sc, t)
		w.number(n, sc, t)
		w.enum(n, s, sc.Text)
	case "number":
		if kind != yamlpos.Int && kind != yamlpos.Float {
			w.typeError(n, kind, "number")
			return
		}
		sc := yamlpos.ResolveScalar(n)
		w.number(n, sc, t)
		w.enum(n, s, sc.Text)
	case "boolean":
		if kind != yamlpos.Bool {
			w.typeError(n, kind, "boolean")
			return
		}
		w.enum(n, s, strconv.FormatBool(yamlpos.ResolveScalar(n).Bool))
	default:
		// No type: any type goes (x-kubernetes-preserve-unknown-fields, RawExtension, JSON,
		// and the value validations of a custom resource's allOf/anyOf/oneOf, whose types
		// live in the main schema), but what the schema does say still applies.
		switch kind {
		case yamlpos.Map:
			if len(t.Properties) > 0 || t.AdditionalProperties != nil || len(t.Required) > 0 || t.MinProperties != nil || t.MaxProperties != nil {
				w.object(n, s, t)
			}
		case yamlpos.Seq:
			if t.Items != nil || t.MinItems != nil || t.MaxItems != nil || t.ListType != "" || t.UniqueItems {
				w.array(n, s, t)
			}
		case yamlpos.String:
			w.str(n, s, t)
		case yamlpos.Int, yamlpos.Float:
			sc := yamlpos.ResolveScalar(n)
			w.number(n, sc, t)
			w.enum(n, s, sc.Text)
		case yamlpos.Bool:
			w.enum(n, s, strconv.FormatBool(yamlpos.ResolveScalar(n).Bool))
		}
	}
}

func describe(n *yaml.Node, kind yamlpos.Kind) string {
	switch kind {
	case yamlpos.Map:
		return `"object"`
	case yamlpos.Seq:
		return `"array"`
	case yamlpos.String:
		return strconv.Quote(n.Value)
	}
	return n.Value
}

func (w *walker) typeError(n *yaml.Node, kind yamlpos.Kind, want string) {
	p := w.fieldPath()
	msg := fmt.Sprintf("%s: Invalid value: %s: must be of type %s, not %s", p, describe(n, kind), want, kind)
	if want == "string" && (kind == yamlpos.Int || kind == yamlpos.Float || kind == yamlpos.Bool) {
		article := "a"
		if kind == yamlpos.Int {
			article = "an"
		}
		msg += fmt.Sprintf(" (YAML reads %s as %s %s: quote it to keep it a string)", n.Value, article, kind)
	}
	w.add(Error, CodeType, n, p, msg)
}

func (w *walker) object(n *yaml.Node, s, t *schema.Schema) {
	if t.Name != "" {
		w.defs = append(w.defs, t.Name)
		defer func() { w.defs = w.defs[:len(w.defs)-1] }()
	}
	var buf [24]yamlpos.KeyValue
	entries := yamlpos.AppendEntries(buf[:0], n)
	// Unknown fields are checked against a typed object; the untyped schemas of a custom
	// resource's allOf/anyOf/oneOf only add value validations to the fields they name.
	checkUnknown := t.Type == "object" && (len(t.Properties) > 0 || t.Structural)
	if !t.Structural && t.Type == "" && len(t.Properties) > 0 {
		checkUnknown = true
	}
	if t.PreserveUnknown || t.AdditionalAny {
		checkUnknown = false
	}
	root := len(w.path) == 0 || t.EmbeddedResource
	w.duplicates(entries)
	for _, kv := range entries {
		name := yamlpos.KeyString(kv.Key)
		prop := t.Properties[name]
		if root && (t.Structural || t.EmbeddedResource) {
			// The apiserver validates apiVersion, kind and metadata of every custom (and
			// embedded) resource itself, whatever the CRD's schema says of them (generated
			// CRDs often declare a bare `metadata: {type: object}`).
			switch name {
			case "apiVersion", "kind":
				prop = stringSchema
			case "metadata":
				if w.meta != nil {
					prop = w.meta
				} else if prop == nil {
					prop = anySchema
				}
			}
		}
		switch {
		case prop != nil:
			w.push(yamlpos.Elem{Key: name}, kv.Key)
			w.value(kv.Value, prop)
			w.pop()
		case t.AdditionalProperties != nil:
			w.push(yamlpos.Elem{Key: name, MapKey: true}, kv.Key)
			w.value(kv.Value, t.AdditionalProperties)
			w.pop()
		case checkUnknown:
			w.unknownField(kv.Key, name, t)
		}
	}
	if !w.judged && n != w.allOfAt {
		w.required(n, t, entries)
	}
	if t.MaxProperties != nil && int64(len(entries)) > *t.MaxProperties {
		p := w.fieldPath()
		w.add(Error, CodeProperties, w.nearestKey(n), p, fmt.Sprintf("%s: Too many: %d: must have at most %d items", p, len(entries), *t.MaxProperties))
	}
	if t.MinProperties != nil && int64(len(entries)) < *t.MinProperties {
		p := w.fieldPath()
		w.add(Error, CodeProperties, w.nearestKey(n), p, fmt.Sprintf("%s: Invalid value: %d: %s in body should have at least %d properties", p, len(entries), p, *t.MinProperties))
	}
	_ = s
}

var (
	stringSchema = &schema.Schema{Type: "string"}
	anySchema    = &schema.Schema{PreserveUnknown: true}
)

// hasField reports whether a non-null value is given for field.
func hasField(entries []yamlpos.KeyValue, field string) bool {
	for _, kv := range entries {
		if yamlpos.KeyString(kv.Key) == field && yamlpos.KindOf(kv.Value) != yamlpos.Null {
			return true
		}
	}
	return false
}

// DefaultSatisfies reports whether a default fills in a missing required field. For custom
// resources the apiserver applies defaults before validating. Built-in kinds carry defaults
// in their OpenAPI that are only the Go zero value (0, "", false), which the apiserver's
// validation then rejects as a missing value; their object defaults ({}) are filled in.
func DefaultSatisfies(def json.RawMessage, structural bool) bool {
	if structural {
		return true
	}
	switch strings.TrimSpace(string(def)) {
	case "0", `""`, "false", "null", "[]":
		return false
	}
	return true
}

// IsEmptyObject reports whether a default is the empty object: what kube-openapi gives
// built-in non-pointer struct fields, and what the apiserver then fills in.
func IsEmptyObject(def json.RawMessage) bool { return strings.TrimSpace(string(def)) == "{}" }

// required reports the fields missing from an object that it has to give (see
// RequiredFields); where the apiserver fills in a missing object, what that object lacks.
func (w *walker) required(n *yaml.Node, t *schema.Schema, entries []yamlpos.KeyValue) {
	for _, nd := range needs(t, w.kind) {
		if hasField(entries, nd.name) {
			continue
		}
		if nd.filled {
			w.requiredInDefault(n, nd.name, nd.prop, 0)
			continue
		}
		field := w.childPath(nd.name)
		w.add(Error, CodeRequired, w.nearestKey(n), field, field+": Required value")
	}
}

// requiredInDefault reports the required fields that an empty default object still lacks:
// `template: {}` is filled in for a Deployment, but its containers are still required.
func (w *walker) requiredInDefault(at *yaml.Node, field string, s *schema.Schema, depth int) {
	t := s.T()
	if t == nil || depth > maxDefaultDepth {
		return
	}
	w.path = append(w.path, yamlpos.Elem{Key: field})
	defer func() { w.path = w.path[:len(w.path)-1] }()
	for _, nd := range needs(t, w.kind) {
		if nd.filled {
			w.requiredInDefault(at, nd.name, nd.prop, depth+1)
			continue
		}
		f := w.childPath(nd.name)
		w.add(Error, CodeRequired, w.nearestKey(at), f, f+": Required value")
	}
}

func (w *walker) unknownField(key *yaml.Node, name string, t *schema.Schema) {
	field := w.childPath(name)
	msg := fmt.Sprintf("unknown field %q", field)
	s := suggest(name, t.PropertyNames())
	if s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	w.add(Error, CodeUnknownField, key, field, msg)
	w.out[len(w.out)-1].Suggestion = s
}

// duplicates reports keys that appear twice in one mapping. kubectl's YAML reader keeps the
// last value and the apiserver never sees the others, so this is a warning: the manifest
// is accepted, but not as written.
func (w *walker) duplicates(entries []yamlpos.KeyValue) {
	if len(entries) < 2 {
		return
	}
	var seen map[string]*yaml.Node
	for _, kv := range entries {
		if kv.Merged {
			continue
		}
		name := yamlpos.KeyString(kv.Key)
		if len(entries) <= 8 && seen == nil {
			// Small mappings: a linear scan beats a map.
			for _, other := range entries {
				if other.Key == kv.Key {
					break
				}
				if !other.Merged && yamlpos.KeyString(other.Key) == name {
					w.duplicate(kv.Key, other.Key, name)
					break
				}
			}
			continue
		}
		if seen == nil {
			seen = make(map[string]*yaml.Node, len(entries))
		}
		if first, ok := seen[name]; ok {
			w.duplicate(kv.Key, first, name)
			continue
		}
		seen[name] = kv.Key
	}
}

func (w *walker) duplicate(key, first *yaml.Node, name string) {
	field := w.childPath(name)
	r := w.doc.Range(first)
	line, _ := w.doc.File.Mapper.OffsetLineChar(r.Start)
	w.out = append(w.out, Finding{
		Severity: Warning, Code: CodeDuplicateKey, Field: field,
		Message: fmt.Sprintf("duplicate field %q: %q is also set on line %d; kubectl keeps only the last value and silently drops the others", field, name, line),
		Range:   w.doc.Range(key),
		Related: []Related{{Range: r, Message: "first occurrence of " + strconv.Quote(name)}},
	})
}

// hardListKeys are the built-in lists whose duplicate keys the apiserver's validation
// rejects outright; for other built-in list-maps it only warns.
var hardListKeys = map[string]bool{
	"io.k8s.api.core.v1.PodSpec.containers":          true,
	"io.k8s.api.core.v1.PodSpec.initContainers":      true,
	"io.k8s.api.core.v1.PodSpec.ephemeralContainers": true,
	"io.k8s.api.core.v1.PodSpec.volumes":             true,
}

func (w *walker) array(n *yaml.Node, s, t *schema.Schema) {
	items := n.Content
	for i, item := range items {
		w.push(yamlpos.Elem{Index: i, IsIndex: true}, nil)
		w.value(item, t.Items)
		w.pop()
	}
	if t.MaxItems == nil && t.MinItems == nil && t.ListType != "map" && t.ListType != "set" && !t.UniqueItems {
		return
	}
	p := w.fieldPath()
	if t.MaxItems != nil && int64(len(items)) > *t.MaxItems {
		w.add(Error, CodeItems, w.nearestKey(n), p, fmt.Sprintf("%s: Too many: %d: must have at most %d items", p, len(items), *t.MaxItems))
	}
	if t.MinItems != nil && int64(len(items)) < *t.MinItems {
		w.add(Error, CodeItems, w.nearestKey(n), p, fmt.Sprintf("%s: Invalid value: %d: %s in body should have at least %d items", p, len(items), p, *t.MinItems))
	}
	switch {
	case t.ListType == "map" && len(t.ListMapKeys) > 0:
		w.listMapDuplicates(items, s, t)
	case t.ListType == "set" || t.UniqueItems:
		w.setDuplicates(items, t)
	}
}

func (w *walker) listMapDuplicates(items []*yaml.Node, s, t *schema.Schema) {
	if len(items) < 2 {
		return
	}
	itemSchema := t.Items.T()
	seen := make(map[string]int, len(items))
	for i, item := range items {
		item = yamlpos.Resolve(item)
		if item == nil || item.Kind != yaml.MappingNode {
			continue
		}
		var key strings.Builder
		for _, k := range t.ListMapKeys {
			v := ""
			node, _, matched := yamlpos.Lookup(item, yamlpos.Path{{Key: k}})
			if matched == 1 && yamlpos.KindOf(node) != yamlpos.Null {
				v = yamlpos.ResolveScalar(yamlpos.Resolve(node)).Text
			} else if itemSchema != nil && itemSchema.Properties[k] != nil {
				if def, ok := itemSchema.Properties[k].DefaultValue(); ok {
					var dv any
					if json.Unmarshal(def, &dv) == nil {
						v = fmt.Sprint(dv)
					}
				}
			}
			fmt.Fprintf(&key, "%s=%q,", k, v)
		}
		k := key.String()
		first, dup := seen[k]
		if !dup {
			seen[k] = i
			continue
		}
		p := w.fieldPath() + "[" + strconv.Itoa(i) + "]"
		desc := strings.TrimSuffix(k, ",")
		sev := Error
		msg := fmt.Sprintf("%s: Duplicate value: map[%s]: an earlier item (index %d) has the same key", p, desc, first)
		if !t.Structural {
			name := ""
			if parent := w.parentDefinition(); parent != "" {
				name = parent + "." + w.path[len(w.path)-1].Key
			}
			if !hardListKeys[name] {
				sev = Warning
				msg = fmt.Sprintf("%s: duplicate entries for key [%s] (also at index %d): the apiserver accepts this with a warning, and later entries may hide earlier ones", p, desc, first)
			}
		}
		w.out = append(w.out, Finding{Severity: sev, Code: CodeDuplicateItem, Field: p, Message: msg, Range: w.doc.Range(listKeyNode(item, t.ListMapKeys)),
			Related: []Related{{Range: w.doc.Range(listKeyNode(yamlpos.Resolve(items[first]), t.ListMapKeys)), Message: "first item with this key"}}})
	}
	_ = s
}

// listKeyNode is the value of an item's first list-map key, where a duplicate is best
// pointed at; the item itself when the key is absent.
func listKeyNode(item *yaml.Node, keys []string) *yaml.Node {
	for _, k := range keys {
		if v, _, m := yamlpos.Lookup(item, yamlpos.Path{{Key: k}}); m == 1 {
			return v
		}
	}
	return item
}

// parentDefinition is set by object() callers through defStack; see Validator.
func (w *walker) parentDefinition() string {
	if len(w.defs) == 0 {
		return ""
	}
	return w.defs[len(w.defs)-1]
}

func (w *walker) setDuplicates(items []*yaml.Node, t *schema.Schema) {
	seen := make(map[string]int, len(items))
	for i, item := range items {
		item = yamlpos.Resolve(item)
		if item == nil || item.Kind != yaml.ScalarNode {
			continue
		}
		sc := yamlpos.ResolveScalar(item)
		k := sc.Kind.String() + ":" + sc.Text
		if first, dup := seen[k]; dup {
			p := w.fieldPath() + "[" + strconv.Itoa(i) + "]"
			sev, msg := Error, fmt.Sprintf("%s: Duplicate value: %s", p, describe(item, sc.Kind))
			if !t.Structural {
				sev = Warning
				msg = fmt.Sprintf("%s: duplicate value %s (also at index %d)", p, describe(item, sc.Kind), first)
			}
			w.out = append(w.out, Finding{Severity: sev, Code: CodeDuplicateItem, Field: p, Message: msg, Range: w.doc.Range(item),
				Related: []Related{{Range: w.doc.Range(items[first]), Message: "first occurrence"}}})
			continue
		}
		seen[k] = i
	}
}

func (w *walker) str(n *yaml.Node, s, t *schema.Schema) {
	v := n.Value
	if t.Format == "" && t.MaxLength == nil && t.MinLength == nil && t.Pattern == "" {
		w.enum(n, s, v) // the common case: no path string built unless something is wrong
		return
	}
	p := w.fieldPath()
	switch t.Format {
	case "byte":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			w.add(Error, CodeFormat, n, p, fmt.Sprintf("%s: Invalid value: must be base64-encoded data (%v)", p, err))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			w.add(Error, CodeFormat, n, p, fmt.Sprintf("%s: Invalid value: %s: must be an RFC 3339 date-time, like 2006-01-02T15:04:05Z", p, quoteShort(v)))
		}
	default:
		if t.Structural && t.Format != "" {
			w.format(n, t.Format, v)
		}
	}
	if t.MaxLength != nil && int64(utf8.RuneCountInString(v)) > *t.MaxLength {
		w.add(Error, CodeLength, n, p, fmt.Sprintf("%s: Too long: may not be more than %d bytes", p, *t.MaxLength))
	}
	if t.MinLength != nil && int64(utf8.RuneCountInString(v)) < *t.MinLength {
		w.add(Error, CodeLength, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body should be at least %d chars long", p, quoteShort(v), p, *t.MinLength))
	}
	if t.Pattern != "" {
		if re := compilePattern(t.Pattern); re != nil && !re.MatchString(v) {
			w.add(Error, CodePattern, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body should match '%s'", p, quoteShort(v), p, t.Pattern))
		}
	}
	w.enum(n, s, v)
}

// structuralFormats are the formats the apiserver checks in custom resources.
var structuralFormats = map[string]bool{
	"date-time": true, "date": true, "uuid": true, "uuid3": true, "uuid4": true, "uuid5": true, "email": true,
	"hostname": true, "ipv4": true, "ipv6": true, "cidr": true, "mac": true, "duration": true, "uri": true,
	"byte": true, "hexcolor": true, "rgbcolor": true, "isbn": true, "isbn10": true, "isbn13": true,
	"creditcard": true, "ssn": true, "bsonobjectid": true, "datetime": true,
}

func (w *walker) format(n *yaml.Node, format, v string) {
	if !structuralFormats[format] {
		return
	}
	if !strfmt.Default.Validates(format, v) {
		p := w.fieldPath()
		w.add(Error, CodeFormat, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body must be of type %s: %s", p, quoteShort(v), p, format, quoteShort(v)))
	}
}

var patternCache sync.Map

func compilePattern(p string) *regexp.Regexp {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patternCache.Store(p, re)
	return re
}

func quoteShort(v string) string {
	if len(v) > 80 {
		v = v[:77] + "..."
	}
	return strconv.Quote(v)
}

func (w *walker) integer(n *yaml.Node, sc yamlpos.Scalar, t *schema.Schema) {
	var lo, hi float64
	switch t.Format {
	case "int32":
		lo, hi = math.MinInt32, math.MaxInt32
	case "int64":
		lo, hi = math.MinInt64, math.MaxInt64
	default:
		return
	}
	if v := sc.Number(); v < lo || v > hi {
		p := w.fieldPath()
		w.add(Error, CodeRange, n, p, fmt.Sprintf("%s: Invalid value: %s: must fit in a 32-bit integer (%d to %d)", p, n.Value, int64(lo), int64(hi)))
		if t.Format == "int64" {
			w.out[len(w.out)-1].Message = fmt.Sprintf("%s: Invalid value: %s: must fit in a 64-bit integer", p, n.Value)
		}
	}
}

func (w *walker) number(n *yaml.Node, sc yamlpos.Scalar, t *schema.Schema) {
	if t.Maximum == nil && t.Minimum == nil && t.MultipleOf == nil {
		return
	}
	v := sc.Number()
	p := w.fieldPath()
	if t.Maximum != nil && (v > *t.Maximum || (t.ExclusiveMaximum && v == *t.Maximum)) {
		rel := "less than or equal to"
		if t.ExclusiveMaximum {
			rel = "less than"
		}
		w.add(Error, CodeRange, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body should be %s %s", p, n.Value, p, rel, fmtNum(*t.Maximum)))
	}
	if t.Minimum != nil && (v < *t.Minimum || (t.ExclusiveMinimum && v == *t.Minimum)) {
		rel := "greater than or equal to"
		if t.ExclusiveMinimum {
			rel = "greater than"
		}
		w.add(Error, CodeRange, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body should be %s %s", p, n.Value, p, rel, fmtNum(*t.Minimum)))
	}
	if t.MultipleOf != nil && *t.MultipleOf != 0 {
		if q := v / *t.MultipleOf; q != math.Trunc(q) {
			w.add(Error, CodeRange, n, p, fmt.Sprintf("%s: Invalid value: %s: %s in body should be a multiple of %s", p, n.Value, p, fmtNum(*t.MultipleOf)))
		}
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (w *walker) enum(n *yaml.Node, s *schema.Schema, v string) {
	values, enforced := s.EnumOf()
	if len(values) == 0 {
		return
	}
	if v == "" && !s.T().Structural {
		// Built-in kinds treat "" as unset: defaulted, or reported as a missing value.
		return
	}
	for _, e := range values {
		if e == v {
			return
		}
	}
	p := w.fieldPath()
	quoted := make([]string, len(values))
	for i, e := range values {
		quoted[i] = strconv.Quote(e)
	}
	if enforced {
		w.add(Error, CodeEnum, n, p, fmt.Sprintf("%s: Unsupported value: %s: supported values: %s", p, strconv.Quote(v), strings.Join(quoted, ", ")))
		return
	}
	w.add(Warning, CodeEnum, n, p, fmt.Sprintf("%s: %s is not one of the known values: %s", p, strconv.Quote(v), strings.Join(quoted, ", ")))
}

func (w *walker) intOrString(n *yaml.Node, s *schema.Schema) {
	kind := yamlpos.KindOf(n)
	t := s.T()
	switch kind {
	case yamlpos.String:
		w.str(n, s, t)
	case yamlpos.Int, yamlpos.Float:
		sc := yamlpos.ResolveScalar(n)
		if !sc.IsIntegral() {
			w.typeError(n, kind, "integer or string")
			return
		}
		if !t.Structural {
			if v := sc.Number(); v < math.MinInt32 || v > math.MaxInt32 {
				p := w.fieldPath()
				w.add(Error, CodeRange, n, p, fmt.Sprintf("%s: Invalid value: %s: must fit in a 32-bit integer", p, n.Value))
				return
			}
		}
		w.number(n, sc, t)
	default:
		w.typeError(n, kind, "integer or string")
	}
}

func (w *walker) quantity(n *yaml.Node, kind yamlpos.Kind) {
	switch kind {
	case yamlpos.String, yamlpos.Int, yamlpos.Float:
	default:
		w.typeError(n, kind, "quantity (a string or a number)")
		return
	}
	if _, err := resource.ParseQuantity(strings.TrimSpace(n.Value)); err != nil {
		p := w.fieldPath()
		w.add(Error, CodeQuantity, n, p, fmt.Sprintf("%s: Invalid value: %s: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", p, strconv.Quote(n.Value)))
	}
}

// combiners handles allOf, anyOf and oneOf. Built-in schemas use oneOf only to say "a string
// or a number" (Quantity, IntOrString), handled by their names; custom resources use them
// for value validations. It returns true when it fully handled n.
func (w *walker) combiners(n *yaml.Node, s, t *schema.Schema) bool {
	if t.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity" || t.IntOrString {
		return false
	}
	shell := t.Type == "" && len(t.Properties) == 0 && t.Items == nil && t.AdditionalProperties == nil
	prev := w.allOfAt
	if !shell {
		w.allOfAt = n // the object itself reports its members' required fields
	}
	for _, sub := range t.AllOf {
		w.value(n, sub)
	}
	w.allOfAt = prev
	check := func(subs []*schema.Schema, word string, exactlyOne bool) {
		if len(subs) == 0 {
			return
		}
		matched := 0
		for _, sub := range subs {
			probe := &walker{doc: w.doc, meta: w.meta, path: w.path, keys: w.keys, prefix: w.prefix, defs: w.defs, kind: w.kind}
			probe.value(n, sub)
			if len(probe.out) == 0 {
				matched++
			}
		}
		if matched == 0 || (exactlyOne && matched > 1) {
			p := w.fieldPath()
			at := n
			if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
				at = w.nearestKey(n)
			}
			w.add(Error, CodeSchemaCombiner, at, p, fmt.Sprintf("%s: Invalid value: %s: must validate %s of the schemas in %s", p, describe(n, yamlpos.KindOf(n)), map[bool]string{true: "exactly one", false: "at least one"}[exactlyOne], word))
		}
	}
	check(t.AnyOf, "anyOf", false)
	check(t.OneOf, "oneOf", true)
	return shell
}
