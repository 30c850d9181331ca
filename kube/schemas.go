package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"

	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// SchemaOptions configure a cluster schema source.
type SchemaOptions struct {
	// Wait makes Lookup fetch what is missing from the cluster (the CLI). Without it
	// (the language server), Lookup answers from memory or the disk cache only, and a
	// missing group-version is fetched in the background while the fallback answers.
	Wait bool
	// RefreshInterval is how often Run checks the cluster for new or changed schemas, and
	// how long a cached snapshot is trusted on start (default 20 s).
	RefreshInterval time.Duration
	// OnEvent, when set, is called (from background goroutines) when schemas change,
	// the status changes, or a fetch starts or ends.
	OnEvent func(Event)
}

// EventKind says what an Event reports.
type EventKind int

const (
	// SchemasChanged: kinds or schemas differ from before; documents should be
	// validated again.
	SchemasChanged EventKind = iota
	// StatusChanged: the status (reachability, version, error) changed.
	StatusChanged
	// Busy: a fetch started; Message says what.
	Busy
	// Idle: no fetch is running any more.
	Idle
)

// Event is something a schema source reports.
type Event struct {
	Kind    EventKind
	Message string
}

// Status is what a client shows in a status bar.
type Status struct {
	Context       string `json:"context"`
	Cluster       string `json:"cluster"`
	Server        string `json:"server"`
	ServerVersion string `json:"serverVersion,omitempty"`
	// Source says what answers: "cluster" (schemas from the cluster, refreshed),
	// "cache" (from the disk cache; the cluster was not reached yet or is failing),
	// or "builtin" (nothing from this cluster yet: the embedded schemas).
	Source      string    `json:"source"`
	LastRefresh time.Time `json:"lastRefresh,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	// ErrorKind classifies LastError: unreachable, unauthorized, forbidden or other.
	ErrorKind string `json:"errorKind,omitempty"`
}

// snapshot is what one refresh learns; it is kept on disk so that a warm start needs no
// network call.
type snapshot struct {
	Server        string            `json:"server"`
	ServerVersion string            `json:"serverVersion"`
	FetchedAt     time.Time         `json:"fetchedAt"`
	Paths         map[string]string `json:"paths"` // "apis/apps/v1" → server-relative URL with hash
	Kinds         []kindEntry       `json:"kinds"`
}

type kindEntry struct {
	Group      string   `json:"g,omitempty"`
	Version    string   `json:"v"`
	Kind       string   `json:"k"`
	Resource   string   `json:"r"`
	Namespaced bool     `json:"n,omitempty"`
	Verbs      []string `json:"verbs,omitempty"`
	ShortNames []string `json:"short,omitempty"`
}

// gvDoc is one group-version's compiled OpenAPI document, for one hash.
type gvDoc struct {
	url   string
	ready chan struct{}
	doc   *schema.Document
	crds  map[schema.GVK]*schema.CRDVersion
	// crTypes are the custom resources, compiled as CRD schemas are.
	crTypes map[schema.GVK]*schema.Schema
	err     error
}

// Schemas is the schema source of a live cluster: OpenAPI v3 per group-version (fetched
// lazily, through client-go's HTTP disk cache, keyed by the hash in each URL) and the
// kinds from discovery. While it has nothing from the cluster, or while a group-version
// loads, the fallback answers.
type Schemas struct {
	c    *Client
	opts SchemaOptions

	mu       sync.Mutex
	fallback schema.Source
	snap     *snapshot
	kinds    map[schema.GVK]*kindEntry
	docs     map[string]*gvDoc // by URL (path and hash)
	status   Status
	busy     map[string]bool
	kick     chan struct{}
	started  bool

	// ctx ends the background fetches (Close); wg tracks them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewSchemas returns the cluster's schema source, loaded from the disk cache when a
// snapshot of this server is there. It makes no network call.
func NewSchemas(c *Client, opts SchemaOptions) *Schemas {
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = 20 * time.Second
	}
	s := &Schemas{c: c, opts: opts, docs: map[string]*gvDoc{}, busy: map[string]bool{}, kick: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.status = Status{Context: c.Context, Cluster: c.Cluster, Server: c.Server, Source: "builtin"}
	if snap, err := s.readSnapshot(); err == nil && snap.Server == c.Server {
		s.setSnapshot(snap)
		s.status.Source, s.status.ServerVersion, s.status.LastRefresh = "cache", snap.ServerVersion, snap.FetchedAt
	}
	return s
}

// SetFallback sets the source that answers while the cluster's schemas are not there
// (the embedded release).
func (s *Schemas) SetFallback(src schema.Source) {
	s.mu.Lock()
	s.fallback = src
	s.mu.Unlock()
}

// Client is the cluster this source reads.
func (s *Schemas) Client() *Client { return s.c }

// Name implements schema.Source.
func (s *Schemas) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nameLocked()
}

func (s *Schemas) nameLocked() string {
	if s.snap == nil {
		if s.fallback != nil {
			return s.fallback.Name()
		}
		return "cluster " + s.c.Context
	}
	n := fmt.Sprintf("cluster %s", s.c.Context)
	if s.snap.ServerVersion != "" {
		n += " " + s.snap.ServerVersion
	}
	return n
}

// KubernetesVersion is the cluster's minor version ("1.37"), from the last snapshot; ""
// when unknown.
func (s *Schemas) KubernetesVersion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap == nil {
		return ""
	}
	return minorOf(s.snap.ServerVersion)
}

// Status reports what the source answers from and the last refresh.
func (s *Schemas) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// HasSnapshot reports whether the source knows this cluster's kinds (from the cluster or
// the disk cache).
func (s *Schemas) HasSnapshot() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap != nil
}

// Lookup implements schema.Source.
func (s *Schemas) Lookup(gvk schema.GVK) (*schema.Type, error) {
	s.mu.Lock()
	snap, fb := s.snap, s.fallback
	var k *kindEntry
	if snap != nil {
		k = s.kinds[gvk]
	}
	s.mu.Unlock()
	if snap == nil {
		if fb == nil {
			return nil, nil
		}
		return fb.Lookup(gvk)
	}
	if k == nil {
		return nil, nil // not served by this cluster
	}
	url := snap.Paths[gvPath(gvk.Group, gvk.Version)]
	if url != "" {
		d := s.document(url)
		if d != nil && d.err == nil && d.doc.Kinds[gvk] != nil {
			sch := d.doc.Kinds[gvk]
			if cs := d.crTypes[gvk]; cs != nil {
				sch = cs
			}
			t := &schema.Type{GVK: gvk, Schema: sch, Resource: k.Resource, Namespaced: k.Namespaced,
				Verbs: k.Verbs, ShortNames: k.ShortNames, Source: s.Name(), Origin: schema.OriginCluster, CRD: d.crds[gvk]}
			return t, nil
		}
		if d != nil && d.err != nil && s.opts.Wait {
			return nil, fmt.Errorf("cluster %s: %w", s.c.Context, d.err)
		}
	}
	// Served, but its schema is not here (yet): the fallback's, when it has the kind.
	if fb != nil {
		t, err := fb.Lookup(gvk)
		if err != nil || t == nil {
			return t, err
		}
		cp := *t
		cp.Resource, cp.Namespaced, cp.Verbs, cp.ShortNames = k.Resource, k.Namespaced, k.Verbs, k.ShortNames
		cp.Source, cp.Origin = fmt.Sprintf("%s (%s while the cluster's schema loads)", s.Name(), t.Source), schema.OriginCluster
		return &cp, nil
	}
	return &schema.Type{GVK: gvk, Schema: &schema.Schema{Type: "object", PreserveUnknown: true}, Resource: k.Resource, Namespaced: k.Namespaced,
		Verbs: k.Verbs, ShortNames: k.ShortNames, Source: s.Name() + " (schema loading)", Origin: schema.OriginCluster}, nil
}

// Kinds implements schema.Source.
func (s *Schemas) Kinds() []schema.KindInfo {
	s.mu.Lock()
	snap, fb := s.snap, s.fallback
	name := s.nameLocked()
	s.mu.Unlock()
	if snap == nil {
		if fb == nil {
			return nil
		}
		return fb.Kinds()
	}
	out := make([]schema.KindInfo, 0, len(snap.Kinds))
	for _, k := range snap.Kinds {
		out = append(out, schema.KindInfo{GVK: schema.GVK{Group: k.Group, Version: k.Version, Kind: k.Kind},
			Resource: k.Resource, Namespaced: k.Namespaced, ShortNames: k.ShortNames, Source: name, Origin: schema.OriginCluster})
	}
	return out
}

// document returns the compiled document at url: from memory, else from the disk cache,
// else (Wait) from the cluster. Without Wait, a document that needs the network is
// fetched in the background and nil is returned.
func (s *Schemas) document(url string) *gvDoc {
	s.mu.Lock()
	d := s.docs[url]
	if d != nil {
		s.mu.Unlock()
		if s.opts.Wait {
			<-d.ready
			return d
		}
		select {
		case <-d.ready:
			return d
		default:
			return nil
		}
	}
	d = &gvDoc{url: url, ready: make(chan struct{})}
	s.docs[url] = d
	s.mu.Unlock()

	// The disk cache answers without the network when it has this hash.
	ctx, cancel := s.c.withDeadline(context.Background())
	data, err := s.fetchDoc(ctx, url, true)
	cancel()
	if err == nil {
		s.compile(d, data)
		return d
	}
	if s.opts.Wait {
		ctx, cancel := s.c.withDeadline(context.Background())
		defer cancel()
		data, err = s.fetchDoc(ctx, url, false)
		if err != nil {
			d.err = s.describe(err)
			close(d.ready)
			return d
		}
		s.compile(d, data)
		return d
	}
	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		return nil
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.fetchInBackground(d)
	}()
	return nil
}

// Close ends the source's background fetches and waits for them.
func (s *Schemas) Close() {
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Schemas) fetchInBackground(d *gvDoc) {
	what := "OpenAPI v3 " + strings.TrimPrefix(pathOf(d.url), "/openapi/v3/")
	s.setBusy(what, true)
	defer s.setBusy(what, false)
	ctx, cancel := s.c.withDeadline(s.ctx)
	defer cancel()
	data, err := s.fetchDoc(ctx, d.url, false)
	if err != nil {
		d.err = s.describe(err)
		close(d.ready)
		// Forget it so that a later lookup tries again.
		s.mu.Lock()
		if s.docs[d.url] == d {
			delete(s.docs, d.url)
		}
		s.mu.Unlock()
		s.recordError(err)
		return
	}
	s.compile(d, data)
	s.emit(Event{Kind: SchemasChanged, Message: what})
}

func (s *Schemas) compile(d *gvDoc, data []byte) {
	defer close(d.ready)
	doc, err := schema.CompileDocument(data)
	if err != nil {
		d.err = fmt.Errorf("compiling %s: %w", pathOf(d.url), err)
		return
	}
	d.doc = doc
	d.crds = customResources(data)
	d.crTypes = make(map[schema.GVK]*schema.Schema, len(d.crds))
	for gvk, v := range d.crds {
		if cs, err := schema.CompileStructural(v.SchemaJSON); err == nil {
			d.crTypes[gvk] = cs
		} else {
			delete(d.crds, gvk)
		}
	}
}

// fetchDoc gets one group-version's document through the HTTP disk cache; cacheOnly
// reads the cache and nothing else.
func (s *Schemas) fetchDoc(ctx context.Context, serverRelative string, cacheOnly bool) ([]byte, error) {
	u, err := url.Parse(serverRelative)
	if err != nil {
		return nil, err
	}
	client := s.c.disco
	if cacheOnly {
		client = s.c.cached
	}
	req := client.RESTClient().Get().AbsPath(u.Path).SetHeader("Accept", "application/json")
	for k, vs := range u.Query() {
		for _, v := range vs {
			req = req.Param(k, v)
		}
	}
	return req.Do(ctx).Raw()
}

// customResources finds the custom resources of a document: kinds whose schema is
// self-contained but for metadata, as the apiserver publishes a CRD's schema. They are
// compiled as the CRD's openAPIV3Schema is (structural: pruning, defaults, CEL rules).
func customResources(data []byte) map[schema.GVK]*schema.CRDVersion {
	var doc struct {
		Components struct {
			Schemas map[string]map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := map[schema.GVK]*schema.CRDVersion{}
	for name, sch := range doc.Components.Schemas {
		var gvks []schema.GVK
		if json.Unmarshal(sch["x-kubernetes-group-version-kind"], &gvks) != nil || len(gvks) != 1 {
			continue
		}
		var props map[string]json.RawMessage
		if json.Unmarshal(sch["properties"], &props) != nil {
			continue
		}
		if !bytes.Contains(props["metadata"], []byte("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")) {
			continue
		}
		props["metadata"] = json.RawMessage(`{"type":"object"}`)
		cp := map[string]json.RawMessage{}
		for k, v := range sch {
			if k != "x-kubernetes-group-version-kind" {
				cp[k] = v
			}
		}
		p, _ := json.Marshal(props)
		cp["properties"] = p
		raw, _ := json.Marshal(cp)
		if bytes.Contains(raw, []byte(`"$ref"`)) {
			continue // a built-in or aggregated kind: compiled as the document says
		}
		out[gvks[0]] = &schema.CRDVersion{SchemaJSON: raw, Origin: "cluster " + name}
	}
	return out
}

// Start loads what the source needs before the first lookup. With Wait, it refreshes
// from the cluster when the snapshot is missing or older than the refresh interval, and
// returns the error when the cluster cannot be read and nothing is cached. Without Wait
// it does nothing (Run refreshes in the background).
func (s *Schemas) Start(ctx context.Context) error {
	if !s.opts.Wait {
		return nil
	}
	s.mu.Lock()
	fresh := s.snap != nil && time.Since(s.snap.FetchedAt) < s.opts.RefreshInterval
	cached := s.snap != nil
	s.mu.Unlock()
	if fresh {
		return nil
	}
	if err := s.Refresh(ctx); err != nil && !cached {
		return err
	}
	return nil
}

// Run refreshes in the background until ctx ends: at once when the snapshot is missing or
// stale, then every RefreshInterval, backing off while the cluster fails, and whenever
// Kick is called.
func (s *Schemas) Run(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started = true
	wait := time.Duration(0)
	if s.snap != nil {
		if age := time.Since(s.snap.FetchedAt); age < s.opts.RefreshInterval {
			wait = s.opts.RefreshInterval - age
		}
	}
	s.mu.Unlock()
	backoff := s.opts.RefreshInterval
	maxBackoff := min(max(8*s.opts.RefreshInterval, time.Second), 2*time.Minute)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.kick:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		next := s.opts.RefreshInterval
		if err := s.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			next = backoff
			backoff = min(backoff*2, maxBackoff)
		} else {
			backoff = s.opts.RefreshInterval
		}
		timer.Reset(next)
	}
}

// Kick asks Run to refresh now.
func (s *Schemas) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Refresh asks the cluster what it serves: the OpenAPI v3 index (revalidated with its
// ETag through the HTTP cache) and, when that changed, discovery and the version.
// Changed group-versions are dropped from memory and loaded again on next use.
func (s *Schemas) Refresh(ctx context.Context) error {
	s.setBusy("refresh", true)
	defer s.setBusy("refresh", false)
	paths, err := s.fetchPaths(ctx)
	if err != nil {
		s.recordError(err)
		return s.describe(err)
	}
	s.mu.Lock()
	old := s.snap
	s.mu.Unlock()
	changed := old == nil || !mapsEqual(old.Paths, paths)
	snap := &snapshot{Server: s.c.Server, FetchedAt: time.Now(), Paths: paths}
	if changed {
		ver, kinds, err := s.fetchDiscovery(ctx)
		if err != nil {
			s.recordError(err)
			return s.describe(err)
		}
		snap.ServerVersion, snap.Kinds = ver, kinds
	} else {
		snap.ServerVersion, snap.Kinds = old.ServerVersion, old.Kinds
	}
	s.mu.Lock()
	s.setSnapshot(snap)
	current := make(map[string]bool, len(paths))
	for _, u := range paths {
		current[u] = true
	}
	for u := range s.docs {
		if !current[u] {
			delete(s.docs, u) // a changed hash: loaded again on next use
		}
	}
	prev := s.status
	s.status.Source, s.status.ServerVersion, s.status.LastRefresh = "cluster", snap.ServerVersion, snap.FetchedAt
	s.status.LastError, s.status.ErrorKind = "", ""
	statusChanged := prev.Source != s.status.Source || prev.LastError != "" || prev.ServerVersion != s.status.ServerVersion
	s.mu.Unlock()
	if err := s.writeSnapshot(snap); err != nil {
		// Not fatal: the next start fetches again.
		s.emit(Event{Kind: StatusChanged, Message: "writing the schema cache: " + err.Error()})
	}
	if statusChanged {
		s.emit(Event{Kind: StatusChanged})
	}
	if changed {
		s.emit(Event{Kind: SchemasChanged, Message: "cluster schemas changed"})
	}
	return nil
}

func (s *Schemas) fetchPaths(ctx context.Context) (map[string]string, error) {
	ctx, cancel := s.c.withDeadline(ctx)
	defer cancel()
	data, err := s.c.disco.RESTClient().Get().AbsPath("/openapi/v3").SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var root struct {
		Paths map[string]struct {
			ServerRelativeURL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("reading /openapi/v3: %w", err)
	}
	out := make(map[string]string, len(root.Paths))
	for p, v := range root.Paths {
		out[p] = v.ServerRelativeURL
	}
	return out, nil
}

func (s *Schemas) fetchDiscovery(ctx context.Context) (string, []kindEntry, error) {
	ctx, cancel := s.c.withDeadline(ctx)
	defer cancel()
	s.c.disco.Invalidate()
	v, err := s.c.disco.ServerVersionWithContext(ctx)
	if err != nil {
		return "", nil, err
	}
	ver := v.GitVersion
	_, resources, err := s.c.disco.ServerGroupsAndResourcesWithContext(ctx)
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return "", nil, err // (some aggregated APIs being down is not: keep the rest)
	}
	var kinds []kindEntry
	for _, list := range resources {
		if list == nil {
			continue
		}
		g, v := splitGV(list.GroupVersion)
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			kinds = append(kinds, kindEntry{Group: g, Version: v, Kind: r.Kind, Resource: r.Name, Namespaced: r.Namespaced,
				Verbs: r.Verbs, ShortNames: r.ShortNames})
		}
	}
	return ver, kinds, nil
}

func (s *Schemas) setSnapshot(snap *snapshot) {
	s.snap = snap
	s.kinds = make(map[schema.GVK]*kindEntry, len(snap.Kinds))
	for i := range snap.Kinds {
		k := &snap.Kinds[i]
		s.kinds[schema.GVK{Group: k.Group, Version: k.Version, Kind: k.Kind}] = k
	}
}

// maxSnapshotSize bounds the cached index read at start (a few hundred kilobytes for a
// cluster with hundreds of CRDs): a larger file, or one that is not a regular file, is
// ignored and fetched again.
const maxSnapshotSize = 64 * safefile.MiB

func (s *Schemas) snapshotPath() (string, error) {
	return cachePath(s.c.CacheDir, s.c.Server, "kubectl-lsp", "{host}", "openapi-v3.json")
}

func (s *Schemas) readSnapshot() (*snapshot, error) {
	p, err := s.snapshotPath()
	if err != nil {
		return nil, err
	}
	data, err := safefile.ReadFile(p, maxSnapshotSize)
	if err != nil {
		return nil, err
	}
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	return &snap, nil
}

func (s *Schemas) writeSnapshot(snap *snapshot) error {
	p, err := s.snapshotPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".openapi-v3-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// recordError notes a failed call in the status, once per distinct error.
func (s *Schemas) recordError(err error) {
	kind, msg := classify(err)
	s.mu.Lock()
	changed := s.status.LastError != msg
	s.status.LastError, s.status.ErrorKind = msg, kind
	if s.snap != nil {
		s.status.Source = "cache"
	} else {
		s.status.Source = "builtin"
	}
	s.mu.Unlock()
	if changed {
		s.emit(Event{Kind: StatusChanged, Message: msg})
	}
}

// describe turns a call's error into one a user can act on.
func (s *Schemas) describe(err error) error {
	_, msg := classify(err)
	return errors.New(msg)
}

// classify names the kind of a failure and explains it.
func classify(err error) (kind, msg string) {
	var status apierrors.APIStatus
	switch {
	case isCredentialError(err):
		return "unauthorized", "getting credentials failed: " + err.Error()
	case apierrors.IsUnauthorized(err):
		return "unauthorized", "the cluster rejected the credentials (401 Unauthorized): log in again or check the kubeconfig user: " + err.Error()
	case apierrors.IsForbidden(err):
		return "forbidden", "the user may not read the cluster's OpenAPI schemas (403 Forbidden): " + err.Error()
	case IsTimeout(err):
		return "unreachable", "the cluster did not answer in time: " + err.Error()
	case errors.As(err, &status):
		return "other", err.Error()
	}
	return "unreachable", "cannot reach the cluster: " + err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func (s *Schemas) setBusy(what string, on bool) {
	s.mu.Lock()
	before := len(s.busy)
	if on {
		s.busy[what] = true
	} else {
		delete(s.busy, what)
	}
	after := len(s.busy)
	s.mu.Unlock()
	switch {
	case on:
		s.emit(Event{Kind: Busy, Message: what})
	case before > 0 && after == 0:
		s.emit(Event{Kind: Idle})
	}
}

func (s *Schemas) emit(e Event) {
	if s.opts.OnEvent != nil {
		s.opts.OnEvent(e)
	}
}

func gvPath(group, version string) string {
	if group == "" {
		return "api/" + version
	}
	return "apis/" + group + "/" + version
}

func pathOf(serverRelative string) string {
	if i := strings.IndexByte(serverRelative, '?'); i >= 0 {
		return serverRelative[:i]
	}
	return serverRelative
}

func splitGV(gv string) (string, string) {
	if i := strings.IndexByte(gv, '/'); i >= 0 {
		return gv[:i], gv[i+1:]
	}
	return "", gv
}

// minorOf turns a server's git version ("v1.37.2") into "1.37".
func minorOf(gitVersion string) string {
	v := strings.TrimPrefix(gitVersion, "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	if minor == "" {
		return ""
	}
	return parts[0] + "." + minor
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
