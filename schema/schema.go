// Package schema owns where schemas come from (embedded Kubernetes releases, CRD manifests;
// a live cluster's through package kube) and compiles OpenAPI v3 into trees that validation, explain and
// completion walk.
//
// Invariants: a compiled tree is immutable once built and shared between goroutines;
// references are pointers, so recursive definitions are cycles in the graph, never
// copies. A property whose OpenAPI form is `allOf: [{$ref}]` plus a description or
// default compiles to a wrapper node whose Ref points at the shared definition.
package schema

import (
	"encoding/json"
	"sort"
	"strings"
)

// GVK names a kind in a group-version.
type GVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// APIVersion is the apiVersion string of the group-version ("v1", "apps/v1").
func (g GVK) APIVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

func (g GVK) String() string { return g.APIVersion() + " " + g.Kind }

// ParseAPIVersion splits "apps/v1" into group and version ("v1" is the core group).
func ParseAPIVersion(apiVersion string) (group, version string) {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}

// Schema is one compiled OpenAPI v3 schema node.
type Schema struct {
	// Ref, when set, is the definition this node stands for; the node itself then only
	// carries what the referring property adds (description, default, nullable).
	Ref *Schema
	// Name is the definition name (e.g. io.k8s.api.core.v1.Container) of a definition node.
	Name string

	Type        string // object, array, string, integer, number, boolean, or "" for any
	Format      string
	Description string

	Properties map[string]*Schema
	// AdditionalProperties is the schema of map values; AdditionalAny marks
	// `additionalProperties: true`.
	AdditionalProperties *Schema
	AdditionalAny        bool
	Items                *Schema
	Required             []string

	// Enum lists the allowed values: from the schema itself (CRDs) or, for built-in kinds,
	// from the enum table generated from the Go types. EnumEnforced is false where the
	// apiserver accepts other values too (a warning, not an error).
	Enum         []string
	EnumEnforced bool

	Default    json.RawMessage
	HasDefault bool
	Nullable   bool

	OneOf, AnyOf, AllOf []*Schema

	Maximum, Minimum                   *float64
	ExclusiveMaximum, ExclusiveMinimum bool
	MultipleOf                         *float64
	MaxLength, MinLength               *int64
	Pattern                            string
	MaxItems, MinItems                 *int64
	UniqueItems                        bool
	MaxProperties, MinProperties       *int64

	IntOrString      bool
	PreserveUnknown  bool
	EmbeddedResource bool
	ListType         string
	ListMapKeys      []string
	MapType          string
	Validations      []Rule

	GVKs []GVK

	// Structural marks schemas that follow the apiserver's structural-schema rules (CRDs):
	// unknown fields are pruned and so rejected by strict validation, defaults are applied
	// by the server, and the OpenAPI keywords themselves are enforced.
	Structural bool

	sortedProps []string
}

// Rule is one CEL rule of x-kubernetes-validations.
type Rule struct {
	Rule              string `json:"rule"`
	Message           string `json:"message,omitempty"`
	MessageExpression string `json:"messageExpression,omitempty"`
	Reason            string `json:"reason,omitempty"`
	FieldPath         string `json:"fieldPath,omitempty"`
	OptionalOldSelf   *bool  `json:"optionalOldSelf,omitempty"`
}

// T follows Ref to the node that holds the type's structure.
func (s *Schema) T() *Schema {
	for i := 0; s != nil && s.Ref != nil && i < 32; i++ {
		s = s.Ref
	}
	return s
}

// Desc is the description shown for s: the referring property's own, else the type's.
func (s *Schema) Desc() string {
	for n := s; n != nil; n = n.Ref {
		if n.Description != "" {
			return n.Description
		}
	}
	return ""
}

// DefaultValue returns the default of s or of the definition it refers to.
func (s *Schema) DefaultValue() (json.RawMessage, bool) {
	for n := s; n != nil; n = n.Ref {
		if n.HasDefault {
			return n.Default, true
		}
	}
	return nil, false
}

// IsNullable reports whether null is an accepted value of s.
func (s *Schema) IsNullable() bool {
	for n := s; n != nil; n = n.Ref {
		if n.Nullable {
			return true
		}
	}
	return false
}

// EnumOf returns the enum of s (a property's own, else its type's).
func (s *Schema) EnumOf() ([]string, bool) {
	for n := s; n != nil; n = n.Ref {
		if len(n.Enum) > 0 {
			return n.Enum, n.EnumEnforced
		}
	}
	return nil, false
}

// PropertyNames lists the properties of s's type, sorted.
func (s *Schema) PropertyNames() []string {
	t := s.T()
	if t == nil {
		return nil
	}
	return t.sortedProps
}

// IsRequired reports whether field is required in s's type.
func (s *Schema) IsRequired(field string) bool {
	for _, r := range s.T().Required {
		if r == field {
			return true
		}
	}
	return false
}

// TypeName is a short human name for the type of s, as kubectl explain prints it:
// Object, []Container, string, integer, map[string]string, IntOrString, Quantity.
func (s *Schema) TypeName() string {
	t := s.T()
	if t == nil {
		return "<unknown>"
	}
	switch {
	case t.IntOrString:
		return "IntOrString"
	case t.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
		return "Quantity"
	case t.Name == "io.k8s.apimachinery.pkg.apis.meta.v1.Time" || t.Name == "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime":
		return "string"
	}
	switch t.Type {
	case "object":
		if t.AdditionalProperties != nil && len(t.Properties) == 0 {
			return "map[string]" + t.AdditionalProperties.TypeName()
		}
		if t.Name != "" {
			return shortName(t.Name)
		}
		return "Object"
	case "array":
		if t.Items != nil {
			return "[]" + t.Items.TypeName()
		}
		return "[]Object"
	case "":
		if t.Name != "" {
			return shortName(t.Name)
		}
		return "Object"
	}
	return t.Type
}

func sortedKeys(m map[string]*Schema) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func shortName(def string) string {
	if i := strings.LastIndexByte(def, '.'); i >= 0 {
		return def[i+1:]
	}
	return def
}
