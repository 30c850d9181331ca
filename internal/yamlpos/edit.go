package yamlpos

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Editing YAML text while keeping its format: where an entry of a block mapping ends,
// how lines are indented, values written as YAML (or JSON) in the style of the file, and
// one quoting rule for strings. Lines and columns come from the file's Mapper.

// Edit replaces a byte range of a file with new text.
type Edit struct {
	Range   Range
	NewText string
}

// ApplyEdits applies non-overlapping edits to src; edits must lie in [from, len(src)].
// ok is false when they overlap or fall outside.
func ApplyEdits(src []byte, edits []Edit, from int) ([]byte, bool) {
	sorted := slices.Clone(edits)
	slices.SortFunc(sorted, func(a, b Edit) int { return a.Range.Start - b.Range.Start })
	var out []byte
	last := 0
	for _, ed := range sorted {
		if ed.Range.Start < last || ed.Range.Start < from || ed.Range.End < ed.Range.Start || ed.Range.End > len(src) {
			return nil, false
		}
		out = append(out, src[last:ed.Range.Start]...)
		out = append(out, ed.NewText...)
		last = ed.Range.End
	}
	return append(out, src[last:]...), true
}

// NeedsQuotes reports whether a string must be quoted to stay a string in YAML.
func NeedsQuotes(v string) bool {
	if v == "" || strings.ContainsAny(v[:1], "-?:,[]{}#&*!|>'\"%@` \t") || strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.TrimSpace(v) != v {
		return true
	}
	return ResolveScalar(&yaml.Node{Kind: yaml.ScalarNode, Value: v}).Kind != String
}

// Quote writes the string v as a scalar: in the quotes given (' or "; 0 for none), else
// double-quoted in JSON or where plain text would not read back as the same string, else
// plain.
func Quote(v string, quote byte, json bool) string {
	switch {
	case quote == '\'':
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case quote == '"' || json || NeedsQuotes(v):
		return strconv.Quote(v)
	}
	return v
}

// Value is a value to write: a scalar, an object with fields or an array of items.
type Value struct {
	Kind ValueKind
	// Text is a scalar's value: the string itself (Str), or its literal YAML/JSON text.
	Text string
	Str  bool
	// Fields of an object, Items of an array.
	Fields []Field
	Items  []Value
	// OwnLine puts a RawValue on the line after its key, indented.
	OwnLine bool
}

// ValueKind is the kind of a Value.
type ValueKind int

const (
	ScalarValue ValueKind = iota
	ObjectValue
	ArrayValue
	// RawValue is text written as it is (a snippet's tab stop); under a key, on the
	// key's line, or on the next line when OwnLine is set.
	RawValue
)

// Field is a field of an object Value.
type Field struct {
	Name  string
	Value Value
}

// StringValue is the string s.
func StringValue(s string) Value { return Value{Text: s, Str: true} }

// LiteralValue is a scalar written as s (a number, a boolean).
func LiteralValue(s string) Value { return Value{Text: s} }

// Ensure returns v with leaf at path (object fields) unless v already has a value there;
// missing objects on the way are added.
func (v Value) Ensure(path Path, leaf Value) Value {
	if len(path) == 0 {
		return v
	}
	if v.Kind != ObjectValue {
		v = Value{Kind: ObjectValue}
	}
	fields := append([]Field(nil), v.Fields...)
	for i, f := range fields {
		if f.Name == path[0].Key {
			fields[i].Value = f.Value.Ensure(path[1:], leaf)
			v.Fields = fields
			return v
		}
	}
	if len(path) == 1 {
		v.Fields = append(fields, Field{path[0].Key, leaf})
		return v
	}
	v.Fields = append(fields, Field{path[0].Key, Value{Kind: ObjectValue}.Ensure(path[1:], leaf)})
	return v
}

// Renderer writes values as YAML, or as JSON in a JSON file, with the file's line breaks;
// with Snippet, as the text of an LSP snippet (keys and strings escaped).
type Renderer struct {
	JSON    bool
	Snippet bool
	EOL     string
}

// Renderer is the renderer of the document's file.
func (d *Document) Renderer() Renderer { return Renderer{JSON: d.File.JSON, EOL: d.eol()} }

// Key writes a mapping key.
func (rd Renderer) Key(name string) string { return rd.escape(Quote(name, 0, rd.JSON)) }

func (rd Renderer) scalar(v Value) string {
	if v.Str {
		return rd.escape(Quote(v.Text, 0, rd.JSON))
	}
	return v.Text
}

func (rd Renderer) escape(s string) string {
	if rd.Snippet {
		return SnippetEscape(s)
	}
	return s
}

// SnippetEscape escapes the characters LSP snippet syntax gives a meaning.
func SnippetEscape(s string) string {
	if !strings.ContainsAny(s, `$}\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`)
	return r.Replace(s)
}

