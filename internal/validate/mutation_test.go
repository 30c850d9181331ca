package validate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// mutation is one change to a valid object: a field left out or a value replaced.
type mutation struct {
	path   []any // map keys (string) and list indices (int)
	value  any   // the new value; nil with remove
	remove bool
}

func (m mutation) String() string {
	var b strings.Builder
	for _, p := range m.path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	if m.remove {
		return b.String() + " removed"
	}
	return fmt.Sprintf("%s = %#v", b.String(), m.value)
}

// mutations lists, for every scalar of obj, the field left out and the value replaced by
// values of its own type that validation code often rejects ("", a name with invalid
// characters, 0, -1). metadata.namespace is left alone: a missing namespace is cluster
// state, not validation.
func mutations(obj any, path []any) []mutation {
	var out []mutation
	switch v := obj.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any{}, path...), k)
			if len(path) == 0 && (k == "apiVersion" || k == "kind") || len(path) == 1 && path[0] == "metadata" && k == "namespace" {
				continue
			}
			out = append(out, mutation{path: p, remove: true})
			out = append(out, mutations(v[k], p)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, mutations(e, append(append([]any{}, path...), i))...)
		}
	case string:
		out = append(out, mutation{path: path, value: ""}, mutation{path: path, value: "Not_Valid!"})
	case int64, float64:
		out = append(out, mutation{path: path, value: int64(0)}, mutation{path: path, value: int64(-1)})
	}
	return out
}

// apply returns a deep copy of obj with m made.
func apply(obj any, m mutation) any {
	data, _ := yaml.Marshal(obj)
	var c any
	_ = yaml.Unmarshal(data, &c)
	cur := c
	for i, p := range m.path {
		last := i == len(m.path)-1
		switch p := p.(type) {
		case string:
			mp := cur.(map[string]any)
			if last {
				if m.remove {
					delete(mp, p)
				} else {
					mp[p] = m.value
				}
				return c
			}
			cur = mp[p]
		case int:
			l := cur.([]any)
			if last {
				l[p] = m.value
				return c
			}
			cur = l[p]
		}
	}
	return c
}

// TestMutationsAgainstAPIServer takes every valid built-in object of the fixtures, makes
// it invalid field by field (each field left out, each value replaced by values of its
// type that validation code often rejects), and checks that our verdict on each variant is
// the apiserver's, by server-side dry-run create with strict field validation. Variants the
// apiserver refuses for reasons other than validation (admission, cluster state: not an
// Invalid or BadRequest answer) are left out.
func TestMutationsAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	var tl tally
	kinds, customs := eachVariant(t, ctx, eng, c, func(v variant) {
		if differs := tl.compare(v.result, v.serverErr); differs != "" {
			t.Errorf("%s: %s", v, differs)
		}
	})
	t.Logf("%d variants of objects of %d kinds (%d custom resources) sent to the apiserver (%d invalid); %d verdicts agree; %d left out (admission, cluster state)", tl.total, kinds, customs, tl.rejected, tl.agree, tl.skipped)
	if customs == 0 {
		t.Error("no custom resource was mutated")
	}
	if tl.total < 500 || tl.rejected < 100 {
		t.Errorf("only %d variants (%d invalid): the fixtures lost their valid built-in objects?", tl.total, tl.rejected)
	}
}

// variant is one mutated object, our verdict on it and the apiserver's answer.
type variant struct {
	file, kind, name string
	m                mutation
	result           validate.Result
	serverErr        error
}

func (v variant) String() string {
	return fmt.Sprintf("%s %s/%s, %s", filepath.Base(v.file), v.kind, v.name, v.m)
}

// eachVariant installs the fixtures' CRDs (custom resources are mutated too), then, for
// every object of the fixtures that eng finds valid and c accepts by itself, makes up to
// 60 variants of it (mutations, spread over the whole object), judges each with eng and c,
// and calls fn. It returns how many kinds and custom resources were mutated.
func eachVariant(t *testing.T, ctx context.Context, eng *engine.Engine, c *testcluster.Cluster, fn func(variant)) (kinds, customs int) {
	t.Helper()
	if err := c.EnsureNamespace(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	sort.Strings(files)
	crds, _ := filepath.Glob("testdata/*.crd.yaml")
	for _, name := range crds {
		data, _ := os.ReadFile(name)
		f := yamlpos.Split(name, data)
		for _, gvk := range eng.AddCRDs(f) {
			if err := c.Apply(ctx, data); err != nil {
				t.Fatalf("installing %s: %v", name, err)
			}
			if err := c.WaitForCRD(ctx, gvk.Group, gvk.Version, gvk.Kind); err != nil {
				t.Fatal(err)
			}
		}
	}
	const perDocument = 60
	seen := map[string]bool{}
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f := yamlpos.Split(name, data)
		for _, d := range f.Docs {
			d.ParseDoc()
			r := eng.ValidateDocument(ctx, d)
			if r.Status != validate.Valid || strings.HasSuffix(r.Kind, "List") || strings.Contains(string(d.Text()), "# differential: skip") {
				continue
			}
			g, v := schema.ParseAPIVersion(r.APIVersion)
			typ, _ := eng.Source().Lookup(schema.GVK{Group: g, Version: v, Kind: r.Kind})
			custom := typ != nil && typ.CRD != nil
			if !apiserver.Handles(g, r.Kind) && !custom || r.Namespace != "" && r.Namespace != "default" {
				continue
			}
			if _, err := c.DryRunCreate(ctx, d.Text()); err != nil {
				continue // not valid on this apiserver by itself (cluster state)
			}
			seen[r.Kind] = true
			if custom {
				customs++
			}
			obj, err := yamlpos.ToValue(d.Root, validate.DefaultAliasLimit)
			if err != nil {
				t.Fatal(err)
			}
			ms := mutations(obj, nil)
			if len(ms) > perDocument {
				// Spread the sample over the whole object, deterministically.
				step := float64(len(ms)) / perDocument
				var sample []mutation
				for i := range perDocument {
					sample = append(sample, ms[int(float64(i)*step)])
				}
				ms = sample
			}
			for _, m := range ms {
				text, err := yaml.Marshal(apply(obj, m))
				if err != nil {
					t.Fatal(err)
				}
				_, serverErr := c.DryRunCreate(ctx, text)
				md := yamlpos.Split(name, text).Docs[0]
				md.ParseDoc()
				fn(variant{file: name, kind: r.Kind, name: r.Name, m: m, result: eng.ValidateDocument(ctx, md), serverErr: serverErr})
			}
		}
	}
	return len(seen), customs
}
