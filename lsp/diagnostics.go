package lsp

import (
	"bytes"
	"context"
	"hash/maphash"
	"regexp"
	"runtime/debug"
	"time"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
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

	manifest := isManifest(snap.text)
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
	s.mu.Lock()
	if sf := snap.doc.server; sf != nil && sf.snap == snap {
		findings = kube.MergeServerFindings(findings, sf.findings)
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

// rebuild builds a new engine from the settings and the CRD manifests open in the editor,
// then re-validates every open file but trigger (whose diagnostics are running).
func (s *Server) rebuild(trigger *document) {
	s.rebuildMu.Lock()
	defer s.rebuildMu.Unlock()
	s.mu.Lock()
	settings, root := s.settings, s.root
	snaps := make([]*snapshot, 0, len(s.docs))
	for _, doc := range s.docs {
		snaps = append(snaps, doc.snap)
	}
	s.mu.Unlock()

	var problems []string
	opts := settings.engineOptions()
	cluster, problem := s.ensureCluster(settings)
	if problem != "" {
		problems = append(problems, problem)
	}
	if cluster != nil {
		opts.Cluster = cluster
	} else if opts.SchemaSource == engine.SourceCluster {
		opts.SchemaSource = engine.SourceBuiltin
	}
	eng, err := engine.New(opts)
	if err != nil {
		problems = append(problems, err.Error()+"; using the newest embedded release")
		opts.KubernetesVersion, opts.SchemaSource = "", ""
		if eng, err = engine.New(opts); err != nil {
			s.log.Error("building the engine", "err", err)
			return
		}
	}
	if len(settings.CRDPaths) > 0 {
		if err := eng.LoadCRDPaths(resolveCRDPaths(settings.CRDPaths, root)); err != nil {
			problems = append(problems, "crdPaths: "+err.Error())
		}
	}
	keys := make(map[*document]uint64, len(snaps))
	for _, snap := range snaps {
		if !isManifest(snap.text) {
			continue
		}
		snap.parse()
		k := crdKey(snap)
		keys[snap.doc] = k
		if k != 0 {
			eng.AddCRDs(snap.file)
		}
	}

	s.mu.Lock()
	s.eng = eng
	s.gen++
	for _, doc := range s.docs {
		doc.crdKey = keys[doc]
		if doc != trigger && s.state == stateInitialized {
			s.schedule(doc, 0)
		}
	}
	msg := ""
	if len(problems) > 0 {
		msg = "kubectl-lsp: " + problems[0]
		for _, p := range problems[1:] {
			msg += "; " + p
		}
	}
	changed := msg != s.lastEngineErr
	s.lastEngineErr = msg
	s.mu.Unlock()
	if msg != "" && changed {
		s.showMessage(protocol.MessageTypeError, msg)
	}
}

// apiVersionKey and kindKey find apiVersion and kind keys at the start of a line.
var (
	apiVersionKey = regexp.MustCompile(`(?:^|[\r\n])(?:\x{FEFF})?[ \t-]*["']?apiVersion["']?[ \t]*:`)
	kindKey       = regexp.MustCompile(`(?:^|[\r\n])(?:\x{FEFF})?[ \t-]*["']?kind["']?[ \t]*:`)
)

// isManifest reports whether a file may hold Kubernetes objects: it has an apiVersion and
// a kind key somewhere. Files without (GitHub workflows, docker-compose files, Ansible)
// get no diagnostics at all, not even YAML syntax errors; the engine itself skips the
// sections that are not objects, templates and kustomizations.
func isManifest(text []byte) bool {
	if !bytes.Contains(text, []byte("apiVersion")) || !bytes.Contains(text, []byte("kind")) {
		return false
	}
	if trimmed := bytes.TrimLeft(text, " \t\r\n\xef\xbb\xbf"); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return true // JSON or flow-style YAML that names both
	}
	return apiVersionKey.Match(text) && kindKey.Match(text)
}

// crdKey identifies the text of a snapshot's sections that may define CRDs (0 if none),
// to notice when the engine's schemas must change. The engine decides what they define.
func crdKey(snap *snapshot) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	n := 0
	for _, d := range snap.file.Docs {
		if text := d.Text(); bytes.Contains(text, []byte("CustomResourceDefinition")) {
			_, _ = h.Write(text)
			_ = h.WriteByte(0)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return h.Sum64() | 1
}
