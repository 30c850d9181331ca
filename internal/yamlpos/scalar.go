package yamlpos

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind is the JSON type a YAML scalar becomes when Kubernetes reads it.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	// Map and Seq describe collection nodes.
	Map
	Seq
)

func (k Kind) String() string {
	return [...]string{"null", "boolean", "integer", "number", "string", "object", "array"}[k]
}

// Scalar is a resolved scalar value.
type Scalar struct {
	Kind  Kind
	Bool  bool
	Int   int64
	Float float64
	// Text is the scalar's value as written (unquoted, unescaped).
	Text string
	// Uint is set for integers above MaxInt64.
	Uint bool
}

// yaml11Word resolves the words YAML 1.1 gives a value: booleans, nulls, infinities and NaN.
func yaml11Word(v string) (Scalar, bool) {
	switch v {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return Scalar{Kind: Bool, Bool: true, Text: v}, true
	case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return Scalar{Kind: Bool, Text: v}, true
	case "", "~", "null", "Null", "NULL":
		return Scalar{Kind: Null, Text: v}, true
	case ".nan", ".NaN", ".NAN":
		return Scalar{Kind: Float, Float: math.NaN(), Text: v}, true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return Scalar{Kind: Float, Float: math.Inf(1), Text: v}, true
	case "-.inf", "-.Inf", "-.INF":
		return Scalar{Kind: Float, Float: math.Inf(-1), Text: v}, true
	}
	return Scalar{}, false
}

var yaml11Float = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// ResolveScalar gives the value a scalar node has for Kubernetes. kubectl and the apiserver
// read YAML with YAML 1.1 rules (sigs.k8s.io/yaml), not the YAML 1.2 rules of the parser
// used here for positions: `yes`, `on` and `y` are booleans, `0777` is octal, `1_000` an
// integer, and a timestamp stays a string. Quoted scalars and `!!str` are strings.
func ResolveScalar(n *yaml.Node) Scalar {
	v := n.Value
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return Scalar{Kind: String, Text: v}
	}
	tag := n.Tag
	if n.Style&yaml.TaggedStyle != 0 {
		switch tag {
		case "!!str", "!!binary", "!!timestamp":
			return Scalar{Kind: String, Text: v}
		case "!!null":
			return Scalar{Kind: Null, Text: v}
		case "!!bool", "!!int", "!!float":
		default:
			// Unknown or custom tags: the value stays a string.
			return Scalar{Kind: String, Text: v}
		}
	}
	s := resolve11(v)
	if tag == "!!float" && s.Kind == Int {
		s = Scalar{Kind: Float, Float: float64(s.Int), Text: v}
	}
	return s
}

func resolve11(v string) Scalar {
	if plainString(v) {
		return Scalar{Kind: String, Text: v}
	}
	if s, ok := yaml11Word(v); ok {
		return s
	}
	if i, ok := smallDecimal(v); ok {
		return Scalar{Kind: Int, Int: i, Text: v}
	}
	c := v[0]
	switch {
	case c == '.':
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return Scalar{Kind: Float, Float: f, Text: v}
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if !couldBeNumber(v) {
			return Scalar{Kind: String, Text: v}
		}
		if looksLikeTimestamp(v) {
			return Scalar{Kind: String, Text: v}
		}
		plain := strings.ReplaceAll(v, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return Scalar{Kind: Int, Int: i, Text: v}
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return Scalar{Kind: Int, Int: int64(u), Uint: true, Float: float64(u), Text: v}
		}
		if yaml11Float.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return Scalar{Kind: Float, Float: f, Text: v}
			}
		}
		if strings.HasPrefix(plain, "0b") {
			if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
				return Scalar{Kind: Int, Int: i, Text: v}
			}
		} else if strings.HasPrefix(plain, "-0b") {
			if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
				return Scalar{Kind: Int, Int: i, Text: v}
			}
		}
	}
	return Scalar{Kind: String, Text: v}
}

// smallDecimal reads the common integer: optionally signed decimal digits, not starting
// with 0 (octal for YAML 1.1) unless it is 0, and few enough not to overflow.
func smallDecimal(v string) (int64, bool) {
	digits := v
	if len(v) > 0 && (v[0] == '-' || v[0] == '+') {
		digits = v[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if v[0] == '-' {
		n = -n
	}
	return n, true
}

// looksLikeTimestamp mirrors YAML 1.1's timestamp forms that Kubernetes keeps as strings.
func looksLikeTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	return timestampRE.MatchString(s)
}

var timestampRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ ]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$`)

// IsIntegral reports whether a number is a whole number, as Kubernetes' YAML-to-JSON
// conversion turns 3.0 into 3.
func (s Scalar) IsIntegral() bool {
	switch s.Kind {
	case Int:
		return true
	case Float:
		return !math.IsInf(s.Float, 0) && !math.IsNaN(s.Float) && s.Float == math.Trunc(s.Float) && math.Abs(s.Float) < 1<<63
	}
	return false
}

// Number returns a numeric scalar as float64.
func (s Scalar) Number() float64 {
	if s.Kind == Int {
		if s.Uint {
			return s.Float
		}
		return float64(s.Int)
	}
	return s.Float
}

// plainString reports whether a plain scalar is certainly a string under YAML 1.1: it
// starts with a letter that no boolean or null word starts with.
func plainString(v string) bool {
	if v == "" {
		return false
	}
	switch c := v[0]; {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		switch c {
		case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O':
			return false
		}
		return true
	case c == '/' || c == '_' || c == '$' || c == '@' || c == '#':
		return true
	}
	return false
}

// couldBeNumber is a cheap filter before the YAML 1.1 number parsers: the characters of
// decimal, octal, hex and binary integers and of floats.
func couldBeNumber(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9', c == '_', c == '+', c == '-', c == '.':
		case c == 'x' || c == 'X' || c == 'o' || c == 'O':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// KeyString is the JSON object key a YAML key becomes: non-string keys are printed the way
// Kubernetes' YAML-to-JSON conversion prints them (`yes:` becomes "true", `1:` becomes "1").
func KeyString(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode && (n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 || (n.Style == 0 && plainString(n.Value))) {
		return n.Value // the common case, without resolving
	}
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	s := ResolveScalar(n)
	switch s.Kind {
	case Bool:
		return strconv.FormatBool(s.Bool)
	case Int:
		if s.Uint {
			return strconv.FormatUint(uint64(s.Int), 10)
		}
		return strconv.FormatInt(s.Int, 10)
	case Float:
		return strconv.FormatFloat(s.Float, 'g', -1, 32)
	case Null:
		return "null"
	}
	return n.Value
}

// KindOf is the JSON type of a node (aliases followed).
func KindOf(n *yaml.Node) Kind {
	n = Resolve(n)
	if n == nil {
		return Null
	}
	switch n.Kind {
	case yaml.MappingNode:
		return Map
	case yaml.SequenceNode:
		return Seq
	case yaml.ScalarNode:
		return ResolveScalar(n).Kind
	}
	return Null
}
