package yamlpos

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Elem is one step of a field path: an object field, a map key or a list index.
type Elem struct {
	Key   string
	Index int
	// IsIndex marks a list index; MapKey marks a key of a map (printed as [key], as the
	// apiserver's field paths print them).
	IsIndex, MapKey bool
}

// Path is a field path from a document's root, e.g. spec.containers[0].image.
type Path []Elem

// Field returns p extended by an object field (a copy; p is not modified).
func (p Path) Field(name string) Path { return append(p[:len(p):len(p)], Elem{Key: name}) }

// Index returns p extended by a list index.
func (p Path) Index(i int) Path { return append(p[:len(p):len(p)], Elem{Index: i, IsIndex: true}) }

// Key returns p extended by a map key.
func (p Path) Key(k string) Path { return append(p[:len(p):len(p)], Elem{Key: k, MapKey: true}) }

// String prints the path the way the apiserver does: fields joined by ".", indices and
// map keys in brackets.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.IsIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		case e.MapKey:
			b.WriteByte('[')
			b.WriteString(e.Key)
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Key)
		}
	}
	return b.String()
}

// ParsePath reads a field path as the apiserver prints it (`spec.containers[0].image`,
// `metadata.labels[app]`, `data[a.b]`). A bracketed number is an index; anything else in
// brackets is a map key.
func ParsePath(s string) Path {
	var p Path
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				p = append(p, Elem{Key: s[1:], MapKey: true})
				return p
			}
			inner := s[1:end]
			if i, err := strconv.Atoi(inner); err == nil {
				p = append(p, Elem{Index: i, IsIndex: true})
			} else {
				p = append(p, Elem{Key: inner, MapKey: true})
			}
			s = s[end+1:]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			p = append(p, Elem{Key: s[:end]})
			s = s[end:]
		}
	}
	return p
}

// Lookup walks path from root. It returns the deepest node reached, the key node of the
// last mapping entry reached (nil at the root or after an index) and how many elements of
// path were matched; matched == len(path) means the whole path exists.
func Lookup(root *yaml.Node, path Path) (node, key *yaml.Node, matched int) {
	node = root
	for _, e := range path {
		cur := Resolve(node)
		if cur == nil {
			return node, key, matched
		}
		switch {
		case e.IsIndex && cur.Kind == yaml.SequenceNode:
			if e.Index < 0 || e.Index >= len(cur.Content) {
				return node, key, matched
			}
			node, key = cur.Content[e.Index], nil
		case !e.IsIndex && cur.Kind == yaml.MappingNode:
			v, k, found := Get(cur, e.Key)
			if !found {
				return node, key, matched
			}
			node, key = v, k
		default:
			return node, key, matched
		}
		matched++
	}
	return node, key, matched
}
