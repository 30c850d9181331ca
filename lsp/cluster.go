package lsp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// The cluster side of the server: which cluster supplies schemas, its status for the
// client's status bar, progress while it loads, and the commands that switch or refresh
// it. Nothing here waits on the network in a request: kube.Schemas answers from memory
// or the disk cache and fetches in the background.

// MethodStatus is the notification kubectl-lsp sends when the cluster status changes (and
// once after initialized), for a status bar.
const MethodStatus = "kubectl-lsp/status"

// StatusParams are MethodStatus's params.
type StatusParams struct {
	engine.ClusterStatus
	// Schemas names the schema chain validating documents, e.g.
	// "crd → cluster dev v1.37.2".
	Schemas string `json:"schemas"`
	// Connected is false when no cluster is configured (the embedded schemas only).
	Connected bool `json:"connected"`
}

// Commands the server executes (workspace/executeCommand).
const (
	// CommandUseContext switches the cluster: arguments [context name]; "" returns to the
	// kubeconfig's current context.
	CommandUseContext = "kubectl-lsp.useContext"
	// CommandRefreshCluster checks the cluster for new schemas now.
	CommandRefreshCluster = "kubectl-lsp.refreshCluster"
	// CommandClusterStatus returns StatusParams.
	CommandClusterStatus = "kubectl-lsp.clusterStatus"
	// CommandListContexts returns {"contexts": [...], "current": "..."}.
	CommandListContexts = "kubectl-lsp.listContexts"
)

// clusterConn is the cluster the server reads schemas from.
type clusterConn struct {
	key string
	*engine.Cluster
	stop context.CancelFunc

	mu       sync.Mutex
	down     bool // the user was told the cluster fails, and not yet that it answers again
	lastKick time.Time
}

// close ends the cluster's background work and its calls in flight, waiting for them at
// most a moment.
func (c *clusterConn) close(wait time.Duration) bool {
	c.stop()
	return c.Close(wait)
}

// clusterKey identifies the cluster settings select; "" means none.
func (s *Server) clusterKey(settings Settings) string {
	if choice, err := engine.ChooseCluster(settings.SchemaSource, settings.KubernetesVersion); err != nil || choice == engine.NoCluster {
		return ""
	}
	return strings.Join([]string{settings.Kubeconfig, s.effectiveContext(settings), fmt.Sprint(settings.refreshInterval())}, "\x00")
}

func (s *Server) effectiveContext(settings Settings) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.contextOverride != "" {
		return s.contextOverride
	}
	return settings.Context
}

// ensureCluster connects (without network calls) to the cluster the settings select,
// replacing the current one when they changed. It returns the schema source to validate
// with (nil: the embedded schemas only) and a problem to show, if any.
func (s *Server) ensureCluster(settings Settings) (engine.ClusterSource, string) {
	key := s.clusterKey(settings)
	s.mu.Lock()
	cur := s.cluster
	s.mu.Unlock()
	if cur != nil && cur.key == key {
		return cur.Schemas(), ""
	}
	if cur != nil && !cur.close(closeWait) {
		s.log.Warn("the previous cluster's work did not end in time; going on", "cluster", cur.String())
	}
	s.mu.Lock()
	s.cluster = nil
	s.mu.Unlock()
	if key == "" {
		return nil, ""
	}
	choice, _ := engine.ChooseCluster(settings.SchemaSource, settings.KubernetesVersion)
	conn := &clusterConn{key: key}
	c, err := engine.Connect(engine.ClusterOptions{Choice: choice, Flags: s.kubeFlags(settings), WrapTransport: s.wrapTransport,
		RefreshInterval: settings.refreshInterval(), OnEvent: func(e engine.ClusterEvent) { s.clusterEvent(conn, e) }})
	if err != nil {
		note, _ := engine.Fallback(choice, err)
		return nil, note
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	conn.Cluster, conn.stop = c, cancel
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		cancel()
		return nil, ""
	}
	s.cluster = conn
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		conn.Run(ctx)
	}()
	s.log.Info("cluster", "context", c.Context(), "server", c.Server(), "cached", c.HasSnapshot())
	return c.Schemas(), ""
}

