package complete

import "strings"

// level is one open collection of block YAML: a mapping whose keys stand at col, or a
// sequence whose "- " markers do.
type level struct {
	col int
	seq bool
	// For a mapping: its latest key, whether that key has a value on its own line, and
	// all the keys seen so far.
	key      string
	hasValue bool
	keys     []string
}

type stack []level

func (s *stack) popAbove(c int) {
	for len(*s) > 0 && (*s)[len(*s)-1].col > c {
		*s = (*s)[:len(*s)-1]
	}
}

func (s stack) top() *level {
	if len(s) == 0 {
		return nil
	}
	return &s[len(s)-1]
}

// openSeq handles a "- " marker at column d: the next item of the sequence there, or a
// new sequence (the value of the latest key, or an item of an enclosing sequence).
func (s *stack) openSeq(d int) {
	s.popAbove(d)
	if t := s.top(); t != nil && t.seq && t.col == d {
		return
	}
	*s = append(*s, level{col: d, seq: true})
}

// openKey handles a key at column c.
func (s *stack) openKey(c int, key string, hasValue bool) {
	s.popAbove(c)
	if t := s.top(); t != nil && t.seq && t.col == c {
		// "key:\n- a\nnext:": a key at the column of a sequence's markers ends it.
		*s = (*s)[:len(*s)-1]
	}
	if t := s.top(); t != nil && !t.seq && t.col == c {
		t.key, t.hasValue = key, hasValue
		t.keys = append(t.keys, key)
		return
	}
	*s = append(*s, level{col: c, key: key, hasValue: hasValue, keys: []string{key}})
}

func (s stack) clone() stack {
	out := make(stack, len(s))
	copy(out, s)
	for i := range out {
		out[i].keys = append([]string(nil), out[i].keys...)
	}
	return out
}

// pathOf is the path to whatever the innermost of levels holds: the value of a mapping's
// latest key, or a sequence's item.
func pathOf(levels []level) []Step {
	path := make([]Step, 0, len(levels))
	for _, l := range levels {
		if l.seq {
			path = append(path, Step{Item: true})
		} else {
			path = append(path, Step{Key: l.key})
		}
	}
	return path
}

// place finds the mapping a key written at column c belongs to: the path to it, the keys
// it already has (above), and the column of its keys.
func (s stack) place(c int) (path []Step, keys []string, col int) {
	lv := s
	for len(lv) > 0 && lv[len(lv)-1].col > c {
		lv = lv[:len(lv)-1]
	}
	if n := len(lv); n > 0 && lv[n-1].seq && lv[n-1].col == c {
		lv = lv[:n-1]
	}
	if len(lv) == 0 {
		return nil, nil, c
	}
	t := lv[len(lv)-1]
	if !t.seq && (t.col == c || t.hasValue) {
		// The mapping itself; or, leniently, a key indented deeper than a key that already
		// has a value, which can only be a sibling typed at the wrong column.
		return pathOf(lv[:len(lv)-1]), t.keys, t.col
	}
	// A new mapping: the value of the latest key, or a new list item.
	return pathOf(lv), nil, c
}

type analyzer struct {
	src                []byte
	start, end, offset int
}

// lines calls fn for each line starting in [from, to), with its start offset and text
// (no line break); fn returns false to stop.
func (a *analyzer) lines(from, to int, fn func(start int, text string) bool) {
	for p := from; p < to; {
		e := p
		for e < a.end && a.src[e] != '\n' {
			e++
		}
		text := strings.TrimSuffix(string(a.src[p:e]), "\r")
		if !fn(p, text) {
			return
		}
		p = e + 1
	}
}

