package engine

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// maxPlaceholderDepth bounds the nesting of placeholders (recursive schemas).
const maxPlaceholderDepth = 6

// placeholder is a value of schema s to fill in for a required field: its first enum
// value or its default if it has one, else an empty or zero value of its type; objects get
// their required fields, arrays one item.
func (fx *fixer) placeholder(s *schema.Schema, depth int) yamlpos.Value {
	t := s.T()
	if t == nil {
		return yamlpos.Value{Kind: yamlpos.ObjectValue}
	}
	str := t.Type == "string" || t.Type == ""
	if enum, _ := s.EnumOf(); len(enum) > 0 {
		for _, v := range enum {
			if v == "" {
				continue
			}
			if str {
				return yamlpos.StringValue(v)
			}
			return yamlpos.LiteralValue(v)
		}
	}
	if def, ok := s.DefaultValue(); ok {
		var v any
		if json.Unmarshal(def, &v) == nil {
			// The built-in schemas give zero defaults (0, "") to required fields the
			// apiserver then rejects as zero: those are no placeholders.
			switch v := v.(type) {
			case string:
				if v != "" {
					return yamlpos.StringValue(v)
				}
			case float64:
				if v != 0 {
					return yamlpos.LiteralValue(strings.TrimSpace(string(def)))
				}
			case bool:
				return yamlpos.LiteralValue(strings.TrimSpace(string(def)))
			}
		}
	}
	switch {
	case t.IntOrString:
		// 1 as for integers: most are ports, which the apiserver rejects at 0.
		return yamlpos.LiteralValue("1")
	case t.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
		return yamlpos.StringValue("0")
	}
	switch t.Type {
	case "string":
		switch t.Format {
		case "date-time":
			return yamlpos.StringValue("1970-01-01T00:00:00Z")
		case "date":
			return yamlpos.StringValue("1970-01-01")
		}
		return yamlpos.StringValue("")
	case "integer", "number":
		// 1 rather than 0: the apiserver rejects 0 for most required numbers (ports,
		// replicas bounds), and a fix must produce a value it accepts.
		n := 1.0
		if t.Minimum != nil {
			n = math.Ceil(*t.Minimum)
			if t.ExclusiveMinimum && n == *t.Minimum {
				n++
			}
		}
		return yamlpos.LiteralValue(strconv.FormatFloat(n, 'f', -1, 64))
	case "boolean":
		return yamlpos.LiteralValue("false")
	case "array":
		// A required list is rarely meant to be empty (containers, verbs): one item.
		v := yamlpos.Value{Kind: yamlpos.ArrayValue}
		if t.Items != nil && depth < maxPlaceholderDepth && (t.MaxItems == nil || *t.MaxItems > 0) {
			v.Items = []yamlpos.Value{fx.placeholder(t.Items, depth+1)}
		}
		return v
	}
	v := yamlpos.Value{Kind: yamlpos.ObjectValue}
	if depth >= maxPlaceholderDepth {
		return v
	}
	for _, name := range validate.RequiredFields(t, fx.kind) {
		if prop, _ := propertyOf(t, name); prop != nil {
			v.Fields = append(v.Fields, yamlpos.Field{Name: name, Value: fx.placeholder(prop, depth+1)})
		}
	}
	return v
}
