package validate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }

// TestAgainstAPIServer sends every document of the fixtures to a real kube-apiserver 1.37
// by server-side dry-run create with strict field validation, and checks that our verdict
// (valid, or invalid with an error finding) is the apiserver's. Documents we skip, and
// documents marked "# differential: skip (why)", are left out; every finding code we
// report as an error must be exercised by at least one document the apiserver rejects.
// Warnings leave a document valid, so they agree with an apiserver that accepts it; those
// that claim what the apiserver does with the object are checked against it too (a
// namespace-scope warning: the namespace of the object the apiserver would store is empty).
func TestAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37"})
	if err != nil {
		t.Fatal(err)
	}
	var total, agree int
	confirmedWarnings := map[string]int{}
	exercised := map[string]bool{}
	codes := map[string]bool{}
	eachFixtureDocument(t, ctx, eng, c, func(fd fixtureDocument) {
		if fd.crdErr != nil {
			t.Fatalf("installing the CRD in %s: %v", fd.file.Name, fd.crdErr)
		}
		r, d := fd.result, fd.doc
		total++
		ours := r.Status == validate.Invalid
		theirs := fd.serverErr != nil
		var errCodes []string
		for _, f := range r.Findings {
			if f.Severity == validate.Error {
				errCodes = append(errCodes, f.Code)
				codes[f.Code] = true
			}
		}
		for _, f := range r.Findings {
			if f.Code != validate.CodeNamespaceScope {
				continue
			}
			line, _ := fd.file.Mapper.OffsetLineChar(f.Range.Start)
			if ns, err := storedNamespace(ctx, c, d, f.Field); err != nil || ns != "" {
				t.Errorf("%s:%d: we warn %q; the apiserver stores namespace %q (error: %v)", fd.file.Name, line, f.Message, ns, err)
			} else {
				confirmedWarnings[f.Code]++
			}
		}
		if ours == theirs {
			agree++
			if theirs {
				for _, code := range errCodes {
					exercised[code] = true
				}
			}
			return
		}
		t.Errorf("%s: we say %s %v, the apiserver says %v", fd, r.Status, errCodes, describeServer(fd.serverErr))
	})
	t.Logf("%d documents sent to the apiserver; %d verdicts agree", total, agree)
	if total < 100 {
		t.Errorf("only %d documents in the differential fixtures; want at least 100", total)
	}
	for code := range codes {
		if !exercised[code] {
			t.Errorf("finding code %q is never confirmed by a document the apiserver rejects", code)
		}
	}
	t.Logf("warnings confirmed by the apiserver: %v", confirmedWarnings)
	if confirmedWarnings[validate.CodeNamespaceScope] == 0 {
		t.Errorf("no %s warning of the fixtures was checked against the apiserver", validate.CodeNamespaceScope)
	}
}

// fixtureDocument is a document of the fixtures, our verdict on it and the apiserver's
// answer; or, with crdErr, a CRD we find valid that the apiserver refused to install.
type fixtureDocument struct {
	file      *yamlpos.File
	doc       *yamlpos.Document
	result    validate.Result
	serverErr error
	crdErr    error
}

func (fd fixtureDocument) String() string {
	line, _ := fd.file.Mapper.OffsetLineChar(fd.doc.Start)
	return fmt.Sprintf("%s:%d (document %d, %s %s)", fd.file.Name, line, fd.doc.Index, fd.result.Kind, fd.result.Name)
}

