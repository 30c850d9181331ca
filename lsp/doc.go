// Package lsp is kubectl-lsp's language server: it speaks the Language Server Protocol
// over a stream, converts protocol types to the engine's and back, and dispatches. It
// holds no Kubernetes logic: internal/engine decides what is valid, what a hover says,
// what completes, which cluster is used and how objects reach it or a plugin. The
// package imports the engine (with its data packages yamlpos and validate) and the
// protocol; never kube, plugins or schema (internal/layers checks it).
//
// One file per LSP method or small family: lifecycle.go (initialize, shutdown, exit),
// text_sync.go (didOpen, didChange, didClose, didSave), configuration.go, hover.go,
// completion.go, symbols.go (documentSymbol, foldingRange), code_action.go,
// code_lens.go (with the drift of each resource), execute_command.go (the command
// table), and per command family actions.go (apply, dry-run, delete), diff.go and
// plugins.go. diagnostics.go publishes; build.go builds the engine; cluster.go follows
// the cluster's status.
//
// Invariants:
//   - A request reads the server's state once, as a view (features.go): the settings,
//     the engine, the cluster and the client's capabilities of that moment.
//   - Positions cross the wire as LSP positions (0-based lines, UTF-16 columns) and are
//     converted to byte offsets only by yamlpos.Mapper, in convert.go.
//   - An open document is a sequence of immutable snapshots, one per version. A snapshot's
//     `---`-separated documents are parsed once (reusing the trees of documents whose text
//     did not change) before the engine sees them; after that the engine only reads them.
//   - Diagnostics are computed off the request path, per file, debounced, and cancelled
//     when the file (or the schemas) change; results are cached per document text, so an
//     edit re-validates only the `---` section that changed.
//   - The engine is immutable once built. New settings, or CRD manifests opened, changed or
//     closed in the editor, build a new one and re-validate every open file.
//   - Notifications are handled in the order they arrive, on the connection's read loop;
//     requests run on their own goroutines, cancellable with $/cancelRequest.
package lsp
