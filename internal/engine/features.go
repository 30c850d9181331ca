package engine

import (
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// The editor features, by byte offset into a parsed file. The language server and the
// headless commands (hover, complete, symbols) call exactly these; positions in and out
// are byte offsets and ranges, converted by yamlpos.Mapper at the edges.
//
// Hover, Complete, Symbols and QuickFixes parse the documents they need that were split
// but not parsed yet (setting their Root and Err), so calls on one File must not run
// concurrently unless its documents are parsed beforehand. The engine's schema sources
// are safe to share.

// HoverResult is explain-style documentation for what is under the cursor.
type HoverResult struct {
	// Markdown is the text to show: `explain -o markdown` of the field (or of the kind, on
	// the apiVersion and kind values), then the field path, the default, a link to the
	// Kubernetes API reference for built-in kinds and the schema source.
	Markdown string
	// Range is the key or value hovered.
	Range yamlpos.Range

	// The same facts, structured. Path is the field path as the apiserver prints it
	// (spec.template.spec.containers[0].image; [*] where a document that does not parse
	// leaves the index unknown), empty on the apiVersion and kind values.
	Path       string
	APIVersion string
	Kind       string
	// Type is the field's type as explain prints it (<[]Container> without the brackets).
	Type     string
	Required bool
	// Default is the schema's default value, as JSON; empty when there is none.
	Default string
	Enum    []string
	// Link is the field's kind in the Kubernetes API reference (built-in kinds only).
	Link string
	// Source names where the schema came from, e.g. "builtin 1.37".
	Source string
}

// CompletionKind says what a completion item inserts.
type CompletionKind int

const (
	CompleteField CompletionKind = iota
	CompleteValue
	CompleteSnippet
)

func (k CompletionKind) String() string {
	switch k {
	case CompleteField:
		return "field"
	case CompleteValue:
		return "value"
	case CompleteSnippet:
		return "snippet"
	}
	return "unknown"
}

// CompleteOptions say what the client inserts well.
type CompleteOptions struct {
	// Snippets: the client expands LSP snippets (tab stops, choices). Without them every
	// item is plain text on one line: a field with an object or a list as its value
	// inserts its key and colon (the next line then offers the object's fields, or a list
	// item with its first required field), and new documents are not proposed.
	Snippets bool
	// RelativeIndent: the client indents every line of a multi-line insertion after the
	// first by the indentation of the line the completion starts on (LSP insertTextMode
	// adjustIndentation, the default of clients that cannot be told asIs), so those lines
	// carry only the indentation they need beyond it.
	RelativeIndent bool
}

// CompletionItem is one proposal.
type CompletionItem struct {
	Label string
	Kind  CompletionKind
	// Detail is a short type or summary, e.g. "<[]Container> required".
	Detail string
	// Documentation is markdown.
	Documentation string
	// InsertText is what to insert; Snippet marks LSP snippet syntax ($1, ${1:name}).
	// Lines after the first carry their full indentation (to be inserted as they are: LSP
	// insertTextMode asIs), or with CompleteOptions.RelativeIndent the indentation they
	// need beyond the indentation of the line the completion starts on. Only snippets
	// span several lines.
	InsertText string
	Snippet    bool
	// Replace is the range the insertion replaces (the partial word typed so far, and the
	// rest of that word after the cursor).
	Replace yamlpos.Range
	// SortText orders items (required fields first). Complete returns items in this order.
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

func (k SymbolKind) String() string {
	switch k {
	case SymbolResource:
		return "resource"
	case SymbolObject:
		return "object"
	case SymbolArray:
		return "array"
	case SymbolField:
		return "field"
	}
	return "unknown"
}

// Symbol is a resource (one per document, named Kind/name) or a field inside it.
type Symbol struct {
	Name   string
	Detail string
	Kind   SymbolKind
	// Range covers the whole symbol; Selection the part to highlight (the key).
	Range, Selection yamlpos.Range
	Children         []Symbol
}
