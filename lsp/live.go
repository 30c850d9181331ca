package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
)

// What the cluster says about the objects references name: whether the ConfigMap a
// Deployment mounts exists there, and its live YAML as a read-only document. Lookups run
// in the background and are kept a while, so a hover or a document link shows what is
// known at once and never waits on the network.

const (
	// liveFresh is how long a lookup's answer is used before it is asked again.
	liveFresh = 30 * time.Second
	// liveRetry is the same after a lookup failed.
	liveRetry = 10 * time.Second
	// liveLookups is how many lookups run at a time.
	liveLookups = 4
	// livePrefetch is how many references of a document are looked up when it is opened
	// or saved.
	livePrefetch = 100
)

// CommandShowLive opens, read-only, the live object a reference names. Its arguments are
// the document's URI and a position on the reference.
const CommandShowLive = "kubectl-lsp.showLive"

type liveState int

const (
	liveChecking liveState = iota // the first lookup is in flight
	liveFound
	liveMissing
	liveFailed
)

// liveEntry is the last answer about one object.
type liveEntry struct {
	state liveState
	key   engine.ObjectKey
	yaml  string
	file  string // the read-only document holding yaml
	err   string
	at    time.Time
	busy  bool
}

// liveCache holds the answers of one cluster; another cluster starts it afresh.
type liveCache struct {
	mu   sync.Mutex
	conn *clusterConn
	m    map[engine.ObjectKey]*liveEntry
	sem  chan struct{}
}

// entry is key's entry for conn, and whether a lookup should start (none yet, or stale
// and none in flight); the caller that gets true does it.
func (c *liveCache) entry(conn *clusterConn, key engine.ObjectKey) (liveEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != conn || c.m == nil {
		c.conn, c.m = conn, map[engine.ObjectKey]*liveEntry{}
	}
	if c.sem == nil {
		c.sem = make(chan struct{}, liveLookups)
	}
	e := c.m[key]
	if e == nil {
		e = &liveEntry{key: key, state: liveChecking}
		c.m[key] = e
	}
	fresh := liveFresh
	if e.state == liveFailed {
		fresh = liveRetry
	}
	start := !e.busy && (e.state == liveChecking || time.Since(e.at) > fresh)
	if start {
		e.busy = true
	}
	return *e, start
}

// store records a lookup's answer, unless the cluster changed meanwhile.
func (c *liveCache) store(conn *clusterConn, e liveEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == conn {
		e.busy = false
		c.m[e.key] = &e
	}
}

// livePeek is what is known about the object key names, at once; when nothing is, or
// the answer is old, a lookup starts in the background.
func (s *Server) livePeek(conn *clusterConn, key engine.ObjectKey) liveEntry {
	e, start := s.live.entry(conn, key)
	if start {
		s.goBackground(func() { s.liveLookup(conn, e) })
	}
	return e
}

// liveNow looks the object up now (for a command the user asked for), within the
// cluster's timeout.
func (s *Server) liveNow(conn *clusterConn, key engine.ObjectKey) liveEntry {
	e, _ := s.live.entry(conn, key)
	return s.liveLookup(conn, e)
}

// liveLookup asks the cluster about e's object and stores the answer.
func (s *Server) liveLookup(conn *clusterConn, e liveEntry) liveEntry {
	s.live.mu.Lock()
	sem := s.live.sem
	s.live.mu.Unlock()
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-s.baseCtx.Done():
		return e
	}
	obj, err := conn.Get(s.baseCtx, e.key)
	e.at, e.err = time.Now(), ""
	switch {
	case err != nil:
		e.state, e.err = liveFailed, conn.Explain(err)
	case !obj.Found:
		e.state, e.yaml, e.file = liveMissing, "", ""
	default:
		e.state = liveFound
		if obj.YAML != e.yaml || e.file == "" {
			e.yaml = obj.YAML
			if e.file, err = s.output.write(e.key.Kind+"-"+e.key.Name+".yaml", obj.YAML); err != nil {
				e.state, e.err = liveFailed, err.Error()
			}
		}
	}
	s.live.store(conn, e)
	return e
}

// prefetchLive starts lookups of the objects a document's references name (some of
// them), so that hovers find the answers ready.
func (s *Server) prefetchLive(snap *snapshot) {
	conn := s.view().cluster
	if conn == nil || !engine.IsManifest(snap.text) {
		return
	}
	snap.parse()
	n := 0
	for _, r := range engine.ReferencesIn(snap.file) {
		t := r.AsTarget()
		if !engine.CanGet(t) {
			continue
		}
		if n++; n > livePrefetch {
			return
		}
		s.livePeek(conn, conn.LiveKey(t))
	}
}

// liveNote says, for a hover on a reference, what the cluster in use knows of the object.
func (s *Server) liveNote(conn *clusterConn, t engine.Target) string {
	if conn == nil || !engine.CanGet(t) {
		return ""
	}
	key := conn.LiveKey(t)
	e := s.livePeek(conn, key)
	where := fmt.Sprintf("In context `%s`", conn.Context())
	if key.Namespace != "" {
		where += fmt.Sprintf(", namespace `%s`", key.Namespace)
	}
	switch e.state {
	case liveFound:
		return fmt.Sprintf("\n\n%s: exists · [live object (read-only)](%s)", where, uri.File(e.file))
	case liveMissing:
		return fmt.Sprintf("\n\n%s: **not found**", where)
	case liveFailed:
		return fmt.Sprintf("\n\n%s: could not check: %s", where, e.err)
	}
	return fmt.Sprintf("\n\n%s: checking…", where)
}

// showLiveCommand opens the live object a reference (or an object's name) names, as a
// read-only document. Arguments: the document's URI and a position.
func (s *Server) showLiveCommand(ctx context.Context, command string, args []json.RawMessage) (any, error) {
	var u protocol.DocumentURI
	var pos protocol.Position
	if len(args) != 2 || json.Unmarshal(args[0], &u) != nil || json.Unmarshal(args[1], &pos) != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the arguments are a document URI and a position", command)
	}
	snap, v := s.opened(u)
	if snap == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", u)
	}
	if v.cluster == nil {
		return nil, errNoCluster
	}
	snap.parse()
	offset, err := toOffset(snap.file.Mapper, pos)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	t, ok := engine.TargetAt(snap.file, offset)
	if !ok || !engine.CanGet(t) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "no reference to an object the cluster can be asked about at line %d", pos.Line+1)
	}
	s.progress.busy("get " + t.Key.String() + " from " + v.cluster.Context())
	e := s.liveNow(v.cluster, v.cluster.LiveKey(t))
	s.progress.idle()
	switch e.state {
	case liveFailed:
		return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "reading %s from context %q failed: %s", e.key, v.cluster.Context(), e.err)
	case liveMissing:
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("kubectl-lsp: %s is not in context %q", e.key, v.cluster.Context()))
		return map[string]any{"found": false}, nil
	}
	doc := protocol.DocumentURI(uri.File(e.file))
	s.showDocument(ctx, doc)
	return map[string]any{"found": true, "document": doc}, nil
}
