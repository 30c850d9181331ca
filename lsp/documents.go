package lsp

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"go.lsp.dev/protocol"
	"go.yaml.in/yaml/v3"
)

// document is an open text document: its latest snapshot, its diagnostics state and a
// cache, per `---` section text, of parse trees and findings.
type document struct {
	uri  protocol.DocumentURI
	name string

	// Guarded by Server.mu.
	snap   *snapshot
	cancel context.CancelFunc // of the pending or running diagnostics
	crdKey uint64             // the CRD content of this document the engine was built with
	server *serverFindings    // the last server-side dry-run's findings

	// The cluster work a save asks for: at most one of each runs at a time.
	dryRunJob, driftJob latestJob

	// publishMu orders publications: a stale run never publishes after a newer one.
	publishMu sync.Mutex

	cache sectionCache
}

// snapshot is one version of a document. Its text never changes.
type snapshot struct {
	doc     *document
	version int32
	text    []byte
	file    *yamlpos.File
	hashes  []uint64

	parseOnce sync.Once
	entries   []*sectionEntry                 // per section, set by parse
	parsed    atomic.Pointer[[]*sectionEntry] // entries, once parse is done

	// The entries of the previous snapshot, if it was parsed: sections [0, head) and the
	// last tail sections have the text of base's first head and last tail sections.
	base              []*sectionEntry
	head, tail, prevN int
}

var hashSeed = maphash.MakeSeed()

func newSnapshot(doc *document, version int32, text []byte) *snapshot {
	s := &snapshot{doc: doc, version: version, text: text}
	prev := doc.snap
	if prev == nil {
		s.file = yamlpos.Split(doc.name, text)
	} else {
		// Only the sections around the edit are new: the others keep their hashes and,
		// if the previous snapshot was parsed, their cache entries.
		s.file, s.head, s.tail = yamlpos.SplitFrom(prev.file, doc.name, text)
		s.prevN = len(prev.file.Docs)
		if e := prev.parsed.Load(); e != nil {
			s.base = *e
		}
	}
	n := len(s.file.Docs)
	s.hashes = make([]uint64, n)
	for i, d := range s.file.Docs {
		if j, ok := s.baseIndex(i); ok {
			s.hashes[i] = prev.hashes[j]
		} else {
			s.hashes[i] = maphash.Bytes(hashSeed, d.Text())
		}
	}
	recentFiles.add(s.file)
	return s
}

// baseIndex is the index in the previous snapshot of a section i known to have the same
// text.
func (s *snapshot) baseIndex(i int) (int, bool) {
	n := len(s.file.Docs)
	switch {
	case i < s.head:
		return i, true
	case i >= n-s.tail:
		return i - n + s.prevN, true
	}
	return 0, false
}

// applyChanges applies didChange's content changes, in order, to text. Positions are
// LSP positions in the text as it is before each change.
func applyChanges(text []byte, changes []contentChange) ([]byte, error) {
	// The text is usually the latest snapshot's, whose line index is at hand.
	m := recentFiles.mapper(text)
	for i, c := range changes {
		if c.Range == nil {
			text, m = []byte(c.Text), nil
			continue
		}
		if m == nil {
			m = yamlpos.NewMapper(text)
		}
		r, err := toByteRange(m, *c.Range)
		if err != nil {
			return nil, fmt.Errorf("content change %d: %w", i, err)
		}
		out := make([]byte, 0, len(text)-(r.End-r.Start)+len(c.Text))
		out = append(out, text[:r.Start]...)
		out = append(out, c.Text...)
		out = append(out, text[r.End:]...)
		if i+1 < len(changes) {
			m = m.Edit(out, r.Start, r.End, r.Start+len(c.Text))
		}
		text = out
	}
	return text, nil
}

// recentFiles remembers, without keeping them alive, the files of the latest snapshots,
// so that applyChanges finds the line index of the text it edits instead of building it.
var recentFiles fileRing

type fileRing struct {
	mu    sync.Mutex
	next  int
	files [16]weak.Pointer[yamlpos.File]
}

func (r *fileRing) add(f *yamlpos.File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[r.next] = weak.Make(f)
	r.next = (r.next + 1) % len(r.files)
}

// mapper returns the mapper of a remembered file whose text is text itself (the same
// bytes in memory, which never change), or nil.
func (r *fileRing) mapper(text []byte) *yamlpos.Mapper {
	if len(text) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.files {
		if f := p.Value(); f != nil && len(f.Src) == len(text) && &f.Src[0] == &text[0] {
			return f.Mapper
		}
	}
	return nil
}

// parse parses every section of the snapshot once, reusing the trees of sections whose
// text an earlier snapshot of the document already parsed. Afterwards the engine only
// reads the sections.
func (s *snapshot) parse() {
	s.parseOnce.Do(func() {
		docs := s.file.Docs
		entries := make([]*sectionEntry, len(docs))
		background(len(docs), func(i int) { entries[i] = s.parseSection(i) })
		s.doc.cache.keep(s.hashes, entries)
		s.entries = entries
		s.parsed.Store(&entries)
	})
}

