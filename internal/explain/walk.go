package explain

import (
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

// How compiled schema nodes map to the OpenAPI kubectl's template walks:
//
//   - a node with Ref (a wrapper) is `allOf: [{$ref}]` plus what the referring property
//     adds (description, default), or a bare `$ref` the enum table decorated;
//   - a node with Name is a definition, reached through a bare `$ref`;
//   - any other node is an inline schema.
//
// kubectl resolves a `$ref` and then looks at the definition's own keywords, so the
// helpers below treat a definition node exactly like an inline one, except that a
// property's "own" description and enum stop at it.

// maxNesting bounds the walks through references, items and maps, against cycles that
// no path or field list would ever end.
const maxNesting = 64

// target is what a resource and field path designate.
type target struct {
	typ *schema.Type
	// path is the field path; empty for the kind itself.
	path []string
	// node is the field's schema (as its parent declares it), or the kind's.
	node *schema.Schema
	// holder is the schema that declares the field (nil for the kind): for -required-
	// and enums.
	holder *schema.Schema
}

// name is the field's name, "" for the kind.
func (tg *target) name() string {
	if len(tg.path) == 0 {
		return ""
	}
	return tg.path[len(tg.path)-1]
}

// required reports whether the field is required in the object that holds it.
func (tg *target) required() bool {
	return tg.holder != nil && slices.Contains(tg.holder.Required, tg.name())
}

// locate follows path from the kind's schema: each element is a property of the object
// reached so far, stepping through references, list items and map values on the way,
// in kubectl's order (properties, items, additionalProperties, allOf).
func locate(t *schema.Type, path []string) (*target, error) {
	tg := &target{typ: t, path: path, node: t.Schema}
	for _, name := range path {
		prop, holder := child(tg.node, name, 0)
		if prop == nil {
			return nil, &FieldNotFoundError{Field: name, Path: path}
		}
		tg.node, tg.holder = prop, holder
	}
	return tg, nil
}

// child finds property name of s, returning the property and the schema that declares it.
func child(s *schema.Schema, name string, depth int) (prop, holder *schema.Schema) {
	if s == nil || depth > maxNesting {
		return nil, nil
	}
	if s.Ref != nil {
		return child(s.Ref, name, depth+1)
	}
	if p := s.Properties[name]; p != nil {
		return p, s
	}
	if s.Items != nil {
		return child(s.Items, name, depth+1)
	}
	if s.AdditionalProperties != nil {
		return child(s.AdditionalProperties, name, depth+1)
	}
	for _, a := range s.AllOf {
		if p, h := child(a, name, depth+1); p != nil {
			return p, h
		}
	}
	return nil, nil
}

// typeName is kubectl's guess at a field's type: []T for lists, map[string]T for maps,
// the short definition name for references to objects (the primitive type for references
// to primitives), else the JSON type with "object" (and no type at all) as Object.
func typeName(s *schema.Schema) string {
	for depth := 0; s != nil && depth <= maxNesting; depth++ {
		if s.Ref != nil {
			s = s.Ref
			continue
		}
		if s.Name != "" {
			if s.Type == "" || s.Type == "object" {
				if i := strings.LastIndexByte(s.Name, '.'); i >= 0 && i < len(s.Name)-1 {
					return s.Name[i+1:]
				}
				return "Object"
			}
			return s.Type
		}
		switch {
		case s.Items != nil:
			return "[]" + typeName(s.Items)
		case s.AdditionalProperties != nil:
			return "map[string]" + typeName(s.AdditionalProperties)
		case len(s.AllOf) == 1 && len(s.Properties) == 0:
			s = s.AllOf[0]
			continue
		case s.Type == "" || s.Type == "object":
			return "Object"
		}
		return s.Type
	}
	return "Object"
}

// ownDescription is the description a property carries itself (not its type's).
func ownDescription(s *schema.Schema) string {
	for n := s; n != nil && n.Name == ""; n = n.Ref {
		if n.Description != "" {
			return n.Description
		}
	}
	return ""
}

// descriptions lists what kubectl prints under DESCRIPTION: the node's description, then
// those of what it refers to, its list items and its map values.
func descriptions(s *schema.Schema) []string {
	return describe(s, func(n *schema.Schema) string { return n.Description })
}

// describe lists the descriptions of s, of what it refers to, its list items and its map
// values, each as desc gives it (skipping empty ones).
func describe(s *schema.Schema, desc func(n *schema.Schema) string) []string {
	var out []string
	var walk func(n *schema.Schema, depth int)
	walk = func(n *schema.Schema, depth int) {
		if n == nil || depth > maxNesting {
			return
		}
		if d := desc(n); d != "" {
			out = append(out, d)
		}
		if n.Ref != nil {
			walk(n.Ref, depth+1)
			return
		}
		for _, a := range n.AllOf {
			walk(a, depth+1)
		}
		walk(n.Items, depth+1)
		walk(n.AdditionalProperties, depth+1)
	}
	walk(s, 0)
	return out
}

// enumValues returns the allowed values of the property name of holder, as a served
// OpenAPI would list them: values from the built-in enum table (the embedded documents
// have none of their own) sorted like the apiserver publishes them, a schema's own
// (CRDs) in their order. An empty string is shown as "".
func enumValues(prop, holder *schema.Schema, name string) []string {
	var values []string
	for n := prop; n != nil && n.Name == ""; n = n.Ref {
		if len(n.Enum) > 0 {
			values = n.Enum
			break
		}
	}
	if len(values) == 0 {
		return nil
	}
	values = slices.Clone(values)
	if holder != nil && holder.Name != "" {
		if _, ok := enums.Lookup(holder.Name, name); ok {
			slices.Sort(values)
		}
	}
	for i, v := range values {
		if v == "" {
			values[i] = `""`
		}
	}
	return values
}

// sortedProps lists the property names of a node in order.
func sortedProps(s *schema.Schema) []string {
	if s == nil || len(s.Properties) == 0 {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// fieldVisitor receives the fields of a field list, in kubectl's order.
type fieldVisitor func(name string, prop, holder *schema.Schema, level int)

// visitFields walks the fields below s the way kubectl's field list does: the properties
// of s (in name order), then those of what it refers to and of its list items and map
// values. With recursive, each property's own fields follow it, one level deeper, until
// maxDepth (0: no limit); a definition already being listed further up is not entered
// again. start tells that s is the explained node itself, which kubectl has already
// resolved and so does not count as entered.
func visitFields(s *schema.Schema, level int, recursive bool, maxDepth int, visit fieldVisitor) {
	var walk func(n *schema.Schema, level int, start bool, open map[*schema.Schema]bool, depth int)
	walk = func(n *schema.Schema, level int, start bool, open map[*schema.Schema]bool, depth int) {
		if n == nil || depth > 4*maxNesting {
			return
		}
		if n.Ref != nil {
			walk(n.Ref, level, false, open, depth+1)
			return
		}
		if n.Name != "" && !start {
			if open[n] {
				return
			}
			open[n] = true
			defer delete(open, n)
		}
		for _, name := range sortedProps(n) {
			p := n.Properties[name]
			visit(name, p, n, level)
			if recursive && (maxDepth == 0 || level < maxDepth) {
				walk(p, level+1, false, open, depth+1)
			}
		}
		for _, a := range n.AllOf {
			walk(a, level, false, open, depth+1)
		}
		walk(n.Items, level, false, open, depth+1)
		walk(n.AdditionalProperties, level, false, open, depth+1)
	}
	walk(s, level, true, map[*schema.Schema]bool{}, 0)
}
