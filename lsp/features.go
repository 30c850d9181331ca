package lsp

import (
	"encoding/json"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

// features answers the editor features: the engine, or in tests a stand-in whose
// answers are known, to check the conversions to the protocol.
type features interface {
	Hover(f *yamlpos.File, offset int) (*engine.HoverResult, bool)
	Complete(f *yamlpos.File, offset int, opts engine.CompleteOptions) []engine.CompletionItem
	Symbols(f *yamlpos.File) []engine.Symbol
	QuickFixes(f *yamlpos.File, r yamlpos.Range) []engine.CodeAction
}

var _ features = (*engine.Engine)(nil)

// view is what a request reads of the server's state, copied at once when it starts:
// the settings, the engine, the cluster and what the client supports. A request works
// on its view; the server may move on meanwhile (a new engine, another cluster).
type view struct {
	settings Settings
	// root is the workspace's folder ("" when none).
	root string
	// eng is nil until the first engine is built.
	eng *engine.Engine
	// features is eng, or a test's stand-in; nil with eng.
	features features
	// cluster is nil when none is in use.
	cluster    *clusterConn
	caps       clientCaps
	actionCaps actionCaps
	// skips are the clusters whose apply and delete are not confirmed.
	skips []SkipConfirmation
}

// view copies the state a request reads.
func (s *Server) view() view {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewLocked()
}

func (s *Server) viewLocked() view {
	v := view{settings: s.settings, root: s.root, eng: s.eng, cluster: s.cluster, caps: s.caps, actionCaps: s.actionCaps, skips: s.userSkips}
	switch {
	case s.features != nil:
		v.features = s.features
	case s.eng != nil:
		v.features = s.eng
	}
	return v
}

// opened is an open document's latest snapshot, with the view of the request asking
// (snap is nil when the document is not open).
func (s *Server) opened(uri protocol.DocumentURI) (*snapshot, view) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap *snapshot
	if doc := s.docs[uri]; doc != nil {
		snap = doc.snap
	}
	return snap, s.viewLocked()
}

// positionRequest decodes a request with a text document and a position, and finds its
// snapshot and byte offset. snap is nil when the document is not open, the position is
// outside it, or there is no engine yet.
func (s *Server) positionRequest(raw json.RawMessage) (snap *snapshot, v view, offset int, err error) {
	var p protocol.TextDocumentPositionParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, v, 0, err
	}
	snap, v = s.opened(p.TextDocument.URI)
	if snap == nil || v.features == nil {
		return nil, v, 0, nil
	}
	offset, perr := toOffset(snap.file.Mapper, p.Position)
	if perr != nil {
		s.log.Debug("position outside the document", "uri", p.TextDocument.URI, "err", perr)
		return nil, v, 0, nil
	}
	snap.parseAt(offset)
	return snap, v, offset, nil
}
