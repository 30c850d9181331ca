// Package apiserver runs the kube-apiserver's own create path in process, minus admission
// and storage: the object is converted and defaulted as the apiserver decodes it, turned
// into the internal version, prepared by its registry strategy (PrepareForCreate resets
// status and other fields a client may not set) and validated by the strategy's Validate,
// the common metadata rules and declarative validation (rest.BeforeCreate). Its verdict
// is the apiserver's, field path for field path.
//
// Only what needs no cluster state is judged here: admission (webhooks, policies,
// quota), existing objects and allocations (nodePorts, cluster IPs) are the cluster's.
package apiserver

import (
	"context"
	"runtime/debug"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/validate/content"
	genericvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	apiservice "k8s.io/kubernetes/pkg/api/service"
	"k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/capabilities"
	kjson "sigs.k8s.io/json"
)

// Version is the minor release of the kube-apiserver whose create path is linked in
// ("1.37"), read from the build's dependency on k8s.io/kubernetes.
var Version = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "k8s.io/kubernetes" {
				if parts := strings.Split(strings.TrimPrefix(m.Version, "v"), "."); len(parts) >= 2 {
					return parts[0] + "." + parts[1]
				}
			}
		}
	}
	return linkedVersion
})

// linkedVersion is the release go.mod pins, for builds without dependency information.
const linkedVersion = "1.37"

// Error is one of the apiserver's validation errors.
type Error struct {
	Type field.ErrorType
	// Field is the field path as the apiserver prints it (spec.template.spec.containers[0].image).
	Field string
	// Detail is the explanation without the path and the value.
	Detail string
	// Message is the whole error as the apiserver prints it.
	Message string
	// BadValue is the value the error is about, as the apiserver holds it.
	BadValue any
}

// Handles reports whether the create path of a group and kind is linked in.
func Handles(group, kind string) bool {
	_, ok := strategies[schema.GroupKind{Group: group, Kind: kind}]
	return ok
}

// Create judges obj, an object as decoded from YAML or JSON (maps, slices, strings, int64,
// float64, bool, nil), the way the apiserver judges a create of it. ok is false when the
// kind is not linked in or the object does not convert to its Go type; the schema-level
// checks report why (a wrong type, a bad quantity).
func Create(ctx context.Context, gvk schema.GroupVersionKind, obj map[string]any) (errs []Error, ok bool) {
	return create(ctx, gvk, func(into runtime.Object) error {
		return runtime.DefaultUnstructuredConverter.FromUnstructured(obj, into)
	})
}

// CreateJSON is Create for an object given as JSON text whose field names are exactly
// those of its kind (the schema walk found no unknown field): the text is decoded
// straight into the Go type, more than twice as fast as from maps, by the decoder the
// apiserver's JSON serializer uses (case-sensitive names, integers kept as int64 in
// untyped fields). Its per-type set-up is done lazily, for the types the text holds,
// which keeps a one-file run from paying for the whole type tree of a kind.
func CreateJSON(ctx context.Context, gvk schema.GroupVersionKind, data []byte) (errs []Error, ok bool) {
	return create(ctx, gvk, func(into runtime.Object) error {
		return kjson.UnmarshalCaseSensitivePreserveInts(data, into)
	})
}

// CreateDecoded is Create for an object that decode sets, from its zero value of the
// kind's Go type (a pointer to the external version's struct), as the apiserver's JSON
// decoder would.
func CreateDecoded(ctx context.Context, gvk schema.GroupVersionKind, decode func(into any) error) (errs []Error, ok bool) {
	return create(ctx, gvk, func(into runtime.Object) error { return decode(into) })
}

// clusterCapabilities are those of an apiserver started with --allow-privileged=true, as
// kubeadm, kind and the managed offerings start it: privileged and Windows hostProcess
// containers are a policy's to refuse (Pod Security admission), not validation's.
var clusterCapabilities = sync.OnceFunc(func() { capabilities.Setup(true, 0) })

