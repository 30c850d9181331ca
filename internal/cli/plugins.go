package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/plugins"
)

// PluginsOptions holds what `kubectl-lsp plugins`, the parent of list and run, is given.
type PluginsOptions struct {
	cmd  *cobra.Command
	args []string
}

// NewCmdPlugins builds `kubectl-lsp plugins` with its subcommands list and run.
func NewCmdPlugins(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &PluginsOptions{}
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List kubectl plugins and run one on a resource of a manifest",
		Long: `Work with kubectl plugins: the executables named kubectl-NAME on your PATH that kubectl
runs as "kubectl NAME".

"plugins list" finds them exactly as "kubectl plugin list" does, with the same output and
warnings. "plugins run" runs one on a resource of a manifest file, passing the resource's
kind, name and namespace as arguments (or the document on standard input), without a
shell, after checking those values are valid Kubernetes names.`,
		Example: `  # Which plugins would kubectl run, and which are shadowed or not executable?
  kubectl-lsp plugins list

  # Run kubectl-tree on the Deployment of deploy.yaml: kubectl-tree Deployment/web -n prod
  kubectl-lsp plugins run tree -f deploy.yaml`,
		RunE: runE(o),
	}
	cmd.AddCommand(NewCmdPluginsList(streams), NewCmdPluginsRun(flags, streams))
	return cmd
}

// Complete keeps the command, whose help Run prints, and the arguments.
func (o *PluginsOptions) Complete(cmd *cobra.Command, args []string) error {
	o.cmd, o.args = cmd, args
	return nil
}

// Validate refuses arguments: they are a subcommand cobra did not know.
func (o *PluginsOptions) Validate() error {
	if len(o.args) > 0 {
		return usageError("unknown command %q for %q: use list or run (see --help)", o.args[0], o.cmd.CommandPath())
	}
	return nil
}

// Run prints the help, which lists the subcommands.
func (o *PluginsOptions) Run(context.Context) error { return o.cmd.Help() }

// PluginsListOptions holds the flags of `kubectl-lsp plugins list`.
type PluginsListOptions struct {
	genericiooptions.IOStreams

	NameOnly bool

	pathEnv string
}

// NewCmdPluginsList builds `kubectl-lsp plugins list`.
func NewCmdPluginsList(streams genericiooptions.IOStreams) *cobra.Command {
	o := &PluginsListOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "list [--name-only]",
		Short: `List the kubectl plugins on PATH, as "kubectl plugin list" does`,
		Long: `List every file on your PATH whose name starts with "kubectl-", directory by directory
in PATH order, exactly as "kubectl plugin list" (kubectl 1.37) does: the same text on the
same streams, and the same warnings on standard error under each plugin:

  - not executable: kubectl will not run it;
  - overshadowed by a similarly named plugin: an earlier PATH directory has a file of the
    same name, which kubectl runs instead;
  - overwrites existing command: its name is a kubectl command (kubectl-version), or starts
    with one (kubectl-config-view, kubectl-create-foo), so "kubectl version" runs the
    built-in and never the plugin.

A plugin is called by its file name without "kubectl-", with "-" between subcommand words
and "_" for a dash inside a word: kubectl-foo_bar is "kubectl foo-bar", kubectl-foo-bar is
"kubectl foo bar".

Exit status: 0 when plugins were found and nothing was wrong, 1 when there are none or
there were warnings (as kubectl), 2 for usage errors.`,
		Example: `  # List the plugins with their full paths, and the warnings kubectl would print
  kubectl-lsp plugins list

  # Only the file names
  kubectl-lsp plugins list --name-only`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	cmd.Flags().BoolVar(&o.NameOnly, "name-only", false, "print each plugin's file name rather than its full path")
	return cmd
}

// Complete reads PATH.
func (o *PluginsListOptions) Complete(*cobra.Command, []string) error {
	o.pathEnv = os.Getenv("PATH")
	return nil
}

// Validate has nothing to check: --name-only is the only flag.
func (o *PluginsListOptions) Validate() error { return nil }

