package probe

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Filler makes minimal plausible values for schemas: objects with their
// required fields filled.
type Filler struct {
	// Enum returns the allowed values of an enum field, the first of which
	// fills a required one.
	Enum func(def, field string) (values []string, ok bool)
	// Plausible are values for required fields, by JSON name (see
	// Plausible).
	Plausible map[string]any
	// Values are values for required fields by "Definition.field", the
	// definition's full or short name; they come before Enum and Plausible.
	Values map[string]any
	// Named are values for whole definitions, by full name (Quantity, ...).
	Named map[string]any
	// Extras are added to a definition's object, by full or short name:
	// what its validation needs beyond the required fields.
	Extras map[string]map[string]any
	// FillMaps gives a map one entry (under MapKey of its field's name);
	// else a map is empty.
	FillMaps bool
	// MapKey is the key of the entry created in a map at a path; nil: "k".
	MapKey func(fp string) string
}

func (f *Filler) mapKey(fp string) string {
	if f.MapKey == nil {
		return "k"
	}
	return f.MapKey(fp)
}

// Minimal returns the smallest plausible value for s.
func (f *Filler) Minimal(s *schema.Schema, depth int) any {
	s = s.T()
	if s == nil || depth > 8 {
		return map[string]any{}
	}
	if v, ok := f.Named[s.Name]; ok {
		return v
	}
	switch {
	case s.IntOrString:
		return 80
	case s.Type == "integer" || s.Type == "number":
		return 1
	case s.Type == "boolean":
		return false
	case s.Type == "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "x"
	case s.Type == "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{f.Minimal(s.Items, depth+1)}
	case f.FillMaps && s.Type == "object" && s.AdditionalProperties != nil && len(s.Properties) == 0:
		return map[string]any{"k": f.Minimal(s.AdditionalProperties, depth+1)}
	}
	out := map[string]any{}
	for _, r := range s.Required {
		p := s.Properties[r]
		if p == nil {
			continue
		}
		pt := p.T()
		if v, ok := f.value(s.Name, r); ok {
			out[r] = v
			continue
		}
		if f.Enum != nil && s.Name != "" {
			if values, ok := f.Enum(s.Name, r); ok {
				v := values[0]
				if pt.Type == "array" {
					out[r] = []any{v}
				} else {
					out[r] = v
				}
				continue
			}
		}
		if v, ok := f.Plausible[r]; ok && (pt.Type != "object" || pt.IntOrString) {
			if _, isList := v.([]any); isList != (pt.Type == "array") {
				out[r] = f.Minimal(p, depth+1)
				continue
			}
			if _, isNum := v.(int); isNum && pt.Type == "string" {
				out[r] = f.Minimal(p, depth+1)
				continue
			}
			out[r] = v
			continue
		}
		if f.FillMaps && pt.Type == "object" && pt.AdditionalProperties != nil && len(pt.Properties) == 0 {
			out[r] = map[string]any{f.mapKey(r): f.Minimal(pt.AdditionalProperties, depth+1)}
			continue
		}
		out[r] = f.Minimal(p, depth+1)
	}
	extras := f.Extras[s.Name]
	if extras == nil && s.Name != "" {
		extras = f.Extras[Short(s.Name)]
	}
	for k, v := range extras {
		if _, has := out[k]; !has {
			out[k] = Clone(v)
		}
	}
	return out
}

// value looks up a value for field r of definition def.
func (f *Filler) value(def, r string) (any, bool) {
	if v, ok := f.Values[def+"."+r]; ok {
		return Clone(v), true
	}
	if v, ok := f.Values[Short(def)+"."+r]; ok {
		return Clone(v), true
	}
	return nil, false
}

// Fill adds to m the fields of s's minimal object it lacks.
func (f *Filler) Fill(m map[string]any, s *schema.Schema, depth int) {
	full, ok := f.Minimal(s, depth).(map[string]any)
	if !ok {
		return
	}
	for k, v := range full {
		if _, has := m[k]; !has {
			m[k] = v
		}
	}
}

// Reach walks path from the object's root, reusing what obj holds and
// creating minimal objects where it holds nothing, and returns the object
// at the end, its schema and its path as the apiserver prints it.
func (f *Filler) Reach(obj map[string]any, root *schema.Schema, path []Step) (map[string]any, *schema.Schema, string, error) {
	var cur any = obj
	node := root.T()
	fp := ""
	for _, st := range path {
		switch st {
		case "[]":
			parent, ok := cur.(*listRef)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not a list", fp)
			}
			node = node.Items.T()
			if len(parent.get()) == 0 {
				parent.set([]any{f.Minimal(node, 0)})
			}
			list := parent.get()
			if _, ok := list[0].(map[string]any); !ok && node.Type == "object" {
				list[0] = f.Minimal(node, 0)
			}
			cur = list[0]
			fp += "[0]"
		case "{}":
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not a map", fp)
			}
			node = node.AdditionalProperties.T()
			if len(m) == 0 {
				m[f.mapKey(fp)] = f.Minimal(node, 0)
			}
			first := slices.Sorted(maps.Keys(m))[0]
			cur = m[first]
			fp += "[" + first + "]"
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not an object", fp)
			}
			name := string(st)
			node = node.Properties[name].T()
			if fp != "" {
				fp += "."
			}
			fp += name
			switch node.Type {
			case "array":
				if _, ok := m[name].([]any); !ok {
					m[name] = []any{}
				}
				cur = &listRef{m, name}
			default:
				if _, ok := m[name].(map[string]any); !ok {
					if node.AdditionalProperties != nil && len(node.Properties) == 0 {
						m[name] = map[string]any{}
					} else {
						m[name] = f.Minimal(node, 0)
					}
				}
				cur = m[name]
			}
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, nil, "", fmt.Errorf("%s: not an object", fp)
	}
	return m, node, fp, nil
}

// listRef is a list held in an object's property, so that it can grow.
type listRef struct {
	m    map[string]any
	name string
}

func (l *listRef) get() []any  { v, _ := l.m[l.name].([]any); return v }
func (l *listRef) set(v []any) { l.m[l.name] = v }

// Plausible returns values for required fields by JSON name, for
// Filler.Plausible; name is what policies are called.
func Plausible(name string) map[string]any {
	return map[string]any{
		"name":            "x",
		"image":           "registry.example/image:1",
		"key":             "example.com/key",
		"topologyKey":     "kubernetes.io/hostname",
		"provisioner":     "example.com/provisioner",
		"signerName":      "example.com/signer",
		"deviceClassName": "example-class",
		"driver":          "example.com",
		"path":            "/x",
		"mountPath":       "/mnt",
		"ip":              "10.1.2.3",
		"expression":      "true",
		"diskName":        "disk",
		"diskURI":         "https://example.blob.core.windows.net/vhds/disk.vhd",
		"policyName":      name,
		"port":            80,
		"maxSkew":         1,
	}
}

// Short returns a definition's short name (its last dotted part).
func Short(def string) string { return def[strings.LastIndexByte(def, '.')+1:] }

// Clone deep-copies a JSON value.
func Clone(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}
