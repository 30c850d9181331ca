package kube

import (
	"context"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// DryRunDocument sends one manifest document to the cluster as a server-side dry-run and
// returns the cluster's verdict as findings at positions in the document. sent is false
// for a document that is not an object to send (a syntax error, no apiVersion or kind, a
// list). A kind the cluster does not serve is a finding; err is for failures to reach or
// use the cluster.
func (c *Client) DryRunDocument(ctx context.Context, d *yamlpos.Document) (findings []validate.Finding, sent bool, err error) {
	obj := DocumentObject(d)
	if obj == nil {
		return nil, false, nil
	}
	res, err := c.DryRunObject(ctx, obj)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return []validate.Finding{{Severity: validate.Error, Code: CodeServer, Field: "apiVersion", Message: err.Error(), Range: keyRange(d, "apiVersion")}}, true, nil
		}
		return nil, true, err
	}
	return DryRunFindings(d, res), true, nil
}

// DocumentObject is a document as an object to send to the cluster, or nil when it is not
// one (a syntax error, no apiVersion or kind, a List).
func DocumentObject(d *yamlpos.Document) map[string]any {
	m := documentMap(d)
	if m == nil || isList(m) {
		return nil
	}
	return m
}

// DocumentObjects are the objects a document holds: itself, or the items of a List
// (`kind: List`, `ConfigMapList`, ...), as kubectl reads a stream. It is empty when the
// document is not an object.
func DocumentObjects(d *yamlpos.Document) []map[string]any {
	m := documentMap(d)
	if m == nil {
		return nil
	}
	if !isList(m) {
		return []map[string]any{m}
	}
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		if im, ok := it.(map[string]any); ok {
			out = append(out, im)
		}
	}
	return out
}

// documentMap decodes a document that names an apiVersion and a kind.
func documentMap(d *yamlpos.Document) map[string]any {
	d.ParseDoc()
	if d.Root == nil || d.Err != nil {
		return nil
	}
	v, err := yamlpos.ToValue(d.Root, validate.DefaultAliasLimit)
	if err != nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	av, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if av == "" || kind == "" {
		return nil
	}
	return m
}

// isList reports whether an object is a List of objects, which the apiserver does not
// store: its items are the objects.
func isList(m map[string]any) bool {
	kind, _ := m["kind"].(string)
	_, items := m["items"].([]any)
	return items && strings.HasSuffix(kind, "List")
}

// keyRange is the range of a top-level key's value, else of the document.
func keyRange(d *yamlpos.Document, key string) yamlpos.Range {
	if d.Root != nil {
		if v, _, n := yamlpos.Lookup(d.Root, yamlpos.Path{{Key: key}}); n == 1 && v != nil {
			return d.Range(v)
		}
		return d.Range(d.Root)
	}
	return yamlpos.Range{Start: d.Start, End: d.Start}
}

// MergeServerFindings adds a dry-run's findings to the static ones, leaving out a server
// error at the start of a static error or with its message (the same problem, already
// reported: static validation runs the apiserver's own create path, in its words).
func MergeServerFindings(static, server []validate.Finding) []validate.Finding {
	if len(server) == 0 {
		return static
	}
	errorAt := make(map[int]bool, len(static))
	said := make(map[string]bool, len(static))
	for _, f := range static {
		if f.Severity == validate.Error {
			errorAt[f.Range.Start] = true
			said[f.Message] = true
		}
	}
	out := append(static[:len(static):len(static)], nil...)
	for _, f := range server {
		if f.Severity == validate.Error && (errorAt[f.Range.Start] || said[f.Message]) {
			continue
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Range.Start < out[j].Range.Start })
	return out
}