// eachFixtureDocument judges every document of the fixtures (testdata/*.yaml and *.json)
// with eng and with c (server-side dry-run create, strict field validation; a List item
// by item) and passes both verdicts to fn. The CRDs go first, for both: those eng finds
// valid are installed in c (one c refuses is passed to fn with crdErr). Documents eng
// skips, and those marked "# differential: skip (why)", are left out.
func eachFixtureDocument(t *testing.T, ctx context.Context, eng *engine.Engine, c *testcluster.Cluster, fn func(fixtureDocument)) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.yaml")
	json, _ := filepath.Glob("testdata/*.json")
	files = append(files, json...)
	sort.Strings(files)
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f := yamlpos.Split(name, data)
		for _, d := range f.Docs {
			d.ParseDoc()
			if kind, _ := topScalar(d, "kind"); kind != "CustomResourceDefinition" {
				continue
			}
			r := eng.ValidateDocument(ctx, d)
			if r.Status != validate.Valid {
				continue // an invalid CRD is compared below like any document
			}
			if err := c.Apply(ctx, d.Text()); err != nil {
				fn(fixtureDocument{file: f, doc: d, result: r, crdErr: err})
				continue
			}
			group, _ := scalarAt(d, "spec", "group")
			kind, _ := scalarAt(d, "spec", "names", "kind")
			if err := c.WaitForCRD(ctx, group, "v1", kind); err != nil {
				t.Fatal(err)
			}
		}
		eng.AddCRDs(f)
	}
	if err := c.EnsureNamespace(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f := yamlpos.Split(name, data)
		results := eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0]
		for i, r := range results {
			d := f.Docs[i]
			if r.Status == validate.Skipped || strings.Contains(string(d.Text()), "# differential: skip") {
				continue
			}
			// The namespace of a cluster-scoped object is left missing: the apiserver must
			// ignore it, whether it exists or not.
			if ns := r.Namespace; ns != "" && len(ns) < 64 && strings.ToLower(ns) == ns && !strings.Contains(ns, "_") && !hasCode(r, validate.CodeNamespaceScope) {
				_ = c.EnsureNamespace(ctx, ns)
			}
			fn(fixtureDocument{file: f, doc: d, result: r, serverErr: dryRun(ctx, c, d)})
		}
	}
}

func hasCode(r validate.Result, code string) bool {
	for _, fd := range r.Findings {
		if fd.Code == code {
			return true
		}
	}
	return false
}

// storedNamespace dry-run creates the object that holds field (a finding's path ending in
// metadata.namespace: the document's root, or an item of a List) and returns the namespace
// of the object the apiserver would store.
func storedNamespace(ctx context.Context, c *testcluster.Cluster, d *yamlpos.Document, field string) (string, error) {
	path := yamlpos.ParsePath(field)
	if len(path) < 2 {
		return "", fmt.Errorf("not a metadata.namespace path: %s", field)
	}
	objPath := path[:len(path)-2]
	obj := d.Root
	if len(objPath) > 0 {
		n, _, m := yamlpos.Lookup(d.Root, objPath)
		if m != len(objPath) {
			return "", fmt.Errorf("no object at %s", field)
		}
		obj = yamlpos.Resolve(n)
	}
	v, err := yamlpos.ToValue(obj, validate.DefaultAliasLimit)
	if err != nil {
		return "", err
	}
	text, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	data, err := utilyaml.ToJSON(text)
	if err != nil {
		return "", err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return "", err
	}
	cfg := c.Config()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", err
	}
	m, err := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)).RESTMapping(u.GroupVersionKind().GroupKind(), u.GroupVersionKind().Version)
	if err != nil {
		return "", err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return "", fmt.Errorf("%s is namespaced", u.GroupVersionKind())
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	out, err := dyn.Resource(m.Resource).Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
	if err != nil {
		return "", err
	}
	return out.GetNamespace(), nil
}

// dryRun sends a document; a List is sent item by item, as kubectl does.
func dryRun(ctx context.Context, c *testcluster.Cluster, d *yamlpos.Document) error {
	kind, _ := topScalar(d, "kind")
	if !strings.HasSuffix(kind, "List") {
		_, err := c.DryRunCreate(ctx, d.Text())
		if apierrors.IsAlreadyExists(err) {
			return nil // a CRD installed above: it passed validation
		}
		return err
	}
	items, _, _ := yamlpos.Lookup(d.Root, yamlpos.Path{{Key: "items"}})
	for _, item := range yamlpos.Resolve(items).Content {
		v, err := yamlpos.ToValue(item, validate.DefaultAliasLimit)
		if err != nil {
			return err
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := c.DryRunCreate(ctx, out); err != nil {
			return err
		}
	}
	return nil
}

func describeServer(err error) string {
	if err == nil {
		return "valid"
	}
	var se *apierrors.StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid (%s)", se.Error())
	}
	return fmt.Sprintf("invalid (%v)", err)
}

