package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
)

// VersionOptions holds the flags of `kubectl-lsp version`.
type VersionOptions struct {
	genericiooptions.IOStreams
	Output string // "" (one line of text) or "json"
}

// addVersion gives root its version command and makes --version print the same line.
func addVersion(root *cobra.Command, streams genericiooptions.IOStreams) {
	root.Version = version.Get().String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(NewCmdVersion(streams))
}

// NewCmdVersion is `kubectl-lsp version`.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version [-o json]",
		Short: "Print the kubectl-lsp version, commit and build date",
		Long: `Print the kubectl-lsp release, the commit and date it was built from, and the Go
version and platform. A release build carries them from its build; a "go install
...@vX" build reports vX, and a build in a git checkout the commit Go recorded.`,
		Example: `  kubectl-lsp version
  kubectl lsp version -o json | jq -r .version`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "output format: json (default: one line of text)")
	return cmd
}

// Complete has nothing to fill: the flag is the whole input.
func (o *VersionOptions) Complete(*cobra.Command, []string) error { return nil }

// Validate checks the output format.
func (o *VersionOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return usageError("--output %q is not supported: use json, or leave it out for text", o.Output)
	}
	return nil
}

// Run prints the version.
func (o *VersionOptions) Run(context.Context) error {
	info := version.Get()
	if o.Output == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	_, err := fmt.Fprintln(o.Out, info.String())
	return err
}
