// Package kube is kubectl-lsp's access to a live cluster: kubeconfig and contexts as
// kubectl reads them (cli-runtime), discovery and OpenAPI v3 through client-go's disk cache
// (kubectl's ~/.kube/cache layout), and a schema source that never makes an editor wait on
// the network. Every call has a deadline.
package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	diskcached "k8s.io/client-go/discovery/cached/disk"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/homedir"

	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
)

// DefaultTimeout bounds one call to the cluster when Options.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// discoveryTTL is how long client-go's disk cache trusts discovery documents, as kubectl.
const discoveryTTL = 6 * time.Hour

// ErrNoContext is returned when the kubeconfig names no context to use: there is no
// cluster to talk to, which is not an error for the "auto" schema source.
var ErrNoContext = errors.New("no Kubernetes context: the kubeconfig has no current-context and none was given with --context")

// Options say how to reach the cluster.
type Options struct {
	// Flags are kubectl's connection flags (--kubeconfig, --context, -n, --cache-dir,
	// --request-timeout, ...). Nil means the defaults: $KUBECONFIG or ~/.kube/config and
	// its current context.
	Flags *genericclioptions.ConfigFlags
	// Timeout bounds each call; zero means --request-timeout when set, else DefaultTimeout.
	Timeout time.Duration
	// WrapTransport, when set, wraps the transport that reaches the network (inside the
	// HTTP cache): tests count requests with it.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Terminal, when set (a command run from a shell), is given to exec credential
	// plugins that may be interactive, as kubectl gives them its terminal: they can ask
	// for a login. Nil (the language server, whose standard input is the editor's
	// connection, and scripts) runs them without one.
	Terminal *Terminal
}

// Terminal is the user's terminal: what an interactive credential plugin reads and
// where it writes its prompts.
type Terminal struct {
	In     io.Reader
	ErrOut io.Writer
}

// Client is one cluster as a kubeconfig context names it. It resolves the kubeconfig
// without touching the network; calls are made on demand.
type Client struct {
	// Context, Cluster and User are the kubeconfig names in use.
	Context, Cluster, User string
	// Server is the API server URL.
	Server string
	// Namespace is the namespace for objects that name none (-n, else the context's,
	// else "default").
	Namespace string
	// CacheDir is the cache root (~/.kube/cache, $KUBECACHEDIR or --cache-dir).
	CacheDir string
	// Timeout bounds each call.
	Timeout time.Duration

	config *rest.Config // with the network wrappers, without the HTTP cache
	disco  *diskcached.CachedDiscoveryClient
	// cached reads the HTTP disk cache only: no credentials, no network.
	cached *diskcached.CachedDiscoveryClient

	mapperOnce sync.Once
	mapper     meta.RESTMapper
	dynOnce    sync.Once
	dyn        dynamic.Interface
	dynErr     error

	acts actions

	// creds runs the kubeconfig user's exec credential plugin, if any.
	creds *execCredentials
	// life ends with Close, which aborts every request in flight.
	life context.Context
	end  context.CancelFunc
}

// errCacheMiss is what a cache-only request gets when the cache cannot answer it.
var errCacheMiss = errors.New("not in the local cache")

// offline is the transport under the cache-only client's HTTP cache: what the cache does
// not answer, it refuses.
type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) { return nil, errCacheMiss }

// New resolves the kubeconfig. It returns ErrNoContext when there is no context to use.
func New(opts Options) (*Client, error) {
	flags := opts.Flags
	if flags == nil {
		flags = genericclioptions.NewConfigFlags(false)
	}
	if err := checkKubeconfigFiles(flags); err != nil {
		return nil, err
	}
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	ctxName := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		ctxName = *flags.Context
	}
	if ctxName == "" {
		return nil, ErrNoContext
	}
	kctx := raw.Contexts[ctxName]
	if kctx == nil {
		return nil, fmt.Errorf("context %q is not in the kubeconfig (contexts: %s)", ctxName, strings.Join(ContextNames(raw.Contexts), ", "))
	}
	if err := checkReferencedFiles(&raw, kctx, flags); err != nil {
		return nil, err
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, ErrNoContext
		}
		return nil, fmt.Errorf("context %q: %w", ctxName, err)
	}
	ns, _, err := loader.Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	c := &Client{Context: ctxName, Cluster: kctx.Cluster, User: kctx.AuthInfo, Server: cfg.Host, Namespace: ns, Timeout: opts.Timeout}
	c.life, c.end = context.WithCancel(context.Background())
	if c.Timeout <= 0 {
		c.Timeout = cfg.Timeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = c.Timeout
	cfg.UserAgent = "kubectl-lsp/" + version.Get().Version
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	if cfg.ExecProvider != nil && cfg.AuthProvider == nil {
		// An exec credential plugin runs under the client's deadline (credentials.go).
		// Its wrapper comes first, next to the network transport.
		if c.creds, err = newExecCredentials(c.life, cfg, c.Timeout, opts.Terminal); err != nil {
			return nil, fmt.Errorf("context %q: %w", ctxName, err)
		}
		cfg.ExecProvider = nil
		cfg.Wrap(c.creds.wrap)
	}
	if opts.WrapTransport != nil {
		cfg.Wrap(opts.WrapTransport)
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &lifeRoundTripper{life: c.life, next: rt} })
	c.config = cfg

	c.CacheDir = filepath.Join(homedir.HomeDir(), ".kube", "cache")
	if env := os.Getenv("KUBECACHEDIR"); env != "" {
		c.CacheDir = env
	}
	if flags.CacheDir != nil && *flags.CacheDir != "" {
		c.CacheDir = *flags.CacheDir
	}
	discoDir, err := cachePath(c.CacheDir, cfg.Host, "discovery", "{host}")
	if err != nil {
		return nil, err
	}
	httpDir := filepath.Join(c.CacheDir, "http")
	c.disco, err = diskcached.NewCachedDiscoveryClientForConfig(cfg, discoDir, httpDir, discoveryTTL)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", ctxName, err)
	}
	// Reading the cache needs no credentials: an exec credential plugin (which may prompt
	// or take seconds) never runs for it.
	offlineCfg := &rest.Config{Host: cfg.Host, APIPath: cfg.APIPath, UserAgent: cfg.UserAgent, QPS: -1, Timeout: c.Timeout}
	offlineCfg.Wrap(func(http.RoundTripper) http.RoundTripper { return offline{} })
	if c.cached, err = diskcached.NewCachedDiscoveryClientForConfig(offlineCfg, discoDir, httpDir, discoveryTTL); err != nil {
		return nil, fmt.Errorf("context %q: %w", ctxName, err)
	}
	return c, nil
}

