package validate_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// oldestTally counts our verdicts with --kubernetes-version of the oldest release against
// that release's apiserver. A false error (we reject, the apiserver accepts) fails the
// test; a miss (the apiserver rejects, we accept) is counted: the rules linked in are a
// newer release's, and an older apiserver rejects some values a newer one allows.
type oldestTally struct {
	tally
	falseErrors int
	misses      map[string]int // by corpus
	samples     []string       // a few misses, for the log
}

// record compares one verdict and returns the false error it finds ("" for none).
func (o *oldestTally) record(corpus, what string, r validate.Result, serverErr error) string {
	differs := o.compare(r, serverErr)
	switch {
	case differs == "":
		return ""
	case r.Status == validate.Invalid:
		o.falseErrors++
		return fmt.Sprintf("%s: false error: %s", what, differs)
	}
	o.miss(corpus, fmt.Sprintf("%s: %s", what, differs))
	return ""
}

func (o *oldestTally) miss(corpus, what string) {
	if o.misses == nil {
		o.misses = map[string]int{}
	}
	o.misses[corpus]++
	if len(o.samples) < 20 {
		o.samples = append(o.samples, what)
	}
}

func (o *oldestTally) String() string {
	var corpora []string
	total := 0
	for c, n := range o.misses {
		corpora = append(corpora, fmt.Sprintf("%s %d", c, n))
		total += n
	}
	sort.Strings(corpora)
	return fmt.Sprintf("%d documents compared (%d rejected by the apiserver), %d verdicts agree; %d false errors; %d misses (%s); %d left out (admission, cluster state)",
		o.total, o.rejected, o.agree, o.falseErrors, total, strings.Join(corpora, ", "), o.skipped)
}

// oldestRelease is the minor release of testcluster.OldestKubernetesVersion ("1.34").
func oldestRelease() string {
	parts := strings.Split(strings.TrimPrefix(testcluster.OldestKubernetesVersion, "v"), ".")
	return parts[0] + "." + parts[1]
}

// TestAgainstOldestAPIServer judges the differential corpus as `--kubernetes-version`
// of the oldest supported release does (that release's schemas, the newer create-time
// rules linked in) and sends it to a real kube-apiserver of that release: the fixtures,
// a minimal object of every kind it serves, the field-by-field variants of the valid
// objects and the real projects' examples. We must never reject an object the older
// apiserver accepts; where it rejects one we accept (a rule relaxed since), the miss is
// counted and logged.
func TestAgainstOldestAPIServer(t *testing.T) {
	release := oldestRelease()
	if oldest := builtin.Versions()[0]; oldest != release {
		t.Fatalf("the oldest embedded release is %s, the oldest control plane %s: bump hack/tools-oldest and testcluster.OldestKubernetesVersion together", oldest, testcluster.OldestKubernetesVersion)
	}
	c := testcluster.SharedOldest(t)
	ctx := context.Background()
	newEngine := func(t *testing.T) *engine.Engine {
		eng, err := engine.New(engine.Options{KubernetesVersion: release, SchemaSource: engine.SourceBuiltin})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	var o oldestTally
	t.Run("fixtures", func(t *testing.T) {
		eachFixtureDocument(t, ctx, newEngine(t), c, func(fd fixtureDocument) {
			if fd.crdErr != nil {
				o.miss("fixtures", fmt.Sprintf("%s: CRD refused: %v", fd, fd.crdErr))
				return
			}
			if e := o.record("fixtures", fd.String(), fd.result, fd.serverErr); e != "" {
				t.Error(e)
			}
		})
	})
	t.Run("minimal", func(t *testing.T) {
		eachMinimalObject(t, ctx, newEngine(t), c, func(m minimalObject) {
			if !m.served {
				if m.result.Status != validate.Invalid && !hasCode(m.result, validate.CodeOffByDefault) {
					t.Logf("%s: not served by kube-apiserver %s, and we say nothing", m.gvk, testcluster.OldestKubernetesVersion)
				}
				return
			}
			if e := o.record("minimal", "minimal "+m.gvk.String(), m.result, m.serverErr); e != "" {
				t.Error(e)
			}
		})
	})
	t.Run("mutations", func(t *testing.T) {
		eachVariant(t, ctx, newEngine(t), c, func(v variant) {
			if e := o.record("mutations", v.String(), v.result, v.serverErr); e != "" {
				t.Error(e)
			}
		})
	})
	for _, p := range realProjects {
		t.Run("projects/"+p.module, func(t *testing.T) {
			eachProjectDocument(t, ctx, c, release, p.module, p.crds, p.examples, func(doc projectDocument) {
				if doc.crdErr != nil {
					o.miss("projects", fmt.Sprintf("%s: CRD refused: %v", doc.rel, doc.crdErr))
					return
				}
				if e := o.record("projects", p.module+" "+doc.String(), doc.result, doc.serverErr); e != "" {
					t.Error(e)
				}
			})
		})
	}
	t.Logf("kube-apiserver %s, --kubernetes-version %s: %s", testcluster.OldestKubernetesVersion, release, &o)
	for _, s := range o.samples {
		t.Logf("miss: %s", s)
	}
	if o.total < 1000 {
		t.Errorf("only %d documents compared", o.total)
	}
}
