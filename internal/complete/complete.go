// Package complete works out, from the text alone, where a cursor stands in the structure
// of a YAML or JSON document: the keys and list items leading to it, whether a key or a
// value is being typed, the word typed so far and the keys already present. Completion
// needs this on the half-written text being typed, which the YAML parser rejects or
// misreads, so nothing here depends on parsing succeeding.
//
// Block YAML is read by indentation, line by line, from the document's start to the
// cursor: each line's "- " markers and "key:" open and close levels the way a YAML parser
// would, block scalars are skipped, and the cursor line is placed by the column it starts
// at. Flow collections ({...}, [...]) and JSON are read by a small tokenizer instead. All
// offsets are byte offsets into the source given; columns are byte columns within a line
// (indentation is ASCII spaces).
//
// Not handled: multi-line plain scalars and keys written over several lines ("? key"),
// anchors and tags before keys, and a flow collection nested in block YAML across lines
// inside a block scalar.
package complete

import (
	"strings"
)

// Step is one step of a path from a document's root: a mapping key or a list item.
type Step struct {
	Key  string
	Item bool
}

// Context is what is being typed at the cursor.
type Context struct {
	// OK is false where nothing can be completed: in a comment, a block scalar, or text that
	// is neither a key nor a value.
	OK bool
	// Path leads from the document's root to the mapping in which a key is typed, or, when
	// Value is set, to the key (or list item) whose value is typed.
	Path []Step
	// Value is set when a value is typed rather than a key.
	Value bool
	// Prefix is the part of the word under the cursor before the cursor, without quotes.
	Prefix string
	// Start and End delimit the word under the cursor, quotes included: what a completion
	// replaces.
	Start, End int
	// Quote is the quote the word opens with, or 0.
	Quote byte
	// Present lists the keys the mapping already has, above and below the cursor.
	Present []string
	// Indent is the column at which the key being typed starts, or of the key whose value is
	// typed: multi-line insertions indent from it.
	Indent int
	// Flow is set inside a flow collection and in JSON, where insertions stay on one line.
	Flow bool
	// JSON is set in a JSON document: keys and strings take double quotes.
	JSON bool
	// ColonFollows is set when the word is a key already followed by ":".
	ColonFollows bool
	// NeedSpace is set when the cursor is right after "key:": a value needs a space first.
	NeedSpace bool
	// Empty is set when the document holds nothing but the word under the cursor.
	Empty bool
}

// Analyze finds what is typed at offset in the document src[start:end]. json says the
// document is JSON. offset is clamped to the document.
func Analyze(src []byte, start, end, offset int, json bool) Context {
	start, end = max(0, start), min(end, len(src))
	if end < start {
		end = start
	}
	offset = min(max(offset, start), end)
	if json {
		return flowContext(src, start, end, offset, start, nil, true)
	}
	a := &analyzer{src: src, start: start, end: end, offset: offset}
	return a.run()
}

// Locate finds the key or the scalar value under offset on a block-style line of the
// document src[start:end], for hovering over a document that does not parse: the path to
// it (its own key last), its range, and whether it is the value.
func Locate(src []byte, start, end, offset int) (path []Step, rStart, rEnd int, value, ok bool) {
	start, end = max(0, start), min(end, len(src))
	if offset < start || offset > end {
		return nil, 0, 0, false, false
	}
	ls, le := lineBounds(src, start, end, offset)
	l := parseLine(string(src[ls:le]))
	if !l.hasKey {
		return nil, 0, 0, false, false
	}
	keyStart, keyEnd := ls+l.col, ls+l.keyEnd
	valStart, valEnd := ls+l.valueCol, ls+l.valueCol+len(l.value)
	switch {
	case offset >= keyStart && offset <= keyEnd:
	case l.value != "" && offset >= valStart && offset <= valEnd && !startsCollection(l.value):
		value = true
	default:
		return nil, 0, 0, false, false
	}
	c := Analyze(src, start, end, keyStart, false)
	if !c.OK || c.Value {
		return nil, 0, 0, false, false
	}
	path = append(append([]Step(nil), c.Path...), Step{Key: l.key})
	if value {
		return path, valStart, valEnd, true, true
	}
	return path, keyStart, keyEnd, false, true
}

func startsCollection(v string) bool {
	return v != "" && (v[0] == '{' || v[0] == '[' || v[0] == '|' || v[0] == '>')
}

