// Package nodejson decodes a parsed YAML tree straight into a Go value, with the result
// the kube-apiserver's JSON decoder (sigs.k8s.io/json, case-sensitive field names,
// integers kept as int64 in untyped fields) gives for the tree's JSON text
// (yamlpos.AppendJSON): the same values, the same nil and empty slices and maps, an
// error where that decoder has one. It skips writing and scanning the text, the larger
// part of decoding a manifest.
//
// Types whose decoding is their own (json.Unmarshaler, encoding.TextUnmarshaler), untyped
// fields, byte slices, arrays and the rarer struct tags are handed, value by value, to
// that decoder with the value's JSON text, so their result is its result by
// construction.
package nodejson

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	kjson "sigs.k8s.io/json"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// ErrUnsupported is returned for a tree whose JSON text AppendJSON does not write (an
// alias, a merge key, a key written twice, a float that is not finite): the caller
// decodes it some other way. v may then be partly set.
var ErrUnsupported = errors.New("nodejson: the tree has no plain JSON equivalent")

// Decode sets *v (v a non-nil pointer) from n. Its error is nil where the JSON decoder
// succeeds, ErrUnsupported (see there) or another error where it fails.
func Decode(n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("nodejson: Decode needs a non-nil pointer, not %T", v)
	}
	if n == nil {
		return ErrUnsupported
	}
	d := decoder{budget: maxNodes}
	// The JSON decoder, handed a pointer, decodes into what it points to, unless the
	// pointer's type decodes itself.
	p := planOf(rv.Type())
	if p.kind == opaque {
		return d.delegate(n, rv)
	}
	return d.value(n, rv.Elem(), p.elemPlan())
}

// maxNodes bounds a decode: a manifest has far fewer nodes; AppendJSON's callers bound
// theirs similarly.
const maxNodes = 1_000_000

type decoder struct {
	budget int
	buf    []byte // reused for literals and delegated values
}

// errType is the decoder's error for a value of the wrong kind for its Go type: the JSON
// decoder fails there too (its message differs; callers only need the failure).
type errType struct {
	what string
	t    reflect.Type
}

func (e *errType) Error() string {
	return "nodejson: cannot decode " + e.what + " into Go value of type " + e.t.String()
}

// value decodes n into v (settable) of plan p.
func (d *decoder) value(n *yaml.Node, v reflect.Value, p *plan) error {
	d.budget--
	if d.budget < 0 {
		return ErrUnsupported
	}
	if n.Kind == yaml.AliasNode {
		return ErrUnsupported
	}
	if p.kind == opaque {
		return d.delegate(n, v.Addr())
	}
	switch n.Kind {
	case yaml.MappingNode:
		return d.mapping(n, v, p)
	case yaml.SequenceNode:
		return d.sequence(n, v, p)
	case yaml.ScalarNode:
		return d.scalar(n, v, p)
	}
	return ErrUnsupported
}

// delegate decodes n's JSON text into what ptr points to with the JSON decoder itself.
func (d *decoder) delegate(n *yaml.Node, ptr reflect.Value) error {
	data, ok := yamlpos.AppendJSON(d.buf[:0], n, d.budget)
	if !ok {
		return ErrUnsupported
	}
	d.buf = data[:0]
	// The text handed over is a copy: a type may keep it.
	text := append([]byte(nil), data...)
	if u, ok := ptr.Interface().(json.Unmarshaler); ok {
		// What the JSON decoder does with a value whose pointer decodes itself: hand it
		// the value's text, which AppendJSON writes valid and compact.
		return u.UnmarshalJSON(text)
	}
	return kjson.UnmarshalCaseSensitivePreserveInts(text, ptr.Interface())
}

// through follows pointers from v, allocating them, to the value they lead to and its
// plan.
func through(v reflect.Value, p *plan) (reflect.Value, *plan) {
	for p.kind == pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v, p = v.Elem(), p.elemPlan()
	}
	return v, p
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, p *plan) error {
	if v, p = through(v, p); p.kind == opaque {
		return d.delegate(n, v.Addr())
	}
	if yamlpos.HasMerge(n) {
		return ErrUnsupported
	}
	switch p.kind {
	case structKind:
		return d.object(n, v, p)
	case mapKind:
		return d.dict(n, v, p)
	}
	return &errType{"object", v.Type()}
}