// ContextNames lists the contexts of a kubeconfig, sorted.
func ContextNames[V any](contexts map[string]V) []string {
	names := make([]string, 0, len(contexts))
	for n := range contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Contexts lists the contexts of the kubeconfig flags select, and the current one.
func Contexts(flags *genericclioptions.ConfigFlags) (names []string, current string, err error) {
	if flags == nil {
		flags = genericclioptions.NewConfigFlags(false)
	}
	if err := checkKubeconfigFiles(flags); err != nil {
		return nil, "", err
	}
	raw, err := flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, "", err
	}
	return ContextNames(raw.Contexts), raw.CurrentContext, nil
}

// RESTConfig returns a copy of the client's configuration (with its deadline and
// transport wrappers, without the HTTP cache).
func (c *Client) RESTConfig() *rest.Config { return rest.CopyConfig(c.config) }

// Discovery is the disk-cached discovery client (kubectl's ~/.kube/cache layout).
func (c *Client) Discovery() discovery.CachedDiscoveryInterface { return c.disco }

// Mapper maps kinds to resources through cached discovery.
func (c *Client) Mapper() meta.RESTMapper {
	c.mapperOnce.Do(func() {
		m := restmapper.NewDeferredDiscoveryRESTMapper(c.disco)
		c.mapper = restmapper.NewShortcutExpander(m, c.disco, nil)
	})
	return c.mapper
}

// Dynamic is a dynamic client for the cluster. The warnings of its DryRun requests are
// returned with their results.
func (c *Client) Dynamic() (dynamic.Interface, error) {
	c.dynOnce.Do(func() {
		cfg := c.RESTConfig()
		CaptureWarnings(cfg)
		c.dyn, c.dynErr = dynamic.NewForConfig(cfg)
	})
	return c.dyn, c.dynErr
}

// DryRunObject sends one object (decoded JSON) to the cluster as a server-side dry-run
// (see DryRun), within the client's deadline. Objects without a namespace use the
// client's.
func (c *Client) DryRunObject(ctx context.Context, obj map[string]any) (*DryRunResult, error) {
	dyn, err := c.Dynamic()
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	res, err := DryRun(ctx, dyn, c.Mapper(), &unstructured.Unstructured{Object: obj}, c.Namespace)
	if err == nil {
		c.locateAdmission(ctx, res)
	}
	return res, err
}

// Close ends what the client started and still runs: requests in flight fail at once,
// exec credential plugins are killed. Later calls fail.
func (c *Client) Close() {
	c.end()
	if c.creds != nil {
		c.creds.wait()
	}
}

// lifeRoundTripper ends a client's requests when the client is closed, including those
// made without a context of their own.
type lifeRoundTripper struct {
	life context.Context
	next http.RoundTripper
}

func (l *lifeRoundTripper) WrappedRoundTripper() http.RoundTripper { return l.next }

// CancelRequest is for client-go's wrappers, which call it on a client timeout: the
// request's context, which net/http cancels too, does the work.
func (l *lifeRoundTripper) CancelRequest(*http.Request) {}

func (l *lifeRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if l.life.Err() != nil {
		return nil, errClosed
	}
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(l.life, cancel)
	res, err := l.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		if l.life.Err() != nil {
			return nil, errClosed
		}
		return nil, err
	}
	res.Body = &endingBody{ReadCloser: res.Body, end: func() { stop(); cancel() }}
	return res, nil
}

// errClosed is the error of a request to a closed client.
var errClosed = errors.New("the cluster client was closed")

// endingBody releases its request's context once read to the end or closed.
type endingBody struct {
	io.ReadCloser
	once sync.Once
	end  func()
}

func (b *endingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.once.Do(b.end)
	}
	return n, err
}

func (b *endingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.end)
	return err
}

// String names the cluster for messages: context "dev" (https://10.0.0.1:6443).
func (c *Client) String() string { return fmt.Sprintf("context %q (%s)", c.Context, c.Server) }

// withDeadline bounds a call by the client's timeout.
func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.Timeout)
}
