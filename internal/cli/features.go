package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// The headless editor features: what the language server answers, printed for scripts,
// tests and people without an editor. They call exactly the engine functions the server
// calls.

// FeatureOptions are the flags and inputs hover, complete and symbols share.
type FeatureOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Output            string
	KubernetesVersion string
	SchemaSource      string
	CRDs              []string

	// File is the manifest (- for standard input); Line and Column the 1-based position
	// (hover, complete), Column counting characters.
	File         string
	Line, Column int
}

func (o *FeatureOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	f.StringVar(&o.KubernetesVersion, "kubernetes-version", "", "Kubernetes release whose schemas to use (embedded: "+strings.Join(builtin.Versions(), ", ")+"; default the newest)")
	f.StringVar(&o.SchemaSource, "schema-source", engine.SourceAuto, sourceHelp)
	f.StringSliceVar(&o.CRDs, "crd", nil, "CustomResourceDefinition manifests (files or directories) that define custom resources")
}

// completePosition reads the FILE:LINE:COL argument.
func (o *FeatureOptions) completePosition(args []string) error {
	if len(args) != 1 {
		return usageError("expected one argument, FILE:LINE:COL (e.g. deploy.yaml:12:5); got %d", len(args))
	}
	arg := args[0]
	// File names may hold colons: the position is what follows the last two.
	i := strings.LastIndexByte(arg, ':')
	j := -1
	if i > 0 {
		j = strings.LastIndexByte(arg[:i], ':')
	}
	if j <= 0 {
		return usageError("%q is not a position: expected FILE:LINE:COL, e.g. deploy.yaml:12:5 (1-based; COL counts characters)", arg)
	}
	line, err1 := strconv.Atoi(arg[j+1 : i])
	col, err2 := strconv.Atoi(arg[i+1:])
	if err1 != nil || err2 != nil || line < 1 || col < 1 {
		return usageError("%q is not a position: LINE and COL must be whole numbers from 1 (FILE:LINE:COL, e.g. deploy.yaml:12:5)", arg)
	}
	o.File, o.Line, o.Column = arg[:j], line, col
	return nil
}

// Validate checks the flags.
func (o *FeatureOptions) Validate() error {
	if o.Output != "text" && o.Output != "json" {
		return usageError("unknown output format %q: use text or json", o.Output)
	}
	return nil
}

// load reads the file and builds the engine; CRDs among the file's documents define kinds
// for the others.
func (o *FeatureOptions) load(ctx context.Context) (*engine.Engine, *yamlpos.File, error) {
	f, err := readInput(o.In, o.File, 0)
	if err != nil {
		return nil, nil, err
	}
	eng, err := newEngine(ctx, o.ConfigFlags, engine.Options{KubernetesVersion: o.KubernetesVersion, SchemaSource: o.SchemaSource}, o.ErrOut)
	if err != nil {
		return nil, nil, err
	}
	if err := eng.LoadCRDPaths(o.CRDs); err != nil {
		return nil, nil, flagError(err)
	}
	eng.AddCRDs(f)
	return eng, f, nil
}

// offset converts the 1-based line and character column to a byte offset, refusing
// positions outside the file.
func (o *FeatureOptions) offset(f *yamlpos.File) (int, error) {
	m := f.Mapper
	if o.Line > m.LineCount() {
		return 0, usageError("%s:%d:%d: line %d is past the end of the file (%d lines)", f.Name, o.Line, o.Column, o.Line, m.LineCount())
	}
	ls, le := m.LineStart(o.Line-1), m.LineEnd(o.Line-1)
	if chars := utf8.RuneCount(f.Src[ls:le]); o.Column > chars+1 {
		return 0, usageError("%s:%d:%d: column %d is past the end of line %d (%d characters: columns 1 to %d)", f.Name, o.Line, o.Column, o.Column, o.Line, chars, chars+1)
	}
	return m.LineCharOffset(o.Line, o.Column), nil
}

func (o *FeatureOptions) where(f *yamlpos.File) string {
	return fmt.Sprintf("%s:%d:%d", f.Name, o.Line, o.Column)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func rangeText(m *yamlpos.Mapper, r yamlpos.Range) string {
	jr := toRange(m, r)
	return fmt.Sprintf("%d:%d-%d:%d", jr.Start.Line, jr.Start.Column, jr.End.Line, jr.End.Column)
}

// newFeatureCommand builds a feature's command: o runs it, flags are the ones it shares.
func newFeatureCommand(use, short, long, example string, o command, flags *FeatureOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:                   use,
		DisableFlagsInUseLine: true,
		Short:                 short,
		Long:                  long,
		Example:               example,
		RunE:                  runE(o),
	}
	flags.addFlags(cmd)
	return cmd
}

