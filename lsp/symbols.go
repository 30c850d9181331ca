package lsp

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

// symbols returns the engine's symbols of an open document.
func (s *Server) symbols(raw json.RawMessage) (*snapshot, []engine.Symbol, view, error) {
	var p struct {
		TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, nil, view{}, err
	}
	snap, v := s.opened(p.TextDocument.URI)
	if snap == nil || v.features == nil {
		return nil, nil, v, nil
	}
	snap.parse()
	return snap, v.features.Symbols(snap.file), v, nil
}

func (s *Server) documentSymbol(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, syms, v, err := s.symbols(raw)
	if err != nil {
		return nil, err
	}
	if snap == nil {
		return []protocol.DocumentSymbol{}, nil
	}
	m := snap.file.Mapper
	if v.caps.hierarchicalSymbols {
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
