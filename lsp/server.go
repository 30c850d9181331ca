package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// WrapTransport is for tests: it wraps the network transport of every cluster client.
type WrapTransport = func(http.RoundTripper) http.RoundTripper

// Options configure a Server.
type Options struct {
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// Settings are the defaults, before the client's initializationOptions and
	// workspace/didChangeConfiguration.
	Settings Settings
	// ConfigFlags are kubectl's connection flags the server was started with
	// (--kubeconfig, --context, --cache-dir, ...); the kubeconfig and context settings
	// override them. Nil means kubectl's defaults.
	ConfigFlags *genericclioptions.ConfigFlags
	// WrapTransport, when set, wraps the network transport of cluster clients (tests
	// count requests with it).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Server is kubectl-lsp's language server. A Server serves one connection.
type Server struct {
	log      *slog.Logger
	defaults Settings

	// features, when set (tests), answers the editor features instead of the engine.
	features features
	// testHookRequest, when set (tests), runs at the start of every request's goroutine.
	testHookRequest func(ctx context.Context, id jsonrpc2.ID, method string)

	// validations counts the sections validated (tests check the cache with it).
	validations atomic.Int64

	baseCtx context.Context
	conn    jsonrpc2.Conn
	wg      sync.WaitGroup
	exited  chan struct{}

	// rebuildMu serialises engine builds.
	rebuildMu sync.Mutex

	baseFlags     *genericclioptions.ConfigFlags
	wrapTransport func(http.RoundTripper) http.RoundTripper
	progress      progressReporter
	drift         driftCache
	live          liveCache
	plugins       pluginCache
	output        outputDir
	// index is what the workspace's manifests define and reference (navigation).
	index *engine.Index

	mu            sync.Mutex
	state         serverState
	closing       bool
	exitErr       error
	settings      Settings
	initSettings  Settings // the defaults with the client's initializationOptions
	root          string
	caps          clientCaps
	actionCaps    actionCaps
	docs          map[protocol.DocumentURI]*document
	eng           *engine.Engine
	gen           uint64 // counts engine builds; cached findings are per generation
	lastEngineErr string
	inflight      map[jsonrpc2.ID]context.CancelFunc
	// cluster supplies live schemas; nil when none is configured or reachable by config.
	cluster *clusterConn
	// contextOverride is the context chosen with the useContext command.
	contextOverride string
	// userSkips are the clusters whose apply and delete are not confirmed: the valid
	// skipConfirmationContexts entries of the initializationOptions, which the user's own
	// settings supply. A workspace's didChangeConfiguration cannot change them.
	userSkips []SkipConfirmation
	// skipWarned is set once the server has said that a pushed skipConfirmationContexts
	// is ignored.
	skipWarned bool
}

type serverState int

const (
	stateNew serverState = iota
	stateInitialized
	stateShutdown
)

// ErrExitWithoutShutdown is returned by Serve when the client sent exit, or closed the
// connection, without a shutdown request first; the process should exit with status 1.
var ErrExitWithoutShutdown = errors.New("the client ended the session without a shutdown request")

// NewServer returns a server ready to Serve one connection.
func NewServer(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		log:           log,
		defaults:      opts.Settings,
		settings:      opts.Settings,
		exited:        make(chan struct{}),
		docs:          map[protocol.DocumentURI]*document{},
		inflight:      map[jsonrpc2.ID]context.CancelFunc{},
		baseFlags:     opts.ConfigFlags,
		wrapTransport: opts.WrapTransport,
		index:         engine.NewIndex(),
	}
	s.progress.s = s
	return s
}

// Serve speaks LSP over rwc until the client sends exit, the connection ends or ctx is
// cancelled. It returns nil after a clean shutdown and exit.
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.baseCtx = ctx
	st := newStream(rwc, s.log)
	st.dropped = func(size int64) {
		s.goShowMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: a message of %d MiB from the editor was dropped: messages are limited to %d MiB (is a file that large open?)",
			size>>20, maxMessageSize>>20))
	}
	s.conn = jsonrpc2.NewConn(st)
	s.conn.Go(ctx, s.handle)

	var err error
	select {
	case <-s.exited:
		s.mu.Lock()
		err = s.exitErr
		s.mu.Unlock()
	case <-s.conn.Done():
		s.mu.Lock()
		if s.state != stateShutdown {
			err = fmt.Errorf("%w (connection closed: %v)", ErrExitWithoutShutdown, s.conn.Err())
		}
		s.mu.Unlock()
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	cancel()
	s.stopCluster()
	// Closing the connection ends its read loop, except on a blocking standard input,
	// which only the process's exit ends: do not wait for it.
	_ = s.conn.Close()
	// The background work ends with the cluster's calls; what has not ended a moment
	// later (a stuck client library call) is left behind: the process is exiting.
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait / 2):
		s.log.Warn("background work still running at exit; not waiting for it")
	}
	s.output.remove()
	return err
}

