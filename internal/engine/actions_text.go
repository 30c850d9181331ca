package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// The text side of the quick fixes: where an entry of a block mapping ends, how lines
// are indented, and placeholder values written as YAML (or JSON). Lines and columns come
// from the file's yamlpos.Mapper.

// col is the column of offset in characters (keys of block mappings are preceded only by
// spaces and "- ", so this is also their indentation).
func (fx *fixer) col(offset int) int { return fx.d.File.Mapper.OffsetPosition(offset).Col }

// lineIndent is the number of spaces starting a line, and whether the line is blank.
func (fx *fixer) lineIndent(line int) (indent int, blank bool) {
	m, src := fx.d.File.Mapper, fx.d.File.Src
	start, end := m.LineStart(line), m.LineEnd(line)
	i := start
	for i < end && src[i] == ' ' {
		i++
	}
	rest := bytes.TrimSpace(src[i:end])
	return i - start, len(rest) == 0
}

// eol is the line break the document uses.
func (fx *fixer) eol() string {
	if bytes.Contains(fx.d.Text(), []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

func emptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Style == 0 && yamlpos.KindOf(n) == yamlpos.Null
}

// entryEnd is where the entry of a block mapping whose key k sits at column col ends: the
// end of its last line (before the line break), past the value's nested block, block
// scalar lines and more-indented comments; blank lines after it are not included.
func (fx *fixer) entryEnd(k, v *yaml.Node, col int) int {
	d := fx.d
	m := d.File.Mapper
	kr := d.Range(k)
	e := kr.End
	if !emptyNull(v) {
		e = max(e, d.Range(v).End)
	}
	last := m.OffsetLine(max(e-1, kr.Start))
	for l := last + 1; l < m.LineCount() && m.LineStart(l) < d.End; l++ {
		indent, blank := fx.lineIndent(l)
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
func (fx *fixer) nextLineStart(offset int) (int, bool) {
	m := fx.d.File.Mapper
	l := m.OffsetLine(offset)
	if l+1 < m.LineCount() {
		if s := m.LineStart(l + 1); s <= fx.d.End {
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

// removeEntry removes entry i (an even index into Content) of a mapping: in a block
// mapping its lines, nested block included (an only entry becomes {} so that the object
// stays an object); in a flow mapping `key: value` and the comma next to it.
func (fx *fixer) removeEntry(parent *yaml.Node, i int) []TextEdit {
	d := fx.d
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
			return []TextEdit{{Range: yamlpos.Range{Start: kr.Start, End: d.Range(parent.Content[i+2]).Start}}}
		case i >= 2:
			prev := d.Range(parent.Content[i-2]).End
			if !emptyNull(parent.Content[i-1]) {
				prev = max(prev, d.Range(parent.Content[i-1]).End)
			}
			return []TextEdit{{Range: yamlpos.Range{Start: prev, End: end}}}
		}
		return []TextEdit{{Range: yamlpos.Range{Start: kr.Start, End: end}}}
	}
	col := fx.col(kr.Start)
	end := fx.entryEnd(k, v, col)
	line := m.OffsetLine(kr.Start)
	lead := src[m.LineStart(line):kr.Start]
	only := len(parent.Content) == 2 && parent != d.Root
	switch {
	case onlyBytes(lead, " "):
		if only {
			return []TextEdit{{Range: yamlpos.Range{Start: kr.Start, End: end}, NewText: "{}"}}
		}
		from := m.LineStart(line)
		to, ok := fx.nextLineStart(end)
		if !ok {
			// The last line, without a line break: remove the break before the entry.
			if line == 0 || m.LineStart(line) <= d.Start {
				return nil
			}
			from = m.LineEnd(line - 1)
		}
		return []TextEdit{{Range: yamlpos.Range{Start: from, End: to}}}
	case onlyBytes(lead, " -") && bytes.Contains(lead, []byte("-")):
		// The first entry of a list item, on the item's "- " line.
		if i+2 < len(parent.Content) {
			return []TextEdit{{Range: yamlpos.Range{Start: kr.Start, End: d.Range(parent.Content[i+2]).Start}}}
		}
		return []TextEdit{{Range: yamlpos.Range{Start: kr.Start, End: end}, NewText: "{}"}}
	}
	return nil
}

// insertField adds the field name with value val to the mapping n (key is n's key, nil
// at the root or for a list item). In a block mapping the field goes on a new line
// before the first entry, at its indentation (the root and list items, whose first entry
// is not on a line of its own, get it after their last entry); in a flow mapping before
// the closing brace. A null n becomes a mapping with the field (see setNull).
func (fx *fixer) insertField(n, key *yaml.Node, name string, val phValue) (TextEdit, bool) {
	d := fx.d
	m, src := d.File.Mapper, d.File.Src
	rd := fx.renderer()
	if n == nil || n.Kind == yaml.AliasNode {
		return TextEdit{}, false
	}
	switch {
	case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0:
		r := d.Range(n)
		closing := r.End - 1
		if closing < r.Start || src[closing] != '}' {
			return TextEdit{}, false
		}
		field := rd.key(name) + ": " + rd.flow(val)
		if len(n.Content) == 0 {
			return TextEdit{Range: yamlpos.Range{Start: closing, End: closing}, NewText: field}, true
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
			return TextEdit{Range: yamlpos.Range{Start: at, End: at}, NewText: "," + rd.eol + string(src[ls:indent]) + field}, true
		}
		return TextEdit{Range: yamlpos.Range{Start: at, End: at}, NewText: ", " + field}, true
	case n.Kind == yaml.MappingNode && len(n.Content) >= 2:
		first := d.Range(n.Content[0])
		col := fx.col(first.Start)
		line := strings.Repeat(" ", col) + rd.key(name) + ":" + rd.block(val, col)
		ls := m.LineStart(m.OffsetLine(first.Start))
		if n != d.Root && onlyBytes(src[ls:first.Start], " ") {
			return TextEdit{Range: yamlpos.Range{Start: ls, End: ls}, NewText: line + rd.eol}, true
		}
		lastKey, lastVal := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
		end := fx.entryEnd(lastKey, lastVal, fx.col(d.Range(lastKey).Start))
		return TextEdit{Range: yamlpos.Range{Start: end, End: end}, NewText: rd.eol + line}, true
	case n.Kind == yaml.ScalarNode && yamlpos.KindOf(n) == yamlpos.Null && key != nil:
		return fx.setNull(key, n, phValue{kind: phObject, fields: []phField{{name, val}}})
	}
	return TextEdit{}, false
}

// setNull gives the null value n of key the value val. An explicit null (`null`, `~`) is
// replaced; an empty value (`key:`) gets val after the colon, or nested on the lines
// after the key's, indented two spaces more than the key.
func (fx *fixer) setNull(key, n *yaml.Node, val phValue) (TextEdit, bool) {
	d := fx.d
	m, src := d.File.Mapper, d.File.Src
	rd := fx.renderer()
	if !emptyNull(n) {
		return TextEdit{Range: d.Range(n), NewText: rd.flow(val)}, true
	}
	if d.File.JSON {
		return TextEdit{}, false
	}
	kr := d.Range(key)
	text := rd.block(val, fx.col(kr.Start))
	if strings.HasPrefix(text, rd.eol) {
		// Nested lines: after the key's line, comment included.
		end := m.LineEnd(m.OffsetLine(kr.Start))
		return TextEdit{Range: yamlpos.Range{Start: end, End: end}, NewText: text}, true
	}
	i := kr.End
	for i < d.End && src[i] == ' ' {
		i++
	}
	if i >= d.End || src[i] != ':' {
		return TextEdit{}, false
	}
	return TextEdit{Range: yamlpos.Range{Start: i + 1, End: i + 1}, NewText: text}, true
}

func (fx *fixer) renderer() renderer { return renderer{json: fx.d.File.JSON, eol: fx.eol()} }

// phValue is a placeholder value: a scalar, an object with fields or an array of items.
type phValue struct {
	kind phKind
	// text is a scalar's value: the string itself (str), or its literal JSON text.
	text string
	str  bool
	// fields of an object, items of an array.
	fields []phField
	items  []phValue
}

type phKind int

const (
	phScalar phKind = iota
	phObject
	phArray
)

type phField struct {
	name string
	val  phValue
}

func phString(s string) phValue  { return phValue{text: s, str: true} }
func phLiteral(s string) phValue { return phValue{text: s} }

// maxPlaceholderDepth bounds the nesting of placeholders (recursive schemas).
const maxPlaceholderDepth = 6

// placeholder is a value of schema s to fill in for a required field: its first enum
// value or its default if it has one, else an empty or zero value of its type; objects get
// their required fields, arrays one item.
func (fx *fixer) placeholder(s *schema.Schema, depth int) phValue {
	t := s.T()
	if t == nil {
		return phValue{kind: phObject}
	}
	str := t.Type == "string" || t.Type == ""
	if enum, _ := s.EnumOf(); len(enum) > 0 {
		for _, v := range enum {
			if v == "" {
				continue
			}
			if str {
				return phString(v)
			}
			return phLiteral(v)
		}
	}
	if def, ok := s.DefaultValue(); ok {
		var v any
		if json.Unmarshal(def, &v) == nil {
			// The built-in schemas give zero defaults (0, "") to required fields the
			// apiserver then rejects as zero: those are no placeholders.
			switch v := v.(type) {
			case string:
				if v != "" {
					return phString(v)
				}
			case float64:
				if v != 0 {
					return phLiteral(strings.TrimSpace(string(def)))
				}
			case bool:
				return phLiteral(strings.TrimSpace(string(def)))
			}
		}
	}
	switch {
	case t.IntOrString:
		return phLiteral("0")
	case t.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
		return phString("0")
	}
	switch t.Type {
	case "string":
		switch t.Format {
		case "date-time":
			return phString("1970-01-01T00:00:00Z")
		case "date":
			return phString("1970-01-01")
		}
		return phString("")
	case "integer", "number":
		// 1 rather than 0: the apiserver rejects 0 for most required numbers (ports,
		// replicas bounds), and a fix must produce a value it accepts.
		n := 1.0
		if t.Minimum != nil {
			n = math.Ceil(*t.Minimum)
			if t.ExclusiveMinimum && n == *t.Minimum {
				n++
			}
		}
		return phLiteral(strconv.FormatFloat(n, 'f', -1, 64))
	case "boolean":
		return phLiteral("false")
	case "array":
		// A required list is rarely meant to be empty (containers, verbs): one item.
		v := phValue{kind: phArray}
		if t.Items != nil && depth < maxPlaceholderDepth && (t.MaxItems == nil || *t.MaxItems > 0) {
			v.items = []phValue{fx.placeholder(t.Items, depth+1)}
		}
		return v
	}
	v := phValue{kind: phObject}
	if depth >= maxPlaceholderDepth {
		return v
	}
	for _, name := range requiredFields(t) {
		if prop, _ := propertyOf(t, name); prop != nil {
			v.fields = append(v.fields, phField{name, fx.placeholder(prop, depth+1)})
		}
	}
	return v
}

// ensure returns v with leaf at path (object fields) unless v already has a value there;
// missing objects on the way are added.
func (v phValue) ensure(path yamlpos.Path, leaf phValue) phValue {
	if len(path) == 0 {
		return v
	}
	if v.kind != phObject {
		v = phValue{kind: phObject}
	}
	fields := append([]phField(nil), v.fields...)
	for i, f := range fields {
		if f.name == path[0].Key {
			fields[i].val = f.val.ensure(path[1:], leaf)
			v.fields = fields
			return v
		}
	}
	if len(path) == 1 {
		v.fields = append(fields, phField{path[0].Key, leaf})
		return v
	}
	v.fields = append(fields, phField{path[0].Key, phValue{kind: phObject}.ensure(path[1:], leaf)})
	return v
}

// renderer writes placeholders as YAML, or as JSON in a JSON file.
type renderer struct {
	json bool
	eol  string
}

func (rd renderer) key(name string) string {
	if rd.json || needsQuotes(name) {
		return strconv.Quote(name)
	}
	return name
}

func (rd renderer) scalar(v phValue) string {
	if v.str && (rd.json || needsQuotes(v.text)) {
		return strconv.Quote(v.text)
	}
	return v.text
}

// flow writes a value in flow style.
func (rd renderer) flow(v phValue) string {
	switch v.kind {
	case phObject:
		parts := make([]string, len(v.fields))
		for i, f := range v.fields {
			parts[i] = rd.key(f.name) + ": " + rd.flow(f.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case phArray:
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			parts[i] = rd.flow(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return rd.scalar(v)
}

// block writes what follows "key:" for a key at column col: " value" for scalars and
// empty collections, else the nested object or list in block style on the following
// lines (beginning with a line break, without a final one).
func (rd renderer) block(v phValue, col int) string {
	var b strings.Builder
	switch {
	case v.kind == phObject && len(v.fields) > 0:
		for _, f := range v.fields {
			b.WriteString(rd.eol + strings.Repeat(" ", col+2) + rd.key(f.name) + ":" + rd.block(f.val, col+2))
		}
	case v.kind == phArray && len(v.items) > 0:
		for _, it := range v.items {
			b.WriteString(rd.eol + strings.Repeat(" ", col+2) + "- " + rd.blockItem(it, col+4))
		}
	default:
		b.WriteString(" " + rd.flow(v))
	}
	return b.String()
}

// blockItem writes a list item's value after its "- ", lines after the first at col.
func (rd renderer) blockItem(v phValue, col int) string {
	if v.kind != phObject || len(v.fields) == 0 {
		return rd.flow(v)
	}
	var b strings.Builder
	for i, f := range v.fields {
		if i > 0 {
			b.WriteString(rd.eol + strings.Repeat(" ", col))
		}
		b.WriteString(rd.key(f.name) + ":" + rd.block(f.val, col))
	}
	return b.String()
}
