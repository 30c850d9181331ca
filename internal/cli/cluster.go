package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// autoTimeout bounds each call to the cluster when the schema source is auto (the
// embedded schemas are a fine answer; a dead cluster must not stall a CI job).
const autoTimeout = 5 * time.Second

// sourceHelp documents --schema-source for every command that has it.
const sourceHelp = "where schemas come from: auto (the current context's cluster when there is one and it answers, else the embedded release), cluster (fail when it cannot be read) or builtin"

// clusterSchemas returns the cluster schema source a command should use, or nil for the
// embedded schemas. With "auto", a missing context, an unreadable kubeconfig or an
// unreachable cluster (with nothing cached) fall back with a note on errOut; with
// "cluster" they are errors. An explicit --kubernetes-version with "auto" means the
// embedded release.
func clusterSchemas(ctx context.Context, flags *genericclioptions.ConfigFlags, source, release string, errOut io.Writer) (*kube.Schemas, error) {
	switch source {
	case engine.SourceBuiltin:
		return nil, nil
	case "", engine.SourceAuto:
		if release != "" {
			return nil, nil
		}
	case engine.SourceCluster:
	default:
		return nil, usageError("unknown schema source %q: use auto, cluster or builtin", source)
	}
	auto := source != engine.SourceCluster
	opts := kube.Options{Flags: flags}
	if auto && (flags == nil || flags.Timeout == nil || *flags.Timeout == "" || *flags.Timeout == "0") {
		opts.Timeout = autoTimeout
	}
	c, err := kube.New(opts)
	if err != nil {
		if auto {
			if !errors.Is(err, kube.ErrNoContext) {
				fmt.Fprintf(errOut, "kubectl-lsp: not using a cluster: %v; using the embedded schemas\n", err)
			}
			return nil, nil
		}
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("--schema-source=cluster: %w", err)}
	}
	s := kube.NewSchemas(c, kube.SchemaOptions{Wait: true})
	if err := s.Start(ctx); err != nil {
		if auto {
			fmt.Fprintf(errOut, "kubectl-lsp: %s: %v; using the embedded schemas\n", c, err)
			return nil, nil
		}
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("--schema-source=cluster: %s: %w", c, err)}
	}
	if st := s.Status(); st.LastError != "" {
		fmt.Fprintf(errOut, "kubectl-lsp: %s: %s; using the schemas cached at %s\n", c, st.LastError, st.LastRefresh.Format(time.RFC3339))
	}
	return s, nil
}

// newEngine builds a command's engine with the schema source its flags select.
func newEngine(ctx context.Context, flags *genericclioptions.ConfigFlags, opts engine.Options, errOut io.Writer) (*engine.Engine, error) {
	cluster, err := clusterSchemas(ctx, flags, opts.SchemaSource, opts.KubernetesVersion, errOut)
	if err != nil {
		return nil, err
	}
	if cluster != nil {
		opts.Cluster = cluster
	} else if opts.SchemaSource == engine.SourceAuto {
		opts.SchemaSource = engine.SourceBuiltin
	}
	eng, err := engine.New(opts)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return eng, nil
}

// terminal is the user's terminal for interactive credential plugins: standard input
// when it is one (not a pipe of manifests, not a script's).
func terminal(streams genericiooptions.IOStreams) *kube.Terminal {
	f, ok := streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &kube.Terminal{In: f, ErrOut: streams.ErrOut}
}

// login gets the credentials of c's exec credential plugin before the first request,
// giving an interactive login up to kube.LoginTimeout.
func login(ctx context.Context, c *kube.Client) error {
	ctx, cancel := context.WithTimeout(ctx, kube.LoginTimeout)
	defer cancel()
	if err := c.Login(ctx); err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	return nil
}