// Run lists the plugins.
func (o *PluginsListOptions) Run(context.Context) error {
	found, dirWarnings := plugins.Discover(o.pathEnv)
	if !plugins.WriteList(o.Out, o.ErrOut, found, dirWarnings, o.NameOnly) {
		// The messages are printed already, as kubectl prints them.
		return &ExitError{Code: 1}
	}
	return nil
}

// PluginsRunOptions holds the flags and inputs of `kubectl-lsp plugins run`.
type PluginsRunOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Filename     string
	Index        int
	ResourceName string
	Stdin        bool
	Timeout      time.Duration
	ArgTemplate  []string
	Verbose      bool

	// PluginName is the plugin as typed after "kubectl"; ExtraArgs follow "--".
	PluginName string
	ExtraArgs  []string

	indexSet bool
	pathEnv  string
}

var pluginsRunExample = `  # Run kubectl-tree on the only resource of deploy.yaml, which declares namespace prod:
  #   kubectl-tree Deployment/web -n prod
  kubectl-lsp plugins run tree -f deploy.yaml

  # The Service named web in a file of several documents, in the cluster of context
  # staging (namespace dev unless the document names one):
  #   kubectl-tree Service/web -n dev --context=staging
  kubectl-lsp plugins run tree -f app.yaml --name Service/web -n dev --context staging

  # The third document (counting from 0, as "validate -v" does), with an argument of the
  # plugin's own after --:  kubectl-who_can ... -o wide
  kubectl-lsp plugins run who-can -f app.yaml --index 2 -- -o wide

  # Pipe the document to a plugin that reads standard input (kubectl-neat < document)
  kubectl-lsp plugins run neat -f deploy.yaml --stdin

  # Your own argv, one --arg per argument:
  #   kubectl-foo get --target=Deployment/web --file=/abs/path/deploy.yaml
  kubectl-lsp plugins run foo -f deploy.yaml --arg get --arg '--target={kind}/{name}' --arg '--file={file}'

  # Print the command line before running it, give up after 5 seconds
  kubectl-lsp plugins run tree -f deploy.yaml -v --timeout 5s`

// NewCmdPluginsRun builds `kubectl-lsp plugins run`.
func NewCmdPluginsRun(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &PluginsRunOptions{ConfigFlags: flags, IOStreams: streams, Timeout: plugins.DefaultTimeout}
	cmd := &cobra.Command{
		Use:                   "run NAME -f FILE [--index N | --name [KIND/]NAME] [--stdin] [--arg TEMPLATE]... [--timeout D] [-- ARGS...]",
		DisableFlagsInUseLine: true,
		Short:                 "Run a kubectl plugin on a resource of a manifest",
		Long: `Run the kubectl plugin NAME (as you would type it after "kubectl": tree, view-secret,
"foo bar") on one resource of a manifest file. The plugin is the executable kubectl would
run: the first kubectl-NAME on PATH, with "-" in NAME meaning "_" in the file name.

The resource is the file's only document, or the one chosen with --index (counting every
document from 0, as "validate -v" does) or --name (metadata.name, or KIND/NAME). Its
namespace is the document's; -n gives one to documents without it; cluster-scoped kinds
get none. --context is passed on when given.

The plugin is run directly, never through a shell, with this argv:

  kubectl-NAME KIND/NAME [-n NAMESPACE] [--context=CONTEXT] [ARGS after --]

--stdin writes the document to the plugin's standard input and passes no resource
arguments. --arg replaces the arguments, one argv element per --arg, with placeholders
{kind}, {name}, {namespace}, {context} and {file} (the manifest's absolute path) replaced
inside that one element; other braces stay as written, so JSONPath and Go templates pass
through.

Safety: the kind, name and namespace come from the file, so before anything runs they are
checked as the apiserver checks them (kind an identifier, name a DNS subdomain, namespace
a DNS label; RBAC names may also hold ":" and a few other characters, never ones a shell
interprets). A document named "x; rm -rf ~" or "$(...)" is refused and nothing runs, and
so is a --context that starts with "-" (it would read as a flag).

The plugin's standard output and error are captured (up to 1 MiB each) and printed when
it exits. After --timeout, or on Ctrl-C, the plugin and every process it started (its
process group) are killed; when it exits, whatever it left running is killed too. On
Linux this includes processes that left the group (setsid, daemons): each run marks its
processes' environment with KUBECTL_LSP_PLUGIN_RUN, and those still marked are killed;
a process that clears its environment escapes.

Exit status: the plugin's own; 2 when it could not be run (not found, refused, timed out,
killed by a signal) or for usage errors.`,
		Example: pluginsRunExample,
		RunE:    runE(o),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Filename, "filename", "f", "", "the manifest holding the resource (- for standard input)")
	f.IntVar(&o.Index, "index", 0, "run on the document at this index of the file (from 0, counting every ---)")
	f.StringVar(&o.ResourceName, "name", "", "run on the document with this metadata.name (or KIND/NAME)")
	f.BoolVar(&o.Stdin, "stdin", false, "write the document to the plugin's standard input instead of passing KIND/NAME")
	f.StringArrayVar(&o.ArgTemplate, "arg", nil, "an argv element replacing the default arguments, with {kind}, {name}, {namespace}, {context}, {file} (repeatable)")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "kill the plugin and its processes after this long")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "print the command line before running it")
	return cmd
}

