package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Where a place in a rendered object comes from: the same field of the resource file the
// object was read from, or of a patch file of the kustomization, when its value there is
// the rendered one; otherwise the kustomization file, at the field that changed it
// (namePrefix, namespace, ...) or the entry that brought the object in. Values are
// compared as the Kubernetes YAML decoder reads them; list items are matched by their
// name where they have one (containers, ports, env), else by index.

// String is FILE:LINE.
func (l Location) String() string {
	line, _ := l.File.Mapper.OffsetLineChar(l.Range.Start)
	return l.File.Name + ":" + strconv.Itoa(line)
}

// trace records, for each rendered document, the resource file document and the entry
// of the kustomization file it came from.
func (k *Kustomization) trace(origins []*resource.Origin) {
	files := map[string]*yamlpos.File{}
	k.sources = make([]objectSource, len(k.Rendered.Docs))
	for i, d := range k.Rendered.Docs {
		s := objectSource{entry: k.firstLine()}
		var o *resource.Origin
		if i < len(origins) {
			o = origins[i]
		}
		switch {
		case o == nil:
		case o.ConfiguredIn != "" && o.ConfiguredBy.Kind != "":
			s.entry = k.generatorEntry(o, renderedName(d))
		case o.Path != "" && o.Repo == "":
			s.entry = k.entryFor(o.Path)
			s.doc = sourceDocument(files, filepath.Join(k.Dir, o.Path), d)
		}
		k.sources[i] = s
	}
}

// firstLine is the range of the kustomization file's first line.
func (k *Kustomization) firstLine() yamlpos.Range {
	end := k.File.Mapper.LineEnd(1)
	return yamlpos.Range{Start: 0, End: end}
}

// entryFor is the range of the resources, bases or components entry that path (relative
// to the kustomization's directory) is, or lies under.
func (k *Kustomization) entryFor(path string) yamlpos.Range {
	path = filepath.Clean(path)
	for _, e := range k.entries {
		if e.Kind == EntryFile {
			continue
		}
		v := filepath.Clean(e.Value)
		if path == v || strings.HasPrefix(path, v+string(filepath.Separator)) {
			return e.Range
		}
	}
	return k.firstLine()
}

// generatorEntry is where the kustomization file brings in the generated object named
// name: the name of its generator when the top kustomization file generated it (the
// generator's name is part of the object's), else the entry of the base that did.
func (k *Kustomization) generatorEntry(o *resource.Origin, name string) yamlpos.Range {
	if filepath.Dir(filepath.Clean(o.ConfiguredIn)) != "." || len(k.File.Docs) == 0 {
		return k.entryFor(o.ConfiguredIn)
	}
	d := k.File.Docs[0]
	field := strings.ToLower(o.ConfiguredBy.Kind[:1]) + o.ConfiguredBy.Kind[1:]
	best, bestLen := k.firstLine(), -1
	for _, item := range seqItems(d.Root, field) {
		if v, _, ok := yamlpos.Get(item, "name"); ok && isScalar(v) && strings.Contains(name, v.Value) && len(v.Value) > bestLen {
			best, bestLen = d.Range(v), len(v.Value)
		}
	}
	return best
}

// renderedName is the name of a rendered object.
func renderedName(d *yamlpos.Document) string {
	o, err := ReadObject(d)
	if err != nil {
		return ""
	}
	return o.GetName()
}

// sourceDocument is the document of the file at path that rendered became: the one of
// the same apiVersion and kind whose name is the rendered name, or is part of it (a
// prefix or suffix was added), the longest such.
func sourceDocument(files map[string]*yamlpos.File, path string, rendered *yamlpos.Document) *yamlpos.Document {
	f, ok := files[path]
	if !ok {
		if data, err := os.ReadFile(path); err == nil {
			f = yamlpos.Split(path, data)
		}
		files[path] = f
	}
	if f == nil {
		return nil
	}
	want, err := ReadObject(rendered)
	if err != nil {
		return nil
	}
	var best *yamlpos.Document
	bestLen := -1
	for _, d := range f.Docs {
		o, err := ReadObject(d)
		if err != nil || o.GetKind() != want.GetKind() {
			continue
		}
		name := o.GetName()
		if strings.Contains(want.GetName(), name) && len(name) > bestLen {
			best, bestLen = d, len(name)
		}
	}
	return best
}

