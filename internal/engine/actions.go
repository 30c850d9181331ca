package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// KindQuickFix is the kind of the code actions that fix a finding.
const KindQuickFix = "quickfix"

// CodeAction is a fix for one finding: edits to the file's text.
type CodeAction struct {
	Title string
	// Kind is KindQuickFix.
	Kind string
	// Diagnostic is the finding the action fixes.
	Diagnostic *validate.Finding
	// Edits change the file; their ranges are byte ranges of the file as it was
	// validated, and do not overlap.
	Edits []TextEdit
	// Preferred marks the fix that properly addresses the finding (an editor's "auto fix").
	Preferred bool
	// adds marks the addition of a missing required field.
	adds bool
}

// TextEdit replaces a byte range of a file with new text.
type TextEdit = yamlpos.Edit

// QuickFixes validates the documents of f that overlap r and returns fixes for the
// findings that overlap r (an empty r, the cursor, included at either end of a finding):
//
//   - a value of the wrong type that YAML read as a number or boolean where a string is
//     expected is quoted (`version: 1.10` → `"1.10"`); a quoted number or boolean where
//     one is expected is unquoted (`replicas: "3"` → `3`, `"true"` → `true`);
//   - a misspelled field is renamed to the field the finding suggests (preferred);
//   - an unknown field is removed, with its nested block (or, in a flow mapping, with its
//     comma);
//   - a missing required field is added inside the object that lacks it, with a
//     placeholder of its type (and the required fields of that, for an object);
//   - an apiVersion that does not serve the kind is replaced by one that does;
//   - an unsupported enum value is replaced by the supported value it is closest to
//     (`tcp` → `TCP`, `Allways` → `Always`), when one is close;
//   - a quantity written with a unit of bytes is rewritten with Kubernetes' suffixes, the
//     same amount preferred, then the binary one (`128MB` → `128M`, `128Mi`; `1.5 GiB` →
//     `1.5Gi`).
//
// The fixes of a document come most likely first (see rankFixes).
//
// Each fix is checked before it is offered: the document is validated again with the edit
// applied, and the fix is dropped unless the finding is gone and no other finding
// appeared (after an apiVersion fix the kind's schema applies for the first time, so its
// findings may be new). Edits are minimal and keep the quoting style of what they replace.
// Documents are parsed when they were not yet; see the note on the editor features.
func (e *Engine) QuickFixes(f *yamlpos.File, r yamlpos.Range) []CodeAction {
	if f == nil {
		return nil
	}
	if r.End < r.Start {
		r.Start, r.End = r.End, r.Start
	}
	var out []CodeAction
	v := e.validator()
	for _, d := range f.Docs {
		if d.End < r.Start || d.Start > r.End {
			continue
		}
		d.ParseDoc()
		if d.Root == nil || d.Err != nil {
			continue
		}
		res := v.Validate(context.Background(), d)
		if res.Status == validate.Skipped {
			continue
		}
		fx := &fixer{e: e, d: d, res: res}
		// A value used through aliases has a finding per use, and one fix for all.
		seen := map[string]bool{}
		var fixes []CodeAction
		for i := range res.Findings {
			fd := res.Findings[i]
			if fd.Range.Start > r.End || fd.Range.End < r.Start {
				continue
			}
			for _, a := range fx.fixes(fd) {
				key := fmt.Sprint(a.Title, a.Edits)
				if seen[key] || !fx.verify(fd, a.Edits) {
					continue
				}
				seen[key] = true
				found := fd
				a.Kind, a.Diagnostic = KindQuickFix, &found
				fixes = append(fixes, a)
			}
		}
		out = append(out, rankFixes(fixes, res.Findings)...)
	}
	return out
}

