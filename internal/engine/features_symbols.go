package engine

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// maxSymbolDepth bounds the nesting of symbols, against pathological documents.
const maxSymbolDepth = 64

// Symbols outlines a file: one SymbolResource per document holding a mapping or a list,
// named Kind/name (Kind alone without a name, "document N" without a kind, N counting
// from 0 as the validate report does), with apiVersion as its detail. Its children are
// the document's fields: objects and arrays as containers, scalars as fields with their
// value as detail. List items are named by their "name" field when they have one, else
// by their index. Empty documents and documents that do not parse have no symbol.
func (e *Engine) Symbols(f *yamlpos.File) []Symbol {
	if f == nil {
		return nil
	}
	var out []Symbol
	for _, d := range f.Docs {
		d.ParseDoc()
		root := d.Root
		if root == nil || d.Err != nil || (root.Kind != yaml.MappingNode && root.Kind != yaml.SequenceNode) {
			continue
		}
		sym := Symbol{Name: "document " + strconv.Itoa(d.Index), Kind: SymbolResource, Range: d.Range(root)}
		sym.Selection = yamlpos.Range{Start: sym.Range.Start, End: sym.Range.Start}
		if root.Kind == yaml.MappingNode {
			kind, name := mappingScalar(root, "kind"), ""
			if meta, _, ok := yamlpos.Get(root, "metadata"); ok {
				if name = mappingScalar(meta, "name"); name == "" {
					if gen := mappingScalar(meta, "generateName"); gen != "" {
						name = gen + "*"
					}
				}
				if n, _, ok := yamlpos.Get(meta, "name"); ok && n.Kind == yaml.ScalarNode && name != "" {
					sym.Selection = d.Range(n)
				}
			}
			if kind != "" {
				sym.Name = kind
				if name != "" {
					sym.Name += "/" + name
				}
				if sym.Selection.End == sym.Selection.Start {
					if k, _, ok := yamlpos.Get(root, "kind"); ok {
						sym.Selection = d.Range(k)
					}
				}
			}
			sym.Detail = mappingScalar(root, "apiVersion")
		}
		sym.Children = children(d, root, 0)
		out = append(out, sym)
	}
	return out
}

// children lists the symbols of a mapping's entries or a sequence's items.
func children(d *yamlpos.Document, n *yaml.Node, depth int) []Symbol {
	if depth > maxSymbolDepth {
		return nil
	}
	var out []Symbol
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kr := d.Range(k)
			s := node(d, v, depth)
			s.Name = yamlpos.KeyString(k)
			if s.Name == "" {
				s.Name = `""`
			}
			s.Selection = kr
			s.Range = yamlpos.Range{Start: kr.Start, End: max(kr.End, s.Range.End)}
			out = append(out, s)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			s := node(d, item, depth)
			s.Name = "[" + strconv.Itoa(i) + "]"
			s.Selection = s.Range
			if item.Kind == yaml.MappingNode {
				if name := mappingScalar(item, "name"); name != "" {
					s.Name, s.Detail = name, "["+strconv.Itoa(i)+"]"
				}
				if len(item.Content) > 0 {
					s.Selection = d.Range(item.Content[0])
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// node is the symbol of a value, without its name.
func node(d *yamlpos.Document, v *yaml.Node, depth int) Symbol {
	s := Symbol{Range: d.Range(v)}
	switch v.Kind {
	case yaml.MappingNode:
		s.Kind = SymbolObject
		s.Children = children(d, v, depth+1)
	case yaml.SequenceNode:
		s.Kind = SymbolArray
		s.Children = children(d, v, depth+1)
	case yaml.AliasNode:
		s.Kind, s.Detail = SymbolField, "*"+v.Value
	default:
		s.Kind, s.Detail = SymbolField, shorten(v.Value)
	}
	return s
}

// shorten keeps the first line of a value, at most 80 characters.
func shorten(v string) string {
	line, rest, multi := strings.Cut(v, "\n")
	if utf8.RuneCountInString(line) > 80 {
		r := []rune(line)
		return string(r[:79]) + "…"
	}
	if multi && rest != "" {
		return line + " …"
	}
	return line
}
