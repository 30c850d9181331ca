package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// docAt returns the document holding offset (its end included), parsed when parse is
// set; nil when offset lies outside every document (on a separator line, or in a file
// without documents).
func docAt(f *yamlpos.File, offset int, parse bool) *yamlpos.Document {
	d := f.DocumentAt(offset)
	if d != nil && parse {
		d.ParseDoc()
	}
	return d
}

// resourceType returns the type of apiVersion/kind, nil when no source serves it. For
// custom resources, apiVersion, kind and metadata are what the apiserver makes of them
// whatever the CRD declares (ObjectMeta for metadata), as validation treats them.
func (e *Engine) resourceType(apiVersion, kind string) *schema.Type {
	if apiVersion == "" || kind == "" {
		return nil
	}
	g, v := schema.ParseAPIVersion(apiVersion)
	t, err := e.chain.Lookup(schema.GVK{Group: g, Version: v, Kind: kind})
	if err != nil || t == nil || t.Schema == nil {
		return nil
	}
	root := t.Schema.T()
	if !root.Structural {
		return t
	}
	cp := *t
	rs := *root
	rs.Properties = maps.Clone(root.Properties)
	if rs.Properties == nil {
		rs.Properties = map[string]*schema.Schema{}
	}
	if meta := e.objectMeta(); meta != nil {
		rs.Properties["metadata"] = meta
	}
	for _, k := range []string{"apiVersion", "kind"} {
		if rs.Properties[k] == nil {
			rs.Properties[k] = &schema.Schema{Type: "string"}
		}
	}
	cp.Schema = &rs
	return &cp
}

// field is what a path designates in a kind's schema.
type field struct {
	// schema is the field's schema as the object holding it declares it; for a list item,
	// the items' schema.
	schema *schema.Schema
	// value is the schema of what the path leads to: schema, or the values' schema when
	// the path ends at a key of a map.
	value *schema.Schema
	// holder is the object declaring the field (nil at the root and for list items).
	holder *schema.Schema
	name   string
	// explain is the path as explain takes it: field names only, lists and maps stepped
	// through.
	explain []string
	// display is the path as the apiserver prints it.
	display string
}

// propertyOf finds property name of object t (or of its allOf members), with the schema
// declaring it.
func propertyOf(t *schema.Schema, name string) (prop, holder *schema.Schema) {
	if t == nil {
		return nil, nil
	}
	if p := t.Properties[name]; p != nil {
		return p, t
	}
	for _, a := range t.AllOf {
		if at := a.T(); at != nil {
			if p := at.Properties[name]; p != nil {
				return p, at
			}
		}
	}
	return nil, nil
}

// propertyNames lists the properties of object t and of its allOf members, sorted.
func propertyNames(t *schema.Schema) []string {
	if t == nil {
		return nil
	}
	if len(t.AllOf) == 0 {
		return slices.Sorted(maps.Keys(t.Properties))
	}
	set := maps.Clone(t.Properties)
	if set == nil {
		set = map[string]*schema.Schema{}
	}
	for _, a := range t.AllOf {
		if at := a.T(); at != nil {
			for k, v := range at.Properties {
				if set[k] == nil {
					set[k] = v
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// walk follows a path from a kind's schema. A key of a map (additionalProperties) that
// ends the path designates the map field itself. Index -1 prints as [*].
func walk(root *schema.Schema, path yamlpos.Path) (field, bool) {
	f := field{schema: root}
	var b strings.Builder
	for i, el := range path {
		t := f.schema.T()
		if t == nil {
			return field{}, false
		}
		if el.IsIndex {
			if t.Items == nil {
				return field{}, false
			}
			f.schema, f.holder = t.Items, nil
			if el.Index < 0 {
				b.WriteString("[*]")
			} else {
				fmt.Fprintf(&b, "[%d]", el.Index)
			}
			continue
		}
		if prop, holder := propertyOf(t, el.Key); prop != nil {
			f.schema, f.holder, f.name = prop, holder, el.Key
			f.explain = append(f.explain, el.Key)
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(el.Key)
			continue
		}
		if t.AdditionalProperties == nil {
			return field{}, false
		}
		b.WriteString("[" + el.Key + "]")
		if i == len(path)-1 {
			f.display, f.value = b.String(), t.AdditionalProperties
			return f, true // the map field itself
		}
		f.schema, f.holder = t.AdditionalProperties, nil
	}
	f.display, f.value = b.String(), f.schema
	return f, true
}

// required reports whether the field is required by the object holding it.
func (f field) required() bool {
	return f.holder != nil && slices.Contains(f.holder.Required, f.name)
}

// mappingScalar is the value of a scalar field of a mapping node, "" when absent.
func mappingScalar(n *yaml.Node, key string) string {
	v, _, ok := yamlpos.Get(n, key)
	v = yamlpos.Resolve(v)
	if !ok || v == nil || v.Kind != yaml.ScalarNode || yamlpos.KindOf(v) == yamlpos.Null {
		return ""
	}
	return v.Value
}

// firstParagraph is a description's first paragraph, on one line.
func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

// isDeprecated reads a description the way the API documents deprecation.
func isDeprecated(desc string) bool {
	return strings.HasPrefix(desc, "Deprecated") || strings.HasPrefix(desc, "DEPRECATED") ||
		strings.Contains(desc, "Deprecated:") || strings.Contains(desc, "field is deprecated")
}

// apiReferenceURL links a built-in kind to the generated Kubernetes API reference of the
// release whose schemas are embedded: one page per release, an anchor per kind and
// version, https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.37/#deployment-v1-apps
// (the core group is "core", dots in group names become dashes). The anchors have kept
// this form across releases, unlike the per-group pages under
// /docs/reference/kubernetes-api/, whose paths follow the site's navigation.
func apiReferenceURL(release string, gvk schema.GVK) string {
	group := gvk.Group
	if group == "" {
		group = "core"
	}
	anchor := strings.ToLower(gvk.Kind) + "-" + gvk.Version + "-" + strings.ReplaceAll(group, ".", "-")
	return "https://kubernetes.io/docs/reference/generated/kubernetes-api/v" + release + "/#" + anchor
}
