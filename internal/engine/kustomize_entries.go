package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// The entries of a kustomization file that name other files: what the editor checks on
// disk, and what rendering checks for remote bases before kustomize would fetch them.

// KustomizationFileNames are the names kustomize recognizes for a kustomization file, in
// its order.
var KustomizationFileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomizationFile reports whether a file's base name is one of
// KustomizationFileNames.
func IsKustomizationFile(path string) bool {
	base := filepath.Base(path)
	for _, n := range KustomizationFileNames {
		if base == n {
			return true
		}
	}
	return false
}

// EntryKind says what an entry may name.
type EntryKind int

const (
	// EntryFileOrDir names a file or a kustomization directory, or a remote base
	// (resources, bases).
	EntryFileOrDir EntryKind = iota
	// EntryDir names a kustomization directory (components), or a remote one.
	EntryDir
	// EntryFile names a file.
	EntryFile
)

// KustomizationEntry is one path a kustomization file names.
type KustomizationEntry struct {
	// Field is where it stands: resources, patches[1].path, configMapGenerator[0].files.
	Field string
	// Value is the path as written (for generator files, without "key=").
	Value string
	Kind  EntryKind
	// Range is the value's range in the kustomization file.
	Range yamlpos.Range
}

// KustomizationEntries lists the paths a kustomization document names, in the order of
// its fields: resources, bases, components, crds, generators, transformers, validators,
// patches, patchesStrategicMerge, patchesJson6902, replacements, configMapGenerator and
// secretGenerator (files, envs, env). Inline patches and configurations are not paths
// and are left out.
func KustomizationEntries(d *yamlpos.Document) []KustomizationEntry {
	d.ParseDoc()
	if d.Root == nil {
		return nil
	}
	var out []KustomizationEntry
	add := func(field string, n *yaml.Node, kind EntryKind, value string) {
		out = append(out, KustomizationEntry{Field: field, Value: value, Kind: kind, Range: d.Range(n)})
	}
	for _, l := range []struct {
		field string
		kind  EntryKind
	}{{"resources", EntryFileOrDir}, {"bases", EntryFileOrDir}, {"components", EntryDir}, {"crds", EntryFile}} {
		for _, n := range seqScalars(d.Root, l.field) {
			add(l.field, n, l.kind, n.Value)
		}
	}
	for _, field := range []string{"generators", "transformers", "validators"} {
		for _, n := range seqScalars(d.Root, field) {
			if isPathLike(n.Value) { // else an inline configuration
				add(field, n, EntryFileOrDir, n.Value)
			}
		}
	}
	for _, n := range seqScalars(d.Root, "patchesStrategicMerge") {
		if isPathLike(n.Value) {
			add("patchesStrategicMerge", n, EntryFile, n.Value)
		}
	}
	for _, field := range []string{"patches", "patchesJson6902", "replacements"} {
		for i, item := range seqItems(d.Root, field) {
			if v, _, ok := yamlpos.Get(item, "path"); ok && isScalar(v) && v.Value != "" {
				add(fmt.Sprintf("%s[%d].path", field, i), v, EntryFile, v.Value)
			}
		}
	}
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		for i, item := range seqItems(d.Root, field) {
			for _, sub := range []string{"files", "envs"} {
				for _, n := range seqScalars(item, sub) {
					v := n.Value
					if sub == "files" {
						if _, p, ok := strings.Cut(v, "="); ok {
							v = p
						}
					}
					add(fmt.Sprintf("%s[%d].%s", field, i, sub), n, EntryFile, v)
				}
			}
			if v, _, ok := yamlpos.Get(item, "env"); ok && isScalar(v) && v.Value != "" {
				add(fmt.Sprintf("%s[%d].env", field, i), v, EntryFile, v.Value)
			}
		}
	}
	return out
}

func isScalar(n *yaml.Node) bool { return n != nil && n.Kind == yaml.ScalarNode }

