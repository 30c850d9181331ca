package layers

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// heavy are packages that must stay out of the kubectl-lsp binary: each would add
// package initialisers (metrics, schemes, flow control, caches) that every run pays
// before main, or whole subsystems no command needs. The apiserver's create path needs a
// kind's registry strategy only, never its REST storage.
var heavy = []struct {
	pattern string // an import path, a prefix ending in "/...", or "PREFIX/.../SUFFIX"
	why     string
}{
	{"k8s.io/kubernetes/pkg/registry/.../storage", "REST storage (etcd, watch caches): the strategy package alone judges a create"},
	{"k8s.io/kubernetes/pkg/registry/.../rest", "REST storage providers of API groups"},
	{"k8s.io/kubernetes/pkg/controlplane/...", "the kube-apiserver's assembly"},
	{"k8s.io/kubernetes/pkg/kubeapiserver", "the kube-apiserver's options and storage factory"},
	{"k8s.io/apiserver/pkg/server", "the generic apiserver (metrics, flow control, health checks at init)"},
	{"k8s.io/kubectl/pkg/cmd", "kubectl's whole command tree"},
	{"k8s.io/kubernetes/pkg/client/clientset_generated/...", "internal clientsets"},
	{"testing", "test machinery in the product"},
}

// heavyIn lists the packages of deps that match a heavy pattern, with the reason.
func heavyIn(deps []string) []string {
	var out []string
	for _, d := range deps {
		for _, h := range heavy {
			if matchImport(h.pattern, d) {
				out = append(out, d+": "+h.why)
			}
		}
	}
	return out
}

// matchImport reports whether the import path p matches pattern.
func matchImport(pattern, p string) bool {
	if prefix, suffix, ok := strings.Cut(pattern, "/.../"); ok {
		return strings.HasPrefix(p, prefix+"/") && strings.HasSuffix(p, "/"+suffix)
	}
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == prefix || strings.HasPrefix(p, prefix+"/")
	}
	return p == pattern
}

// TestBinaryLeavesOutHeavyPackages: the binary's import graph has none of the heavy
// packages, so their initialisers stay out of every run's start-up.
func TestBinaryLeavesOutHeavyPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/cmd/kubectl-lsp").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "k8s.io/kubernetes/pkg/registry/apps/deployment") {
		t.Fatalf("go list found no registry strategy among %d packages", len(deps))
	}
	for _, h := range heavyIn(deps) {
		t.Errorf("kubectl-lsp links %s", h)
	}
}

// TestHeavyPatternsMatch: each pattern catches the package it names and not its
// strategy-only neighbours (the check is not vacuous).
func TestHeavyPatternsMatch(t *testing.T) {
	deps := []string{
		"k8s.io/kubernetes/pkg/registry/apps/deployment",
		"k8s.io/kubernetes/pkg/registry/apps/deployment/storage",
		"k8s.io/kubernetes/pkg/registry/apps/rest",
		"k8s.io/kubernetes/pkg/controlplane",
		"k8s.io/kubernetes/pkg/controlplane/apiserver/options",
		"k8s.io/kubernetes/pkg/kubeapiserver",
		"k8s.io/kubernetes/pkg/kubeapiserver/admission/exclusion",
		"k8s.io/apiserver/pkg/server",
		"k8s.io/apiserver/pkg/server/egressselector",
		"k8s.io/kubectl/pkg/cmd",
		"k8s.io/kubectl/pkg/cmd/util",
		"k8s.io/api/storage/v1",
		"testing",
		"testing/fstest",
	}
	var got []string
	for _, h := range heavyIn(deps) {
		got = append(got, h[:strings.Index(h, ":")])
	}
	want := []string{
		"k8s.io/kubernetes/pkg/registry/apps/deployment/storage",
		"k8s.io/kubernetes/pkg/registry/apps/rest",
		"k8s.io/kubernetes/pkg/controlplane",
		"k8s.io/kubernetes/pkg/controlplane/apiserver/options",
		"k8s.io/kubernetes/pkg/kubeapiserver",
		"k8s.io/apiserver/pkg/server",
		"k8s.io/kubectl/pkg/cmd",
		"testing",
	}
	if !slices.Equal(got, want) {
		t.Errorf("matched:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// gcStartHeap is the heap size at which the garbage collector starts its first cycle
// (the runtime's minimum heap goal, 4 MB).
const gcStartHeap = 4 << 20

// TestCollectorPausedBeforeHeavyInit: in the built binary, internal/quietinit is
// initialised before the packages that allocate most, early enough that the heap is still
// under the collector's first goal, so no cycle runs while packages initialise; and
// internal/quietinit/hugeheap is initialised among the first, while the heap is almost
// empty, so the heap of the initialisers after it can have huge pages.
func TestCollectorPausedBeforeHeavyInit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/kubectl-lsp"
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/kubectl-lsp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(cmd.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl-lsp version: %v\n%s", err, out)
	}
	before, at, total := allocatedBefore(string(out), module+"/internal/quietinit")
	if at < 0 {
		t.Fatalf("internal/quietinit is not initialised:\n%s", out)
	}
	if before >= gcStartHeap || before > total/2 {
		t.Errorf("%d of %d bytes are allocated by initialisers before internal/quietinit (package %d)", before, total, at)
	}
	before, at, _ = allocatedBefore(string(out), hugeheap)
	if at < 0 {
		t.Fatalf("internal/quietinit/hugeheap is not initialised:\n%s", out)
	}
	if before >= hugeheapLatest {
		t.Errorf("%d bytes are allocated by initialisers before internal/quietinit/hugeheap (package %d)", before, at)
	}
}

// hugeheap is the package that prepares the heap for huge pages; its initialiser
// allocates a region it frees again at once, so the bytes it reports are left out of
// the counts.
const hugeheap = module + "/internal/quietinit/hugeheap"

// hugeheapLatest bounds the bytes allocated by the initialisers before hugeheap's: it
// runs after a few standard packages only.
const hugeheapLatest = 256 << 10

// allocatedBefore reads a GODEBUG=inittrace=1 trace: the bytes allocated by the
// initialisers before pkg, pkg's place (-1 when absent), and the bytes of all (leaving
// out hugeheap's, which it gives back).
func allocatedBefore(trace, pkg string) (before int64, at int, total int64) {
	at = -1
	n := 0
	for _, line := range strings.Split(trace, "\n") {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		var b int64
		if _, err := fmt.Sscan(f[7], &b); err != nil {
			continue
		}
		if f[1] == pkg {
			at, before = n, total
		}
		if f[1] != hugeheap {
			total += b
		}
		n++
	}
	return before, at, total
}
