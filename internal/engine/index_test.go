package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// navFiles is a small workspace; <|name|> marks a position, «...» a location a query
// must return (the marker text itself is removed).
var navFiles = map[string]string{
	"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      serviceAccountName: <|sa|>runner
      imagePullSecrets:
        - name: "regcred"
      containers:
        - name: web
          image: nginx
          envFrom:
            - configMapRef:
                name: <|cmref|>settings
          env:
            - name: PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: data}
        - name: conf
          configMap: {name: settings}
`,
	"config.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: <|cm|>settings
  namespace: shop
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: other
---
apiVersion: v1
kind: Service
metadata:
  name: <|svc|>web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: <|role|>viewer}
subjects:
  - {kind: ServiceAccount, name: runner}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
`,
}

func navIndex(t *testing.T) (*Index, map[string]*yamlpos.File, map[string]int) {
	t.Helper()
	x := NewIndex()
	files := map[string]*yamlpos.File{}
	marks := map[string]int{}
	for name, text := range navFiles {
		var clean strings.Builder
		for {
			i := strings.Index(text, "<|")
			if i < 0 {
				clean.WriteString(text)
				break
			}
			j := strings.Index(text[i:], "|>")
			clean.WriteString(text[:i])
			marks[text[i+2:i+j]] = clean.Len()
			text = text[i+j+2:]
		}
		f := yamlpos.Split(name, []byte(clean.String()))
		files[name] = f
		x.Set(f)
	}
	return x, files, marks
}

// at renders locations as "file:line:text" for comparison.
func at(locs []Location) []string {
	out := make([]string, 0, len(locs))
	for _, l := range locs {
		line, _ := l.File.Mapper.OffsetLineChar(l.Range.Start)
		out = append(out, fmt.Sprintf("%s:%d:%s", l.File.Name, line, l.File.Src[l.Range.Start:l.Range.End]))
	}
	slices.Sort(out)
	return out
}

func TestIndexDefinition(t *testing.T) {
	x, files, marks := navIndex(t)
	for _, tc := range []struct {
		file, mark string
		want       []string
	}{
		{"app.yaml", "cmref", []string{"config.yaml:4:settings"}}, // the shop one, not other's
		{"app.yaml", "sa", []string{"config.yaml:25:runner"}},
		{"config.yaml", "role", []string{"config.yaml:36:viewer"}}, // a ClusterRole: no namespace
		{"config.yaml", "cm", nil},                                 // a name, not a reference
	} {
		_, locs, _ := x.Definition(files[tc.file], marks[tc.mark])
		if got := at(locs); !slices.Equal(got, tc.want) {
			t.Errorf("definition at %s: %q, want %q", tc.mark, got, tc.want)
		}
	}
}

func TestIndexReferences(t *testing.T) {
	x, files, marks := navIndex(t)
	_, locs, ok := x.References(files["config.yaml"], marks["cm"], true)
	want := []string{"app.yaml:22:settings", "app.yaml:31:settings", "config.yaml:4:settings"}
	if got := at(locs); !ok || !slices.Equal(got, want) {
		t.Errorf("references of ConfigMap settings: %q, want %q", got, want)
	}
	_, locs, _ = x.References(files["config.yaml"], marks["svc"], false)
	if got := at(locs); !slices.Equal(got, []string{"app.yaml:4:web"}) {
		t.Errorf("what Service web selects: %q", got)
	}
	app := files["app.yaml"]
	_, locs, _ = x.References(app, strings.Index(string(app.Src), "web\n"), false)
	if got := at(locs); !slices.Equal(got, []string{"config.yaml:17:web"}) {
		t.Errorf("the Services selecting Deployment web: %q", got)
	}
}

func TestIndexRename(t *testing.T) {
	x, files, marks := navIndex(t)
	edits, err := x.Rename(files["app.yaml"], marks["cmref"], "app-settings")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range edits {
		line, _ := e.File.Mapper.OffsetLineChar(e.Range.Start)
		got = append(got, fmt.Sprintf("%s:%d:%s", e.File.Name, line, e.NewText))
	}
	slices.Sort(got)
	want := []string{"app.yaml:22:app-settings", "app.yaml:31:app-settings", "config.yaml:4:app-settings"}
	if !slices.Equal(got, want) {
		t.Errorf("rename edits %q, want %q", got, want)
	}
	if _, err := x.Rename(files["app.yaml"], marks["cmref"], "Bad_Name"); err == nil || !strings.Contains(err.Error(), "not a valid object name") {
		t.Errorf("invalid name: %v", err)
	}
	// A quoted name stays quoted.
	app := files["app.yaml"]
	edits, _ = x.Rename(app, strings.Index(string(app.Src), "regcred"), "pull")
	if len(edits) != 1 || edits[0].NewText != `"pull"` {
		t.Errorf("quoted reference: %+v", edits)
	}
}

