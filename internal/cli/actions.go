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
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// ActionOptions are the flags apply, diff and delete share: which objects, from where.
type ActionOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Filenames []string
	Recursive bool
	Selector  string
	DryRun    string

	selector labels.Selector
	objects  []object
	client   *kube.Client
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
	f.StringVarP(&o.Selector, "selector", "l", "", "only the objects whose labels match this selector (e.g. app=web,tier!=db)")
	if dryRun {
		f.StringVar(&o.DryRun, "dry-run", "none", `"client" prints what would be done, "server" sends the requests with dryRun=All (admission runs, nothing is stored), "none" does it`)
	}
}

// complete reads the objects and resolves the cluster (no network call yet).
func (o *ActionOptions) complete(verb string, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes its objects from -f FILE, not arguments (got %q)", verb, strings.Join(args, " "))
	}
	if len(o.Filenames) == 0 {
		return usageError("%s: give the manifests with -f FILE (files, directories, or - for standard input)", verb)
	}
	switch o.DryRun {
	case "", "none", "client", "server":
	default:
		return usageError("--dry-run=%q: use none, client or server", o.DryRun)
	}
	if o.Selector != "" {
		sel, err := labels.Parse(o.Selector)
		if err != nil {
			return usageError("-l %q: %v", o.Selector, err)
		}
		o.selector = sel
	}
	paths, err := engine.ExpandPaths(o.Filenames, o.Recursive)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	explicitNS := ""
	if o.ConfigFlags != nil && o.ConfigFlags.Namespace != nil {
		explicitNS = *o.ConfigFlags.Namespace
	}
	for _, p := range paths {
		f, err := readInput(o.In, p, 0)
		if err != nil {
			return err
		}
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
				if err := o.add(m, source, explicitNS); err != nil {
					return err
				}
			}
		}
	}
	if len(o.objects) == 0 {
		if o.selector != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("no objects match -l %q", o.Selector)}
		}
		return &ExitError{Code: 2, Err: fmt.Errorf("no objects passed to %s", verb)}
	}
	c, err := kube.New(kube.Options{Flags: o.ConfigFlags, Terminal: terminal(o.IOStreams)})
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	o.client = c
	return nil
}

func (o *ActionOptions) add(m map[string]any, source, explicitNS string) error {
	u := &unstructured.Unstructured{Object: m}
	if o.selector != nil && !o.selector.Matches(labels.Set(u.GetLabels())) {
		return nil
	}
	if ns := u.GetNamespace(); explicitNS != "" && ns != "" && ns != explicitNS {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: the namespace from the object %q does not match the namespace %q: pass --namespace=%s, or none",
			source, ns, explicitNS, ns)}
	}
	o.objects = append(o.objects, object{obj: u, source: source})
	return nil
}

func (o *ActionOptions) objs() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(o.objects))
	for i, ob := range o.objects {
		out[i] = ob.obj
	}
	return out
}

func (o *ActionOptions) source() string {
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

func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt)
}

