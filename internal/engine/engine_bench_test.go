package engine_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/bench"
	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// The corpus of `make bench` (hack/bench.sh): 5,000 documents, about 4.5 MB.
const benchDocs = 5000

func newBenchEngine(b *testing.B) *engine.Engine {
	b.Helper()
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// firstDeployment is the first Deployment of the benchmark corpus.
func firstDeployment(b *testing.B) []byte {
	b.Helper()
	for _, d := range bytes.Split(bench.Corpus(50, 1), []byte("---\n")) {
		if bytes.Contains(d, []byte("\nkind: Deployment\n")) {
			return d
		}
	}
	b.Fatal("no Deployment in the corpus")
	return nil
}

func checkValid(b *testing.B, results []validate.Result) {
	b.Helper()
	for _, r := range results {
		if r.Status != validate.Valid {
			b.Fatalf("document %d (%s %s) is %s: %v", r.Doc.Index, r.Kind, r.Name, r.Status, r.Findings)
		}
	}
}

// BenchmarkValidate5000Docs is what `kubectl-lsp validate corpus.yaml` does, minus
// reading the file and printing: a fresh engine (schemas decompressed and compiled on
// first use), split, parse and validate 5,000 documents on all CPUs.
func BenchmarkValidate5000Docs(b *testing.B) {
	data := bench.Corpus(benchDocs, 1)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var results []validate.Result
	for b.Loop() {
		eng := newBenchEngine(b)
		f := yamlpos.Split("corpus.yaml", data)
		results = eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0]
	}
	b.ReportMetric(float64(benchDocs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	if len(results) != benchDocs {
		b.Fatalf("%d results, want %d", len(results), benchDocs)
	}
	checkValid(b, results)
}

// BenchmarkValidate5000DocsWarm is BenchmarkValidate5000Docs with the engine (and its
// compiled schemas) reused: the language server's steady state.
func BenchmarkValidate5000DocsWarm(b *testing.B) {
	data := bench.Corpus(benchDocs, 1)
	ctx := context.Background()
	eng := newBenchEngine(b)
	eng.ValidateFiles(ctx, []*yamlpos.File{yamlpos.Split("warm.yaml", data)}, nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var results []validate.Result
	for b.Loop() {
		f := yamlpos.Split("corpus.yaml", data)
		results = eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0]
	}
	b.ReportMetric(float64(benchDocs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	checkValid(b, results)
}

// BenchmarkValidateOneDeployment parses and validates one Deployment with a warm engine:
// the work behind one keystroke in an editor.
func BenchmarkValidateOneDeployment(b *testing.B) {
	data := firstDeployment(b)
	ctx := context.Background()
	eng := newBenchEngine(b)
	warm := yamlpos.Split("warm.yaml", data)
	checkValid(b, []validate.Result{eng.ValidateDocument(ctx, warm.Docs[0])})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f := yamlpos.Split("deploy.yaml", data)
		eng.ValidateDocument(ctx, f.Docs[0])
	}
}

// BenchmarkColdStart is engine.New and the first Deployment: loading the embedded
// index, decompressing and compiling the apps/v1 document (which carries the core types
// it uses), then one validation.
func BenchmarkColdStart(b *testing.B) {
	data := firstDeployment(b)
	ctx := context.Background()
	b.ReportAllocs()
	var r validate.Result
	for b.Loop() {
		eng := newBenchEngine(b)
		f := yamlpos.Split("deploy.yaml", data)
		r = eng.ValidateDocument(ctx, f.Docs[0])
	}
	checkValid(b, []validate.Result{r})
}
