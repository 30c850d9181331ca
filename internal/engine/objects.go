package engine

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// The objects of a manifest that the cluster actions and plugins act on, and the one
// namespace rule both faces follow.

// Object is a Kubernetes object of a manifest document.
type Object struct {
	Doc *yamlpos.Document
	*unstructured.Unstructured
}

// Ref names the object for people: KIND/NAME.
func (o Object) Ref() string { return o.GetKind() + "/" + o.GetName() }

// ReadObject reads the object a document holds. It fails on a syntax error, on a
// document that is not an object (no apiVersion and kind, or a List), and on an
// apiVersion, kind, name or namespace that is not a string.
func ReadObject(d *yamlpos.Document) (Object, error) {
	d.ParseDoc()
	if d.Err != nil {
		return Object{}, fmt.Errorf("syntax error: %s", d.Err.Msg)
	}
	m := kube.DocumentObject(d)
	if m == nil {
		return Object{}, errors.New("not a Kubernetes object")
	}
	for _, f := range [][]string{{"apiVersion"}, {"kind"}, {"metadata", "name"}, {"metadata", "namespace"}} {
		if v, found, err := unstructured.NestedFieldNoCopy(m, f...); found && err == nil {
			if _, ok := v.(string); !ok {
				return Object{}, fmt.Errorf("%s is not a string", joinPath(f))
			}
		}
	}
	return Object{Doc: d, Unstructured: &unstructured.Unstructured{Object: m}}, nil
}

func joinPath(p []string) string {
	s := p[0]
	for _, k := range p[1:] {
		s += "." + k
	}
	return s
}

// Objects are the objects of a file's documents, in order: every one, or only the
// document at index. A syntax error in a chosen document is an error (an action must not
// skip part of a file silently); documents that are not objects are left out, and
// finding none is an error.
func Objects(f *yamlpos.File, index *int) ([]Object, error) {
	var out []Object
	for _, d := range f.Docs {
		if index != nil && d.Index != *index {
			continue
		}
		d.ParseDoc()
		if d.Err != nil {
			line, col := f.Mapper.OffsetLineChar(d.Err.Range.Start)
			return nil, fmt.Errorf("%s:%d:%d: %s: fix the syntax first", f.Name, line, col, d.Err.Msg)
		}
		if o, err := ReadObject(d); err == nil {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		if index != nil {
			return nil, fmt.Errorf("document %d of %s is not a Kubernetes object", *index, f.Name)
		}
		return nil, fmt.Errorf("%s holds no Kubernetes object", f.Name)
	}
	return out, nil
}

// ObjectAt is the object of the document holding offset, if it holds one.
func ObjectAt(f *yamlpos.File, offset int) (Object, bool) {
	d := f.DocumentAt(offset)
	if d == nil {
		return Object{}, false
	}
	o, err := ReadObject(d)
	return o, err == nil
}

// Namespaced reports whether the engine's schemas know the object's kind to be
// namespaced; an unknown kind (a custom resource without its CRD) counts as namespaced,
// so its namespace is kept.
func (e *Engine) Namespaced(o Object) bool {
	gvk := o.GroupVersionKind()
	if t, _ := e.Source().Lookup(schema.GVK{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}); t != nil {
		return t.Namespaced
	}
	return true
}

// Namespace is the one namespace rule for an object sent to a cluster or a plugin,
// kubectl's for -f with -n: a cluster-scoped kind has none; the object's own namespace
// stands, and an explicit namespace (-n) that differs from it is an error; without one,
// the explicit namespace, else fallback (the context's).
func (e *Engine) Namespace(o Object, explicit, fallback string) (string, error) {
	own := o.GetNamespace()
	switch {
	case !e.Namespaced(o):
		return "", nil
	case own != "" && explicit != "" && explicit != own:
		return "", fmt.Errorf("the namespace of %s (%q) does not match -n %q: drop -n or pass -n %s", o.Ref(), own, explicit, own)
	case own != "":
		return own, nil
	case explicit != "":
		return explicit, nil
	}
	return fallback, nil
}

// Drift says whether the cluster's object matches a manifest's.
type Drift int

const (
	// DriftUnknown: the cluster could not be asked.
	DriftUnknown Drift = iota
	// InSync: applying the manifest would change nothing.
	InSync
	// Differs: applying the manifest would change the object.
	Differs
	// NotInCluster: the object does not exist.
	NotInCluster
)

// Drift compares one object with the cluster's, within the cluster's timeout. why says
// what failed when the answer is DriftUnknown.
func (c *Cluster) Drift(ctx context.Context, o Object, source string) (d Drift, why string) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout())
	defer cancel()
	diff, err := c.Diff(ctx, o, source)
	switch {
	case err != nil:
		return DriftUnknown, c.Explain(err)
	case diff.Live == "":
		return NotInCluster, ""
	case diff.Changed():
		return Differs, ""
	}
	return InSync, ""
}
