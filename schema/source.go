package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// Type is everything known about one kind: its schema and how the API serves it.
type Type struct {
	GVK        GVK
	Schema     *Schema
	Resource   string // plural resource name, e.g. deployments
	Namespaced bool
	Verbs      []string
	ShortNames []string
	// Source names where the schema came from, for people: e.g. "builtin 1.37" or
	// "crd ./crds/foo.yaml".
	Source string
	// Origin is the kind of place the schema came from, for code to decide on.
	Origin Origin
	// CRD holds the CRD version's raw openAPIV3Schema when the type comes from a CRD
	// manifest, for CEL validation.
	CRD *CRDVersion
}

// CreateOnly reports whether the kind can only be created (reviews such as
// SubjectAccessReview): such objects need no name.
func (t *Type) CreateOnly() bool {
	return len(t.Verbs) == 1 && t.Verbs[0] == "create"
}

// KindInfo describes a served kind without compiling its schema.
type KindInfo struct {
	GVK        GVK
	Resource   string
	Namespaced bool
	ShortNames []string
	Source     string
	Origin     Origin
}

// Origin is the kind of place a schema came from. The name shown to people is a type's
// Source.
type Origin int

const (
	// OriginUnknown: a source that does not say.
	OriginUnknown Origin = iota
	// OriginBuiltin: the schemas embedded for a Kubernetes release.
	OriginBuiltin
	// OriginCluster: a live cluster's discovery and OpenAPI documents.
	OriginCluster
	// OriginCRD: a CustomResourceDefinition manifest.
	OriginCRD
)

// Source is where schemas come from. Sources compose into a Chain.
type Source interface {
	// Name says where the schemas come from, for status lines and hover footers.
	Name() string
	// Lookup returns the type of gvk, or (nil, nil) when the source does not serve it.
	Lookup(gvk GVK) (*Type, error)
	// Kinds lists every kind the source serves.
	Kinds() []KindInfo
}

// Builtin serves the schemas of one embedded Kubernetes release, compiling a kind's
// definitions on its first lookup.
type Builtin struct {
	minor string
	index *builtin.Index

	mu   sync.Mutex
	docs map[string]*gvEntry
}

type gvEntry struct {
	once sync.Once
	doc  *lazyDocument
	err  error
}

// NewBuiltin returns the embedded schemas of a Kubernetes release ("1.37"; "" for the
// newest embedded).
func NewBuiltin(version string) (*Builtin, error) {
	if version == "" {
		version = builtin.Latest()
	}
	ix, err := builtin.LoadIndex(version)
	if err != nil {
		return nil, err
	}
	minor := strings.TrimPrefix(ix.KubernetesVersion, "v")
	if parts := strings.Split(minor, "."); len(parts) >= 2 {
		minor = parts[0] + "." + parts[1]
	}
	return &Builtin{minor: minor, index: ix, docs: map[string]*gvEntry{}}, nil
}

// Name implements Source.
func (b *Builtin) Name() string { return "builtin " + b.minor }

// Version is the Kubernetes minor version served, e.g. "1.37".
func (b *Builtin) Version() string { return b.minor }

// Document compiles (once) and returns the whole document of a group-version.
func (b *Builtin) Document(group, version string) (*Document, error) {
	d, err := b.lazy(group, version)
	if err != nil {
		return nil, err
	}
	return d.Document()
}

// Definition returns one compiled definition of a group-version's document (e.g.
// io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta of core/v1), compiling only what it
// needs; nil when the document lacks it.
func (b *Builtin) Definition(group, version, name string) (*Schema, error) {
	d, err := b.lazy(group, version)
	if err != nil {
		return nil, err
	}
	return d.Definition(name)
}

// lazy returns the document of a group-version, loaded once; its definitions compile
// as they are asked for.
func (b *Builtin) lazy(group, version string) (*lazyDocument, error) {
	key := group + "/" + version
	b.mu.Lock()
	e, ok := b.docs[key]
	if !ok {
		e = &gvEntry{}
		b.docs[key] = e
	}
	b.mu.Unlock()
	e.once.Do(func() {
		data, err := builtin.Document(b.minor, group, version)
		if err != nil {
			e.err = err
			return
		}
		e.doc, e.err = newLazyDocument(data)
	})
	return e.doc, e.err
}

// Lookup implements Source.
func (b *Builtin) Lookup(gvk GVK) (*Type, error) {
	gv := b.index.GroupVersion(gvk.Group, gvk.Version)
	if gv == nil {
		return nil, nil
	}
	var res *builtin.Resource
	for i := range gv.Resources {
		if gv.Resources[i].Kind == gvk.Kind {
			res = &gv.Resources[i]
			break
		}
	}
	if res == nil {
		return nil, nil
	}
	doc, err := b.lazy(gvk.Group, gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("loading built-in schemas for %s: %w", gvk.APIVersion(), err)
	}
	s, err := doc.Kind(gvk)
	if err != nil {
		return nil, fmt.Errorf("loading built-in schemas for %s: %w", gvk.APIVersion(), err)
	}
	if s == nil {
		return nil, nil
	}
	return &Type{GVK: gvk, Schema: s, Resource: res.Resource, Namespaced: res.Namespaced, Verbs: res.Verbs,
		ShortNames: shortNames[gvk.Group+"/"+res.Resource], Source: b.Name(), Origin: OriginBuiltin}, nil
}

