package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
)

// Navigation between the resources of a workspace: textDocument/definition, references
// and rename, answered by the engine's index of every manifest in the workspace folder.
// Files on disk are indexed when the server starts and kept current with
// workspace/didChangeWatchedFiles; open documents count as the editor has them.

// indexWorkspace indexes the manifests under the workspace folder (in the background,
// once, after initialize).
func (s *Server) indexWorkspace() {
	v := s.view()
	if v.root == "" {
		return
	}
	n := s.index.LoadTree(s.baseCtx, v.root, func(path string) bool { return v.settings.included(path, v.root) })
	s.log.Info("workspace indexed", "root", v.root, "files", n, "documents", s.index.Documents())
	if len(s.index.CRDFiles()) > 0 {
		s.rebuild(nil) // their kinds are known now
	}
}

// syncIndex gives the index the open documents as the editor has them.
func (s *Server) syncIndex() {
	s.mu.Lock()
	snaps := make([]*snapshot, 0, len(s.docs))
	for _, doc := range s.docs {
		snaps = append(snaps, doc.snap)
	}
	s.mu.Unlock()
	for _, snap := range snaps {
		if engine.IsManifest(snap.text) {
			snap.parse()
			s.index.Set(snap.file)
		}
	}
}

// didChangeWatchedFiles keeps the index current with the files on disk.
func (s *Server) didChangeWatchedFiles(raw json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	// Reading files is not for the connection's read loop.
	s.goBackground(func() {
		for _, c := range p.Changes {
			if path := uriFilename(c.URI); c.Type == protocol.FileChangeTypeDeleted {
				s.index.Remove(path)
			} else {
				s.reindex(path)
			}
		}
	})
	return nil
}

// reindex reads a file on disk into the index again, or forgets it when it is gone or
// the settings leave it out.
func (s *Server) reindex(path string) {
	v := s.view()
	before := s.index.DefinesCRDs(path)
	if filepath.IsAbs(path) && v.settings.included(path, v.root) {
		s.index.Load(path)
	} else {
		s.index.Remove(path)
	}
	if before || s.index.DefinesCRDs(path) || underAny(path, resolveCRDPaths(v.settings.CRDPaths, v.root)) {
		s.goRebuild() // the kinds CRDs define may have changed
	}
}

// underAny reports whether path is one of dirs or inside one.
func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, path); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return true
		}
	}
	return false
}

// watchFiles asks the client to report changes to manifests, when it can register
// watchers dynamically.
func (s *Server) watchFiles() {
	if !s.view().caps.watchFiles {
		return
	}
	ctx, cancel := context.WithTimeout(s.baseCtx, closeWait*5)
	defer cancel()
	params := map[string]any{"registrations": []any{map[string]any{
		"id": "kubectl-lsp-manifests", "method": protocol.MethodWorkspaceDidChangeWatchedFiles,
		"registerOptions": map[string]any{"watchers": []any{map[string]any{"globPattern": "**/*.{yaml,yml,json}"}}},
	}}}
	if _, err := s.conn.Call(ctx, protocol.MethodClientRegisterCapability, params, nil); err != nil {
		s.log.Debug("registering file watchers", "err", err)
	}
}

// locationURI is a file's URI: the open document's, else the file's path.
func (s *Server) locationURI(name string) protocol.DocumentURI {
	s.mu.Lock()
	defer s.mu.Unlock()
	for u, doc := range s.docs {
		if doc.name == name {
			return u
		}
	}
	return protocol.DocumentURI(uri.File(name))
}

func (s *Server) toLocations(locs []engine.Location) []protocol.Location {
	out := make([]protocol.Location, 0, len(locs))
	for _, l := range locs {
		out = append(out, protocol.Location{URI: s.locationURI(l.File.Name), Range: toRange(l.File.Mapper, l.Range)})
	}
	return out
}

// definition answers textDocument/definition: the object a reference names.
func (s *Server) definition(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, _, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	s.syncIndex()
	_, locs, _ := s.index.Definition(snap.file, offset)
	return s.toLocations(locs), nil
}

// references answers textDocument/references: what refers to the object named under the
// cursor.
func (s *Server) references(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.ReferenceParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	snap, _, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	s.syncIndex()
	_, locs, _ := s.index.References(snap.file, offset, p.Context.IncludeDeclaration)
	return s.toLocations(locs), nil
}

