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

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
	"github.com/kubectl-lsp/kubectl-lsp/plugins"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
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
	found []plugins.Plugin
}

const pluginRescan = 30 * time.Second

func (c *pluginCache) list() []plugins.Plugin {
	c.mu.Lock()
	defer c.mu.Unlock()
	path := os.Getenv("PATH")
	if c.found == nil || path != c.path || time.Since(c.at) > pluginRescan {
		found, _ := plugins.Discover(path)
		c.found, c.path, c.at = []plugins.Plugin{}, path, time.Now()
		for _, p := range found {
			if p.Executable {
				c.found = append(c.found, p)
			}
		}
	}
	return c.found
}

// pluginCodeActions offers "Run kubectl NAME" for each plugin, on the resource at
// offset.
func (s *Server) pluginCodeActions(snap *snapshot, d *yamlpos.Document) []protocol.CodeAction {
	s.mu.Lock()
	settings := s.settings
	s.mu.Unlock()
	var out []protocol.CodeAction
	seen := map[string]bool{}
	for _, p := range s.plugins.list() {
		if seen[p.Name] || settings.Plugins[p.Name].Hidden {
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
func (s *Server) executePlugin(ctx context.Context, args []json.RawMessage) (any, error) {
	if len(args) < 2 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the arguments are the plugin name, the document URI and a resource index or position")
	}
	var name string
	if err := json.Unmarshal(args[0], &name); err != nil || name == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the first argument is the plugin's name")
	}
	p, err := plugins.Lookup(s.plugins.list(), name)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	t, err := s.pluginTarget(args[1:])
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	settings := s.settings
	conn := s.cluster
	s.mu.Unlock()
	ps := settings.Plugins[name]
	req := plugins.Request{APIVersion: t.obj.GetAPIVersion(), Kind: t.obj.GetKind(), Name: t.obj.GetName(),
		Namespace: t.obj.GetNamespace(), File: t.file, Args: ps.Args,
		Timeout: time.Duration(ps.TimeoutSeconds * float64(time.Second))}
	if conn != nil {
		req.Context = conn.client.Context
		if req.Namespace == "" && t.namespaced {
			req.Namespace = conn.client.Namespace
		}
	}
	if ps.Stdin {
		req.Stdin = t.text
	}
	s.progress.busy("kubectl " + name)
	res, err := plugins.Run(ctx, p, req)
	s.progress.idle()
	var refused *plugins.RefusedError
	switch {
	case errors.As(err, &refused):
		s.showMessage(protocol.MessageTypeError, "kubectl-lsp: kubectl "+name+" not run: "+err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	case err != nil && !errors.Is(err, plugins.ErrTimeout):
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
	if errors.Is(err, plugins.ErrTimeout) {
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

type pluginTarget struct {
	obj  *unstructured.Unstructured
	text []byte
	// file is the document's absolute path on disk, "" when its URI is not a file: URI
	// (an untitled editor, a virtual document), so {file} is never the URI's text.
	file       string
	namespaced bool
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

// pluginTarget finds the resource a plugin runs on, with or without a cluster.
func (s *Server) pluginTarget(args []json.RawMessage) (*pluginTarget, error) {
	u, at, err := s.documentArgs(args, 2)
	if err != nil {
		return nil, err
	}
	index := -1
	if at != nil {
		index = *at
	}
	s.mu.Lock()
	doc, eng := s.docs[u], s.eng
	s.mu.Unlock()
	if doc == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	s.mu.Lock()
	snap := doc.snap
	s.mu.Unlock()
	snap.parse()
	for _, d := range snap.file.Docs {
		if d.Index != index {
			continue
		}
		m := kube.DocumentObject(d)
		if m == nil {
			break
		}
		obj := &unstructured.Unstructured{Object: m}
		t := &pluginTarget{obj: obj, text: d.Text(), file: localPath(u), namespaced: true}
		if eng != nil {
			gvk := obj.GroupVersionKind()
			if typ, _ := eng.Source().Lookup(schema.GVK{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}); typ != nil {
				t.namespaced = typ.Namespaced
			}
		}
		return t, nil
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "document %d of %s is not a Kubernetes object", index, snap.doc.name)
}
