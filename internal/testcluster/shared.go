package testcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// sharedCluster is a cluster started on first use and stopped by Main.
type sharedCluster struct {
	opts    Options
	once    sync.Once
	mu      sync.Mutex
	cluster *Cluster
	err     error
}

var (
	shared       = &sharedCluster{}
	sharedOldest = &sharedCluster{opts: Options{Oldest: true}}
)

var mainRunning atomic.Bool

// Main runs the package's tests and then stops the shared cluster, if one
// was started (and any other cluster still running). Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }
//
// It also stops the clusters (processes and temp dirs) when the test binary
// gets SIGINT or SIGTERM. If the binary dies otherwise (go test -timeout
// panic, SIGKILL), the kernel kills etcd and kube-apiserver, which run with a
// parent-death signal, and the next Start removes the temp dir.
func Main(m *testing.M) int {
	mainRunning.Store(true)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			stopAll()
			fmt.Fprintf(os.Stderr, "testcluster: stopped the control plane on %v\n", s)
			os.Exit(1)
		case <-done:
		}
	}()
	code := m.Run()
	signal.Stop(sigs)
	close(done)
	stopAll()
	return code
}

// Shared returns the test binary's cluster, starting it on first use. The
// package must call Main from TestMain, which stops it.
//
// It skips the test in -short mode, and when the binaries are missing
// (unless $KUBECTL_LSP_REQUIRE_CLUSTER=1, then the test fails). Any other
// start failure fails the test, and every later test that asks.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	return shared.get(tb, "the shared cluster")
}

// SharedOldest is Shared for a second cluster, of kube-apiserver
// OldestKubernetesVersion (Options.Oldest), with its own etcd and ports: a
// test can use both at once. It skips and fails like Shared.
func SharedOldest(tb testing.TB) *Cluster {
	tb.Helper()
	return sharedOldest.get(tb, "the shared cluster of the oldest release")
}

func (s *sharedCluster) get(tb testing.TB, what string) *Cluster {
	tb.Helper()
	if testing.Short() {
		tb.Skip("testcluster: skipped in -short mode (needs a real kube-apiserver)")
	}
	if !mainRunning.Load() {
		tb.Fatal("testcluster: Shared needs `func TestMain(m *testing.M) { os.Exit(testcluster.Main(m)) }` in this package, which stops the cluster")
	}
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		c, err := Start(ctx, s.opts)
		s.mu.Lock()
		s.cluster, s.err = c, err
		s.mu.Unlock()
		if err == nil {
			tb.Logf("testcluster: kube-apiserver %s at %s, started in %s", c.Version(), c.Host(), time.Since(start).Round(time.Millisecond))
		}
	})
	s.mu.Lock()
	c, err := s.cluster, s.err
	s.mu.Unlock()
	if err != nil {
		startFailed(tb, what, err)
	}
	return c
}

// New starts a cluster for this test alone (e.g. one whose API server the
// test stops), stopped by tb.Cleanup. It skips and fails like Shared.
func New(tb testing.TB, opts Options) *Cluster {
	tb.Helper()
	if testing.Short() {
		tb.Skip("testcluster: skipped in -short mode (needs a real kube-apiserver)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := Start(ctx, opts)
	if err != nil {
		startFailed(tb, "a cluster", err)
	}
	tb.Logf("testcluster: kube-apiserver %s at %s, started in %s", c.Version(), c.Host(), time.Since(start).Round(time.Millisecond))
	tb.Cleanup(c.Stop)
	return c
}

func startFailed(tb testing.TB, what string, err error) {
	tb.Helper()
	if errors.Is(err, ErrBinariesMissing) {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("%v\n(%s=1: a real control plane is required)", err, EnvRequire)
		}
		tb.Skipf("%v (set %s=1 to fail instead of skip)", err, EnvRequire)
	}
	tb.Fatalf("testcluster: starting %s: %v", what, err)
}