// parseSection parses section i, or gives it the tree an earlier snapshot parsed from the
// same text. Safe to call concurrently and repeatedly: a section is parsed once.
func (s *snapshot) parseSection(i int) *sectionEntry {
	d := s.file.Docs[i]
	var e *sectionEntry
	if j, ok := s.baseIndex(i); ok && s.base != nil {
		e = s.base[j] // same text as section j of the previous snapshot: no lookup
	} else {
		e = s.doc.cache.lookup(s.hashes[i], d.Text())
	}
	if root, perr, ok := s.doc.cache.tree(e); ok {
		var err *yamlpos.SyntaxError
		if perr != nil {
			shifted := *perr
			shifted.Range = yamlpos.Range{Start: perr.Range.Start + d.Start, End: perr.Range.End + d.Start}
			err = &shifted
		}
		d.SetParsed(root, err)
		return e
	}
	d.ParseDoc()
	if e == nil {
		e = &sectionEntry{text: bytes.Clone(d.Text())}
	}
	var relErr *yamlpos.SyntaxError
	if d.Err != nil {
		rel := *d.Err
		rel.Range = yamlpos.Range{Start: d.Err.Range.Start - d.Start, End: d.Err.Range.End - d.Start}
		relErr = &rel
	}
	s.doc.cache.setParsed(e, d.Root, relErr)
	return e
}

// parseAt parses only the section holding offset: what a hover or completion needs, so
// that it does not wait for a large file's other sections.
func (s *snapshot) parseAt(offset int) {
	docs := s.file.Docs
	i := sort.Search(len(docs), func(i int) bool { return docs[i].End > offset })
	if i < len(docs) {
		s.parseSection(i)
	}
}

// sectionCache maps the text of a `---` section to its parse tree and findings, so that
// unchanged sections are neither parsed nor validated again.
type sectionCache struct {
	mu      sync.Mutex
	entries map[uint64]*sectionEntry
}

type sectionEntry struct {
	text []byte // a private copy, compared on lookup: a hash match alone is not trusted

	// Guarded by sectionCache.mu.
	parsed bool
	root   *yaml.Node
	err    *yamlpos.SyntaxError // range relative to the section start

	gen       uint64             // engine generation of findings
	validated bool               // findings hold for gen
	findings  []validate.Finding // ranges relative to the section start
}

func (c *sectionCache) lookup(h uint64, text []byte) *sectionEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[h]
	if e == nil || !bytes.Equal(e.text, text) {
		return nil
	}
	return e
}

// tree returns the parse result of an entry, if it has one.
func (c *sectionCache) tree(e *sectionEntry) (*yaml.Node, *yamlpos.SyntaxError, bool) {
	if e == nil {
		return nil, nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return e.root, e.err, e.parsed
}

func (c *sectionCache) setParsed(e *sectionEntry, root *yaml.Node, err *yamlpos.SyntaxError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.parsed, e.root, e.err = true, root, err
}

// keep makes the cache hold exactly the given sections (those of the latest parse).
func (c *sectionCache) keep(hashes []uint64, entries []*sectionEntry) {
	m := make(map[uint64]*sectionEntry, len(entries))
	for i, e := range entries {
		m[hashes[i]] = e
	}
	c.mu.Lock()
	c.entries = m
	c.mu.Unlock()
}

// findings returns a section's cached findings for engine generation gen.
func (c *sectionCache) findings(e *sectionEntry, gen uint64) ([]validate.Finding, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.validated && e.gen == gen {
		return e.findings, true
	}
	return nil, false
}

func (c *sectionCache) setFindings(e *sectionEntry, gen uint64, fs []validate.Finding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.validated && e.gen > gen {
		return
	}
	e.gen, e.validated, e.findings = gen, true, fs
}

// shiftFindings moves findings (and their related locations) by delta bytes.
func shiftFindings(fs []validate.Finding, delta int) []validate.Finding {
	out := make([]validate.Finding, len(fs))
	for i, f := range fs {
		f.Range = yamlpos.Range{Start: f.Range.Start + delta, End: f.Range.End + delta}
		if len(f.Related) > 0 {
			rel := make([]validate.Related, len(f.Related))
			for j, r := range f.Related {
				r.Range = yamlpos.Range{Start: r.Range.Start + delta, End: r.Range.End + delta}
				rel[j] = r
			}
			f.Related = rel
		}
		out[i] = f
	}
	return out
}

// background runs fn(0..n-1) on every CPU for work off the request path (parsing and
// validating a whole file). Requests still answer meanwhile: they parse only the document
// they need and the Go scheduler shares the CPUs; leaving a CPU idle instead doubled the
// time to first diagnostics on two cores for no gain a user would see.
func background(n int, fn func(int)) {
	engine.Parallel(n, runtime.GOMAXPROCS(0), fn)
}
