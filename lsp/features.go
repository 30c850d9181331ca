package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// The editor features the engine offers, each asserted separately so that the server
// advertises (and answers) exactly those the engine implements.
type (
	hoverer interface {
		Hover(f *yamlpos.File, offset int) (*engine.HoverResult, bool)
	}
	completer interface {
		Complete(f *yamlpos.File, offset int, opts engine.CompleteOptions) []engine.CompletionItem
	}
	symbolizer interface {
		Symbols(f *yamlpos.File) []engine.Symbol
	}
	quickFixer interface {
		QuickFixes(f *yamlpos.File, r yamlpos.Range) []engine.CodeAction
	}
)

// featureSource is what answers hover, completion and symbols: the engine, or a test's
// stand-in.
func (s *Server) featureSource(eng *engine.Engine) any {
	if s.features != nil {
		return s.features
	}
	return eng
}

// target is a request's open snapshot and the engine to ask.
func (s *Server) target(uri protocol.DocumentURI) (*snapshot, any, clientCaps) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := s.docs[uri]
	if doc == nil {
		return nil, nil, s.caps
	}
	return doc.snap, s.featureSource(s.eng), s.caps
}

// positionRequest decodes a request with a text document and a position, and finds its
// snapshot and byte offset. snap is nil when the document is not open or the position
// is outside it.
func (s *Server) positionRequest(raw json.RawMessage) (snap *snapshot, src any, caps clientCaps, offset int, err error) {
	var p protocol.TextDocumentPositionParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, nil, caps, 0, err
	}
	snap, src, caps = s.target(p.TextDocument.URI)
	if snap == nil {
		return nil, nil, caps, 0, nil
	}
	offset, perr := toOffset(snap.file.Mapper, p.Position)
	if perr != nil {
		s.log.Debug("position outside the document", "uri", p.TextDocument.URI, "err", perr)
		return nil, nil, caps, 0, nil
	}
	snap.parseAt(offset)
	return snap, src, caps, offset, nil
}

func (s *Server) hover(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, src, caps, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	h, ok := src.(hoverer)
	if !ok {
		return nil, nil
	}
	res, found := h.Hover(snap.file, offset)
	if !found || res == nil || res.Markdown == "" {
		return nil, nil
	}
	kind := protocol.Markdown
	if !caps.markdownHover {
		kind = protocol.PlainText
	}
	out := &protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: res.Markdown}}
	if res.Range.End > res.Range.Start {
		r := toRange(snap.file.Mapper, res.Range)
		out.Range = &r
	}
	return out, nil
}

func (s *Server) completion(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, src, caps, offset, err := s.positionRequest(raw)
	if err != nil {
		return nil, err
	}
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if snap == nil {
		return list, nil
	}
	c, ok := src.(completer)
	if !ok {
		return list, nil
	}
	// Multi-line items are sent with their full indentation and insertTextMode asIs, or,
	// to a client that cannot be told asIs, indented relative to the line they start on.
	items := c.Complete(snap.file, offset, engine.CompleteOptions{Snippets: caps.snippets, RelativeIndent: !caps.insertAsIs})
	m := snap.file.Mapper
	for _, it := range items {
		if it.Snippet && !caps.snippets {
			continue
		}
		replace := it.Replace
		if replace == (yamlpos.Range{}) {
			replace = yamlpos.Range{Start: offset, End: offset} // not set: insert at the cursor
		}
		text := it.InsertText
		if text == "" {
			text = it.Label
		}
		item := protocol.CompletionItem{
			Label:            it.Label,
			Kind:             toCompletionKind(it.Kind),
			Detail:           it.Detail,
			SortText:         it.SortText,
			FilterText:       it.Label,
			InsertTextFormat: protocol.InsertTextFormatPlainText,
			TextEdit:         &protocol.TextEdit{Range: toRange(m, replace), NewText: text},
		}
		if it.Snippet {
			item.InsertTextFormat = protocol.InsertTextFormatSnippet
		}
		if caps.insertAsIs && strings.Contains(text, "\n") {
			item.InsertTextMode = protocol.InsertTextModeAsIs
		}
		if it.Documentation != "" {
			item.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: it.Documentation}
		}
		if it.Deprecated {
			item.Deprecated = true
			item.Tags = []protocol.CompletionItemTag{protocol.CompletionItemTagDeprecated}
		}
		list.Items = append(list.Items, item)
	}
	return list, nil
}