// rankFixes orders the fixes of one document by likelihood: the preferred ones first,
// then the others, and adding a required field last. A misspelled field is likely the
// required field it is one edit from: where the rename is offered, adding the field
// (which would leave the misspelling in place) is dropped, and elsewhere it is no longer
// preferred.
func rankFixes(fixes []CodeAction, findings []validate.Finding) []CodeAction {
	misspelt := map[string]bool{} // the fields that renames would give
	for _, fd := range findings {
		if fd.Code == validate.CodeUnknownField && fd.Suggestion != "" {
			if p := yamlpos.ParsePath(fd.Field); len(p) > 0 && !p[len(p)-1].IsIndex {
				p[len(p)-1].Key = fd.Suggestion
				misspelt[p.String()] = true
			}
		}
	}
	renamed := map[string]bool{}
	for _, a := range fixes {
		if p := yamlpos.ParsePath(a.Diagnostic.Field); a.Diagnostic.Code == validate.CodeUnknownField && a.Preferred && len(p) > 0 {
			p[len(p)-1].Key = a.Diagnostic.Suggestion
			renamed[p.String()] = true
		}
	}
	rank := func(a CodeAction) int {
		switch {
		case a.adds && misspelt[a.Diagnostic.Field]:
			return 3
		case a.adds:
			return 1
		case a.Preferred:
			return 0
		}
		return 2
	}
	out := make([]CodeAction, 0, len(fixes))
	for _, a := range fixes {
		if a.adds && misspelt[a.Diagnostic.Field] {
			if renamed[a.Diagnostic.Field] {
				continue
			}
			a.Preferred = false
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b CodeAction) int { return rank(a) - rank(b) })
	return out
}

// fixer builds the fixes of one validated document.
type fixer struct {
	e   *Engine
	d   *yamlpos.Document
	res validate.Result
	// at indexes the document's scalar nodes (keys and values) by range.
	at map[yamlpos.Range]nodeLoc
	// kind is the kind of the object the finding being fixed is in, for the required
	// fields of placeholders.
	kind string
}

// nodeLoc is a scalar node and where it sits: the key or the value of entry i (an even
// index into Content) of mapping parent, or an item of a sequence parent.
type nodeLoc struct {
	node   *yaml.Node
	parent *yaml.Node
	i      int
	isKey  bool
}

func (fx *fixer) locate(r yamlpos.Range) (nodeLoc, bool) {
	if fx.at == nil {
		fx.at = map[yamlpos.Range]nodeLoc{}
		fx.index(fx.d.Root, 0)
	}
	l, ok := fx.at[r]
	return l, ok
}

func (fx *fixer) index(n *yaml.Node, depth int) {
	if n == nil || depth > 200 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode {
				fx.at[fx.d.Range(k)] = nodeLoc{node: k, parent: n, i: i, isKey: true}
			}
			if v.Kind == yaml.ScalarNode {
				fx.at[fx.d.Range(v)] = nodeLoc{node: v, parent: n, i: i}
			}
			fx.index(v, depth+1)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if item.Kind == yaml.ScalarNode {
				fx.at[fx.d.Range(item)] = nodeLoc{node: item, parent: n, i: i}
			}
			fx.index(item, depth+1)
		}
	}
}

func (fx *fixer) fixes(fd validate.Finding) []CodeAction {
	obj, _ := fx.object(yamlpos.ParsePath(fd.Field))
	fx.kind = mappingScalar(obj, "kind")
	switch fd.Code {
	case validate.CodeType:
		return fx.typeFix(fd)
	case validate.CodeUnknownField:
		return fx.unknownFieldFixes(fd)
	case validate.CodeRequired, validate.CodeInvalid:
		// The apiserver says "Invalid value: 0" of a required number left out (a port):
		// a missing field is added either way.
		return fx.requiredFix(fd)
	case validate.CodeUnknownKind:
		return fx.apiVersionFixes(fd)
	case validate.CodeEnum:
		return fx.enumFix(fd)
	case validate.CodeQuantity:
		return fx.quantityFixes(fd)
	}
	return nil
}

