// Package testcluster starts a real etcd and kube-apiserver on loopback
// (127.0.0.1) for tests, so that integration tests can compare kubectl-lsp
// with what a real API server accepts (server-side dry-run, field validation,
// admission, RBAC, CRDs, OpenAPI).
//
// The binaries come from hack/controlplane.sh build (`make controlplane`),
// which builds kube-apiserver and kubectl KubernetesVersion into
// .cache/controlplane/<version>/ and links the system etcd
// (apt-get install etcd-server) next to them. $KUBECTL_LSP_CONTROLPLANE_DIR
// overrides that directory.
//
// A second control plane, kube-apiserver OldestKubernetesVersion (the oldest
// release --kubernetes-version accepts), is built by the same command into
// .cache/controlplane/<OldestKubernetesVersion>/ ($KUBECTL_LSP_CONTROLPLANE_OLDEST_DIR
// overrides it). SharedOldest, or Options.Oldest, starts it with its own etcd,
// data directory and ports, beside the first.
//
// Most tests want one cluster per test binary:
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		c := testcluster.Shared(t)
//		warnings, err := c.DryRunCreate(ctx, manifest)
//		...
//	}
//
// Shared skips the test when the binaries are missing, unless
// KUBECTL_LSP_REQUIRE_CLUSTER=1 is set (CI), in which case it fails. It always
// skips in -short mode.
//
// No controllers run (no kube-controller-manager): namespaces cannot be
// deleted and nothing creates ServiceAccounts, so EnsureNamespace creates the
// namespace together with its "default" ServiceAccount, which Pods need.
package testcluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	// KubernetesVersion is the version of the binaries the package looks for.
	KubernetesVersion = "v1.37.2"
	// OldestKubernetesVersion is the version of the second control plane's
	// kube-apiserver: the latest patch of the oldest release the product
	// supports (schema/builtin embeds the same).
	OldestKubernetesVersion = "v1.34.4"

	// AdminUser is in group system:masters (Config).
	AdminUser = "admin"
	// LimitedUser is authenticated but has no RBAC rights beyond what
	// system:authenticated gets (discovery, self-review).
	LimitedUser = "limited"

	// EnvBinDir overrides where the binaries are looked up.
	EnvBinDir = "KUBECTL_LSP_CONTROLPLANE_DIR"
	// EnvOldestBinDir overrides where the oldest release's binaries are looked up.
	EnvOldestBinDir = "KUBECTL_LSP_CONTROLPLANE_OLDEST_DIR"
	// EnvRequire makes Shared fail instead of skip when the binaries are missing.
	EnvRequire = "KUBECTL_LSP_REQUIRE_CLUSTER"

	// BuildCommand builds the binaries, both releases.
	BuildCommand = "make controlplane"

	defaultStartTimeout = 60 * time.Second
	defaultCallTimeout  = 30 * time.Second
)

// ErrBinariesMissing is returned (wrapped) by Start when etcd or
// kube-apiserver cannot be found.
var ErrBinariesMissing = errors.New("control plane binaries missing")

// Options configure Start. The zero value is fine.
type Options struct {
	// BinDir holds etcd, kube-apiserver and (optionally) kubectl. Default:
	// $KUBECTL_LSP_CONTROLPLANE_DIR, else <repo root>/.cache/controlplane/<KubernetesVersion>.
	BinDir string
	// Oldest starts kube-apiserver OldestKubernetesVersion instead: BinDir
	// then defaults to $KUBECTL_LSP_CONTROLPLANE_OLDEST_DIR, else
	// <repo root>/.cache/controlplane/<OldestKubernetesVersion>.
	Oldest bool
	// APIServerFlags are appended to the kube-apiserver command line (a
	// later flag overrides an earlier one), e.g. "--feature-gates=...".
	APIServerFlags []string
	// StartTimeout bounds each process's wait for readiness (default 60 s).
	StartTimeout time.Duration
}