func TestIndexReplaceAndRemove(t *testing.T) {
	x, files, marks := navIndex(t)
	x.Set(yamlpos.Split("config.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: shop}\n")))
	if _, locs, _ := x.Definition(files["app.yaml"], marks["cmref"]); len(locs) != 0 {
		t.Errorf("after the ConfigMap was renamed on disk: %q", at(locs))
	}
	x.Remove("app.yaml")
	if _, locs, _ := x.References(files["config.yaml"], marks["cm"], false); len(locs) != 0 {
		t.Errorf("after app.yaml was removed: %q", at(locs))
	}
}

func BenchmarkIndex(b *testing.B) {
	var text strings.Builder
	for i := range 2500 { // 5,000 documents
		fmt.Fprintf(&text, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm%d, namespace: ns}\n---\n", i)
		fmt.Fprintf(&text, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d, namespace: ns}\nspec:\n  template:\n    metadata: {labels: {app: d%d}}\n    spec:\n      containers:\n        - name: c\n          image: x\n          envFrom: [{configMapRef: {name: cm%d}}]\n---\n", i, i, i)
	}
	src := []byte(text.String())
	b.Run("index 5000 documents", func(b *testing.B) {
		for b.Loop() {
			x := NewIndex()
			x.Set(yamlpos.Split("w.yaml", src))
		}
	})
	x := NewIndex()
	f := yamlpos.Split("w.yaml", src)
	x.Set(f)
	off := strings.Index(text.String(), "name: cm1500}")
	b.Run("references", func(b *testing.B) {
		for b.Loop() {
			x.References(f, off+6, true)
		}
	})
}

// An edited file whose unchanged documents keep their trees (as the editor's snapshots
// do) is indexed from them, at their new offsets.
func TestIndexReusesUnchangedDocuments(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, envFrom: [{configMapRef: {name: a}}]}]\n"
	x := NewIndex()
	f1 := yamlpos.Split("w.yaml", []byte(src))
	x.Set(f1)
	edited := strings.Replace(src, "kind: ConfigMap\n", "kind: ConfigMap\ndata: {k: v}\n", 1)
	f2 := yamlpos.Split("w.yaml", []byte(edited))
	f1.Docs[1].ParseDoc()
	f2.Docs[1].SetParsed(f1.Docs[1].Root, nil) // the Pod's text did not change
	x.Set(f2)
	off := strings.LastIndex(edited, "name: a}") + 6
	_, locs, _ := x.References(f2, off, true)
	if got := at(locs); !slices.Equal(got, []string{"w.yaml:10:a", "w.yaml:4:a"}) {
		t.Errorf("after the edit: %q", got)
	}
}

// A target knows whether its namespace was written or is the "default" a manifest
// without one gets (in a cluster, the context's namespace).
func TestTargetUnnamespaced(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p%s}\nspec:\n  serviceAccountName: ‸sa\n  containers: [{name: c, image: x}]\n"
	binding := "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: ‸sa%s}]\n"
	for _, tc := range []struct {
		name, src string
		wantNS    string
		want      bool
	}{
		{"pod without namespace", fmt.Sprintf(pod, ""), "default", true},
		{"pod with namespace", fmt.Sprintf(pod, ", namespace: prod"), "prod", false},
		{"subject without namespace", fmt.Sprintf(binding, ""), "default", true},
		{"subject with namespace", fmt.Sprintf(binding, ", namespace: ops"), "ops", false},
	} {
		off := strings.Index(tc.src, "‸")
		src := strings.Replace(tc.src, "‸", "", 1)
		got, ok := TargetAt(yamlpos.Split(tc.name, []byte(src)), off)
		if !ok || got.Key.Namespace != tc.wantNS || got.Unnamespaced != tc.want || !CanGet(got) {
			t.Errorf("%s: %+v, %v", tc.name, got, ok)
		}
	}
}
