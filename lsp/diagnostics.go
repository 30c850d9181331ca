package lsp

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"go.lsp.dev/protocol"
)

// schedule (re)starts the diagnostics of doc's latest snapshot after delay, cancelling
// the pending or running ones. Called with s.mu held.
func (s *Server) schedule(doc *document, delay time.Duration) {
	if doc.cancel != nil {
		doc.cancel()
	}
	if s.closing || s.state == stateShutdown {
		return
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	doc.cancel = cancel
	snap := doc.snap
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		s.diagnose(ctx, snap)
	}()
}

// diagnose validates a snapshot and publishes its diagnostics, unless ctx is cancelled
// first (a newer version, new schemas, the file closed).
func (s *Server) diagnose(ctx context.Context, snap *snapshot) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("diagnostics panicked", "uri", snap.doc.uri, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	start := time.Now()
	s.mu.Lock()
	eng, gen, settings, engineKey, root := s.eng, s.gen, s.settings, snap.doc.crdKey, s.root
	s.mu.Unlock()

	manifest := engine.IsManifest(snap.text)
	key := uint64(0)
	if manifest {
		snap.parse()
		key = crdKey(snap)
	}
	if key != engineKey {
		// CRDs were added, changed or removed here: new schemas for every open file.
		s.rebuild(snap.doc)
		s.mu.Lock()
		eng, gen = s.eng, s.gen
		s.mu.Unlock()
	}
	var findings []validate.Finding
	if manifest && settings.validate() && settings.included(snap.doc.name, root) {
		var ok bool
		if findings, ok = s.validateSnapshot(ctx, eng, gen, snap); !ok {
			return
		}
	}
	if engine.IsKustomizationFile(snap.doc.name) && settings.validate() && settings.included(snap.doc.name, root) {
		snap.parse()
		entries := engine.KustomizationFindings(snap.file, filepath.Dir(snap.doc.name))
		if len(entries) == 0 {
			if f := engine.KustomizeFinding(ctx, snap.file); f != nil && ctx.Err() == nil {
				entries = append(entries, *f)
			}
		}
		findings = append(findings, entries...)
	}
	s.mu.Lock()
	if sf := snap.doc.server; sf != nil && sf.snap == snap {
		findings = engine.MergeDryRun(findings, sf.findings)
	}
	s.mu.Unlock()
	diags := toDiagnostics(snap, findings)
	if s.publish(ctx, snap, diags) {
		s.log.Debug("diagnostics", "uri", snap.doc.uri, "version", snap.version, "count", len(diags), "took", time.Since(start))
	}
}

// validateSnapshot returns the findings of every section, validating only the sections
// whose text has no cached findings for engine generation gen. ok is false when ctx was
// cancelled.
func (s *Server) validateSnapshot(ctx context.Context, eng *engine.Engine, gen uint64, snap *snapshot) (_ []validate.Finding, ok bool) {
	docs := snap.file.Docs
	per := make([][]validate.Finding, len(docs))
	var todo []int
	for i, d := range docs {
		if fs, ok := snap.doc.cache.findings(snap.entries[i], gen); ok {
			per[i] = shiftFindings(fs, d.Start)
			continue
		}
		todo = append(todo, i)
	}
	background(len(todo), func(j int) {
		if ctx.Err() != nil {
			return
		}
		i := todo[j]
		d := docs[i]
		s.validations.Add(1)
		r := eng.ValidateDocument(ctx, d)
		if ctx.Err() != nil {
			return // possibly incomplete: neither cached nor published
		}
		per[i] = r.Findings
		snap.doc.cache.setFindings(snap.entries[i], gen, shiftFindings(r.Findings, -d.Start))
	})
	if ctx.Err() != nil {
		return nil, false
	}
	var all []validate.Finding
	for _, fs := range per {
		all = append(all, fs...)
	}
	return all, true
}

func toDiagnostics(snap *snapshot, findings []validate.Finding) []protocol.Diagnostic {
	m := snap.file.Mapper
	diags := make([]protocol.Diagnostic, 0, len(findings))
	for _, f := range findings {
		d := protocol.Diagnostic{
			Range:    toRange(m, f.Range),
			Severity: toSeverity(f.Severity),
			Code:     f.Code,
			Source:   "kubectl-lsp",
			Message:  f.Message,
		}
		for _, r := range f.Related {
			d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: snap.doc.uri, Range: toRange(m, r.Range)},
				Message:  r.Message,
			})
		}
		diags = append(diags, d)
	}
	return diags
}

func toSeverity(s validate.Severity) protocol.DiagnosticSeverity {
	switch s {
	case validate.Error:
		return protocol.DiagnosticSeverityError
	case validate.Warning:
		return protocol.DiagnosticSeverityWarning
	}
	return protocol.DiagnosticSeverityInformation
}

// publish sends a snapshot's diagnostics (and, if asked for, the done notification)
// unless ctx was cancelled. It reports whether it published.
func (s *Server) publish(ctx context.Context, snap *snapshot, diags []protocol.Diagnostic) bool {
	doc := snap.doc
	doc.publishMu.Lock()
	defer doc.publishMu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	s.notify(protocol.MethodTextDocumentPublishDiagnostics, &publishDiagnosticsParams{URI: doc.uri, Version: snap.version, Diagnostics: diags})
	s.mu.Lock()
	done := s.settings.DiagnosticsDoneNotification
	s.mu.Unlock()
	if done {
		s.notify(MethodDiagnosticsDone, &DiagnosticsDoneParams{URI: doc.uri, Version: snap.version, Count: len(diags)})
	}
	return true
}
