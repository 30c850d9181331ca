package yamlpos

import (
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// nodeOffset is the byte offset where n's text starts (its anchor or tag, if it has one).
// The YAML parser reports 1-based lines relative to the document and 1-based columns in
// characters.
func (d *Document) nodeOffset(n *yaml.Node) int {
	m := d.File.Mapper
	if n.Line <= 1 {
		// The first line of a document may not start at a line start (a BOM, "--- |").
		i := d.Start
		for c := 1; c < n.Column && i < d.End; c++ {
			_, size := utf8.DecodeRune(d.File.Src[i:])
			i += size
		}
		return i
	}
	base := m.OffsetLine(d.Start)
	return m.LineCharOffset(base+n.Line, n.Column)
}

// Range is the byte range of n's text: a scalar's text with its quotes, an alias with its
// "*", a flow collection up to its closing bracket, a block collection up to the end of its
// last item, and a block scalar's indicator line. Anchors and tags are excluded.
func (d *Document) Range(n *yaml.Node) Range {
	if n == nil {
		return Range{d.Start, d.Start}
	}
	src := d.File.Src
	start := d.skipProperties(d.nodeOffset(n), n)
	switch n.Kind {
	case yaml.AliasNode:
		return Range{start, min(start+1+len(n.Value), d.End)}
	case yaml.ScalarNode:
		return Range{start, d.scalarEnd(start, n)}
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 && start < d.End && (src[start] == '{' || src[start] == '[') {
			return Range{start, d.flowEnd(start)}
		}
		if len(n.Content) == 0 {
			return Range{start, min(start+1, d.End)}
		}
		return Range{start, d.blockEnd(n)}
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return d.Range(n.Content[0])
		}
	}
	return Range{start, start}
}

// blockEnd is where a block collection ends: where its last descendant does. Ends are
// remembered per node, so ranges of every node of a deeply nested document cost linear
// time in all rather than quadratic.
func (d *Document) blockEnd(n *yaml.Node) int {
	if v, ok := d.ends.Load(n); ok {
		return v.(int)
	}
	var chain []*yaml.Node
	cur := n
	end := -1
	for isBlockCollection(cur) && len(cur.Content) > 0 {
		if v, ok := d.ends.Load(cur); ok {
			end = v.(int)
			break
		}
		chain = append(chain, cur)
		cur = cur.Content[len(cur.Content)-1]
	}
	if end < 0 {
		end = d.Range(cur).End
	}
	for _, c := range chain {
		d.ends.Store(c, end)
	}
	return end
}

func isBlockCollection(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0
}