func (a *analyzer) run() Context {
	ls, le := lineBounds(a.src, a.start, a.end, a.offset)
	var st stack
	blockCol := -1 // inside a block scalar: lines indented deeper than this are its text
	// Inside a flow collection spanning lines: its depth, start and path, and the column
	// of its key (or list marker); a line indented no deeper than that, other than the
	// closing bracket, ends a collection left unclosed while typing.
	flow, flowStart, flowCol := 0, -1, -1
	var flowBase []Step
	other := false // a non-blank line besides the cursor's
	a.lines(a.start, ls, func(p int, text string) bool {
		l := parseLine(text)
		if flow > 0 {
			if l.blank || l.indent > flowCol || strings.HasPrefix(text[l.indent:], "}") || strings.HasPrefix(text[l.indent:], "]") {
				flow += flowDepth(text)
				if flow <= 0 {
					flow, flowStart = 0, -1
				}
				return true
			}
			flow, flowStart = 0, -1
		}
		if blockCol >= 0 {
			if strings.TrimSpace(text) == "" || l.indent > blockCol {
				return true
			}
			blockCol = -1
		}
		if l.blank {
			return true
		}
		other = true
		for _, d := range l.dashes {
			st.openSeq(d)
		}
		switch {
		case l.hasKey:
			st.openKey(l.col, l.key, l.value != "")
			if isBlockIndicator(l.value) {
				blockCol = l.col
			} else if startsFlow(l.value) {
				if depth := flowDepth(l.value); depth > 0 {
					flow, flowStart, flowBase, flowCol = depth, p+l.valueCol, pathOf(st), l.col
				}
			}
		case len(l.dashes) > 0:
			if isBlockIndicator(l.value) {
				blockCol = l.dashes[len(l.dashes)-1]
			} else if startsFlow(l.value) {
				if depth := flowDepth(l.value); depth > 0 {
					flow, flowStart, flowBase, flowCol = depth, p+l.col, pathOf(st), l.dashes[len(l.dashes)-1]
				}
			}
		case startsFlow(l.value) && len(st) == 0:
			if depth := flowDepth(l.value); depth > 0 {
				flow, flowStart, flowBase, flowCol = depth, p+l.col, nil, -1
			}
		default:
			// A value on its own line below its key.
			if t := st.top(); t != nil && !t.seq && l.indent > t.col {
				t.hasValue = true
			}
		}
		return true
	})
	if flow > 0 {
		return flowContext(a.src, a.start, a.end, a.offset, flowStart, flowBase, false)
	}
	before := string(a.src[ls:a.offset])
	b := parseLine(before)
	if blockCol >= 0 && b.indent > blockCol {
		return Context{} // in a block scalar's text
	}
	if b.hasKey {
		return a.value(st, b, before, ls, le)
	}
	return a.key(st, b, before, ls, le, other)
}

func startsFlow(v string) bool { return v != "" && (v[0] == '{' || v[0] == '[') }

// value: the cursor is after "key:" on its line.
func (a *analyzer) value(st stack, b line, before string, ls, le int) Context {
	v := before[min(b.valueCol, len(before)):]
	if v == "" && !strings.HasSuffix(strings.TrimRight(before, " \t"), ":") {
		return Context{}
	}
	if strings.HasPrefix(v, "#") || v != "" && v[0] != '"' && v[0] != '\'' && (strings.Contains(v, " #") || strings.Contains(v, "\t#")) {
		return Context{} // in a comment
	}
	if isBlockIndicator(strings.TrimSpace(v)) || (v != "" && (v[0] == '&' || v[0] == '*' || v[0] == '!')) {
		return Context{}
	}
	st = st.clone()
	for _, d := range b.dashes {
		st.openSeq(d)
	}
	path, _, _ := st.place(b.col)
	path = append(path, Step{Key: b.key})
	if startsFlow(v) {
		return flowContext(a.src, a.start, a.end, a.offset, ls+b.valueCol, path, false)
	}
	c := Context{OK: true, Path: path, Value: true, Indent: b.col, Start: ls + b.valueCol}
	c.NeedSpace = v == "" && strings.HasSuffix(before, ":")
	c.Prefix = v
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		c.Quote = v[0]
		c.Prefix = strings.TrimSuffix(v[1:], string(v[0]))
	}
	// The rest of the value after the cursor is replaced too.
	full := parseLine(string(a.src[ls:le]))
	c.End = a.offset
	if full.hasKey && full.valueCol == b.valueCol {
		c.End = max(a.offset, ls+full.valueCol+len(full.value))
	}
	return c
}

