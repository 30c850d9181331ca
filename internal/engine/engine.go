// Package engine is the façade both faces of kubectl-lsp call: the CLI and the language
// server. It owns the schema chain (CRD manifests, then the cluster, then the embedded
// release) and runs validation over files and documents. Inputs and outputs are plain Go
// types with byte offsets; no protocol types.
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// Schema sources a user may ask for.
const (
	SourceAuto    = "auto"
	SourceCluster = "cluster"
	SourceBuiltin = "builtin"
)

// Options configure an Engine.
type Options struct {
	// KubernetesVersion selects the embedded release ("1.37"); empty for the newest.
	KubernetesVersion string
	// SchemaSource is auto, cluster or builtin.
	SchemaSource string
	// Workers bounds concurrent validation; 0 means one per CPU.
	Workers int
	// ReleaseTrees drops each document's parsed tree once validated (batch runs).
	ReleaseTrees bool
	// Kinds skips or rejects documents by kind in ValidateFiles.
	Kinds KindPolicy
	// SkipYAML, SkipSchema, SkipMetadata and SkipCEL switch levels of validation off (the
	// zero value validates everything); see validate.Validator.
	SkipYAML, SkipSchema, SkipMetadata, SkipCEL bool
	// Cluster, when set, is a live cluster's schemas (kube.Schemas): it answers between
	// the CRD manifests and the embedded release, which it falls back on while its own
	// schemas load. Without KubernetesVersion, the embedded release nearest the cluster's
	// version is used.
	Cluster ClusterSource
}

// ClusterSource is a live cluster's schema source.
type ClusterSource interface {
	schema.Source
	// SetFallback gives the source the schemas to answer with while its own are missing.
	SetFallback(schema.Source)
	// KubernetesVersion is the cluster's minor version ("1.37"), "" when unknown.
	KubernetesVersion() string
}

// Engine validates manifests against a chain of schema sources.
type Engine struct {
	opts    Options
	builtin *schema.Builtin
	crds    *schema.CRDs
	chain   *schema.Chain
	minor   int

	metaOnce sync.Once
	meta     *schema.Schema
}

// WithCluster is opts with the cluster a face connected to (nil: none). Without one, the
// schema source falls back to the embedded schemas: whether that is allowed was decided
// when connecting (Fallback), and the user was told.
func (opts Options) WithCluster(c ClusterSource) Options {
	opts.Cluster = c
	if c == nil && opts.SchemaSource != SourceBuiltin {
		opts.SchemaSource = SourceBuiltin
	}
	return opts
}

// New builds an engine. The embedded schemas are opened lazily, per group-version.
func New(opts Options) (*Engine, error) {
	switch choice, err := ChooseCluster(opts.SchemaSource, ""); {
	case err != nil:
		return nil, err
	case choice == NoCluster:
		opts.Cluster = nil
	case choice == ClusterRequired && opts.Cluster == nil:
		return nil, &SettingError{Setting: "schemaSource", Err: errors.New("schema source cluster: no cluster to read schemas from")}
	}
	release := opts.KubernetesVersion
	if release == "" && opts.Cluster != nil {
		if v := opts.Cluster.KubernetesVersion(); v != "" {
			release = builtin.Nearest(v)
		}
	}
	b, err := schema.NewBuiltin(release)
	if err != nil {
		return nil, &SettingError{Setting: "kubernetesVersion", Err: fmt.Errorf("%w (embedded: %s)", err, strings.Join(builtin.Versions(), ", "))}
	}
	e := &Engine{opts: opts, builtin: b, crds: schema.NewCRDs()}
	e.crds.BuiltIn = b.ServesGroupVersion
	e.chain = &schema.Chain{Sources: []schema.Source{e.crds, b}}
	minor := b.Version()
	if opts.Cluster != nil {
		opts.Cluster.SetFallback(b)
		e.chain = &schema.Chain{Sources: []schema.Source{e.crds, opts.Cluster}}
		if v := opts.Cluster.KubernetesVersion(); v != "" && opts.KubernetesVersion == "" {
			minor = v
		}
	}
	if parts := strings.Split(minor, "."); len(parts) == 2 {
		e.minor, _ = strconv.Atoi(parts[1])
	}
	return e, nil
}

