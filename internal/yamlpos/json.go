package yamlpos

import (
	"math"
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
	return appendJSON(dst, n, &budget, 0)
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
		if len(n.Content) > 32 {
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
				for j := 0; j < i; j += 2 {
					if KeyString(n.Content[j]) == key {
						return dst, false
					}
				}
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
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					dst = append(dst, '\\', 'n')
				case '\r':
					dst = append(dst, '\\', 'r')
				case '\t':
					dst = append(dst, '\\', 't')
				default:
					dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
				}
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