// skipProperties moves past an anchor ("&name") and a tag ("!!str") before a node's value.
func (d *Document) skipProperties(i int, n *yaml.Node) int {
	src := d.File.Src
	for k := 0; k < 2 && i < d.End; k++ {
		if src[i] != '&' && src[i] != '!' {
			break
		}
		if n.Kind == yaml.AliasNode {
			break
		}
		j := i
		for j < d.End && !isBlank(src[j]) {
			j++
		}
		for j < d.End && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		if j >= d.End || src[j] == '\n' || src[j] == '\r' {
			// Properties alone on their line: the value starts on a following line.
			break
		}
		i = j
	}
	return i
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *Document) scalarEnd(start int, n *yaml.Node) int {
	src := d.File.Src
	end := d.End
	if start >= end {
		return start
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0 && src[start] == '"':
		for i := start + 1; i < end; i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return end
	case n.Style&yaml.SingleQuotedStyle != 0 && src[start] == '\'':
		for i := start + 1; i < end; i++ {
			if src[i] == '\'' {
				if i+1 < end && src[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return end
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return d.lineContentEnd(start)
	}
	// Plain scalar: usually its text is its value.
	if v := n.Value; len(v) > 0 && start+len(v) <= end && string(src[start:start+len(v)]) == v {
		return start + len(v)
	}
	// Otherwise (multi-line plain scalars, JSON numbers): up to a comment, a flow indicator or
	// the end of the line.
	i := start
	for i < end {
		c := src[i]
		if c == '\n' || c == '\r' || (c == ' ' && i+1 < end && src[i+1] == '#') || c == ',' || c == ']' || c == '}' {
			break
		}
		if c == ':' && (i+1 >= end || isBlank(src[i+1])) {
			break
		}
		i++
	}
	for i > start && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	if i == start {
		i = min(start+1, end)
	}
	return i
}

func (d *Document) lineContentEnd(i int) int {
	src := d.File.Src
	for i < d.End && src[i] != '\n' && src[i] != '\r' {
		i++
	}
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	return i
}

// flowEnd finds the bracket closing the flow collection opened at start.
func (d *Document) flowEnd(start int) int {
	src := d.File.Src
	depth := 0
	var quote byte
	for i := start; i < d.End; i++ {
		c := src[i]
		if quote != 0 {
			switch {
			case quote == '"' && c == '\\':
				i++
			case c == quote:
				if quote == '\'' && i+1 < d.End && src[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '#':
			if i > start && isBlank(src[i-1]) {
				for i < d.End && src[i] != '\n' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return d.End
}

// KeyValue is one entry of a mapping: its key node and value node.
type KeyValue struct {
	Key, Value *yaml.Node
	// Merged is true when the entry comes from a "<<" merge key.
	Merged bool
}

// Entries lists the entries of a mapping node in source order, with "<<" merge keys
// expanded the way the Kubernetes YAML decoder does: explicit keys win over merged ones.
// Aliases are followed. maxDepth bounds nested merges.
func Entries(n *yaml.Node) []KeyValue {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return entries(n)
}

// HasMerge reports whether a mapping uses a "<<" merge key.
func HasMerge(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			return true
		}
	}
	return false
}

// Get returns the value and key of field in mapping n (aliases and merge keys followed),
// without allocating in the common case.
func Get(n *yaml.Node, field string) (value, key *yaml.Node, ok bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	if !HasMerge(n) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if KeyString(n.Content[i]) == field {
				return n.Content[i+1], n.Content[i], true
			}
		}
		return nil, nil, false
	}
	for _, kv := range entries(n) {
		if KeyString(kv.Key) == field {
			return kv.Value, kv.Key, true
		}
	}
	return nil, nil, false
}

// AppendEntries is Entries appending to buf, so callers can keep small mappings off the heap.
func AppendEntries(buf []KeyValue, n *yaml.Node) []KeyValue {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return buf
	}
	if HasMerge(n) {
		return append(buf, entries(n)...)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		buf = append(buf, KeyValue{Key: n.Content[i], Value: n.Content[i+1]})
	}
	return buf
}

func entries(n *yaml.Node) []KeyValue {
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			hasMerge = true
			break
		}
	}
	out := make([]KeyValue, 0, len(n.Content)/2)
	if !hasMerge {
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, KeyValue{Key: n.Content[i], Value: n.Content[i+1]})
		}
		return out
	}
	explicit := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			explicit[n.Content[i].Value] = true
		}
	}
	seen := map[string]bool{}
	var merge func(v *yaml.Node, depth int)
	merge = func(v *yaml.Node, depth int) {
		v = Resolve(v)
		if v == nil || depth > 16 {
			return
		}
		switch v.Kind {
		case yaml.MappingNode:
			for _, kv := range Entries(v) {
				k := kv.Key.Value
				if explicit[k] || seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, KeyValue{Key: kv.Key, Value: kv.Value, Merged: true})
			}
		case yaml.SequenceNode:
			for _, item := range v.Content {
				merge(item, depth+1)
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			merge(n.Content[i+1], 0)
			continue
		}
		out = append(out, KeyValue{Key: n.Content[i], Value: n.Content[i+1]})
	}
	return out
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 && (k.Tag == "" || k.Tag == "!!merge")
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// ExpandedSize counts the nodes of n with every alias expanded, stopping once the count
// passes limit. Anchored subtrees are sized once, so the cost is linear in the document
// even when the expansion is exponential (an "alias bomb").
func ExpandedSize(n *yaml.Node, limit int) (size int, exceeded bool) {
	memo := map[*yaml.Node]int{}
	var walk func(n *yaml.Node, depth int) int
	walk = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if depth > 10000 {
			return limit + 1
		}
		if n.Kind == yaml.AliasNode {
			return walk(n.Alias, depth+1)
		}
		if s, ok := memo[n]; ok {
			return s
		}
		s := 1
		for _, c := range n.Content {
			s += walk(c, depth+1)
			if s > limit {
				s = limit + 1
				break
			}
		}
		if n.Anchor != "" || len(n.Content) > 0 {
			memo[n] = s
		}
		return s
	}
	s := walk(n, 0)
	return s, s > limit
}