func toCompletionKind(k engine.CompletionKind) protocol.CompletionItemKind {
	switch k {
	case engine.CompleteField:
		return protocol.CompletionItemKindField
	case engine.CompleteValue:
		return protocol.CompletionItemKindValue
	case engine.CompleteSnippet:
		return protocol.CompletionItemKindSnippet
	}
	return protocol.CompletionItemKindText
}

// symbols returns the engine's symbols of an open document.
func (s *Server) symbols(raw json.RawMessage) (*snapshot, []engine.Symbol, clientCaps, error) {
	var p struct {
		TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, nil, clientCaps{}, err
	}
	snap, src, caps := s.target(p.TextDocument.URI)
	if snap == nil {
		return nil, nil, caps, nil
	}
	sym, ok := src.(symbolizer)
	if !ok {
		return snap, nil, caps, nil
	}
	snap.parse()
	return snap, sym.Symbols(snap.file), caps, nil
}

func (s *Server) documentSymbol(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, syms, caps, err := s.symbols(raw)
	if err != nil {
		return nil, err
	}
	if snap == nil {
		return []protocol.DocumentSymbol{}, nil
	}
	m := snap.file.Mapper
	if caps.hierarchicalSymbols {
		return toDocumentSymbols(m, syms), nil
	}
	out := []protocol.SymbolInformation{}
	var flatten func(syms []engine.Symbol, container string)
	flatten = func(syms []engine.Symbol, container string) {
		for _, sym := range syms {
			out = append(out, protocol.SymbolInformation{
				Name:          symbolName(sym.Name),
				Kind:          toSymbolKind(sym.Kind),
				Location:      protocol.Location{URI: snap.doc.uri, Range: toRange(m, sym.Range)},
				ContainerName: container,
			})
			flatten(sym.Children, sym.Name)
		}
	}
	flatten(syms, "")
	return out, nil
}

func toDocumentSymbols(m *yamlpos.Mapper, syms []engine.Symbol) []protocol.DocumentSymbol {
	out := make([]protocol.DocumentSymbol, 0, len(syms))
	for _, sym := range syms {
		sel := sym.Selection
		if sel.Start < sym.Range.Start || sel.End > sym.Range.End {
			sel = sym.Range // LSP requires the selection inside the range
		}
		ds := protocol.DocumentSymbol{
			Name:           symbolName(sym.Name),
			Detail:         sym.Detail,
			Kind:           toSymbolKind(sym.Kind),
			Range:          toRange(m, sym.Range),
			SelectionRange: toRange(m, sel),
		}
		if len(sym.Children) > 0 {
			ds.Children = toDocumentSymbols(m, sym.Children)
		}
		out = append(out, ds)
	}
	return out
}

// symbolName keeps names non-empty, which LSP requires (VS Code rejects empty ones).
func symbolName(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

func toSymbolKind(k engine.SymbolKind) protocol.SymbolKind {
	switch k {
	case engine.SymbolResource:
		return protocol.SymbolKindClass
	case engine.SymbolObject:
		return protocol.SymbolKindObject
	case engine.SymbolArray:
		return protocol.SymbolKindArray
	case engine.SymbolField:
		return protocol.SymbolKindField
	}
	return protocol.SymbolKindProperty
}

// foldingRange folds every symbol spanning more than one line: each document (resource)
// and each nested block.
func (s *Server) foldingRange(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, syms, _, err := s.symbols(raw)
	if err != nil {
		return nil, err
	}
	out := []protocol.FoldingRange{}
	if snap == nil {
		return out, nil
	}
	m := snap.file.Mapper
	ends := map[uint32]uint32{} // start line → furthest end line
	var walk func([]engine.Symbol)
	walk = func(syms []engine.Symbol) {
		for _, sym := range syms {
			start, end := m.RangePositions(sym.Range)
			endLine := end.Line
			if end.Col == 0 && endLine > start.Line {
				endLine-- // the range ends with a line break
			}
			if endLine > start.Line && uint32(endLine) > ends[uint32(start.Line)] {
				ends[uint32(start.Line)] = uint32(endLine)
			}
			walk(sym.Children)
		}
	}
	walk(syms)
	for start, end := range ends {
		out = append(out, protocol.FoldingRange{StartLine: start, EndLine: end})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartLine < out[j].StartLine })
	return out, nil
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
	out := s.quickFixActions(&p)
	if snap, _, _ := s.target(p.TextDocument.URI); snap != nil && wantsSource(p.Context.Only) && isManifest(snap.text) {
		if r, err := toByteRangeClamped(snap.file.Mapper, p.Range); err == nil {
			snap.parse()
			out = append(out, s.clusterCodeActions(snap, r.Start)...)
		}
	}
	return out, nil
}