// verify validates the document again with edits applied: the finding must be gone and
// no other finding may appear, but after a fix that reveals findings (see below).
func (fx *fixer) verify(fd validate.Finding, edits []TextEdit) bool {
	if len(edits) == 0 {
		return false
	}
	d := fx.d
	for _, ed := range edits {
		if ed.Range.Start < d.Start || ed.Range.End > d.End {
			return false
		}
	}
	text, ok := yamlpos.ApplyEdits(d.File.Src, edits, d.Start)
	if !ok {
		return false
	}
	// The file split again: the document keeps its index, and the file its JSON-ness.
	nf := yamlpos.Split(d.File.Name, text)
	if len(nf.Docs) != len(d.File.Docs) || nf.Docs[d.Index].Start != d.Start {
		return false
	}
	nd := nf.Docs[d.Index]
	nd.ParseDoc()
	if nd.Err != nil || nd.Root == nil {
		return false
	}
	after := fx.e.validator().Validate(context.Background(), nd)
	if after.Status == validate.Skipped {
		return false
	}
	type key struct {
		sev         validate.Severity
		code, field string
	}
	before := map[key]int{}
	for _, b := range fx.res.Findings {
		before[key{b.Severity, b.Code, b.Field}]++
	}
	fixed := key{fd.Severity, fd.Code, fd.Field}
	before[fixed]--
	// An apiVersion fix reveals the kind's schema; fixing an error the apiserver's decoder
	// stops at (an unknown field, a wrong type) reveals what its validation says.
	reveals := fd.Code == validate.CodeUnknownKind || validate.StopsDecoding(fd)
	for _, a := range after.Findings {
		k := key{a.Severity, a.Code, a.Field}
		switch {
		case a.Code == fd.Code && a.Field == fd.Field:
			return false // not fixed
		case a.Code == validate.CodeSyntax:
			return false
		case before[k] > 0:
			before[k]--
		case !reveals:
			return false // a new finding
		}
	}
	return true
}

// object returns the Kubernetes object a field path of the document starts in (an item
// of a List, or the document's root) and the path inside it.
func (fx *fixer) object(path yamlpos.Path) (*yaml.Node, yamlpos.Path) {
	root := fx.d.Root
	if len(path) >= 2 && path[0].Key == "items" && !path[0].IsIndex && path[1].IsIndex && strings.HasSuffix(mappingScalar(root, "kind"), "List") {
		if items, _, ok := yamlpos.Get(root, "items"); ok {
			items = yamlpos.Resolve(items)
			if items.Kind == yaml.SequenceNode && path[1].Index < len(items.Content) {
				if item := yamlpos.Resolve(items.Content[path[1].Index]); item.Kind == yaml.MappingNode {
					return item, path[2:]
				}
			}
		}
	}
	return root, path
}

// schemaOf is the schema of the value a field path designates (a map's value schema at a
// map key), nil when it is not known.
func (fx *fixer) schemaOf(field string) *schema.Schema {
	obj, path := fx.object(yamlpos.ParsePath(field))
	t := fx.e.resourceType(mappingScalar(obj, "apiVersion"), mappingScalar(obj, "kind"))
	if t == nil || len(path) == 0 {
		return nil
	}
	f, ok := walk(t.Schema, path)
	if !ok || f.value == nil {
		return nil
	}
	return f.value
}

// srcOf is the text of a byte range of the file.
func (fx *fixer) srcOf(r yamlpos.Range) string { return string(fx.d.File.Src[r.Start:r.End]) }

// plain reports whether a scalar is written plain, without tag, quotes or block style,
// exactly as its value.
func (fx *fixer) plain(n *yaml.Node, r yamlpos.Range) bool {
	return n.Style == 0 && fx.srcOf(r) == n.Value
}

