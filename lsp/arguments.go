package lsp

import (
	"encoding/json"
	"fmt"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// documentArgs decodes the arguments every command on a document takes: its URI, then
// optionally the resource, by index or by a position inside it (nil: all of them).
// ordinal is the place of the URI among the command's own arguments, for the errors.
func (s *Server) documentArgs(args []json.RawMessage, ordinal int) (protocol.DocumentURI, *int, error) {
	var u protocol.DocumentURI
	if len(args) == 0 {
		return u, nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "the %s argument is the document URI; the next, optional, a resource index or a position", nth(ordinal))
	}
	if err := json.Unmarshal(args[0], &u); err != nil {
		return u, nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "the %s argument is a document URI: %v", nth(ordinal), err)
	}
	if len(args) < 2 || string(args[1]) == "null" {
		return u, nil, nil
	}
	var i int
	if err := json.Unmarshal(args[1], &i); err != nil {
		// A position: the resource it is in.
		var pos protocol.Position
		if perr := json.Unmarshal(args[1], &pos); perr != nil {
			return u, nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "the %s argument is a resource index or a position: %v", nth(ordinal+1), err)
		}
		found, ok := s.indexAt(u, pos)
		if !ok {
			return u, nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "no resource at line %d of %s", pos.Line+1, u)
		}
		i = found
	}
	return u, &i, nil
}

// nth names the place of an argument (1: "first").
func nth(n int) string {
	if n >= 1 && n <= 4 {
		return []string{"first", "second", "third", "fourth"}[n-1]
	}
	return fmt.Sprintf("#%d", n)
}

// indexAt is the index of the --- document holding a position.
func (s *Server) indexAt(u protocol.DocumentURI, pos protocol.Position) (int, bool) {
	snap, _ := s.opened(u)
	if snap == nil {
		return 0, false
	}
	off, err := toOffset(snap.file.Mapper, pos)
	if err != nil {
		return 0, false
	}
	if d := snap.file.DocumentAt(off); d != nil {
		return d.Index, true
	}
	return 0, false
}
