package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/openapi3"
	"k8s.io/client-go/rest"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kubectl/pkg/cmd/apply"
	"k8s.io/kubectl/pkg/cmd/diff"
	"k8s.io/kubectl/pkg/util"
	"sigs.k8s.io/yaml"
)

// Apply, diff and delete with kubectl's semantics, in process: kubectl's own patcher
// (three-way strategic merge patch for built-in kinds, JSON merge patch for custom
// resources, the last-applied-configuration annotation), server-side apply, dry-runs, and
// kubectl's messages ("deployment.apps/web configured").

// clientSideFieldManager is the manager of client-side applies: kubectl's, so that an
// object applied here and with kubectl keeps one owner, and kubectl's upgrade to
// server-side apply recognises it.
const clientSideFieldManager = "kubectl-client-side-apply"

// DryRun strategies.
const (
	DryRunNone   = "none"
	DryRunClient = "client"
	DryRunServer = "server"
)

// ApplyOptions are kubectl apply's options that kubectl-lsp offers.
type ApplyOptions struct {
	// ServerSide applies with server-side apply (field manager FieldManager).
	ServerSide bool
	// ForceConflicts takes over fields other managers own (server-side apply).
	ForceConflicts bool
	// DryRun is none, client or server.
	DryRun string
	// Kubeconfig is the kubeconfig file named in the kubectl commands a failed rollback
	// prints (empty: kubectl's default).
	Kubeconfig string
}

// DeleteOptions are kubectl delete's options that kubectl-lsp offers.
type DeleteOptions struct {
	// Cascade is background (default), foreground or orphan.
	Cascade string
	// GracePeriod in seconds; negative means the object's default.
	GracePeriod int
	// Wait, when positive, waits up to this long for the object to be gone.
	Wait time.Duration
	// DryRun is none, client or server.
	DryRun string
}

// Ref names an object as kubectl prints it.
type Ref struct {
	GVK       schema.GroupVersionKind
	Namespace string
	Name      string
}

// String is kubectl's "deployment.apps/web".
func (r Ref) String() string {
	return strings.ToLower(r.GVK.GroupKind().String()) + "/" + r.Name
}

// Quoted is kubectl delete's `deployment.apps "web"`.
func (r Ref) Quoted() string {
	return fmt.Sprintf("%s %q", strings.ToLower(r.GVK.GroupKind().String()), r.Name)
}

// Outcome is what happened to one object.
type Outcome struct {
	Ref Ref
	// Operation is created, configured, unchanged, serverside-applied or deleted.
	Operation string
	// Message is kubectl's line: "deployment.apps/web configured (server dry run)".
	Message string
	// Object is the object as the server returned it (nil for client dry-runs and
	// deletes).
	Object *unstructured.Unstructured
	Err    error
	// Rollback, when set, is how this object's change was undone because a later object
	// of its batch failed (ApplyAll).
	Rollback *Rollback
}

// DiffResult is one object's diff: live and merged as YAML (managedFields left out,
// secrets masked), as kubectl diff compares them.
type DiffResult struct {
	Ref    Ref
	Live   string // empty when the object does not exist
	Merged string
	// Name is kubectl diff's file name, e.g. apps.v1.Deployment.default.web.
	Name string
}

// Changed reports whether live and merged differ.
func (d DiffResult) Changed() bool { return d.Live != d.Merged }

// actions holds what apply, diff and delete need, built once per client.
type actions struct {
	once    sync.Once
	root    openapi3.Root
	mu      sync.Mutex
	clients map[schema.GroupVersion]resource.RESTClient
}

