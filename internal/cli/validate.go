package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// ValidateOptions holds the flags and inputs of `kubectl-lsp validate`.
type ValidateOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Filenames         []string
	Recursive         bool
	Kustomize         string
	Output            string
	KubernetesVersion string
	SchemaSource      string
	CRDs              []string
	Verbose           bool
	DryRun            string
	// Skip and Reject are KIND, VERSION/KIND or GROUP/VERSION/KIND selectors.
	Skip, Reject []string
	// Exclude are doublestar patterns of files and directories to leave out.
	Exclude []string
	// Summary adds counts per kind and per finding code.
	Summary bool
	// Workers bounds how many documents are validated at once.
	Workers int

	kinds engine.KindPolicy

	// progress forces (true) or disables (false) the progress line; nil decides by terminal.
	progress *bool
}

var validateExample = `  # Validate every manifest in a directory tree against the newest embedded release
  kubectl-lsp validate -R ./deploy

  # Validate against Kubernetes 1.34, with the CRDs of an operator
  kubectl-lsp validate --kubernetes-version 1.34 --crd ./operator/crds app.yaml

  # Validate what a kustomization renders (as kubectl apply -k would send it), with
  # findings at the lines of the resource and patch files
  kubectl-lsp validate -k ./overlays/production

  # Validate from standard input, as JSON for scripts
  helm template ./chart | kubectl-lsp validate - -o json

  # In CI: leave out charts and test fixtures, never mind Secrets, refuse Pods,
  # and count the findings per kind and code
  kubectl-lsp validate -R . --exclude '**/charts/**' --exclude '**/*_test.yaml' \
    --skip v1/Secret --reject Pod --summary

  # Annotate a pull request in GitHub Actions
  kubectl-lsp validate -R . -o github

  # Validate against the schemas of the cluster of context "staging", and let its
  # admission webhooks and policies judge each object too (nothing is changed)
  kubectl-lsp validate --context staging --dry-run=server -R ./deploy`

// NewCmdValidate builds `kubectl-lsp validate`.
func NewCmdValidate(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ValidateOptions{ConfigFlags: flags, IOStreams: streams, Output: "text", SchemaSource: engine.SourceAuto,
		Workers: runtime.GOMAXPROCS(0)}
	cmd := &cobra.Command{
		Use:   "validate [FILE|DIR|-]...",
		Short: "Validate manifests as the kube-apiserver would, at exact positions",
		Long: `Validate Kubernetes manifests (YAML or JSON, many documents per file) against the
OpenAPI schemas of a Kubernetes release, like the kube-apiserver does on create with strict
field validation: unknown and duplicate fields, types, required fields, enum values,
quantities, names, labels and annotations, and for custom resources their CRD's schema and
CEL rules.

CustomResourceDefinitions found among the inputs, or given with --crd, supply the schemas of
their custom resources. Documents that are not Kubernetes objects (no apiVersion/kind),
templates and kustomization files are skipped, not reported as errors. With -k DIR, the
objects the kustomization in DIR renders are validated (rendered as kubectl apply -k and
kubectl kustomize render them, offline: remote bases are refused); a finding points at the
resource or patch file a field comes from unchanged, else at the kustomization file.

Exit status: 0 when no document has an error, 1 when some document has, 2 for usage or
input errors.`,
		Example: validateExample,
		RunE:    runE(o),
		// Not the root's: Run ends start-up's pause of the collector (tuneGC).
		PersistentPreRun: func(*cobra.Command, []string) {},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "files or directories to validate (as with kubectl; positional arguments work too)")
	f.BoolVarP(&o.Recursive, "recursive", "R", false, "process directories recursively")
	f.StringVarP(&o.Kustomize, "kustomize", "k", "", kustomizeHelp)
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: text, json, junit, sarif or github")
	f.StringVar(&o.KubernetesVersion, "kubernetes-version", "", "Kubernetes release whose schemas to use (embedded: "+strings.Join(builtin.Versions(), ", ")+"; default the newest)")
	f.StringVar(&o.SchemaSource, "schema-source", o.SchemaSource, sourceHelp)
	f.StringSliceVar(&o.CRDs, "crd", nil, "CustomResourceDefinition manifests (files or directories) that define custom resources")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "also list valid and skipped documents, with the schema source of each")
	f.StringVar(&o.DryRun, "dry-run", "none", `"server" also sends each object to the cluster as a server-side dry-run (strict field validation; admission webhooks and policies run), reporting its verdicts at their positions; "none" or "client" validate locally only`)
	f.StringSliceVar(&o.Skip, "skip", nil, "kinds to skip, reported as skipped: KIND (any group and version), VERSION/KIND or GROUP/VERSION/KIND (v1/Secret, apps/v1/Deployment)")
	f.StringSliceVar(&o.Reject, "reject", nil, `kinds to refuse: such documents are invalid, with a finding "rejected" at their kind (forms as --skip)`)
	f.StringArrayVar(&o.Exclude, "exclude", nil, "leave out files and directories whose path matches this doublestar pattern (**/charts/**, **/*_test.yaml); repeatable")
	f.BoolVar(&o.Summary, "summary", false, "also count documents per kind and findings per code (json: summary.byKind and summary.byCode; other formats: a table on standard error)")
	f.IntVar(&o.Workers, "workers", o.Workers, "documents validated at once (default: the number of CPUs Go uses)")
	return cmd
}

