package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// ActionOptions are the flags and steps apply, diff and delete share: which objects, from
// where, and the cluster they go to.
type ActionOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Filenames []string
	Recursive bool
	Kustomize string
	Selector  string
	DryRun    string

	verb      string
	selector  labels.Selector
	namespace string // -n, when given
	objects   []object
	client    *kube.Client
}

// object is one object of the input, with where it came from.
type object struct {
	obj    *unstructured.Unstructured
	source string // file:line
}

func (o *ActionOptions) addFlags(cmd *cobra.Command, dryRun bool) {
	f := cmd.Flags()
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "files or directories of manifests (- for standard input)")
	f.BoolVarP(&o.Recursive, "recursive", "R", false, "process directories recursively")
	f.StringVarP(&o.Kustomize, "kustomize", "k", "", kustomizeHelp)
	f.StringVarP(&o.Selector, "selector", "l", "", "only the objects whose labels match this selector (e.g. app=web,tier!=db)")
	if dryRun {
		f.StringVar(&o.DryRun, "dry-run", "none", `"client" prints what would be done, "server" sends the requests with dryRun=All (admission runs, nothing is stored), "none" does it`)
	}
}

// complete refuses arguments, parses the selector and takes -n.
func (o *ActionOptions) complete(args []string) error {
	if len(args) > 0 {
		return usageError("%s takes its objects from -f FILE or -k DIR, not arguments (got %q)", o.verb, strings.Join(args, " "))
	}
	if o.Selector != "" {
		sel, err := labels.Parse(o.Selector)
		if err != nil {
			return usageError("-l %q: %v", o.Selector, err)
		}
		o.selector = sel
	}
	if o.ConfigFlags != nil && o.ConfigFlags.Namespace != nil {
		o.namespace = *o.ConfigFlags.Namespace
	}
	return nil
}

// validate checks the flags the actions share.
func (o *ActionOptions) validate() error {
	if err := checkKustomize(o.Kustomize, o.Filenames, o.Recursive); err != nil {
		return err
	}
	if len(o.Filenames) == 0 && o.Kustomize == "" {
		return usageError("%s: give the manifests with -f FILE (files, directories, or - for standard input), or a kustomization directory with -k DIR", o.verb)
	}
	switch o.DryRun {
	case "", "none", "client", "server":
	default:
		return usageError("--dry-run=%q: use none, client or server", o.DryRun)
	}
	return nil
}

// connect reads the objects, then opens the cluster and logs in (an interactive
// credential plugin may ask on the terminal).
func (o *ActionOptions) connect(ctx context.Context) error {
	if err := o.readObjects(ctx); err != nil {
		return err
	}
	c, err := kube.New(kube.Options{Flags: o.ConfigFlags, Terminal: terminal(o.IOStreams)})
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	o.client = c
	return login(ctx, c)
}

// readObjects reads the manifests of -f, or renders the kustomization of -k, and keeps
// the objects the selector matches, checking each against -n with the engine's namespace
// rule.
func (o *ActionOptions) readObjects(ctx context.Context) error {
	// The embedded schemas tell which kinds are cluster-scoped, for the namespace rule.
	eng, err := engine.New(engine.Options{SchemaSource: engine.SourceBuiltin})
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if o.Kustomize != "" {
		if err := o.addKustomization(ctx, eng); err != nil {
			return err
		}
		return o.checkSelected()
	}
	paths, err := engine.ExpandPaths(o.Filenames, o.Recursive)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	for _, p := range paths {
		f, err := readInput(o.In, p, 0)
		if err != nil {
			return err
		}
		if err := o.addFile(eng, f); err != nil {
			return err
		}
	}
	return o.checkSelected()
}

// addKustomization adds the objects the kustomization of -k renders, each with the
// resource file and line it came from.
func (o *ActionOptions) addKustomization(ctx context.Context, eng *engine.Engine) error {
	k, err := engine.Kustomize(ctx, o.Kustomize)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	objs, err := k.Objects()
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	for i, ob := range objs {
		if err := o.add(eng, ob, k.Source(i).String()); err != nil {
			return err
		}
	}
	return nil
}

