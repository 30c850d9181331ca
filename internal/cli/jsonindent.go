package cli

import (
	"encoding/json"
	"io"
)

// writeIndentedJSON writes v as json.Encoder with SetIndent("", indent) does, byte for
// byte: compact encoding, then indentation, then a newline. The report of a large run
// is megabytes of JSON, and encoding/json's indenter, a scanner state machine called
// once per byte, took more time than encoding it; v is encoded compactly (no whitespace
// outside strings), so indenting only has to tell strings from punctuation.
func writeIndentedJSON(w io.Writer, v any, indent string) error {
	compact, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out := appendIndentedJSON(make([]byte, 0, len(compact)*2), compact, indent)
	_, err = w.Write(append(out, '\n'))
	return err
}

// appendIndentedJSON appends compact, valid JSON to dst indented as json.Indent(dst,
// src, "", indent) would: one member or element per line, ": " after keys, empty objects
// and arrays kept as {} and [].
func appendIndentedJSON(dst, src []byte, indent string) []byte {
	depth := 0
	open := false // after { or [: the next byte decides between a newline and {} or []
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = appendJSONNewline(dst, indent, depth)
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = appendJSONNewline(dst, indent, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				dst = appendJSONNewline(dst, indent, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd is the offset just past the JSON string that starts at src[start] (a quote).
func stringEnd(src []byte, start int) int {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(src)
}

func appendJSONNewline(dst []byte, indent string, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}
