package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// Cluster actions from the editor: apply, dry-run, diff and delete the resource under the
// cursor (or a whole file), with confirmation before anything changes, and a drift lens
// per resource. The work is kube's (kubectl's semantics); this file asks, reports and
// shows.

// Commands of the cluster actions. Their arguments are the document URI and, optionally,
// the resource: the index of its --- document in the file (from 0), or a position in it
// ({"line", "character"}); absent or null: every object of the file.
const (
	CommandApply        = "kubectl-lsp.apply"
	CommandDryRun       = "kubectl-lsp.dryRun"
	CommandDiff         = "kubectl-lsp.diff"
	CommandDelete       = "kubectl-lsp.delete"
	CommandRefreshDrift = "kubectl-lsp.refreshDrift"
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

// ActionResult is what the apply, dry-run and delete commands return.
type ActionResult struct {
	Context   string   `json:"context"`
	Confirmed bool     `json:"confirmed"`
	Messages  []string `json:"messages"`
	Errors    []string `json:"errors,omitempty"`
	// RolledBack are the changes undone because an object of the batch failed
	// ("configmap/a deleted", "configmap/b restored").
	RolledBack []string `json:"rolledBack,omitempty"`
	// Undo are the kubectl commands that finish undoing the batch when a rollback step
	// failed.
	Undo []string `json:"undo,omitempty"`
}

// actionTarget is what a command acts on.
type actionTarget struct {
	conn    *clusterConn
	snap    *snapshot
	objs    []*unstructured.Unstructured
	indexes []int // the document index of each object
	source  string
}

// resolveTarget finds the objects a command's arguments name.
func (s *Server) resolveTarget(args []json.RawMessage) (*actionTarget, error) {
	u, index, err := s.documentArgs(args, 1)
	if err != nil {
		return nil, err
	}
	return s.target2(u, index)
}

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
	s.mu.Lock()
	doc := s.docs[u]
	s.mu.Unlock()
	if doc == nil {
		return 0, false
	}
	s.mu.Lock()
	snap := doc.snap
	s.mu.Unlock()
	off, err := toOffset(snap.file.Mapper, pos)
	if err != nil {
		return 0, false
	}
	if d := snap.file.DocumentAt(off); d != nil {
		return d.Index, true
	}
	return 0, false
}

func (s *Server) target2(u protocol.DocumentURI, index *int) (*actionTarget, error) {
	s.mu.Lock()
	doc, conn := s.docs[u], s.cluster
	var snap *snapshot
	if doc != nil {
		snap = doc.snap
	}
	s.mu.Unlock()
	if snap == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	if conn == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "no cluster: set a kubeconfig context (or the context setting) and a schema source other than builtin")
	}
	snap.parse()
	t := &actionTarget{conn: conn, snap: snap, source: snap.doc.name}
	for _, d := range snap.file.Docs {
		if index != nil && d.Index != *index {
			continue
		}
		if d.Err != nil {
			line, col := snap.file.Mapper.OffsetLineChar(d.Err.Range.Start)
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s:%d:%d: %s: fix the syntax first", snap.doc.name, line, col, d.Err.Msg)
		}
		m := kube.DocumentObject(d)
		if m == nil {
			continue
		}
		t.objs = append(t.objs, &unstructured.Unstructured{Object: m})
		t.indexes = append(t.indexes, d.Index)
	}
	if len(t.objs) == 0 {
		if index != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "document %d of %s is not a Kubernetes object", *index, snap.doc.name)
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s holds no Kubernetes object", snap.doc.name)
	}
	return t, nil
}

// describeTarget names the objects and where they go, for a confirmation.
func describeTarget(t *actionTarget) string {
	c := t.conn.client
	names := make([]string, 0, len(t.objs))
	namespaces := map[string]bool{}
	for _, o := range t.objs {
		names = append(names, o.GetKind()+"/"+o.GetName())
		ns := o.GetNamespace()
		if ns == "" {
			ns = c.Namespace
		}
		namespaces[ns] = true
	}
	if len(names) > 6 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	nsList := make([]string, 0, len(namespaces))
	for ns := range namespaces {
		nsList = append(nsList, fmt.Sprintf("%q", ns))
	}
	return fmt.Sprintf("%s in namespace %s of context %q (cluster %q, %s)", strings.Join(names, ", "),
		strings.Join(nsList, ", "), c.Context, c.Cluster, c.Server)
}