// object decodes a mapping into a struct: each key sets the field of that exact name;
// keys naming no field are skipped.
func (d *decoder) object(n *yaml.Node, v reflect.Value, p *plan) error {
	var seen uint64 // fields set, by index (a key written twice is not plain JSON)
	var seenMore map[int]bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := yamlpos.KeyString(n.Content[i])
		f, ok := p.fields[key]
		if !ok {
			if !utf8.ValidString(key) {
				return ErrUnsupported
			}
			if d.duplicateKey(n, i, key) || !d.writable(n.Content[i+1]) {
				return ErrUnsupported
			}
			continue
		}
		if f.pos < 64 {
			if seen&(1<<f.pos) != 0 {
				return ErrUnsupported
			}
			seen |= 1 << f.pos
		} else {
			if seenMore == nil {
				seenMore = map[int]bool{}
			}
			if seenMore[f.pos] {
				return ErrUnsupported
			}
			seenMore[f.pos] = true
		}
		fv, err := fieldValue(v, f.index)
		if err != nil {
			return err
		}
		if err := d.value(n.Content[i+1], fv, f.planOf()); err != nil {
			return err
		}
	}
	return nil
}

// duplicateKey reports whether an unknown key at Content[i] was written before.
func (d *decoder) duplicateKey(n *yaml.Node, i int, key string) bool {
	for j := 0; j < i; j += 2 {
		if yamlpos.KeyString(n.Content[j]) == key {
			return true
		}
	}
	return false
}

// writable reports whether AppendJSON writes n, a value the struct has no field for: the
// JSON path fails on the whole tree when it does not.
func (d *decoder) writable(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode && n.Style != 0 {
		return true // quoted or tagged: a string, a bool, a null or a number it writes
	}
	data, ok := yamlpos.AppendJSON(d.buf[:0], n, d.budget)
	d.buf = data[:0]
	return ok
}