// checkSelected fails when no object is left to act on.
func (o *ActionOptions) checkSelected() error {
	if len(o.objects) == 0 {
		if o.selector != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("no objects match -l %q", o.Selector)}
		}
		return &ExitError{Code: 2, Err: fmt.Errorf("no objects passed to %s", o.verb)}
	}
	return nil
}

// addFile adds the objects of f's documents, the items of Lists included.
func (o *ActionOptions) addFile(eng *engine.Engine, f *yamlpos.File) error {
	for _, d := range f.Docs {
		d.ParseDoc()
		if d.Err != nil {
			line, col := f.Mapper.OffsetLineChar(d.Err.Range.Start)
			return &ExitError{Code: 2, Err: fmt.Errorf("%s:%d:%d: %s", f.Name, line, col, d.Err.Msg)}
		}
		if d.Root == nil {
			continue
		}
		line, _ := f.Mapper.OffsetLineChar(d.Start)
		source := fmt.Sprintf("%s:%d", f.Name, line)
		objs := kube.DocumentObjects(d)
		if objs == nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("%s: not a Kubernetes object (it needs apiVersion and kind)", source)}
		}
		for _, m := range objs {
			if err := o.add(eng, engine.Object{Doc: d, Unstructured: &unstructured.Unstructured{Object: m}}, source); err != nil {
				return err
			}
		}
	}
	return nil
}

// add keeps ob when the selector matches it. The namespace rule is the engine's; the
// words of its refusal are kubectl's.
func (o *ActionOptions) add(eng *engine.Engine, ob engine.Object, source string) error {
	if o.selector != nil && !o.selector.Matches(labels.Set(ob.GetLabels())) {
		return nil
	}
	if _, err := eng.Namespace(ob, o.namespace, ""); err != nil {
		ns := ob.GetNamespace()
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: the namespace from the object %q does not match the namespace %q: pass --namespace=%s, or none",
			source, ns, o.namespace, ns)}
	}
	o.objects = append(o.objects, object{obj: ob.Unstructured, source: source})
	return nil
}

func (o *ActionOptions) objs() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(o.objects))
	for i, ob := range o.objects {
		out[i] = ob.obj
	}
	return out
}

// source names the input in kubectl's messages: the kustomization directory, or the files.
func (o *ActionOptions) source() string {
	if o.Kustomize != "" {
		return o.Kustomize
	}
	if len(o.Filenames) == 1 {
		return o.Filenames[0]
	}
	return strings.Join(o.Filenames, ",")
}

// report prints kubectl's lines and errors; it returns exit status 1 when one failed.
func (o *ActionOptions) report(outs []kube.Outcome, err error) error {
	for i, out := range outs {
		switch {
		case errors.Is(out.Err, kube.ErrNotApplied):
			fmt.Fprintf(o.ErrOut, "Not applied (%s): %s: an earlier object failed\n", o.objects[i].source, out.Ref)
		case out.Err != nil:
			fmt.Fprintf(o.ErrOut, "Error from server (%s): %s: %v\n", o.objects[i].source, out.Ref, out.Err)
		case out.Message != "":
			fmt.Fprintln(o.Out, out.Message)
		}
		if r := out.Rollback; r != nil && r.Err != nil {
			fmt.Fprintf(o.ErrOut, "Rollback failed (%s): %s: %v\n", o.objects[i].source, out.Ref, r.Err)
		}
	}
	if err != nil {
		fmt.Fprintln(o.ErrOut, "error:", err)
		return &ExitError{Code: 1}
	}
	return nil
}

// ApplyOptions holds the flags and inputs of `kubectl-lsp apply`.
type ApplyOptions struct {
	ActionOptions
	ServerSide     bool
	ForceConflicts bool
}

