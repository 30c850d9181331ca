package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

func TestCorpusDeterministic(t *testing.T) {
	a, b := Corpus(300, 7), Corpus(300, 7)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different corpus")
	}
	if bytes.Equal(a, Corpus(300, 8)) {
		t.Fatal("different seeds, same corpus")
	}
	if got := bytes.Count(a, []byte("\n---\n")) + 1; got != 300 {
		t.Fatalf("%d documents, want 300", got)
	}
}

func validateCorpus(t *testing.T, data []byte) []validate.Result {
	t.Helper()
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	f := yamlpos.Split("corpus.yaml", data)
	return eng.ValidateFiles(context.Background(), []*yamlpos.File{f}, nil)[0]
}

func describe(r validate.Result) string {
	s := fmt.Sprintf("document %d (%s %s): %s", r.Doc.Index, r.Kind, r.Name, r.Status)
	for _, f := range r.Findings {
		s += "\n    " + f.Severity.String() + " " + f.Code + ": " + f.Message
	}
	return s
}

// Every generated document is valid for kubectl-lsp against Kubernetes 1.37, without a
// warning.
func TestCorpusValid(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	results := validateCorpus(t, Corpus(n, 1))
	if len(results) != n {
		t.Fatalf("%d results, want %d", len(results), n)
	}
	bad := 0
	for _, r := range results {
		if r.Status != validate.Valid || len(r.Findings) > 0 {
			if bad++; bad <= 10 {
				t.Error(describe(r))
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d documents are not clean", bad, n)
	}
}

// Exactly the injected documents are invalid, each with an error on the injected field.
func TestCorpusWithErrors(t *testing.T) {
	n, every := 900, 7
	data, injected := CorpusWithErrors(n, 3, every)
	if len(injected) != n/every {
		t.Fatalf("%d injected, want %d", len(injected), n/every)
	}
	kinds := map[ErrorKind]int{}
	want := map[int]Injected{}
	for _, x := range injected {
		want[x.Index] = x
		kinds[x.Error]++
	}
	for _, k := range []ErrorKind{UnknownField, WrongType, MissingRequired} {
		if kinds[k] == 0 {
			t.Errorf("no %s injected", k)
		}
	}
	for _, r := range validateCorpus(t, data) {
		x, isBad := want[r.Doc.Index]
		switch {
		case !isBad && r.Status != validate.Valid:
			t.Errorf("not injected, yet: %s", describe(r))
		case isBad && r.Status != validate.Invalid:
			t.Errorf("injected %s at %s, yet: %s", x.Error, x.Field, describe(r))
		case isBad && r.Name != x.Name:
			t.Errorf("injected into %s, reported for %s", x.Name, r.Name)
		case isBad && !hasField(r, x.Field):
			t.Errorf("injected %s at %s, yet: %s", x.Error, x.Field, describe(r))
		}
	}
}

func hasField(r validate.Result, field string) bool {
	for _, f := range r.Findings {
		if f.Field == field {
			return true
		}
	}
	return false
}