// info resolves one object: its mapping, REST client and namespace (the client's when it
// names none and its kind is namespaced), with the live object when it exists.
func (c *Client) info(ctx context.Context, obj *unstructured.Unstructured, source string) (*resource.Info, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, errors.New("the object has no apiVersion or kind")
	}
	if obj.GetName() == "" {
		return nil, fmt.Errorf("%s has no metadata.name", gvk.Kind)
	}
	mapping, err := c.restMapping(ctx, gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	client, err := c.restClient(mapping.GroupVersionKind.GroupVersion())
	if err != nil {
		return nil, err
	}
	obj = obj.DeepCopy()
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = obj.GetNamespace()
		if ns == "" {
			ns = c.Namespace
			obj.SetNamespace(ns)
		}
	} else {
		obj.SetNamespace("")
	}
	return &resource.Info{Client: client, Mapping: mapping, Namespace: ns, Name: obj.GetName(), Source: source, Object: obj}, nil
}

// restMapping is the resource of a kind (in version, or the cluster's preferred one when
// version is ""). A kind discovery does not know is asked again once (a CRD applied a
// moment ago).
func (c *Client) restMapping(ctx context.Context, gk schema.GroupKind, version string) (*meta.RESTMapping, error) {
	var versions []string
	in := gk.String() // what the errors name
	if version != "" {
		versions = []string{version}
		in = gk.Kind + " in " + gk.WithVersion(version).GroupVersion().String()
	}
	mapper := meta.ToRESTMapperWithContext(c.Mapper())
	mapping, err := mapper.RESTMappingWithContext(ctx, gk, versions...)
	if meta.IsNoMatchError(err) {
		if m, ok := c.Mapper().(meta.ResettableRESTMapper); ok {
			m.Reset()
			mapping, err = mapper.RESTMappingWithContext(ctx, gk, versions...)
		}
	}
	switch {
	case meta.IsNoMatchError(err):
		return nil, fmt.Errorf("the cluster does not serve %s: %w", in, err)
	case err != nil:
		// Discovery failed: the cluster did not say what it serves.
		return nil, fmt.Errorf("finding the resource of %s: %s", in, c.Explain(err))
	}
	return mapping, nil
}

// restClient is a REST client for one group-version that speaks unstructured objects.
func (c *Client) restClient(gv schema.GroupVersion) (resource.RESTClient, error) {
	c.acts.mu.Lock()
	defer c.acts.mu.Unlock()
	if rc, ok := c.acts.clients[gv]; ok {
		return rc, nil
	}
	cfg := c.RESTConfig()
	CaptureWarnings(cfg)
	cfg.ContentConfig = resource.UnstructuredPlusDefaultContentConfig()
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	rc, err := rest.RESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	if c.acts.clients == nil {
		c.acts.clients = map[schema.GroupVersion]resource.RESTClient{}
	}
	c.acts.clients[gv] = rc
	return rc, nil
}

// openAPIRoot is kubectl's source of patch strategies (through the HTTP disk cache), with
// each group-version's document parsed once: kubectl parses it on every apply, which is
// most of an apply's time in a long-lived process.
func (c *Client) openAPIRoot() openapi3.Root {
	c.acts.once.Do(func() { c.acts.root = &parsedRoot{Root: openapi3.NewRoot(c.disco.OpenAPIV3())} })
	return c.acts.root
}

// parsedRoot keeps parsed group-version documents for a while.
type parsedRoot struct {
	openapi3.Root
	mu   sync.Mutex
	docs map[schema.GroupVersion]parsedSpec
}

type parsedSpec struct {
	spec *spec3.OpenAPI
	at   time.Time
}

// parsedSpecTTL bounds how long a parsed document is trusted (a cluster upgrade changes
// them; CRDs' custom resources are patched without it).
const parsedSpecTTL = 5 * time.Minute

func (r *parsedRoot) GVSpec(gv schema.GroupVersion) (*spec3.OpenAPI, error) {
	r.mu.Lock()
	p, ok := r.docs[gv]
	r.mu.Unlock()
	if ok && time.Since(p.at) < parsedSpecTTL {
		return p.spec, nil
	}
	spec, err := r.Root.GVSpec(gv)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.docs == nil {
		r.docs = map[schema.GroupVersion]parsedSpec{}
	}
	r.docs[gv] = parsedSpec{spec: spec, at: time.Now()}
	r.mu.Unlock()
	return spec, nil
}

