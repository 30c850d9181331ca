package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

// rawSchema is the subset of OpenAPI v3 / JSONSchemaProps that compiles into a Schema.
type rawSchema struct {
	Ref                  string                `json:"$ref"`
	Type                 string                `json:"type"`
	Format               string                `json:"format"`
	Description          string                `json:"description"`
	Properties           map[string]*rawSchema `json:"properties"`
	AdditionalProperties json.RawMessage       `json:"additionalProperties"`
	Items                json.RawMessage       `json:"items"`
	Required             []string              `json:"required"`
	Enum                 []json.RawMessage     `json:"enum"`
	Default              json.RawMessage       `json:"default"`
	Nullable             bool                  `json:"nullable"`
	AllOf                []*rawSchema          `json:"allOf"`
	OneOf                []*rawSchema          `json:"oneOf"`
	AnyOf                []*rawSchema          `json:"anyOf"`
	Maximum              *float64              `json:"maximum"`
	Minimum              *float64              `json:"minimum"`
	ExclusiveMaximum     bool                  `json:"exclusiveMaximum"`
	ExclusiveMinimum     bool                  `json:"exclusiveMinimum"`
	MultipleOf           *float64              `json:"multipleOf"`
	MaxLength            *int64                `json:"maxLength"`
	MinLength            *int64                `json:"minLength"`
	Pattern              string                `json:"pattern"`
	MaxItems             *int64                `json:"maxItems"`
	MinItems             *int64                `json:"minItems"`
	UniqueItems          bool                  `json:"uniqueItems"`
	MaxProperties        *int64                `json:"maxProperties"`
	MinProperties        *int64                `json:"minProperties"`
	IntOrString          bool                  `json:"x-kubernetes-int-or-string"`
	PreserveUnknown      *bool                 `json:"x-kubernetes-preserve-unknown-fields"`
	EmbeddedResource     bool                  `json:"x-kubernetes-embedded-resource"`
	ListType             string                `json:"x-kubernetes-list-type"`
	ListMapKeys          []string              `json:"x-kubernetes-list-map-keys"`
	MapType              string                `json:"x-kubernetes-map-type"`
	Validations          []Rule                `json:"x-kubernetes-validations"`
	GVKs                 []GVK                 `json:"x-kubernetes-group-version-kind"`
}

type rawDocument struct {
	Components struct {
		Schemas map[string]*rawSchema `json:"schemas"`
	} `json:"components"`
}

// Document is a compiled OpenAPI v3 document of one group-version.
type Document struct {
	Definitions map[string]*Schema
	// Kinds maps each kind the document serves to its definition.
	Kinds map[GVK]*Schema
}

type compiler struct {
	// unmarshal decodes the nested schemas kept as raw JSON (items, additionalProperties).
	unmarshal func(data []byte, v any) error
	// src holds the JSON of the definitions not decoded yet (see lazyDocument); raw the
	// decoded ones.
	src        map[string][]byte
	raw        map[string]*rawSchema
	defs       map[string]*Schema
	structural bool
	err        error
}

// CompileDocument compiles an OpenAPI v3 document (as the apiserver serves it at
// /openapi/v3/apis/GROUP/VERSION, or as embedded) into schema trees. Definitions are
// compiled once each; references become pointers. Enums from the built-in enum table are
// attached to the properties of Kubernetes' own definitions.
//
// The document is decoded by segmentio's encoding/json, which gives the same values
// twice as fast: an apiserver's documents are large (400 kB for core/v1), and the
// first document a run needs is on the path of every one-file validation.
func CompileDocument(data []byte) (*Document, error) {
	return compileDocument(data, fastjson.Unmarshal)
}

// compileDocument is CompileDocument with the JSON decoder given.
func compileDocument(data []byte, unmarshal func([]byte, any) error) (*Document, error) {
	var raw rawDocument
	if err := unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decoding OpenAPI document: %w", err)
	}
	c := &compiler{unmarshal: unmarshal, raw: raw.Components.Schemas, defs: make(map[string]*Schema, len(raw.Components.Schemas))}
	doc := &Document{Definitions: c.defs, Kinds: map[GVK]*Schema{}}
	for name := range raw.Components.Schemas {
		s := c.def(name)
		for _, gvk := range s.GVKs {
			doc.Kinds[gvk] = s
		}
	}
	return doc, c.err
}

// CompileStructural compiles a self-contained structural schema (a CRD version's
// openAPIV3Schema), given as JSON.
func CompileStructural(data []byte) (*Schema, error) {
	var raw rawSchema
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decoding schema: %w", err)
	}
	c := &compiler{unmarshal: json.Unmarshal, structural: true, defs: map[string]*Schema{}}
	return c.compile(&raw), c.err
}

func (c *compiler) def(name string) *Schema {
	if s, ok := c.defs[name]; ok {
		return s
	}
	raw, ok := c.rawDef(name)
	s := &Schema{Name: name}
	c.defs[name] = s // before compiling: recursive definitions point back here
	if !ok {
		s.Description = "unresolved reference " + name
		return s
	}
	c.fill(s, raw)
	if c.src != nil {
		delete(c.raw, name) // compiled: a lazy document keeps no decoded form
	}
	return s
}

func refName(ref string) string {
	return strings.TrimPrefix(ref, "#/components/schemas/")
}

