package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

const fieldManager = "testcluster"

// DryRunCreate sends one object (JSON, or YAML which is converted to JSON)
// to the API server as a server-side dry-run create (dryRun=All,
// fieldValidation=Strict), as admin. Namespaced objects go to their
// metadata.namespace, or "default"; the namespace must exist
// (EnsureNamespace). It returns the warnings the server sent and the
// server's error unwrapped (a *apierrors.StatusError when the server
// rejected the object). The bytes are sent as given, so the server sees
// exactly what the caller wrote (e.g. duplicate fields).
func (c *Cluster) DryRunCreate(ctx context.Context, manifest []byte) (warnings []string, err error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	body, ref, err := parseObject(manifest)
	if err != nil {
		return nil, err
	}
	path, _, err := c.path(ref)
	if err != nil {
		return nil, err
	}
	res := c.rest.Post().AbsPath(path).
		Param("dryRun", "All").
		Param("fieldValidation", "Strict").
		Body(body).
		SetHeader("Content-Type", "application/json").
		Do(ctx)
	for _, w := range res.Warnings() {
		warnings = append(warnings, w.Text)
	}
	return warnings, res.Error()
}

// Apply creates or updates objects for real (server-side apply, forced, as
// admin). manifests may hold several YAML documents or one JSON object;
// each needs metadata.name. Namespaced objects without a namespace go to
// "default".
func (c *Cluster) Apply(ctx context.Context, manifests []byte) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifests)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("testcluster: apply: document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		body, ref, err := parseObject(doc)
		if errors.Is(err, errEmpty) {
			continue
		}
		if err != nil {
			return fmt.Errorf("testcluster: apply: document %d: %w", i, err)
		}
		if ref.name == "" {
			return fmt.Errorf("testcluster: apply: document %d (%s): metadata.name is required", i, ref.gvk.Kind)
		}
		path, _, err := c.path(ref)
		if err != nil {
			return err
		}
		err = c.rest.Patch("application/apply-patch+yaml").AbsPath(path, ref.name).
			Param("fieldManager", fieldManager).
			Param("force", "true").
			Body(body).
			Do(ctx).Error()
		if err != nil {
			return fmt.Errorf("testcluster: apply %s %s: %w", ref.gvk.Kind, ref.name, err)
		}
	}
}

// EnsureNamespace creates namespace name and its "default" ServiceAccount
// (which Pods need, and which no controller creates here) if missing.
func (c *Cluster) EnsureNamespace(ctx context.Context, name string) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	create := func(path string, obj map[string]any) error {
		body, _ := json.Marshal(obj)
		err := c.rest.Post().AbsPath(path).Body(body).SetHeader("Content-Type", "application/json").Do(ctx).Error()
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("testcluster: create %s: %w", path, err)
		}
		return nil
	}
	named := func(name string) map[string]any { return map[string]any{"name": name} }
	if err := create("/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": named(name)}); err != nil {
		return err
	}
	return create("/api/v1/namespaces/"+name+"/serviceaccounts",
		map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": named("default")})
}

