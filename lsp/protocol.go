package lsp

import (
	"encoding/json"
	"slices"

	"go.lsp.dev/protocol"
)

// Protocol pieces go.lsp.dev/protocol v0.12.0 lacks or gets wrong for us.

// didChangeParams is textDocument/didChange's params. protocol's change event has a
// non-pointer Range, which cannot tell a full-text change (no range) from an insertion
// at 0:0.
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                          `json:"contentChanges"`
}

type contentChange struct {
	// Range is nil when Text replaces the whole document.
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

// publishDiagnosticsParams always carries the version: protocol's omits version 0, which
// Neovim uses for the first version of every buffer.
type publishDiagnosticsParams struct {
	URI         protocol.DocumentURI  `json:"uri"`
	Version     int32                 `json:"version"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

// cancelParams is $/cancelRequest's params, with the id kept raw so that numbers and
// strings both decode into a jsonrpc2.ID.
type cancelParams struct {
	ID json.RawMessage `json:"id"`
}

// MethodDiagnosticsDone is a notification kubectl-lsp sends after publishing the
// diagnostics of a document version, when the client asked for it with the
// initialization option "diagnosticsDoneNotification": true. Tests and editor scripts wait
// on it instead of sleeping.
const MethodDiagnosticsDone = "kubectl-lsp/diagnosticsDone"

// DiagnosticsDoneParams are MethodDiagnosticsDone's params.
type DiagnosticsDoneParams struct {
	URI     protocol.DocumentURI `json:"uri"`
	Version int32                `json:"version"`
	// Count is the number of diagnostics published.
	Count int `json:"count"`
}

// LSP error codes beyond JSON-RPC's (LSP 3.16).
const (
	codeServerNotInitialized = -32002
	codeRequestCancelled     = -32800
	codeContentModified      = -32801
)

// initializeParams is the part of initialize's params the server reads. Decoding only
// this keeps initialize working whatever else a client puts in its capabilities.
type initializeParams struct {
	ProcessID             *int32                     `json:"processId"`
	RootURI               protocol.DocumentURI       `json:"rootUri,omitempty"`
	RootPath              string                     `json:"rootPath,omitempty"`
	WorkspaceFolders      []protocol.WorkspaceFolder `json:"workspaceFolders,omitempty"`
	InitializationOptions json.RawMessage            `json:"initializationOptions,omitempty"`
	Capabilities          struct {
		Window struct {
			WorkDoneProgress bool `json:"workDoneProgress,omitempty"`
			ShowDocument     *struct {
				Support bool `json:"support"`
			} `json:"showDocument,omitempty"`
		} `json:"window"`
		Workspace struct {
			CodeLens *struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"codeLens,omitempty"`
			DidChangeWatchedFiles *struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles,omitempty"`
		} `json:"workspace"`
		TextDocument struct {
			Hover *struct {
				ContentFormat []protocol.MarkupKind `json:"contentFormat,omitempty"`
			} `json:"hover,omitempty"`
			Completion *struct {
				CompletionItem *struct {
					SnippetSupport        bool `json:"snippetSupport,omitempty"`
					InsertTextModeSupport *struct {
						ValueSet []protocol.InsertTextMode `json:"valueSet"`
					} `json:"insertTextModeSupport,omitempty"`
				} `json:"completionItem,omitempty"`
			} `json:"completion,omitempty"`
			DocumentSymbol *struct {
				HierarchicalDocumentSymbolSupport bool `json:"hierarchicalDocumentSymbolSupport,omitempty"`
			} `json:"documentSymbol,omitempty"`
			Rename *struct {
				PrepareSupport bool `json:"prepareSupport,omitempty"`
			} `json:"rename,omitempty"`
		} `json:"textDocument"`
	} `json:"capabilities"`
}

// clientCaps are the client capabilities that change what the server sends.
type clientCaps struct {
	markdownHover bool
	snippets      bool
	// insertAsIs: the client takes insertTextMode asIs on completion items (LSP 3.16).
	insertAsIs          bool
	hierarchicalSymbols bool
	workDoneProgress    bool
	showDocument        bool
	codeLensRefresh     bool
	// watchFiles: the client registers file watchers on request.
	watchFiles bool
	// prepareRename: the client asks textDocument/prepareRename before a rename.
	prepareRename bool
}

func (p *initializeParams) caps() clientCaps {
	td := p.Capabilities.TextDocument
	c := clientCaps{markdownHover: true}
	if td.Hover != nil && len(td.Hover.ContentFormat) > 0 {
		c.markdownHover = false
		for _, k := range td.Hover.ContentFormat {
			if k == protocol.Markdown {
				c.markdownHover = true
			}
		}
	}
	if td.Completion != nil && td.Completion.CompletionItem != nil {
		ci := td.Completion.CompletionItem
		c.snippets = ci.SnippetSupport
		c.insertAsIs = ci.InsertTextModeSupport != nil && slices.Contains(ci.InsertTextModeSupport.ValueSet, protocol.InsertTextModeAsIs)
	}
	c.hierarchicalSymbols = td.DocumentSymbol != nil && td.DocumentSymbol.HierarchicalDocumentSymbolSupport
	c.workDoneProgress = p.Capabilities.Window.WorkDoneProgress
	c.showDocument = p.Capabilities.Window.ShowDocument != nil && p.Capabilities.Window.ShowDocument.Support
	c.codeLensRefresh = p.Capabilities.Workspace.CodeLens != nil && p.Capabilities.Workspace.CodeLens.RefreshSupport
	c.watchFiles = p.Capabilities.Workspace.DidChangeWatchedFiles != nil && p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration
	c.prepareRename = td.Rename != nil && td.Rename.PrepareSupport
	return c
}
