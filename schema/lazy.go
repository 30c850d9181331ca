package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	fastjson "github.com/segmentio/encoding/json"
)

// lazyDocument compiles the definitions of one OpenAPI v3 document as they are asked
// for: a kind's schema needs only the definitions reachable from it, a small part of a
// document such as core/v1. It gives the same trees as CompileDocument.
//
// All compilation happens under mu; a definition is handed out only once everything
// reachable from it is compiled, and compiled nodes are never written again, so the
// trees it returns may be walked without the lock.
type lazyDocument struct {
	mu sync.Mutex
	c  *compiler
	// kinds maps each kind the document serves to its definition's name; nil until the
	// first lookup of a kind.
	kinds map[GVK]string
	// doc is the whole compiled document, once Document was called.
	doc *Document
}

// gvkKey is the extension naming the kinds a definition serves. Only definitions whose
// JSON contains it are scanned for it to find a kind's definition. (Without its quote:
// a search for a rare first byte is faster.)
var gvkKey = []byte(`x-kubernetes-group-version-kind"`)

// newLazyDocument splits an OpenAPI v3 document into its definitions' JSON without
// decoding them.
func newLazyDocument(data []byte) (*lazyDocument, error) {
	src, err := scanDefinitions(data)
	if err != nil {
		return nil, fmt.Errorf("decoding OpenAPI document: %w", err)
	}
	c := &compiler{unmarshal: fastjson.Unmarshal, src: src, raw: map[string]*rawSchema{}, defs: map[string]*Schema{}}
	return &lazyDocument{c: c}, nil
}

// Kind returns the compiled schema of gvk, or nil when the document does not serve it.
func (d *lazyDocument) Kind(gvk GVK) (*Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.indexKinds(); err != nil {
		return nil, err
	}
	name, ok := d.kinds[gvk]
	if !ok {
		return nil, nil
	}
	s := d.c.def(name)
	return s, d.c.err
}

// Definition returns the compiled definition name, or nil when the document lacks it.
func (d *lazyDocument) Definition(name string) (*Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.c.defs[name]; !ok && d.c.src[name] == nil {
		return nil, d.c.err
	}
	s := d.c.def(name)
	return s, d.c.err
}

// Document compiles every definition and returns the whole document.
func (d *lazyDocument) Document() (*Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.doc != nil || d.c.err != nil {
		return d.doc, d.c.err
	}
	doc := &Document{Definitions: d.c.defs, Kinds: map[GVK]*Schema{}}
	for _, name := range d.c.names() {
		s := d.c.def(name)
		for _, gvk := range s.GVKs {
			doc.Kinds[gvk] = s
		}
	}
	if d.c.err != nil {
		return nil, d.c.err
	}
	d.doc = doc
	return doc, nil
}

// indexKinds finds the definitions that serve kinds, decoding only those.
func (d *lazyDocument) indexKinds() error {
	if d.kinds != nil || d.c.err != nil {
		return d.c.err
	}
	kinds := map[GVK]string{}
	for _, name := range d.c.names() {
		if !bytes.Contains(d.c.src[name], gvkKey) {
			continue
		}
		gvks, err := definitionGVKs(d.c.src[name])
		if err != nil {
			d.c.err = fmt.Errorf("decoding OpenAPI definition %s: %w", name, err)
			return d.c.err
		}
		for _, gvk := range gvks {
			kinds[gvk] = name
		}
	}
	d.kinds = kinds
	return nil
}

// definitionGVKs decodes only the kinds a definition's JSON serves: the definition is
// decoded in full when it is compiled.
func definitionGVKs(def []byte) ([]GVK, error) {
	s := &scanner{data: def}
	var gvks []GVK
	err := s.object(func(key string) error {
		start := s.ws()
		if err := s.skip(); err != nil {
			return err
		}
		if key == "x-kubernetes-group-version-kind" {
			gvks = nil // as a decoder would, the last of duplicate members wins
			return fastjson.Unmarshal(def[start:s.pos], &gvks)
		}
		return nil
	})
	return gvks, err
}