// CreatePath says whose create-time validation judges the built-in kinds: the
// kube-apiserver linked in, and, when the release validated against is another one, that
// its rules stand in for that release's.
func (e *Engine) CreatePath() string {
	linked := apiserver.Version()
	s := "kube-apiserver " + linked + " (linked in)"
	if target := fmt.Sprintf("1.%d", e.minor); e.minor > 0 && target != linked {
		s += "; its rules stand in for " + target + "'s where they differ"
	}
	return s
}

// Source is the engine's schema chain.
func (e *Engine) Source() schema.Source { return e.chain }

// Cluster is the live cluster's schema source, nil when the engine has none.
func (e *Engine) Cluster() ClusterSource { return e.opts.Cluster }

// FallsBackFor reports whether the embedded release in use is the one a cluster of
// version (e.g. "1.37") falls back to.
func (e *Engine) FallsBackFor(version string) bool {
	return e.builtin.Version() == builtin.Nearest(version)
}

// Builtin is the embedded release in use.
func (e *Engine) Builtin() *schema.Builtin { return e.builtin }

// CRDs is the source of kinds defined by CRD manifests.
func (e *Engine) CRDs() *schema.CRDs { return e.crds }

// objectMeta is the ObjectMeta schema of the embedded release, for custom resources.
func (e *Engine) objectMeta() *schema.Schema {
	e.metaOnce.Do(func() {
		if meta, err := e.builtin.Definition("", "v1", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"); err == nil {
			e.meta = meta
		}
	})
	return e.meta
}

func (e *Engine) validator() *validate.Validator {
	v := &validate.Validator{Source: e.chain, KubernetesMinor: e.minor, CEL: !e.opts.SkipCEL,
		SkipYAML: e.opts.SkipYAML, SkipSchema: e.opts.SkipSchema, SkipMetadata: e.opts.SkipMetadata}
	if e.crds.Len() > 0 || e.opts.Cluster != nil {
		v.ObjectMeta = e.objectMeta()
	}
	return v
}

// AddCRDs registers the CustomResourceDefinitions among a file's documents. Documents are
// parsed if they were not yet. It returns the kinds added.
func (e *Engine) AddCRDs(f *yamlpos.File) []schema.GVK {
	var added []schema.GVK
	for _, d := range f.Docs {
		if !mayBeCRD(d.Text()) {
			continue
		}
		d.ParseDoc()
		if gvks, err := e.addCRDDoc(d); err == nil {
			added = append(added, gvks...)
		}
	}
	return added
}

func mayBeCRD(text []byte) bool {
	return bytes.Contains(text, []byte("CustomResourceDefinition"))
}

func (e *Engine) addCRDDoc(d *yamlpos.Document) ([]schema.GVK, error) {
	if d.Root == nil {
		return nil, nil
	}
	obj, err := yamlpos.ToValue(d.Root, validate.DefaultAliasLimit)
	if err != nil {
		return nil, err
	}
	m, ok := obj.(map[string]any)
	if !ok {
		return nil, nil
	}
	av, _ := m["apiVersion"].(string)
	k, _ := m["kind"].(string)
	if !schema.IsCRD(av, k) {
		return nil, nil
	}
	origin := fmt.Sprintf("%s#%d", d.File.Name, d.Index)
	return e.crds.Add(m, origin)
}

// LoadCRDPaths reads CRD manifests from files and directories (recursively).
func (e *Engine) LoadCRDPaths(paths []string) error {
	for _, p := range paths {
		files, err := ExpandPaths([]string{p}, true)
		if err != nil {
			return &SettingError{Setting: "crdPaths", Err: fmt.Errorf("%s: %w", p, err)}
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				return &SettingError{Setting: "crdPaths", Err: err}
			}
			f := yamlpos.Split(name, data)
			if len(e.AddCRDs(f)) == 0 && len(files) == 1 && !strings.HasSuffix(p, string(filepath.Separator)) {
				if info, err := os.Stat(p); err == nil && !info.IsDir() {
					return &SettingError{Setting: "crdPaths", Err: fmt.Errorf("%s: no apiextensions.k8s.io/v1 CustomResourceDefinition found", p)}
				}
			}
		}
	}
	return nil
}

