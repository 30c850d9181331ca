package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Kustomizations rendered as kubectl renders them for apply -k, diff -k and delete -k
// (and kubectl kustomize): sigs.k8s.io/kustomize/api's krusty with kubectl's options, on
// the disk. Each rendered object remembers the resource file it came from, so that a
// finding in it can point at the source file and line (kustomize_locate.go).

// KustomizeTimeout bounds one rendering.
const KustomizeTimeout = 30 * time.Second

// Kustomization is a kustomization directory rendered, with where each object came from.
type Kustomization struct {
	// Dir is the directory as given.
	Dir string
	// File is the kustomization file, read with positions (named Dir/kustomization.yaml).
	File *yamlpos.File
	// Rendered holds the rendered objects, one document each, in kubectl's order; it is
	// named "Dir (kustomize)".
	Rendered *yamlpos.File
	// sources, per document of Rendered: where the object came from.
	sources []objectSource
	// patches are the patch files the kustomization file names, read with positions.
	patches []*yamlpos.File
	entries []KustomizationEntry
}

// objectSource is where a rendered object came from.
type objectSource struct {
	// doc is the document of the resource file it was read from; nil when it was
	// generated (configMapGenerator, secretGenerator) or not found.
	doc *yamlpos.Document
	// entry is the range in the kustomization file of the entry that brought it in.
	entry yamlpos.Range
}

// originKey is kustomize's annotation of where a resource came from.
const originKey = "config.kubernetes.io/origin"

// Kustomize renders the kustomization in dir as kubectl apply -k does, within ctx and
// KustomizeTimeout. Remote bases are refused: nothing is fetched.
func Kustomize(ctx context.Context, dir string) (*Kustomization, error) {
	return kustomize(ctx, dir, "", nil)
}

// ErrRemoteBase is wrapped by the error of a rendering refused for a remote base.
var ErrRemoteBase = errors.New("remote bases are not fetched")

// kustomize renders the kustomization in dir; text, when not nil, stands for the content
// of its kustomization file named kname (an editor's unsaved text).
func kustomize(ctx context.Context, dir, kname string, text []byte) (*Kustomization, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("the path %q does not exist", dir)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: -k needs a directory holding a kustomization file (%s)", dir, strings.Join(KustomizationFileNames, ", "))
	}
	kpath := kustomizationIn(dir)
	if text != nil {
		kpath = filepath.Join(dir, kname)
	}
	if kpath == "" {
		return nil, fmt.Errorf("%s: no kustomization file (%s) in the directory", dir, strings.Join(KustomizationFileNames, ", "))
	}
	src := text
	if src == nil {
		if src, err = os.ReadFile(kpath); err != nil {
			return nil, fmt.Errorf("reading %s: %w", kpath, err)
		}
	}
	local, err := checkLocal(dir, kpath, src, map[string]bool{})
	if err != nil {
		return nil, err
	}
	k := &Kustomization{Dir: dir, File: yamlpos.Split(kpath, src)}
	if len(k.File.Docs) > 0 {
		k.entries = KustomizationEntries(k.File.Docs[0])
	}
	ctx, cancel := context.WithTimeout(ctx, KustomizeTimeout)
	defer cancel()
	type result struct {
		yaml    []byte
		origins []*resource.Origin
		err     error
	}
	done := make(chan result, 1)
	go func() {
		y, o, err := build(dir, filepath.Base(kpath), text)
		done <- result{y, o, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("kustomize %s: gave up after %s: %w", dir, KustomizeTimeout, ctx.Err())
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("kustomize %s: %w", dir, r.err)
		}
		k.Rendered = yamlpos.Split(dir+" (kustomize)", r.yaml)
		k.readPatches(local)
		k.trace(r.origins)
		return k, nil
	}
}

// localKustomization is a kustomization on disk that rendering reads: the top one or a
// base or component it names.
type localKustomization struct {
	dir     string
	entries []KustomizationEntry
}

