package kube

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// LiveObject is an object as the cluster has it, for reading (kubectl get -o yaml):
// without managedFields, a Secret's values masked.
type LiveObject struct {
	Ref Ref
	// Found is false when the cluster has no such object.
	Found bool
	YAML  string
}

// Get reads one object, named by its group and kind, within the client's timeout. A
// namespaced kind is read in namespace, or the client's namespace when it is "".
func (c *Client) Get(ctx context.Context, gk schema.GroupKind, namespace, name string) (LiveObject, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	out := LiveObject{Ref: Ref{GVK: gk.WithVersion(""), Namespace: namespace, Name: name}}
	mapping, err := c.restMapping(ctx, gk, "")
	if err != nil {
		return out, err
	}
	out.Ref.GVK = mapping.GroupVersionKind
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		out.Ref.Namespace = ""
	} else if out.Ref.Namespace == "" {
		out.Ref.Namespace = c.Namespace
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return out, err
	}
	live, err := dyn.Resource(mapping.Resource).Namespace(out.Ref.Namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return out, nil
	case err != nil:
		return out, err
	}
	obj := omitManagedFields(live)
	if gk == (schema.GroupKind{Kind: "Secret"}) {
		obj, _ = maskSecrets(obj, obj.DeepCopyObject())
	}
	out.Found = true
	out.YAML, err = toYAML(obj)
	return out, err
}
