package validate

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Redacted stands in for a Secret's value in a finding.
const Redacted = "<redacted>"

// redactSecret removes from findings every value of a Secret's data and stringData, in
// each form a message may carry it (quoted, shortened, bare): a finding lands in CI logs
// and editor panels, and the apiserver never echoes these values either. Keys stay: they
// name the entries and the apiserver prints them.
func redactSecret(root *yaml.Node, findings []Finding) {
	var values []string
	for _, field := range []string{"data", "stringData"} {
		m, _, _ := yamlpos.Lookup(root, yamlpos.Path{{Key: field}})
		collectScalars(yamlpos.Resolve(m), &values)
	}
	if len(values) == 0 {
		return
	}
	var forms []string
	for _, v := range values {
		forms = append(forms, strconv.Quote(v), quoteShort(v))
		if len(v) > 80 {
			forms = append(forms, v[:77])
		}
		if len(v) >= 3 {
			forms = append(forms, v)
		}
	}
	// Longest first, so a quoted form goes before the bare value inside it.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	redact := func(msg string) string {
		for _, form := range forms {
			if strings.Contains(msg, form) {
				msg = strings.ReplaceAll(msg, form, Redacted)
			}
		}
		return msg
	}
	for i := range findings {
		findings[i].Message = redact(findings[i].Message)
		for j := range findings[i].Related {
			findings[i].Related[j].Message = redact(findings[i].Related[j].Message)
		}
	}
}

// collectScalars appends the scalar values below n (a mapping's values, never its keys).
func collectScalars(n *yaml.Node, out *[]string) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "" {
			*out = append(*out, n.Value)
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			collectScalars(yamlpos.Resolve(n.Content[i]), out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			collectScalars(yamlpos.Resolve(c), out)
		}
	}
}
