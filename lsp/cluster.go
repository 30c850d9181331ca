package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
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
	kube.Status
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

var serverCommands = []string{CommandUseContext, CommandRefreshCluster, CommandClusterStatus, CommandListContexts,
	CommandApply, CommandDryRun, CommandDiff, CommandDelete, CommandRefreshDrift, CommandRunPlugin}

// clusterConn is the cluster the server reads schemas from.
type clusterConn struct {
	key    string
	client *kube.Client
	src    *kube.Schemas
	stop   context.CancelFunc

	mu       sync.Mutex
	down     bool // the user was told the cluster fails, and not yet that it answers again
	lastKick time.Time
}

// close ends the cluster's background work and its calls in flight (credential plugins
// included), waiting for them at most a moment.
func (c *clusterConn) close(wait time.Duration) bool {
	c.stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.client.Close() // first: what waits on the network fails at once
		c.src.Close()
	}()
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

// clusterKey identifies the cluster settings select; "" means none.
func (s *Server) clusterKey(settings Settings) string {
	switch settings.SchemaSource {
	case engine.SourceBuiltin:
		return ""
	case "", engine.SourceAuto:
		if settings.KubernetesVersion != "" {
			return ""
		}
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
func (s *Server) ensureCluster(settings Settings) (*kube.Schemas, string) {
	key := s.clusterKey(settings)
	s.mu.Lock()
	cur := s.cluster
	s.mu.Unlock()
	if cur != nil && cur.key == key {
		return cur.src, ""
	}
	if cur != nil && !cur.close(closeWait) {
		s.log.Warn("the previous cluster's work did not end in time; going on", "cluster", cur.client.String())
	}
	s.mu.Lock()
	s.cluster = nil
	s.mu.Unlock()
	if key == "" {
		return nil, ""
	}
	flags := s.kubeFlags(settings)
	client, err := kube.New(kube.Options{Flags: flags, WrapTransport: s.wrapTransport})
	if err != nil {
		if errors.Is(err, kube.ErrNoContext) && settings.SchemaSource != engine.SourceCluster {
			return nil, ""
		}
		return nil, "cluster: " + err.Error() + "; using the embedded schemas"
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	conn := &clusterConn{key: key, client: client, stop: cancel}
	conn.src = kube.NewSchemas(client, kube.SchemaOptions{
		RefreshInterval: settings.refreshInterval(),
		OnEvent:         func(e kube.Event) { s.clusterEvent(conn, e) },
	})
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
		conn.src.Run(ctx)
	}()
	s.log.Info("cluster", "context", client.Context, "server", client.Server, "cached", conn.src.HasSnapshot())
	return conn.src, ""
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
func (s *Server) clusterEvent(conn *clusterConn, e kube.Event) {
	s.mu.Lock()
	current := s.cluster == conn && !s.closing
	s.mu.Unlock()
	if !current {
		return
	}
	switch e.Kind {
	case kube.SchemasChanged:
		s.log.Info("cluster schemas changed", "what", e.Message)
		s.mu.Lock()
		eng, explicit := s.eng, s.settings.KubernetesVersion != ""
		s.mu.Unlock()
		if v := conn.src.KubernetesVersion(); eng != nil && !explicit && v != "" && eng.Builtin().Version() != builtin.Nearest(v) {
			s.goRebuild() // the cluster's version is known now: its embedded release falls back
		} else {
			s.revalidateAll()
		}
		s.sendStatus()
	case kube.StatusChanged:
		s.sendStatus()
		s.reportClusterProblem(conn)
	case kube.Busy:
		s.progress.busy(e.Message)
	case kube.Idle:
		s.progress.idle()
	}
}

// reportClusterProblem shows one warning when the cluster starts failing, however its
// error changes while it fails (the status carries the latest), and one message when it
// answers again.
func (s *Server) reportClusterProblem(conn *clusterConn) {
	conn.mu.Lock()
	st := conn.src.Status()
	wasDown := conn.down
	conn.down = st.LastError != ""
	conn.mu.Unlock()
	switch {
	case st.LastError != "" && !wasDown:
		fallback := "the embedded schemas"
		if st.Source == "cache" {
			fallback = "the schemas cached at " + st.LastRefresh.Local().Format("15:04:05")
		}
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: %s: %s; validating with %s until it answers", conn.client, st.LastError, fallback))
	case st.LastError == "" && wasDown:
		s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("kubectl-lsp: %s answers again; validating with its schemas", conn.client))
	}
}

// revalidateAll validates every open document again (new schemas).
func (s *Server) revalidateAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateInitialized {
		return
	}
	s.gen++
	for _, doc := range s.docs {
		s.schedule(doc, s.settings.debounce())
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
	p.Status = conn.src.Status()
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

// executeCommand runs the server's commands.
func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	switch p.Command {
	case CommandUseContext:
		name := ""
		if len(p.Arguments) > 0 {
			if err := json.Unmarshal(p.Arguments[0], &name); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the argument is a context name: %v", p.Command, err)
			}
		}
		if name != "" {
			s.mu.Lock()
			settings := s.settings
			s.mu.Unlock()
			names, _, err := kube.Contexts(s.kubeFlags(settings))
			if err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: reading the kubeconfig: %v", p.Command, err)
			}
			if !containsString(names, name) {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: context %q is not in the kubeconfig (contexts: %s)", p.Command, name, strings.Join(names, ", "))
			}
		}
		s.mu.Lock()
		s.contextOverride = name
		s.mu.Unlock()
		s.rebuild(nil)
		s.sendStatus()
		return s.status(), nil
	case CommandRefreshCluster:
		s.mu.Lock()
		conn := s.cluster
		s.mu.Unlock()
		if conn == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "no cluster is in use (schema source %q)", s.status().Source)
		}
		conn.src.Kick()
		return nil, nil
	case CommandClusterStatus:
		return s.status(), nil
	case CommandApply, CommandDryRun, CommandDelete:
		return s.executeAction(ctx, p.Command, p.Arguments)
	case CommandDiff:
		return s.executeDiff(ctx, p.Arguments)
	case CommandRunPlugin:
		return s.executePlugin(ctx, p.Arguments)
	case CommandRefreshDrift:
		var u protocol.DocumentURI
		if len(p.Arguments) == 0 || json.Unmarshal(p.Arguments[0], &u) != nil {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the argument is a document URI")
		}
		s.mu.Lock()
		doc := s.docs[u]
		s.mu.Unlock()
		if doc == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
		}
		s.goRefreshDrift(doc)
		return nil, nil
	case CommandListContexts:
		s.mu.Lock()
		settings := s.settings
		s.mu.Unlock()
		names, current, err := kube.Contexts(s.kubeFlags(settings))
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "reading the kubeconfig: %v", err)
		}
		if c := s.effectiveContext(settings); c != "" {
			current = c
		}
		if names == nil {
			names = []string{}
		}
		return map[string]any{"contexts": names, "current": current}, nil
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q (commands: %s)", p.Command, strings.Join(serverCommands, ", "))
}