// quoteChar is the quote a scalar is written with, 0 when it is not quoted.
func (fx *fixer) quoteChar(n *yaml.Node, r yamlpos.Range) byte {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 || n.Style&yaml.TaggedStyle != 0 || r.End <= r.Start {
		return 0
	}
	c := fx.d.File.Src[r.Start]
	if c != '"' && c != '\'' {
		return 0
	}
	return c
}

// scalarText writes a string value in the style of the scalar it replaces: in the same
// quotes, or plain when that reads back as the same string.
func (fx *fixer) scalarText(v string, quote byte) string {
	return yamlpos.Quote(v, quote, fx.d.File.JSON)
}

var (
	canonicalInt   = lazyregexp.New(`^-?(0|[1-9][0-9]*)$`)
	canonicalFloat = lazyregexp.New(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
)

// typeFix quotes a number or boolean where a string is expected, and unquotes a number
// or boolean written as a string where one is expected.
func (fx *fixer) typeFix(fd validate.Finding) []CodeAction {
	loc, ok := fx.locate(fd.Range)
	if !ok || loc.isKey {
		return nil
	}
	n := loc.node
	want := fx.schemaOf(fd.Field).T()
	if want == nil || want.IntOrString || want.Name == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
		return nil
	}
	old := fx.srcOf(fd.Range)
	var text string
	switch want.Type {
	case "string":
		kind := yamlpos.KindOf(n)
		if (kind != yamlpos.Int && kind != yamlpos.Float && kind != yamlpos.Bool) || !fx.plain(n, fd.Range) || strings.ContainsAny(n.Value, "\"\\") {
			return nil
		}
		text = `"` + n.Value + `"`
	case "integer", "number", "boolean":
		if fx.quoteChar(n, fd.Range) == 0 {
			return nil
		}
		v := n.Value
		switch {
		case want.Type == "boolean" && (strings.EqualFold(v, "true") || strings.EqualFold(v, "false")):
			text = strings.ToLower(v)
		case want.Type == "integer" && canonicalInt().MatchString(v), want.Type == "number" && canonicalFloat().MatchString(v):
			text = v
		default:
			return nil
		}
	default:
		return nil
	}
	return []CodeAction{{
		Title:     fmt.Sprintf("Change %s to %s", old, text),
		Edits:     []TextEdit{{Range: fd.Range, NewText: text}},
		Preferred: true,
	}}
}

// unknownFieldFixes renames a misspelled field to the suggested one (preferred) and
// removes an unknown field.
func (fx *fixer) unknownFieldFixes(fd validate.Finding) []CodeAction {
	loc, ok := fx.locate(fd.Range)
	if !ok || !loc.isKey || loc.parent.Kind != yaml.MappingNode {
		return nil
	}
	name := yamlpos.KeyString(loc.node)
	var out []CodeAction
	if s := fd.Suggestion; s != "" && s != name {
		out = append(out, CodeAction{
			Title:     fmt.Sprintf("Rename %q to %q", name, s),
			Edits:     []TextEdit{{Range: fd.Range, NewText: fx.scalarText(s, fx.quoteChar(loc.node, fd.Range))}},
			Preferred: true,
		})
	}
	if edits := fx.d.RemoveEntry(loc.parent, loc.i); edits != nil {
		out = append(out, CodeAction{Title: fmt.Sprintf("Remove unknown field %q", name), Edits: edits})
	}
	return out
}

