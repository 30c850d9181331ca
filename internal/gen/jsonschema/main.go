// Command jsonschema writes standalone JSON Schemas (draft 4) of the kinds of an
// embedded Kubernetes release, in the layout kubeconform reads with
//
//	kubeconform -schema-location 'DIR/{{.ResourceKind}}{{.KindSuffix}}.json'
//
// so that kubeconform and kubectl-lsp can be compared on the same specification:
//
//	go run ./internal/gen/jsonschema -kubernetes-version 1.37 -out .cache/bench/schemas-1.37
//
// One file per kind: lower-case kind, then kubeconform's KindSuffix ("-" and the first
// dot-separated part of the group, lower-cased, then "-" and the version; "-v1" for the
// core group), e.g. deployment-apps-v1.json, service-v1.json, ingress-networking-v1.json.
//
// The OpenAPI v3 of the embedded release is translated the way kubectl-lsp reads it:
//
//   - $refs are inlined (a definition that refers to itself, directly or not, goes to
//     the file's "definitions" and is referred to there);
//   - objects that declare properties get additionalProperties: false (like
//     openapi2jsonschema --strict), unless x-kubernetes-preserve-unknown-fields;
//   - int-or-string is oneOf integer/string, a Quantity oneOf string/number;
//   - null is accepted for every field, as the apiserver drops null fields of built-in
//     kinds (the document root must be an object);
//   - a required field is required unless its schema default fills it in (an object
//     default such as {}: then it is required only when that object has required
//     fields itself), as kubectl-lsp and the apiserver's defaulting have it;
//   - with -enums (the default), fields whose values the apiserver enforces get their
//     enum (see schema/enums), which the published OpenAPI describes only in prose.
//
// Descriptions are kept (as in the published kubernetes-json-schema files) unless
// -descriptions=false. Output is deterministic.
//
// With -layout yaml-language-server it writes instead one Kubernetes schema for
// yaml-language-server, from the same translation (see yls.go).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen/jsonschema: ")
	version := flag.String("kubernetes-version", builtin.Latest(), "embedded Kubernetes release (embedded: "+strings.Join(builtin.Versions(), ", ")+")")
	out := flag.String("out", "", "output directory (created)")
	withEnums := flag.Bool("enums", true, "add the enum values the apiserver enforces")
	descriptions := flag.Bool("descriptions", true, "keep descriptions")
	layout := flag.String("layout", "kubeconform", "kubeconform (one file per kind) or yaml-language-server (all.json, _definitions.json and kubernetes.json; see yls.go)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 || (*layout != "kubeconform" && *layout != "yaml-language-server") {
		flag.Usage()
		os.Exit(2)
	}
	g := &generator{enums: *withEnums, descriptions: *descriptions}
	if *layout == "yaml-language-server" {
		n, err := g.runYLS(*version, *out)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote a yaml-language-server schema of %d kinds for Kubernetes %s to %s", n, *version, *out)
		return
	}
	n, err := g.run(*version, *out)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d schemas for Kubernetes %s to %s", n, *version, *out)
}

type generator struct {
	enums, descriptions bool
}

// KindSuffix is kubeconform's (pkg/registry schemaPath) for an apiVersion.
func KindSuffix(apiVersion string) string {
	groupParts := strings.Split(apiVersion, "/")
	versionParts := strings.Split(groupParts[0], ".")
	s := "-" + strings.ToLower(versionParts[0])
	if len(groupParts) > 1 {
		s += "-" + strings.ToLower(groupParts[1])
	}
	return s
}

// FileName is the schema file kubeconform looks for.
func FileName(group, version, kind string) string {
	av := version
	if group != "" {
		av = group + "/" + version
	}
	return strings.ToLower(kind) + KindSuffix(av) + ".json"
}

type gvk struct{ Group, Version, Kind string }

func (k gvk) String() string {
	if k.Group == "" {
		return k.Version + "/" + k.Kind
	}
	return k.Group + "/" + k.Version + "/" + k.Kind
}

type kindFile struct {
	gvk    gvk
	def    string
	served bool // a resource the group-version serves (not a List, an option type, ...)
	doc    *document
}

type document struct {
	defs map[string]map[string]any
}

