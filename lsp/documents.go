package lsp

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"go.lsp.dev/protocol"
	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
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
	entries   []*sectionEntry // per section, set by parse
	// featMu serialises the engine's feature calls on this snapshot: they may parse
	// documents that parse() left empty.
	featMu sync.Mutex
}

var hashSeed = maphash.MakeSeed()

func newSnapshot(doc *document, version int32, text []byte) *snapshot {
	f := yamlpos.Split(doc.name, text)
	hashes := make([]uint64, len(f.Docs))
	for i, d := range f.Docs {
		hashes[i] = maphash.Bytes(hashSeed, d.Text())
	}
	return &snapshot{doc: doc, version: version, text: text, file: f, hashes: hashes}
}

// applyChanges applies didChange's content changes, in order, to text. Positions are
// LSP positions in the text as it is before each change.
func applyChanges(text []byte, changes []contentChange) ([]byte, error) {
	for i, c := range changes {
		if c.Range == nil {
			text = []byte(c.Text)
			continue
		}
		r, err := toByteRange(yamlpos.NewMapper(text), *c.Range)
		if err != nil {
			return nil, fmt.Errorf("content change %d: %w", i, err)
		}
		out := make([]byte, 0, len(text)-(r.End-r.Start)+len(c.Text))
		out = append(out, text[:r.Start]...)
		out = append(out, c.Text...)
		out = append(out, text[r.End:]...)
		text = out
	}
	return text, nil
}

// parse parses every section of the snapshot once, reusing the trees of sections whose
// text an earlier snapshot of the document already parsed. Afterwards the engine only
// reads the sections (empty ones aside; see featMu).
func (s *snapshot) parse() {
	s.parseOnce.Do(func() {
		docs := s.file.Docs
		entries := make([]*sectionEntry, len(docs))
		var todo []int
		for i, d := range docs {
			e := s.doc.cache.lookup(s.hashes[i], d.Text())
			entries[i] = e
			if e != nil && e.parsed {
				d.Root = e.root
				if e.err != nil {
					shifted := *e.err
					shifted.Range = yamlpos.Range{Start: e.err.Range.Start + d.Start, End: e.err.Range.End + d.Start}
					d.Err = &shifted
				}
				continue
			}
			todo = append(todo, i)
		}
		parallel(len(todo), func(j int) { docs[todo[j]].ParseDoc() })
		for _, i := range todo {
			d := docs[i]
			e := entries[i]
			if e == nil {
				e = &sectionEntry{text: bytes.Clone(d.Text())}
				entries[i] = e
			}
			var relErr *yamlpos.SyntaxError
			if d.Err != nil {
				rel := *d.Err
				rel.Range = yamlpos.Range{Start: d.Err.Range.Start - d.Start, End: d.Err.Range.End - d.Start}
				relErr = &rel
			}
			s.doc.cache.setParsed(e, d.Root, relErr)
		}
		s.doc.cache.keep(s.hashes, entries)
		s.entries = entries
	})
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

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
