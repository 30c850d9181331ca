package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// The cluster, as both faces use it: which one the schema-source setting selects, what
// happens when it cannot be reached, and one connection holding the client for its
// actions and the source of its schemas. The faces decide only how to show what
// happens.

// ClusterStatus is what a status bar shows about the cluster.
type ClusterStatus = kube.Status

// ClusterEvent is something the cluster's schema source reports: new schemas, a new
// status, a fetch starting or ending.
type ClusterEvent = kube.Event

// The kinds of ClusterEvent.
const (
	SchemasChanged = kube.SchemasChanged
	StatusChanged  = kube.StatusChanged
	ClusterBusy    = kube.Busy
	ClusterIdle    = kube.Idle
)

// ClusterChoice is what a schema-source setting asks of the cluster.
type ClusterChoice int

const (
	// NoCluster: the embedded schemas only ("builtin", or "auto" with an explicit
	// Kubernetes version).
	NoCluster ClusterChoice = iota
	// ClusterIfAny: the kubeconfig's cluster when there is one and it answers, else the
	// embedded schemas ("auto").
	ClusterIfAny
	// ClusterRequired: the kubeconfig's cluster; failing to read it is an error
	// ("cluster").
	ClusterRequired
)

// ChooseCluster is the one reading of the schema-source setting: source is "auto" (or
// empty), "cluster" or "builtin"; release is the Kubernetes version asked for, if any.
func ChooseCluster(source, release string) (ClusterChoice, error) {
	switch source {
	case SourceBuiltin:
		return NoCluster, nil
	case "", SourceAuto:
		if release != "" {
			return NoCluster, nil
		}
		return ClusterIfAny, nil
	case SourceCluster:
		return ClusterRequired, nil
	}
	return NoCluster, &SettingError{Setting: "schemaSource", Err: fmt.Errorf("unknown schema source %q: use auto, cluster or builtin", source)}
}

// autoTimeout bounds each call to the cluster when it is optional and no timeout was
// given: the embedded schemas are a fine answer, and a dead cluster must not stall a CI
// job.
const autoTimeout = 5 * time.Second

// ClusterOptions say how to connect.
type ClusterOptions struct {
	// Choice is ChooseCluster's answer.
	Choice ClusterChoice
	// Flags are kubectl's connection flags (kubeconfig, context, namespace, cache
	// directory, request timeout); nil means kubectl's defaults.
	Flags *genericclioptions.ConfigFlags
	// Wait makes schema lookups fetch what is missing from the cluster and Start wait for
	// the first load (a command). Without it (the editor), lookups answer from memory or
	// the disk cache and Run fetches in the background.
	Wait bool
	// RefreshInterval is how often Run checks for new schemas (default 20 s).
	RefreshInterval time.Duration
	// OnEvent, when set, receives the schema source's events, from its goroutines.
	OnEvent func(ClusterEvent)
	// WrapTransport, when set, wraps the network transport (tests count requests).
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Terminal, when set (a command run from a shell), lets an exec credential plugin
	// ask for a login; nil (the editor, scripts) runs credential plugins without one.
	Terminal *Terminal
}

// Terminal is the user's terminal, for interactive credential plugins.
type Terminal = kube.Terminal

// Cluster is one cluster: the client its actions use and the source of its schemas.
type Cluster struct {
	client  *kube.Client
	schemas *kube.Schemas
}

// ErrNoCluster is returned by Connect when the choice is NoCluster, or when it is
// ClusterIfAny and the kubeconfig names no context: there is no cluster to use, and
// nothing to tell the user.
var ErrNoCluster = errors.New("no cluster in use")

// Connect opens the cluster the options select, without a network call. The error is
// ErrNoCluster when none is to be used; for others, Fallback says what to do.
func Connect(opts ClusterOptions) (*Cluster, error) {
	if opts.Choice == NoCluster {
		return nil, ErrNoCluster
	}
	ko := kube.Options{Flags: opts.Flags, WrapTransport: opts.WrapTransport, Terminal: opts.Terminal}
	if opts.Choice == ClusterIfAny && noTimeout(opts.Flags) {
		ko.Timeout = autoTimeout
	}
	c, err := kube.New(ko)
	if err != nil {
		if errors.Is(err, kube.ErrNoContext) && opts.Choice == ClusterIfAny {
			return nil, ErrNoCluster
		}
		return nil, err
	}
	s := kube.NewSchemas(c, kube.SchemaOptions{Wait: opts.Wait, RefreshInterval: opts.RefreshInterval, OnEvent: opts.OnEvent})
	return &Cluster{client: c, schemas: s}, nil
}

