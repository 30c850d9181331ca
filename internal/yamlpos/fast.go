package yamlpos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The fast path parses the subset of YAML that nearly all manifests are written in, into
// exactly the nodes the YAML library builds for it (kind, style, value, line, column),
// several times faster and with a fraction of the allocations. The subset: block mappings
// and sequences (compact "- key: v" included), plain and quoted single-line scalars,
// single-line flow collections, literal block scalars, comments. Anything else — anchors,
// aliases, tags, folded or multi-line scalars, explicit keys, tabs, CR line ends, and
// anything malformed — makes it give up, and the YAML library parses the document, so
// errors and rare constructs get the library's treatment. A test compares the two on
// every fixture and on generated documents.

var errUnsupported = errors.New("outside the fast path's subset")

type fastLine struct {
	start, end int // content [start,end) in text, after indentation; end before any comment
	indent     int // leading spaces
	eol        int // end of the line, before "\n"
	no         int // 1-based line number in text
}

// A parse allocates little besides the tree: the tree's nodes come from one slab and the
// children of all its collections from another, both sized from the number of lines, and
// the scalars' values are substrings of one copy of the text. The parser's own tables are
// reused from one parse to the next.
type fastParser struct {
	text  []byte
	str   string     // text as a string: values are substrings of it
	lines []fastLine // non-blank, non-comment-only lines
	cur   int        // index into lines
	slab  []yaml.Node
	ptrs  []*yaml.Node // the Content of finished collections, one after the other
	// stack holds the children of the collections being parsed, innermost last; high is
	// the most it has held in this parse.
	stack []*yaml.Node
	high  int
	// flowMarks counts the commas and brackets of the text, dashes the lines starting
	// with a dash, for the size of the slabs.
	flowMarks, dashes int
	ascii             bool
	// keyOff, keyEnd and keyColon remember the last answer of findKeyEnd.
	keyOff, keyEnd, keyColon int
}

var parserPool = sync.Pool{New: func() any { return new(fastParser) }}

// fastParse returns the document's root node, or errUnsupported.
func fastParse(text []byte) (root *yaml.Node, err error) {
	p := parserPool.Get().(*fastParser)
	defer p.release()
	p.text, p.ascii = text, true
	p.keyOff, p.keyEnd = -1, -1
	if err := p.scanLines(); err != nil {
		return nil, err
	}
	if len(p.lines) == 0 {
		return nil, nil
	}
	p.str = string(text)
	if len(p.lines) == 0 {
		return nil, nil
	}
	if p.lines[0].indent != 0 {
		return nil, errUnsupported
	}
	root, err = p.block(0, p.lines[0].start, true)
	if err != nil {
		return nil, err
	}
	if p.cur != len(p.lines) {
		return nil, errUnsupported
	}
	return root, nil
}

// release forgets the parse (the tree belongs to the caller) and returns the parser to
// the pool, keeping its tables unless they grew large.
func (p *fastParser) release() {
	clear(p.stack[:max(p.high, len(p.stack))])
	p.text, p.str, p.slab, p.ptrs = nil, "", nil, nil
	p.lines, p.stack = p.lines[:0], p.stack[:0]
	p.cur, p.high, p.flowMarks, p.dashes = 0, 0, 0, 0
	p.keyOff, p.keyEnd = -1, -1
	if cap(p.lines) > 1<<14 || cap(p.stack) > 1<<14 {
		return // a huge document: let the garbage collector have the tables
	}
	parserPool.Put(p)
}

func (p *fastParser) scanLines() error {
	text := p.text
	p.flowMarks = bytes.Count(text, []byte{','}) + bytes.Count(text, []byte{'['}) + bytes.Count(text, []byte{'{'})
	lineNo := 0
	for pos := 0; pos < len(text); {
		lineNo++
		eol, err := p.lineEnd(pos)
		if err != nil {
			return err
		}
		if eol-pos >= 3 && text[pos] == '.' && text[pos+1] == '.' && text[pos+2] == '.' {
			return errUnsupported // a document end marker, perhaps more than one document
		}
		start := skipSpaces(text, pos, eol)
		indent := start - pos
		if start < eol && text[start] != '#' {
			end := eol
			// Strip trailing spaces; comments are cut by the scalar scanners, which know
			// where quoted text ends.
			for end > start && text[end-1] == ' ' {
				end--
			}
			p.lines = append(p.lines, fastLine{start: start, end: end, indent: indent, eol: eol, no: lineNo})
			if text[start] == '-' {
				p.dashes++
			}
		} else if start < eol && text[start] == '#' {
			// comment-only line: skipped
		} else if start == eol {
			// blank line: recorded only as a gap; block scalars look at the raw text.
		}
		pos = eol + 1
	}
	return nil
}

