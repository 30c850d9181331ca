// Command openapi extracts the OpenAPI v3 documents of Kubernetes releases
// into the compressed, per-group-version form embedded by schema/builtin.
//
// It is run by `go generate ./schema/builtin/`:
//
//	go run ./internal/gen/openapi -kubernetes v1.37.2,v1.36.3 -out schema/builtin/data
//
// For each k8s.io/kubernetes module version it downloads the module with
// `go mod download` (in a throwaway directory, so the product's go.mod never
// depends on k8s.io/kubernetes), reads api/openapi-spec/v3, and writes into
// OUT/vMAJOR.MINOR/:
//
//   - GROUP_VERSION.json.gz (core_v1.json.gz for the core group): the
//     group-version's document without paths, without the component schemas
//     no path reaches, and without the schema keywords example and
//     externalDocs, gzipped deterministically;
//   - index.json: the resources each group-version serves, derived from the
//     paths (kind, resource name, scope, kubectl verbs).
//
// Output is byte-identical across runs for the same inputs.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

const kubernetesModule = "k8s.io/kubernetes"

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen/openapi: ")
	versionsFlag := flag.String("kubernetes", "", "comma-separated k8s.io/kubernetes module versions, e.g. v1.37.2,v1.36.3")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *versionsFlag == "" || *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(strings.Split(*versionsFlag, ","), *out); err != nil {
		log.Fatal(err)
	}
}

var releaseRE = regexp.MustCompile(`^v(\d+)\.(\d+)\.(\d+)$`)

// minorDir returns "v1.37" for "v1.37.2".
func minorDir(version string) (string, error) {
	m := releaseRE.FindStringSubmatch(version)
	if m == nil {
		return "", fmt.Errorf("%q is not a release version like v1.37.2", version)
	}
	return "v" + m[1] + "." + m[2], nil
}

