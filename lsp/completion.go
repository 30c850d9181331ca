package lsp

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

func (s *Server) completion(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, v, offset, err := s.positionRequest(raw)
	if err != nil {
		return nil, err
	}
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if snap == nil {
		return list, nil
	}
	// Multi-line items are sent with their full indentation and insertTextMode asIs, or,
	// to a client that cannot be told asIs, indented relative to the line they start on.
	items := v.features.Complete(snap.file, offset, engine.CompleteOptions{Snippets: v.caps.snippets, RelativeIndent: !v.caps.insertAsIs})
	m := snap.file.Mapper
	for _, it := range items {
		if it.Snippet && !v.caps.snippets {
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
		if v.caps.insertAsIs && strings.Contains(text, "\n") {
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