// NewCmdApply builds `kubectl-lsp apply`.
func NewCmdApply(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ApplyOptions{ActionOptions: ActionOptions{ConfigFlags: flags, IOStreams: streams, verb: "apply"}}
	cmd := &cobra.Command{
		Use:   "apply (-f FILENAME | -k DIRECTORY)",
		Short: "Apply manifests to the cluster, as kubectl apply does (no kubectl needed)",
		Long: `Apply a configuration to the cluster of the current context, as kubectl apply does:
objects that do not exist are created, others patched with a three-way merge of the
manifest, the live object and the last-applied-configuration annotation (strategic merge
for built-in kinds, JSON merge for custom resources). With --server-side, the cluster
merges (server-side apply, field manager "kubectl-lsp").

A batch is all or nothing. Before changing anything, every object is sent as a
server-side dry-run: when one of them would be refused (invalid, forbidden, denied by an
admission policy), nothing is applied and the reasons are printed. When an object still
fails while applying (limits that add up over the batch, such as a quota or a nodePort an
earlier object took), the objects after it are not applied and what the batch changed
before it is rolled back: objects it created are deleted, objects it changed get their
previous values back. If undoing one fails, the error says what is left and the kubectl
commands that undo it. The output lines are kubectl's ("deployment.apps/web
configured"). Exit status: 0 done, 1 an object failed, 2 usage or input errors.`,
		Example: `  # Apply a file, then a directory tree
  kubectl-lsp apply -f deploy.yaml
  kubectl-lsp apply -R -f ./manifests

  # Apply what a kustomization renders, as kubectl apply -k does
  kubectl-lsp apply -k ./overlays/production

  # Only the objects labelled app=web, in namespace "staging"
  kubectl-lsp apply -f app.yaml -l app=web -n staging

  # Server-side apply, taking over fields other managers own
  kubectl-lsp apply --server-side --force-conflicts -f app.yaml

  # What would happen, checked by the cluster (admission included), nothing stored
  kubectl-lsp apply --dry-run=server -f app.yaml`,
		RunE: runE(o),
	}
	o.addFlags(cmd, true)
	cmd.Flags().BoolVar(&o.ServerSide, "server-side", false, "server-side apply: the cluster merges, and tracks who owns each field")
	cmd.Flags().BoolVar(&o.ForceConflicts, "force-conflicts", false, "with --server-side, take over the fields other managers own")
	return cmd
}

// Complete refuses arguments, parses the selector and takes -n.
func (o *ApplyOptions) Complete(_ *cobra.Command, args []string) error { return o.complete(args) }

// Validate checks the flags.
func (o *ApplyOptions) Validate() error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.ForceConflicts && !o.ServerSide {
		return usageError("--force-conflicts only applies with --server-side")
	}
	return nil
}

// Run reads the objects and applies them as one batch.
func (o *ApplyOptions) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := o.connect(ctx); err != nil {
		return err
	}
	opts := kube.ApplyOptions{ServerSide: o.ServerSide, ForceConflicts: o.ForceConflicts, DryRun: o.DryRun}
	if o.ConfigFlags != nil && o.ConfigFlags.KubeConfig != nil {
		opts.Kubeconfig = *o.ConfigFlags.KubeConfig
	}
	outs, err := o.client.ApplyAll(ctx, o.objs(), o.source(), opts)
	return o.report(outs, err)
}

// DiffOptions holds the flags and inputs of `kubectl-lsp diff`.
type DiffOptions struct {
	ActionOptions
	ServerSide     bool
	ForceConflicts bool
}

// NewCmdDiff builds `kubectl-lsp diff`.
func NewCmdDiff(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DiffOptions{ActionOptions: ActionOptions{ConfigFlags: flags, IOStreams: streams, verb: "diff"}}
	cmd := &cobra.Command{
		Use:   "diff (-f FILENAME | -k DIRECTORY)",
		Short: "Show what applying manifests would change, as kubectl diff does",
		Long: `Compare the objects in the cluster with what applying the manifests would make of them,
as kubectl diff does: each object is applied as a server-side dry-run (admission runs,
nothing is stored), and the live and merged objects are compared as YAML, without
managedFields, with Secret values masked. The output is a unified diff per object, with
kubectl diff's names (live/apps.v1.Deployment.default.web, merged/...).

Exit status, as kubectl diff's: 0 no differences, 1 differences, 2 or more an error.`,
		Example: `  # What would change
  kubectl-lsp diff -f deploy.yaml

  # What applying a kustomization would change
  kubectl-lsp diff -k ./overlays/production

  # With server-side apply's merge
  kubectl-lsp diff --server-side -R -f ./manifests`,
		RunE: runE(o),
	}
	o.addFlags(cmd, false)
	cmd.Flags().BoolVar(&o.ServerSide, "server-side", false, "compare with what server-side apply would make")
	cmd.Flags().BoolVar(&o.ForceConflicts, "force-conflicts", false, "with --server-side, as if taking over the fields other managers own")
	return cmd
}