// checkLocal refuses remote bases in the kustomization of dir and in the local ones it
// names, before kustomize would fetch them. It returns the kustomizations it read, the
// top one first, then the bases depth first; seen guards against cycles. kpath and src,
// when src is not nil, are the path and content of dir's kustomization file (an editor's
// unsaved text); otherwise the file is found in dir.
func checkLocal(dir, kpath string, src []byte, seen map[string]bool) ([]localKustomization, error) {
	abs, err := filepath.Abs(dir)
	if err != nil || seen[abs] {
		return nil, nil
	}
	seen[abs] = true
	if src == nil {
		kpath = kustomizationIn(dir)
	}
	if kpath == "" {
		return nil, nil
	}
	if src == nil {
		if src, err = os.ReadFile(kpath); err != nil {
			return nil, fmt.Errorf("reading %s: %w", kpath, err)
		}
	}
	f := yamlpos.Split(kpath, src)
	if len(f.Docs) == 0 {
		return nil, nil
	}
	entries := KustomizationEntries(f.Docs[0])
	out := []localKustomization{{dir: dir, entries: entries}}
	for _, e := range entries {
		if e.Kind == EntryFile {
			if isURL(e.Value) { // kustomize would download it
				line, col := f.Mapper.OffsetLineChar(e.Range.Start)
				return nil, fmt.Errorf("%s:%d:%d: %s: the remote file %q is not fetched: kubectl-lsp renders kustomizations offline; save it and name the local file: %w",
					kpath, line, col, e.Field, e.Value, ErrRemoteBase)
			}
			continue
		}
		p := filepath.Join(dir, e.Value)
		if info, err := os.Stat(p); err == nil {
			if info.IsDir() {
				more, err := checkLocal(p, "", nil, seen)
				if err != nil {
					return nil, err
				}
				out = append(out, more...)
			}
			continue
		}
		// kustomize would try what is not on disk as a git repository: refuse it first.
		line, col := f.Mapper.OffsetLineChar(e.Range.Start)
		if IsRemoteEntry(e.Value) {
			return nil, fmt.Errorf("%s:%d:%d: %s: the remote base %q is not fetched: kubectl-lsp renders kustomizations offline; check it out and name the local directory: %w",
				kpath, line, col, e.Field, e.Value, ErrRemoteBase)
		}
		return nil, fmt.Errorf("%s:%d:%d: %s: %q does not exist", kpath, line, col, e.Field, e.Value)
	}
	return out, nil
}

// isURL reports whether a path is a URL kustomize would download.
func isURL(p string) bool {
	return strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://")
}

// build runs kustomize as kubectl's resource builder does (krusty's default options,
// legacy order, the disk), with origin tracking turned on in the top kustomization.
// It returns the rendered YAML, without the origin annotations unless the kustomization
// asked for them itself, and each resource's origin.
func build(dir, kname string, text []byte) ([]byte, []*resource.Origin, error) {
	// kustomize keeps its OpenAPI schema in a package variable: one rendering at a time.
	buildMu.Lock()
	defer buildMu.Unlock()
	disk := filesys.MakeFsOnDisk()
	root, _, err := disk.CleanedAbs(dir)
	if err != nil {
		return nil, nil, err
	}
	fs := &originFS{FileSystem: disk, kustomization: filepath.Join(string(root), kname), text: text}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionLegacy
	m, err := krusty.MakeKustomizer(opts).Run(fs, dir)
	if err != nil {
		return nil, nil, err
	}
	origins := make([]*resource.Origin, m.Size())
	for i, r := range m.Resources() {
		origins[i], _ = r.GetOrigin()
	}
	if fs.added {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return nil, nil, err
		}
	}
	y, err := m.AsYaml()
	return y, origins, err
}

var buildMu sync.Mutex

// originFS is the disk, except that the top kustomization file reads with
// buildMetadata: [originAnnotations], so that kustomize tracks where each resource
// comes from.
type originFS struct {
	filesys.FileSystem
	kustomization string
	text          []byte // the top kustomization file's content; nil: the disk's
	added         bool
}

// ReadFile reads path, adding origin tracking to the top kustomization file.
func (fs *originFS) ReadFile(path string) ([]byte, error) {
	if filepath.Clean(path) != fs.kustomization {
		return fs.FileSystem.ReadFile(path)
	}
	data := fs.text
	if data == nil {
		var err error
		if data, err = fs.FileSystem.ReadFile(path); err != nil {
			return nil, err
		}
	}
	out, added := withOriginAnnotations(data)
	fs.added = fs.added || added
	return out, nil
}

// CleanedAbs is the disk's, except for a top kustomization file given as text, which
// need not be on disk.
func (fs *originFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if fs.text != nil && filepath.Clean(path) == fs.kustomization {
		return filesys.ConfirmedDir(filepath.Dir(fs.kustomization)), filepath.Base(fs.kustomization), nil
	}
	return fs.FileSystem.CleanedAbs(path)
}

// withOriginAnnotations adds originAnnotations to a kustomization's buildMetadata. It
// reports false, and returns data as it is, when it was there or data does not parse
// (kustomize will say why).
func withOriginAnnotations(data []byte) ([]byte, bool) {
	rn, err := kyaml.Parse(string(data))
	if err != nil || rn.YNode().Kind != kyaml.MappingNode {
		return data, false
	}
	bm, err := rn.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "buildMetadata"))
	if err != nil || bm == nil || bm.YNode().Kind != kyaml.SequenceNode {
		return data, false
	}
	for _, c := range bm.YNode().Content {
		if c.Value == "originAnnotations" {
			return data, false
		}
	}
	bm.YNode().Content = append(bm.YNode().Content, kyaml.NewScalarRNode("originAnnotations").YNode())
	s, err := rn.String()
	if err != nil {
		return data, false
	}
	return []byte(s), true
}

// Objects are the rendered objects, in order.
func (k *Kustomization) Objects() ([]Object, error) {
	if len(k.Rendered.Docs) == 0 || len(strings.TrimSpace(string(k.Rendered.Src))) == 0 {
		return nil, errors.New(k.Dir + ": the kustomization renders no objects")
	}
	return Objects(k.Rendered, nil)
}
