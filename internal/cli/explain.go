package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// ExplainOptions holds the flags and inputs of `kubectl-lsp explain`.
type ExplainOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	APIVersion        string
	Output            string
	Recursive         bool
	MaxDepth          int
	KubernetesVersion string
	SchemaSource      string
	CRDs              []string

	// Resource is the argument, TYPE[.FIELD...].
	Resource string
}

var explainLong = `Describe the fields of a resource and their structure, as kubectl explain does: from
the OpenAPI schemas the current context's cluster serves (custom resources included), or,
without a cluster, from a Kubernetes release embedded in kubectl-lsp.

Fields are named by a simple path:

    TYPE.FIELDNAME[.FIELDNAME]

TYPE is a kind, a resource name or a short name (pods, Pod, po), optionally qualified by
its group (deployments.apps). Lists and maps are stepped through: pods.spec.containers.ports
is the ports field of each container.

Enum fields list their allowed values. Unlike the schemas a live kube-apiserver serves, the
embedded ones lack the "Possible enum values" paragraph of their descriptions.

The cluster's schemas are cached in kubectl's cache folder (~/.kube/cache, --cache-dir).
--kubernetes-version or --schema-source=builtin select the embedded schemas.`

var explainExample = `  # Describe a resource and its fields
  kubectl-lsp explain pods

  # Describe one field, by resource short name
  kubectl-lsp explain deploy.spec.strategy

  # Print all the fields of a resource, as a tree
  kubectl-lsp explain cronjobs --recursive

  # ... only two levels deep
  kubectl-lsp explain pods --recursive --max-depth=2

  # Explain a particular API version, with the schemas of Kubernetes 1.34
  kubectl-lsp explain horizontalpodautoscalers --api-version=autoscaling/v1 --kubernetes-version=1.34

  # Explain a custom resource from its CRD manifest, as Markdown
  kubectl-lsp explain --crd ./crds/widgets.yaml widgets.spec -o markdown`

// NewCmdExplain builds `kubectl-lsp explain`.
func NewCmdExplain(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ExplainOptions{ConfigFlags: flags, IOStreams: streams, Output: string(explain.Plaintext)}
	cmd := &cobra.Command{
		Use:                   "explain TYPE[.FIELD...] [--recursive] [--api-version=GROUP/VERSION] [-o plaintext|markdown]",
		DisableFlagsInUseLine: true,
		Short:                 "Get the documentation of a resource or field",
		Long:                  explainLong,
		Example:               explainExample,
		RunE:                  runE(o),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Recursive, "recursive", "R", false, "print the fields of fields, as a tree of names and types")
	f.IntVar(&o.MaxDepth, "max-depth", 0, "with --recursive, the levels of nested fields to print (0: no limit)")
	f.StringVar(&o.APIVersion, "api-version", "", "explain this API version of the resource (GROUP/VERSION, or VERSION for the core group)")
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: plaintext or markdown")
	f.StringVar(&o.SchemaSource, "schema-source", engine.SourceAuto, sourceHelp)
	f.StringVar(&o.KubernetesVersion, "kubernetes-version", "", "Kubernetes release whose schemas to use (embedded: "+strings.Join(builtin.Versions(), ", ")+"; default the newest)")
	f.StringSliceVar(&o.CRDs, "crd", nil, "CustomResourceDefinition manifests (files or directories) that define custom resources")
	return cmd
}

// Complete takes the argument.
func (o *ExplainOptions) Complete(_ *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return usageError("you must specify the type of resource to explain, e.g. %q (see --help)", "kubectl-lsp explain pods")
	case 1:
		o.Resource = args[0]
	default:
		return usageError("explain takes one argument, TYPE[.FIELD...]; got %d", len(args))
	}
	return nil
}

// Validate checks the flags.
func (o *ExplainOptions) Validate() error {
	if strings.TrimSpace(o.Resource) == "" {
		return usageError("you must specify the type of resource to explain (see --help)")
	}
	switch explain.Format(o.Output) {
	case explain.Plaintext, explain.Markdown:
	default:
		return usageError("unknown output format %q: use plaintext or markdown", o.Output)
	}
	if o.MaxDepth < 0 {
		return usageError("--max-depth must be non-negative")
	}
	if o.MaxDepth > 0 && !o.Recursive {
		return usageError("--max-depth requires --recursive")
	}
	return nil
}

// Run loads the schemas, resolves the resource and prints its explanation.
func (o *ExplainOptions) Run(ctx context.Context) error {
	eng, err := newEngine(ctx, o.ConfigFlags, engine.Options{KubernetesVersion: o.KubernetesVersion, SchemaSource: o.SchemaSource}, o.ErrOut)
	if err != nil {
		return err
	}
	if err := eng.LoadCRDPaths(o.CRDs); err != nil {
		return flagError(err)
	}
	t, path, err := explain.Resolve(eng.Source(), o.Resource, o.APIVersion)
	if err != nil {
		if errors.Is(err, explain.ErrNoResource) {
			return usageError("%v", err)
		}
		return err
	}
	err = explain.Render(o.Out, t, path, explain.Options{
		Recursive: o.Recursive,
		MaxDepth:  o.MaxDepth,
		Format:    explain.Format(o.Output),
		ShowEnums: true,
	})
	if err != nil {
		var fe *explain.FieldNotFoundError
		if errors.As(err, &fe) {
			return err
		}
		return fmt.Errorf("explain %s: %w", o.Resource, err)
	}
	return nil
}
