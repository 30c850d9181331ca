package lsp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
)

// workspace/executeCommand: the server's commands, each answered by its own handler.

// commandHandler runs one command with its arguments.
type commandHandler func(s *Server, ctx context.Context, command string, args []json.RawMessage) (any, error)

// commandHandlers are the commands the server executes; they are advertised in this
// order.
var commandHandlers = []struct {
	name string
	run  commandHandler
}{
	{CommandUseContext, (*Server).useContextCommand},
	{CommandRefreshCluster, (*Server).refreshClusterCommand},
	{CommandClusterStatus, func(s *Server, _ context.Context, _ string, _ []json.RawMessage) (any, error) { return s.status(), nil }},
	{CommandListContexts, (*Server).listContextsCommand},
	{CommandApply, (*Server).executeAction},
	{CommandDryRun, (*Server).executeAction},
	{CommandDiff, (*Server).executeDiff},
	{CommandDelete, (*Server).executeAction},
	{CommandRefreshDrift, (*Server).refreshDriftCommand},
	{CommandRunPlugin, (*Server).executePlugin},
	{CommandShowLive, (*Server).showLiveCommand},
}

// serverCommands are the commands' names.
var serverCommands = func() []string {
	names := make([]string, len(commandHandlers))
	for i, h := range commandHandlers {
		names[i] = h.name
	}
	return names
}()

// executeCommand answers workspace/executeCommand.
func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	for _, h := range commandHandlers {
		if h.name == p.Command {
			return h.run(s, ctx, p.Command, p.Arguments)
		}
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q (commands: %s)", p.Command, strings.Join(serverCommands, ", "))
}

// useContextCommand switches the cluster to a kubeconfig context ("": back to the
// settings' context).
func (s *Server) useContextCommand(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	name := ""
	if len(args) > 0 {
		if err := json.Unmarshal(args[0], &name); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the argument is a context name: %v", command, err)
		}
	}
	if name != "" {
		names, _, err := engine.Contexts(s.kubeFlags(s.view().settings))
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: reading the kubeconfig: %v", command, err)
		}
		if !slices.Contains(names, name) {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: context %q is not in the kubeconfig (contexts: %s)", command, name, strings.Join(names, ", "))
		}
	}
	s.mu.Lock()
	s.contextOverride = name
	s.mu.Unlock()
	s.rebuild(nil)
	s.sendStatus()
	return s.status(), nil
}

// refreshClusterCommand checks the cluster for new schemas now.
func (s *Server) refreshClusterCommand(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	conn := s.view().cluster
	if conn == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "no cluster is in use (schema source %q)", s.status().Source)
	}
	conn.Kick()
	return nil, nil
}

// listContextsCommand lists the kubeconfig's contexts and the one in use.
func (s *Server) listContextsCommand(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	settings := s.view().settings
	names, current, err := engine.Contexts(s.kubeFlags(settings))
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "reading the kubeconfig: %v", err)
	}
	if c := s.effectiveContext(settings); c != "" {
		current = c
	}
	if names == nil {
		names = []string{}
	}
	return map[string]any{"contexts": names, "current": current}, nil
}

// refreshDriftCommand checks the drift of a document's resources again.
func (s *Server) refreshDriftCommand(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	var u protocol.DocumentURI
	if len(args) == 0 || json.Unmarshal(args[0], &u) != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the argument is a document URI")
	}
	s.mu.Lock()
	doc := s.docs[u]
	s.mu.Unlock()
	if doc == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	s.goRefreshDrift(doc)
	return nil, nil
}
