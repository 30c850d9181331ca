package yamlpos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// File is a parsed manifest file: its bytes, a position mapper and its documents.
type File struct {
	Name   string
	Src    []byte
	Mapper *Mapper
	Docs   []*Document
	// JSON is true when the file is a stream of JSON values rather than YAML.
	JSON bool
}

// Document is one `---`-separated document (or one JSON value) of a file.
type Document struct {
	File *File
	// Index counts every document of the file from 0, empty and comment-only ones
	// included, the way kubectl splits a stream.
	Index int
	// Start and End delimit the document's text, separator lines excluded.
	Start, End int
	// Root is the document's top-level node, nil when it holds no content.
	Root *yaml.Node
	// Err is the syntax error that stopped parsing, if any.
	Err *SyntaxError

	ends sync.Map // *yaml.Node → end offset of block collections, see blockEnd
	once sync.Once
}

// SyntaxError is a YAML or JSON syntax error at a position.
type SyntaxError struct {
	Msg   string
	Range Range
}

func (e *SyntaxError) Error() string { return e.Msg }

// Empty reports whether the document has no content (only blank lines and comments).
func (d *Document) Empty() bool { return d.Root == nil && d.Err == nil }

// Text is the document's own source text.
func (d *Document) Text() []byte { return d.File.Src[d.Start:d.End] }

var bom = []byte{0xEF, 0xBB, 0xBF}

// Split splits src into documents: they have positions but no nodes yet. Callers parse
// them (possibly concurrently) with ParseDoc, which never fails: syntax errors are kept on
// the documents they occur in, so one broken document does not hide the others.
func Split(name string, src []byte) *File {
	f := &File{Name: name, Src: src, Mapper: NewMapper(src)}
	start := 0
	if bytes.HasPrefix(src, bom) {
		start = len(bom)
	}
	if isJSONStream(src[start:]) {
		f.JSON = true
		f.Docs = splitJSON(f, start)
	} else {
		f.Docs = splitYAML(f, start)
	}
	return f
}

// ParseDoc parses a document returned by Split, once: later calls, from any goroutine,
// wait for the first and see its result. Readers of Root and Err call it first.
func (d *Document) ParseDoc() { d.once.Do(d.parse) }

// SetParsed gives a document returned by Split a tree parsed earlier (from a cache), in
// place of parsing it. It has no effect on a document already parsed.
func (d *Document) SetParsed(root *yaml.Node, err *SyntaxError) {
	d.once.Do(func() { d.Root, d.Err = root, err })
}