func (g *generator) run(version, out string) (int, error) {
	idx, err := builtin.LoadIndex(version)
	if err != nil {
		return 0, err
	}
	files := map[string]*kindFile{}
	for _, gv := range idx.GroupVersions {
		raw, err := builtin.Document(version, gv.Group, gv.Version)
		if err != nil {
			return 0, err
		}
		doc, err := parse(raw)
		if err != nil {
			return 0, fmt.Errorf("%s/%s: %w", gv.Group, gv.Version, err)
		}
		served := map[string]bool{}
		for _, r := range gv.Resources {
			served[r.Kind] = true
		}
		for _, name := range mapsKeys(doc.defs) {
			for _, k := range gvksOf(doc.defs[name]) {
				if k.Group != gv.Group || k.Version != gv.Version {
					continue
				}
				kf := &kindFile{gvk: k, def: name, served: served[k.Kind], doc: doc}
				fn := FileName(k.Group, k.Version, k.Kind)
				if prev, ok := files[fn]; ok && prev.gvk != k {
					// Two groups whose names start alike: kubeconform cannot tell them
					// apart. Keep the served resource.
					keep := prev
					if !prev.served && kf.served {
						keep = kf
					}
					log.Printf("warning: %s and %s both map to %s; keeping %s", prev.gvk, k, fn, keep.gvk)
					files[fn] = keep
					continue
				}
				files[fn] = kf
			}
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	names := mapsKeys(files)
	for _, fn := range names {
		kf := files[fn]
		s := g.standalone(kf.doc, kf.def)
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return 0, fmt.Errorf("%s: %w", kf.gvk, err)
		}
		if err := os.WriteFile(filepath.Join(out, fn), append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}

func mapsKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func parse(raw []byte) (*document, error) {
	var d struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return &document{defs: d.Components.Schemas}, nil
}

func gvksOf(def map[string]any) []gvk {
	list, _ := def["x-kubernetes-group-version-kind"].([]any)
	var out []gvk
	for _, x := range list {
		m, _ := x.(map[string]any)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v != "" && k != "" {
			out = append(out, gvk{g, v, k})
		}
	}
	return out
}

const (
	quantityDef = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	refPrefix   = "#/components/schemas/"
)

// conv translates one kind's definition and what it refers to.
type conv struct {
	g     *generator
	doc   *document
	stack []string
	// recursive lists the definitions referred to from within themselves; they go to
	// the file's "definitions".
	recursive map[string]bool
	// shared, when set, makes every definition but Quantity a $ref to
	// "#/definitions/NAME" instead of inlining it (the yaml-language-server layout,
	// see yls.go); it is called with each name referred to. The definitions then
	// accept null themselves.
	shared func(name string)
}

func (g *generator) standalone(doc *document, def string) map[string]any {
	c := &conv{g: g, doc: doc, recursive: map[string]bool{}}
	root := c.ref(def, false)
	if len(c.recursive) > 0 {
		defs := map[string]any{}
		for {
			todo := false
			for _, name := range mapsKeys(c.recursive) {
				if _, done := defs[name]; done {
					continue
				}
				todo = true
				c.stack = c.stack[:0]
				defs[name] = c.ref(name, false)
			}
			if !todo {
				break
			}
		}
		root["definitions"] = defs
	}
	return root
}

// ref inlines the named definition.
func (c *conv) ref(name string, nullable bool) map[string]any {
	if slices.Contains(c.stack, name) {
		c.recursive[name] = true
		r := map[string]any{"$ref": "#/definitions/" + name}
		if nullable {
			return map[string]any{"anyOf": []any{r, map[string]any{"type": "null"}}}
		}
		return r
	}
	raw, ok := c.doc.defs[name]
	if !ok {
		return map[string]any{} // unresolved: anything goes, as for kubectl-lsp
	}
	if c.shared != nil && name != quantityDef {
		// The definitions accept null themselves (yls.go): a plain $ref, which
		// validators follow faster than an anyOf with null.
		c.shared(name)
		return map[string]any{"$ref": "#/definitions/" + name}
	}
	if name == quantityDef {
		return orNull(map[string]any{"oneOf": []any{
			map[string]any{"type": "string"}, map[string]any{"type": "number"}}}, nullable)
	}
	c.stack = append(c.stack, name)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	return c.schema(raw, name, nullable)
}

// target follows $ref and allOf-of-one-$ref to the definition a property stands for.
func (c *conv) target(s map[string]any) (map[string]any, string) {
	for i := 0; i < 16 && s != nil; i++ {
		if r, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(r, refPrefix)
			s = c.doc.defs[name]
			continue
		}
		if all, ok := s["allOf"].([]any); ok && len(all) == 1 && s["type"] == nil && s["properties"] == nil {
			s, _ = all[0].(map[string]any)
			continue
		}
		return s, ""
	}
	return s, ""
}

// schema translates a schema node; def is its definition name when it is one.
func (c *conv) schema(s map[string]any, def string, nullable bool) map[string]any {
	if r, ok := s["$ref"].(string); ok {
		out := c.ref(strings.TrimPrefix(r, refPrefix), nullable)
		c.describe(out, s)
		return out
	}
	if all, ok := s["allOf"].([]any); ok && len(all) == 1 && s["type"] == nil && s["properties"] == nil {
		if inner, ok := all[0].(map[string]any); ok {
			if r, ok := inner["$ref"].(string); ok {
				out := c.ref(strings.TrimPrefix(r, refPrefix), nullable || s["nullable"] == true)
				c.describe(out, s)
				return out
			}
		}
	}
	nullable = nullable || s["nullable"] == true
	out := map[string]any{}
	c.describe(out, s)
	for _, k := range []string{"format", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum",
		"multipleOf", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
		"maxProperties", "minProperties"} {
		if v, ok := s[k]; ok {
			out[k] = v
		}
	}
	if f, _ := s["format"].(string); f == "int-or-string" || s["x-kubernetes-int-or-string"] == true {
		delete(out, "format")
		out["oneOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		return orNull(out, nullable)
	}
	preserve := s["x-kubernetes-preserve-unknown-fields"] == true
	typ, _ := s["type"].(string)
	props, _ := s["properties"].(map[string]any)
	if len(props) > 0 {
		var defEnums map[string]enums.Enum
		if def != "" && c.g.enums {
			defEnums = enums.ForDefinition(def)
		}
		ps := map[string]any{}
		for _, name := range mapsKeys(props) {
			p, _ := props[name].(map[string]any)
			ps[name] = c.withEnum(c.schema(p, "", true), defEnums[name])
		}
		out["properties"] = ps
	}
	if req := c.required(s, 0); len(req) > 0 {
		out["required"] = req
	}
	switch ap := s["additionalProperties"].(type) {
	case map[string]any:
		out["additionalProperties"] = c.schema(ap, "", true)
	case bool:
		out["additionalProperties"] = ap
	case nil:
		if len(props) > 0 && !preserve {
			out["additionalProperties"] = false
		}
	}
	if it, ok := s["items"].(map[string]any); ok {
		out["items"] = c.schema(it, "", true)
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		list, ok := s[k].([]any)
		if !ok {
			continue
		}
		var alts []any
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				alts = append(alts, c.schema(m, "", false))
			}
		}
		out[k] = alts
	}
	if e, ok := s["enum"].([]any); ok {
		out["enum"] = e
	}
	if typ != "" {
		out["type"] = typ
	}
	return orNull(out, nullable)
}

func (c *conv) describe(out, s map[string]any) {
	if d, ok := s["description"].(string); ok && c.g.descriptions {
		out["description"] = d
	}
}

// orNull makes s accept null as well.
func orNull(s map[string]any, nullable bool) map[string]any {
	if !nullable {
		return s
	}
	if t, ok := s["type"].(string); ok {
		s["type"] = []any{t, "null"}
		if e, ok := s["enum"].([]any); ok && !slices.Contains(e, nil) {
			s["enum"] = append(slices.Clip(e), nil)
		}
		return s
	}
	if alts, ok := s["oneOf"].([]any); ok && len(s) <= 2 { // oneOf and maybe description
		s["oneOf"] = append(slices.Clip(alts), map[string]any{"type": "null"})
		return s
	}
	if len(s) == 0 || (len(s) == 1 && s["description"] != nil) {
		return s // anything, null included
	}
	// Combinators with other keywords, no type: null is accepted unless an alternative
	// or an enum rules it out; wrap to be sure.
	d := s["description"]
	delete(s, "description")
	w := map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	if d != nil {
		w["description"] = d
	}
	return w
}

// withEnum adds an enforced enum to a translated property: to the property, or to its
// items when it is a list.
func (c *conv) withEnum(p map[string]any, e enums.Enum) map[string]any {
	if !e.Enforced || len(e.Values) == 0 {
		return p
	}
	vals := make([]any, 0, len(e.Values)+1)
	for _, v := range e.Values {
		vals = append(vals, v)
	}
	target := p
	if it, ok := p["items"].(map[string]any); ok && isType(p, "array") {
		target = it
	}
	if isType(target, "null") {
		vals = append(vals, nil)
	}
	target["enum"] = vals
	return p
}

func isType(s map[string]any, t string) bool {
	switch v := s["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}

// required lists the fields of s that a document must give: those without a default
// that fills them in.
func (c *conv) required(s map[string]any, depth int) []any {
	list, _ := s["required"].([]any)
	props, _ := s["properties"].(map[string]any)
	var out []any
	for _, r := range list {
		name, _ := r.(string)
		p, _ := props[name].(map[string]any)
		if p == nil || c.mustGive(p, depth) {
			out = append(out, name)
		}
	}
	return out
}

// mustGive reports whether a required property must be present: it has no default, or
// a zero default (which the apiserver's validation rejects as missing), or an empty
// object default that still lacks required fields.
func (c *conv) mustGive(p map[string]any, depth int) bool {
	def, ok := p["default"]
	if !ok {
		return true
	}
	switch v := def.(type) {
	case nil, bool:
		return v == nil || v == false
	case json.Number:
		return v.String() == "0"
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		if len(v) > 0 || depth >= 8 {
			return false
		}
		t, _ := c.target(p)
		return t != nil && len(c.required(t, depth+1)) > 0
	}
	return false
}
