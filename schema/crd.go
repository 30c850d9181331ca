package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// CRDVersion is one served version of a CustomResourceDefinition, with the raw schema that
// CEL validation compiles on first use.
type CRDVersion struct {
	// SchemaJSON is the version's openAPIV3Schema.
	SchemaJSON []byte
	// Origin names the file and document that defined it.
	Origin string
	// StatusSubresource: the version has a status subresource, so the apiserver drops
	// what a create sends in status.
	StatusSubresource bool

	once  sync.Once
	cache any
	err   error
}

// Lazy returns the value build computes, computing it once per CRD version. Validation uses
// it to keep a compiled CEL validator beside the schema.
func (v *CRDVersion) Lazy(build func() (any, error)) (any, error) {
	v.once.Do(func() { v.cache, v.err = build() })
	return v.cache, v.err
}

// CRDs serves the custom resources defined by CustomResourceDefinition manifests.
type CRDs struct {
	// BuiltIn, when set, reports the group-versions the apiserver serves itself. A CRD
	// never shadows them (the apiserver routes a built-in group-version to its own
	// handler), so the versions of a CRD that claim one are not served from it.
	BuiltIn func(group, version string) bool

	mu    sync.RWMutex
	types map[GVK]*Type
}

// NewCRDs returns an empty CRD source.
func NewCRDs() *CRDs { return &CRDs{types: map[GVK]*Type{}} }

// Name implements Source.
func (c *CRDs) Name() string { return "crd" }

// Len is the number of kinds (per version) served.
func (c *CRDs) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.types)
}

type crdManifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind       string   `json:"kind"`
			Plural     string   `json:"plural"`
			ShortNames []string `json:"shortNames"`
		} `json:"names"`
		Scope    string `json:"scope"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
			Schema struct {
				OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
			} `json:"schema"`
			Subresources struct {
				Status json.RawMessage `json:"status"`
			} `json:"subresources"`
		} `json:"versions"`
	} `json:"spec"`
}

// IsCRD reports whether apiVersion/kind name a CustomResourceDefinition this source reads.
func IsCRD(apiVersion, kind string) bool {
	return kind == "CustomResourceDefinition" && apiVersion == "apiextensions.k8s.io/v1"
}

// Add registers the kinds a CRD manifest defines. obj is the manifest as decoded JSON;
// origin names where it came from. It returns the kinds added.
func (c *CRDs) Add(obj any, origin string) ([]GVK, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m crdManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("reading CustomResourceDefinition: %w", err)
	}
	if !IsCRD(m.APIVersion, m.Kind) {
		return nil, fmt.Errorf("not an apiextensions.k8s.io/v1 CustomResourceDefinition")
	}
	if m.Spec.Group == "" || m.Spec.Names.Kind == "" {
		return nil, fmt.Errorf("CustomResourceDefinition %q has no spec.group or spec.names.kind", m.Metadata.Name)
	}
	var added []GVK
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range m.Spec.Versions {
		if !v.Served {
			continue
		}
		gvk := GVK{Group: m.Spec.Group, Version: v.Name, Kind: m.Spec.Names.Kind}
		if c.BuiltIn != nil && c.BuiltIn(gvk.Group, gvk.Version) {
			continue
		}
		var s *Schema
		raw := v.Schema.OpenAPIV3Schema
		if len(raw) == 0 || string(raw) == "null" {
			// No schema: anything goes (apiextensions v1 requires one, but be lenient).
			raw = []byte(`{"type":"object","x-kubernetes-preserve-unknown-fields":true}`)
		}
		s, err = CompileStructural(raw)
		if err != nil {
			return added, fmt.Errorf("CustomResourceDefinition %q version %s: %w", m.Metadata.Name, v.Name, err)
		}
		plural := m.Spec.Names.Plural
		if plural == "" {
			plural = strings.ToLower(m.Spec.Names.Kind) + "s"
		}
		c.types[gvk] = &Type{
			GVK: gvk, Schema: s, Resource: plural, Namespaced: m.Spec.Scope != "Cluster",
			Verbs:      []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
			ShortNames: m.Spec.Names.ShortNames, Source: "crd " + origin, Origin: OriginCRD,
			CRD: &CRDVersion{SchemaJSON: raw, Origin: origin, StatusSubresource: len(v.Subresources.Status) > 0 && string(v.Subresources.Status) != "null"},
		}
		added = append(added, gvk)
	}
	return added, nil
}

// Lookup implements Source.
func (c *CRDs) Lookup(gvk GVK) (*Type, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.types[gvk], nil
}

// Kinds implements Source.
func (c *CRDs) Kinds() []KindInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]KindInfo, 0, len(c.types))
	for _, t := range c.types {
		out = append(out, KindInfo{GVK: t.GVK, Resource: t.Resource, Namespaced: t.Namespaced, ShortNames: t.ShortNames, Source: t.Source, Origin: t.Origin})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GVK.String() < out[j].GVK.String() })
	return out
}
