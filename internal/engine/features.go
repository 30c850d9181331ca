package engine

import (
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// The editor features, by byte offset into a parsed file. The language server and the
// headless commands (hover, complete, symbols) call exactly these; positions in and out
// are byte offsets and ranges, converted by yamlpos.Mapper at the edges.

// HoverResult is explain-style documentation for what is under the cursor.
type HoverResult struct {
	// Markdown is the text to show.
	Markdown string
	// Range is the key or value hovered.
	Range yamlpos.Range
}

// CompletionKind says what a completion item inserts.
type CompletionKind int

const (
	CompleteField CompletionKind = iota
	CompleteValue
	CompleteSnippet
)

// CompletionItem is one proposal.
type CompletionItem struct {
	Label string
	Kind  CompletionKind
	// Detail is a short type or summary, e.g. "<[]Container> required".
	Detail string
	// Documentation is markdown.
	Documentation string
	// InsertText is what to insert; Snippet marks LSP snippet syntax ($1, ${1:name}).
	InsertText string
	Snippet    bool
	// Replace is the range the insertion replaces (the partial word typed so far).
	Replace yamlpos.Range
	// SortText orders items (required fields first).
	SortText string
	// Deprecated marks fields and versions the API deprecates.
	Deprecated bool
}

// SymbolKind classifies document symbols.
type SymbolKind int

const (
	SymbolResource SymbolKind = iota
	SymbolObject
	SymbolArray
	SymbolField
)

// Symbol is a resource (one per document, named Kind/name) or a field inside it.
type Symbol struct {
	Name   string
	Detail string
	Kind   SymbolKind
	// Range covers the whole symbol; Selection the part to highlight (the key).
	Range, Selection yamlpos.Range
	Children         []Symbol
}
