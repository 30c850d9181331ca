package lsp

import (
	"context"
	"fmt"
	"sync"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// serverFindings are what a server-side dry-run of one snapshot found. They are shown
// with that snapshot's diagnostics only: after an edit, their positions may be wrong, and
// the next save brings new ones.
type serverFindings struct {
	snap     *snapshot
	findings []validate.Finding
}

// goDryRun sends each object of a document's latest snapshot to the cluster as a
// server-side dry-run in the background, then publishes the snapshot's diagnostics with
// the cluster's verdicts. At most one dry-run of a document runs at a time: asked again
// meanwhile, it runs once more afterwards, on the snapshot of that time.
func (s *Server) goDryRun(doc *document) {
	s.goLatest(&doc.dryRunJob, func() { s.dryRun(doc) })
}

func (s *Server) dryRun(doc *document) {
	s.mu.Lock()
	snap, conn := doc.snap, s.cluster
	s.mu.Unlock()
	if conn == nil || !isManifest(snap.text) {
		return
	}
	snap.parse()
	s.progress.busy("server-side dry-run of " + doc.name)
	findings := dryRunFile(s.baseCtx, conn.client, snap.file)
	s.progress.idle()
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc.snap != snap || s.docs[doc.uri] != doc || s.closing {
		return // edited or closed meanwhile
	}
	doc.server = &serverFindings{snap: snap, findings: findings}
	s.schedule(doc, 0)
}

// latestJob runs a background job at most once at a time. Asked while it runs, it runs
// once more when it is done, however many times it was asked meanwhile: the newest
// request replaces the queued one.
type latestJob struct {
	mu      sync.Mutex
	running bool
	again   bool
}

// start reports whether the caller starts the job (false: it runs, and runs again).
func (j *latestJob) start() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running {
		j.again = true
		return false
	}
	j.running = true
	return true
}

// next reports whether the job runs again; when not, it is no longer running.
func (j *latestJob) next(stop bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.again && !stop {
		j.again = false
		return true
	}
	j.running, j.again = false, false
	return false
}

// goLatest runs fn in the background through job.
func (s *Server) goLatest(job *latestJob, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || !job.start() {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			fn()
			if !job.next(s.baseCtx.Err() != nil) {
				return
			}
		}
	}()
}

// dryRunFile dry-runs every Kubernetes object of a file, in order. A failure to reach the
// cluster is one warning, on the first object.
func dryRunFile(ctx context.Context, c *kube.Client, f *yamlpos.File) []validate.Finding {
	var out []validate.Finding
	for _, d := range f.Docs {
		if ctx.Err() != nil {
			return out
		}
		fs, sent, err := c.DryRunDocument(ctx, d)
		if err != nil {
			at := yamlpos.Range{Start: d.Start, End: d.Start}
			if d.Root != nil {
				at = d.Range(d.Root)
				at.End = at.Start
			}
			return append(out, validate.Finding{Severity: validate.Warning, Code: kube.CodeServer,
				Message: fmt.Sprintf("server-side dry-run against %s failed: %s", c, c.Explain(err)), Range: at})
		}
		if sent {
			out = append(out, fs...)
		}
	}
	return out
}