// noTimeout reports whether the flags set no request timeout.
func noTimeout(f *genericclioptions.ConfigFlags) bool {
	return f == nil || f.Timeout == nil || *f.Timeout == "" || *f.Timeout == "0"
}

// Fallback is the one policy for a cluster that cannot be used: with ClusterIfAny the
// embedded schemas are used and note (when not "") tells the user why; with
// ClusterRequired the error is fatal for a command (the editor, which has no way to
// fail, shows it as the note instead).
func Fallback(choice ClusterChoice, err error) (note string, fatal bool) {
	if errors.Is(err, ErrNoCluster) {
		return "", false
	}
	return fmt.Sprintf("not using a cluster: %v; using the embedded schemas", err), choice == ClusterRequired
}

// Start loads the schemas a command needs before the first lookup (with Wait); it fails
// when the cluster cannot be read and nothing is cached. The note, when not "", says the
// cluster failed and the cached schemas answer.
func (c *Cluster) Start(ctx context.Context) (note string, err error) {
	if err := c.schemas.Start(ctx); err != nil {
		return "", fmt.Errorf("%s: %w", c.client, err)
	}
	if st := c.schemas.Status(); st.LastError != "" {
		return fmt.Sprintf("%s: %s; using the schemas cached at %s", c.client, st.LastError, st.LastRefresh.Format(time.RFC3339)), nil
	}
	return "", nil
}

// Login gets the credentials of the cluster's exec credential plugin before the first
// request, giving an interactive login up to kube.LoginTimeout.
func (c *Cluster) Login(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, kube.LoginTimeout)
	defer cancel()
	return c.client.Login(ctx)
}

// Run refreshes the schemas in the background until ctx ends (the editor).
func (c *Cluster) Run(ctx context.Context) { c.schemas.Run(ctx) }

// Kick asks Run to check the cluster for new schemas now.
func (c *Cluster) Kick() { c.schemas.Kick() }

// Schemas is the cluster's schema source, for Options.Cluster.
func (c *Cluster) Schemas() ClusterSource { return c.schemas }

// HasSnapshot reports whether schemas were read from the disk cache.
func (c *Cluster) HasSnapshot() bool { return c.schemas.HasSnapshot() }

// KubernetesVersion is the cluster's minor version ("1.37"), "" while unknown.
func (c *Cluster) KubernetesVersion() string { return c.schemas.KubernetesVersion() }

// Status is the cluster's status for a status bar.
func (c *Cluster) Status() ClusterStatus { return c.schemas.Status() }

// Context is the kubeconfig context in use.
func (c *Cluster) Context() string { return c.client.Context }

// Server is the API server's URL.
func (c *Cluster) Server() string { return c.client.Server }

// ClusterName is the kubeconfig's name of the cluster.
func (c *Cluster) ClusterName() string { return c.client.Cluster }

// Namespace is the namespace of objects that name none.
func (c *Cluster) Namespace() string { return c.client.Namespace }

// Timeout bounds each call to the cluster.
func (c *Cluster) Timeout() time.Duration { return c.client.Timeout }

// String names the cluster for people: its context and server.
func (c *Cluster) String() string { return c.client.String() }

// Explain turns an error of a call to the cluster into words for people.
func (c *Cluster) Explain(err error) string { return c.client.Explain(err) }

// Close ends the cluster's background work and its calls in flight (credential plugins
// included), waiting for them at most wait. It reports whether they ended in time.
func (c *Cluster) Close(wait time.Duration) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.client.Close() // first: what waits on the network fails at once
		c.schemas.Close()
	}()
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

// Contexts lists the kubeconfig's contexts and its current one.
func Contexts(flags *genericclioptions.ConfigFlags) (names []string, current string, err error) {
	return kube.Contexts(flags)
}

// SettingError is a setting the engine cannot use. Setting is its neutral name (the
// editor's setting, e.g. "crdPaths"); each face says how its users set it.
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }
