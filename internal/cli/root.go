// Package cli holds kubectl-lsp's commands, in kubectl's pattern: an XOptions struct per
// command with Complete, Validate and Run, flags from cli-runtime, and errors returned
// rather than exits.
package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
)

// ExitError carries a process exit code: 1 for findings, 2 for usage or I/O errors.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 2
}

// usageError marks an error in how the command was called (exit code 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

// NewRootCommand builds the kubectl-lsp command tree.
func NewRootCommand(streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kubectl-lsp",
		Short: "Validate, explain and edit Kubernetes manifests with the schemas your cluster serves",
		Long: `kubectl-lsp validates Kubernetes manifests against the schemas a Kubernetes release
(or your cluster) publishes, explains their fields, and serves the same engine to editors
over the Language Server Protocol.

Installed on PATH it also works as a kubectl plugin: "kubectl lsp validate ...".`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.Version,
	}
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SetIn(streams.In)
	flags := genericclioptions.NewConfigFlags(true)
	flags.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(NewCmdValidate(flags, streams))
	cmd.AddCommand(NewCmdExplain(flags, streams))
	cmd.AddCommand(NewCmdHover(flags, streams), NewCmdComplete(flags, streams), NewCmdSymbols(flags, streams))
	cmd.AddCommand(NewCmdApply(flags, streams), NewCmdDiff(flags, streams), NewCmdDelete(flags, streams))
	cmd.AddCommand(NewCmdServe(flags, streams))
	cmd.AddCommand(NewCmdPlugins(flags, streams))
	addVersion(cmd, streams)
	return cmd
}