func run(versions []string, out string) error {
	dirs := map[string]string{} // minor dir -> version
	for i, v := range versions {
		v = strings.TrimSpace(v)
		versions[i] = v
		d, err := minorDir(v)
		if err != nil {
			return err
		}
		if prev, ok := dirs[d]; ok {
			return fmt.Errorf("versions %s and %s share the minor version %s", prev, v, d)
		}
		dirs[d] = v
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := removeStale(out, dirs); err != nil {
		return err
	}
	for _, v := range versions {
		modDir, err := downloadModule(v)
		if err != nil {
			return err
		}
		if err := generateVersion(v, filepath.Join(modDir, "api", "openapi-spec", "v3"), filepath.Join(out, mustMinorDir(v))); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
	}
	return nil
}

func mustMinorDir(v string) string {
	d, err := minorDir(v)
	if err != nil {
		panic(err)
	}
	return d
}

var minorDirRE = regexp.MustCompile(`^v\d+\.\d+$`)

// removeStale deletes version directories written by an earlier run for
// versions no longer requested, so the embedded set matches the flag.
func removeStale(out string, keep map[string]string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || !minorDirRE.MatchString(e.Name()) {
			continue
		}
		if _, ok := keep[e.Name()]; ok {
			continue
		}
		dir := filepath.Join(out, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
			continue // not ours
		}
		log.Printf("removing %s (not requested)", dir)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	return nil
}

// downloadModule returns the module cache directory of k8s.io/kubernetes at
// version, downloading it if needed.
func downloadModule(version string) (string, error) {
	tmp, err := os.MkdirTemp("", "gen-openapi-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "mod", "download", "-json", kubernetesModule+"@"+version)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct {
		Dir   string
		Error string
	}
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil && runErr == nil {
		return "", fmt.Errorf("go mod download %s@%s: decoding output: %w", kubernetesModule, version, err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", kubernetesModule, version, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", kubernetesModule, version, runErr, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no Dir in output", kubernetesModule, version)
	}
	return info.Dir, nil
}

// Index is the shape of index.json; schema/builtin decodes the same fields.
type Index struct {
	KubernetesVersion string         `json:"kubernetesVersion"`
	GroupVersions     []GroupVersion `json:"groupVersions"`
}

type GroupVersion struct {
	Group     string     `json:"group"`
	Version   string     `json:"version"`
	File      string     `json:"file"`
	Resources []Resource `json:"resources"`
}

type Resource struct {
	Kind       string   `json:"kind"`
	Resource   string   `json:"resource"`
	Namespaced bool     `json:"namespaced"`
	Verbs      []string `json:"verbs"`
}

// specFile recognises group-version documents:
// api__v1_openapi.json and apis__GROUP__VERSION_openapi.json.
var specFileRE = regexp.MustCompile(`^(?:api__(v[0-9a-z]+)|apis__([a-z0-9.-]+)__(v[0-9a-z]+))_openapi\.json$`)

func generateVersion(version, specDir, outDir string) error {
	entries, err := os.ReadDir(specDir)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(outDir); err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	idx := Index{KubernetesVersion: version, GroupVersions: []GroupVersion{}}
	var total int
	for _, e := range entries {
		m := specFileRE.FindStringSubmatch(e.Name())
		if m == nil {
			// Discovery-only documents (api_openapi.json, apis_openapi.json,
			// apis__GROUP_openapi.json) and logs_, openid__, version_.
			continue
		}
		group, gv := m[2], m[1]
		if gv == "" {
			gv = m[3]
		}
		raw, err := os.ReadFile(filepath.Join(specDir, e.Name()))
		if err != nil {
			return err
		}
		doc, resources, err := processDocument(raw, group, gv)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		fileGroup := group
		if fileGroup == "" {
			fileGroup = "core"
		}
		file := fileGroup + "_" + gv + ".json.gz"
		gz, err := gzipBytes(doc)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, file), gz, 0o644); err != nil {
			return err
		}
		total += len(gz)
		idx.GroupVersions = append(idx.GroupVersions, GroupVersion{Group: group, Version: gv, File: file, Resources: resources})
	}
	if len(idx.GroupVersions) == 0 {
		return fmt.Errorf("no group-version documents in %s", specDir)
	}
	slices.SortFunc(idx.GroupVersions, func(a, b GroupVersion) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Version, b.Version))
	})
	ij, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	ij = append(ij, '\n')
	if err := os.WriteFile(filepath.Join(outDir, "index.json"), ij, 0o644); err != nil {
		return err
	}
	log.Printf("%s: %d group-versions, %d bytes compressed", version, len(idx.GroupVersions), total+len(ij))
	return nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	// The zero Header: no name, no mtime, so output depends only on input.
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// processDocument returns the trimmed, compact document and the resources
// its paths serve.
func processDocument(raw []byte, group, version string) ([]byte, []Resource, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers exactly as written
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, nil, errors.New("no paths")
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)

	// Reachability: every schema a path refers to, then transitively.
	reached := map[string]bool{}
	var queue []string
	addRef := func(ref string) error {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			return fmt.Errorf("unsupported $ref %q", ref)
		}
		name = unescapePointer(name)
		if _, ok := schemas[name]; !ok {
			return fmt.Errorf("$ref %q has no target", ref)
		}
		if !reached[name] {
			reached[name] = true
			queue = append(queue, name)
		}
		return nil
	}
	if err := collectRefs(paths, addRef); err != nil {
		return nil, nil, fmt.Errorf("paths: %w", err)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if err := walkSchema(schemas[name], addRef); err != nil {
			return nil, nil, fmt.Errorf("schema %s: %w", name, err)
		}
	}
	kept := make(map[string]any, len(reached))
	for name := range reached {
		kept[name] = schemas[name]
	}

	resources, err := indexPaths(paths, group, version)
	if err != nil {
		return nil, nil, err
	}

	outDoc := map[string]any{
		"openapi":    doc["openapi"],
		"info":       doc["info"],
		"components": map[string]any{"schemas": kept},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(outDoc); err != nil {
		return nil, nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), resources, nil
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// collectRefs calls ref for every string-valued $ref anywhere under v. Used
// on paths, whose structure (operations, parameters, media types) holds
// schemas at many places.
func collectRefs(v any, ref func(string) error) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				if err := ref(s); err != nil {
					return err
				}
				continue
			}
			if err := collectRefs(x, ref); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range v {
			if err := collectRefs(x, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkSchema follows the structure of a schema object: it drops the
// keywords example and externalDocs and reports $refs, descending only into
// subschemas, so property names such as "example" or "$ref" (JSONSchemaProps
// has both) and literal values (default, enum, x-kubernetes-*) are left alone.
func walkSchema(v any, ref func(string) error) error {
	s, ok := v.(map[string]any)
	if !ok {
		return nil // additionalProperties: true/false
	}
	delete(s, "example")
	delete(s, "externalDocs")
	if r, ok := s["$ref"].(string); ok {
		if err := ref(r); err != nil {
			return err
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if err := walkSchema(s[k], ref); err != nil {
			return err
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, p := range props {
			if err := walkSchema(p, ref); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for _, x := range list {
			if err := walkSchema(x, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

var kubectlVerb = map[string]string{
	"post":             "create",
	"put":              "update",
	"patch":            "patch",
	"get":              "get",
	"list":             "list",
	"watch":            "watch",
	"watchlist":        "watch",
	"delete":           "delete",
	"deletecollection": "deletecollection",
}

type gvk struct{ group, version, kind string }

type resourceAcc struct {
	namespaced bool
	verbs      map[string]bool
	kinds      map[gvk]bool
}

// indexPaths derives the resources of a group-version from its paths:
//
//	/apis/G/V/[watch/][namespaces/{namespace}/]RESOURCE[/{name}]
//
// Paths with more segments are subresources and are skipped.
func indexPaths(paths map[string]any, group, version string) ([]Resource, error) {
	prefix := "/api/" + version + "/"
	if group != "" {
		prefix = "/apis/" + group + "/" + version + "/"
	}
	acc := map[string]*resourceAcc{}
	for p, item := range paths {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return nil, fmt.Errorf("path %s outside %s", p, prefix)
		}
		if rest == "" {
			continue // the group-version's discovery document
		}
		segs := strings.Split(rest, "/")
		if segs[0] == "watch" {
			segs = segs[1:]
		}
		namespaced := false
		if len(segs) >= 2 && segs[0] == "namespaces" && segs[1] == "{namespace}" {
			namespaced = true
			segs = segs[2:]
		}
		if len(segs) == 0 || len(segs) > 2 {
			continue // subresource
		}
		if isParam(segs[0]) || (len(segs) == 2 && !isParam(segs[1])) {
			return nil, fmt.Errorf("unexpected path shape %s", p)
		}
		ops, _ := item.(map[string]any)
		a := acc[segs[0]]
		if a == nil {
			a = &resourceAcc{verbs: map[string]bool{}, kinds: map[gvk]bool{}}
			acc[segs[0]] = a
		}
		a.namespaced = a.namespaced || namespaced
		for method, o := range ops {
			op, ok := o.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			action, _ := op["x-kubernetes-action"].(string)
			if verb, ok := kubectlVerb[action]; ok {
				a.verbs[verb] = true
			} else if action != "" {
				log.Printf("%s %s: ignoring action %q", method, p, action)
			}
			if k, ok := op["x-kubernetes-group-version-kind"].(map[string]any); ok {
				g, _ := k["group"].(string)
				v, _ := k["version"].(string)
				kind, _ := k["kind"].(string)
				if kind != "" {
					a.kinds[gvk{g, v, kind}] = true
				}
			}
		}
	}
	resources := make([]Resource, 0, len(acc))
	for name, a := range acc {
		if len(a.kinds) == 0 || len(a.verbs) == 0 {
			return nil, fmt.Errorf("resource %s: no kind or verbs in its operations", name)
		}
		kinds := make([]gvk, 0, len(a.kinds))
		for k := range a.kinds {
			kinds = append(kinds, k)
		}
		// Prefer the kind of this group-version; otherwise the first in order.
		slices.SortFunc(kinds, func(x, y gvk) int {
			return cmp.Or(
				-cmpBool(x.group == group && x.version == version, y.group == group && y.version == version),
				cmp.Compare(x.group, y.group), cmp.Compare(x.version, y.version), cmp.Compare(x.kind, y.kind))
		})
		if len(kinds) > 1 {
			log.Printf("%s/%s %s: several kinds %v, using %s", group, version, name, kinds, kinds[0].kind)
		}
		verbs := make([]string, 0, len(a.verbs))
		for v := range a.verbs {
			verbs = append(verbs, v)
		}
		slices.Sort(verbs)
		resources = append(resources, Resource{Kind: kinds[0].kind, Resource: name, Namespaced: a.namespaced, Verbs: verbs})
	}
	slices.SortFunc(resources, func(x, y Resource) int { return cmp.Compare(x.Resource, y.Resource) })
	return resources, nil
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	default:
		return 1
	}
}