// Cluster is a running etcd + kube-apiserver. Its methods are safe for
// concurrent use, except that StopAPIServer/StartAPIServer must not race
// with each other.
type Cluster struct {
	opts    Options
	dir     string // temp dir, removed by Stop
	binDir  string
	f       *files
	etcdURL string
	apiPort int

	admin   *rest.Config
	limited *rest.Config
	rest    *rest.RESTClient // admin, JSON, warnings not logged
	probe   *http.Client     // admin, for /readyz
	mapper  *restmapper.DeferredDiscoveryRESTMapper

	stopOnce  sync.Once
	mu        sync.Mutex
	etcd      *process
	apiserver *process
	stopped   bool
}

// Start starts etcd and kube-apiserver on free loopback ports and returns
// once /readyz succeeds. Call Stop when done.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = defaultStartTimeout
	}
	binDir, err := findBinDir(opts)
	if err != nil {
		return nil, err
	}
	etcdBin, err := findEtcd(binDir)
	if err != nil {
		return nil, err
	}
	sweepStale()
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, err
	}
	// Lets a later Start remove this dir if we die without Stop.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	c := &Cluster{opts: opts, dir: dir, binDir: binDir}
	register(c)
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	if c.f, err = writeFiles(dir); err != nil {
		return nil, fmt.Errorf("testcluster: %w", err)
	}

	// A port picked here can be taken by someone else before the child
	// binds it: retry with new ports when that happens.
	for attempt := 1; ; attempt++ {
		ports, perr := freePorts(3)
		if perr != nil {
			return nil, fmt.Errorf("testcluster: %w", perr)
		}
		c.etcdURL = "http://127.0.0.1:" + strconv.Itoa(ports[0])
		c.apiPort = ports[2]
		err = c.startEtcd(ctx, etcdBin, ports[1])
		if err == nil {
			c.setupClients()
			err = c.StartAPIServer(ctx)
		}
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		c.stopProcesses()
		_ = os.RemoveAll(c.f.etcdDataDir)
	}
	if err != nil {
		return nil, err
	}
	if err := c.writeKubeconfig(); err != nil {
		return nil, fmt.Errorf("testcluster: kubeconfig: %w", err)
	}
	if err := c.EnsureNamespace(ctx, "default"); err != nil {
		return nil, fmt.Errorf("testcluster: %w", err)
	}
	return c, nil
}

func (c *Cluster) startEtcd(ctx context.Context, bin string, peerPort int) error {
	peer := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	args := []string{
		"--name=testcluster",
		"--data-dir=" + c.f.etcdDataDir,
		"--listen-client-urls=" + c.etcdURL,
		"--advertise-client-urls=" + c.etcdURL,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=testcluster=" + peer,
		"--initial-cluster-state=new",
		"--logger=zap",
		"--log-outputs=stderr",
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return errors.New("testcluster: cluster is stopped")
	}
	p, err := startProcess("etcd", bin, args, c.f.etcdLog)
	if err != nil {
		c.mu.Unlock()
		return fmt.Errorf("testcluster: %w", err)
	}
	c.etcd = p
	c.mu.Unlock()

	client := &http.Client{Timeout: 2 * time.Second}
	return waitReady(ctx, p, c.opts.StartTimeout, func(ctx context.Context) (bool, string) {
		return get(ctx, client, c.etcdURL+"/health", func(body string) bool {
			return strings.Contains(body, `"health":"true"`)
		})
	})
}

func (c *Cluster) apiserverArgs() []string {
	args := []string{
		"--etcd-servers=" + c.etcdURL,
		"--secure-port=" + strconv.Itoa(c.apiPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + c.f.certDir,
		"--tls-cert-file=" + c.f.servingCert,
		"--tls-private-key-file=" + c.f.servingKey,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + c.f.saPub,
		"--service-account-signing-key-file=" + c.f.saKey,
		"--token-auth-file=" + c.f.tokens,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		// Default plugins plus ValidatingAdmissionPolicy (GA, on by
		// default; listed so that it stays on).
		"--enable-admission-plugins=ValidatingAdmissionPolicy",
		"--profiling=false",
	}
	return append(args, c.opts.APIServerFlags...)
}

// StartAPIServer starts kube-apiserver (again) on the cluster's port against
// the running etcd, and waits for /readyz. Together with StopAPIServer it
// simulates an API server outage.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return errors.New("testcluster: cluster is stopped")
	}
	if c.apiserver != nil && !c.apiserver.exited() {
		c.mu.Unlock()
		return errors.New("testcluster: kube-apiserver is already running")
	}
	p, err := startProcess("kube-apiserver", filepath.Join(c.binDir, "kube-apiserver"), c.apiserverArgs(), c.f.apiserverLog)
	if err != nil {
		c.mu.Unlock()
		return fmt.Errorf("testcluster: %w", err)
	}
	c.apiserver = p
	c.mu.Unlock()

	url := fmt.Sprintf("https://127.0.0.1:%d/readyz", c.apiPort)
	err = waitReady(ctx, p, c.opts.StartTimeout, func(ctx context.Context) (bool, string) {
		return get(ctx, c.probe, url, func(body string) bool { return body == "ok" })
	})
	if err != nil {
		p.stop(5 * time.Second)
		return err
	}
	return nil
}

