package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

func (s *Server) hover(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, v, offset, err := s.positionRequest(raw)
	if err != nil || snap == nil {
		return nil, err
	}
	res, found := v.features.Hover(snap.file, offset)
	if !found || res == nil || res.Markdown == "" {
		return nil, nil
	}
	kind := protocol.Markdown
	if !v.caps.markdownHover {
		kind = protocol.PlainText
	}
	out := &protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: res.Markdown + s.referenceNote(snap, v, offset)}}
	if res.Range.End > res.Range.Start {
		r := toRange(snap.file.Mapper, res.Range)
		out.Range = &r
	}
	return out, nil
}