// compile turns a raw schema into a node.
func (c *compiler) compile(raw *rawSchema) *Schema {
	if raw == nil {
		return nil
	}
	if raw.Ref != "" {
		target := c.def(refName(raw.Ref))
		if raw.Description == "" && len(raw.Default) == 0 && !raw.Nullable {
			return target
		}
		return c.wrapper(target, raw)
	}
	// The OpenAPI v3 form of a described reference: allOf with one $ref.
	if len(raw.AllOf) == 1 && raw.AllOf[0].Ref != "" && raw.Type == "" && len(raw.Properties) == 0 {
		return c.wrapper(c.def(refName(raw.AllOf[0].Ref)), raw)
	}
	s := &Schema{}
	c.fill(s, raw)
	return s
}

func (c *compiler) wrapper(target *Schema, raw *rawSchema) *Schema {
	s := &Schema{Ref: target, Description: raw.Description, Nullable: raw.Nullable, Structural: c.structural}
	if len(raw.Default) > 0 {
		s.Default, s.HasDefault = raw.Default, true
	}
	return s
}

func (c *compiler) fill(s *Schema, raw *rawSchema) {
	s.Type = raw.Type
	s.Format = raw.Format
	s.Description = raw.Description
	s.Required = raw.Required
	s.Nullable = raw.Nullable
	s.Structural = c.structural
	if len(raw.Default) > 0 {
		s.Default, s.HasDefault = raw.Default, true
	}
	s.Maximum, s.Minimum = raw.Maximum, raw.Minimum
	s.ExclusiveMaximum, s.ExclusiveMinimum = raw.ExclusiveMaximum, raw.ExclusiveMinimum
	s.MultipleOf = raw.MultipleOf
	s.MaxLength, s.MinLength, s.Pattern = raw.MaxLength, raw.MinLength, raw.Pattern
	s.MaxItems, s.MinItems, s.UniqueItems = raw.MaxItems, raw.MinItems, raw.UniqueItems
	s.MaxProperties, s.MinProperties = raw.MaxProperties, raw.MinProperties
	s.IntOrString = raw.IntOrString || raw.Format == "int-or-string"
	s.PreserveUnknown = raw.PreserveUnknown != nil && *raw.PreserveUnknown
	s.EmbeddedResource = raw.EmbeddedResource
	s.ListType, s.ListMapKeys, s.MapType = raw.ListType, raw.ListMapKeys, raw.MapType
	s.Validations = raw.Validations
	s.GVKs = raw.GVKs
	for _, e := range raw.Enum {
		var v any
		if json.Unmarshal(e, &v) == nil {
			switch v := v.(type) {
			case string:
				s.Enum = append(s.Enum, v)
			default:
				s.Enum = append(s.Enum, string(bytes.TrimSpace(e)))
			}
		}
	}
	s.EnumEnforced = len(s.Enum) > 0
	if len(raw.Properties) > 0 {
		s.Properties = make(map[string]*Schema, len(raw.Properties))
		var defEnums map[string]enums.Enum
		if s.Name != "" {
			defEnums = enums.ForDefinition(s.Name)
		}
		for name, p := range raw.Properties {
			ps := c.compile(p)
			if e, ok := defEnums[name]; ok {
				ps = withEnum(ps, e)
			}
			s.Properties[name] = ps
		}
		s.sortedProps = sortedKeys(s.Properties)
	}
	if len(raw.AdditionalProperties) > 0 {
		switch string(bytes.TrimSpace(raw.AdditionalProperties)) {
		case "true":
			s.AdditionalAny = true
		case "false":
		default:
			var ap rawSchema
			if err := c.unmarshal(raw.AdditionalProperties, &ap); err == nil {
				s.AdditionalProperties = c.compile(&ap)
			}
		}
	}
	if len(raw.Items) > 0 {
		var it rawSchema
		if err := c.unmarshal(raw.Items, &it); err == nil {
			s.Items = c.compile(&it)
		}
	}
	for _, a := range raw.AllOf {
		s.AllOf = append(s.AllOf, c.compile(a))
	}
	for _, a := range raw.OneOf {
		s.OneOf = append(s.OneOf, c.compile(a))
	}
	for _, a := range raw.AnyOf {
		s.AnyOf = append(s.AnyOf, c.compile(a))
	}
}

// withEnum attaches a built-in enum to a property: to the property itself, or to its
// items when it is a list of enum values.
func withEnum(p *Schema, e enums.Enum) *Schema {
	if p == nil {
		return p
	}
	if t := p.T(); t != nil && t.Type == "array" && t.Items != nil {
		items := &Schema{Ref: t.Items, Enum: e.Values, EnumEnforced: e.Enforced}
		cp := *t
		cp.Items = items
		if p.Ref != nil {
			w := *p
			w.Ref = &cp
			return &w
		}
		return &cp
	}
	if p.Ref != nil || p.Name != "" {
		return &Schema{Ref: p, Enum: e.Values, EnumEnforced: e.Enforced, Description: withEnumDoc(p.Desc(), e.Doc)}
	}
	p.Enum, p.EnumEnforced = e.Values, e.Enforced
	p.Description = withEnumDoc(p.Description, e.Doc)
	return p
}

// withEnumDoc adds the enum's "Possible enum values" paragraph to a description that
// lacks it, as the apiserver's OpenAPI has it (the published documents leave it out).
func withEnumDoc(desc, doc string) string {
	switch {
	case doc == "" || strings.Contains(desc, enums.DocHeader):
		return desc
	case desc == "":
		return doc
	}
	return desc + "\n\n" + doc
}
