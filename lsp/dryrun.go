package lsp

import (
	"context"
	"errors"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
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
	snap, conn, eng := doc.snap, s.cluster, s.eng
	s.mu.Unlock()
	if conn == nil || eng == nil || !engine.IsManifest(snap.text) {
		return
	}
	snap.parse()
	s.progress.busy("server-side dry-run of " + doc.name)
	findings := dryRunFile(s.baseCtx, eng, conn.Cluster, snap.file)
	s.progress.idle()
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc.snap != snap || s.docs[doc.uri] != doc || s.closing {
		return // edited or closed meanwhile
	}
	doc.server = &serverFindings{snap: snap, findings: findings}
	s.schedule(doc, 0)
}

// dryRunFile dry-runs the objects of a file by the engine's policy. A failure to reach
// the cluster is one warning, on the document whose request failed.
func dryRunFile(ctx context.Context, eng *engine.Engine, c *engine.Cluster, f *yamlpos.File) []validate.Finding {
	results := make([]validate.Result, len(f.Docs))
	for i, d := range f.Docs {
		results[i] = eng.ValidateDocument(ctx, d)
	}
	server, err := c.DryRun(ctx, results)
	var out []validate.Finding
	for _, fs := range server {
		out = append(out, fs...)
	}
	if derr := (*engine.DryRunError)(nil); errors.As(err, &derr) {
		out = append(out, derr.Finding(f.Docs[derr.Index]))
	}
	return out
}