// ValidateDocument validates one parsed document.
func (e *Engine) ValidateDocument(ctx context.Context, d *yamlpos.Document) validate.Result {
	d.ParseDoc()
	return e.validator().Validate(ctx, d)
}

// Progress is called as documents finish: done of total.
type Progress func(done, total int)

// ValidateFiles parses and validates the documents of files concurrently. CRDs among them
// are registered first, so custom resources in the same run are validated against them.
// Results come back per file, in document order. With Options.ReleaseTrees each
// document's node tree is dropped once it is validated, so memory stays bounded by the
// documents in flight rather than the whole input.
func (e *Engine) ValidateFiles(ctx context.Context, files []*yamlpos.File, progress Progress) [][]validate.Result {
	type job struct{ f, d int }
	var jobs []job
	for fi, f := range files {
		for di := range f.Docs {
			jobs = append(jobs, job{fi, di})
		}
	}
	workers := e.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// CRDs before the resources that use them.
	for _, f := range files {
		e.AddCRDs(f)
	}
	results := make([][]validate.Result, len(files))
	for fi, f := range files {
		results[fi] = make([]validate.Result, len(f.Docs))
	}
	v := e.validator()
	var done atomic.Int64
	Parallel(len(jobs), workers, func(i int) {
		if ctx.Err() != nil {
			return
		}
		j := jobs[i]
		d := files[j.f].Docs[j.d]
		d.ParseDoc()
		r := v.Validate(ctx, d)
		e.opts.Kinds.Apply(&r)
		if r.Kind == "CustomResourceDefinition" && mayBeCRD(d.Text()) {
			prefix := "crd " + d.File.Name + "#" + strconv.Itoa(d.Index)
			for _, t := range e.crds.Kinds() {
				if t.Source == prefix {
					r.Defines = append(r.Defines, t.GVK.String())
				}
			}
			sort.Strings(r.Defines)
		}
		if e.opts.ReleaseTrees {
			d.Root = nil
		}
		results[j.f][j.d] = r
		if progress != nil {
			progress(int(done.Add(1)), len(jobs))
		}
	})
	return results
}

// Parallel runs fn(0..n-1) on up to workers goroutines and returns when all are done.
func Parallel(n, workers int, fn func(int)) {
	if workers > n {
		workers = n
	}
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

// ManifestExtensions are the file extensions read from directories.
var ManifestExtensions = []string{".yaml", ".yml", ".json"}

// ExpandPaths turns files and directories into the list of manifest files to read, in a
// deterministic order: arguments in the order given, directory entries sorted. Directories
// are read one level deep unless recursive (like kubectl -f DIR without -R). "-" is kept.
func ExpandPaths(args []string, recursive bool) ([]string, error) {
	return ExpandPathsExcluding(args, recursive, nil)
}

// ExpandPathsExcluding is ExpandPaths leaving out the files and directories whose path
// (cleaned, with forward slashes, as given or as walked: deploy/charts/x.yaml) matches one
// of the doublestar patterns exclude (**/charts/**, **/*_test.yaml). The patterns must be
// valid (ValidExcludePattern).
func ExpandPathsExcluding(args []string, recursive bool, exclude []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("the path %q does not exist", a)
		}
		if excluded(a, exclude) {
			continue
		}
		if !info.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != a && (!recursive || excluded(p, exclude)) {
					return filepath.SkipDir
				}
				return nil
			}
			if isManifest(p) && !excluded(p, exclude) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", a, err)
		}
	}
	return out, nil
}

// isManifest reports whether a file in a directory is read: its extension is one of
// ManifestExtensions.
func isManifest(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return slices.Contains(ManifestExtensions, ext)
}

// ValidExcludePattern reports whether pattern is a valid doublestar pattern.
func ValidExcludePattern(pattern string) bool {
	return doublestar.ValidatePattern(pattern)
}

// excluded reports whether path matches one of the patterns.
func excluded(path string, patterns []string) bool {
	if len(patterns) == 0 {
		return false
	}
	p := filepath.ToSlash(filepath.Clean(path))
	for _, pat := range patterns {
		if ok, _ := doublestar.Match(pat, p); ok {
			return true
		}
	}
	return false
}