const positionHelp = `LINE and COL are 1-based and COL counts characters, as editors and "validate" print
them. FILE may be - for standard input; then put -- before the position, so that it is
not read as a flag ("-- -:12:5"). With -o json, ranges are 1-based line/column
pairs like those of "validate -o json", the end exclusive.`

// HoverOptions holds the flags and inputs of `kubectl-lsp hover`.
type HoverOptions struct{ FeatureOptions }

// NewCmdHover builds `kubectl-lsp hover`.
func NewCmdHover(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &HoverOptions{FeatureOptions{ConfigFlags: flags, IOStreams: streams}}
	return newFeatureCommand("hover FILE:LINE:COL [-o text|json]",
		"Show the documentation of the field at a position, as an editor's hover does",
		`Show what the language server shows when hovering over a position of a manifest: the
documentation of the field under it (as "explain -o markdown" renders it), its path,
type, default and allowed values, a link to the Kubernetes API reference for built-in
kinds, and where the schema came from. On the apiVersion and kind values it documents
the kind. Documents that do not parse are read line by line.

`+positionHelp+`

Exit status: 0 when there is something to show, 1 when there is nothing (a comment, an
unknown field, a document that is not a Kubernetes object), 2 for usage or input errors.`,
		`  # Document the field at line 12, column 7
  kubectl-lsp hover deploy.yaml:12:7

  # The same as JSON, for a custom resource whose CRD is in ./crds
  kubectl-lsp hover --crd ./crds widget.yaml:8:5 -o json`,
		o, &o.FeatureOptions)
}

// Complete reads the position argument.
func (o *HoverOptions) Complete(_ *cobra.Command, args []string) error {
	return o.completePosition(args)
}

type jsonHover struct {
	File       string    `json:"file"`
	Range      jsonRange `json:"range"`
	Path       string    `json:"path"`
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Type       string    `json:"type"`
	Required   bool      `json:"required"`
	Default    string    `json:"default,omitempty"`
	Enum       []string  `json:"enum,omitempty"`
	Link       string    `json:"link,omitempty"`
	Source     string    `json:"source"`
	Markdown   string    `json:"markdown"`
}

// Run prints the hover.
func (o *HoverOptions) Run(ctx context.Context) error {
	eng, f, err := o.load(ctx)
	if err != nil {
		return err
	}
	off, err := o.offset(f)
	if err != nil {
		return err
	}
	h, ok := eng.Hover(f, off)
	if !ok {
		if o.Output == "json" {
			if err := writeJSON(o.Out, nil); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(o.ErrOut, "%s: nothing to show\n", o.where(f))
		}
		return &ExitError{Code: 1}
	}
	if o.Output == "json" {
		return writeJSON(o.Out, jsonHover{
			File: f.Name, Range: toRange(f.Mapper, h.Range), Path: h.Path, APIVersion: h.APIVersion, Kind: h.Kind,
			Type: h.Type, Required: h.Required, Default: h.Default, Enum: h.Enum, Link: h.Link, Source: h.Source, Markdown: h.Markdown,
		})
	}
	_, err = fmt.Fprintf(o.Out, "%s:%s\n\n%s", f.Name, rangeText(f.Mapper, h.Range), h.Markdown)
	return err
}

// CompleteOptions holds the flags and inputs of `kubectl-lsp complete`.
type CompleteOptions struct{ FeatureOptions }

// NewCmdComplete builds `kubectl-lsp complete`.
func NewCmdComplete(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CompleteOptions{FeatureOptions{ConfigFlags: flags, IOStreams: streams}}
	return newFeatureCommand("complete FILE:LINE:COL [-o text|json]",
		"List the completions at a position, as an editor's completion does",
		`List what the language server proposes when completion is asked at a position of a
manifest, which may be half-written and not parse: the fields valid there that are not
present yet (required first), values (apiVersion, kind, enum values, booleans), list
items, and in an empty document a skeleton of each kind.

Text output is one proposal per line: label, kind (field, value or snippet) and detail.
JSON has everything the server sends: insert text, snippet syntax, the range replaced,
documentation and sort order.

`+positionHelp+`

Exit status: 0 when there are proposals, 1 when there are none, 2 for usage or input
errors.`,
		`  # What can be typed at line 8, column 5
  kubectl-lsp complete deploy.yaml:8:5

  # Completions for a half-typed line from standard input, as JSON
  printf 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  rep' | kubectl-lsp complete -o json -- -:4:6`,
		o, &o.FeatureOptions)
}

// Complete reads the position argument.
func (o *CompleteOptions) Complete(_ *cobra.Command, args []string) error {
	return o.completePosition(args)
}

type jsonCompletionItem struct {
	Label         string    `json:"label"`
	Kind          string    `json:"kind"`
	Detail        string    `json:"detail"`
	Documentation string    `json:"documentation"`
	InsertText    string    `json:"insertText"`
	Snippet       bool      `json:"snippet"`
	Replace       jsonRange `json:"replace"`
	SortText      string    `json:"sortText"`
	Deprecated    bool      `json:"deprecated"`
}

