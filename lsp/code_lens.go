package lsp

import (
	"context"
	"encoding/json"
	"hash/maphash"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
)

// Drift: per resource of an open document, whether the cluster's object matches it.

type driftState struct {
	hash  uint64 // of the resource's text when computed
	drift engine.Drift
	err   string // why the drift is unknown
}

type driftCache struct {
	mu sync.Mutex
	m  map[protocol.DocumentURI]map[int]driftState
}

func (c *driftCache) get(u protocol.DocumentURI, index int) (driftState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[u][index]
	return st, ok
}

func (c *driftCache) set(u protocol.DocumentURI, states map[int]driftState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[protocol.DocumentURI]map[int]driftState{}
	}
	c.m[u] = states
}

func textHash(d *yamlpos.Document) uint64 {
	return maphash.Bytes(hashSeed, d.Text())
}

// goRefreshDrift computes the drift of every resource of a document in the background,
// then asks the client to refresh its lenses. At most one check of a document runs at a
// time: asked again meanwhile, it runs once more afterwards.
func (s *Server) goRefreshDrift(doc *document) {
	s.goLatest(&doc.driftJob, func() { s.refreshDrift(doc) })
}

// stillOpen reports whether doc is the open document of its URI.
func (s *Server) stillOpen(doc *document) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[doc.uri] == doc
}

func (s *Server) refreshDrift(doc *document) {
	if engine.IsKustomizationFile(doc.name) {
		return // its lenses show no drift
	}
	t, err := s.target2(doc.uri, nil)
	if err != nil {
		return
	}
	s.prefetchLive(t.snap)
	states := map[int]driftState{}
	for _, o := range t.objs {
		if s.baseCtx.Err() != nil || !s.stillOpen(doc) {
			return // ending, or the document was closed: its lenses are gone
		}
		d, why := t.conn.Drift(s.baseCtx, o, t.source)
		states[o.Doc.Index] = driftState{hash: textHash(o.Doc), drift: d, err: why}
	}
	s.drift.set(doc.uri, states)
	s.refreshLenses()
}

// refreshLenses asks the client to ask for code lenses again, when it can.
func (s *Server) refreshLenses() {
	s.mu.Lock()
	can := s.caps.codeLensRefresh
	s.mu.Unlock()
	if !can {
		return
	}
	ctx, cancel := context.WithTimeout(s.baseCtx, 5*time.Second)
	defer cancel()
	if _, err := s.conn.Call(ctx, "workspace/codeLens/refresh", nil, nil); err != nil {
		s.log.Debug("codeLens/refresh", "err", err)
	}
}

// clusterLenses are a resource's lenses when a cluster is in use: its drift, then Apply,
// Diff, Dry-run and Delete.
func (s *Server) clusterLenses(r protocol.Range, u protocol.DocumentURI, d *yamlpos.Document, name string) []protocol.CodeLens {
	title, cmd := name+" · drift unknown (save to check)", CommandRefreshDrift
	args := []any{u}
	if st, ok := s.drift.get(u, d.Index); ok {
		switch {
		case st.hash != textHash(d):
			title = name + " · edited since the last check"
		case st.drift == engine.Differs:
			title, cmd, args = name+" · differs from the cluster", CommandDiff, []any{u, d.Index}
		case st.drift == engine.NotInCluster:
			title = name + " · not in the cluster"
		case st.drift == engine.InSync:
			title = name + " · in sync"
		default:
			title = name + " · drift unknown: " + st.err
		}
	}
	lens := func(title, command string, args ...any) protocol.CodeLens {
		return protocol.CodeLens{Range: r, Command: &protocol.Command{Title: title, Command: command, Arguments: args}}
	}
	return []protocol.CodeLens{
		lens(title, cmd, args...),
		lens("Apply", CommandApply, u, d.Index),
		lens("Diff", CommandDiff, u, d.Index),
		lens("Dry-run", CommandDryRun, u, d.Index),
		lens("Delete", CommandDelete, u, d.Index),
	}
}

// kustomizationLenses are the lenses of a kustomization file when a cluster is in use:
// Apply, Diff, Dry-run and Delete of every object it renders, on its first line.
func kustomizationLenses(snap *snapshot, v view) []protocol.CodeLens {
	if v.cluster == nil {
		return []protocol.CodeLens{}
	}
	snap.parse()
	m := snap.file.Mapper
	r := toRange(m, yamlpos.Range{Start: 0, End: m.LineEnd(1)})
	var out []protocol.CodeLens
	for _, l := range []struct{ title, command string }{
		{"Apply", CommandApply}, {"Diff", CommandDiff}, {"Dry-run", CommandDryRun}, {"Delete", CommandDelete},
	} {
		out = append(out, protocol.CodeLens{Range: r, Command: &protocol.Command{Title: l.title, Command: l.command, Arguments: []any{snap.doc.uri}}})
	}
	return out
}

// CommandShowResource is the command of the resource code lenses without a cluster. The
// server does not execute it (it is not among the commands it advertises): the lens is a
// label, and clients or editor extensions may bind the command. Its arguments are the document URI
// and the index of the resource's --- document in the file (from 0).
const CommandShowResource = "kubectl-lsp.showResource"

// codeLens answers textDocument/codeLens with one lens per Kubernetes resource of the
// engine's outline (a resource symbol naming an apiVersion and a kind), on the
// resource's first line, titled Kind/name.
func (s *Server) codeLens(ctx context.Context, raw json.RawMessage) (any, error) {
	snap, syms, v, err := s.symbols(raw)
	out := []protocol.CodeLens{}
	if err == nil && snap != nil && engine.IsKustomizationFile(snap.doc.name) {
		return kustomizationLenses(snap, v), nil
	}
	if err != nil || snap == nil || !engine.IsManifest(snap.text) {
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
		if v.cluster != nil && docs[index].Root != nil {
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
