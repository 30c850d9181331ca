package lsp

import (
	"encoding/json"
	"fmt"
	"time"

	"go.lsp.dev/protocol"
)

// didSave refreshes the cluster's schemas (a CRD may just have been applied), at most
// every few seconds.
func (s *Server) didSave(raw json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	s.mu.Lock()
	conn := s.cluster
	doc := s.docs[p.TextDocument.URI]
	settings := s.settings
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	conn.mu.Lock()
	kick := time.Since(conn.lastKick) > 2*time.Second
	if kick {
		conn.lastKick = time.Now()
	}
	conn.mu.Unlock()
	if kick {
		conn.Kick()
	}
	if doc != nil && settings.DryRun == DryRunOnSave {
		s.goDryRun(doc)
	}
	if doc != nil {
		s.goRefreshDrift(doc)
	}
	return nil
}

func (s *Server) didOpen(raw json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	uri := p.TextDocument.URI
	doc := &document{uri: uri, name: uriFilename(uri)}
	doc.snap = newSnapshot(doc, p.TextDocument.Version, []byte(p.TextDocument.Text))
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.docs[uri]; old != nil {
		s.log.Warn("didOpen of an open document; replacing it", "uri", uri)
		if old.cancel != nil {
			old.cancel()
		}
		doc.crdKey = old.crdKey
	}
	s.docs[uri] = doc
	s.schedule(doc, 0)
	return nil
}

func (s *Server) didChange(raw json.RawMessage) error {
	var p didChangeParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	uri := p.TextDocument.URI
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := s.docs[uri]
	if doc == nil {
		return fmt.Errorf("didChange of %s, which is not open", uri)
	}
	text, err := applyChanges(doc.snap.text, p.ContentChanges)
	if err != nil {
		return fmt.Errorf("didChange of %s version %d: %w; the document is out of sync until it is reopened", uri, p.TextDocument.Version, err)
	}
	doc.snap = newSnapshot(doc, p.TextDocument.Version, text)
	s.schedule(doc, s.settings.debounce())
	return nil
}

func (s *Server) didClose(raw json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	uri := p.TextDocument.URI
	s.mu.Lock()
	doc := s.docs[uri]
	delete(s.docs, uri)
	if doc != nil && doc.cancel != nil {
		doc.cancel()
	}
	s.mu.Unlock()
	if doc == nil {
		return fmt.Errorf("didClose of %s, which is not open", uri)
	}
	// Clear what was published; a closed file's problems are no longer shown.
	doc.publishMu.Lock()
	s.notify(protocol.MethodTextDocumentPublishDiagnostics, &publishDiagnosticsParams{URI: uri, Version: doc.snap.version, Diagnostics: []protocol.Diagnostic{}})
	doc.publishMu.Unlock()
	if doc.crdKey != 0 {
		s.goRebuild()
	}
	// The file on disk counts again for navigation (or nothing, for an unsaved buffer).
	s.goBackground(func() { s.reindex(doc.name) })
	return nil
}
