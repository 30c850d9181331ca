package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

// clusterCodeActions are the cluster actions offered for the resource at offset.
func (s *Server) clusterCodeActions(snap *snapshot, v view, offset int) []protocol.CodeAction {
	o, ok := engine.ObjectAt(snap.file, offset)
	if !ok {
		return nil
	}
	conn := v.cluster
	if conn == nil {
		return s.pluginCodeActions(snap, v, o.Doc)
	}
	name, ctxName := o.Ref(), conn.Context()
	action := func(title, command string) protocol.CodeAction {
		return protocol.CodeAction{Title: title, Kind: protocol.Source,
			Command: &protocol.Command{Title: title, Command: command, Arguments: []any{snap.doc.uri, o.Doc.Index}}}
	}
	var live []protocol.CodeAction
	if t, ok := engine.TargetAt(snap.file, offset); ok && t.Reference && engine.CanGet(t) {
		pos := toRange(snap.file.Mapper, yamlpos.Range{Start: offset, End: offset}).Start
		title := fmt.Sprintf("Show %s from %s (read-only)", conn.LiveKey(t), ctxName)
		live = append(live, protocol.CodeAction{Title: title, Kind: protocol.Source,
			Command: &protocol.Command{Title: title, Command: CommandShowLive, Arguments: []any{snap.doc.uri, pos}}})
	}
	return append(append(live,
		action(fmt.Sprintf("Apply %s to %s", name, ctxName), CommandApply),
		action(fmt.Sprintf("Diff %s against %s", name, ctxName), CommandDiff),
		action(fmt.Sprintf("Dry-run %s on %s", name, ctxName), CommandDryRun),
		action(fmt.Sprintf("Delete %s from %s", name, ctxName), CommandDelete),
	), s.pluginCodeActions(snap, v, o.Doc)...)
}

// actionCaps are the client capabilities that shape code actions.
type actionCaps struct {
	// literals: the client takes CodeAction literals (codeActionLiteralSupport), so the
	// server may list the kinds it offers.
	literals bool
	// documentChanges: the client applies versioned edits (documentChanges, or resource
	// operations, which imply them); else edits go in changes.
	documentChanges bool
}

// parseActionCaps reads the code action capabilities from initialize's params.
func parseActionCaps(raw json.RawMessage) actionCaps {
	var p struct {
		Capabilities struct {
			TextDocument struct {
				CodeAction *struct {
					CodeActionLiteralSupport json.RawMessage `json:"codeActionLiteralSupport,omitempty"`
				} `json:"codeAction,omitempty"`
			} `json:"textDocument"`
			Workspace struct {
				WorkspaceEdit *struct {
					DocumentChanges    bool     `json:"documentChanges,omitempty"`
					ResourceOperations []string `json:"resourceOperations,omitempty"`
				} `json:"workspaceEdit,omitempty"`
			} `json:"workspace"`
		} `json:"capabilities"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		return actionCaps{}
	}
	var c actionCaps
	if ca := p.Capabilities.TextDocument.CodeAction; ca != nil {
		c.literals = len(ca.CodeActionLiteralSupport) > 0 && string(ca.CodeActionLiteralSupport) != "null"
	}
	if we := p.Capabilities.Workspace.WorkspaceEdit; we != nil {
		c.documentChanges = we.DocumentChanges || len(we.ResourceOperations) > 0
	}
	return c
}

// wantsQuickFix reports whether a code action request's "only" filter admits quick fixes.
func wantsQuickFix(only []protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == protocol.QuickFix || k == "" {
			return true
		}
	}
	return false
}

// wantsSource reports whether a code action request's "only" filter admits source actions.
func wantsSource(only []protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == protocol.Source || strings.HasPrefix(string(k), string(protocol.Source)+".") {
			return true
		}
	}
	return false
}

// codeAction answers textDocument/codeAction with the engine's quick fixes for the
// findings in the range. Each action names the diagnostic it fixes (the client's own,
// when it sent one with the same range and code) and carries its edit for the document
// version the fixes were computed on.
func (s *Server) codeAction(ctx context.Context, raw json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	snap, v := s.opened(p.TextDocument.URI)
	out := []protocol.CodeAction{}
	if snap == nil || !engine.IsManifest(snap.text) {
		return out, nil
	}
	if wantsQuickFix(p.Context.Only) {
		out = append(out, s.quickFixActions(&p, snap, v)...)
	}
	if wantsSource(p.Context.Only) {
		if r, err := toByteRangeClamped(snap.file.Mapper, p.Range); err == nil {
			snap.parse()
			out = append(out, s.clusterCodeActions(snap, v, r.Start)...)
		}
	}
	return out, nil
}

// quickFixActions are the engine's quick fixes for a code action request.
func (s *Server) quickFixActions(p *protocol.CodeActionParams, snap *snapshot, v view) []protocol.CodeAction {
	var out []protocol.CodeAction
	if v.features == nil || !v.settings.validate() || !v.settings.included(snap.doc.name, v.root) {
		return out
	}
	m := snap.file.Mapper
	r, err := toByteRangeClamped(m, p.Range)
	if err != nil {
		s.log.Debug("code action range outside the document", "uri", p.TextDocument.URI, "err", err)
		return out
	}
	snap.parse()
	actions := v.features.QuickFixes(snap.file, r)
	for _, a := range actions {
		edits := make([]protocol.TextEdit, len(a.Edits))
		for i, e := range a.Edits {
			edits[i] = protocol.TextEdit{Range: toRange(m, e.Range), NewText: e.NewText}
		}
		edit := &protocol.WorkspaceEdit{}
		if v.actionCaps.documentChanges {
			version := snap.version
			edit.DocumentChanges = []protocol.TextDocumentEdit{{
				TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
					TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: snap.doc.uri},
					Version:                &version,
				},
				Edits: edits,
			}}
		} else {
			edit.Changes = map[protocol.DocumentURI][]protocol.TextEdit{snap.doc.uri: edits}
		}
		action := protocol.CodeAction{Title: a.Title, Kind: protocol.QuickFix, IsPreferred: a.Preferred, Edit: edit}
		if a.Diagnostic != nil {
			action.Diagnostics = []protocol.Diagnostic{matchDiagnostic(p.Context.Diagnostics, snap, *a.Diagnostic)}
		}
		out = append(out, action)
	}
	return out
}

// matchDiagnostic is the client's diagnostic for a finding (same range and code), or the
// finding as the server publishes it.
func matchDiagnostic(sent []protocol.Diagnostic, snap *snapshot, f validate.Finding) protocol.Diagnostic {
	d := toDiagnostics(snap, []validate.Finding{f})[0]
	for _, c := range sent {
		if c.Range == d.Range && c.Code != nil && fmt.Sprint(c.Code) == f.Code {
			return c
		}
	}
	return d
}
