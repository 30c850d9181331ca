// Package builtin embeds the OpenAPI v3 schemas of Kubernetes releases, one
// compressed document per group-version, decoded lazily.
//
// The data directory is produced by `go generate` (see gen.go and
// internal/gen/openapi) from k8s.io/kubernetes's api/openapi-spec/v3: for
// each minor release, data/vMAJOR.MINOR/ holds index.json and one
// GROUP_VERSION.json.gz per group-version (core_v1.json.gz for the core
// group), each a complete OpenAPI v3 document with components.schemas only.
package builtin

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed data
var data embed.FS

// Resource is one resource a group-version serves, as kubectl api-resources
// would list it. Subresources are not included.
type Resource struct {
	Kind       string   `json:"kind"`
	Resource   string   `json:"resource"` // plural lower-case name, e.g. "deployments"
	Namespaced bool     `json:"namespaced"`
	Verbs      []string `json:"verbs"` // kubectl verbs, sorted: create, delete, get, list, ...
}

// GroupVersion is one API group-version of a release and its document.
type GroupVersion struct {
	Group     string     `json:"group"` // "" for the core group
	Version   string     `json:"version"`
	File      string     `json:"file"` // name of the compressed document in the release's directory
	Resources []Resource `json:"resources"`
}

// Index lists the group-versions and resources of one Kubernetes release.
// An Index returned by LoadIndex is shared: do not modify it.
type Index struct {
	KubernetesVersion string         `json:"kubernetesVersion"` // e.g. "v1.37.2"
	GroupVersions     []GroupVersion `json:"groupVersions"`     // sorted by group, then version
}

// GroupVersion returns the entry for group/version ("" or "core" for the
// core group), or nil.
func (ix *Index) GroupVersion(group, version string) *GroupVersion {
	if group == "core" {
		group = ""
	}
	for i := range ix.GroupVersions {
		if gv := &ix.GroupVersions[i]; gv.Group == group && gv.Version == version {
			return gv
		}
	}
	return nil
}

var versions = sync.OnceValue(func() []string {
	entries, err := fs.ReadDir(data, "data")
	if err != nil {
		panic("builtin: embedded data missing: " + err.Error())
	}
	var vs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if m, ok := normalize(e.Name()); ok && "v"+m == e.Name() {
			vs = append(vs, m)
		}
	}
	slices.SortFunc(vs, compareMinor)
	return vs
})

// Versions returns the embedded Kubernetes minor versions in ascending
// order, e.g. "1.34", "1.35", "1.36", "1.37".
func Versions() []string { return slices.Clone(versions()) }

// Latest returns the newest embedded minor version, e.g. "1.37".
func Latest() string {
	vs := versions()
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// normalize turns "1.37", "v1.37" or "v1.37.2" into "1.37".
func normalize(v string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return "", false
		}
	}
	major, _ := strconv.ParseUint(parts[0], 10, 32)
	minor, _ := strconv.ParseUint(parts[1], 10, 32)
	return strconv.FormatUint(major, 10) + "." + strconv.FormatUint(minor, 10), true
}

func compareMinor(a, b string) int {
	am, an, _ := strings.Cut(a, ".")
	bm, bn, _ := strings.Cut(b, ".")
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	return cmp.Or(cmp.Compare(atoi(am), atoi(bm)), cmp.Compare(atoi(an), atoi(bn)))
}

// resolve returns the embedded minor version for v or an error naming the
// embedded ones.
func resolve(v string) (string, error) {
	m, ok := normalize(v)
	if ok && slices.Contains(versions(), m) {
		return m, nil
	}
	return "", fmt.Errorf("builtin: no schemas for Kubernetes %q (embedded: %s)", v, strings.Join(versions(), ", "))
}

type indexEntry struct {
	once sync.Once
	idx  *Index
	err  error
}

var (
	indexMu sync.Mutex
	indexes = map[string]*indexEntry{}
)

// LoadIndex returns the index of an embedded minor version, given as
// "1.37", "v1.37" or "1.37.2". It is parsed once and shared.
func LoadIndex(minor string) (*Index, error) {
	m, err := resolve(minor)
	if err != nil {
		return nil, err
	}
	indexMu.Lock()
	e := indexes[m]
	if e == nil {
		e = &indexEntry{}
		indexes[m] = e
	}
	indexMu.Unlock()
	e.once.Do(func() {
		b, err := data.ReadFile(path.Join("data", "v"+m, "index.json"))
		if err != nil {
			e.err = fmt.Errorf("builtin: Kubernetes %s index: %w", m, err)
			return
		}
		var idx Index
		if err := json.Unmarshal(b, &idx); err != nil {
			e.err = fmt.Errorf("builtin: Kubernetes %s index: %w", m, err)
			return
		}
		e.idx = &idx
	})
	return e.idx, e.err
}

// Document returns the decompressed OpenAPI v3 JSON document of one
// group-version ("" or "core" for the core group) of an embedded minor
// version. Each call decompresses afresh; callers should cache what they
// build from it.
func Document(minor, group, version string) ([]byte, error) {
	idx, err := LoadIndex(minor)
	if err != nil {
		return nil, err
	}
	gv := idx.GroupVersion(group, version)
	if gv == nil {
		name := group + "/" + version
		if group == "" || group == "core" {
			name = version + " (core)"
		}
		return nil, fmt.Errorf("builtin: Kubernetes %s has no group-version %s", idx.KubernetesVersion, name)
	}
	m, _ := resolve(minor)
	gz, err := data.ReadFile(path.Join("data", "v"+m, gv.File))
	if err != nil {
		return nil, fmt.Errorf("builtin: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("builtin: %s: %w", gv.File, err)
	}
	var buf bytes.Buffer
	if n := len(gz); n >= 4 {
		// The gzip trailer ends with the uncompressed size (mod 2^32).
		buf.Grow(int(binary.LittleEndian.Uint32(gz[n-4:])) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("builtin: %s: %w", gv.File, err)
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("builtin: %s: %w", gv.File, err)
	}
	return buf.Bytes(), nil
}

// Nearest returns the embedded minor version closest to v ("1.38.1" → the newest
// embedded when it is older, "1.30" → the oldest): the schemas to fall back on for a
// cluster of version v. It returns the newest embedded when v cannot be read.
func Nearest(v string) string {
	vs := versions()
	if len(vs) == 0 {
		return ""
	}
	m, ok := normalize(v)
	if !ok {
		return vs[len(vs)-1]
	}
	if compareMinor(m, vs[0]) < 0 {
		return vs[0]
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if compareMinor(vs[i], m) <= 0 {
			return vs[i]
		}
	}
	return vs[len(vs)-1]
}
