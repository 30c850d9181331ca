package explain

import (
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Complete lists what may follow toComplete as explain's argument, for shell completion:
// resource names (plural, as kubectl lists them, and short names) before
// the first dot, then the fields of the object the path reaches, each as the whole
// argument ("deploy.spec.template").
func Complete(src schema.Source, toComplete string) []string {
	dot := strings.LastIndexByte(toComplete, '.')
	if dot < 0 {
		return resourceNames(src, toComplete)
	}
	prefix, partial := toComplete[:dot], toComplete[dot+1:]
	t, path, err := Resolve(src, prefix, "")
	if err != nil {
		return nil
	}
	tg, err := locate(t, path)
	if err != nil {
		return nil
	}
	var out []string
	for _, name := range sortedProps(fieldsOf(tg.node)) {
		if strings.HasPrefix(name, partial) {
			out = append(out, prefix+"."+name)
		}
	}
	return out
}

// fieldsOf is the object whose properties follow a field: through references, list
// items and map values, as locate steps.
func fieldsOf(s *schema.Schema) *schema.Schema {
	for depth := 0; s != nil && depth <= maxNesting; depth++ {
		switch {
		case s.Ref != nil:
			s = s.Ref
		case len(s.Properties) > 0:
			return s
		case s.Items != nil:
			s = s.Items
		case s.AdditionalProperties != nil:
			s = s.AdditionalProperties
		default:
			return s
		}
	}
	return nil
}

func resourceNames(src schema.Source, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if name != "" && !seen[name] && strings.HasPrefix(name, strings.ToLower(prefix)) {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, k := range src.Kinds() {
		add(k.Resource)
		for _, s := range k.ShortNames {
			add(s)
		}
	}
	slices.Sort(out)
	return out
}