// fieldValue walks index from struct v, allocating embedded pointers on the way.
func fieldValue(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, ErrUnsupported
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// dict decodes a mapping into a map with string keys.
func (d *decoder) dict(n *yaml.Node, v reflect.Value, p *plan) error {
	t := v.Type()
	if t == stringMapType {
		return d.stringMap(n, v.Addr().Interface().(*map[string]string))
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := yamlpos.KeyString(n.Content[i])
		if !utf8.ValidString(key) {
			return ErrUnsupported
		}
		kv := reflect.ValueOf(key)
		if kv.Type() != t.Key() {
			kv = kv.Convert(t.Key())
		}
		if v.MapIndex(kv).IsValid() {
			return ErrUnsupported
		}
		ev := reflect.New(t.Elem()).Elem()
		if err := d.value(n.Content[i+1], ev, p.elemPlan()); err != nil {
			return err
		}
		v.SetMapIndex(kv, ev)
	}
	return nil
}

var stringMapType = reflect.TypeFor[map[string]string]()

// stringMap is dict for the commonest map (labels, annotations, selectors, data) without
// reflection.
func (d *decoder) stringMap(n *yaml.Node, m *map[string]string) error {
	if *m == nil {
		*m = make(map[string]string, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := yamlpos.KeyString(n.Content[i])
		if !utf8.ValidString(key) {
			return ErrUnsupported
		}
		if _, dup := (*m)[key]; dup {
			return ErrUnsupported
		}
		d.budget--
		c := n.Content[i+1]
		if c.Kind != yaml.ScalarNode {
			if c.Kind == yaml.AliasNode {
				return ErrUnsupported
			}
			return &errType{"object or array", stringType}
		}
		s := yamlpos.ResolveScalar(c)
		switch s.Kind {
		case yamlpos.Null:
			(*m)[key] = "" // null leaves the new element as it is: empty
			continue
		case yamlpos.String:
		default:
			if s.Kind == yamlpos.Float && (math.IsInf(s.Float, 0) || math.IsNaN(s.Float)) {
				return ErrUnsupported
			}
			return &errType{"bool or number", stringType}
		}
		text := s.Text
		if !utf8.ValidString(text) {
			text = replaceInvalid(text)
		}
		(*m)[key] = text
	}
	return nil
}

var stringType = reflect.TypeFor[string]()

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, p *plan) error {
	if v, p = through(v, p); p.kind == opaque {
		return d.delegate(n, v.Addr())
	}
	if p.kind != sliceKind {
		return &errType{"array", v.Type()}
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		if err := d.value(c, s.Index(i), p.elemPlan()); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

// scalar decodes a scalar as the JSON literal AppendJSON writes for it.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, p *plan) error {
	s := yamlpos.ResolveScalar(n)
	if s.Kind == yamlpos.Null {
		// null empties what may be nil and leaves anything else as it is.
		if p.kind == pointer || p.kind == mapKind || p.kind == sliceKind {
			v.SetZero()
		}
		return nil
	}
	if v, p = through(v, p); p.kind == opaque {
		return d.delegate(n, v.Addr())
	}
	switch s.Kind {
	case yamlpos.Bool:
		if p.kind != boolKind {
			return &errType{"bool", v.Type()}
		}
		v.SetBool(s.Bool)
		return nil
	case yamlpos.Int, yamlpos.Float:
		return d.number(s, v, p)
	}
	if p.kind != stringKind {
		return &errType{"string", v.Type()}
	}
	text := s.Text
	if !utf8.ValidString(text) {
		text = replaceInvalid(text)
	}
	v.SetString(text)
	return nil
}

// number stores a number as the JSON decoder stores the literal AppendJSON writes.
func (d *decoder) number(s yamlpos.Scalar, v reflect.Value, p *plan) error {
	var lit []byte
	switch {
	case s.Kind == yamlpos.Int && !s.Uint:
		lit = strconv.AppendInt(d.buf[:0], s.Int, 10)
	case s.Kind == yamlpos.Float && s.IsIntegral() && math.Abs(s.Float) < 1<<53:
		lit = strconv.AppendInt(d.buf[:0], int64(s.Float), 10)
	default:
		if math.IsInf(s.Float, 0) || math.IsNaN(s.Float) {
			return ErrUnsupported
		}
		lit = strconv.AppendFloat(d.buf[:0], s.Float, 'g', -1, 64)
	}
	d.buf = lit[:0]
	switch p.kind {
	case intKind:
		i, err := strconv.ParseInt(string(lit), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return &errType{"number " + string(lit), v.Type()}
		}
		v.SetInt(i)
	case uintKind:
		u, err := strconv.ParseUint(string(lit), 10, 64)
		if err != nil || v.OverflowUint(u) {
			return &errType{"number " + string(lit), v.Type()}
		}
		v.SetUint(u)
	case floatKind:
		f, err := strconv.ParseFloat(string(lit), v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return &errType{"number " + string(lit), v.Type()}
		}
		v.SetFloat(f)
	default:
		return &errType{"number", v.Type()}
	}
	return nil
}

// replaceInvalid is s with each byte that is not part of valid UTF-8 replaced by U+FFFD,
// as a JSON string written by AppendJSON and read back has it.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// --- plans --------------------------------------------------------------------------

type planKind uint8

const (
	opaque planKind = iota // decoded by the JSON decoder itself
	pointer
	structKind
	mapKind
	sliceKind
	stringKind
	boolKind
	intKind
	uintKind
	floatKind
)

// plan is how values of one Go type are decoded. The plans of the types it holds are
// made on first use: a kind's whole type tree (300 types for a Deployment) is more than
// a manifest uses.
type plan struct {
	kind     planKind
	elemType reflect.Type // pointer, map and slice
	elem     atomic.Pointer[plan]
	fields   map[string]*field // struct: by JSON name
}

func (p *plan) elemPlan() *plan {
	if e := p.elem.Load(); e != nil {
		return e
	}
	e := planOf(p.elemType)
	p.elem.Store(e)
	return e
}

type field struct {
	index []int
	pos   int // 0.. in the struct's field list
	typ   reflect.Type
	plan  atomic.Pointer[plan]
}

func (f *field) planOf() *plan {
	if p := f.plan.Load(); p != nil {
		return p
	}
	p := planOf(f.typ)
	f.plan.Store(p)
	return p
}

var (
	plans             sync.Map // reflect.Type → *plan
	unmarshalerType   = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// planOf returns the plan of t, made once.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p, _ := plans.LoadOrStore(t, build(t))
	return p.(*plan)
}

func build(t reflect.Type) *plan {
	p := &plan{}
	if t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalType)) {
		p.kind = opaque
		return p
	}
	switch t.Kind() {
	case reflect.Pointer:
		p.kind, p.elemType = pointer, t.Elem()
	case reflect.Struct:
		fields, ok := jsonFields(t)
		if !ok {
			p.kind = opaque
			return p
		}
		p.kind = structKind
		p.fields = make(map[string]*field, len(fields))
		for i, f := range fields {
			p.fields[f.name] = &field{index: f.index, pos: i, typ: f.typ}
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String || t.Key().Name() == "Number" ||
			reflect.PointerTo(t.Key()).Implements(textUnmarshalType) {
			p.kind = opaque
			return p
		}
		p.kind, p.elemType = mapKind, t.Elem()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p.kind = opaque // base64 text, or an array of numbers
			return p
		}
		p.kind, p.elemType = sliceKind, t.Elem()
	case reflect.String:
		p.kind = stringKind
		if t.Name() == "Number" {
			p.kind = opaque
		}
	case reflect.Bool:
		p.kind = boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = intKind
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.kind = uintKind
	case reflect.Float32, reflect.Float64:
		p.kind = floatKind
	default: // interfaces, arrays, and kinds no JSON decodes into
		p.kind = opaque
	}
	return p
}
