package cli

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/util/completion"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// Shell completion of flag values and arguments (cobra's `completion` command and
// `__complete`, which kubectl_complete-lsp calls for `kubectl lsp <TAB>`): kubeconfig
// names as kubectl completes them, namespaces from the cluster, the fixed values of
// kubectl-lsp's own flags, resource types and fields for explain, plugin names.

type completionFunc = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)

// fixedValues completes a flag from a list.
func fixedValues(values ...string) completionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, toComplete) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// outputFormats are the -o values of each command that has -o (by its name).
var outputFormats = map[string][]string{
	"validate": {"text", "json", "junit", "sarif", "github"},
	"explain":  {"plaintext", "markdown"},
	"version":  {"json"},
}

// registerCompletions gives every command's flags their value completions. Nothing is
// read until the shell asks.
func registerCompletions(root *cobra.Command, flags *genericclioptions.ConfigFlags) {
	completion.SetFactoryForCompletion(cmdutil.NewFactory(flags))
	byFlag := map[string]completionFunc{
		"context": completion.ContextCompletionFunc,
		"cluster": completion.ClusterCompletionFunc,
		"user":    completion.UserCompletionFunc,
		"namespace": func(c *cobra.Command, a []string, s string) ([]string, cobra.ShellCompDirective) {
			return namespaces(flags, c, a, s)
		},
		"schema-source":      fixedValues(engine.SourceAuto, engine.SourceCluster, engine.SourceBuiltin),
		"kubernetes-version": fixedValues(builtin.Versions()...),
		"dry-run":            fixedValues("none", "client", "server"),
		"cascade":            fixedValues("background", "foreground", "orphan"),
		"kustomize":          directories,
	}
	for name, fn := range byFlag {
		if root.PersistentFlags().Lookup(name) != nil {
			_ = root.RegisterFlagCompletionFunc(name, fn)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if fn, ok := byFlag[f.Name]; ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, fn)
			}
		})
		if c.Flags().Lookup("output") != nil {
			formats, ok := outputFormats[c.Name()]
			if !ok {
				formats = []string{"text", "json"}
			}
			_ = c.RegisterFlagCompletionFunc("output", fixedValues(formats...))
		}
		switch c.CommandPath() {
		case "kubectl-lsp explain":
			c.ValidArgsFunction = explainArgs
		case "kubectl-lsp plugins run":
			c.ValidArgsFunction = pluginNames
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// namespaces lists the cluster's namespaces, as kubectl completes -n.
// directories lets the shell complete directory names (-k).
func directories(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

func namespaces(flags *genericclioptions.ConfigFlags, c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return completion.ResourceNameCompletionFunc(cmdutil.NewFactory(flags), "namespace")(c, args, toComplete)
}

// explainArgs completes explain's TYPE[.FIELD...] from the embedded schemas (offline:
// a TAB never waits on a cluster), of the release --kubernetes-version names.
func explainArgs(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	release, _ := c.Flags().GetString("kubernetes-version")
	eng, err := engine.New(engine.Options{SchemaSource: engine.SourceBuiltin, KubernetesVersion: release})
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return explain.Complete(eng.Source(), toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// pluginNames completes the plugin to run: the runnable plugins on PATH.
func pluginNames(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	var out []string
	for _, p := range engine.Plugins(os.Getenv("PATH")) {
		if p.Executable && strings.HasPrefix(p.Name, toComplete) {
			out = append(out, p.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