func topScalar(d *yamlpos.Document, key string) (string, bool) { return scalarAt(d, key) }

func scalarAt(d *yamlpos.Document, keys ...string) (string, bool) {
	if d.Root == nil {
		return "", false
	}
	var p yamlpos.Path
	for _, k := range keys {
		p = p.Field(k)
	}
	n, _, m := yamlpos.Lookup(d.Root, p)
	if m != len(p) || n == nil {
		return "", false
	}
	return yamlpos.Resolve(n).Value, true
}

// TestMinimalObjectsAgainstAPIServer sends, for every kind the embedded 1.37 schemas
// describe and the apiserver serves, an object with nothing but apiVersion, kind and a
// name. Whatever we report as an error must be an error to the apiserver too, at the same
// field path; where the apiserver rejects an object we accept, its reason lies beyond the
// schema (semantic validation) and is logged.
func TestMinimalObjectsAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37"})
	if err != nil {
		t.Fatal(err)
	}
	tested, gaps := 0, 0
	eachMinimalObject(t, ctx, eng, c, func(o minimalObject) {
		gvk, r, serverErr := o.gvk, o.result, o.serverErr
		if !o.served == schema.ServedByDefault(gvk.Version) {
			t.Errorf("%s: served by the default apiserver: %v; schema.ServedByDefault says %v", gvk.APIVersion(), o.served, schema.ServedByDefault(gvk.Version))
		}
		if !o.served {
			return // a group-version this apiserver does not serve by default
		}
		tested++
		if r.Status == validate.Invalid {
			if serverErr == nil {
				t.Errorf("%s: we report %v, the apiserver accepts it", gvk, r.Findings)
				return
			}
			samePath := false
			for _, fd := range r.Findings {
				if fd.Severity == validate.Error && strings.Contains(serverErr.Error(), fd.Field) {
					samePath = true
				}
			}
			if !samePath {
				t.Logf("%s: both reject it, for other fields: we report %s; the apiserver says %v", gvk, r.Findings[0].Message, serverErr)
			}
			return
		}
		if serverErr != nil {
			gaps++
			t.Logf("%s: beyond the schema: %v", gvk, serverErr)
		}
	})
	t.Logf("%d kinds tested; %d rejected by the apiserver for reasons beyond the schema", tested, gaps)
	if tested < 40 {
		t.Errorf("only %d kinds could be tested", tested)
	}
}

// minimalObject is an object of one kind with nothing but apiVersion, kind and a name,
// our verdict on it, and the apiserver's answer (served false: the apiserver does not
// serve the kind).
type minimalObject struct {
	gvk       schema.GVK
	text      []byte
	result    validate.Result
	served    bool
	serverErr error
}

// eachMinimalObject makes, for every kind eng's embedded schemas describe that can be
// created, a minimal object (in namespace default if the kind is namespaced), judges it
// with eng and with c, and passes both verdicts to fn.
func eachMinimalObject(t *testing.T, ctx context.Context, eng *engine.Engine, c *testcluster.Cluster, fn func(minimalObject)) {
	t.Helper()
	if err := c.EnsureNamespace(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	for _, k := range eng.Builtin().Kinds() {
		gvk := k.GVK
		typ, err := eng.Builtin().Lookup(gvk)
		if err != nil || typ == nil || !slicesContains(typ.Verbs, "create") {
			continue
		}
		doc := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: minimal-%s\n", gvk.APIVersion(), gvk.Kind, strings.ToLower(gvk.Kind))
		if typ.Namespaced {
			doc += "  namespace: default\n"
		}
		f := yamlpos.Split("minimal.yaml", []byte(doc))
		r := eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0][0]
		_, serverErr := c.DryRunCreate(ctx, []byte(doc))
		notServed := serverErr != nil && (strings.Contains(serverErr.Error(), "no matches for kind") || apierrors.IsNotFound(serverErr) || strings.Contains(serverErr.Error(), "the server could not find the requested resource"))
		fn(minimalObject{gvk: gvk, text: []byte(doc), result: r, served: !notServed, serverErr: serverErr})
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