// prepareRename answers textDocument/prepareRename: the range of the object name or
// reference under the cursor and the name, which the editor offers to edit; null where
// there is nothing to rename.
func (s *Server) prepareRename(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, _, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	t, ok := engine.TargetAt(snap.file, offset)
	if !ok {
		return nil, nil
	}
	return map[string]any{"range": toRange(snap.file.Mapper, t.Range), "placeholder": t.Key.Name}, nil
}

// rename answers textDocument/rename: the object and every reference to it, in one
// workspace edit.
func (s *Server) rename(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.RenameParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	snap, v, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	s.syncIndex()
	edits, err := s.index.Rename(snap.file, offset, p.NewName)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	byURI := map[protocol.DocumentURI][]protocol.TextEdit{}
	var order []protocol.DocumentURI
	for _, e := range edits {
		u := s.locationURI(e.File.Name)
		if _, seen := byURI[u]; !seen {
			order = append(order, u)
		}
		byURI[u] = append(byURI[u], protocol.TextEdit{Range: toRange(e.File.Mapper, e.Range), NewText: e.NewText})
	}
	if !v.actionCaps.documentChanges {
		return &protocol.WorkspaceEdit{Changes: byURI}, nil
	}
	out := &protocol.WorkspaceEdit{}
	for _, u := range order {
		id := protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}}
		if open, _ := s.opened(u); open != nil {
			version := open.version
			id.Version = &version
		}
		out.DocumentChanges = append(out.DocumentChanges, protocol.TextDocumentEdit{TextDocument: id, Edits: byURI[u]})
	}
	return out, nil
}

// referenceNote says, for a hover on a reference, where the object it names is defined
// in the workspace, or that it is not there.
func (s *Server) referenceNote(snap *snapshot, v view, offset int) string {
	t, ok := engine.TargetAt(snap.file, offset)
	if !ok || !t.Reference {
		return ""
	}
	defs := s.index.Definitions(t.Key)
	if len(defs) == 0 {
		return "\n\n---\n\n" + t.Key.String() + ": not in the workspace" + s.liveNote(v.cluster, t)
	}
	var b strings.Builder
	b.WriteString("\n\n---\n\n" + t.Key.String() + ": defined in")
	for _, l := range defs {
		line, _ := l.File.Mapper.OffsetLineChar(l.Range.Start)
		fmt.Fprintf(&b, " `%s:%d`", s.displayName(l.File.Name), line)
	}
	return b.String() + s.liveNote(v.cluster, t)
}

// displayName is a file's name relative to the workspace folder when it is inside.
func (s *Server) displayName(name string) string {
	if root := s.view().root; root != "" {
		if rel, err := filepath.Rel(root, name); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return name
}

// documentLink answers textDocument/documentLink: each reference whose object is in the
// workspace links to its definition; else, with a cluster, to the live object once a
// lookup found it.
func (s *Server) documentLink(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.DocumentLinkParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	out := []protocol.DocumentLink{}
	snap, v := s.opened(p.TextDocument.URI)
	if snap == nil || !engine.IsManifest(snap.text) {
		return out, nil
	}
	snap.parse()
	for _, r := range engine.ReferencesIn(snap.file) {
		rng := toRange(snap.file.Mapper, r.Range)
		defs := s.index.Definitions(r.Target)
		if len(defs) == 0 {
			if link, ok := s.liveLink(v.cluster, r, rng); ok {
				out = append(out, link)
			}
			continue
		}
		l := defs[0]
		line, _ := l.File.Mapper.OffsetLineChar(l.Range.Start)
		target := protocol.DocumentURI(fmt.Sprintf("%s#L%d", s.locationURI(l.File.Name), line))
		out = append(out, protocol.DocumentLink{Range: rng, Target: target,
			Tooltip: fmt.Sprintf("%s: %s:%d", r.Target, s.displayName(l.File.Name), line)})
	}
	return out, nil
}

// liveLink links a reference to the live object it names, when a lookup found it (and
// starts one when none did yet).
func (s *Server) liveLink(conn *clusterConn, r engine.Reference, rng protocol.Range) (protocol.DocumentLink, bool) {
	t := r.AsTarget()
	if conn == nil || !engine.CanGet(t) {
		return protocol.DocumentLink{}, false
	}
	e := s.livePeek(conn, conn.LiveKey(t))
	if e.state != liveFound {
		return protocol.DocumentLink{}, false
	}
	return protocol.DocumentLink{Range: rng, Target: protocol.DocumentURI(uri.File(e.file)),
		Tooltip: fmt.Sprintf("%s in context %s (live, read-only)", e.key, conn.Context())}, true
}