// handle runs on the connection's read loop: notifications are handled here, in order;
// requests are handed to goroutines. It never returns an error, which would end the
// connection.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	call, isCall := req.(*jsonrpc2.Call)
	if !isCall {
		s.notification(req.Method(), req.Params())
		return nil
	}
	method := call.Method()
	s.mu.Lock()
	state, closing := s.state, s.closing
	s.mu.Unlock()
	reply = s.loggedReply(method, reply)
	switch {
	case closing:
		return reply(s.baseCtx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is exiting"))
	case method == protocol.MethodInitialize:
		if state != stateNew {
			return reply(s.baseCtx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already received"))
		}
		res, err := s.initialize(call.Params())
		return reply(s.baseCtx, res, err)
	case state == stateNew:
		return reply(s.baseCtx, nil, jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "the server is not initialized: send initialize first"))
	case state == stateShutdown:
		return reply(s.baseCtx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shut down: only exit is accepted"))
	case method == protocol.MethodShutdown:
		s.shutdown()
		return reply(s.baseCtx, nil, nil)
	}
	h, ok := requestHandlers[method]
	if !ok {
		return reply(s.baseCtx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
	}
	id := call.ID()
	rctx, cancel := context.WithCancel(s.baseCtx)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		cancel()
		return reply(s.baseCtx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is exiting"))
	}
	s.inflight[id] = cancel
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
			cancel()
		}()
		if hook := s.testHookRequest; hook != nil {
			hook(rctx, id, method)
		}
		res, err := s.safely(method, func() (any, error) { return h(s, rctx, call.Params()) })
		if rctx.Err() != nil && s.baseCtx.Err() == nil {
			res, err = nil, jsonrpc2.NewError(codeRequestCancelled, "request cancelled")
		}
		_ = reply(s.baseCtx, res, err)
	}()
	return nil
}

// loggedReply logs failed replies and, at debug level, every request's duration.
func (s *Server) loggedReply(method string, reply jsonrpc2.Replier) jsonrpc2.Replier {
	start := time.Now()
	return func(ctx context.Context, result any, err error) error {
		if err != nil {
			s.log.Debug("request failed", "method", method, "err", err, "took", time.Since(start))
		} else {
			s.log.Debug("request", "method", method, "took", time.Since(start))
		}
		if rerr := reply(ctx, result, err); rerr != nil {
			s.log.Warn("replying", "method", method, "err", rerr)
		}
		return nil
	}
}

// safely runs a handler, turning a panic into an internal error.
func (s *Server) safely(method string, fn func() (any, error)) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("handler panicked", "method", method, "panic", r, "stack", string(debug.Stack()))
			res, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", method, r)
		}
	}()
	res, err = fn()
	if err != nil {
		var jerr *jsonrpc2.Error
		if !errors.As(err, &jerr) {
			err = jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
		}
	}
	return res, err
}

type requestHandler func(s *Server, ctx context.Context, params json.RawMessage) (any, error)

// requestHandlers are the requests answered off the read loop. initialize and shutdown
// are handled in handle itself.
var requestHandlers = map[string]requestHandler{
	protocol.MethodTextDocumentHover:          (*Server).hover,
	protocol.MethodTextDocumentCompletion:     (*Server).completion,
	protocol.MethodTextDocumentDocumentSymbol: (*Server).documentSymbol,
	protocol.MethodTextDocumentFoldingRange:   (*Server).foldingRange,
	protocol.MethodTextDocumentCodeAction:     (*Server).codeAction,
	protocol.MethodTextDocumentCodeLens:       (*Server).codeLens,
	protocol.MethodWorkspaceExecuteCommand:    (*Server).executeCommand,
	protocol.MethodTextDocumentDefinition:     (*Server).definition,
	protocol.MethodTextDocumentReferences:     (*Server).references,
	protocol.MethodTextDocumentRename:         (*Server).rename,
	protocol.MethodTextDocumentDocumentLink:   (*Server).documentLink,
	protocol.MethodTextDocumentPrepareRename:  (*Server).prepareRename,
	MethodDiff:                                (*Server).diffRequest,
}

func (s *Server) notification(method string, params json.RawMessage) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	if method == protocol.MethodExit {
		s.exit()
		return
	}
	if state != stateInitialized {
		s.log.Debug("dropping notification", "method", method, "state", state)
		return
	}
	_, _ = s.safely(method, func() (any, error) {
		var err error
		switch method {
		case protocol.MethodInitialized:
			s.goSendStatus()
			s.goBackground(s.watchFiles)
			s.goBackground(s.indexWorkspace)
		case protocol.MethodWorkspaceDidChangeWatchedFiles:
			err = s.didChangeWatchedFiles(params)
		case protocol.MethodTextDocumentDidSave:
			err = s.didSave(params)
		case protocol.MethodCancelRequest:
			err = s.cancelRequest(params)
		case protocol.MethodTextDocumentDidOpen:
			err = s.didOpen(params)
		case protocol.MethodTextDocumentDidChange:
			err = s.didChange(params)
		case protocol.MethodTextDocumentDidClose:
			err = s.didClose(params)
		case protocol.MethodWorkspaceDidChangeConfiguration:
			err = s.didChangeConfiguration(params)
		default:
			s.log.Debug("ignoring notification", "method", method)
		}
		if err != nil {
			s.log.Error("notification", "method", method, "err", err)
		}
		return nil, nil
	})
}

func decodeParams(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	return nil
}

func (s *Server) cancelRequest(raw json.RawMessage) error {
	var p cancelParams
	if err := decodeParams(raw, &p); err != nil {
		return err
	}
	var id jsonrpc2.ID
	if err := id.UnmarshalJSON(p.ID); err != nil {
		return fmt.Errorf("$/cancelRequest: invalid id %s: %w", p.ID, err)
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

func (s *Server) notify(method string, params any) {
	if err := s.conn.Notify(s.baseCtx, method, params); err != nil && s.baseCtx.Err() == nil {
		s.log.Warn("notifying", "method", method, "err", err)
	}
}

// goShowMessage shows a message from a goroutine (for the connection's read loop, which
// must not write).
func (s *Server) goShowMessage(typ protocol.MessageType, msg string) {
	s.goBackground(func() { s.showMessage(typ, msg) })
}

func (s *Server) showMessage(typ protocol.MessageType, msg string) {
	s.log.Info("showMessage", "message", msg)
	s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: typ, Message: msg})
}
