package main

// The yaml-language-server layout (-layout yaml-language-server): one Kubernetes schema
// for yaml-language-server, from the same translation as the kubeconform files.
//
// yaml-language-server's Kubernetes mode ("yaml.schemas": {"kubernetes": GLOB} with
// "yaml.kubernetesVersion": "X.Y.Z") loads
//
//	https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/vX.Y.Z-standalone-strict/all.json
//
// which is a oneOf of {"$ref": "_definitions.json#/definitions/NAME"}, one per kind, NAME
// an OpenAPI definition name. It validates (and hovers, completes) each YAML document
// against the one entry whose lower-cased NAME is io.k8s.api.GROUP.VERSION.KIND of the
// document's apiVersion and kind (GROUP without ".k8s.io", "rbac" for RBAC, "core" for
// the core group), fetching _definitions.json next to all.json. A client that sends
// yaml/registerContentRequest answers those fetches itself (vscode/content), so the
// files written here can stand in for the published ones, offline:
//
//   - all.json: that oneOf;
//   - _definitions.json: {"definitions": {...}}, every definition the kinds use,
//     translated as for kubeconform (strict, null accepted, enforced enums, required
//     fields the apiserver's defaulting does not fill in) but referring to each other by
//     "#/definitions/NAME" instead of being inlined; each definition accepts null itself,
//     so that a reference is a plain $ref;
//   - kubernetes.json: the same selection as one schema for a plain local file
//     association ("yaml.schemas": {"/abs/kubernetes.json": GLOB}), without the
//     Kubernetes mode: an allOf of "if apiVersion and kind are these, then $ref".

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kubectl-lsp/kubectl-lsp/schema/builtin"
)

// YLS file names.
const (
	ylsAll         = "all.json"
	ylsDefinitions = "_definitions.json"
	ylsSingle      = "kubernetes.json"
)

type ylsKind struct {
	apiVersion, kind, def string
}

// runYLS writes the yaml-language-server layout; it returns the number of kinds.
func (g *generator) runYLS(version, out string) (int, error) {
	idx, err := builtin.LoadIndex(version)
	if err != nil {
		return 0, err
	}
	type item struct {
		name string
		doc  *document
	}
	var (
		kinds  []ylsKind
		seen   = map[ylsKind]bool{}
		queue  []item
		defs   = map[string]any{}
		queued = map[string]bool{}
	)
	enqueue := func(name string, doc *document) {
		if !queued[name] {
			queued[name] = true
			queue = append(queue, item{name, doc})
		}
	}
	for _, gv := range idx.GroupVersions {
		raw, err := builtin.Document(version, gv.Group, gv.Version)
		if err != nil {
			return 0, err
		}
		doc, err := parse(raw)
		if err != nil {
			return 0, fmt.Errorf("%s/%s: %w", gv.Group, gv.Version, err)
		}
		for _, name := range mapsKeys(doc.defs) {
			for _, k := range gvksOf(doc.defs[name]) {
				if k.Group != gv.Group || k.Version != gv.Version {
					continue
				}
				av := k.Version
				if k.Group != "" {
					av = k.Group + "/" + k.Version
				}
				yk := ylsKind{av, k.Kind, name}
				if !seen[yk] {
					seen[yk] = true
					kinds = append(kinds, yk)
				}
				enqueue(name, doc)
			}
		}
		// Translate what this document's kinds use while it is at hand: definitions
		// shared by several group-versions (ObjectMeta, ...) are the same in each.
		for len(queue) > 0 {
			it := queue[0]
			queue = queue[1:]
			raw, ok := it.doc.defs[it.name]
			if !ok {
				continue
			}
			c := &conv{g: g, doc: it.doc, recursive: map[string]bool{}}
			c.shared = func(n string) { enqueue(n, it.doc) }
			// Nullable: wherever a definition is used, null is accepted (as for the
			// inlined kubeconform schemas, where only a document root and the
			// alternatives of a oneOf are not nullable).
			defs[it.name] = c.schema(raw, it.name, true)
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		a, b := kinds[i], kinds[j]
		if a.def != b.def {
			return a.def < b.def
		}
		if a.apiVersion != b.apiVersion {
			return a.apiVersion < b.apiVersion
		}
		return a.kind < b.kind
	})

	var oneOf, allOf []any
	for i, k := range kinds {
		ref := map[string]any{"$ref": ylsDefinitions + "#/definitions/" + k.def}
		if i == 0 || kinds[i-1].def != k.def {
			oneOf = append(oneOf, ref)
		}
		allOf = append(allOf, map[string]any{
			"if": map[string]any{
				"properties": map[string]any{
					"apiVersion": map[string]any{"enum": []any{k.apiVersion}},
					"kind":       map[string]any{"enum": []any{k.kind}},
				},
				"required": []any{"apiVersion", "kind"},
			},
			"then": ref,
		})
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	for name, v := range map[string]any{
		ylsAll:         map[string]any{"oneOf": oneOf},
		ylsDefinitions: map[string]any{"definitions": defs},
		ylsSingle: map[string]any{
			"description": "Kubernetes " + version + " objects, by apiVersion and kind",
			"type":        "object",
			"allOf":       allOf,
		},
	} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
	}
	return len(kinds), nil
}