func refOf(info *resource.Info) Ref {
	return Ref{GVK: info.Mapping.GroupVersionKind, Namespace: info.Namespace, Name: info.Name}
}

func dryRunSuffix(dryRun string) string {
	switch dryRun {
	case DryRunClient:
		return " (dry run)"
	case DryRunServer:
		return " (server dry run)"
	}
	return ""
}

// Apply applies one object as kubectl apply does.
func (c *Client) Apply(ctx context.Context, obj *unstructured.Unstructured, source string, opts ApplyOptions) Outcome {
	info, err := c.info(ctx, obj, source)
	if err != nil {
		return Outcome{Ref: Ref{GVK: obj.GroupVersionKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}, Err: err}
	}
	out := Outcome{Ref: refOf(info)}
	out.Err = func() error {
		// resource.Helper takes no context: each call has the REST client's timeout, and
		// ctx is checked between calls.
		if err := ctx.Err(); err != nil {
			return err
		}
		serverDry := opts.DryRun == DryRunServer
		if opts.ServerSide {
			if opts.DryRun == DryRunClient {
				out.Operation = "serverside-applied"
				return nil
			}
			data, err := runtime.Encode(unstructured.UnstructuredJSONScheme, info.Object)
			if err != nil {
				return err
			}
			helper := resource.NewHelper(info.Client, info.Mapping).DryRun(serverDry).WithFieldManager(FieldManager).WithFieldValidation("Strict")
			force := opts.ForceConflicts
			res, err := helper.Patch(info.Namespace, info.Name, types.ApplyPatchType, data, &metav1.PatchOptions{Force: &force})
			if err != nil {
				if apierrors.IsConflict(err) {
					return fmt.Errorf("%w\nThe fields above are managed by others: apply with --force-conflicts to take them over, or leave them out of the manifest", err)
				}
				return err
			}
			out.Operation, out.Object = "serverside-applied", asUnstructured(res)
			return nil
		}
		// kubectl apply's default --validate=strict.
		helper := resource.NewHelper(info.Client, info.Mapping).DryRun(serverDry).WithFieldManager(clientSideFieldManager).WithFieldValidation("Strict")
		modified, err := util.GetModifiedConfiguration(info.Object, true, unstructured.UnstructuredJSONScheme)
		if err != nil {
			return err
		}
		live, err := helper.Get(info.Namespace, info.Name)
		if apierrors.IsNotFound(err) {
			if opts.DryRun == DryRunClient {
				out.Operation = "created"
				return nil
			}
			if err := util.CreateApplyAnnotation(info.Object, unstructured.UnstructuredJSONScheme); err != nil {
				return err
			}
			res, err := helper.Create(info.Namespace, true, info.Object)
			if err != nil {
				return err
			}
			out.Operation, out.Object = "created", asUnstructured(res)
			return nil
		}
		if err != nil {
			return err
		}
		if opts.DryRun == DryRunClient {
			out.Operation = "configured"
			return nil
		}
		patcher := &apply.Patcher{Mapping: info.Mapping, Helper: helper, Overwrite: true, BackOff: clockwork.NewRealClock(),
			OpenAPIV3Root: c.openAPIRoot()}
		var warn bytes.Buffer
		patch, res, err := patcher.Patch(live, modified, info.Source, info.Namespace, info.Name, &warn)
		if err != nil {
			return err
		}
		out.Operation, out.Object = "configured", asUnstructured(res)
		if string(patch) == "{}" {
			out.Operation = "unchanged"
		}
		return nil
	}()
	if out.Err == nil {
		out.Message = out.Ref.String() + " " + out.Operation + dryRunSuffix(opts.DryRun)
	}
	return out
}