// key: the cursor is where a key (or a list item's scalar) is typed.
func (a *analyzer) key(st stack, b line, before string, ls, le int, other bool) Context {
	word := before[min(b.col, len(before)):]
	st = st.clone()
	for _, d := range b.dashes {
		st.openSeq(d)
	}
	if startsFlow(word) {
		switch {
		case len(b.dashes) > 0:
			return flowContext(a.src, a.start, a.end, a.offset, ls+b.col, pathOf(st), false)
		case len(st) == 0:
			return flowContext(a.src, a.start, a.end, a.offset, ls+b.col, nil, false)
		}
		return Context{}
	}
	if strings.HasPrefix(word, "#") || strings.Contains(word, " #") {
		return Context{}
	}
	var quote byte
	if word != "" && (word[0] == '"' || word[0] == '\'') {
		quote = word[0]
	} else if strings.ContainsAny(word, " \t:{}[],&*!|>%@`") {
		return Context{}
	}
	path, keys, col := st.place(b.col)
	c := Context{OK: true, Path: path, Indent: b.col, Start: ls + b.col, Quote: quote, Prefix: word}
	if quote != 0 {
		c.Prefix = word[1:]
	}
	// A dash typed without its space yet: what is inserted needs one.
	if n := len(b.dashes); n > 0 && b.dashes[n-1] == len(before)-1 {
		c.NeedSpace = true
	}
	// The word continues after the cursor up to a blank, a colon or its closing quote.
	e := a.offset
	for e < le && !strings.ContainsRune(" \t:#", rune(a.src[e])) && (quote == 0 || a.src[e] != quote) {
		e++
	}
	if quote != 0 && e < le && a.src[e] == quote {
		e++
	}
	c.End = e
	for e < le && (a.src[e] == ' ' || a.src[e] == '\t') {
		e++
	}
	c.ColonFollows = e < le && a.src[e] == ':'
	c.Present = append(keys, a.keysBelow(le, col)...)
	if len(path) == 0 && len(c.Present) == 0 && !other {
		c.Empty = !a.contentAfter(le)
	}
	return c
}

// keysBelow lists the keys at column col in the lines from offset from, up to the first
// line indented less (the end of that mapping).
func (a *analyzer) keysBelow(from, col int) []string {
	if from >= a.end {
		return nil
	}
	var keys []string
	blockCol := -1
	first := true
	a.lines(from, a.end, func(_ int, text string) bool {
		if first { // the rest of the cursor's line
			first = false
			return true
		}
		l := parseLine(text)
		if blockCol >= 0 {
			if strings.TrimSpace(text) == "" || l.indent > blockCol {
				return true
			}
			blockCol = -1
		}
		if l.blank {
			return true
		}
		if l.indent < col {
			return false
		}
		if l.indent == col && len(l.dashes) == 0 && l.hasKey {
			keys = append(keys, l.key)
		}
		if isBlockIndicator(l.value) {
			if l.hasKey {
				blockCol = l.col
			} else if len(l.dashes) > 0 {
				blockCol = l.dashes[len(l.dashes)-1]
			}
		}
		return true
	})
	return keys
}

// contentAfter reports whether any line after the cursor's line has content.
func (a *analyzer) contentAfter(le int) bool {
	found := false
	first := true
	a.lines(le, a.end, func(_ int, text string) bool {
		if first {
			first = false
			return true
		}
		if !parseLine(text).blank {
			found = true
			return false
		}
		return true
	})
	return found
}