// StopAPIServer stops kube-apiserver, keeping etcd (and the data) running.
func (c *Cluster) StopAPIServer() {
	c.mu.Lock()
	p := c.apiserver
	c.mu.Unlock()
	p.stop(10 * time.Second)
}

// Stop stops both processes and removes the temp dir. Safe to call more
// than once and concurrently: every call returns once the cluster is gone.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopped = true
		c.mu.Unlock()
		c.stopProcesses()
		_ = os.RemoveAll(c.dir)
		unregister(c)
	})
}

const tempPrefix = "testcluster-"

// live holds the clusters of this process that are not stopped, for Main's
// signal handler.
var live = struct {
	sync.Mutex
	m map[*Cluster]bool
}{m: map[*Cluster]bool{}}

func register(c *Cluster) {
	live.Lock()
	live.m[c] = true
	live.Unlock()
}

func unregister(c *Cluster) {
	live.Lock()
	delete(live.m, c)
	live.Unlock()
}

// stopAll stops every cluster this process started and has not stopped.
func stopAll() {
	live.Lock()
	var cs []*Cluster
	for c := range live.m {
		cs = append(cs, c)
	}
	live.Unlock()
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); c.Stop() }()
	}
	wg.Wait()
}

// sweepStale removes temp dirs left by test processes that died without
// Stop (their etcd and kube-apiserver died with them).
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue // not ours, or being created
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid != os.Getpid() && !processAlive(pid) {
			_ = os.RemoveAll(d)
		}
	}
}

func (c *Cluster) stopProcesses() {
	c.mu.Lock()
	api, etcd := c.apiserver, c.etcd
	c.mu.Unlock()
	api.stop(10 * time.Second)
	etcd.stop(10 * time.Second)
}

// Config returns a new admin (system:masters) client config.
func (c *Cluster) Config() *rest.Config { return rest.CopyConfig(c.admin) }

// ConfigFor returns a new client config for AdminUser or LimitedUser; it
// panics on any other name.
func (c *Cluster) ConfigFor(user string) *rest.Config {
	switch user {
	case AdminUser:
		return c.Config()
	case LimitedUser:
		return rest.CopyConfig(c.limited)
	}
	panic(fmt.Sprintf("testcluster: unknown user %q (want %q or %q)", user, AdminUser, LimitedUser))
}

// Kubeconfig returns the path of a kubeconfig file with contexts "admin"
// (current) and "limited".
func (c *Cluster) Kubeconfig() string { return c.f.kubeconfig }

// Host returns the API server URL (https://127.0.0.1:PORT).
func (c *Cluster) Host() string { return c.admin.Host }

