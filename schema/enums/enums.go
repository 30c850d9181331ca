// Package enums holds the allowed values of the enum-typed fields of the
// built-in Kubernetes kinds.
//
// The published Kubernetes OpenAPI describes these values only in prose, yet
// the kube-apiserver rejects many other values (`Unsupported value:
// "Sometimes": supported values: "Always", "IfNotPresent", "Never"`). The
// table has two parts:
//
//   - enums_gen.go, generated from the `+enum` string types of k8s.io/api and
//     their constants (go generate; see internal/gen/enums);
//   - enforced.go, maintained by hand from the apiserver's validation code:
//     which of those fields the apiserver actually enforces on create, and,
//     where its list differs from the constants, the list it prints.
package enums

import (
	"maps"
	"slices"
	"strings"
)

// Enum describes the values a field (or each item of a list field) may take.
type Enum struct {
	// Values are the allowed values. For an enforced field they are the
	// values the apiserver lists in its "supported values" message, in its
	// order; otherwise the constants of the Go type, in source order.
	Values []string
	// Enforced reports whether the apiserver rejects any other value on
	// create. When false, an unknown value deserves at most a warning.
	Enforced bool
	// Type is the Go type, as the package path below k8s.io/api, a dot and
	// the type name, e.g. "core/v1.PullPolicy".
	Type string
	// Doc is the paragraph the apiserver's OpenAPI adds to the description of a
	// field of the enum type itself ("Possible enum values:" and a line a
	// value, from the constants' doc comments); empty for a list of them.
	Doc string
}

// Lookup returns the enum of a field, given the OpenAPI definition name of
// the object that holds it (e.g. "io.k8s.api.core.v1.Container") and the
// field's JSON name (e.g. "imagePullPolicy").
func Lookup(definition, field string) (Enum, bool) {
	typ, ok := generatedFields[definition][field]
	if !ok {
		return Enum{}, false
	}
	return build(definition+"."+field, typ), true
}

// DocHeader starts the paragraph of Enum.Doc.
const DocHeader = "Possible enum values:"

// ForDefinition returns the enums of all enum-typed fields of a definition,
// by JSON field name, or nil if it has none.
func ForDefinition(definition string) map[string]Enum {
	fields := generatedFields[definition]
	if len(fields) == 0 {
		return nil
	}
	out := make(map[string]Enum, len(fields))
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		out[field] = build(definition+"."+field, fields[field])
	}
	return out
}

func build(key, typ string) Enum {
	e := Enum{Type: typ}
	if lines := generatedDocs[typ]; generatedDirect[key] && len(lines) > 0 {
		e.Doc = DocHeader + "\n" + strings.Join(lines, "\n")
	}
	_, e.Enforced = enforced[key]
	if override, ok := allowedOverride[key]; ok {
		e.Values = slices.Clone(override)
	} else if e.Enforced {
		// The apiserver nearly always passes sets.List(...) or
		// sets.String.List() to field.NotSupported, and declarative
		// validation (validate.Enum) sorts too; where it does not, the
		// list is in allowedOverride.
		e.Values = slices.Sorted(slices.Values(generatedTypes[typ]))
	} else {
		e.Values = slices.Clone(generatedTypes[typ])
	}
	return e
}