func create(ctx context.Context, gvk schema.GroupVersionKind, fill func(runtime.Object) error) (errs []Error, ok bool) {
	ks, found := strategies[gvk.GroupKind()]
	if !found {
		return nil, false
	}
	clusterCapabilities()
	defer func() {
		// A strategy that needs cluster state we do not have (a nil client) panics: its
		// verdict is the cluster's.
		if recover() != nil {
			errs, ok = nil, false
		}
	}()
	external, internal, err := decode(ks.scheme, gvk, fill)
	if err != nil {
		return nil, false
	}
	// Declarative validation converts the object back to its version to run validation
	// functions generated for it; a version without any has nothing to add.
	declarative := ks.scheme.HasValidationFunc(external)
	list, err := beforeCreate(ctx, ks.strategy, gvk, internal, declarative)
	if err != nil {
		return nil, false
	}
	out := make([]Error, 0, len(list))
	for _, e := range list {
		out = append(out, Error{Type: e.Type, Field: e.Field, Detail: e.Detail, Message: e.Error(), BadValue: e.BadValue})
	}
	return out, true
}

// decode turns an object into the internal version, as the apiserver's decoder does with
// a request body: typed external version (fill), defaults, conversion.
func decode(scheme *runtime.Scheme, gvk schema.GroupVersionKind, fill func(runtime.Object) error) (external, internal runtime.Object, err error) {
	if external, err = scheme.New(gvk); err != nil {
		return nil, nil, err
	}
	if err := fill(external); err != nil {
		return nil, nil, err
	}
	scheme.Default(external)
	internal, err = scheme.ConvertToVersion(external, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	return external, internal, err
}

// beforeCreate fills what the apiserver fills before the strategy runs (namespace from
// the request, system fields, a generated name), then prepares and validates obj as
// rest.BeforeCreate does.
func beforeCreate(ctx context.Context, strategy rest.RESTCreateStrategy, gvk schema.GroupVersionKind, obj runtime.Object, declarative bool) (field.ErrorList, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	ns := metav1.NamespaceNone
	if strategy.NamespaceScoped() {
		ns = m.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		m.SetNamespace(ns)
	} else {
		// The apiserver clears a namespace sent for a cluster-scoped kind.
		m.SetNamespace("")
	}
	if m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(strategy.GenerateName(m.GetGenerateName()))
	}
	rest.FillObjectMetaSystemFields(m)
	ctx = genericapirequest.WithNamespace(ctx, ns)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create",
		APIGroup: gvk.Group, APIVersion: gvk.Version,
		Namespace: ns, Name: m.GetName(),
	})
	if prepare := storagePrepare[gvk.GroupKind()]; prepare != nil {
		prepare(obj)
	}
	// rest.BeforeCreate, keeping the field errors instead of a Status built from them.
	strategy.PrepareForCreate(ctx, obj)
	if declarative {
		return rest.ValidateCreate(ctx, obj, strategy), nil
	}
	return validateCreate(ctx, obj, strategy), nil
}

// validateCreate is rest.ValidateCreate for a kind whose version has no declarative
// validation functions: there, declarative validation returns the handwritten errors
// unchanged, after converting the object back to its version for nothing.
func validateCreate(ctx context.Context, obj runtime.Object, strategy rest.RESTCreateStrategy) field.ErrorList {
	errs := strategy.Validate(ctx, obj)
	if len(errs) > 0 {
		return errs
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), err)}
	}
	return genericvalidation.ValidateObjectMetaAccessor(m, strategy.NamespaceScoped(), pathSegment, field.NewPath("metadata"))
}

// pathSegment is the apiserver's rule for a name that is a path segment.
func pathSegment(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}

// storagePrepare is what a kind's REST storage does to an object on create before the
// strategy sees it, where that changes the verdict.
var storagePrepare = map[schema.GroupKind]func(runtime.Object){
	// The Service storage fills the plural clusterIPs from the singular clusterIP an
	// older client sets (clusterIP: None for a headless Service) before validation, and
	// allocates a health check node port to a LoadBalancer with externalTrafficPolicy
	// Local that names none (any free one of the node port range: its first here).
	{Kind: "Service"}: func(obj runtime.Object) {
		svc := obj.(*core.Service)
		if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
		if apiservice.NeedsHealthCheck(svc) && svc.Spec.HealthCheckNodePort == 0 {
			svc.Spec.HealthCheckNodePort = 30000
		}
	},
}