func isJSONStream(src []byte) bool {
	for _, c := range src {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// splitYAML cuts src into documents at separator lines: a line starting with "---" followed
// by nothing but blanks or a comment. Like kubectl, a document is produced for every
// non-empty stretch between separators, so leading and doubled separators yield none.
func splitYAML(f *File, start int) []*Document {
	docs, _ := scanYAML(f, start, start, len(f.Src)+1, nil)
	return docs
}

// scanYAML scans f.Src's lines from pos (a line start) with the current document starting
// at docStart, appending the documents it finds to docs. It stops after the first
// separator line at or after stop and returns that line's offset, or -1 at the end of the
// text (having emitted the last document).
func scanYAML(f *File, pos, docStart, stop int, docs []*Document) ([]*Document, int) {
	src := f.Src
	emit := func(end int) {
		if end > docStart {
			docs = append(docs, &Document{File: f, Index: len(docs), Start: docStart, End: end})
		}
	}
	for pos < len(src) {
		if !bytes.HasPrefix(src[pos:], []byte("---")) {
			// Only lines that start with "---" can be separators: skip to the next one.
			k := bytes.Index(src[pos:], []byte("\n---"))
			if k < 0 {
				break
			}
			pos += k + 1
		}
		eol := bytes.IndexByte(src[pos:], '\n')
		next := len(src)
		if eol >= 0 {
			next = pos + eol + 1
		}
		line := src[pos:next]
		if isSeparatorRest(line[3:]) {
			emit(pos)
			docStart = next
			if rest := bytes.TrimSpace(line[3:]); len(rest) > 0 && rest[0] != '#' {
				docStart = pos + 3 // "--- |" and the like: the document starts on this line
			}
			if pos >= stop {
				return docs, pos
			}
		}
		pos = next
	}
	emit(len(src))
	return docs, -1
}

func isSeparatorRest(rest []byte) bool {
	rest = bytes.TrimSpace(rest)
	if len(rest) == 0 || rest[0] == '#' {
		return true
	}
	// "--- |" and other content after the marker: still a separator for YAML, and
	// kubectl refuses it; keep it as a separator and let the parser report the rest.
	return !(rest[0] == '-' || isAlnum(rest[0]))
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// splitJSON cuts a stream of JSON values at top-level value boundaries.
func splitJSON(f *File, start int) []*Document {
	src := f.Src
	var docs []*Document
	i := start
	for {
		for i < len(src) && isJSONSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return docs
		}
		end := scanJSONValue(src, i)
		docs = append(docs, &Document{File: f, Index: len(docs), Start: i, End: end})
		i = end
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// scanJSONValue returns the end of the object or array starting at i (or of the rest of
// the line for anything else), tolerating unbalanced input by stopping at the end.
func scanJSONValue(src []byte, i int) int {
	if src[i] != '{' && src[i] != '[' {
		for j := i; j < len(src); j++ {
			if src[j] == '\n' {
				return j + 1
			}
		}
		return len(src)
	}
	depth, inStr := 0, false
	for j := i; j < len(src); j++ {
		c := src[j]
		if inStr {
			switch c {
			case '\\':
				j++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(src)
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *Document) parse() {
	text := d.Text()
	if !utf8.Valid(text) {
		i := 0
		for i < len(text) {
			r, size := utf8.DecodeRune(text[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		d.Err = &SyntaxError{Msg: "invalid UTF-8: manifests must be UTF-8 text", Range: Range{d.Start + i, d.Start + i + 1}}
		return
	}
	// The fast path refuses a text with a document end marker ("..."), which may hold
	// more than one document.
	if r, ferr := fastParseSafely(text); ferr == nil {
		d.Root = r
		return
	}
	multi := bytes.Contains(text, []byte("\n...")) || bytes.HasPrefix(text, []byte("..."))
	d.parseLibrary(text, multi)
}

// parseLibrary parses the document with the YAML library; multi is true when the text
// holds a document end marker ("...") and so perhaps more than one document.
func (d *Document) parseLibrary(text []byte, multi bool) {
	var root yaml.Node
	var dec *yaml.Decoder
	var err error
	if multi {
		dec = yaml.NewDecoder(bytes.NewReader(text))
		err = decodeSafely(dec, &root)
	} else {
		err = unmarshalSafely(text, &root)
	}
	switch {
	case errors.Is(err, io.EOF):
		return
	case err != nil:
		d.Err = d.syntaxError(err)
		return
	}
	if root.Kind == 0 {
		return // only comments and blank lines
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		d.Root = root.Content[0]
	} else if root.Kind != yaml.DocumentNode {
		d.Root = &root
	}
	if d.Root != nil && d.Root.Kind == yaml.ScalarNode && d.Root.Tag == "!!null" && d.Root.Value == "" {
		d.Root = nil
	}
	if !multi {
		return
	}
	// A second YAML document inside one chunk ("..." end markers) is not a Kubernetes stream.
	var extra yaml.Node
	if err := decodeSafely(dec, &extra); err == nil && len(extra.Content) > 0 {
		off := d.nodeOffset(extra.Content[0])
		d.Err = &SyntaxError{Msg: "more than one YAML document between separators; separate documents with a line `---`", Range: Range{off, off + 1}}
	}
}

func fastParseSafely(text []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, errUnsupported
		}
	}()
	return fastParse(text)
}

func unmarshalSafely(text []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(text, n)
}

// decodeSafely guards against panics inside the YAML library on hostile input.
func decodeSafely(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

func (d *Document) syntaxError(err error) *SyntaxError {
	msg := err.Error()
	line := -1
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if strings.HasPrefix(msg, "did not find expected") {
			// The YAML library numbers parser errors (unlike scanner errors) from 0.
			line++
		}
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	if bytes.Contains([]byte(msg), []byte("found character that cannot start any token")) || bytes.Contains([]byte(msg), []byte("found a tab character")) {
		if l, ok := d.firstTabIndent(); ok {
			line = l
			msg = "tabs are not allowed for indentation in YAML; use spaces"
		}
	}
	m := d.File.Mapper
	base := m.OffsetLine(d.Start)
	r := Range{Start: d.Start, End: d.Start}
	if line > 0 {
		l := base + line - 1
		r = Range{Start: m.LineStart(l), End: m.LineEnd(l)}
		if r.Start < d.Start {
			r.Start = d.Start
		}
		// Skip leading indentation so the range starts on the offending text.
		for r.Start < r.End && (d.File.Src[r.Start] == ' ' || d.File.Src[r.Start] == '\t') && msg != "tabs are not allowed for indentation in YAML; use spaces" {
			r.Start++
		}
	}
	src := d.File.Src
	if r.Start >= d.End && d.End > d.Start {
		// The library points past the document (the end of the stream, or the next
		// separator line): report on the document's last line instead.
		end := d.End
		for end > d.Start && (src[end-1] == '\n' || src[end-1] == '\r') {
			end--
		}
		r = Range{Start: max(m.LineStart(m.OffsetLine(end)), d.Start), End: end}
	}
	r.End = min(r.End, d.End)
	if r.End <= r.Start {
		r.End = min(r.Start+1, d.End)
		if r.End < r.Start {
			r.End = r.Start
		}
	}
	return &SyntaxError{Msg: msg, Range: r}
}

// firstTabIndent finds the first line (1-based, relative to the document) whose
// indentation contains a tab.
func (d *Document) firstTabIndent() (int, bool) {
	for i, line := range bytes.Split(d.Text(), []byte("\n")) {
		for _, c := range line {
			if c == '\t' {
				return i + 1, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0, false
}

// DocumentAt returns the document holding offset (its end included); nil when offset
// lies outside every document (on a separator line, or in a file without documents).
func (f *File) DocumentAt(offset int) *Document {
	i := sort.Search(len(f.Docs), func(i int) bool { return f.Docs[i].End >= offset })
	if i == len(f.Docs) || f.Docs[i].Start > offset {
		return nil
	}
	return f.Docs[i]
}
