package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/quietinit/hugeheap"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/lsp"
)

// ServeOptions holds the flags of `kubectl-lsp serve`.
type ServeOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Stdio             bool
	LogFile           string
	LogLevel          string
	KubernetesVersion string
	SchemaSource      string
	CRDs              []string

	level slog.Level
}

var serveExample = `  # Neovim (0.8+)
  vim.lsp.start({name = "kubectl-lsp", cmd = {"kubectl-lsp", "serve", "--stdio"}})

  # Log what the server does, for a bug report
  kubectl-lsp serve --stdio --log-file /tmp/kubectl-lsp.log --log-level debug`

// NewCmdServe builds `kubectl-lsp serve`.
func NewCmdServe(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ServeOptions{ConfigFlags: flags, IOStreams: streams, Stdio: true, LogLevel: "info", SchemaSource: engine.SourceAuto}
	cmd := &cobra.Command{
		Use:   "serve [--stdio]",
		Short: "Run the language server (LSP over standard input and output)",
		Long: `Run kubectl-lsp as a language server for editors: diagnostics as you type, hover
documentation, completion and document symbols for Kubernetes manifests, over the Language
Server Protocol on standard input and output.

Editors start it themselves. Settings come from the editor (initializationOptions and
workspace/didChangeConfiguration: kubernetesVersion, schemaSource, crdPaths, kubeconfig,
context, dryRun, debounceMs, validate, ...); the flags below are the defaults the editor's
settings override.

With the auto or cluster schema source, schemas come from the cluster of the current
context (or --context): OpenAPI v3, CRDs included, cached in kubectl's cache folder so that
a warm start makes no network call, and checked for changes in the background. The
server never waits on the cluster: until its schemas are there, the embedded ones answer.`,
		Example: serveExample,
		Args:    cobra.NoArgs,
		RunE:    runE(o),
	}
	cmd.Flags().BoolVar(&o.Stdio, "stdio", o.Stdio, "speak LSP over standard input and output (the only transport)")
	cmd.Flags().StringVar(&o.LogFile, "log-file", o.LogFile, "append the server's log to this file instead of standard error")
	cmd.Flags().StringVar(&o.LogLevel, "log-level", o.LogLevel, "log level: debug, info, warn or error")
	cmd.Flags().StringVar(&o.KubernetesVersion, "kubernetes-version", o.KubernetesVersion, "default Kubernetes release whose schemas apply (e.g. 1.34)")
	cmd.Flags().StringVar(&o.SchemaSource, "schema-source", o.SchemaSource, "default schema source: auto, cluster or builtin")
	cmd.Flags().StringArrayVar(&o.CRDs, "crd", nil, "default CRD manifest files or directories (repeatable)")
	return cmd
}

// Complete parses --log-level.
func (o *ServeOptions) Complete(*cobra.Command, []string) error {
	if err := o.level.UnmarshalText([]byte(strings.ToLower(o.LogLevel))); err != nil {
		return usageError("--log-level %q: use debug, info, warn or error", o.LogLevel)
	}
	return nil
}

// Validate checks the flags.
func (o *ServeOptions) Validate() error {
	if !o.Stdio {
		return usageError("serve: only --stdio is supported")
	}
	return nil
}

// Run serves one editor session until it exits.
func (o *ServeOptions) Run(ctx context.Context) error {
	// The server runs for hours: its heap needs no huge pages (see hugeheap.Withdraw).
	hugeheap.Withdraw()
	logOut := o.ErrOut
	if o.LogFile != "" {
		f, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return usageError("--log-file: %v", err)
		}
		defer f.Close()
		logOut = f
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: o.level}))
	srv := lsp.NewServer(lsp.Options{
		Logger:      logger,
		ConfigFlags: o.ConfigFlags,
		Settings: lsp.Settings{
			KubernetesVersion: o.KubernetesVersion,
			SchemaSource:      o.SchemaSource,
			CRDPaths:          o.CRDs,
		},
	})
	logger.Info("kubectl-lsp serving on standard input and output")
	err := srv.Serve(ctx, stdio{in: o.In, out: o.Out})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, lsp.ErrExitWithoutShutdown):
		logger.Info("exiting", "reason", err)
		return &ExitError{Code: 1}
	default:
		logger.Error("serving", "err", err)
		return &ExitError{Code: 1, Err: fmt.Errorf("serve: %w", err)}
	}
}

// stdio joins standard input and output into the server's connection.
type stdio struct {
	in  io.Reader
	out io.Writer
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }
func (s stdio) Close() error                { return nil }
