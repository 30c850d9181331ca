package yamlpos

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// AppendJSON appends to dst the JSON text of the value Kubernetes decodes from n, the
// same value ToValue gives, without building it. It reports false (and dst is then of
// no use) where JSON text cannot say the same thing plainly: merge keys or a key written
// twice (whose resolution ToValue owns), a float that is not finite, or more nodes than
// budget once aliases are expanded.
func AppendJSON(dst []byte, n *yaml.Node, budget int) ([]byte, bool) {
	if hint := jsonSizeHint(n, 0); cap(dst)-len(dst) < hint {
		dst = slices.Grow(dst, hint)
	}
	return appendJSON(dst, n, &budget, 0)
}

// jsonSizeHint guesses the length of n's JSON text from its values' lengths, aliases
// left unexpanded, so that the text is written without growing its buffer.
func jsonSizeHint(n *yaml.Node, depth int) int {
	if n == nil || depth > 10000 {
		return 4
	}
	size := len(n.Value) + 2 // quotes, or brackets
	for _, c := range n.Content {
		size += jsonSizeHint(c, depth+1) + 1 // a comma or a colon
	}
	return size
}

func appendJSON(dst []byte, n *yaml.Node, budget *int, depth int) ([]byte, bool) {
	n = Resolve(n)
	*budget--
	if *budget < 0 || depth > 10000 {
		return dst, false
	}
	if n == nil {
		return append(dst, "null"...), true
	}
	switch n.Kind {
	case yaml.MappingNode:
		if HasMerge(n) {
			return dst, false
		}
		dst = append(dst, '{')
		// A key written twice is found by comparing with the earlier keys, through a set
		// once the mapping is larger than a few keys (a ConfigMap may have 100,000).
		var seen map[string]bool
		var few [16]string // the keys so far, for a small mapping
		if len(n.Content) > 2*len(few) {
			seen = make(map[string]bool, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := KeyString(n.Content[i])
			if seen != nil {
				if seen[key] {
					return dst, false
				}
				seen[key] = true
			} else {
				if slices.Contains(few[:i/2], key) {
					return dst, false
				}
				few[i/2] = key
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, key)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = appendJSON(dst, n.Content[i+1], budget, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, c := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendJSON(dst, c, budget, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case yaml.ScalarNode:
		s := ResolveScalar(n)
		switch s.Kind {
		case Null:
			return append(dst, "null"...), true
		case Bool:
			return strconv.AppendBool(dst, s.Bool), true
		case Int:
			if s.Uint {
				return appendFloat(dst, s.Float)
			}
			return strconv.AppendInt(dst, s.Int, 10), true
		case Float:
			if s.IsIntegral() && math.Abs(s.Float) < 1<<53 {
				return strconv.AppendInt(dst, int64(s.Float), 10), true
			}
			return appendFloat(dst, s.Float)
		default:
			return appendJSONString(dst, s.Text), true
		}
	}
	return append(dst, "null"...), true
}

func appendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64), true
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as
// encoding/json writes it.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0 // s[start:i] is still to be copied as it is
	for i := 0; i < len(s); {
		if i = plainJSONRun(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainJSONRun returns the offset of the first byte from i on that a JSON string cannot
// hold as it is, or that is not ASCII; len(s) if there is none. It reads eight bytes at a
// time, as the fast parser's scanners do.
func plainJSONRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := jsonSpecials(s, i); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			return i
		}
	}
	return i
}

// jsonSpecials sets the high bit of the lowest byte of s[i:i+8] that is below 0x20, a
// quote, a backslash or not ASCII, and maybe of higher bytes; it is 0 when there is none.
func jsonSpecials(s string, i int) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
	quotes, backslashes := w^('"'*ones), w^('\\'*ones)
	m := (w-0x20*ones)&^w | (quotes-ones)&^quotes | (backslashes-ones)&^backslashes | w
	return m & highs
}

// jsonPlain tells the ASCII bytes a JSON string holds as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