// Complete reads the plugin name and the arguments after --.
func (o *PluginsRunOptions) Complete(cmd *cobra.Command, args []string) error {
	before := args
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		before, o.ExtraArgs = args[:dash], args[dash:]
	}
	switch len(before) {
	case 0:
		return usageError("which plugin? Give its name, e.g. \"plugins run tree -f deploy.yaml\" (see \"plugins list\")")
	case 1:
		o.PluginName = before[0]
	default:
		return usageError("one plugin name expected, got %q: put the plugin's own arguments after --", before)
	}
	o.indexSet = cmd.Flags().Changed("index")
	o.pathEnv = os.Getenv("PATH")
	return nil
}

// Validate checks the flags.
func (o *PluginsRunOptions) Validate() error {
	if o.Filename == "" {
		return usageError("-f FILE is required: the manifest holding the resource to run the plugin on")
	}
	if o.indexSet && o.ResourceName != "" {
		return usageError("--index and --name both choose the document: give one")
	}
	if o.indexSet && o.Index < 0 {
		return usageError("--index %d: documents are counted from 0", o.Index)
	}
	if o.Timeout <= 0 {
		return usageError("--timeout %s: must be positive", o.Timeout)
	}
	if o.Stdin && o.Filename == "-" {
		return usageError("--stdin with -f -: the manifest already comes on standard input; save it to a file")
	}
	return nil
}

// resource is a document and the object it holds (or why it holds none).
type resource struct {
	doc *yamlpos.Document
	obj engine.Object
	err error
}

func (r resource) String() string {
	s := fmt.Sprintf("document %d", r.doc.Index)
	if r.err != nil {
		return s + " (" + r.err.Error() + ")"
	}
	return s + ": " + r.obj.Ref()
}

func readResource(d *yamlpos.Document) resource {
	o, err := engine.ReadObject(d)
	return resource{doc: d, obj: o, err: err}
}