// RootScalar returns the value of a top-level key given as a scalar (apiVersion, kind),
// read from the text: a key at column 0 in block YAML, a member of the outermost object in
// JSON and flow YAML.
func RootScalar(src []byte, start, end int, json bool, key string) string {
	start, end = max(0, start), min(end, len(src))
	i := start
	for i < end && isSpace(src[i]) {
		i++
	}
	if json || (i < end && src[i] == '{') {
		return flowRootScalar(src, i, end, json, key)
	}
	for ls := start; ls < end; {
		le := ls
		for le < end && src[le] != '\n' {
			le++
		}
		line := string(src[ls:le])
		if strings.HasPrefix(line, key) {
			l := parseLine(strings.TrimRight(line, "\r"))
			if l.hasKey && l.col == 0 && len(l.dashes) == 0 && l.key == key {
				return unquote(l.value)
			}
		}
		ls = le + 1
	}
	return ""
}

// lineBounds returns the start and end (before the line break) of the line holding offset,
// within [start, end).
func lineBounds(src []byte, start, end, offset int) (int, int) {
	ls := offset
	for ls > start && src[ls-1] != '\n' {
		ls--
	}
	le := offset
	for le < end && src[le] != '\n' {
		le++
	}
	if le > ls && src[le-1] == '\r' {
		le--
	}
	return ls, max(le, offset)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// line is one line of block YAML, as far as structure goes.
type line struct {
	indent int   // leading spaces
	dashes []int // columns of the "- " markers the content starts with
	col    int   // column of the content after the markers
	hasKey bool
	key    string // unquoted
	keyEnd int    // column just after the key's text (its closing quote included)
	// value is what follows "key:" (or the whole content when there is no key), without
	// a comment and trailing blanks; valueCol is its column.
	value    string
	valueCol int
	blank    bool // nothing but blanks and a comment
}

func parseLine(s string) line {
	var l line
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	l.indent = i
	for i < len(s) && s[i] == '-' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
		l.dashes = append(l.dashes, i)
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	l.col = i
	rest := s[i:]
	if strings.TrimSpace(rest) == "" || rest[0] == '#' {
		l.blank = len(l.dashes) == 0
		l.valueCol = i
		return l
	}
	if key, colon, keyEnd, ok := scanKey(rest); ok {
		l.hasKey, l.key, l.keyEnd = true, key, i+keyEnd
		j := colon + 1
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
			j++
		}
		l.valueCol = i + j
		l.value = stripComment(rest[j:])
		return l
	}
	l.valueCol = i
	l.value = stripComment(rest)
	return l
}

// scanKey reads "key:" at the start of s: the key (unquoted), the index of the colon and
// the end of the key's text.
func scanKey(s string) (key string, colon, keyEnd int, ok bool) {
	if s == "" {
		return "", 0, 0, false
	}
	switch s[0] {
	case '"', '\'':
		end := quoteEnd(s, 0)
		if end < 0 {
			return "", 0, 0, false
		}
		j := end
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == ':' && (j+1 == len(s) || isSpace(s[j+1])) {
			return unquote(s[:end]), j, end, true
		}
		return "", 0, 0, false
	case '{', '[', '|', '>', '&', '*', '!', '%', '@', '`', '?', '#':
		return "", 0, 0, false
	}
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case ':':
			if j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\t' {
				k := strings.TrimRight(s[:j], " \t")
				return k, j, len(k), k != ""
			}
		case '#':
			if j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
				return "", 0, 0, false
			}
		}
	}
	return "", 0, 0, false
}

// quoteEnd returns the index just past the quoted scalar starting at s[i], or -1 when it
// is not closed.
func quoteEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '\\':
			j++
		case s[j] == q:
			if q == '\'' && j+1 < len(s) && s[j+1] == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}

// unquote removes the quotes of a quoted scalar, interpreting only an escaped double quote
// or a doubled single quote, and returns a plain scalar as it is.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		inner := s[1 : len(s)-1]
		if s[0] == '\'' {
			return strings.ReplaceAll(inner, "''", "'")
		}
		return strings.ReplaceAll(inner, `\"`, `"`)
	}
	return s
}

// stripComment cuts a trailing comment and blanks off a value.
func stripComment(v string) string {
	i := 0
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		if e := quoteEnd(v, 0); e > 0 {
			i = e
		} else {
			return strings.TrimRight(v, " \t\r")
		}
	}
	for ; i < len(v); i++ {
		if v[i] == '#' && (i == 0 || v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	return strings.TrimRight(v, " \t\r")
}

func isBlockIndicator(v string) bool {
	if v == "" || (v[0] != '|' && v[0] != '>') {
		return false
	}
	for _, c := range v[1:] {
		if c != '-' && c != '+' && (c < '1' || c > '9') {
			return false
		}
	}
	return true
}

// flowDepth returns the bracket depth at the end of s, from depth 0, ignoring quoted
// text and comments.
func flowDepth(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'':
			e := quoteEnd(s, i)
			if e < 0 {
				return depth
			}
			i = e - 1
		case '#':
			if i == 0 || s[i-1] == ' ' || s[i-1] == '\t' {
				return depth
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return depth
}
