package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

func TestNamespaceRule(t *testing.T) {
	eng, err := New(Options{SchemaSource: SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, doc, explicit, fallback string
		want, wantErr                 string
	}{
		{name: "own namespace", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team}\n", fallback: "dev", want: "team"},
		{name: "fallback", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", fallback: "dev", want: "dev"},
		{name: "explicit over fallback", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", explicit: "ops", fallback: "dev", want: "ops"},
		{name: "explicit agrees", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ops}\n", explicit: "ops", want: "ops"},
		{name: "explicit differs", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team}\n", explicit: "ops",
			wantErr: `the namespace of ConfigMap/a ("team") does not match -n "ops"`},
		{name: "cluster-scoped has none", doc: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: team}\n", explicit: "ops", fallback: "dev", want: ""},
		{name: "unknown kind keeps its namespace", doc: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", fallback: "dev", want: "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := yamlpos.Split("x.yaml", []byte(tc.doc))
			o, err := ReadObject(f.Docs[0])
			if err != nil {
				t.Fatal(err)
			}
			got, err := eng.Namespace(o, tc.explicit, tc.fallback)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
			case err != nil || got != tc.want:
				t.Errorf("= %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestReadObject(t *testing.T) {
	for _, tc := range []struct{ doc, wantErr string }{
		{doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"},
		{doc: "apiVersion: v1\nkind: [\n", wantErr: "syntax error"},
		{doc: "just: a map\n", wantErr: "not a Kubernetes object"},
		{doc: "apiVersion: v1\nkind: List\nitems: []\n", wantErr: "not a Kubernetes object"},
		{doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 7}\n", wantErr: "metadata.name is not a string"},
		{doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: {x: 1}}\n", wantErr: "metadata.namespace is not a string"},
	} {
		f := yamlpos.Split("x.yaml", []byte(tc.doc))
		_, err := ReadObject(f.Docs[0])
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: error %v, want %q", tc.doc, err, tc.wantErr)
		}
	}
}

func TestObjects(t *testing.T) {
	f := yamlpos.Split("x.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nnot: an object\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n"))
	objs, err := Objects(f, nil)
	if err != nil || len(objs) != 2 || objs[0].Ref() != "ConfigMap/a" || objs[1].Ref() != "Secret/b" || objs[1].Doc.Index != 2 {
		t.Fatalf("all: %v, %v", objs, err)
	}
	one := 1
	if _, err := Objects(f, &one); err == nil || !strings.Contains(err.Error(), "document 1 of x.yaml is not a Kubernetes object") {
		t.Errorf("document 1: %v", err)
	}
	bad := yamlpos.Split("bad.yaml", []byte("apiVersion: v1\nkind: ConfigMap\n---\nkind: [\n"))
	if _, err := Objects(bad, nil); err == nil || !strings.Contains(err.Error(), "bad.yaml:4:") || !strings.Contains(err.Error(), "fix the syntax first") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestChooseClusterAndFallback(t *testing.T) {
	for _, tc := range []struct {
		source, release string
		want            ClusterChoice
	}{
		{"", "", ClusterIfAny}, {"auto", "", ClusterIfAny}, {"auto", "1.35", NoCluster},
		{"cluster", "", ClusterRequired}, {"cluster", "1.35", ClusterRequired}, {"builtin", "", NoCluster},
	} {
		if got, err := ChooseCluster(tc.source, tc.release); err != nil || got != tc.want {
			t.Errorf("ChooseCluster(%q, %q) = %v, %v; want %v", tc.source, tc.release, got, err, tc.want)
		}
	}
	var se *SettingError
	if _, err := ChooseCluster("live", ""); !errors.As(err, &se) || se.Setting != "schemaSource" {
		t.Errorf("unknown source: %v", err)
	}
	if note, fatal := Fallback(ClusterIfAny, ErrNoCluster); note != "" || fatal {
		t.Errorf("no context, auto: %q %v", note, fatal)
	}
	down := errors.New("cannot reach the cluster")
	if note, fatal := Fallback(ClusterIfAny, down); fatal || !strings.Contains(note, "cannot reach the cluster; using the embedded schemas") {
		t.Errorf("unreachable, auto: %q %v", note, fatal)
	}
	if _, fatal := Fallback(ClusterRequired, down); !fatal {
		t.Error("unreachable, cluster: not fatal")
	}
	if _, err := Connect(ClusterOptions{Choice: NoCluster}); !errors.Is(err, ErrNoCluster) {
		t.Errorf("Connect with no cluster chosen: %v", err)
	}
}