// confirm asks the user with window/showMessageRequest, unless the user's settings skip
// it for this cluster (its context name and server URL). It reports whether the user
// chose yes.
func (s *Server) confirm(ctx context.Context, t *actionTarget, verb, yes string) (bool, error) {
	s.mu.Lock()
	skip := false
	for _, e := range s.userSkips {
		skip = skip || e.matches(t.conn.client.Context, t.conn.client.Server)
	}
	s.mu.Unlock()
	if skip {
		return true, nil
	}
	var choice *protocol.MessageActionItem
	_, err := s.conn.Call(ctx, protocol.MethodWindowShowMessageRequest, &protocol.ShowMessageRequestParams{
		Type:    protocol.MessageTypeWarning,
		Message: fmt.Sprintf("%s %s?", verb, describeTarget(t)),
		Actions: []protocol.MessageActionItem{{Title: yes}, {Title: "Cancel"}},
	}, &choice)
	if err != nil {
		return false, fmt.Errorf("could not ask for confirmation: %w", err)
	}
	return choice != nil && choice.Title == yes, nil
}

// executeAction runs apply, dry-run or delete.
func (s *Server) executeAction(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	t, err := s.resolveTarget(args)
	if err != nil {
		return nil, err
	}
	c := t.conn.client
	res := &ActionResult{Context: c.Context, Messages: []string{}}
	var outs []kube.Outcome
	switch command {
	case CommandApply:
		opts := kube.ApplyOptions{}
		s.mu.Lock()
		opts.ServerSide = s.settings.ServerSideApply
		settings := s.settings
		s.mu.Unlock()
		if f := s.kubeFlags(settings); f.KubeConfig != nil {
			opts.Kubeconfig = *f.KubeConfig
		}
		if len(args) > 2 { // {"serverSide": bool, "forceConflicts": bool}
			var o struct {
				ServerSide     *bool `json:"serverSide"`
				ForceConflicts bool  `json:"forceConflicts"`
			}
			if err := json.Unmarshal(args[2], &o); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "the third argument is {serverSide, forceConflicts}: %v", err)
			}
			if o.ServerSide != nil {
				opts.ServerSide = *o.ServerSide
			}
			opts.ForceConflicts = o.ForceConflicts && opts.ServerSide
		}
		verb := "Apply"
		if opts.ServerSide {
			verb = "Server-side apply"
			if opts.ForceConflicts {
				verb += ", taking over conflicting fields,"
			}
		}
		ok, err := s.confirm(ctx, t, verb, "Apply")
		if err != nil || !ok {
			return s.cancelled(res, "apply", err), nil
		}
		res.Confirmed = true
		s.progress.busy("applying to " + c.Context)
		outs, err = c.ApplyAll(ctx, t.objs, t.source, opts)
		s.progress.idle()
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
		var be *kube.BatchError
		if errors.As(err, &be) {
			res.Undo = be.Undo()
		}
	case CommandDelete:
		ok, err := s.confirm(ctx, t, "Delete", "Delete")
		if err != nil || !ok {
			return s.cancelled(res, "delete", err), nil
		}
		res.Confirmed = true
		s.progress.busy("deleting from " + c.Context)
		outs, err = c.DeleteAll(ctx, t.objs, t.source, kube.DeleteOptions{Cascade: "background", GracePeriod: -1})
		s.progress.idle()
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
	case CommandDryRun:
		s.progress.busy("server-side dry-run against " + c.Context)
		outs, err = c.ApplyAll(ctx, t.objs, t.source, kube.ApplyOptions{DryRun: kube.DryRunServer})
		s.progress.idle()
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
	}
	for _, o := range outs {
		if o.Err != nil {
			res.Errors = append(res.Errors, o.Ref.String()+": "+c.Explain(o.Err))
		} else if o.Message != "" {
			res.Messages = append(res.Messages, o.Message)
		}
		if r := o.Rollback; r != nil {
			if r.Err == nil {
				res.RolledBack = append(res.RolledBack, o.Ref.String()+" "+r.Operation)
			} else {
				res.Errors = append(res.Errors, o.Ref.String()+": rollback failed: "+r.Err.Error())
			}
		}
	}
	for _, m := range res.Messages {
		s.log.Info(command, "context", c.Context, "result", m)
	}
	for _, e := range res.Errors {
		s.log.Warn(command, "context", c.Context, "error", e)
	}
	if len(res.Errors) > 0 {
		s.showMessage(protocol.MessageTypeError, fmt.Sprintf("kubectl-lsp: %s (context %q): %s", strings.TrimPrefix(command, "kubectl-lsp."), c.Context, strings.Join(res.Errors, "; ")))
	} else {
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp (context %q): %s", c.Context, strings.Join(res.Messages, "; ")))
	}
	if command != CommandDryRun {
		s.goRefreshDrift(t.snap.doc)
	}
	return res, nil
}