// kubeFlags are kubectl's connection flags for the settings: the serve command's, with
// the kubeconfig and context the client chose.
func (s *Server) kubeFlags(settings Settings) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	if b := s.baseFlags; b != nil {
		f.KubeConfig, f.Context, f.Namespace, f.CacheDir, f.Timeout = b.KubeConfig, b.Context, b.Namespace, b.CacheDir, b.Timeout
		f.ClusterName, f.AuthInfoName, f.Insecure, f.BearerToken = b.ClusterName, b.AuthInfoName, b.Insecure, b.BearerToken
	}
	if settings.Kubeconfig != "" {
		kc := expandHome(settings.Kubeconfig)
		f.KubeConfig = &kc
	}
	if ctx := s.effectiveContext(settings); ctx != "" {
		f.Context = &ctx
	}
	return f
}

// clusterEvent handles what a cluster source reports, from its goroutines.
func (s *Server) clusterEvent(conn *clusterConn, e engine.ClusterEvent) {
	s.mu.Lock()
	current := s.cluster == conn && !s.closing
	s.mu.Unlock()
	if !current {
		return
	}
	switch e.Kind {
	case engine.SchemasChanged:
		s.log.Info("cluster schemas changed", "what", e.Message)
		s.mu.Lock()
		eng, explicit := s.eng, s.settings.KubernetesVersion != ""
		s.mu.Unlock()
		if v := conn.KubernetesVersion(); eng != nil && !explicit && v != "" && !eng.FallsBackFor(v) {
			s.goRebuild() // the cluster's version is known now: its embedded release falls back
		} else {
			s.revalidateAll()
		}
		s.sendStatus()
	case engine.StatusChanged:
		s.sendStatus()
		s.reportClusterProblem(conn)
	case engine.ClusterBusy:
		s.progress.busy(e.Message)
	case engine.ClusterIdle:
		s.progress.idle()
	}
}

// reportClusterProblem shows one warning when the cluster starts failing, however its
// error changes while it fails (the status carries the latest), and one message when it
// answers again.
func (s *Server) reportClusterProblem(conn *clusterConn) {
	conn.mu.Lock()
	st := conn.Status()
	wasDown := conn.down
	conn.down = st.LastError != ""
	conn.mu.Unlock()
	switch {
	case st.LastError != "" && !wasDown:
		fallback := "the embedded schemas"
		if st.Source == "cache" {
			fallback = "the schemas cached at " + st.LastRefresh.Local().Format("15:04:05")
		}
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: %s: %s; validating with %s until it answers", conn, st.LastError, fallback))
	case st.LastError == "" && wasDown:
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp: %s answers again; validating with its schemas", conn))
	}
}

func (s *Server) status() StatusParams {
	s.mu.Lock()
	conn, eng := s.cluster, s.eng
	s.mu.Unlock()
	var p StatusParams
	if eng != nil {
		p.Schemas = eng.Source().Name()
	}
	if conn == nil {
		p.Source = "builtin"
		return p
	}
	p.ClusterStatus = conn.Status()
	p.Connected = true
	return p
}

// goSendStatus sends the status from a goroutine (for the connection's read loop, which
// must not write).
func (s *Server) goSendStatus() { s.goBackground(s.sendStatus) }

func (s *Server) sendStatus() {
	s.mu.Lock()
	ok := s.state == stateInitialized && !s.closing
	s.mu.Unlock()
	if ok {
		s.notify(MethodStatus, s.status())
	}
}

// closeWait bounds the wait for a cluster's work to end (shutdown, a context switch):
// its calls fail at once when it is closed, and credential plugins are killed, but the
// editor never waits on a cluster.
const closeWait = time.Second

// stopCluster ends the cluster's background work (shutdown).
func (s *Server) stopCluster() {
	s.mu.Lock()
	conn := s.cluster
	s.cluster = nil
	s.mu.Unlock()
	if conn != nil && !conn.close(closeWait) {
		s.log.Warn("the cluster's work did not end in time; going on", "cluster", conn.String())
	}
}
