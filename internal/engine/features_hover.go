package engine

import (
	"bytes"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/complete"
	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// hoverTarget is the key or value under the cursor, in the object it belongs to.
type hoverTarget struct {
	apiVersion, kind string
	// path leads from the object's root to the key hovered (or whose value is hovered).
	path yamlpos.Path
	// prefix is the object's own path in the document ("items[2]." in a List).
	prefix string
	value  bool
	rng    yamlpos.Range
}

// Hover documents the field under offset: its key or its value, in block or flow style.
// On the apiVersion and kind values it documents the kind. There is nothing to show on
// comments, separators, unknown fields, and documents that are not Kubernetes objects
// or whose kind no schema source serves. A document that does not parse is read line by
// line, so hovering keeps working while another line is being typed.
func (e *Engine) Hover(f *yamlpos.File, offset int) (*HoverResult, bool) {
	if f == nil || offset < 0 || offset > len(f.Src) {
		return nil, false
	}
	d := docAt(f, offset, true)
	if d == nil {
		return nil, false
	}
	var tg hoverTarget
	var ok bool
	switch {
	case d.Root != nil:
		tg, ok = hoverTree(d, offset)
	case d.Err != nil && !f.JSON:
		tg, ok = hoverText(d, offset)
	}
	if !ok {
		return nil, false
	}
	return e.hover(tg)
}

// hoverTree finds the scalar under offset in a parsed document.
func hoverTree(d *yamlpos.Document, offset int) (hoverTarget, bool) {
	var tg hoverTarget
	if d.Root.Kind != yaml.MappingNode {
		return tg, false
	}
	path, rng, value, ok := find(d, d.Root, offset, nil, 0)
	if !ok {
		return tg, false
	}
	obj := d.Root
	// An object inside a List is documented by its own kind.
	if kind := mappingScalar(obj, "kind"); strings.HasSuffix(kind, "List") && len(path) > 2 && path[0].Key == "items" && path[1].IsIndex {
		items, _, _ := yamlpos.Get(obj, "items")
		if items = yamlpos.Resolve(items); items != nil && items.Kind == yaml.SequenceNode && path[1].Index < len(items.Content) {
			if item := yamlpos.Resolve(items.Content[path[1].Index]); item.Kind == yaml.MappingNode && mappingScalar(item, "kind") != "" {
				tg.prefix = "items[" + strconv.Itoa(path[1].Index) + "]."
				obj, path = item, path[2:]
			}
		}
	}
	tg.apiVersion, tg.kind = mappingScalar(obj, "apiVersion"), mappingScalar(obj, "kind")
	tg.path, tg.rng, tg.value = path, rng, value
	return tg, true
}

// within reports whether offset is in r or just at its end (the cursor after a word).
func within(r yamlpos.Range, offset int) bool { return offset >= r.Start && offset <= r.End }

// find descends to the key or scalar value under offset.
func find(d *yamlpos.Document, n *yaml.Node, offset int, path yamlpos.Path, depth int) (yamlpos.Path, yamlpos.Range, bool, bool) {
	if depth > 200 {
		return nil, yamlpos.Range{}, false, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kr := d.Range(k)
			if offset < kr.Start {
				break
			}
			if within(kr, offset) {
				if k.Kind != yaml.ScalarNode {
					return nil, yamlpos.Range{}, false, false
				}
				return path.Field(yamlpos.KeyString(k)), kr, false, true
			}
			if p, r, value, ok := findValue(d, v, offset, path.Field(yamlpos.KeyString(k)), depth); ok {
				return p, r, value, ok
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if p, r, value, ok := findValue(d, item, offset, path.Index(i), depth); ok {
				return p, r, value, ok
			}
		}
	}
	return nil, yamlpos.Range{}, false, false
}

func findValue(d *yamlpos.Document, v *yaml.Node, offset int, path yamlpos.Path, depth int) (yamlpos.Path, yamlpos.Range, bool, bool) {
	switch v.Kind {
	case yaml.ScalarNode:
		if vr := d.Range(v); vr.End > vr.Start && within(vr, offset) {
			return path, vr, true, true
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if vr := d.Range(v); offset >= vr.Start && offset <= vr.End {
			return find(d, v, offset, path, depth+1)
		}
	}
	return nil, yamlpos.Range{}, false, false
}

// hoverText locates the key or value under offset in a document that does not parse.
func hoverText(d *yamlpos.Document, offset int) (hoverTarget, bool) {
	src := d.File.Src
	steps, s, end, value, ok := complete.Locate(src, d.Start, d.End, offset)
	if !ok {
		return hoverTarget{}, false
	}
	tg := hoverTarget{
		apiVersion: complete.RootScalar(src, d.Start, d.End, false, "apiVersion"),
		kind:       complete.RootScalar(src, d.Start, d.End, false, "kind"),
		path:       stepsPath(steps),
		value:      value,
		rng:        yamlpos.Range{Start: s, End: end},
	}
	return tg, true
}

// stepsPath converts a path read from text; list indices are unknown (-1).
func stepsPath(steps []complete.Step) yamlpos.Path {
	p := make(yamlpos.Path, 0, len(steps))
	for _, s := range steps {
		if s.Item {
			p = append(p, yamlpos.Elem{Index: -1, IsIndex: true})
		} else {
			p = append(p, yamlpos.Elem{Key: s.Key})
		}
	}
	return p
}

func (e *Engine) hover(tg hoverTarget) (*HoverResult, bool) {
	t := e.resourceType(tg.apiVersion, tg.kind)
	if t == nil || len(tg.path) == 0 {
		return nil, false
	}
	res := &HoverResult{Range: tg.rng, APIVersion: t.GVK.APIVersion(), Kind: t.GVK.Kind, Source: t.Source}
	var explainPath []string
	kindDoc := tg.value && len(tg.path) == 1 && (tg.path[0].Key == "apiVersion" || tg.path[0].Key == "kind")
	if !kindDoc {
		fd, ok := walk(t.Schema, tg.path)
		if !ok || len(fd.explain) == 0 {
			return nil, false
		}
		explainPath = fd.explain
		res.Path = tg.prefix + fd.display
		res.Type = fd.schema.TypeName()
		res.Required = fd.required()
		if def, ok := fd.schema.DefaultValue(); ok {
			res.Default = string(bytes.TrimSpace(def))
		}
		res.Enum, _ = fd.schema.EnumOf()
		if res.Enum == nil && fd.schema.T().Items != nil {
			res.Enum, _ = fd.schema.T().Items.EnumOf()
		}
	}
	var buf bytes.Buffer
	if err := explain.Render(&buf, t, explainPath, explain.Options{Format: explain.Markdown, ShowEnums: true}); err != nil {
		return nil, false
	}
	if t.Origin == schema.OriginBuiltin {
		res.Link = apiReferenceURL(e.builtin.Version(), t.GVK)
	}
	parts := []string{strings.TrimRight(buf.String(), "\n"), "---"}
	var facts []string
	if res.Path != "" {
		facts = append(facts, "**Path:** "+explain.CodeSpan(res.Path))
	}
	if res.Default != "" {
		facts = append(facts, "**Default:** "+explain.CodeSpan(res.Default))
	}
	if len(facts) > 0 {
		parts = append(parts, strings.Join(facts, " · "))
	}
	if res.Link != "" {
		parts = append(parts, "["+t.GVK.Kind+" "+t.GVK.APIVersion()+" in the Kubernetes API reference]("+res.Link+")")
	}
	parts = append(parts, "Schema: "+explain.CodeSpan(t.Source))
	if t.CRD == nil && apiserver.Handles(t.GVK.Group, t.GVK.Kind) {
		parts[len(parts)-1] += " · Validated by: " + explain.CodeSpan(e.CreatePath())
	}
	res.Markdown = strings.Join(parts, "\n\n") + "\n"
	return res, true
}
