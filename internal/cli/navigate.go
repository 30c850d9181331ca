package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Navigation by position, headless: what the language server's go-to-definition and
// find-references answer, from the same index of the manifests under a folder.

// NavigateOptions holds the flags and inputs of `kubectl-lsp definition` and `refs`.
type NavigateOptions struct {
	FeatureOptions
	// Root is the folder whose manifests are indexed.
	Root string
	// References lists references (refs) instead of the definition.
	References bool
	// Declaration includes the object's own name among its references.
	Declaration bool
}

const navigateHelp = `The workspace is every .yaml, .yml and .json manifest under --root (default: the
current folder), hidden folders and node_modules left out. A reference resolves in the
namespace of the object holding it (metadata.namespace, else "default"); cluster-scoped
kinds (ClusterRole, StorageClass, PriorityClass, IngressClass, ...) have none.

References are the names a Kubernetes object uses for another: configMapRef,
configMapKeyRef and configMap volumes (ConfigMap); secretRef, secretKeyRef, secret
volumes, imagePullSecrets and Ingress TLS (Secret); serviceAccountName and RoleBinding
subjects (ServiceAccount); persistentVolumeClaim.claimName; roleRef (Role, ClusterRole);
scaleTargetRef (the workload); Ingress and HTTPRoute backends (Service); parentRefs
(Gateway); priorityClassName, storageClassName, ingressClassName, runtimeClassName.

LINE and COL are 1-based and COL counts characters, as editors and "validate" print
them. Text output is FILE:LINE:COL per location, with the line's text; -o json gives
file and range (1-based line/column pairs, the end exclusive).`

// NewCmdDefinition builds `kubectl-lsp definition`.
func NewCmdDefinition(streams genericiooptions.IOStreams) *cobra.Command {
	o := &NavigateOptions{FeatureOptions: FeatureOptions{IOStreams: streams}}
	return o.command("definition FILE:LINE:COL [--root DIR] [-o text|json]",
		"Show where the object named at a position is defined, as an editor's go-to-definition does",
		`Find the object a reference at a position names (the ConfigMap of a configMapRef, the
Role of a roleRef, ...) among the manifests of a folder, as the language server's "go to
definition" does.

`+navigateHelp+`

Exit status: 0 when the object is found, 1 when it is not (or nothing is referenced at
the position), 2 for usage or input errors.`,
		`  # Where is the ConfigMap that line 22 of deploy.yaml refers to?
  kubectl-lsp definition deploy.yaml:22:24

  # Across a repository, as JSON
  kubectl-lsp definition --root ~/src/infra apps/web/deploy.yaml:22:24 -o json`)
}

// NewCmdRefs builds `kubectl-lsp refs`.
func NewCmdRefs(streams genericiooptions.IOStreams) *cobra.Command {
	o := &NavigateOptions{FeatureOptions: FeatureOptions{IOStreams: streams}, References: true}
	cmd := o.command("refs FILE:LINE:COL [--root DIR] [--include-declaration] [-o text|json]",
		"List what refers to the object named at a position, as an editor's find-references does",
		`List the references to the object named at a position (its metadata.name, or a reference
to it) in the manifests of a folder, as the language server's "find references" does.
For a Service they include the workloads its selector matches; for a workload, the
Services selecting it.

`+navigateHelp+`

Exit status: 0 when there are references, 1 when there are none, 2 for usage or input
errors.`,
		`  # What uses the ConfigMap defined at line 4 of config.yaml?
  kubectl-lsp refs config.yaml:4:9

  # The same with the definition itself, as JSON
  kubectl-lsp refs --include-declaration -o json config.yaml:4:9`)
	cmd.Flags().BoolVar(&o.Declaration, "include-declaration", false, "list the object's own name too")
	return cmd
}

func (o *NavigateOptions) command(use, short, long, example string) *cobra.Command {
	cmd := &cobra.Command{Use: use, DisableFlagsInUseLine: true, Short: short, Long: long, Example: example, RunE: runE(o)}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	f.StringVar(&o.Root, "root", ".", "the folder whose manifests are searched")
	return cmd
}

// Complete reads the position argument.
func (o *NavigateOptions) Complete(_ *cobra.Command, args []string) error {
	return o.completePosition(args)
}

// Validate checks the flags.
func (o *NavigateOptions) Validate() error {
	if o.File == "-" {
		return usageError("the manifest must be a file of the workspace, not standard input")
	}
	return o.FeatureOptions.Validate()
}

type jsonLocation struct {
	File  string    `json:"file"`
	Range jsonRange `json:"range"`
}

// Run indexes the folder and prints the locations.
func (o *NavigateOptions) Run(ctx context.Context) error {
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if info, err := os.Stat(root); err != nil || !info.IsDir() {
		return usageError("--root %s: not a folder", o.Root)
	}
	path, err := filepath.Abs(o.File)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	f, err := readInput(o.In, path, 0)
	if err != nil {
		return err
	}
	index := engine.NewIndex()
	index.LoadTree(ctx, root, nil)
	index.Set(f)
	off, err := o.offset(f)
	if err != nil {
		return err
	}
	var locs []engine.Location
	if o.References {
		_, locs, _ = index.References(f, off, o.Declaration)
	} else {
		_, locs, _ = index.Definition(f, off)
	}
	return o.print(locs)
}

func (o *NavigateOptions) print(locs []engine.Location) error {
	cwd, _ := os.Getwd()
	show := func(name string) string {
		if rel, err := filepath.Rel(cwd, name); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
		return name
	}
	if o.Output == "json" {
		out := make([]jsonLocation, 0, len(locs))
		for _, l := range locs {
			out = append(out, jsonLocation{File: show(l.File.Name), Range: toRange(l.File.Mapper, l.Range)})
		}
		if err := writeJSON(o.Out, out); err != nil {
			return err
		}
	} else {
		for _, l := range locs {
			line, col := l.File.Mapper.OffsetLineChar(l.Range.Start)
			fmt.Fprintf(o.Out, "%s:%d:%d: %s\n", show(l.File.Name), line, col, strings.TrimSpace(lineText(l.File, line)))
		}
	}
	if len(locs) == 0 {
		if o.Output == "text" {
			fmt.Fprintf(o.ErrOut, "%s:%d:%d: nothing found\n", o.File, o.Line, o.Column)
		}
		return &ExitError{Code: 1}
	}
	return nil
}

// lineText is the text of a 1-based line.
func lineText(f *yamlpos.File, line int) string {
	m := f.Mapper
	return string(f.Src[m.LineStart(line-1):m.LineEnd(line-1)])
}