// didSave refreshes the cluster's schemas (a CRD may just have been applied), at most
// every few seconds.
func (s *Server) didSave(raw json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	s.mu.Lock()
	conn := s.cluster
	doc := s.docs[p.TextDocument.URI]
	settings := s.settings
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	conn.mu.Lock()
	kick := time.Since(conn.lastKick) > 2*time.Second
	if kick {
		conn.lastKick = time.Now()
	}
	conn.mu.Unlock()
	if kick {
		conn.src.Kick()
	}
	if doc != nil && settings.DryRun == DryRunOnSave {
		s.goDryRun(doc)
	}
	if doc != nil {
		s.goRefreshDrift(doc)
	}
	return nil
}

// progressReporter turns the cluster's busy/idle events into $/progress, for clients
// that support server-initiated progress.
type progressReporter struct {
	s      *Server
	events chan progressEvent
	once   sync.Once
}

type progressEvent struct {
	busy    bool
	message string
}

func (p *progressReporter) busy(msg string) { p.send(progressEvent{busy: true, message: msg}) }
func (p *progressReporter) idle()           { p.send(progressEvent{}) }

func (p *progressReporter) send(e progressEvent) {
	p.s.mu.Lock()
	ok := p.s.caps.workDoneProgress && !p.s.closing
	p.s.mu.Unlock()
	if !ok {
		return
	}
	p.once.Do(func() {
		p.events = make(chan progressEvent, 64)
		p.s.mu.Lock()
		p.s.wg.Add(1)
		p.s.mu.Unlock()
		go p.loop()
	})
	select {
	case p.events <- e:
	default: // a burst: the loop catches up with the next event
	}
}

func (p *progressReporter) loop() {
	defer p.s.wg.Done()
	s := p.s
	n := 0
	active := ""
	for {
		var e progressEvent
		select {
		case e = <-p.events:
		case <-s.baseCtx.Done():
			return
		}
		switch {
		case e.busy && active == "":
			n++
			token := fmt.Sprintf("kubectl-lsp/cluster/%d", n)
			ctx, cancel := context.WithTimeout(s.baseCtx, 5*time.Second)
			_, err := s.conn.Call(ctx, protocol.MethodWorkDoneProgressCreate, map[string]any{"token": token}, nil)
			cancel()
			if err != nil {
				s.log.Debug("workDoneProgress/create", "err", err)
				continue
			}
			active = token
			s.notify(protocol.MethodProgress, map[string]any{"token": token, "value": map[string]any{
				"kind": "begin", "title": "Kubernetes schemas", "message": e.message, "cancellable": false}})
		case e.busy:
			s.notify(protocol.MethodProgress, map[string]any{"token": active, "value": map[string]any{"kind": "report", "message": e.message}})
		case active != "":
			s.notify(protocol.MethodProgress, map[string]any{"token": active, "value": map[string]any{"kind": "end"}})
			active = ""
		}
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
		s.log.Warn("the cluster's work did not end in time; going on", "cluster", conn.client.String())
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WrapTransport is for tests: it wraps the network transport of every cluster client.
type WrapTransport = func(http.RoundTripper) http.RoundTripper