// quickFixActions are the engine's quick fixes for a code action request.
func (s *Server) quickFixActions(p *protocol.CodeActionParams) []protocol.CodeAction {
	out := []protocol.CodeAction{}
	if !wantsQuickFix(p.Context.Only) {
		return out
	}
	snap, src, _ := s.target(p.TextDocument.URI)
	s.mu.Lock()
	settings, root, caps := s.settings, s.root, s.actionCaps
	s.mu.Unlock()
	if snap == nil || !settings.validate() || !settings.included(snap.doc.name, root) || !isManifest(snap.text) {
		return out
	}
	qf, ok := src.(quickFixer)
	if !ok {
		return out
	}
	m := snap.file.Mapper
	r, err := toByteRangeClamped(m, p.Range)
	if err != nil {
		s.log.Debug("code action range outside the document", "uri", p.TextDocument.URI, "err", err)
		return out
	}
	snap.parse()
	actions := qf.QuickFixes(snap.file, r)
	for _, a := range actions {
		edits := make([]protocol.TextEdit, len(a.Edits))
		for i, e := range a.Edits {
			edits[i] = protocol.TextEdit{Range: toRange(m, e.Range), NewText: e.NewText}
		}
		edit := &protocol.WorkspaceEdit{}
		if caps.documentChanges {
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

// CommandShowResource is the command of the resource code lenses. The server does not
// execute it (it is not among the commands its executeCommandProvider lists): the lens
// is a label, and clients or editor extensions may bind the command. Its arguments are
// the document URI and the index of the resource's --- document in the file (from 0).
const CommandShowResource = "kubectl-lsp.showResource"

// codeLens answers textDocument/codeLens with one lens per Kubernetes resource of the
// engine's outline (a resource symbol naming an apiVersion and a kind), on the
// resource's first line, titled Kind/name.
func (s *Server) codeLens(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, syms, _, err := s.symbols(raw)
	out := []protocol.CodeLens{}
	if err != nil || snap == nil || !isManifest(snap.text) {
		return out, err
	}
	m := snap.file.Mapper
	docs := snap.file.Docs
	for _, sym := range syms {
		if sym.Kind != engine.SymbolResource || sym.Detail == "" || strings.HasPrefix(sym.Name, "document ") {
			continue // not a resource: no apiVersion or no kind
		}
		index := sort.Search(len(docs), func(i int) bool { return docs[i].End >= sym.Range.Start })
		if index == len(docs) {
			continue
		}
		line := m.OffsetLine(sym.Range.Start)
		r := toRange(m, yamlpos.Range{Start: m.LineStart(line), End: m.LineEnd(line)})
		s.mu.Lock()
		connected := s.cluster != nil
		s.mu.Unlock()
		if connected && docs[index].Root != nil {
			out = append(out, s.clusterLenses(r, snap.doc.uri, docs[index], symbolName(sym.Name))...)
			continue
		}
		out = append(out, protocol.CodeLens{Range: r, Command: &protocol.Command{
			Title:     symbolName(sym.Name),
			Command:   CommandShowResource,
			Arguments: []any{snap.doc.uri, docs[index].Index},
		}})
	}
	return out, nil
}
