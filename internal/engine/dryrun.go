package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// Server-side dry-run: the one policy both faces follow. Static validation runs first;
// what it skipped (templates, kustomization files, documents that are not objects) is
// not sent. The cluster's rejections are findings at their positions; a failure to reach
// or use the cluster stops the run and is one error, which a command reports as a
// failure and the editor as a warning.

// CodeServer is the code of the findings a dry-run adds.
const CodeServer = kube.CodeServer

// dryRunWorkers bounds the dry-run requests in flight.
const dryRunWorkers = 4

// DryRunError says that the cluster could not judge the documents.
type DryRunError struct {
	Index   int    // the result whose request failed
	Cluster string // the context and server, for people
	Reason  string // why, in words for people
	Err     error
}

func (e *DryRunError) Error() string {
	return fmt.Sprintf("server-side dry-run against %s failed: %s", e.Cluster, e.Reason)
}

func (e *DryRunError) Unwrap() error { return e.Err }

// Finding is the error as a warning on a document, for a face that shows it in place.
func (e *DryRunError) Finding(d *yamlpos.Document) validate.Finding {
	at := yamlpos.Range{Start: d.Start, End: d.Start}
	if d.Root != nil {
		at = d.Range(d.Root)
		at.End = at.Start
	}
	return validate.Finding{Severity: validate.Warning, Code: CodeServer, Message: e.Error(), Range: at}
}

// DryRun sends the documents of results that static validation did not skip to the
// cluster, at most four at a time, and returns the cluster's findings for each result
// (nil for one not sent). On a *DryRunError, or when ctx ends, the findings of the
// documents judged before are returned with it.
func (c *Cluster) DryRun(ctx context.Context, results []validate.Result) ([][]validate.Finding, error) {
	out := make([][]validate.Finding, len(results))
	var (
		mu       sync.Mutex
		firstErr error
	)
	Parallel(len(results), dryRunWorkers, func(i int) {
		r := results[i]
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil || r.Status == validate.Skipped || r.Doc == nil {
			return
		}
		fs, _, err := c.client.DryRunDocument(ctx, r.Doc)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil && ctx.Err() == nil {
				firstErr = &DryRunError{Index: i, Cluster: c.client.String(), Reason: c.client.Explain(err), Err: err}
			}
			return
		}
		out[i] = fs
	})
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// MergeDryRun adds a dry-run's findings to the static ones of the same document: a
// problem both found appears once.
func MergeDryRun(static, server []validate.Finding) []validate.Finding {
	return kube.MergeServerFindings(static, server)
}

// ApplyDryRun merges the findings DryRun returned into results, marking a result with a
// new error invalid.
func ApplyDryRun(results []validate.Result, server [][]validate.Finding) {
	for i, fs := range server {
		if len(fs) == 0 {
			continue
		}
		r := &results[i]
		r.Findings = MergeDryRun(r.Findings, fs)
		for _, f := range r.Findings {
			if f.Severity == validate.Error {
				r.Status = validate.Invalid
			}
		}
	}
}