// seqItems are the items of the sequence at field of mapping n.
func seqItems(n *yaml.Node, field string) []*yaml.Node {
	v, _, ok := yamlpos.Get(n, field)
	if !ok || v.Kind != yaml.SequenceNode {
		return nil
	}
	return v.Content
}

// seqScalars are the scalar items of the sequence at field of mapping n.
func seqScalars(n *yaml.Node, field string) []*yaml.Node {
	var out []*yaml.Node
	for _, it := range seqItems(n, field) {
		if isScalar(it) {
			out = append(out, it)
		}
	}
	return out
}

// isPathLike tells a file name from an inline patch in patchesStrategicMerge.
func isPathLike(s string) bool { return s != "" && !strings.ContainsAny(s, "\n:{") }

var remotePattern = lazyregexp.New(`^(https?://|git::|git@|ssh://|file://|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|\.git(/|$|//)`)

// IsRemoteEntry reports whether a resources, bases or components entry names a remote
// base (a git repository or a URL), as kustomize would fetch it.
func IsRemoteEntry(value string) bool { return remotePattern().MatchString(value) }

// MissingEntry says what is wrong with an entry of the kustomization file in dir: "" when
// the path exists as the entry needs it, or when it is remote (not checked).
func MissingEntry(dir string, e KustomizationEntry) string {
	if isURL(e.Value) || (e.Kind != EntryFile && IsRemoteEntry(e.Value)) {
		return ""
	}
	p := e.Value
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	info, err := os.Stat(p)
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %q does not exist", e.Field, e.Value)
	case e.Kind == EntryFile && info.IsDir():
		return fmt.Sprintf("%s: %q is a directory; a file is expected", e.Field, e.Value)
	case e.Kind == EntryDir && !info.IsDir():
		return fmt.Sprintf("%s: %q is a file; a component directory is expected", e.Field, e.Value)
	case info.IsDir() && kustomizationIn(p) == "":
		return fmt.Sprintf("%s: %q holds no kustomization file (%s)", e.Field, e.Value, strings.Join(KustomizationFileNames, ", "))
	}
	return ""
}

// kustomizationIn is the path of the kustomization file in dir, "" when it has none.
func kustomizationIn(dir string) string {
	for _, n := range KustomizationFileNames {
		p := filepath.Join(dir, n)
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	return ""
}

// CodeKustomizationEntry is the code of a finding about an entry of a kustomization file.
const CodeKustomizationEntry = "kustomization-entry"

// KustomizationFindings are the errors of a kustomization file's entries (resources,
// components, patches, generator files, ...) that name paths that do not exist in dir,
// the file's directory, or are not what the entry needs, at the entries, in the order of
// the file.
func KustomizationFindings(f *yamlpos.File, dir string) []validate.Finding {
	var out []validate.Finding
	for _, d := range f.Docs {
		for _, e := range KustomizationEntries(d) {
			if msg := MissingEntry(dir, e); msg != "" {
				out = append(out, validate.Finding{Severity: validate.Error, Code: CodeKustomizationEntry, Field: e.Field, Message: msg, Range: e.Range})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b validate.Finding) int { return a.Range.Start - b.Range.Start })
	return out
}

// CodeKustomize is the code of a finding that kustomize cannot render a kustomization.
const CodeKustomize = "kustomize"

// KustomizeFinding is kustomize's error rendering the kustomization file f (its text may
// be unsaved; the files it names are read from disk), at the file's first line; nil when
// it renders, or when it names a remote base (which is not fetched).
func KustomizeFinding(ctx context.Context, f *yamlpos.File) *validate.Finding {
	_, err := kustomize(ctx, filepath.Dir(f.Name), filepath.Base(f.Name), f.Src)
	if err == nil || errors.Is(err, ErrRemoteBase) {
		return nil
	}
	return &validate.Finding{Severity: validate.Error, Code: CodeKustomize, Message: err.Error(),
		Range: yamlpos.Range{Start: 0, End: f.Mapper.LineEnd(1)}}
}