// Diff compares one object in the cluster with what applying it would make of it, as
// kubectl diff does (a server-side dry-run; live and merged without managedFields, secret
// values masked).
func (c *Client) Diff(ctx context.Context, obj *unstructured.Unstructured, source string, serverSide, forceConflicts bool) (DiffResult, error) {
	info, err := c.info(ctx, obj, source)
	if err != nil {
		return DiffResult{Ref: Ref{GVK: obj.GroupVersionKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}}, err
	}
	res := DiffResult{Ref: refOf(info)}
	gvk := info.Mapping.GroupVersionKind
	res.Name = strings.Join([]string{gvk.Version, gvk.Kind, info.Namespace, info.Name}, ".")
	if gvk.Group != "" {
		res.Name = gvk.Group + "." + res.Name
	}
	local := info.Object
	live, err := resource.NewHelper(info.Client, info.Mapping).Get(info.Namespace, info.Name)
	switch {
	case apierrors.IsNotFound(err):
		live = nil
	case err != nil:
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	liveInfo := *info
	liveInfo.Object = live
	merged, err := diffMerged(c, &liveInfo, local, serverSide, forceConflicts)
	if err != nil {
		return res, err
	}
	from, to := omitManagedFields(live), omitManagedFields(merged)
	if gvk.GroupKind() == (schema.GroupKind{Kind: "Secret"}) {
		from, to = maskSecrets(from, to)
	}
	if res.Live, err = toYAML(from); err != nil {
		return res, err
	}
	if res.Merged, err = toYAML(to); err != nil {
		return res, err
	}
	return res, nil
}

// Delete deletes one object as kubectl delete does.
func (c *Client) Delete(ctx context.Context, obj *unstructured.Unstructured, source string, opts DeleteOptions) Outcome {
	info, err := c.info(ctx, obj, source)
	if err != nil {
		return Outcome{Ref: Ref{GVK: obj.GroupVersionKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}, Err: err}
	}
	out := Outcome{Ref: refOf(info), Operation: "deleted"}
	policy := metav1.DeletePropagationBackground
	switch opts.Cascade {
	case "", "background", "true":
	case "foreground":
		policy = metav1.DeletePropagationForeground
	case "orphan", "false":
		policy = metav1.DeletePropagationOrphan
	default:
		out.Err = fmt.Errorf("--cascade=%q: use background, foreground or orphan", opts.Cascade)
		return out
	}
	helper := resource.NewHelper(info.Client, info.Mapping).DryRun(opts.DryRun == DryRunServer)
	if opts.DryRun == DryRunClient {
		if _, err := helper.Get(info.Namespace, info.Name); err != nil {
			out.Err = err
			return out
		}
		out.Message = deletedMessage(info, opts)
		return out
	}
	del := &metav1.DeleteOptions{PropagationPolicy: &policy}
	if opts.GracePeriod >= 0 {
		g := int64(opts.GracePeriod)
		del.GracePeriodSeconds = &g
	}
	deleted, err := helper.DeleteWithOptions(info.Namespace, info.Name, del)
	if err != nil {
		out.Err = err
		return out
	}
	if opts.Wait > 0 && opts.DryRun != DryRunServer {
		var uid types.UID
		if u := asUnstructured(deleted); u != nil {
			uid = u.GetUID()
		}
		if err := waitGone(ctx, helper, info, uid, opts.Wait); err != nil {
			out.Err = err
			return out
		}
	}
	out.Message = deletedMessage(info, opts)
	return out
}

// deletedMessage is kubectl delete's line: `configmap "web" deleted from prod namespace`,
// "force deleted" with a grace period of 0, the dry-run noted.
func deletedMessage(info *resource.Info, opts DeleteOptions) string {
	op := "deleted"
	if opts.GracePeriod == 0 {
		op = "force deleted"
	}
	if info.Namespaced() {
		op += " from " + info.Namespace + " namespace"
	}
	return refOf(info).Quoted() + " " + op + dryRunSuffix(opts.DryRun)
}

// waitGone polls until the object (that uid) is gone.
func waitGone(ctx context.Context, helper *resource.Helper, info *resource.Info, uid types.UID, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		obj, err := helper.Get(info.Namespace, info.Name)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil && uid != "" {
			if u := asUnstructured(obj); u != nil && u.GetUID() != uid {
				return nil // a new object of the same name
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s to be deleted", timeout, refOf(info).Quoted())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func asUnstructured(obj runtime.Object) *unstructured.Unstructured {
	if obj == nil {
		return nil
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil
	}
	return &unstructured.Unstructured{Object: m}
}

func omitManagedFields(obj runtime.Object) runtime.Object {
	u := asUnstructured(obj)
	if u == nil {
		return nil
	}
	u = u.DeepCopy()
	u.SetManagedFields(nil)
	return u
}

func toYAML(obj runtime.Object) (string, error) {
	if obj == nil {
		return "", nil
	}
	data, err := yaml.Marshal(obj)
	return string(data), err
}

// diffMerged is kubectl diff's merged object: a server-side dry-run of the apply.
func diffMerged(c *Client, info *resource.Info, local runtime.Object, serverSide, force bool) (runtime.Object, error) {
	manager := clientSideFieldManager
	if serverSide {
		manager = FieldManager
	}
	obj := diff.InfoObject{LocalObj: local, Info: info, Encoder: unstructured.UnstructuredJSONScheme,
		OpenAPIV3Root: c.openAPIRoot(), ServerSideApply: serverSide, ForceConflicts: force, FieldManager: manager,
		IOStreams: genericiooptions.NewTestIOStreamsDiscard()}
	return obj.Merged()
}

// maskSecrets hides a Secret's values, keeping which keys changed visible, as kubectl
// diff does.
func maskSecrets(from, to runtime.Object) (runtime.Object, runtime.Object) {
	m, err := diff.NewMasker(from, to)
	if err != nil {
		return from, to
	}
	return maskLastApplied(m.From(), m.To())
}

// lastApplied is the annotation in which client-side apply keeps the applied manifest.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// maskLastApplied masks the Secret values in the last-applied-configuration annotations
// of from and to (which kubectl diff prints in clear), the way the Masker masks data:
// "***" where both sides agree, "*** (before)" and "*** (after)" where they differ.
func maskLastApplied(from, to runtime.Object) (runtime.Object, runtime.Object) {
	decode := func(obj runtime.Object) (*unstructured.Unstructured, map[string]any) {
		u := asUnstructured(obj)
		if u != nil {
			u = u.DeepCopy()
		}
		if u == nil {
			return nil, nil
		}
		text, ok := u.GetAnnotations()[lastApplied]
		if !ok {
			return u, nil
		}
		var applied map[string]any
		if json.Unmarshal([]byte(text), &applied) != nil {
			// Not JSON we can read: hide it whole rather than risk printing a value.
			applied = map[string]any{}
		}
		return u, applied
	}
	fromU, fromA := decode(from)
	toU, toA := decode(to)
	for _, field := range []string{"data", "stringData"} {
		before, _ := fromA[field].(map[string]any)
		after, _ := toA[field].(map[string]any)
		for k, v := range before {
			if w, ok := after[k]; ok && !reflect.DeepEqual(v, w) {
				before[k], after[k] = "*** (before)", "*** (after)"
			} else {
				before[k] = "***"
			}
		}
		for k := range after {
			if after[k] != "*** (after)" {
				after[k] = "***"
			}
		}
	}
	for _, side := range []struct {
		u       *unstructured.Unstructured
		applied map[string]any
	}{{fromU, fromA}, {toU, toA}} {
		if side.u == nil || side.applied == nil {
			continue
		}
		text, err := json.Marshal(side.applied)
		if err != nil {
			text = []byte("{}")
		}
		ann := side.u.GetAnnotations()
		ann[lastApplied] = string(text) + "\n"
		side.u.SetAnnotations(ann)
	}
	return unstructuredOrNil(fromU), unstructuredOrNil(toU)
}

// unstructuredOrNil keeps a nil object an untyped nil (a Secret that does not exist yet).
func unstructuredOrNil(u *unstructured.Unstructured) runtime.Object {
	if u == nil {
		return nil
	}
	return u
}

// ApplyAll applies objects in order, all or nothing. Unless it is itself a dry-run, a
// server-side dry-run of every object goes first, and nothing is applied when one of them
// would fail (the apiserver's reason, a Forbidden included, is in that object's outcome).
// What the dry-run cannot foresee (limits that add up over the batch, such as a quota or
// a nodePort an earlier object took) fails while applying: then the objects after it are
// not applied, and what the batch changed before it is rolled back (see applyBatch). The
// error is then a *BatchError.
//
// Custom resources of a CustomResourceDefinition in the same batch cannot be dry-run
// before it exists: they are applied once the cluster serves their kind.
func (c *Client) ApplyAll(ctx context.Context, objs []*unstructured.Unstructured, source string, opts ApplyOptions) ([]Outcome, error) {
	defined := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			g, _, _ := unstructured.NestedString(o.Object, "spec", "group")
			k, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
			defined[schema.GroupKind{Group: g, Kind: k}] = true
		}
	}
	pending := func(o *unstructured.Unstructured, err error) bool {
		return err != nil && meta.IsNoMatchError(err) && defined[o.GroupVersionKind().GroupKind()]
	}
	if opts.DryRun == "" || opts.DryRun == DryRunNone {
		pre := opts
		pre.DryRun = DryRunServer
		if outs, err := c.preflight(ctx, objs, func(o *unstructured.Unstructured) Outcome {
			out := c.Apply(ctx, o, source, pre)
			if pending(o, out.Err) {
				out.Err = nil
			}
			return out
		}); err != nil {
			return outs, err
		}
		return c.applyBatch(ctx, objs, source, opts, pending)
	}
	outs := make([]Outcome, len(objs))
	for i, o := range objs {
		outs[i] = c.Apply(ctx, o, source, opts)
	}
	return outs, failures(outs)
}

// DeleteAll deletes objects in order, after a server-side dry-run of every delete (see
// ApplyAll).
func (c *Client) DeleteAll(ctx context.Context, objs []*unstructured.Unstructured, source string, opts DeleteOptions) ([]Outcome, error) {
	if opts.DryRun == "" || opts.DryRun == DryRunNone {
		pre := opts
		pre.DryRun, pre.Wait = DryRunServer, 0
		if outs, err := c.preflight(ctx, objs, func(o *unstructured.Unstructured) Outcome { return c.Delete(ctx, o, source, pre) }); err != nil {
			return outs, err
		}
	}
	outs := make([]Outcome, len(objs))
	for i, o := range objs {
		outs[i] = c.Delete(ctx, o, source, opts)
	}
	return outs, failures(outs)
}

func (c *Client) preflight(ctx context.Context, objs []*unstructured.Unstructured, try func(*unstructured.Unstructured) Outcome) ([]Outcome, error) {
	outs := make([]Outcome, len(objs))
	bad := 0
	for i, o := range objs {
		outs[i] = try(o)
		if outs[i].Err != nil {
			bad++
		} else {
			outs[i].Message = "" // would succeed; nothing was done
		}
	}
	if bad > 0 {
		return outs, fmt.Errorf("nothing was changed: %d of %d objects would fail (server-side dry-run)", bad, len(objs))
	}
	return nil, nil
}

func failures(outs []Outcome) error {
	n := 0
	for _, o := range outs {
		if o.Err != nil {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d objects failed", n, len(outs))
	}
	return nil
}
