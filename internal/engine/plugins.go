package engine

import (
	"context"

	"github.com/kubectl-lsp/kubectl-lsp/plugins"
)

// kubectl plugins on a manifest's object: which object, which namespace, and what is
// passed. Finding, checking and running the executable is package plugins' work.

// Plugin, PluginRequest, PluginResult and PluginRefusedError are package plugins',
// named here so that the faces depend on the engine alone.
type (
	Plugin             = plugins.Plugin
	PluginRequest      = plugins.Request
	PluginResult       = plugins.Result
	PluginRefusedError = plugins.RefusedError
)

// ErrPluginTimeout is returned (wrapped) when a plugin ran past its timeout.
var ErrPluginTimeout = plugins.ErrTimeout

// Plugins are the plugins on the search path pathEnv, in kubectl's order, runnable
// (Executable) or not.
func Plugins(pathEnv string) []Plugin {
	found, _ := plugins.Discover(pathEnv)
	return found
}

// LookupPlugin finds a plugin by the name typed after "kubectl" (tree, "view secret").
func LookupPlugin(found []Plugin, name string) (Plugin, error) { return plugins.Lookup(found, name) }

// PluginTarget says how a plugin is run on an object.
type PluginTarget struct {
	// Context is the kubeconfig context passed on ("" for none).
	Context string
	// Namespace is the explicit namespace (-n) and Fallback the one for objects that
	// name none (the context's); see Engine.Namespace.
	Namespace, Fallback string
	// File is the manifest's absolute path, "" when it is not a file.
	File string
	// Stdin writes the document's text to the plugin's standard input.
	Stdin bool
}

// PluginRequest is the request that runs a plugin on o: its kind, name and namespace (by
// the one namespace rule) and the document's text when asked for. The caller adds the
// argv template, the timeout and extra arguments.
func (e *Engine) PluginRequest(o Object, t PluginTarget) (PluginRequest, error) {
	ns, err := e.Namespace(o, t.Namespace, t.Fallback)
	if err != nil {
		return PluginRequest{}, err
	}
	req := PluginRequest{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Name: o.GetName(), Namespace: ns,
		Context: t.Context, File: t.File}
	if t.Stdin {
		req.Stdin = o.Doc.Text()
	}
	return req, nil
}

// RunPlugin runs a plugin (see plugins.Run: argv, never a shell; its processes killed
// at the timeout or when ctx ends).
func RunPlugin(ctx context.Context, p Plugin, req PluginRequest) (PluginResult, error) {
	return plugins.Run(ctx, p, req)
}