// Complete adds the arguments to the files and directories of -f.
func (o *ValidateOptions) Complete(_ *cobra.Command, args []string) error {
	o.Filenames = append(o.Filenames, args...)
	return nil
}

// dryRunResults sends the documents to the cluster as server-side dry-runs (the
// engine's policy: engine.Cluster.DryRun) and adds its verdicts to the results. A failure
// to reach the cluster fails the command.
func dryRunResults(ctx context.Context, c *engine.Cluster, results [][]validate.Result) error {
	server, err := c.DryRun(ctx, slices.Concat(results...))
	if ctx.Err() != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("interrupted")}
	}
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	for _, rs := range results {
		engine.ApplyDryRun(rs, server[:len(rs)])
		server = server[len(rs):]
	}
	return nil
}

// Validate checks the flags.
func (o *ValidateOptions) Validate() error {
	if err := checkKustomize(o.Kustomize, o.Filenames, o.Recursive); err != nil {
		return err
	}
	if len(o.Filenames) == 0 && o.Kustomize == "" {
		return usageError("nothing to validate: give files, directories or - for standard input, or -k DIR (see --help)")
	}
	switch o.Output {
	case "text", "json", "junit", "sarif", "github":
	default:
		return usageError("unknown output format %q: use text, json, junit, sarif or github", o.Output)
	}
	switch o.DryRun {
	case "none", "client", "server":
	default:
		return usageError("--dry-run=%q: use none, client or server", o.DryRun)
	}
	stdin := 0
	for _, p := range o.Filenames {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageError("standard input (-) can be read only once")
	}
	if o.Workers < 1 {
		return usageError("--workers=%d: give 1 or more", o.Workers)
	}
	for _, p := range o.Exclude {
		if !engine.ValidExcludePattern(p) {
			return usageError("--exclude %q: not a valid glob pattern (doublestar: *, **, ?, [...], {a,b})", p)
		}
	}
	return o.parseKinds()
}

// parseKinds reads --skip and --reject into the kind policy.
func (o *ValidateOptions) parseKinds() error {
	o.kinds = engine.KindPolicy{}
	for _, fl := range []struct {
		name   string
		values []string
		into   *[]engine.KindSelector
	}{{"--skip", o.Skip, &o.kinds.Skip}, {"--reject", o.Reject, &o.kinds.Reject}} {
		for _, v := range fl.values {
			k, err := engine.ParseKindSelector(v)
			if err != nil {
				return usageError("%s: %v", fl.name, err)
			}
			*fl.into = append(*fl.into, k)
		}
	}
	return nil
}

