package cli

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// writeJSON writes the report as json.Encoder with SetIndent("", "  ") writes it, byte
// for byte (fields in declaration order, omitempty, nil slices as null, map keys sorted,
// strings escaped with HTML escaping and invalid UTF-8 replaced), without reflection and
// without holding the whole text: it streams out in pieces of about jsonChunk bytes. A
// large run's report is megabytes; encoding it into one growing buffer and indenting
// that took longer than all the rest of the run's serial work together.
func (rep *report) writeJSON(w io.Writer) error {
	e := &jsonWriter{w: w, buf: make([]byte, 0, jsonChunk+4096)}
	e.beginObject()
	e.key("documents")
	if rep.Documents == nil {
		e.null()
	} else {
		e.beginArray()
		for i := range rep.Documents {
			e.elem()
			e.document(&rep.Documents[i])
			if e.flushIfFull() != nil {
				return e.err
			}
		}
		e.endArray()
	}
	e.key("summary")
	e.summary(&rep.Summary)
	e.endObject()
	e.buf = append(e.buf, '\n')
	return e.flush()
}

// jsonChunk is how many bytes of JSON collect before they are written out.
const jsonChunk = 64 << 10

// jsonWriter appends indented JSON ("  " per level) to buf and writes it out to w. first
// is true right after an object or array opened, until its first member or element.
type jsonWriter struct {
	w     io.Writer
	buf   []byte
	err   error
	depth int
	first bool
}

func (e *jsonWriter) flushIfFull() error {
	if len(e.buf) >= jsonChunk {
		return e.flush()
	}
	return nil
}

// flush writes out what has collected; after an error it writes nothing more.
func (e *jsonWriter) flush() error {
	if e.err == nil && len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
	return e.err
}

func (e *jsonWriter) beginObject() { e.open('{') }
func (e *jsonWriter) beginArray()  { e.open('[') }
func (e *jsonWriter) endObject()   { e.close('}') }
func (e *jsonWriter) endArray()    { e.close(']') }

func (e *jsonWriter) open(c byte) {
	e.buf = append(e.buf, c)
	e.depth++
	e.first = true
}

// close ends an object or array: an empty one stays {} or [].
func (e *jsonWriter) close(c byte) {
	e.depth--
	if !e.first {
		e.newline()
	}
	e.buf = append(e.buf, c)
	e.first = false
}

// elem starts an array's next element.
func (e *jsonWriter) elem() {
	if !e.first {
		e.buf = append(e.buf, ',')
	}
	e.first = false
	e.newline()
}

// key starts an object's next member, up to its value.
func (e *jsonWriter) key(k string) {
	e.elem()
	e.buf = appendJSONString(e.buf, k)
	e.buf = append(e.buf, ':', ' ')
}

// indentation is a line break and the indentation of the levels the report reaches.
const indentation = "\n                                "

func (e *jsonWriter) newline() {
	if n := 1 + 2*e.depth; n <= len(indentation) {
		e.buf = append(e.buf, indentation[:n]...)
		return
	}
	e.buf = append(e.buf, '\n')
	for range e.depth {
		e.buf = append(e.buf, ' ', ' ')
	}
}

func (e *jsonWriter) null() { e.buf = append(e.buf, "null"...) }

func (e *jsonWriter) str(k, v string) {
	e.key(k)
	e.buf = appendJSONString(e.buf, v)
}

func (e *jsonWriter) int(k string, v int) {
	e.key(k)
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
}

func (e *jsonWriter) document(d *jsonDocument) {
	e.beginObject()
	e.str("file", d.File)
	e.int("index", d.Index)
	e.str("apiVersion", d.APIVersion)
	e.str("kind", d.Kind)
	e.str("name", d.Name)
	e.str("namespace", d.Namespace)
	e.str("status", d.Status)
	e.str("reason", d.Reason)
	e.str("schemaSource", d.SchemaSource)
	e.key("findings")
	if d.Findings == nil {
		e.null()
	} else {
		e.beginArray()
		for i := range d.Findings {
			e.elem()
			e.finding(&d.Findings[i])
		}
		e.endArray()
	}
	if len(d.Defines) > 0 {
		e.key("defines")
		e.beginArray()
		for _, s := range d.Defines {
			e.elem()
			e.buf = appendJSONString(e.buf, s)
		}
		e.endArray()
	}
	e.endObject()
}

func (e *jsonWriter) finding(f *jsonFinding) {
	e.beginObject()
	e.str("severity", f.Severity)
	e.str("code", f.Code)
	e.str("field", f.Field)
	e.str("message", f.Message)
	e.key("range")
	e.rng(f.Range)
	if len(f.Related) > 0 {
		e.key("related")
		e.beginArray()
		for _, r := range f.Related {
			e.elem()
			e.beginObject()
			e.str("message", r.Message)
			e.key("range")
			e.rng(r.Range)
			if r.File != "" {
				e.str("file", r.File)
			}
			e.endObject()
		}
		e.endArray()
	}
	if f.File != "" {
		e.str("file", f.File)
	}
	e.endObject()
}

func (e *jsonWriter) rng(r jsonRange) {
	e.beginObject()
	e.key("start")
	e.pos(r.Start)
	e.key("end")
	e.pos(r.End)
	e.endObject()
}

func (e *jsonWriter) pos(p jsonPos) {
	e.beginObject()
	e.int("line", p.Line)
	e.int("column", p.Column)
	e.endObject()
}

func (e *jsonWriter) summary(s *jsonSummary) {
	e.beginObject()
	e.counts(s.Documents, s.Valid, s.Invalid, s.Skipped)
	if len(s.ByKind) > 0 {
		e.key("byKind")
		e.beginObject()
		for _, k := range sortedKeys(s.ByKind) {
			e.key(k)
			if c := s.ByKind[k]; c == nil {
				e.null()
			} else {
				e.beginObject()
				e.counts(c.Documents, c.Valid, c.Invalid, c.Skipped)
				e.endObject()
			}
		}
		e.endObject()
	}
	if len(s.ByCode) > 0 {
		e.key("byCode")
		e.beginObject()
		for _, k := range sortedKeys(s.ByCode) {
			e.int(k, s.ByCode[k])
		}
		e.endObject()
	}
	e.endObject()
}

// counts are the members of a summary and of a kind's counts.
func (e *jsonWriter) counts(documents, valid, invalid, skipped int) {
	e.int("documents", documents)
	e.int("valid", valid)
	e.int("invalid", invalid)
	e.int("skipped", skipped)
}

// jsonPlain marks the ASCII bytes a JSON string holds as they are: not the control
// characters, the quote and the backslash, and (HTML escaping, as encoding/json does by
// default) not <, > and &.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json quotes a string: the short escapes
// \" \\ \b \f \n \r \t, \u00XX for the other control characters and for <, > and &,
// \u2028 and \u2029 for the line and paragraph separators, and \ufffd for each byte that
// is not part of valid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonPlain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
