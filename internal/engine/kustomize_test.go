package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

const kustomizeExamples = "../../examples/kustomize"

func render(t *testing.T, dir string) *Kustomization {
	t.Helper()
	k, err := Kustomize(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// renderedDoc is the index of the rendered object KIND/NAME.
func renderedDoc(t *testing.T, k *Kustomization, ref string) int {
	t.Helper()
	for i, d := range k.Rendered.Docs {
		if o, err := ReadObject(d); err == nil && o.Ref() == ref {
			return i
		}
	}
	t.Fatalf("no %s among the rendered objects:\n%s", ref, k.Rendered.Src)
	return -1
}

// where prints a location as FILE:LINE:COL, FILE relative to the examples.
func where(l Location) string {
	line, col := l.File.Mapper.OffsetLineChar(l.Range.Start)
	name, _ := filepath.Rel(kustomizeExamples, l.File.Name)
	return fmt.Sprintf("%s:%d:%d", filepath.ToSlash(name), line, col)
}

// TestKustomizeLocate: a place in a rendered object points at the source file and line
// where its value comes unchanged from (the base's resource, the overlay's patch), else
// at the kustomization file: the field that changed every object, or the entry that
// brought the object in, or the generator that made it.
func TestKustomizeLocate(t *testing.T) {
	k := render(t, filepath.Join(kustomizeExamples, "overlays/production"))
	const kust = "overlays/production/kustomization.yaml"
	for _, tc := range []struct {
		ref, field string
		onKey      bool
		want       string
	}{
		{"Deployment/prod-web", "spec.template.spec.containers[0].image", false, "base/deployment.yaml:19:18"},
		{"Deployment/prod-web", "spec.template.spec.containers[0].ports[0].containerPort", true, "base/deployment.yaml:21:15"},
		{"Deployment/prod-web", "metadata.labels[app]", false, "base/deployment.yaml:6:10"},
		{"Deployment/prod-web", "spec.replicas", false, "overlays/production/replicas.yaml:6:13"},
		{"Deployment/prod-web", "spec.template.spec.containers[0].resources.requests[cpu]", false, "overlays/production/replicas.yaml:13:20"},
		{"Deployment/prod-web", "metadata.name", false, kust + ":3:1"},
		{"Deployment/prod-web", "metadata.labels[env]", false, kust + ":4:1"},
		{"Deployment/prod-web", "spec.template.spec.containers[0].envFrom[0].configMapRef.name", false, kust + ":7:5"},
		{"Deployment/prod-web", "spec.selector.matchLabels", false, kust + ":7:5"},
		{"Service/prod-web", "spec.ports[0].port", true, "base/service.yaml:9:7"},
		{"ConfigMap/prod-web-settings", "data[LOG_LEVEL]", false, "base/configmap.yaml:6:14"},
		{"ConfigMap/prod-web-extra-" + generatedSuffix(t, k), "data[FEATURE]", false, kust + ":11:11"},
	} {
		t.Run(tc.ref+" "+tc.field, func(t *testing.T) {
			i := renderedDoc(t, k, tc.ref)
			d := k.Rendered.Docs[i]
			node, key, matched := yamlpos.Lookup(d.Root, yamlpos.ParsePath(tc.field))
			if matched != len(yamlpos.ParsePath(tc.field)) {
				t.Fatalf("%s not in the rendered object", tc.field)
			}
			r := d.Range(node)
			if tc.onKey {
				r = d.Range(key)
			}
			if got := where(k.Locate(i, r)); got != tc.want {
				t.Errorf("Locate = %s, want %s", got, tc.want)
			}
		})
	}
}

// generatedSuffix is the hash suffix of the generated ConfigMap prod-web-extra.
func generatedSuffix(t *testing.T, k *Kustomization) string {
	for _, d := range k.Rendered.Docs {
		if o, err := ReadObject(d); err == nil && strings.HasPrefix(o.GetName(), "prod-web-extra-") {
			return strings.TrimPrefix(o.GetName(), "prod-web-extra-")
		}
	}
	t.Fatal("no generated ConfigMap prod-web-extra-*")
	return ""
}

// TestKustomizeRender: the objects are kubectl's (legacy order, prefixed names, labels,
// no origin annotation), each with the resource file it came from; a kustomization that
// asks for origin annotations itself keeps them.
func TestKustomizeRender(t *testing.T) {
	k := render(t, filepath.Join(kustomizeExamples, "overlays/production"))
	objs, err := k.Objects()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, o := range objs {
		got = append(got, o.Ref()+" "+where(k.Source(i)))
		if _, ok := o.GetAnnotations()[originKey]; ok {
			t.Errorf("%s keeps the origin annotation", o.Ref())
		}
	}
	want := []string{
		"ConfigMap/prod-web-extra-" + generatedSuffix(t, k) + " overlays/production/kustomization.yaml:11:11",
		"ConfigMap/prod-web-settings base/configmap.yaml:1:1",
		"Service/prod-web base/service.yaml:1:1",
		"Deployment/prod-web base/deployment.yaml:1:1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	dir := writeTree(t, map[string]string{
		"kustomization.yaml": "resources: [cm.yaml]\nbuildMetadata: [originAnnotations]\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
	})
	objs, err = render(t, dir).Objects()
	if err != nil || len(objs) != 1 || objs[0].GetAnnotations()[originKey] != "path: cm.yaml\n" {
		t.Errorf("asked-for origin annotations: %v %v", objs, err)
	}
}

// TestKustomizeErrors: bad directories and remote bases are clear errors, and nothing is
// fetched.
func TestKustomizeErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"empty/.keep":                     "",
		"remote/kustomization.yaml":       "resources:\n  - https://github.com/example/app//deploy?ref=v1\n",
		"deep/kustomization.yaml":         "resources: [../nested]\n",
		"nested/kustomization.yaml":       "resources:\n  - github.com/example/app/base?ref=main\n",
		"missing/kustomization.yaml":      "resources: [nope.yaml]\n",
		"notobjects/kustomization.yaml":   "resources: []\n",
		"file.yaml":                       "a: b\n",
		"twice/kustomization.yaml":        "resources: []\n",
		"twice/kustomization.yml":         "resources: []\n",
		"badyaml/kustomization.yaml":      "resources: [\n",
		"cycle-a/kustomization.yaml":      "resources: [../cycle-b]\n",
		"cycle-b/kustomization.yaml":      "resources: [../cycle-a]\n",
		"noprefix/kustomization.yaml":     "resources: [../missingdir]\n",
		"hostlike/kustomization.yaml":     "resources:\n  - example.com/org/repo\n",
		"components/kustomization.yaml":   "components: [../file.yaml]\n",
		"patchmissing/kustomization.yaml": "patches: [{path: nope.yaml}]\n",
		"patchurl/kustomization.yaml":     "patches:\n  - path: https://example.com/patch.yaml\n",
	})
	for _, tc := range []struct{ dir, want string }{
		{"nowhere", `the path "` + filepath.Join(dir, "nowhere") + `" does not exist`},
		{"file.yaml", "-k needs a directory holding a kustomization file"},
		{"empty", "no kustomization file (kustomization.yaml, kustomization.yml, Kustomization) in the directory"},
		{"remote", `kustomization.yaml:2:5: resources: the remote base "https://github.com/example/app//deploy?ref=v1" is not fetched`},
		{"deep", `nested/kustomization.yaml:2:5: resources: the remote base "github.com/example/app/base?ref=main" is not fetched`},
		{"missing", "nope.yaml"},
		{"twice", "Found multiple kustomization files"},
		{"badyaml", "kustomize " + filepath.Join(dir, "badyaml")},
		{"cycle-a", "cycle"},
		{"patchmissing", "nope.yaml"},
		{"noprefix", `kustomization.yaml:1:13: resources: "../missingdir" does not exist`},
		{"hostlike", `kustomization.yaml:2:5: resources: "example.com/org/repo" does not exist`},
		{"patchurl", `kustomization.yaml:2:11: patches[0].path: the remote file "https://example.com/patch.yaml" is not fetched`},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			_, err := Kustomize(context.Background(), filepath.Join(dir, tc.dir))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	k := render(t, filepath.Join(dir, "notobjects"))
	if _, err := k.Objects(); err == nil || !strings.Contains(err.Error(), "renders no objects") {
		t.Errorf("no objects: %v", err)
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestKustomizationFindings: every entry that names a path is checked on disk, at its
// line; remote bases, inline patches and existing paths are not reported.
func TestKustomizationFindings(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cm.yaml":                      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"base/kustomization.yaml":      "resources: []\n",
		"plain/.keep":                  "",
		"app.env":                      "A=b\n",
		"component/kustomization.yaml": "kind: Component\n",
	})
	const kust = `resources:
  - cm.yaml
  - missing.yaml
  - base
  - plain
  - https://github.com/example/app//deploy?ref=v1
components:
  - component
  - cm.yaml
crds: [crd.yaml]
patches:
  - path: patch.yaml
  - path: https://example.com/patch.yaml
  - patch: |-
      - op: remove
        path: /spec
patchesStrategicMerge:
  - smp.yaml
  - |-
    apiVersion: v1
    kind: ConfigMap
configMapGenerator:
  - name: env
    envs: [app.env, other.env]
    files:
      - key=data.txt
secretGenerator:
  - name: s
    env: base
`
	f := yamlpos.Split(filepath.Join(dir, "kustomization.yaml"), []byte(kust))
	var got []string
	for _, fd := range KustomizationFindings(f, dir) {
		line, col := f.Mapper.OffsetLineChar(fd.Range.Start)
		got = append(got, fmt.Sprintf("%d:%d %s", line, col, fd.Message))
	}
	want := []string{
		`3:5 resources: "missing.yaml" does not exist`,
		`5:5 resources: "plain" holds no kustomization file (kustomization.yaml, kustomization.yml, Kustomization)`,
		`9:5 components: "cm.yaml" is a file; a component directory is expected`,
		`10:8 crds: "crd.yaml" does not exist`,
		`12:11 patches[0].path: "patch.yaml" does not exist`,
		`18:5 patchesStrategicMerge: "smp.yaml" does not exist`,
		`24:21 configMapGenerator[0].envs: "other.env" does not exist`,
		`26:9 configMapGenerator[0].files: "data.txt" does not exist`,
		`29:10 secretGenerator[0].env: "base" is a directory; a file is expected`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestKustomizeLocateBasePatch: a value a base's own patch set points at that patch.
func TestKustomizeLocateBasePatch(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n",
		"app/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  one: \"1\"\n  two: \"2\"\n",
		"app/patch.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  two: \"3\"\n",
		"top/kustomization.yaml": "namePrefix: t-\nresources:\n  - ../app\n",
	})
	k := render(t, filepath.Join(dir, "top"))
	i := renderedDoc(t, k, "ConfigMap/t-a")
	d := k.Rendered.Docs[i]
	for field, want := range map[string]string{
		"data[one]":     "app/cm.yaml:6:8",
		"data[two]":     "app/patch.yaml:6:8",
		"metadata.name": "top/kustomization.yaml:1:1",
	} {
		node, _, _ := yamlpos.Lookup(d.Root, yamlpos.ParsePath(field))
		l := k.Locate(i, d.Range(node))
		line, col := l.File.Mapper.OffsetLineChar(l.Range.Start)
		rel, _ := filepath.Rel(dir, l.File.Name)
		if got := fmt.Sprintf("%s:%d:%d", filepath.ToSlash(rel), line, col); got != want {
			t.Errorf("%s: Locate = %s, want %s", field, got, want)
		}
	}
}

// TestKustomizeFinding: kustomize's verdict on a kustomization file's unsaved text, at
// its first line; none when it renders or names a remote base.
func TestKustomizeFinding(t *testing.T) {
	dir := writeTree(t, map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
	name := filepath.Join(dir, "kustomization.yaml") // not on disk: the editor's text alone
	for _, tc := range []struct{ text, want string }{
		{"resources: [cm.yaml]\n", ""},
		{"resources:\n  - github.com/example/app?ref=v1\n", ""},
		{"resources: [cm.yaml]\nnamePrefix: [x]\n", "kustomize " + dir},
		{"resources: [cm.yaml]\npatches:\n  - patch: '{kind: ConfigMap, apiVersion: v1, metadata: {name: b}}'\n", "no resource matches strategic merge patch"},
	} {
		f := KustomizeFinding(context.Background(), yamlpos.Split(name, []byte(tc.text)))
		switch {
		case tc.want == "" && f != nil:
			t.Errorf("%q: %+v", tc.text, f)
		case tc.want != "" && (f == nil || !strings.Contains(f.Message, tc.want) || f.Range.Start != 0 || f.Code != CodeKustomize):
			t.Errorf("%q: %+v, want %q at the first line", tc.text, f, tc.want)
		}
	}
}
