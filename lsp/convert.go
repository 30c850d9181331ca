package lsp

import (
	"net/url"
	"path/filepath"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

// Conversions between LSP positions and byte offsets. All arithmetic is yamlpos.Mapper's.

// toOffset converts an LSP position to a byte offset in m's text.
func toOffset(m *yamlpos.Mapper, p protocol.Position) (int, error) {
	return m.PositionOffset(yamlpos.Position{Line: int(p.Line), Col: int(p.Character)})
}

// toRange converts a byte range to an LSP range.
func toRange(m *yamlpos.Mapper, r yamlpos.Range) protocol.Range {
	start, end := m.RangePositions(r)
	return protocol.Range{
		Start: protocol.Position{Line: uint32(start.Line), Character: uint32(start.Col)},
		End:   protocol.Position{Line: uint32(end.Line), Character: uint32(end.Col)},
	}
}

// toByteRange converts an LSP range to a byte range.
func toByteRange(m *yamlpos.Mapper, r protocol.Range) (yamlpos.Range, error) {
	start, err := toOffset(m, r.Start)
	if err != nil {
		return yamlpos.Range{}, err
	}
	end, err := toOffset(m, r.End)
	if err != nil {
		return yamlpos.Range{}, err
	}
	if end < start {
		start, end = end, start
	}
	return yamlpos.Range{Start: start, End: end}, nil
}

// uriFilename is the file name the engine sees for a document: the path of a file: URI,
// else the URI itself.
func uriFilename(uri protocol.DocumentURI) string {
	u, err := url.Parse(string(uri))
	if err != nil || u.Scheme != "file" {
		return string(uri)
	}
	return filepath.FromSlash(u.Path)
}

// toByteRangeClamped is toByteRange with positions past the end of the text taken as its
// end (clients ask for the code actions of a whole document that way).
func toByteRangeClamped(m *yamlpos.Mapper, r protocol.Range) (yamlpos.Range, error) {
	clamp := func(p protocol.Position) (int, error) {
		if int(p.Line) >= m.LineCount() {
			return len(m.Src()), nil
		}
		return toOffset(m, p)
	}
	start, err := clamp(r.Start)
	if err != nil {
		return yamlpos.Range{}, err
	}
	end, err := clamp(r.End)
	if err != nil {
		return yamlpos.Range{}, err
	}
	if end < start {
		start, end = end, start
	}
	return yamlpos.Range{Start: start, End: end}, nil
}
