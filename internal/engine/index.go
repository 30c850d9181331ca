package engine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Index is what the manifests of a workspace define and reference: go to definition,
// find references and rename across files, open or not. Files are added, replaced and
// removed as they change; queries see the files of that moment. It is safe for
// concurrent use.
type Index struct {
	mu    sync.RWMutex
	files map[string]*indexed
	// defs and refs are every file's definitions and references by the object named.
	defs map[ObjectKey][]Location
	refs map[ObjectKey][]Location
}

type indexed struct {
	file *yamlpos.File
	crds bool // the file may define CRDs
	// facts are each document's, by its tree: an edited file whose other documents
	// kept their parsed trees (the editor's snapshots do) reads only the edited ones.
	facts map[*yaml.Node]docFacts
	defs  []Definition
	refs  []Reference
	docs  int
}

// Location is a place in a workspace file.
type Location struct {
	File  *yamlpos.File
	Range yamlpos.Range
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{files: map[string]*indexed{}, defs: map[ObjectKey][]Location{}, refs: map[ObjectKey][]Location{}}
}

// Set adds a file, or replaces the file of the same name. A file given again unchanged
// (the same *yamlpos.File) costs nothing.
func (x *Index) Set(f *yamlpos.File) {
	x.mu.RLock()
	same := x.files[f.Name] != nil && x.files[f.Name].file == f
	x.mu.RUnlock()
	if same {
		return
	}
	x.mu.RLock()
	var prev map[*yaml.Node]docFacts
	if old := x.files[f.Name]; old != nil {
		prev = old.facts
	}
	x.mu.RUnlock()
	in := &indexed{file: f, docs: len(f.Docs), crds: len(CRDSections(f)) > 0, facts: make(map[*yaml.Node]docFacts, len(f.Docs))}
	for _, d := range f.Docs {
		d.ParseDoc()
		fs, ok := prev[d.Root]
		if ok && d.Root != nil {
			fs = fs.moved(d)
		} else {
			fs.def, fs.refs, fs.ok = objectFacts(d)
			fs.start = d.Start
		}
		if d.Root != nil {
			in.facts[d.Root] = fs
		}
		if fs.ok {
			in.defs = append(in.defs, fs.def)
			in.refs = append(in.refs, fs.refs...)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(f.Name)
	x.files[f.Name] = in
	for _, d := range in.defs {
		x.defs[d.Key] = append(x.defs[d.Key], Location{File: f, Range: d.Range})
	}
	for _, r := range in.refs {
		x.refs[r.Target] = append(x.refs[r.Target], Location{File: f, Range: r.Range})
	}
}

// docFacts are what one document defines and references, with its start offset then.
type docFacts struct {
	start int
	def   Definition
	refs  []Reference
	ok    bool
}

// moved is the facts of the same tree in a document that starts elsewhere now.
func (fs docFacts) moved(d *yamlpos.Document) docFacts {
	delta := d.Start - fs.start
	if delta == 0 && fs.def.Doc == d {
		return fs
	}
	shift := func(r yamlpos.Range) yamlpos.Range { return yamlpos.Range{Start: r.Start + delta, End: r.End + delta} }
	out := docFacts{start: d.Start, def: fs.def, ok: fs.ok, refs: make([]Reference, len(fs.refs))}
	out.def.Doc, out.def.Range = d, shift(fs.def.Range)
	for i, r := range fs.refs {
		r.Range = shift(r.Range)
		out.refs[i] = r
	}
	return out
}

// Remove forgets a file.
func (x *Index) Remove(name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(name)
}

func (x *Index) removeLocked(name string) {
	old := x.files[name]
	if old == nil {
		return
	}
	delete(x.files, name)
	drop := func(m map[ObjectKey][]Location, key ObjectKey) {
		locs := slices.DeleteFunc(m[key], func(l Location) bool { return l.File == old.file })
		if len(locs) == 0 {
			delete(m, key)
		} else {
			m[key] = locs
		}
	}
	for _, d := range old.defs {
		drop(x.defs, d.Key)
	}
	for _, r := range old.refs {
		drop(x.refs, r.Target)
	}
}

// DefinesCRDs reports whether the indexed file of that name may define CRDs.
func (x *Index) DefinesCRDs(name string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	in := x.files[name]
	return in != nil && in.crds
}

// CRDFiles are the indexed files that may define CRDs, by name.
func (x *Index) CRDFiles() []*yamlpos.File {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []*yamlpos.File
	for _, in := range x.files {
		if in.crds {
			out = append(out, in.file)
		}
	}
	slices.SortFunc(out, func(a, b *yamlpos.File) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Documents counts the indexed documents.
func (x *Index) Documents() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, in := range x.files {
		n += in.docs
	}
	return n
}

// Target is what stands at a position: a reference, or an object's own name.
type Target struct {
	Key ObjectKey
	// Range is the name's value under the cursor.
	Range yamlpos.Range
	// Reference is true for a reference, false for metadata.name.
	Reference bool
	// Unnamespaced: the manifest names no namespace (Key says "default").
	Unnamespaced bool
	def          *Definition
}

// AsTarget is the target a reference names.
func (r Reference) AsTarget() Target {
	return Target{Key: r.Target, Range: r.Range, Reference: true, Unnamespaced: r.Unnamespaced}
}

// TargetAt finds the reference or the object name at offset in f.
func TargetAt(f *yamlpos.File, offset int) (Target, bool) {
	d := f.DocumentAt(offset)
	if d == nil {
		return Target{}, false
	}
	def, refs, ok := objectFacts(d)
	if !ok {
		return Target{}, false
	}
	for _, r := range refs {
		if offset >= r.Range.Start && offset <= r.Range.End {
			return r.AsTarget(), true
		}
	}
	if offset >= def.Range.Start && offset <= def.Range.End {
		return Target{Key: def.Key, Range: def.Range, Unnamespaced: def.Unnamespaced, def: &def}, true
	}
	return Target{}, false
}

// Definitions are where an object is defined in the workspace.
func (x *Index) Definitions(key ObjectKey) []Location {
	x.mu.RLock()
	out := slices.Clone(x.defs[key])
	x.mu.RUnlock()
	sortLocations(out)
	return out
}

// ReferencesIn are the references of a file's documents.
func ReferencesIn(f *yamlpos.File) []Reference {
	var out []Reference
	for _, d := range f.Docs {
		if _, refs, ok := objectFacts(d); ok {
			out = append(out, refs...)
		}
	}
	return out
}

// Definition is where the object a reference at offset names is defined: in its
// namespace, in any indexed file. ok is false when no reference is at offset.
func (x *Index) Definition(f *yamlpos.File, offset int) (Target, []Location, bool) {
	t, ok := TargetAt(f, offset)
	if !ok || !t.Reference {
		return t, nil, ok && !t.Reference
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := slices.Clone(x.defs[t.Key])
	sortLocations(out)
	return t, out, true
}

// References lists what refers to the object named at offset (its own name or a
// reference to it): every reference in the workspace, its definitions when includeDecl,
// and for a Service the workloads its selector matches (for a workload, the Services
// selecting it).
func (x *Index) References(f *yamlpos.File, offset int, includeDecl bool) (Target, []Location, bool) {
	t, ok := TargetAt(f, offset)
	if !ok {
		return t, nil, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Location
	if includeDecl {
		out = append(out, x.defs[t.Key]...)
	}
	out = append(out, x.refs[t.Key]...)
	if t.def != nil {
		out = append(out, x.selectedLocked(*t.def)...)
	}
	sortLocations(out)
	return t, out, true
}

// sortLocations orders locations by file name, then position.
func sortLocations(locs []Location) {
	slices.SortFunc(locs, func(a, b Location) int {
		if c := strings.Compare(a.File.Name, b.File.Name); c != 0 {
			return c
		}
		return a.Range.Start - b.Range.Start
	})
}

// selectedLocked are the workloads a Service selects, or the Services selecting a
// workload, in the same namespace.
func (x *Index) selectedLocked(def Definition) []Location {
	var out []Location
	for _, in := range x.files {
		for _, other := range in.defs {
			if other.Key.Namespace != def.Key.Namespace {
				continue
			}
			if selects(def.Selector, other.Labels) || selects(other.Selector, def.Labels) {
				out = append(out, Location{File: in.file, Range: other.Range})
			}
		}
	}
	return out
}

// FileEdit replaces a range of a file's text.
type FileEdit struct {
	File    *yamlpos.File
	Range   yamlpos.Range
	NewText string
}

// Rename renames the object named at offset: its definitions and every reference in the
// workspace, as one set of edits. The new name must be a valid object name.
func (x *Index) Rename(f *yamlpos.File, offset int, newName string) ([]FileEdit, error) {
	t, ok := TargetAt(f, offset)
	if !ok {
		return nil, fmt.Errorf("no object name or reference to an object here")
	}
	if errs := validation.IsDNS1123Subdomain(newName); len(errs) > 0 {
		return nil, fmt.Errorf("%q is not a valid object name: %s", newName, strings.Join(errs, "; "))
	}
	x.mu.RLock()
	locs := append(slices.Clone(x.defs[t.Key]), x.refs[t.Key]...)
	x.mu.RUnlock()
	if !t.Reference && !containsLocation(locs, f, t.Range) {
		locs = append(locs, Location{File: f, Range: t.Range})
	}
	edits := make([]FileEdit, 0, len(locs))
	for _, l := range locs {
		text := newName
		if r := l.Range; r.End > r.Start {
			if q := l.File.Src[r.Start]; q == '"' || q == '\'' {
				text = string(q) + newName + string(q)
			}
		}
		edits = append(edits, FileEdit{File: l.File, Range: l.Range, NewText: text})
	}
	return edits, nil
}

func containsLocation(locs []Location, f *yamlpos.File, r yamlpos.Range) bool {
	for _, l := range locs {
		if l.File.Name == f.Name && l.Range == r {
			return true
		}
	}
	return false
}

// Workspace indexing bounds: a larger workspace is indexed in part, a larger file not.
const (
	maxIndexedFiles    = 20000
	maxIndexedFileSize = 4 << 20
)

// Load reads one file into the index: a manifest (.yaml, .yml or .json naming an
// apiVersion and a kind) of at most 4 MiB; any other file is removed from the index. It
// reports whether the file is indexed.
func (x *Index) Load(path string) bool {
	if !manifestName(path) {
		return false
	}
	info, err := os.Lstat(path)
	var data []byte
	if err == nil && info.Mode().IsRegular() && info.Size() <= maxIndexedFileSize {
		data, err = os.ReadFile(path)
	}
	if err != nil || !IsManifest(data) {
		x.Remove(path)
		return false
	}
	x.Set(yamlpos.Split(path, data))
	return true
}

func manifestName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// LoadTree indexes the manifests under root that include accepts (nil: all), skipping
// hidden folders and node_modules, up to 20,000 files or until ctx ends. It returns the
// number of files indexed.
func (x *Index) LoadTree(ctx context.Context, root string, include func(path string) bool) int {
	n := 0
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case ctx.Err() != nil || n >= maxIndexedFiles:
			return filepath.SkipAll
		case err != nil:
			return nil
		case d.IsDir():
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if (include == nil || include(path)) && x.Load(path) {
			n++
		}
		return nil
	})
	return n
}