// WaitForCRD waits until group/version/kind is published in /openapi/v3 and
// in discovery, and serves requests. A CRD's schema appears there a moment
// (~0.3-0.6 s) after the CRD is created, and the server answers the first
// request for a new resource ~2 s late: WaitForCRD absorbs that with a
// throw-away dry-run create, so that tests see normal latencies.
func (c *Cluster) WaitForCRD(ctx context.Context, group, version, kind string) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	gvk := schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
	last := ""
	for {
		ok, detail := c.openAPIHas(ctx, gvk)
		if ok {
			c.mapper.Reset()
			_, err := c.mapper.RESTMapping(gvk.GroupKind(), version)
			if err == nil {
				return c.warmUp(ctx, gvk)
			}
			detail = "not in discovery yet: " + err.Error()
		}
		last = detail
		select {
		case <-ctx.Done():
			return fmt.Errorf("testcluster: %s not published: %v; last: %s", gvk, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// warmUp sends a dry-run create of a bare gvk object; whether the server
// accepts it does not matter.
func (c *Cluster) warmUp(ctx context.Context, gvk schema.GroupVersionKind) error {
	obj, _ := json.Marshal(map[string]any{
		"apiVersion": gvk.GroupVersion().String(),
		"kind":       gvk.Kind,
		"metadata":   map[string]any{"generateName": "testcluster-warmup-"},
	})
	path, _, err := c.path(objectRef{gvk: gvk})
	if err != nil {
		return err
	}
	err = c.rest.Post().AbsPath(path).Param("dryRun", "All").Body(obj).
		SetHeader("Content-Type", "application/json").Do(ctx).Error()
	var se *apierrors.StatusError
	if err != nil && !errors.As(err, &se) {
		return fmt.Errorf("testcluster: %s: warm-up request: %w", gvk, err)
	}
	return nil
}

func (c *Cluster) openAPIHas(ctx context.Context, gvk schema.GroupVersionKind) (bool, string) {
	raw, err := c.rest.Get().AbsPath("/openapi/v3").DoRaw(ctx)
	if err != nil {
		return false, err.Error()
	}
	var index struct {
		Paths map[string]struct {
			ServerRelativeURL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return false, err.Error()
	}
	key := "apis/" + gvk.Group + "/" + gvk.Version
	if gvk.Group == "" {
		key = "api/" + gvk.Version
	}
	p, ok := index.Paths[key]
	if !ok {
		return false, key + " not in /openapi/v3"
	}
	raw, err = c.rest.Get().RequestURI(p.ServerRelativeURL).DoRaw(ctx)
	if err != nil {
		return false, err.Error()
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				GVK []schema.GroupVersionKind `json:"x-kubernetes-group-version-kind"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return false, err.Error()
	}
	for _, s := range doc.Components.Schemas {
		for _, g := range s.GVK {
			if g == gvk {
				return true, ""
			}
		}
	}
	return false, "kind " + gvk.Kind + " not in /openapi/v3/" + key
}

type objectRef struct {
	gvk             schema.GroupVersionKind
	name, namespace string
}

var errEmpty = errors.New("empty document")

// parseObject converts YAML to JSON and reads apiVersion, kind, name and
// namespace, leniently (the rest is for the server to judge).
func parseObject(data []byte) ([]byte, objectRef, error) {
	var ref objectRef
	body := bytes.TrimSpace(data)
	if len(body) == 0 || body[0] != '{' {
		var err error
		if body, err = utilyaml.ToJSON(data); err != nil {
			return nil, ref, fmt.Errorf("testcluster: not YAML or JSON: %w", err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, ref, fmt.Errorf("testcluster: not a JSON object: %w", err)
	}
	if m == nil {
		return nil, ref, errEmpty
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" || kind == "" {
		return nil, ref, errors.New("testcluster: apiVersion and kind are required")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, ref, fmt.Errorf("testcluster: %w", err)
	}
	ref.gvk = gv.WithKind(kind)
	if md, ok := m["metadata"].(map[string]any); ok {
		ref.name, _ = md["name"].(string)
		ref.namespace, _ = md["namespace"].(string)
	}
	return body, ref, nil
}

// path returns the collection path for ref, and its namespace ("" when
// cluster-scoped).
func (c *Cluster) path(ref objectRef) (string, string, error) {
	m, err := c.mapper.RESTMapping(ref.gvk.GroupKind(), ref.gvk.Version)
	if meta.IsNoMatchError(err) { // e.g. a CRD created since discovery was cached
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(ref.gvk.GroupKind(), ref.gvk.Version)
	}
	if err != nil {
		return "", "", fmt.Errorf("testcluster: %s: %w", ref.gvk, err)
	}
	gvr := m.Resource
	p := "/apis/" + gvr.Group + "/" + gvr.Version
	if gvr.Group == "" {
		p = "/api/" + gvr.Version
	}
	ns := ""
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = ref.namespace
		if ns == "" {
			ns = "default"
		}
		p += "/namespaces/" + ns
	}
	return p + "/" + gvr.Resource, ns, nil
}

// withTimeout bounds calls whose ctx has no deadline.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultCallTimeout)
}