// NewCmdApply builds `kubectl-lsp apply`.
func NewCmdApply(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ActionOptions{ConfigFlags: flags, IOStreams: streams}
	var serverSide, force bool
	cmd := &cobra.Command{
		Use:   "apply -f FILENAME",
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

  # Only the objects labelled app=web, in namespace "staging"
  kubectl-lsp apply -f app.yaml -l app=web -n staging

  # Server-side apply, taking over fields other managers own
  kubectl-lsp apply --server-side --force-conflicts -f app.yaml

  # What would happen, checked by the cluster (admission included), nothing stored
  kubectl-lsp apply --dry-run=server -f app.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete("apply", args); err != nil {
				return err
			}
			if force && !serverSide {
				return usageError("--force-conflicts only applies with --server-side")
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			if err := login(ctx, o.client); err != nil {
				return err
			}
			opts := kube.ApplyOptions{ServerSide: serverSide, ForceConflicts: force, DryRun: o.DryRun}
			if o.ConfigFlags != nil && o.ConfigFlags.KubeConfig != nil {
				opts.Kubeconfig = *o.ConfigFlags.KubeConfig
			}
			outs, err := o.client.ApplyAll(ctx, o.objs(), o.source(), opts)
			return o.report(outs, err)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().BoolVar(&serverSide, "server-side", false, "server-side apply: the cluster merges, and tracks who owns each field")
	cmd.Flags().BoolVar(&force, "force-conflicts", false, "with --server-side, take over the fields other managers own")
	return cmd
}

// NewCmdDiff builds `kubectl-lsp diff`.
func NewCmdDiff(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ActionOptions{ConfigFlags: flags, IOStreams: streams}
	var serverSide, force bool
	cmd := &cobra.Command{
		Use:   "diff -f FILENAME",
		Short: "Show what applying manifests would change, as kubectl diff does",
		Long: `Compare the objects in the cluster with what applying the manifests would make of them,
as kubectl diff does: each object is applied as a server-side dry-run (admission runs,
nothing is stored), and the live and merged objects are compared as YAML, without
managedFields, with Secret values masked. The output is a unified diff per object, with
kubectl diff's names (live/apps.v1.Deployment.default.web, merged/...).

Exit status, as kubectl diff's: 0 no differences, 1 differences, 2 or more an error.`,
		Example: `  # What would change
  kubectl-lsp diff -f deploy.yaml

  # With server-side apply's merge
  kubectl-lsp diff --server-side -R -f ./manifests`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete("diff", args); err != nil {
				return err
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			if err := login(ctx, o.client); err != nil {
				return err
			}
			changed, failed := 0, 0
			for _, ob := range o.objects {
				d, err := o.client.Diff(ctx, ob.obj, ob.source, serverSide, force)
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
		},
	}
	o.addFlags(cmd, false)
	cmd.Flags().BoolVar(&serverSide, "server-side", false, "compare with what server-side apply would make")
	cmd.Flags().BoolVar(&force, "force-conflicts", false, "with --server-side, as if taking over the fields other managers own")
	return cmd
}

// NewCmdDelete builds `kubectl-lsp delete`.
func NewCmdDelete(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ActionOptions{ConfigFlags: flags, IOStreams: streams}
	opts := kube.DeleteOptions{Cascade: "background", GracePeriod: -1}
	wait := true
	timeout := time.Duration(0)
	cmd := &cobra.Command{
		Use:   "delete -f FILENAME",
		Short: "Delete the objects of manifests from the cluster, as kubectl delete does",
		Long: `Delete the objects that manifests name from the cluster of the current context, as
kubectl delete -f does. Every delete is first sent as a server-side dry-run: when one would
fail (not found, forbidden), nothing is deleted. By default it waits until the objects
are gone (--wait=false returns at once).

Exit status: 0 done, 1 an object failed, 2 usage or input errors.`,
		Example: `  # Delete what a file created, and wait until it is gone
  kubectl-lsp delete -f deploy.yaml

  # Delete in the foreground (dependents first), without waiting
  kubectl-lsp delete -f app.yaml --cascade=foreground --wait=false

  # What would be deleted
  kubectl-lsp delete -f app.yaml --dry-run=server`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete("delete", args); err != nil {
				return err
			}
			opts.DryRun = o.DryRun
			if wait {
				opts.Wait = timeout
				if opts.Wait <= 0 {
					opts.Wait = 5 * time.Minute
				}
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			if err := login(ctx, o.client); err != nil {
				return err
			}
			outs, err := o.client.DeleteAll(ctx, o.objs(), o.source(), opts)
			return o.report(outs, err)
		},
	}
	o.addFlags(cmd, true)
	cmd.Flags().StringVar(&opts.Cascade, "cascade", opts.Cascade, "background (dependents deleted after), foreground (dependents first) or orphan (dependents kept)")
	cmd.Flags().IntVar(&opts.GracePeriod, "grace-period", opts.GracePeriod, "seconds given to the object to end gracefully; -1 uses the object's own")
	cmd.Flags().BoolVar(&wait, "wait", wait, "wait until the objects are gone")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "how long --wait waits (0: 5m)")
	return cmd
}