// Kubectl returns the path of the matching kubectl binary, or "" if it was
// not built.
func (c *Cluster) Kubectl() string {
	p := filepath.Join(c.binDir, "kubectl")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Version is the kube-apiserver's release (KubernetesVersion or
// OldestKubernetesVersion).
func (c *Cluster) Version() string { return c.opts.version() }

func (o Options) version() string {
	if o.Oldest {
		return OldestKubernetesVersion
	}
	return KubernetesVersion
}

// Dir is the cluster's temp dir (logs: etcd.log, kube-apiserver.log).
func (c *Cluster) Dir() string { return c.dir }

func (c *Cluster) setupClients() {
	host := fmt.Sprintf("https://127.0.0.1:%d", c.apiPort)
	base := &rest.Config{
		Host:            host,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.f.caPEM},
		Timeout:         defaultCallTimeout,
		QPS:             100,
		Burst:           200,
	}
	c.admin = rest.CopyConfig(base)
	c.admin.BearerToken = c.f.adminToken
	c.limited = rest.CopyConfig(base)
	c.limited.BearerToken = c.f.limitedToken

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.f.caPEM)
	c.probe = &http.Client{
		Timeout: 2 * time.Second,
		Transport: &bearer{token: c.f.adminToken, rt: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
		}},
	}

	cfg := c.Config()
	cfg.ContentType = "application/json"
	cfg.AcceptContentTypes = "application/json"
	cfg.WarningHandler = rest.NoWarnings{} // returned to callers instead
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, metav1.SchemeGroupVersion)
	cfg.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	rc, err := rest.UnversionedRESTClientFor(cfg)
	if err != nil {
		panic(err) // only fails on a malformed config, which we built
	}
	c.rest = rc
	dc := discovery.NewDiscoveryClientForConfigOrDie(cfg)
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
}

type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(r)
}

func (c *Cluster) writeKubeconfig() error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["testcluster"] = &clientcmdapi.Cluster{Server: c.admin.Host, CertificateAuthorityData: c.f.caPEM}
	for _, u := range []struct{ name, token string }{{AdminUser, c.f.adminToken}, {LimitedUser, c.f.limitedToken}} {
		kc.AuthInfos[u.name] = &clientcmdapi.AuthInfo{Token: u.token}
		kc.Contexts[u.name] = &clientcmdapi.Context{Cluster: "testcluster", AuthInfo: u.name, Namespace: "default"}
	}
	kc.CurrentContext = AdminUser
	return clientcmd.WriteToFile(*kc, c.f.kubeconfig)
}

// waitReady polls check until it reports ready, the process exits, ctx ends
// or timeout passes.
func waitReady(ctx context.Context, p *process, timeout time.Duration, check func(context.Context) (bool, string)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	last := "no response yet"
	for {
		if p.exited() {
			return fmt.Errorf("testcluster: %w", p.exitError())
		}
		ok, detail := check(ctx)
		if ok {
			return nil
		}
		if detail != "" {
			last = detail
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testcluster: %s not ready after %s (%v); last check: %s\n%s",
				p.name, time.Since(start).Round(time.Millisecond), ctx.Err(), last, logTail(p.logPath, 40))
		case <-p.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// get reports whether url answers 200 with a body that satisfies ok, and
// otherwise a short description of what it got.
func get(ctx context.Context, client *http.Client, url string, ok func(string) bool) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	s := strings.TrimSpace(string(body))
	if resp.StatusCode == http.StatusOK && ok(s) {
		return true, ""
	}
	return false, fmt.Sprintf("%s: %s", resp.Status, s)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // keep all open until all are picked: no duplicates
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// findBinDir returns the directory holding the kube-apiserver opts ask for.
func findBinDir(opts Options) (string, error) {
	dir, env := opts.BinDir, EnvBinDir
	if opts.Oldest {
		env = EnvOldestBinDir
	}
	if dir == "" {
		dir = os.Getenv(env)
	}
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return "", fmt.Errorf("testcluster: %w: %v; run `%s` or set $%s", ErrBinariesMissing, err, BuildCommand, env)
		}
		dir = filepath.Join(root, ".cache", "controlplane", opts.version())
	}
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return "", fmt.Errorf("testcluster: %w: no kube-apiserver in %s; build it with `%s`", ErrBinariesMissing, dir, BuildCommand)
	}
	return dir, nil
}

// findEtcd prefers the etcd linked into dir, else the one in PATH.
func findEtcd(dir string) (string, error) {
	p := filepath.Join(dir, "etcd")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("testcluster: %w: no etcd in %s or PATH; apt-get install etcd-server, then `%s`", ErrBinariesMissing, dir, BuildCommand)
}

// repoRoot walks up from the working directory to the kubectl-lsp module.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	first := ""
	for d := wd; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if first == "" {
				first = d
			}
			if strings.Contains(string(data), "module github.com/kubectl-lsp/kubectl-lsp\n") {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if first != "" {
		return first, nil
	}
	return "", fmt.Errorf("no go.mod above %s", wd)
}
