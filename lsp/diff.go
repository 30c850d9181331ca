package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// MethodDiff is a request returning the live and merged texts of the objects of a
// document (or one of them), for editors that open a side-by-side view.
const MethodDiff = "kubectl-lsp/diff"

// DiffParams are MethodDiff's params.
type DiffParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	// Index selects one resource (its --- document, from 0), or Position the resource it
	// is in; neither: the whole file.
	Index    *int               `json:"index,omitempty"`
	Position *protocol.Position `json:"position,omitempty"`
}

// DiffEntry is one object's diff.
type DiffEntry struct {
	// Name is kubectl diff's name, e.g. apps.v1.Deployment.default.web.
	Name   string `json:"name"`
	Object string `json:"object"` // deployment.apps/web
	// Live is the object in the cluster as YAML ("" when it does not exist); Merged what
	// applying the document would make of it. managedFields are left out, Secret values
	// masked.
	Live    string `json:"live"`
	Merged  string `json:"merged"`
	Unified string `json:"unified"`
	Changed bool   `json:"changed"`
}

// DiffResult is MethodDiff's result (and the diff command's).
type DiffResult struct {
	Context string      `json:"context"`
	Diffs   []DiffEntry `json:"diffs"`
	// Document is the read-only file the unified diff was written to, when it changed.
	Document protocol.DocumentURI `json:"document,omitempty"`
}

// diff computes the diffs of a target.
func (s *Server) diffTarget(ctx context.Context, t *actionTarget) (*DiffResult, error) {
	c := t.conn
	res := &DiffResult{Context: c.Context(), Diffs: []DiffEntry{}}
	var errs []string
	for _, o := range t.objs {
		d, err := c.Diff(ctx, o, t.source)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %s", o.Ref(), c.Explain(err)))
			continue
		}
		res.Diffs = append(res.Diffs, DiffEntry{Name: d.Name, Object: d.Ref.String(), Live: d.Live, Merged: d.Merged,
			Unified: engine.Unified(d), Changed: d.Changed()})
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return res, nil
}

// executeDiff shows what applying would change: a read-only unified diff document.
func (s *Server) executeDiff(ctx context.Context, _ string, args []json.RawMessage) (any, error) {
	t, err := s.resolveTarget(args)
	if err != nil {
		return nil, err
	}
	s.progress.busy("diff against " + t.conn.Context())
	res, err := s.diffTarget(ctx, t)
	s.progress.idle()
	if err != nil {
		// An error, not a result without differences: the editor shows it.
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "diff against context %q failed: %v", t.conn.Context(), err)
	}
	var text strings.Builder
	for _, d := range res.Diffs {
		text.WriteString(d.Unified)
	}
	if text.Len() == 0 {
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp: no differences: %s matches context %q", t.source, t.conn.Context()))
		return res, nil
	}
	path, err := s.output.write(filepath.Base(t.source)+".diff", text.String())
	if err != nil {
		return nil, err
	}
	res.Document = protocol.DocumentURI(uri.File(path))
	s.showDocument(ctx, res.Document)
	return res, nil
}

// diffRequest answers MethodDiff.
func (s *Server) diffRequest(ctx context.Context, raw json.RawMessage) (any, error) {
	var p DiffParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	index := p.Index
	if index == nil && p.Position != nil {
		i, ok := s.indexAt(p.TextDocument.URI, *p.Position)
		if !ok {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "no resource at line %d of %s", p.Position.Line+1, p.TextDocument.URI)
		}
		index = &i
	}
	t, err := s.target2(p.TextDocument.URI, index)
	if err != nil {
		return nil, err
	}
	res, err := s.diffTarget(ctx, t)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	return res, nil
}

// showDocument asks the client to open a document, when it can.
func (s *Server) showDocument(ctx context.Context, u protocol.DocumentURI) {
	s.mu.Lock()
	can := s.caps.showDocument
	s.mu.Unlock()
	if !can {
		s.showMessage(protocol.MessageTypeInfo, "kubectl-lsp: written to "+uriFilename(u))
		return
	}
	var res struct {
		Success bool `json:"success"`
	}
	if _, err := s.conn.Call(ctx, "window/showDocument", map[string]any{"uri": u, "takeFocus": true}, &res); err != nil || !res.Success {
		s.showMessage(protocol.MessageTypeInfo, "kubectl-lsp: written to "+uriFilename(u))
	}
}