// pick chooses the document the plugin runs on.
func (o *PluginsRunOptions) pick(f *yamlpos.File) (resource, error) {
	var all []resource
	for _, d := range f.Docs {
		d.ParseDoc()
		if !d.Empty() {
			all = append(all, readResource(d))
		}
	}
	list := func(rs []resource) string {
		s := make([]string, len(rs))
		for i, r := range rs {
			s[i] = "  " + r.String()
		}
		return strings.Join(s, "\n")
	}
	var r resource
	switch {
	case o.indexSet:
		found := false
		for _, c := range all {
			if c.doc.Index == o.Index {
				r, found = c, true
			}
		}
		if !found {
			return r, usageError("%s has no document %d with content; its documents:\n%s", f.Name, o.Index, list(all))
		}
	case o.ResourceName != "":
		kind, name, qualified := strings.Cut(o.ResourceName, "/")
		if !qualified {
			kind, name = "", o.ResourceName
		}
		var matches []resource
		for _, c := range all {
			if c.err == nil && c.obj.GetName() == name && (kind == "" || strings.EqualFold(c.obj.GetKind(), kind)) {
				matches = append(matches, c)
			}
		}
		switch len(matches) {
		case 0:
			return r, usageError("%s has no resource named %q; its documents:\n%s", f.Name, o.ResourceName, list(all))
		case 1:
			r = matches[0]
		default:
			return r, usageError("%s has %d resources named %q: give KIND/NAME or --index:\n%s", f.Name, len(matches), o.ResourceName, list(matches))
		}
	default:
		switch len(all) {
		case 0:
			return r, usageError("%s holds no document", f.Name)
		case 1:
			r = all[0]
		default:
			return r, usageError("%s holds %d documents: choose one with --index N or --name [KIND/]NAME:\n%s", f.Name, len(all), list(all))
		}
	}
	if r.err != nil {
		return r, &ExitError{Code: 2, Err: fmt.Errorf("%s: document %d: %w", f.Name, r.doc.Index, r.err)}
	}
	return r, nil
}

// maxPluginManifest bounds the manifest "plugins run" reads: a device, a named pipe or a
// larger file is refused.
const maxPluginManifest = 64 * safefile.MiB

// Run finds the plugin, reads the resource and runs the plugin on it.
func (o *PluginsRunOptions) Run(ctx context.Context) error {
	plugin, err := engine.LookupPlugin(engine.Plugins(o.pathEnv), o.PluginName)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	f, err := readInput(o.In, o.Filename, maxPluginManifest)
	if err != nil {
		return err
	}
	file := ""
	if o.Filename != "-" {
		if file, err = filepath.Abs(o.Filename); err != nil {
			return &ExitError{Code: 2, Err: err}
		}
	}
	res, err := o.pick(f)
	if err != nil {
		return err
	}
	// The embedded schemas know which kinds are cluster-scoped; custom resources keep
	// their namespace.
	eng, err := engine.New(engine.Options{SchemaSource: engine.SourceBuiltin})
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	target := engine.PluginTarget{File: file, Stdin: o.Stdin}
	if o.ConfigFlags != nil && o.ConfigFlags.Context != nil {
		target.Context = *o.ConfigFlags.Context
	}
	if o.ConfigFlags != nil && o.ConfigFlags.Namespace != nil {
		target.Namespace = *o.ConfigFlags.Namespace
	}
	req, err := eng.PluginRequest(res.obj, target)
	if err != nil {
		return usageError("%v", err)
	}
	req.Args, req.ExtraArgs, req.Timeout = o.ArgTemplate, o.ExtraArgs, o.Timeout
	argv, err := plugins.Argv(plugin, req)
	if err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: document %d: %w", f.Name, res.doc.Index, err)}
	}
	if o.Verbose {
		fmt.Fprintf(o.ErrOut, "Running: %s\n", displayArgv(argv))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	result, err := engine.RunPlugin(ctx, plugin, req)
	o.Out.Write(result.Stdout)
	o.ErrOut.Write(result.Stderr)
	if result.Truncated {
		fmt.Fprintf(o.ErrOut, "kubectl-lsp: the plugin's output was cut at %d bytes per stream\n", plugins.DefaultMaxOutput)
	}
	switch {
	case err != nil:
		return &ExitError{Code: 2, Err: err}
	case result.ExitCode < 0:
		return &ExitError{Code: 2, Err: fmt.Errorf("plugin %s was killed by a signal", plugin.FileName())}
	case result.ExitCode > 0:
		return &ExitError{Code: result.ExitCode, Err: fmt.Errorf("plugin %s exited with status %d", plugin.FileName(), result.ExitCode)}
	}
	return nil
}

var plainArg = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// displayArgv renders an argv for people, quoted as a POSIX shell would need it.
func displayArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if plainArg.MatchString(a) {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