// Complete refuses arguments, parses the selector and takes -n.
func (o *DiffOptions) Complete(_ *cobra.Command, args []string) error { return o.complete(args) }

// Validate checks the flags.
func (o *DiffOptions) Validate() error { return o.validate() }

// Run reads the objects and prints a unified diff for each one that applying would change.
func (o *DiffOptions) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := o.connect(ctx); err != nil {
		return err
	}
	changed, failed := 0, 0
	for _, ob := range o.objects {
		d, err := o.client.Diff(ctx, ob.obj, ob.source, o.ServerSide, o.ForceConflicts)
		if err != nil {
			fmt.Fprintf(o.ErrOut, "Error (%s): %s: %v\n", ob.source, d.Ref, err)
			failed++
			continue
		}
		if d.Changed() {
			changed++
			fmt.Fprint(o.Out, kube.Unified(d))
		}
	}
	switch {
	case failed > 0:
		return &ExitError{Code: 2, Err: fmt.Errorf("%d of %d objects could not be compared", failed, len(o.objects))}
	case changed > 0:
		return &ExitError{Code: 1}
	}
	return nil
}

// DeleteOptions holds the flags and inputs of `kubectl-lsp delete`.
type DeleteOptions struct {
	ActionOptions
	Cascade     string
	GracePeriod int
	Wait        bool
	Timeout     time.Duration

	opts kube.DeleteOptions
}

// NewCmdDelete builds `kubectl-lsp delete`.
func NewCmdDelete(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DeleteOptions{ActionOptions: ActionOptions{ConfigFlags: flags, IOStreams: streams, verb: "delete"},
		Cascade: "background", GracePeriod: -1, Wait: true}
	cmd := &cobra.Command{
		Use:   "delete (-f FILENAME | -k DIRECTORY)",
		Short: "Delete the objects of manifests from the cluster, as kubectl delete does",
		Long: `Delete the objects that manifests name from the cluster of the current context, as
kubectl delete -f does. Every delete is first sent as a server-side dry-run: when one would
fail (not found, forbidden), nothing is deleted. By default it waits until the objects
are gone (--wait=false returns at once).

Exit status: 0 done, 1 an object failed, 2 usage or input errors.`,
		Example: `  # Delete what a file created, and wait until it is gone
  kubectl-lsp delete -f deploy.yaml

  # Delete the objects a kustomization renders
  kubectl-lsp delete -k ./overlays/production

  # Delete in the foreground (dependents first), without waiting
  kubectl-lsp delete -f app.yaml --cascade=foreground --wait=false

  # What would be deleted
  kubectl-lsp delete -f app.yaml --dry-run=server`,
		RunE: runE(o),
	}
	o.addFlags(cmd, true)
	cmd.Flags().StringVar(&o.Cascade, "cascade", o.Cascade, "background (dependents deleted after), foreground (dependents first) or orphan (dependents kept)")
	cmd.Flags().IntVar(&o.GracePeriod, "grace-period", o.GracePeriod, "seconds given to the object to end gracefully; -1 uses the object's own")
	cmd.Flags().BoolVar(&o.Wait, "wait", o.Wait, "wait until the objects are gone")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "how long --wait waits (0: 5m)")
	return cmd
}

// Complete refuses arguments, parses the selector, takes -n and sets how long to wait.
func (o *DeleteOptions) Complete(_ *cobra.Command, args []string) error {
	if err := o.complete(args); err != nil {
		return err
	}
	o.opts = kube.DeleteOptions{Cascade: o.Cascade, GracePeriod: o.GracePeriod, DryRun: o.DryRun}
	if o.Wait {
		o.opts.Wait = o.Timeout
		if o.opts.Wait <= 0 {
			o.opts.Wait = 5 * time.Minute
		}
	}
	return nil
}

// Validate checks the flags.
func (o *DeleteOptions) Validate() error { return o.validate() }

// Run reads the objects and deletes them.
func (o *DeleteOptions) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := o.connect(ctx); err != nil {
		return err
	}
	outs, err := o.client.DeleteAll(ctx, o.objs(), o.source(), o.opts)
	return o.report(outs, err)
}
