package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// sourceHelp documents --schema-source for every command that has it.
const sourceHelp = "where schemas come from: auto (the current context's cluster when there is one and it answers, else the embedded release), cluster (fail when it cannot be read) or builtin"

// settingFlags name, for a command-line user, the settings the engine's errors name.
var settingFlags = map[string]string{
	"schemaSource":      "--schema-source: ",
	"kubernetesVersion": "--kubernetes-version: ",
	"crdPaths":          "--crd ", // its errors start with the path
}

// flagError turns an engine error about a setting into a usage error naming its flag.
func flagError(err error) error {
	var se *engine.SettingError
	if errors.As(err, &se) {
		if flag, ok := settingFlags[se.Setting]; ok {
			return usageError("%s%v", flag, se.Err)
		}
	}
	return &ExitError{Code: 2, Err: err}
}

// connectSchemas opens the cluster a command's --schema-source selects and loads its
// schemas, or returns nil for the embedded schemas. What happens when the cluster cannot
// be used is the engine's policy (engine.Fallback); this prints its note on errOut.
func connectSchemas(ctx context.Context, flags *genericclioptions.ConfigFlags, source, release string, errOut io.Writer) (*engine.Cluster, error) {
	choice, err := engine.ChooseCluster(source, release)
	if err != nil {
		return nil, flagError(err)
	}
	c, err := engine.Connect(engine.ClusterOptions{Choice: choice, Flags: flags, Wait: true})
	if err == nil {
		var note string
		if note, err = c.Start(ctx); err == nil {
			if note != "" {
				fmt.Fprintf(errOut, "kubectl-lsp: %s\n", note)
			}
			return c, nil
		}
	}
	note, fatal := engine.Fallback(choice, err)
	if fatal {
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("--schema-source=cluster: %w", err)}
	}
	if note != "" {
		fmt.Fprintf(errOut, "kubectl-lsp: %s\n", note)
	}
	return nil, nil
}

// newEngine builds a command's engine with the schema source its flags select.
func newEngine(ctx context.Context, flags *genericclioptions.ConfigFlags, opts engine.Options, errOut io.Writer) (*engine.Engine, error) {
	cluster, err := connectSchemas(ctx, flags, opts.SchemaSource, opts.KubernetesVersion, errOut)
	if err != nil {
		return nil, err
	}
	var src engine.ClusterSource
	if cluster != nil {
		src = cluster.Schemas()
	}
	eng, err := engine.New(opts.WithCluster(src))
	if err != nil {
		return nil, flagError(err)
	}
	return eng, nil
}

// terminal is the user's terminal for interactive credential plugins: standard input
// when it is one (not a pipe of manifests, not a script's).
func terminal(streams genericiooptions.IOStreams) *engine.Terminal {
	f, ok := streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &engine.Terminal{In: f, ErrOut: streams.ErrOut}
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