// ServesGroupVersion reports whether the release has the group-version (served by
// default or not).
func (b *Builtin) ServesGroupVersion(group, version string) bool {
	for _, gv := range b.index.GroupVersions {
		if gv.Group == group && gv.Version == version {
			return true
		}
	}
	return false
}

// Kinds implements Source.
func (b *Builtin) Kinds() []KindInfo {
	var out []KindInfo
	for _, gv := range b.index.GroupVersions {
		for _, r := range gv.Resources {
			out = append(out, KindInfo{GVK: GVK{gv.Group, gv.Version, r.Kind}, Resource: r.Resource, Namespaced: r.Namespaced,
				ShortNames: shortNames[gv.Group+"/"+r.Resource], Source: b.Name(), Origin: OriginBuiltin})
		}
	}
	return out
}

// Chain asks its sources in order; the first that serves a kind wins.
type Chain struct {
	Sources []Source
}

// Name implements Source.
func (c *Chain) Name() string {
	names := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		names[i] = s.Name()
	}
	return strings.Join(names, " → ")
}

// Lookup implements Source.
func (c *Chain) Lookup(gvk GVK) (*Type, error) {
	var firstErr error
	for _, s := range c.Sources {
		t, err := s.Lookup(gvk)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if t != nil {
			return t, nil
		}
	}
	return nil, firstErr
}

// Kinds implements Source: every kind, the first source's entry winning.
func (c *Chain) Kinds() []KindInfo {
	seen := map[GVK]bool{}
	var out []KindInfo
	for _, s := range c.Sources {
		for _, k := range s.Kinds() {
			if !seen[k.GVK] {
				seen[k.GVK] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// ServedVersions lists the group-versions that serve kind, preferred first: stable
// before beta before alpha, newer before older.
func ServedVersions(src Source, kind string) []GVK {
	var out []GVK
	for _, k := range src.Kinds() {
		if k.GVK.Kind == kind {
			out = append(out, k.GVK)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := VersionRank(out[i].Version), VersionRank(out[j].Version); a != b {
			return a > b
		}
		return out[i].Group < out[j].Group
	})
	return out
}

// ServedByDefault reports whether a built-in API version is served by an apiserver without
// --runtime-config: stable versions are; alpha versions never are, and beta versions are
// off by default for every API that still has one in the embedded releases.
func ServedByDefault(version string) bool {
	return !strings.Contains(version, "alpha") && !strings.Contains(version, "beta")
}

// VersionRank orders Kubernetes API versions, higher preferred: v2 > v1 > v2beta1 >
// v1beta2 > v1beta1 > v1alpha1. A version not of that form ranks -1, below all of them.
func VersionRank(v string) int {
	rest, ok := strings.CutPrefix(v, "v")
	if !ok {
		return -1
	}
	major, level, minor := 0, 3, 0
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		major = major*10 + int(rest[i]-'0')
		i++
	}
	if i == 0 {
		return -1
	}
	switch tail := rest[i:]; {
	case strings.HasPrefix(tail, "beta"):
		level, tail = 2, tail[4:]
		fmt.Sscanf(tail, "%d", &minor)
	case strings.HasPrefix(tail, "alpha"):
		level, tail = 1, tail[5:]
		fmt.Sscanf(tail, "%d", &minor)
	case tail != "":
		return -1
	}
	return level*1_000_000 + major*1000 + minor
}

// FindResource resolves what a user types for kubectl explain or get: a kind ("Deployment",
// "deployment"), a plural or singular resource ("deployments"), a short name ("deploy"),
// optionally qualified by group ("deployments.apps"). The preferred version is returned.
func FindResource(src Source, name string) (KindInfo, bool) {
	name = strings.ToLower(name)
	group := ""
	qualified := false
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name, group, qualified = name[:i], name[i+1:], true
	}
	var matches []KindInfo
	for _, k := range src.Kinds() {
		if qualified && k.GVK.Group != group {
			continue
		}
		if strings.ToLower(k.GVK.Kind) == name || k.Resource == name || slices.Contains(k.ShortNames, name) ||
			strings.TrimSuffix(k.Resource, "s") == name {
			matches = append(matches, k)
		}
	}
	if len(matches) == 0 {
		return KindInfo{}, false
	}
	sort.SliceStable(matches, func(i, j int) bool {
		// The core and apps groups first, as kubectl's preferred order does for the kinds
		// served in several groups (events), then by version preference.
		gi, gj := GroupRank(matches[i].GVK.Group), GroupRank(matches[j].GVK.Group)
		if gi != gj {
			return gi < gj
		}
		return VersionRank(matches[i].GVK.Version) > VersionRank(matches[j].GVK.Version)
	})
	return matches[0], true
}

// GroupRank orders API groups, lower preferred: the core group first, then apps,
// Kubernetes' own groups, and the rest.
func GroupRank(g string) int {
	switch {
	case g == "":
		return 0
	case g == "apps":
		return 1
	case strings.HasSuffix(g, ".k8s.io") || !strings.Contains(g, "."):
		return 2
	}
	return 3
}
