package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// kubectl plugins from the editor: the executables `kubectl plugin list` finds are offered
// as code actions on the resource under the cursor, run by argv (never through a shell)
// with values from the document checked first, and their output shown as a read-only
// document.

// CommandRunPlugin runs a kubectl plugin: arguments [name, uri, index or position].
const CommandRunPlugin = "kubectl-lsp.runPlugin"

// PluginSettings configure one plugin (settings "plugins": {"NAME": {...}}).
type PluginSettings struct {
	// Args is the argv template after the plugin: {kind}, {name}, {namespace}, {context},
	// {file}. Default: KIND/NAME -n NAMESPACE --context=CONTEXT.
	Args []string `json:"args,omitempty"`
	// Stdin pipes the document's text to the plugin (with no arguments unless Args).
	Stdin bool `json:"stdin,omitempty"`
	// TimeoutSeconds bounds a run (default 30).
	TimeoutSeconds float64 `json:"timeoutSeconds,omitempty"`
	// Hidden leaves the plugin out of the code actions.
	Hidden bool `json:"hidden,omitempty"`
}

// PluginResult is what the runPlugin command returns.
type PluginResult struct {
	Argv     []string             `json:"argv"`
	ExitCode int                  `json:"exitCode"`
	Stdout   string               `json:"stdout"`
	Stderr   string               `json:"stderr"`
	Document protocol.DocumentURI `json:"document,omitempty"`
}

// pluginCache is the plugins found on PATH, found again after a while.
type pluginCache struct {
	mu    sync.Mutex
	at    time.Time
	path  string
	found []engine.Plugin
}

const pluginRescan = 30 * time.Second

func (c *pluginCache) list() []engine.Plugin {
	c.mu.Lock()
	defer c.mu.Unlock()
	path := os.Getenv("PATH")
	if c.found == nil || path != c.path || time.Since(c.at) > pluginRescan {
		c.found, c.path, c.at = append([]engine.Plugin{}, engine.Plugins(path)...), path, time.Now()
	}
	return c.found
}

// pluginCodeActions offers "Run kubectl NAME" for each plugin, on the resource at
// offset.
func (s *Server) pluginCodeActions(snap *snapshot, v view, d *yamlpos.Document) []protocol.CodeAction {
	settings := v.settings
	var out []protocol.CodeAction
	seen := map[string]bool{}
	for _, p := range s.plugins.list() {
		if !p.Executable || seen[p.Name] || settings.Plugins[p.Name].Hidden {
			continue
		}
		seen[p.Name] = true
		title := "Run kubectl " + p.Name
		out = append(out, protocol.CodeAction{Title: title, Kind: protocol.Source,
			Command: &protocol.Command{Title: title, Command: CommandRunPlugin, Arguments: []any{p.Name, snap.doc.uri, d.Index}}})
	}
	return out
}

// executePlugin runs a plugin on a resource; the request's cancellation kills it.
func (s *Server) executePlugin(ctx context.Context, _ string, args []json.RawMessage) (any, error) {
	if len(args) < 2 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the arguments are the plugin name, the document URI and a resource index or position")
	}
	var name string
	if err := json.Unmarshal(args[0], &name); err != nil || name == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the first argument is the plugin's name")
	}
	p, err := engine.LookupPlugin(s.plugins.list(), name)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	u, o, v, err := s.pluginTarget(args[1:])
	if err != nil {
		return nil, err
	}
	ps, conn := v.settings.Plugins[name], v.cluster
	target := engine.PluginTarget{File: localPath(u), Stdin: ps.Stdin}
	if conn != nil {
		target.Context, target.Fallback = conn.Context(), conn.Namespace()
	}
	req, err := v.eng.PluginRequest(o, target)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	req.Args, req.Timeout = ps.Args, time.Duration(ps.TimeoutSeconds*float64(time.Second))
	s.progress.busy("kubectl " + name)
	res, err := engine.RunPlugin(ctx, p, req)
	s.progress.idle()
	var refused *engine.PluginRefusedError
	switch {
	case errors.As(err, &refused):
		s.showMessage(protocol.MessageTypeError, "kubectl-lsp: kubectl "+name+" not run: "+err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	case err != nil && !errors.Is(err, engine.ErrPluginTimeout):
		s.showMessage(protocol.MessageTypeError, "kubectl-lsp: kubectl "+name+": "+err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	out := &PluginResult{Argv: res.Argv, ExitCode: res.ExitCode, Stdout: string(res.Stdout), Stderr: string(res.Stderr)}
	var text strings.Builder
	fmt.Fprintf(&text, "$ %s\n", strings.Join(res.Argv, " "))
	text.Write(res.Stdout)
	if len(res.Stderr) > 0 {
		fmt.Fprintf(&text, "\n--- stderr ---\n%s", res.Stderr)
	}
	status := fmt.Sprintf("exit status %d after %v", res.ExitCode, res.Duration.Round(time.Millisecond))
	if errors.Is(err, engine.ErrPluginTimeout) {
		status = "killed: " + err.Error()
	}
	fmt.Fprintf(&text, "\n--- %s ---\n", status)
	s.log.Info("plugin", "argv", res.Argv, "exit", res.ExitCode, "took", res.Duration)
	if path, werr := s.output.write("kubectl-"+strings.ReplaceAll(name, " ", "-")+".txt", text.String()); werr == nil {
		out.Document = protocol.DocumentURI(uri.File(path))
		s.showDocument(ctx, out.Document)
	} else {
		s.log.Warn("plugin output not written", "err", werr)
	}
	if res.ExitCode != 0 || err != nil {
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: kubectl %s: %s", name, status))
	}
	return out, nil
}

// localPath is the absolute path of a file: URI, else "".
func localPath(u protocol.DocumentURI) string {
	parsed, err := url.Parse(string(u))
	if err != nil || parsed.Scheme != "file" || parsed.Opaque != "" {
		return ""
	}
	if p := filepath.FromSlash(parsed.Path); filepath.IsAbs(p) {
		return p
	}
	return ""
}

// pluginTarget finds the object a plugin runs on, with or without a cluster, and the
// engine that knows its scope.
func (s *Server) pluginTarget(args []json.RawMessage) (protocol.DocumentURI, engine.Object, view, error) {
	u, at, err := s.documentArgs(args, 2)
	if err != nil {
		return u, engine.Object{}, view{}, err
	}
	snap, v := s.opened(u)
	if snap == nil || v.eng == nil {
		return u, engine.Object{}, v, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	snap.parse()
	index := -1
	if at != nil {
		index = *at
	}
	for _, d := range snap.file.Docs {
		if d.Index == index {
			if o, err := engine.ReadObject(d); err == nil {
				return u, o, v, nil
			}
		}
	}
	return u, engine.Object{}, v, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "document %d of %s is not a Kubernetes object", index, snap.doc.name)
}