// Run reads the inputs, validates them and prints the results.
func (o *ValidateOptions) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	limitMemory()
	files, kust, err := o.inputs(ctx)
	tuneGC(files)
	if err != nil {
		return err
	}
	var cluster *engine.Cluster
	if o.DryRun == "server" {
		if cluster, err = engine.Connect(engine.ClusterOptions{Choice: engine.ClusterRequired, Flags: o.ConfigFlags, Terminal: terminal(o.IOStreams)}); err != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("--dry-run=server: %w", err)}
		}
		if err := cluster.Login(ctx); err != nil {
			return &ExitError{Code: 2, Err: err}
		}
	}
	eng, err := newEngine(ctx, o.ConfigFlags, engine.Options{KubernetesVersion: o.KubernetesVersion, SchemaSource: o.SchemaSource,
		ReleaseTrees: cluster == nil, Workers: o.Workers, Kinds: o.kinds}, o.ErrOut)
	if err != nil {
		return err
	}
	if o.Verbose {
		fmt.Fprintf(o.ErrOut, "Schemas: %s\n", eng.Source().Name())
		fmt.Fprintf(o.ErrOut, "Create-time validation of built-in kinds: %s\n", eng.CreatePath())
	}
	if err := eng.LoadCRDPaths(o.CRDs); err != nil {
		return flagError(err)
	}
	prog := o.progressLine()
	results := eng.ValidateFiles(ctx, files, prog.update)
	prog.finish()
	if ctx.Err() != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("interrupted")}
	}
	if cluster != nil {
		if err := dryRunResults(ctx, cluster, results); err != nil {
			return err
		}
	}
	rep := o.report(files, kust, results)
	if o.Summary {
		rep.countKindsAndCodes()
	}
	if err := rep.write(o.Out, o.Output, o.Verbose); err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if o.Output == "text" {
		fmt.Fprintln(o.ErrOut, rep.summaryLine())
	}
	if o.Summary && o.Output != "json" {
		if err := rep.writeSummaryTable(o.ErrOut); err != nil {
			return &ExitError{Code: 2, Err: err}
		}
	}
	if rep.Summary.Invalid > 0 {
		return &ExitError{Code: 1}
	}
	return nil
}

// inputs are the files to validate: those of -f and the arguments, or the objects the
// kustomization of -k renders.
func (o *ValidateOptions) inputs(ctx context.Context) ([]*yamlpos.File, *engine.Kustomization, error) {
	if o.Kustomize == "" {
		files, err := o.readFiles()
		return files, nil, err
	}
	k, err := engine.Kustomize(ctx, o.Kustomize)
	if err != nil {
		return nil, nil, &ExitError{Code: 2, Err: err}
	}
	return []*yamlpos.File{k.Rendered}, k, nil
}

// report puts the results together, those of a kustomization at their sources.
func (o *ValidateOptions) report(files []*yamlpos.File, k *engine.Kustomization, results [][]validate.Result) *report {
	if k != nil {
		return newKustomizeReport(k, results[0])
	}
	return newReport(files, results)
}

// readFiles expands the directories among the inputs and reads every manifest.
func (o *ValidateOptions) readFiles() ([]*yamlpos.File, error) {
	paths, err := engine.ExpandPathsExcluding(o.Filenames, o.Recursive, o.Exclude)
	if err != nil {
		return nil, &ExitError{Code: 2, Err: err}
	}
	files := make([]*yamlpos.File, 0, len(paths))
	for _, p := range paths {
		f, err := readInput(o.In, p, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// smallRun is the size of input under which a run whose collector was paused at start-up
// keeps it paused: such a run's heap (the schemas of a few group-versions, a few
// documents) stays well under the memory limit, and collecting it would cost more time
// than the run's validation.
const smallRun = 64 << 10

// limitMemory bounds the heap of a batch run (the collector runs when it nears 56 MiB),
// from before its inputs are read: the collector may still be paused from start-up.
// GOMEMLIMIT, when set, wins.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(56 << 20)
	}
}

// tuneGC ends start-up's pause of the garbage collector with settings for a batch run,
// which trade a little memory for less collection: parsing YAML allocates heavily and
// briefly. A small run keeps the collector paused; the memory limit keeps the heap
// bounded all the same, starting a collection when it is reached. GOGC, when set, wins.
func tuneGC(files []*yamlpos.File) {
	size := 0
	for _, f := range files {
		size += len(f.Src)
	}
	switch {
	case os.Getenv("GOGC") != "":
		endStartupPause()
	case EndStartupPause != nil && size < smallRun:
		debug.SetGCPercent(-1)
	default:
		debug.SetGCPercent(300)
	}
}

// progress prints "validated N/M documents" on a terminal for runs that last.
type progress struct {
	w       io.Writer
	enabled bool
	start   time.Time
	mu      sync.Mutex
	last    time.Time
	shown   bool
}

func (o *ValidateOptions) progressLine() *progress {
	enabled := false
	if f, ok := o.ErrOut.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		enabled = true
	}
	if o.progress != nil {
		enabled = *o.progress
	}
	return &progress{w: o.ErrOut, enabled: enabled, start: time.Now()}
}

func (p *progress) update(done, total int) {
	if !p.enabled {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.start) < 300*time.Millisecond || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprintf(p.w, "\rvalidated %d/%d documents", done, total)
}

func (p *progress) finish() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