// skipSpaces returns the offset of the first byte in [i,end) that is not a space, or end.
func skipSpaces(text []byte, i, end int) int {
	const spaces = 0x2020202020202020
	for ; i+8 <= end; i += 8 {
		if x := binary.LittleEndian.Uint64(text[i:]) ^ spaces; x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < end && text[i] == ' ' {
		i++
	}
	return i
}

// lineEnd returns the end of the line from offset i: the offset of its "\n", or the end
// of the text. It refuses tabs, CRs and other control characters, and checks non-ASCII
// text.
func (p *fastParser) lineEnd(i int) (int, error) {
	text := p.text
	for {
		i = nextSpecial(text, i)
		if i == len(text) || text[i] == '\n' {
			return i, nil
		}
		if text[i] < utf8.RuneSelf {
			return 0, errUnsupported // tabs, CR, DEL, control characters
		}
		p.ascii = false
		r, size := utf8.DecodeRune(text[i:])
		if !printable(r) {
			return 0, errUnsupported
		}
		i += size
	}
}

// nextSpecial returns the offset of the first byte from i on that is a control character
// (a line break included), DEL or not ASCII; len(text) if there is none.
func nextSpecial(text []byte, i int) int {
	for ; i+8 <= len(text); i += 8 {
		if m := specials(binary.LittleEndian.Uint64(text[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c >= 0x7F {
			return i
		}
	}
	return i
}

// specials sets the high bit of the lowest byte of w (eight bytes of text, the first in
// the lowest byte) that is below 0x20, DEL or 0x80 and above, and maybe of higher bytes;
// it is 0 when there is no such byte. A subtraction borrows from a byte only into the
// bytes above it, so the lowest bit set is always a true one.
func specials(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below20 := (w - 0x20*ones) &^ w
	del := w ^ 0x7F*ones
	del = (del - ones) &^ del
	return (below20 | del | w) & highs
}

// printable reports whether a non-ASCII character is plain YAML text: not a C1 control,
// not one of YAML's extra line breaks (NEL, LS, PS), not a BOM or non-character.
func printable(r rune) bool {
	switch {
	case r == utf8.RuneError, r >= 0x80 && r <= 0x9F, r == 0x2028, r == 0x2029, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return true
}

func (p *fastParser) node() *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, p.nodesAhead())
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

// nodesAhead estimates how many nodes the rest of the document makes: most lines make
// two ("key: value", "key:" and the collection under it), a "- key: value" line three,
// flow collections one or two per comma or bracket.
func (p *fastParser) nodesAhead() int {
	if p.slab == nil {
		return p.nodesInAll()
	}
	return 2*(len(p.lines)-p.cur) + p.dashes/4 + 4
}

// nodesInAll estimates how many nodes the document makes.
func (p *fastParser) nodesInAll() int {
	return 2*len(p.lines) + p.dashes + 2*p.flowMarks + 4
}

// children ends the collection whose children were pushed from base on, returning them.
func (p *fastParser) children(base int) []*yaml.Node {
	items := p.stack[base:]
	p.high = max(p.high, len(p.stack))
	p.stack = p.stack[:base]
	if len(items) == 0 {
		return nil
	}
	if cap(p.ptrs)-len(p.ptrs) < len(items) {
		// Every node but the root is a child: the first slab is sized for the whole
		// document (inner collections end first, the root last).
		more := len(p.lines) / 4
		if p.ptrs == nil {
			more = p.nodesInAll()
		}
		p.ptrs = make([]*yaml.Node, 0, max(len(items), more))
	}
	start := len(p.ptrs)
	p.ptrs = append(p.ptrs, items...)
	return p.ptrs[start:len(p.ptrs):len(p.ptrs)]
}

// column is the 1-based character column of offset off on line li.
func (p *fastParser) column(li, off int) int {
	l := &p.lines[li]
	lineStart := l.start - l.indent
	if p.ascii {
		return off - lineStart + 1
	}
	return utf8.RuneCount(p.text[lineStart:off]) + 1
}

func (p *fastParser) at(n *yaml.Node, li, off int) {
	n.Line = p.lines[li].no
	n.Column = p.column(li, off)
}

// block parses the block node starting at offset off of the current line, whose column
// (in spaces from the line start) is indent.
func (p *fastParser) block(indent, off int, top bool) (*yaml.Node, error) {
	l := p.lines[p.cur]
	if isSeqEntry(p.text, off, l.end) {
		return p.sequence(indent, off)
	}
	if _, ok := p.findKeyEnd(off, l.end); ok {
		return p.mapping(indent, off)
	}
	if top {
		return nil, errUnsupported // a document that is a bare scalar
	}
	return nil, errUnsupported
}

func isSeqEntry(text []byte, off, end int) bool {
	return off < end && text[off] == '-' && (off+1 == end || text[off+1] == ' ')
}

// findKeyEnd finds the ':' ending a mapping key that starts at off, returning the offset
// of the colon. Keys are plain or quoted and on one line.
func (p *fastParser) findKeyEnd(off, end int) (int, bool) {
	text := p.text
	if off >= end {
		return 0, false
	}
	switch text[off] {
	case '"', '\'':
		q, err := p.quotedEnd(off, end)
		if err != nil {
			return 0, false
		}
		i := q
		for i < end && text[i] == ' ' {
			i++
		}
		if i < end && text[i] == ':' && (i+1 == end || text[i+1] == ' ') {
			return i, true
		}
		return 0, false
	case '-', '?', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '#', ',':
		return 0, false
	}
	if text[off] == ':' {
		return 0, false
	}
	if off == p.keyOff && end == p.keyEnd {
		return p.keyColon, p.keyColon >= 0 // the line's mapping and its first key ask both
	}
	colon := -1
	for i := off; i < end; i++ {
		i = indexColonHash(text, i, end)
		if i == end {
			break
		}
		if text[i] == ':' && (i+1 == end || text[i+1] == ' ') {
			colon = i
			break
		}
		if text[i] == '#' && text[i-1] == ' ' {
			break
		}
	}
	p.keyOff, p.keyEnd, p.keyColon = off, end, colon
	return colon, colon >= 0
}

// indexColonHash returns the offset of the first ':' or '#' in text[i:end], or end.
func indexColonHash(text []byte, i, end int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= end; i += 8 {
		w := binary.LittleEndian.Uint64(text[i:])
		colons, hashes := w^(':'*ones), w^('#'*ones)
		// A byte is found where one of the two is zero; as in specials, the lowest bit
		// set is a true one.
		if m := ((colons-ones)&^colons | (hashes-ones)&^hashes) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < end; i++ {
		if c := text[i]; c == ':' || c == '#' {
			return i
		}
	}
	return end
}

func (p *fastParser) mapping(indent, off int) (*yaml.Node, error) {
	m := p.node()
	m.Kind, m.Tag = yaml.MappingNode, "!!map"
	p.at(m, p.cur, off)
	base := len(p.stack)
	first := true
	for p.cur < len(p.lines) {
		l := p.lines[p.cur]
		if !first {
			if l.indent < indent {
				break
			}
			if l.indent > indent {
				return nil, errUnsupported
			}
			off = l.start
			if isSeqEntry(p.text, off, l.end) {
				break // a sequence at the same indentation ends this mapping's value
			}
		}
		first = false
		colon, ok := p.findKeyEnd(off, l.end)
		if !ok || colon-off > 1000 {
			return nil, errUnsupported // YAML limits implicit keys to 1024 characters
		}
		key, err := p.keyNode(off, colon)
		if err != nil {
			return nil, err
		}
		if key.Value == "<<" && key.Style == 0 {
			return nil, errUnsupported // merge keys: the library handles them
		}
		val, err := p.value(indent, colon+1, l, true)
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, key, val)
	}
	m.Content = p.children(base)
	return m, nil
}

func (p *fastParser) keyNode(off, colon int) (*yaml.Node, error) {
	k := p.node()
	k.Kind = yaml.ScalarNode
	p.at(k, p.cur, off)
	text := p.text
	switch text[off] {
	case '"', '\'':
		v, style, _, err := p.quoted(off, colon)
		if err != nil {
			return nil, err
		}
		k.Value, k.Style, k.Tag = v, style, "!!str"
	default:
		end := colon
		for end > off && text[end-1] == ' ' {
			end--
		}
		k.Value = p.str[off:end]
	}
	return k, nil
}

// value parses what follows a mapping key's colon (or a sequence dash) at offset off of
// line l; parentIndent is the indentation of the mapping or sequence. It advances p.cur
// past everything it consumed.
func (p *fastParser) value(parentIndent, off int, l fastLine, inMapping bool) (*yaml.Node, error) {
	text := p.text
	origOff := off
	for off < l.end && text[off] == ' ' {
		off++
	}
	if off >= l.end || (text[off] == '#' && text[off-1] == ' ') {
		// Nothing on this line: the value is on the following lines, or null.
		li := p.cur
		p.cur++
		if p.cur < len(p.lines) {
			next := p.lines[p.cur]
			if next.indent > parentIndent {
				return p.block(next.indent, next.start, false)
			}
			if inMapping && next.indent == parentIndent && isSeqEntry(text, next.start, next.end) {
				return p.sequence(next.indent, next.start)
			}
		}
		n := p.node()
		n.Kind, n.Tag = yaml.ScalarNode, "!!null"
		n.Line = p.lines[li].no
		n.Column = p.column(li, min(origOff, l.end))
		return n, nil
	}
	switch c := text[off]; c {
	case '[', '{':
		n, end, err := p.flow(off, l.end)
		if err != nil {
			return nil, err
		}
		if err := p.restIsComment(end, l.end); err != nil {
			return nil, err
		}
		p.cur++
		return n, nil
	case '"', '\'':
		n := p.node()
		n.Kind, n.Tag = yaml.ScalarNode, "!!str"
		p.at(n, p.cur, off)
		v, style, end, err := p.quoted(off, l.end)
		if err != nil {
			return nil, err
		}
		if err := p.restIsComment(end, l.end); err != nil {
			return nil, err
		}
		n.Value, n.Style = v, style
		p.cur++
		return n, p.noContinuation(parentIndent)
	case '|':
		return p.literal(parentIndent, off, l)
	case '-':
		if isSeqEntry(text, off, l.end) {
			if inMapping {
				return nil, errUnsupported // "a: - b" is an error for the library to report
			}
			// "- - x": a sequence nested in a sequence entry.
			return p.sequence(p.column(p.cur, off)-1, off)
		}
	case '&', '*', '!', '>', '%', '@', '`', '?', ',', ']', '}', ':':
		return nil, errUnsupported
	}
	if !inMapping {
		if _, ok := p.findKeyEnd(off, l.end); ok {
			// "- key: value": a mapping whose keys line up after the dash.
			return p.mapping(p.column(p.cur, off)-1, off)
		}
	}
	// A plain scalar to the end of the line or a comment.
	end := off
	for ; ; end++ {
		end = indexColonHash(text, end, l.end)
		if end == l.end || (text[end] == '#' && text[end-1] == ' ') {
			break
		}
		if text[end] == ':' && (end+1 == l.end || text[end+1] == ' ') {
			return nil, errUnsupported // "a: b: c" is an error for the library to report
		}
	}
	for end > off && text[end-1] == ' ' {
		end--
	}
	n := p.node()
	n.Kind = yaml.ScalarNode
	p.at(n, p.cur, off)
	n.Value = p.str[off:end]
	p.cur++
	return n, p.noContinuation(parentIndent)
}

// noContinuation refuses a more-indented line after a scalar: a multi-line plain scalar,
// or an error; either way the library's business.
func (p *fastParser) noContinuation(parentIndent int) error {
	if p.cur < len(p.lines) && p.lines[p.cur].indent > parentIndent {
		return errUnsupported
	}
	return nil
}

func (p *fastParser) restIsComment(i, end int) error {
	text := p.text
	for i < end && text[i] == ' ' {
		i++
	}
	if i < end && !(text[i] == '#' && text[i-1] == ' ') {
		return errUnsupported
	}
	return nil
}

func (p *fastParser) sequence(indent, off int) (*yaml.Node, error) {
	s := p.node()
	s.Kind, s.Tag = yaml.SequenceNode, "!!seq"
	p.at(s, p.cur, off)
	base := len(p.stack)
	first := true
	for p.cur < len(p.lines) {
		l := p.lines[p.cur]
		if !first {
			if l.indent < indent {
				break
			}
			if l.indent > indent {
				return nil, errUnsupported
			}
			off = l.start
		}
		first = false
		if !isSeqEntry(p.text, off, l.end) {
			break
		}
		item, err := p.value(indent, off+1, l, false)
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, item)
	}
	s.Content = p.children(base)
	return s, nil
}

// quotedEnd returns the offset after the closing quote of the scalar opening at off.
func (p *fastParser) quotedEnd(off, end int) (int, error) {
	text := p.text
	q := text[off]
	for i := off + 1; i < end; i++ {
		switch {
		case q == '"' && text[i] == '\\':
			i++
		case text[i] == q:
			if q == '\'' && i+1 < end && text[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, errUnsupported // unterminated on this line: multi-line, or an error
}

// quoted decodes the quoted scalar at off, returning its value, style and end offset.
func (p *fastParser) quoted(off, end int) (string, yaml.Style, int, error) {
	qend, err := p.quotedEnd(off, end)
	if err != nil {
		return "", 0, 0, err
	}
	raw := p.text[off+1 : qend-1]
	if p.text[off] == '\'' {
		s := p.str[off+1 : qend-1]
		if strings.Contains(s, "''") {
			s = strings.ReplaceAll(s, "''", "'")
		}
		return s, yaml.SingleQuotedStyle, qend, nil
	}
	if !containsByte(raw, '\\') {
		return p.str[off+1 : qend-1], yaml.DoubleQuotedStyle, qend, nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", 0, 0, errUnsupported
		}
		switch raw[i] {
		case '\\', '"', '/':
			b.WriteByte(raw[i])
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case ' ':
			b.WriteByte(' ')
		case 'u':
			if i+4 >= len(raw) {
				return "", 0, 0, errUnsupported
			}
			r, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
			if err != nil || (r >= 0xD800 && r <= 0xDFFF) {
				return "", 0, 0, errUnsupported
			}
			b.WriteRune(rune(r))
			i += 4
		default:
			return "", 0, 0, errUnsupported
		}
	}
	return b.String(), yaml.DoubleQuotedStyle, qend, nil
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// flow parses a single-line flow collection at off, returning it and its end offset.
func (p *fastParser) flow(off, end int) (*yaml.Node, int, error) {
	text := p.text
	n := p.node()
	p.at(n, p.cur, off)
	n.Style = yaml.FlowStyle
	closing := byte(']')
	if text[off] == '{' {
		n.Kind, n.Tag, closing = yaml.MappingNode, "!!map", '}'
	} else {
		n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
	}
	i := off + 1
	base := len(p.stack)
	for {
		for i < end && text[i] == ' ' {
			i++
		}
		if i >= end {
			return nil, 0, errUnsupported // continues on the next line
		}
		if text[i] == closing {
			n.Content = p.children(base)
			return n, i + 1, nil
		}
		var item *yaml.Node
		var err error
		item, i, err = p.flowItem(i, end)
		if err != nil {
			return nil, 0, err
		}
		if n.Kind == yaml.MappingNode {
			for i < end && text[i] == ' ' {
				i++
			}
			if i >= end || text[i] != ':' || item.Kind != yaml.ScalarNode {
				return nil, 0, errUnsupported // "{a}" and other rare shapes
			}
			i++
			for i < end && text[i] == ' ' {
				i++
			}
			var val *yaml.Node
			if i < end && (text[i] == ',' || text[i] == '}') {
				return nil, 0, errUnsupported
			}
			val, i, err = p.flowItem(i, end)
			if err != nil {
				return nil, 0, err
			}
			p.stack = append(p.stack, item, val)
		} else {
			p.stack = append(p.stack, item)
		}
		for i < end && text[i] == ' ' {
			i++
		}
		if i < end && text[i] == ',' {
			i++
			continue
		}
		if i < end && text[i] == closing {
			n.Content = p.children(base)
			return n, i + 1, nil
		}
		return nil, 0, errUnsupported
	}
}

func (p *fastParser) flowItem(i, end int) (*yaml.Node, int, error) {
	text := p.text
	if i >= end {
		return nil, 0, errUnsupported
	}
	switch text[i] {
	case '[', '{':
		return p.flow(i, end)
	case '"', '\'':
		n := p.node()
		n.Kind, n.Tag = yaml.ScalarNode, "!!str"
		p.at(n, p.cur, i)
		v, style, qend, err := p.quoted(i, end)
		if err != nil {
			return nil, 0, err
		}
		n.Value, n.Style = v, style
		return n, qend, nil
	case '&', '*', '!', '|', '>', '%', '@', '`', '?', '#', '-', ':', ',', ']', '}':
		if text[i] == '-' && i+1 < end && text[i+1] != ' ' && text[i+1] != ',' {
			break // a negative number or a word starting with '-'
		}
		return nil, 0, errUnsupported
	}
	j := i
	for j < end {
		c := text[j]
		if c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || (c == '#' && text[j-1] == ' ') {
			break
		}
		if c == ':' && (j+1 == end || text[j+1] == ' ' || text[j+1] == ',' || text[j+1] == ']' || text[j+1] == '}') {
			break
		}
		j++
	}
	e := j
	for e > i && text[e-1] == ' ' {
		e--
	}
	if e == i {
		return nil, 0, errUnsupported
	}
	n := p.node()
	n.Kind = yaml.ScalarNode
	p.at(n, p.cur, i)
	n.Value = p.str[i:e]
	return n, j, nil
}

// literal parses a literal block scalar ("|", "|-", "|+") whose indicator is at off.
func (p *fastParser) literal(parentIndent, off int, l fastLine) (*yaml.Node, error) {
	text := p.text
	n := p.node()
	n.Kind, n.Tag, n.Style = yaml.ScalarNode, "!!str", yaml.LiteralStyle
	p.at(n, p.cur, off)
	chomp := byte(0)
	i := off + 1
	if i < l.end && (text[i] == '-' || text[i] == '+') {
		chomp = text[i]
		i++
	}
	if err := p.restIsComment(i, l.end); err != nil {
		return nil, err // explicit indentation indicators and the like
	}
	// Content: raw lines after the indicator line, until a non-blank line indented no more
	// than the parent.
	pos := l.eol + 1
	blockIndent := -1
	var b strings.Builder
	pendingBreaks := 0
	for pos < len(text) {
		eol := pos
		for eol < len(text) && text[eol] != '\n' {
			eol++
		}
		sp := 0
		for pos+sp < eol && text[pos+sp] == ' ' {
			sp++
		}
		blank := pos+sp == eol
		if !blank && sp <= parentIndent {
			break
		}
		if blockIndent < 0 && !blank {
			blockIndent = sp
		}
		brk := 0 // the line break ending this line, if there is one
		if eol < len(text) {
			brk = 1
		}
		switch {
		case blank && blockIndent >= 0 && sp > blockIndent:
			// Spaces beyond the indentation on an otherwise blank line are content.
			for k := 0; k < pendingBreaks; k++ {
				b.WriteByte('\n')
			}
			b.Write(text[pos+blockIndent : eol])
			pendingBreaks = brk
		case blank:
			if blockIndent < 0 && sp > 0 {
				return nil, errUnsupported // leading blank lines with spaces: rare, subtle
			}
			pendingBreaks += brk
		default:
			if sp < blockIndent {
				return nil, errUnsupported // less indented than the block: an error
			}
			for k := 0; k < pendingBreaks; k++ {
				b.WriteByte('\n')
			}
			b.Write(text[pos+blockIndent : eol])
			pendingBreaks = brk
		}
		pos = eol + 1
		if eol >= len(text) {
			break
		}
	}
	if blockIndent < 0 {
		return nil, errUnsupported // an empty block scalar: rare
	}
	switch chomp {
	case '-':
	case '+':
		for k := 0; k < pendingBreaks; k++ {
			b.WriteByte('\n')
		}
	default:
		if pendingBreaks > 0 {
			b.WriteByte('\n')
		}
	}
	n.Value = b.String()
	// Skip the fast lines that the block scalar consumed.
	p.cur++
	for p.cur < len(p.lines) && p.lines[p.cur].start < pos {
		p.cur++
	}
	return n, nil
}