// Flow writes a value in flow style.
func (rd Renderer) Flow(v Value) string {
	switch v.Kind {
	case ObjectValue:
		parts := make([]string, len(v.Fields))
		for i, f := range v.Fields {
			parts[i] = rd.Key(f.Name) + ": " + rd.Flow(f.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case ArrayValue:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = rd.Flow(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return rd.scalar(v)
}

// Block writes what follows "key:" for a key at column col: " value" for scalars and
// empty collections, else the nested object or list in block style on the following
// lines (beginning with a line break, without a final one).
func (rd Renderer) Block(v Value, col int) string {
	var b strings.Builder
	switch {
	case v.Kind == ObjectValue && len(v.Fields) > 0:
		for _, f := range v.Fields {
			b.WriteString(rd.EOL + strings.Repeat(" ", col+2) + rd.Key(f.Name) + ":" + rd.Block(f.Value, col+2))
		}
	case v.Kind == ArrayValue && len(v.Items) > 0:
		for _, it := range v.Items {
			b.WriteString(rd.EOL + strings.Repeat(" ", col+2) + "- " + rd.blockItem(it, col+4))
		}
	case v.Kind == RawValue && v.OwnLine:
		b.WriteString(rd.EOL + strings.Repeat(" ", col+2) + v.Text)
	default:
		b.WriteString(" " + rd.Flow(v))
	}
	return b.String()
}

// blockItem writes a list item's value after its "- ", lines after the first at col.
func (rd Renderer) blockItem(v Value, col int) string {
	if v.Kind != ObjectValue || len(v.Fields) == 0 {
		return rd.Flow(v)
	}
	var b strings.Builder
	for i, f := range v.Fields {
		if i > 0 {
			b.WriteString(rd.EOL + strings.Repeat(" ", col))
		}
		b.WriteString(rd.Key(f.Name) + ":" + rd.Block(f.Value, col))
	}
	return b.String()
}

// col is the column of offset in characters (keys of block mappings are preceded only by
// spaces and "- ", so this is also their indentation).
func (d *Document) col(offset int) int { return d.File.Mapper.OffsetPosition(offset).Col }

// lineIndent is the number of spaces starting a line, and whether the line is blank.
func (d *Document) lineIndent(line int) (indent int, blank bool) {
	m, src := d.File.Mapper, d.File.Src
	start, end := m.LineStart(line), m.LineEnd(line)
	i := start
	for i < end && src[i] == ' ' {
		i++
	}
	rest := bytes.TrimSpace(src[i:end])
	return i - start, len(rest) == 0
}

// eol is the line break the document uses.
func (d *Document) eol() string {
	if bytes.Contains(d.Text(), []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

func emptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Style == 0 && KindOf(n) == Null
}

// entryEnd is where the entry of a block mapping whose key k sits at column col ends: the
// end of its last line (before the line break), past the value's nested block, block
// scalar lines and more-indented comments; blank lines after it are not included.
func (d *Document) entryEnd(k, v *yaml.Node, col int) int {
	m := d.File.Mapper
	kr := d.Range(k)
	e := kr.End
	if !emptyNull(v) {
		e = max(e, d.Range(v).End)
	}
	last := m.OffsetLine(max(e-1, kr.Start))
	for l := last + 1; l < m.LineCount() && m.LineStart(l) < d.End; l++ {
		indent, blank := d.lineIndent(l)
		if blank {
			continue
		}
		if indent <= col {
			break
		}
		last = l
	}
	return min(m.LineEnd(last), d.End)
}

// nextLineStart is the start of the line after the one holding offset, if the document
// has one.
func (d *Document) nextLineStart(offset int) (int, bool) {
	m := d.File.Mapper
	l := m.OffsetLine(offset)
	if l+1 < m.LineCount() {
		if s := m.LineStart(l + 1); s <= d.End {
			return s, true
		}
	}
	return offset, false
}

func onlyBytes(b []byte, set string) bool {
	for _, c := range b {
		if !strings.ContainsRune(set, rune(c)) {
			return false
		}
	}
	return true
}

// RemoveEntry removes entry i (an even index into Content) of a mapping: in a block
// mapping its lines, nested block included (an only entry becomes {} so that the object
// stays an object); in a flow mapping `key: value` and the comma next to it. It returns
// nil when it cannot.
func (d *Document) RemoveEntry(parent *yaml.Node, i int) []Edit {
	m, src := d.File.Mapper, d.File.Src
	k, v := parent.Content[i], parent.Content[i+1]
	kr := d.Range(k)
	if parent.Style&yaml.FlowStyle != 0 {
		end := kr.End
		if !emptyNull(v) {
			end = max(end, d.Range(v).End)
		}
		switch {
		case i+2 < len(parent.Content):
			return []Edit{{Range: Range{Start: kr.Start, End: d.Range(parent.Content[i+2]).Start}}}
		case i >= 2:
			prev := d.Range(parent.Content[i-2]).End
			if !emptyNull(parent.Content[i-1]) {
				prev = max(prev, d.Range(parent.Content[i-1]).End)
			}
			return []Edit{{Range: Range{Start: prev, End: end}}}
		}
		return []Edit{{Range: Range{Start: kr.Start, End: end}}}
	}
	col := d.col(kr.Start)
	end := d.entryEnd(k, v, col)
	line := m.OffsetLine(kr.Start)
	lead := src[m.LineStart(line):kr.Start]
	only := len(parent.Content) == 2 && parent != d.Root
	switch {
	case onlyBytes(lead, " "):
		if only {
			return []Edit{{Range: Range{Start: kr.Start, End: end}, NewText: "{}"}}
		}
		from := m.LineStart(line)
		to, ok := d.nextLineStart(end)
		if !ok {
			// The last line, without a line break: remove the break before the entry.
			if line == 0 || m.LineStart(line) <= d.Start {
				return nil
			}
			from = m.LineEnd(line - 1)
		}
		return []Edit{{Range: Range{Start: from, End: to}}}
	case onlyBytes(lead, " -") && bytes.Contains(lead, []byte("-")):
		// The first entry of a list item, on the item's "- " line.
		if i+2 < len(parent.Content) {
			return []Edit{{Range: Range{Start: kr.Start, End: d.Range(parent.Content[i+2]).Start}}}
		}
		return []Edit{{Range: Range{Start: kr.Start, End: end}, NewText: "{}"}}
	}
	return nil
}

// InsertField adds the field name with value val to the mapping n (key is n's key, nil
// at the root or for a list item). In a block mapping the field goes on a new line
// before the first entry, at its indentation (the root and list items, whose first entry
// is not on a line of its own, get it after their last entry); in a flow mapping before
// the closing brace. A null n becomes a mapping with the field (see SetNull).
func (d *Document) InsertField(n, key *yaml.Node, name string, val Value) (Edit, bool) {
	m, src := d.File.Mapper, d.File.Src
	rd := d.Renderer()
	if n == nil || n.Kind == yaml.AliasNode {
		return Edit{}, false
	}
	switch {
	case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0:
		r := d.Range(n)
		closing := r.End - 1
		if closing < r.Start || src[closing] != '}' {
			return Edit{}, false
		}
		field := rd.Key(name) + ": " + rd.Flow(val)
		if len(n.Content) == 0 {
			return Edit{Range: Range{Start: closing, End: closing}, NewText: field}, true
		}
		lastKey, lastVal := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
		at := d.Range(lastKey).End
		if !emptyNull(lastVal) {
			at = max(at, d.Range(lastVal).End)
		}
		if bytes.ContainsAny(src[at:closing], "\r\n") {
			// One entry per line: the new one on a line of its own, indented like the last.
			kr := d.Range(lastKey)
			ls := m.LineStart(m.OffsetLine(kr.Start))
			indent := ls
			for indent < kr.Start && src[indent] == ' ' {
				indent++
			}
			return Edit{Range: Range{Start: at, End: at}, NewText: "," + rd.EOL + string(src[ls:indent]) + field}, true
		}
		return Edit{Range: Range{Start: at, End: at}, NewText: ", " + field}, true
	case n.Kind == yaml.MappingNode && len(n.Content) >= 2:
		first := d.Range(n.Content[0])
		col := d.col(first.Start)
		line := strings.Repeat(" ", col) + rd.Key(name) + ":" + rd.Block(val, col)
		ls := m.LineStart(m.OffsetLine(first.Start))
		if n != d.Root && onlyBytes(src[ls:first.Start], " ") {
			return Edit{Range: Range{Start: ls, End: ls}, NewText: line + rd.EOL}, true
		}
		lastKey, lastVal := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
		end := d.entryEnd(lastKey, lastVal, d.col(d.Range(lastKey).Start))
		return Edit{Range: Range{Start: end, End: end}, NewText: rd.EOL + line}, true
	case n.Kind == yaml.ScalarNode && KindOf(n) == Null && key != nil:
		return d.SetNull(key, n, Value{Kind: ObjectValue, Fields: []Field{{name, val}}})
	}
	return Edit{}, false
}

// SetNull gives the null value n of key the value val. An explicit null (`null`, `~`) is
// replaced; an empty value (`key:`) gets val after the colon, or nested on the lines
// after the key's, indented two spaces more than the key.
func (d *Document) SetNull(key, n *yaml.Node, val Value) (Edit, bool) {
	m, src := d.File.Mapper, d.File.Src
	rd := d.Renderer()
	if !emptyNull(n) {
		return Edit{Range: d.Range(n), NewText: rd.Flow(val)}, true
	}
	if d.File.JSON {
		return Edit{}, false
	}
	kr := d.Range(key)
	text := rd.Block(val, d.col(kr.Start))
	if strings.HasPrefix(text, rd.EOL) {
		// Nested lines: after the key's line, comment included.
		end := m.LineEnd(m.OffsetLine(kr.Start))
		return Edit{Range: Range{Start: end, End: end}, NewText: text}, true
	}
	i := kr.End
	for i < d.End && src[i] == ' ' {
		i++
	}
	if i >= d.End || src[i] != ':' {
		return Edit{}, false
	}
	return Edit{Range: Range{Start: i + 1, End: i + 1}, NewText: text}, true
}