type jsonCompletion struct {
	File     string               `json:"file"`
	Position jsonPos              `json:"position"`
	Items    []jsonCompletionItem `json:"items"`
}

// Run prints the proposals.
func (o *CompleteOptions) Run(ctx context.Context) error {
	eng, f, err := o.load(ctx)
	if err != nil {
		return err
	}
	off, err := o.offset(f)
	if err != nil {
		return err
	}
	items := eng.Complete(f, off, engine.CompleteOptions{Snippets: true})
	if o.Output == "json" {
		out := jsonCompletion{File: f.Name, Position: jsonPos{o.Line, o.Column}, Items: []jsonCompletionItem{}}
		for _, it := range items {
			out.Items = append(out.Items, jsonCompletionItem{
				Label: it.Label, Kind: it.Kind.String(), Detail: it.Detail, Documentation: it.Documentation,
				InsertText: it.InsertText, Snippet: it.Snippet, Replace: toRange(f.Mapper, it.Replace),
				SortText: it.SortText, Deprecated: it.Deprecated,
			})
		}
		if err := writeJSON(o.Out, out); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
		for _, it := range items {
			detail := it.Detail
			if it.Deprecated {
				detail += " (deprecated)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", it.Label, it.Kind, detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(items) == 0 {
			fmt.Fprintf(o.ErrOut, "%s: no completions\n", o.where(f))
		}
	}
	if len(items) == 0 {
		return &ExitError{Code: 1}
	}
	return nil
}

// SymbolsOptions holds the flags and inputs of `kubectl-lsp symbols`.
type SymbolsOptions struct{ FeatureOptions }

// NewCmdSymbols builds `kubectl-lsp symbols`.
func NewCmdSymbols(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &SymbolsOptions{FeatureOptions{ConfigFlags: flags, IOStreams: streams}}
	return newFeatureCommand("symbols FILE [-o text|json]",
		"Outline the resources and fields of a manifest, as an editor's outline does",
		`Print the outline the language server gives editors: one resource per document, named
Kind/name with its apiVersion, and below it the document's fields (scalars with their
values), each with its range. Empty documents and documents that do not parse are left
out.

Text output is one symbol per line, indented by nesting, with its line:column range.
FILE may be - for standard input. With -o json, ranges are 1-based line/column pairs
like those of "validate -o json", the end exclusive.`,
		`  # Outline a multi-document file
  kubectl-lsp symbols app.yaml

  # As JSON
  kubectl-lsp symbols app.yaml -o json`,
		o, &o.FeatureOptions)
}

// Complete reads the file argument.
func (o *SymbolsOptions) Complete(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError("expected one argument, the FILE to outline (- for standard input); got %d", len(args))
	}
	o.File = args[0]
	return nil
}

type jsonSymbol struct {
	Name      string       `json:"name"`
	Detail    string       `json:"detail"`
	Kind      string       `json:"kind"`
	Range     jsonRange    `json:"range"`
	Selection jsonRange    `json:"selection"`
	Children  []jsonSymbol `json:"children,omitempty"`
}

type jsonSymbols struct {
	File    string       `json:"file"`
	Symbols []jsonSymbol `json:"symbols"`
}

func toJSONSymbols(m *yamlpos.Mapper, syms []engine.Symbol) []jsonSymbol {
	out := make([]jsonSymbol, 0, len(syms))
	for _, s := range syms {
		js := jsonSymbol{Name: s.Name, Detail: s.Detail, Kind: s.Kind.String(), Range: toRange(m, s.Range), Selection: toRange(m, s.Selection)}
		if len(s.Children) > 0 {
			js.Children = toJSONSymbols(m, s.Children)
		}
		out = append(out, js)
	}
	return out
}

// Run prints the outline.
func (o *SymbolsOptions) Run(ctx context.Context) error {
	eng, f, err := o.load(ctx)
	if err != nil {
		return err
	}
	syms := eng.Symbols(f)
	if o.Output == "json" {
		return writeJSON(o.Out, jsonSymbols{File: f.Name, Symbols: toJSONSymbols(f.Mapper, syms)})
	}
	var b strings.Builder
	var write func(syms []engine.Symbol, depth int)
	write = func(syms []engine.Symbol, depth int) {
		for _, s := range syms {
			b.WriteString(strings.Repeat("  ", depth) + s.Name)
			if s.Detail != "" {
				b.WriteString("  " + s.Detail)
			}
			b.WriteString("  " + rangeText(f.Mapper, s.Range) + "\n")
			write(s.Children, depth+1)
		}
	}
	write(syms, 0)
	_, err = io.WriteString(o.Out, b.String())
	return err
}