func (s *Server) cancelled(res *ActionResult, verb string, err error) *ActionResult {
	msg := fmt.Sprintf("kubectl-lsp: %s cancelled: nothing was changed", verb)
	if err != nil {
		msg = fmt.Sprintf("kubectl-lsp: %s not done: %v; nothing was changed", verb, err)
		res.Errors = append(res.Errors, err.Error())
	}
	s.showMessage(protocol.MessageTypeInfo, msg)
	return res
}

// diff computes the diffs of a target.
func (s *Server) diffTarget(ctx context.Context, t *actionTarget) (*DiffResult, error) {
	c := t.conn.client
	res := &DiffResult{Context: c.Context, Diffs: []DiffEntry{}}
	var errs []string
	for _, o := range t.objs {
		d, err := c.Diff(ctx, o, t.source, false, false)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s/%s: %s", o.GetKind(), o.GetName(), c.Explain(err)))
			continue
		}
		res.Diffs = append(res.Diffs, DiffEntry{Name: d.Name, Object: d.Ref.String(), Live: d.Live, Merged: d.Merged,
			Unified: kube.Unified(d), Changed: d.Changed()})
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return res, nil
}

// executeDiff shows what applying would change: a read-only unified diff document.
func (s *Server) executeDiff(ctx context.Context, args []json.RawMessage) (any, error) {
	t, err := s.resolveTarget(args)
	if err != nil {
		return nil, err
	}
	s.progress.busy("diff against " + t.conn.client.Context)
	res, err := s.diffTarget(ctx, t)
	s.progress.idle()
	if err != nil {
		// An error, not a result without differences: the editor shows it.
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "diff against context %q failed: %v", t.conn.client.Context, err)
	}
	var text strings.Builder
	for _, d := range res.Diffs {
		text.WriteString(d.Unified)
	}
	if text.Len() == 0 {
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp: no differences: %s matches context %q", t.source, t.conn.client.Context))
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

// Drift: per resource of an open document, whether the cluster's object matches it.

type driftState struct {
	hash  uint64 // of the resource's text when computed
	state string // in sync, differs, not in cluster, unknown
	err   string
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

func (s *Server) refreshDrift(doc *document) {
	t, err := s.target2(doc.uri, nil)
	if err != nil {
		return
	}
	conn := t.conn
	states := map[int]driftState{}
	for i, o := range t.objs {
		if s.baseCtx.Err() != nil {
			return
		}
		ctx, cancel := context.WithTimeout(s.baseCtx, conn.client.Timeout)
		d, err := conn.client.Diff(ctx, o, t.source, false, false)
		cancel()
		var st driftState
		for _, fd := range t.snap.file.Docs {
			if fd.Index == t.indexes[i] {
				st.hash = textHash(fd)
			}
		}
		switch {
		case err != nil:
			st.state, st.err = "unknown", conn.client.Explain(err)
		case d.Live == "":
			st.state = "not in cluster"
		case d.Changed():
			st.state = "differs"
		default:
			st.state = "in sync"
		}
		states[t.indexes[i]] = st
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
		case st.state == "differs":
			title, cmd, args = name+" · differs from the cluster", CommandDiff, []any{u, d.Index}
		case st.state == "not in cluster":
			title = name + " · not in the cluster"
		case st.state == "in sync":
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

// clusterCodeActions are the cluster actions offered for the resource at offset.
func (s *Server) clusterCodeActions(snap *snapshot, offset int) []protocol.CodeAction {
	var d *yamlpos.Document
	for _, fd := range snap.file.Docs {
		if offset >= fd.Start && offset <= fd.End {
			d = fd
			break
		}
	}
	if d == nil || kube.DocumentObject(d) == nil {
		return nil
	}
	s.mu.Lock()
	conn := s.cluster
	s.mu.Unlock()
	if conn == nil {
		return s.pluginCodeActions(snap, d)
	}
	m := kube.DocumentObject(d)
	u := &unstructured.Unstructured{Object: m}
	name := u.GetKind() + "/" + u.GetName()
	ctxName := conn.client.Context
	action := func(title, command string) protocol.CodeAction {
		return protocol.CodeAction{Title: title, Kind: protocol.Source,
			Command: &protocol.Command{Title: title, Command: command, Arguments: []any{snap.doc.uri, d.Index}}}
	}
	return append([]protocol.CodeAction{
		action(fmt.Sprintf("Apply %s to %s", name, ctxName), CommandApply),
		action(fmt.Sprintf("Diff %s against %s", name, ctxName), CommandDiff),
		action(fmt.Sprintf("Dry-run %s on %s", name, ctxName), CommandDryRun),
		action(fmt.Sprintf("Delete %s from %s", name, ctxName), CommandDelete),
	}, s.pluginCodeActions(snap, d)...)
}