// readPatches reads the patch files the kustomizations name: the top one's first, then
// those of its bases, depth first (a later patch wins over an earlier one).
func (k *Kustomization) readPatches(local []localKustomization) {
	for _, l := range local {
		for _, e := range l.entries {
			if !strings.HasPrefix(e.Field, "patches") {
				continue
			}
			p := filepath.Join(l.dir, e.Value)
			if data, err := os.ReadFile(p); err == nil {
				k.patches = append(k.patches, yamlpos.Split(p, data))
			}
		}
	}
}

// Source is where the rendered document i came from: its document in the resource file,
// else the entry of the kustomization file.
func (k *Kustomization) Source(i int) Location {
	s := k.sources[i]
	if s.doc != nil {
		return Location{File: s.doc.File, Range: yamlpos.Range{Start: s.doc.Start, End: s.doc.Start}}
	}
	return Location{File: k.File, Range: s.entry}
}

// SourceDocument is the document of the resource file the rendered document i came
// from, nil when it was generated.
func (k *Kustomization) SourceDocument(i int) *yamlpos.Document { return k.sources[i].doc }

// Locate is where a range of the rendered document i comes from.
func (k *Kustomization) Locate(i int, r yamlpos.Range) Location {
	d := k.Rendered.Docs[i]
	d.ParseDoc()
	if d.Root == nil {
		// A batch run dropped the tree once validated (Options.ReleaseTrees): parse the
		// document again; its offsets are the same.
		d = yamlpos.Split(k.Rendered.Name, k.Rendered.Src).Docs[i]
		d.ParseDoc()
	}
	s := k.sources[i]
	steps, onKey := pathAt(d, r)
	if node, _, ok := follow(d, steps); ok {
		for _, c := range k.candidates(d, s.doc) {
			if loc, found := sameValue(node, c, steps, onKey); found {
				return loc
			}
		}
	}
	if rng, found := k.transformerField(steps); found {
		return Location{File: k.File, Range: rng}
	}
	return Location{File: k.File, Range: s.entry}
}