// names lists the document's definitions, sorted.
func (c *compiler) names() []string {
	names := make([]string, 0, len(c.src)+len(c.raw))
	for name := range c.src {
		names = append(names, name)
	}
	for name := range c.raw {
		if _, ok := c.src[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// rawDef returns the decoded definition name, decoding it from its JSON on first use.
func (c *compiler) rawDef(name string) (*rawSchema, bool) {
	if raw, ok := c.raw[name]; ok {
		return raw, true
	}
	b, ok := c.src[name]
	if !ok {
		return nil, false
	}
	raw := &rawSchema{}
	if err := c.unmarshal(b, raw); err != nil {
		if c.err == nil {
			c.err = fmt.Errorf("decoding OpenAPI definition %s: %w", name, err)
		}
		return nil, false
	}
	c.raw[name] = raw
	return raw, true
}

// scanDefinitions returns the JSON of each entry of components.schemas of an OpenAPI
// document, as slices of data, checking only the document's structure: each
// definition's JSON is checked when it is decoded.
func scanDefinitions(data []byte) (map[string][]byte, error) {
	s := &scanner{data: data}
	defs := map[string][]byte{}
	err := s.object(func(key string) error {
		if key != "components" {
			return s.skip()
		}
		return s.object(func(key string) error {
			if key != "schemas" {
				return s.skip()
			}
			return s.object(func(key string) error {
				start := s.ws()
				if err := s.skip(); err != nil {
					return err
				}
				defs[key] = data[start:s.pos]
				return nil
			})
		})
	})
	if err != nil {
		return nil, err
	}
	if s.ws() != len(data) {
		return nil, s.errorf("data after the document")
	}
	return defs, nil
}

// scanner walks JSON text without decoding values.
type scanner struct {
	data []byte
	pos  int
}

var errEnd = errors.New("unexpected end of JSON")

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{s.pos}, args...)...)
}

// ws skips white space and returns the position of the next token.
func (s *scanner) ws() int {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return s.pos
		}
	}
	return s.pos
}

// next consumes the byte c (after white space).
func (s *scanner) next(c byte) error {
	if s.ws() >= len(s.data) {
		return errEnd
	}
	if s.data[s.pos] != c {
		return s.errorf("want %q, have %q", c, s.data[s.pos])
	}
	s.pos++
	return nil
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	if s.ws() >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// object walks an object, calling member with the scanner at each member's value;
// member must consume the value.
func (s *scanner) object(member func(key string) error) error {
	if err := s.next('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.key()
		if err != nil {
			return err
		}
		if err := s.next(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		case 0:
			return errEnd
		default:
			return s.errorf("want ',' or '}', have %q", s.data[s.pos])
		}
	}
}

// key reads an object key.
func (s *scanner) key() (string, error) {
	start := s.ws()
	if err := s.str(); err != nil {
		return "", err
	}
	lit := s.data[start:s.pos]
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	var key string
	if err := json.Unmarshal(lit, &key); err != nil {
		return "", s.errorf("key: %v", err)
	}
	return key, nil
}

// str consumes a string.
func (s *scanner) str() error {
	if err := s.next('"'); err != nil {
		return err
	}
	for {
		i := bytes.IndexByte(s.data[s.pos:], '"')
		if i < 0 {
			return errEnd
		}
		s.pos += i + 1
		// The quote ends the string unless an odd number of backslashes escapes it.
		n := 0
		for j := s.pos - 2; j >= 0 && s.data[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return nil
		}
	}
}

// skip consumes one value.
func (s *scanner) skip() error {
	switch s.peek() {
	case 0:
		return errEnd
	case '"':
		return s.str()
	case '{', '[':
		return s.nested()
	}
	start := s.pos
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if s.pos == start {
				return s.errorf("unexpected %q", s.data[s.pos])
			}
			return nil
		case '{', '[', '"', ':':
			return s.errorf("unexpected %q", s.data[s.pos])
		}
		s.pos++
	}
	return nil
}

// nested consumes an object or array, matching brackets and skipping strings.
func (s *scanner) nested() error {
	var stack []byte
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case '"':
			if err := s.str(); err != nil {
				return err
			}
			continue
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return s.errorf("unexpected %q", c)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.pos++
				return nil
			}
		}
		s.pos++
	}
	return errEnd
}
