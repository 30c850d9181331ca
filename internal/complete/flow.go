package complete

import "strings"

type tokKind uint8

const (
	tEOF tokKind = iota
	tOpenObj
	tOpenArr
	tClose
	tComma
	tColon
	tScalar
)

type token struct {
	kind       tokKind
	start, end int
	quoted     bool
	open       bool // a quoted scalar not closed before the limit
}

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// nextToken reads the token of a flow collection (or JSON) at or after i, before limit.
func nextToken(src []byte, i, limit int, json bool) (token, int) {
	for i < limit {
		c := src[i]
		if isSpace(c) {
			i++
			continue
		}
		if c == '#' && !json && (i == 0 || isSpace(src[i-1])) {
			for i < limit && src[i] != '\n' {
				i++
			}
			continue
		}
		break
	}
	if i >= limit {
		return token{kind: tEOF, start: limit, end: limit}, limit
	}
	switch c := src[i]; c {
	case '{':
		return token{kind: tOpenObj, start: i, end: i + 1}, i + 1
	case '[':
		return token{kind: tOpenArr, start: i, end: i + 1}, i + 1
	case '}', ']':
		return token{kind: tClose, start: i, end: i + 1}, i + 1
	case ',':
		return token{kind: tComma, start: i, end: i + 1}, i + 1
	case ':':
		return token{kind: tColon, start: i, end: i + 1}, i + 1
	case '"', '\'':
		if c == '"' || !json {
			for j := i + 1; j < limit; j++ {
				switch {
				case c == '"' && src[j] == '\\':
					j++
				case src[j] == c:
					if c == '\'' && j+1 < limit && src[j+1] == '\'' {
						j++
						continue
					}
					return token{kind: tScalar, start: i, end: j + 1, quoted: true}, j + 1
				}
			}
			return token{kind: tScalar, start: i, end: limit, quoted: true, open: true}, limit
		}
	}
	j := i
	for j < limit {
		c := src[j]
		if isFlowIndicator(c) || c == '\n' || c == '\r' {
			break
		}
		if c == ':' && (json || j+1 >= limit || isSpace(src[j+1]) || isFlowIndicator(src[j+1])) {
			break
		}
		if c == '#' && !json && j > i && isSpace(src[j-1]) {
			break
		}
		if json && (c == ' ' || c == '\t' || c == '"') {
			break
		}
		j++
	}
	end := j
	for end > i && isSpace(src[end-1]) {
		end--
	}
	return token{kind: tScalar, start: i, end: end}, j
}

// frame is an open flow collection.
type frame struct {
	obj bool
	// For an object: the latest key, whether its ":" was seen, and the keys so far.
	key   string
	colon bool
	keys  []string
	last  string // the latest scalar, the key when a ":" follows
	// done is set once the current entry's value (or item) is complete.
	done bool
}

func tokenText(src []byte, t token) string {
	s := string(src[t.start:t.end])
	if t.quoted {
		if t.open {
			return s[1:]
		}
		return unquote(s)
	}
	return s
}

