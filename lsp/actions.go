package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
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
	view
	conn   *clusterConn
	snap   *snapshot
	objs   []engine.Object
	source string
}

// resolveTarget finds the objects a command's arguments name.
func (s *Server) resolveTarget(args []json.RawMessage) (*actionTarget, error) {
	u, index, err := s.documentArgs(args, 1)
	if err != nil {
		return nil, err
	}
	return s.target2(u, index)
}

func (s *Server) target2(u protocol.DocumentURI, index *int) (*actionTarget, error) {
	snap, v := s.opened(u)
	if snap == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	if v.cluster == nil || v.eng == nil {
		return nil, errNoCluster
	}
	if engine.IsKustomizationFile(snap.doc.name) {
		return kustomizationTarget(snap, v, index)
	}
	snap.parse()
	objs, err := engine.Objects(snap.file, index)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return &actionTarget{view: v, conn: v.cluster, snap: snap, objs: objs, source: snap.doc.name}, nil
}

// kustomizationTarget is every object the kustomization of a kustomization file renders,
// from the files on disk as kubectl apply -k reads them. A kustomization is acted on
// whole: a resource index is refused.
func kustomizationTarget(snap *snapshot, v view, index *int) (*actionTarget, error) {
	if index != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "a kustomization is acted on whole: leave out the resource index or position")
	}
	dir := filepath.Dir(snap.doc.name)
	k, err := engine.Kustomize(context.Background(), dir)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	objs, err := k.Objects()
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return &actionTarget{view: v, conn: v.cluster, snap: snap, objs: objs, source: dir}, nil
}

// errNoCluster answers a command that needs a cluster when none is in use.
var errNoCluster = jsonrpc2.NewError(jsonrpc2.InvalidRequest, "no cluster: set a kubeconfig context (or the context setting) and a schema source other than builtin")

// describeTarget names the objects and where they go, for a confirmation.
func describeTarget(t *actionTarget) string {
	c := t.conn
	names := make([]string, 0, len(t.objs))
	namespaces := map[string]bool{}
	for _, o := range t.objs {
		names = append(names, o.Ref())
		if ns, _ := t.eng.Namespace(o, "", c.Namespace()); ns != "" {
			namespaces[ns] = true
		}
	}
	if len(names) > 6 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	nsList := make([]string, 0, len(namespaces))
	for ns := range namespaces {
		nsList = append(nsList, fmt.Sprintf("%q", ns))
	}
	slices.Sort(nsList)
	where := ""
	if len(nsList) > 0 {
		where = " in namespace " + strings.Join(nsList, ", ")
	}
	return fmt.Sprintf("%s%s of context %q (cluster %q, %s)", strings.Join(names, ", "),
		where, c.Context(), c.ClusterName(), c.Server())
}

// confirm asks the user with window/showMessageRequest, unless the user's settings skip
// it for this cluster (its context name and server URL). It reports whether the user
// chose yes.
func (s *Server) confirm(ctx context.Context, t *actionTarget, verb, yes string) (bool, error) {
	skip := false
	for _, e := range t.skips {
		skip = skip || e.matches(t.conn.Context(), t.conn.Server())
	}
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
	c := t.conn
	res := &ActionResult{Context: c.Context(), Messages: []string{}}
	var outs []engine.Outcome
	switch command {
	case CommandApply:
		opts := engine.ApplyOptions{}
		opts.ServerSide = t.settings.ServerSideApply
		if f := s.kubeFlags(t.settings); f.KubeConfig != nil {
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
		s.progress.busy("applying to " + c.Context())
		outs, err = c.Apply(ctx, t.objs, t.source, opts)
		s.progress.idle()
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
		var be *engine.BatchError
		if errors.As(err, &be) {
			res.Undo = be.Undo()
		}
	case CommandDelete:
		ok, err := s.confirm(ctx, t, "Delete", "Delete")
		if err != nil || !ok {
			return s.cancelled(res, "delete", err), nil
		}
		res.Confirmed = true
		s.progress.busy("deleting from " + c.Context())
		outs, err = c.Delete(ctx, t.objs, t.source, engine.DeleteOptions{Cascade: "background", GracePeriod: -1})
		s.progress.idle()
		if err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
	case CommandDryRun:
		s.progress.busy("server-side dry-run against " + c.Context())
		outs, err = c.Apply(ctx, t.objs, t.source, engine.ApplyOptions{DryRun: engine.DryRunServer})
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
		s.log.Info(command, "context", c.Context(), "result", m)
	}
	for _, e := range res.Errors {
		s.log.Warn(command, "context", c.Context(), "error", e)
	}
	if len(res.Errors) > 0 {
		s.showMessage(protocol.MessageTypeError, fmt.Sprintf("kubectl-lsp: %s (context %q): %s", strings.TrimPrefix(command, "kubectl-lsp."), c.Context(), strings.Join(res.Errors, "; ")))
	} else {
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp (context %q): %s", c.Context(), strings.Join(res.Messages, "; ")))
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
