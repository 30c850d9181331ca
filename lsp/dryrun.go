package lsp

import (
	"context"
	"fmt"

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
// the cluster's verdicts.
func (s *Server) goDryRun(conn *clusterConn, doc *document) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	snap := doc.snap
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if !isManifest(snap.text) {
			return
		}
		snap.parse()
		s.progress.busy("server-side dry-run of " + doc.name)
		findings := dryRunFile(s.baseCtx, conn.client, snap.file)
		s.progress.idle()
		s.mu.Lock()
		defer s.mu.Unlock()
		if doc.snap != snap || s.docs[doc.uri] != doc {
			return // edited or closed meanwhile
		}
		doc.server = &serverFindings{snap: snap, findings: findings}
		s.schedule(doc, 0)
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
				Message: fmt.Sprintf("server-side dry-run against %s failed: %v", c, err), Range: at})
		}
		if sent {
			out = append(out, fs...)
		}
	}
	return out
}