// candidates are the documents a rendered object's fields may come from unchanged: the
// patches of the kustomizations that target it (by kind and name, the source's or the
// rendered one), then its resource document.
func (k *Kustomization) candidates(rendered, source *yamlpos.Document) []*yamlpos.Document {
	r, err := ReadObject(rendered)
	if err != nil {
		return nil
	}
	names := []string{r.GetName()}
	if source != nil {
		if o, err := ReadObject(source); err == nil {
			names = append(names, o.GetName())
		}
	}
	var out []*yamlpos.Document
	for _, f := range k.patches {
		for _, d := range f.Docs {
			o, err := ReadObject(d)
			if err == nil && o.GetKind() == r.GetKind() && containsString(names, o.GetName()) {
				out = append(out, d)
			}
		}
	}
	if source != nil {
		out = append(out, source)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// transformerField is the field of the kustomization file that sets what steps reaches,
// when it is one of the fields that change every object: namePrefix or nameSuffix for
// metadata.name, namespace for metadata.namespace, commonLabels or labels for a label,
// commonAnnotations for an annotation.
func (k *Kustomization) transformerField(steps []step) (yamlpos.Range, bool) {
	if len(k.File.Docs) == 0 || len(steps) < 2 || steps[0].key != "metadata" {
		return yamlpos.Range{}, false
	}
	var fields []string
	switch steps[1].key {
	case "name":
		fields = []string{"namePrefix", "nameSuffix"}
	case "namespace":
		fields = []string{"namespace"}
	case "labels":
		fields = []string{"commonLabels", "labels"}
	case "annotations":
		fields = []string{"commonAnnotations"}
	}
	d := k.File.Docs[0]
	for _, f := range fields {
		if _, key, ok := yamlpos.Get(d.Root, f); ok {
			return d.Range(key), true
		}
	}
	return yamlpos.Range{}, false
}

// step is one step of a path in a document: a mapping key, or a list index with the
// item's name, when it has one, to find the same item elsewhere.
type step struct {
	key     string
	index   int
	isIndex bool
	name    string
}

// pathAt is the path to the deepest node of d whose range is r or holds r's start,
// and whether r is the key of the last step rather than its value.
func pathAt(d *yamlpos.Document, r yamlpos.Range) (steps []step, onKey bool) {
	n := d.Root
	for n != nil {
		n = yamlpos.Resolve(n)
		if d.Range(n) == r {
			break
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for _, kv := range yamlpos.Entries(n) {
				if kr := d.Range(kv.Key); kr.Start == r.Start && r.End <= kr.End {
					return append(steps, step{key: kv.Key.Value}), true
				}
				if holds(d.Range(kv.Value), r.Start) {
					steps, next = append(steps, step{key: kv.Key.Value}), kv.Value
					break
				}
			}
		case yaml.SequenceNode:
			for i, it := range n.Content {
				if holds(d.Range(it), r.Start) {
					steps, next = append(steps, step{index: i, isIndex: true, name: itemName(it)}), it
					break
				}
			}
		}
		n = next
	}
	return steps, false
}

// holds reports whether offset is the start of r or inside it.
func holds(r yamlpos.Range, offset int) bool {
	return offset == r.Start || (offset > r.Start && offset < r.End)
}

// itemName is the name field of a list item, "" when it has none.
func itemName(n *yaml.Node) string {
	if v, _, ok := yamlpos.Get(n, "name"); ok && isScalar(v) {
		return v.Value
	}
	return ""
}

// follow walks steps in d: list items by name when the step has one, else by index. It
// returns the node reached and the key it stands at (nil after an index).
func follow(d *yamlpos.Document, steps []step) (node, key *yaml.Node, ok bool) {
	node = d.Root
	for _, s := range steps {
		n := yamlpos.Resolve(node)
		if n == nil {
			return nil, nil, false
		}
		switch {
		case s.isIndex && n.Kind == yaml.SequenceNode:
			node, key = nil, nil
			for i, it := range n.Content {
				if (s.name != "" && itemName(it) == s.name) || (s.name == "" && i == s.index) {
					node = it
					break
				}
			}
			if node == nil {
				return nil, nil, false
			}
		case !s.isIndex && n.Kind == yaml.MappingNode:
			v, kn, found := yamlpos.Get(n, s.key)
			if !found {
				return nil, nil, false
			}
			node, key = v, kn
		default:
			return nil, nil, false
		}
	}
	return node, key, node != nil
}

// sameValue is the location of steps in d when the value there equals rendered: its
// key when onKey, else its value.
func sameValue(rendered *yaml.Node, d *yamlpos.Document, steps []step, onKey bool) (Location, bool) {
	d.ParseDoc()
	node, key, ok := follow(d, steps)
	if !ok || !equalValues(rendered, node) {
		return Location{}, false
	}
	if onKey && key != nil {
		return Location{File: d.File, Range: d.Range(key)}, true
	}
	return Location{File: d.File, Range: d.Range(node)}, true
}

func equalValues(a, b *yaml.Node) bool {
	va, errA := yamlpos.ToValue(a, validate.DefaultAliasLimit)
	vb, errB := yamlpos.ToValue(b, validate.DefaultAliasLimit)
	return errA == nil && errB == nil && reflect.DeepEqual(va, vb)
}
