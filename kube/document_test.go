package kube

import (
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

func TestDocumentObjects(t *testing.T) {
	for _, tc := range []struct {
		name, text   string
		objects      int
		singleObject bool
	}{
		{"object", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", 1, true},
		{"list", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n", 2, false},
		{"typed list", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", 1, false},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", 0, false},
		{"not a mapping", "- a\n- b\n", 0, false},
		{"syntax error", "apiVersion: v1\nkind: [\n", 0, false},
	} {
		d := yamlpos.Split("t.yaml", []byte(tc.text)).Docs[0]
		if got := len(DocumentObjects(d)); got != tc.objects {
			t.Errorf("%s: %d objects, want %d", tc.name, got, tc.objects)
		}
		if got := DocumentObject(d) != nil; got != tc.singleObject {
			t.Errorf("%s: DocumentObject non-nil = %v, want %v", tc.name, got, tc.singleObject)
		}
	}
}