// requiredFix adds a missing required field, with a placeholder value of its type, to the
// object that lacks it; the objects leading to it are added too when they are missing
// (a pod template without a spec). A field (or object) given as null gets the value.
func (fx *fixer) requiredFix(fd validate.Finding) []CodeAction {
	path := yamlpos.ParsePath(fd.Field)
	if len(path) == 0 || path[len(path)-1].IsIndex {
		return nil
	}
	title := fmt.Sprintf("Add required field %q", path[len(path)-1].Key)
	node, key, matched := yamlpos.Lookup(fx.d.Root, path)
	if matched == len(path) {
		s := fx.schemaOf(fd.Field)
		if s == nil || key == nil || yamlpos.KindOf(node) != yamlpos.Null {
			return nil
		}
		ed, ok := fx.d.SetNull(key, node, fx.placeholder(s, 0))
		if !ok {
			return nil
		}
		return []CodeAction{{Title: title, Edits: []TextEdit{ed}, Preferred: true, adds: true}}
	}
	missing := path[matched:]
	for _, el := range missing {
		if el.IsIndex {
			return nil
		}
	}
	// The value of the first missing field: its placeholder, with the rest of the path.
	first := fx.schemaOf(path[:matched+1].String())
	if first == nil {
		return nil
	}
	val := fx.placeholder(first, 0)
	for i := range missing[1:] {
		s := fx.schemaOf(path[:matched+2+i].String())
		if s == nil {
			return nil
		}
		val = val.Ensure(missing[1:i+2], fx.placeholder(s, 0))
	}
	ed, ok := fx.d.InsertField(node, key, missing[0].Key, val)
	if !ok {
		return nil
	}
	return []CodeAction{{Title: title, Edits: []TextEdit{ed}, Preferred: true, adds: true}}
}

// apiVersionFixes replaces an apiVersion that does not serve the kind by the ones that
// do, the first preferred.
func (fx *fixer) apiVersionFixes(fd validate.Finding) []CodeAction {
	loc, ok := fx.locate(fd.Range)
	if !ok || loc.isKey || !strings.HasSuffix(fd.Field, "apiVersion") {
		return nil
	}
	quote := fx.quoteChar(loc.node, fd.Range)
	var out []CodeAction
	for i, v := range fd.ServedAs {
		out = append(out, CodeAction{
			Title:     "Change apiVersion to " + v,
			Edits:     []TextEdit{{Range: fd.Range, NewText: fx.scalarText(v, quote)}},
			Preferred: i == 0,
		})
	}
	return out
}

// enumFix replaces an unsupported value by the supported value it is closest to: the
// same but for case, or a likely misspelling.
func (fx *fixer) enumFix(fd validate.Finding) []CodeAction {
	loc, ok := fx.locate(fd.Range)
	if !ok || loc.isKey || yamlpos.KindOf(loc.node) != yamlpos.String {
		return nil
	}
	s := fx.schemaOf(fd.Field)
	if s == nil {
		return nil
	}
	values, _ := s.EnumOf()
	best, ok := closest(loc.node.Value, values)
	if !ok {
		return nil
	}
	quote := fx.quoteChar(loc.node, fd.Range)
	if quote == 0 && !fx.plain(loc.node, fd.Range) {
		return nil
	}
	return []CodeAction{{
		Title:     fmt.Sprintf("Change %q to %q", loc.node.Value, best),
		Edits:     []TextEdit{{Range: fd.Range, NewText: fx.scalarText(best, quote)}},
		Preferred: true,
	}}
}

// closest finds the one value that v is most likely meant to be: equal but for case, or
// within a small edit distance (one edit for short values, two from six characters,
// three from thirteen). A tie is no answer.
func closest(v string, values []string) (string, bool) {
	if v == "" {
		return "", false
	}
	var folded []string
	for _, c := range values {
		if c != v && strings.EqualFold(c, v) {
			folded = append(folded, c)
		}
	}
	if len(folded) > 0 {
		return folded[0], len(folded) == 1
	}
	limit := 1
	if len(v) > 5 {
		limit = 2
	}
	if len(v) > 12 {
		limit = 3
	}
	best, bestDist, ties := "", limit+1, 0
	lower := strings.ToLower(v)
	for _, c := range values {
		if c == "" {
			continue
		}
		switch d := validate.EditDistance(lower, strings.ToLower(c)); {
		case d < bestDist:
			best, bestDist, ties = c, d, 1
		case d == bestDist:
			ties++
		}
	}
	return best, best != "" && ties == 1
}
