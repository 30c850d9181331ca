// Package cli holds kubectl-lsp's commands, in kubectl's pattern, with one shape for all:
// an XOptions struct per command, flags from cli-runtime, errors returned rather than
// exits, and three methods that runE, every command's RunE, calls in this order:
//
//   - Complete(cmd, args) fills the derived fields from the flags, the arguments and the
//     environment (PATH). It reads no file and makes no network call.
//   - Validate() checks the fields and their combinations, without I/O.
//   - Run(ctx) does the work with the command's context.
//
// The rule: whatever touches the file system or a cluster is Run's. That is reading the
// manifests (expanding directories included), CRDs, the kubeconfig and plugins on PATH,
// opening log files, and connecting to a cluster. Run reads the manifests before it asks a
// cluster anything, so that a bad input fails at once. Usage errors (exit status 2) come
// from Complete and Validate; Run's errors carry their own status (ExitError).
package cli

import (
	"context"
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

// command is the shape of every command's options (see the package doc).
type command interface {
	Complete(cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// runE is every command's RunE: o's Complete, Validate and Run, in order, with the
// command's context.
func runE(o command) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		return o.Run(ctx)
	}
}

// EndStartupPause, set by main, gives the garbage collector back the setting that main's
// package initialisers paused (internal/quietinit). Every command calls it before it runs
// but validate, which leaves a small run's collector paused (see tuneGC). Nil when the
// collector was not paused (tests).
var EndStartupPause func()

func endStartupPause() {
	if EndStartupPause != nil {
		EndStartupPause()
	}
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
		// validate has its own: it sets the collector for its run's size.
		PersistentPreRun: func(*cobra.Command, []string) { endStartupPause() },
	}
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SetIn(streams.In)
	flags := genericclioptions.NewConfigFlags(true)
	flags.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(NewCmdValidate(flags, streams))
	cmd.AddCommand(NewCmdExplain(flags, streams))
	cmd.AddCommand(NewCmdHover(flags, streams), NewCmdComplete(flags, streams), NewCmdSymbols(flags, streams))
	cmd.AddCommand(NewCmdDefinition(streams), NewCmdRefs(streams))
	cmd.AddCommand(NewCmdApply(flags, streams), NewCmdDiff(flags, streams), NewCmdDelete(flags, streams))
	cmd.AddCommand(NewCmdServe(flags, streams))
	cmd.AddCommand(NewCmdPlugins(flags, streams))
	addVersion(cmd, streams)
	registerCompletions(cmd, flags)
	return cmd
}