// flowContext reads the flow collection starting at from (its opening bracket) up to
// offset. base is the path to the collection.
func flowContext(src []byte, docStart, docEnd, offset, from int, base []Step, json bool) Context {
	var frames []frame
	var last token
	atCursor := false // the latest token is a scalar touching the cursor
	for i := from; ; {
		t, next := nextToken(src, i, offset, json)
		if t.kind == tEOF {
			break
		}
		i = next
		atCursor = false
		var top *frame
		if len(frames) > 0 {
			top = &frames[len(frames)-1]
		}
		switch t.kind {
		case tOpenObj, tOpenArr:
			frames = append(frames, frame{obj: t.kind == tOpenObj})
		case tClose:
			if len(frames) == 0 {
				return Context{}
			}
			frames = frames[:len(frames)-1]
			if len(frames) == 0 {
				return Context{} // the collection closed before the cursor
			}
			frames[len(frames)-1].done = true
		case tComma:
			if top != nil {
				top.key, top.colon, top.last, top.done = "", false, "", false
			}
		case tColon:
			if top != nil && top.obj && !top.colon {
				top.key, top.colon = top.last, true
				top.keys = append(top.keys, top.last)
			}
		case tScalar:
			if top == nil {
				return Context{}
			}
			if top.obj && !top.colon {
				top.last = tokenText(src, t)
			} else {
				top.done = true
			}
			last = t
			atCursor = t.end == offset || t.open
		}
	}
	if len(frames) == 0 {
		return Context{}
	}
	top := &frames[len(frames)-1]
	path := append([]Step(nil), base...)
	for _, f := range frames[:len(frames)-1] {
		if f.obj {
			path = append(path, Step{Key: f.key})
		} else {
			path = append(path, Step{Item: true})
		}
	}
	c := Context{OK: true, Flow: true, JSON: json, Start: offset, End: offset}
	if atCursor {
		c.Start = last.start
		c.Prefix = string(src[last.start:offset])
		if last.quoted {
			c.Quote = src[last.start]
			c.Prefix = c.Prefix[1:]
		}
	} else if top.done || (top.obj && !top.colon && top.last != "") {
		return Context{} // after a complete value, or after a key without its colon
	}
	// The word continues after the cursor.
	e := offset
	lineEnd := offset
	for lineEnd < docEnd && src[lineEnd] != '\n' {
		lineEnd++
	}
	if c.Quote != 0 {
		for e < lineEnd && src[e] != c.Quote && !(c.Quote == '"' && src[e] == '\\') {
			e++
		}
		if e < lineEnd && src[e] == c.Quote {
			e++
		}
	} else {
		for e < lineEnd && !isSpace(src[e]) && !isFlowIndicator(src[e]) && src[e] != ':' && src[e] != '"' && src[e] != '\'' {
			e++
		}
	}
	c.End = e
	for e < lineEnd && (src[e] == ' ' || src[e] == '\t') {
		e++
	}
	switch {
	case top.obj && !top.colon:
		c.Path = path
		c.ColonFollows = e < lineEnd && src[e] == ':'
		c.Present = append(top.keys, keysAfter(src, c.End, docEnd, json)...)
	case top.obj:
		c.Path = append(path, Step{Key: top.key})
		c.Value = true
	default:
		c.Path = append(path, Step{Item: true})
		c.Value = true
	}
	if c.Quote == 0 && strings.ContainsAny(c.Prefix, " \t") && !c.Value {
		return Context{}
	}
	return c
}

// keysAfter lists the keys of the object the cursor is in that follow it.
func keysAfter(src []byte, from, limit int, json bool) []string {
	var keys []string
	depth := 0
	var last string
	for i := from; ; {
		t, next := nextToken(src, i, limit, json)
		if t.kind == tEOF {
			return keys
		}
		i = next
		switch t.kind {
		case tOpenObj, tOpenArr:
			depth++
		case tClose:
			if depth == 0 {
				return keys
			}
			depth--
		case tScalar:
			if depth == 0 {
				last = tokenText(src, t)
			}
		case tColon:
			if depth == 0 && last != "" {
				keys = append(keys, last)
			}
			last = ""
		case tComma:
			last = ""
		}
	}
}

// flowRootScalar finds a scalar member of the outermost object of a flow document.
func flowRootScalar(src []byte, from, limit int, json bool, key string) string {
	depth := 0
	var last string
	wantValue := false
	for i := from; ; {
		t, next := nextToken(src, i, limit, json)
		if t.kind == tEOF {
			return ""
		}
		i = next
		switch t.kind {
		case tOpenObj, tOpenArr:
			depth++
			wantValue = false
		case tClose:
			depth--
			if depth <= 0 {
				return ""
			}
		case tColon:
			wantValue = depth == 1 && last == key
		case tComma:
			last, wantValue = "", false
		case tScalar:
			if wantValue && !t.open {
				return tokenText(src, t)
			}
			if depth == 1 {
				last = tokenText(src, t)
			}
		}
	}
}
