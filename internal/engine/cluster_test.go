package engine

import (
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// fakeCluster stands in for kube.Schemas: it serves nothing itself and answers with the
// fallback it is given.
type fakeCluster struct {
	version  string
	fallback schema.Source
}

func (f *fakeCluster) Name() string { return "cluster fake" }
func (f *fakeCluster) Lookup(gvk schema.GVK) (*schema.Type, error) {
	return f.fallback.Lookup(gvk)
}
func (f *fakeCluster) Kinds() []schema.KindInfo    { return f.fallback.Kinds() }
func (f *fakeCluster) SetFallback(s schema.Source) { f.fallback = s }
func (f *fakeCluster) KubernetesVersion() string   { return f.version }

func TestClusterChoosesTheEmbeddedRelease(t *testing.T) {
	for _, tc := range []struct {
		cluster, explicit, source, want string
	}{
		{"1.35", "", SourceAuto, "1.35"},
		{"1.40", "", SourceAuto, "1.37"},
		{"1.20", "", SourceCluster, "1.34"},
		{"", "", SourceAuto, "1.37"},         // version not known yet: the newest
		{"1.35", "1.36", SourceAuto, "1.36"}, // an explicit release wins
		{"1.35", "", SourceBuiltin, "1.37"},  // builtin ignores the cluster
	} {
		fc := &fakeCluster{version: tc.cluster}
		eng, err := New(Options{Cluster: fc, KubernetesVersion: tc.explicit, SchemaSource: tc.source})
		if err != nil {
			t.Fatal(err)
		}
		if got := eng.Builtin().Version(); got != tc.want {
			t.Errorf("cluster %q, --kubernetes-version %q, source %s: embedded %s, want %s", tc.cluster, tc.explicit, tc.source, got, tc.want)
		}
		usesCluster := strings.Contains(eng.Source().Name(), "cluster fake")
		if usesCluster != (tc.source != SourceBuiltin) {
			t.Errorf("source %s: chain %q", tc.source, eng.Source().Name())
		}
		if usesCluster && fc.fallback != eng.Builtin() {
			t.Errorf("the cluster source was not given the embedded release as its fallback")
		}
	}
	if _, err := New(Options{SchemaSource: SourceCluster}); err == nil || !strings.Contains(err.Error(), "no cluster") {
		t.Fatalf("cluster without a cluster: %v", err)
	}
}
