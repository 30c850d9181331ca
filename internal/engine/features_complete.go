package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/complete"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Complete proposes what can be typed at offset: the fields valid in the mapping there
// (not yet present, required first), values of the field being typed (apiVersion, kind,
// enum values, booleans, the default), list items of arrays of objects, and in an empty
// document a skeleton of each kind. The context is read from the text by indentation
// (internal/complete), so it works on the half-written YAML being typed; the parser is
// used for the document's apiVersion and kind (parsing only the document at offset, and
// reading them from the text when it does not parse). What the items insert follows
// opts. Items whose label does not contain the typed prefix (as a case-insensitive
// subsequence) are left out; the rest come sorted by SortText.
func (e *Engine) Complete(f *yamlpos.File, offset int, opts CompleteOptions) []CompletionItem {
	if f == nil || offset < 0 || offset > len(f.Src) {
		return nil
	}
	start, end := offset, offset
	d := docAt(f, offset, false)
	if d != nil {
		start, end = d.Start, d.End
	}
	ctx := complete.Analyze(f.Src, start, end, offset, f.JSON)
	if !ctx.OK {
		return nil
	}
	c := &completer{e: e, ctx: ctx, opts: opts, rng: yamlpos.Range{Start: ctx.Start, End: ctx.End}, present: map[string]bool{}}
	c.lineIndent = lineIndent(f.Src, ctx.Start)
	for _, k := range ctx.Present {
		c.present[k] = true
	}
	if d != nil {
		d.ParseDoc()
		if d.Root != nil && d.Root.Kind == yaml.MappingNode {
			c.apiVersion, c.kind = mappingScalar(d.Root, "apiVersion"), mappingScalar(d.Root, "kind")
		} else {
			c.apiVersion = complete.RootScalar(f.Src, d.Start, d.End, f.JSON, "apiVersion")
			c.kind = complete.RootScalar(f.Src, d.Start, d.End, f.JSON, "kind")
		}
	}
	c.run()
	sort.SliceStable(c.items, func(i, j int) bool {
		if c.items[i].SortText != c.items[j].SortText {
			return c.items[i].SortText < c.items[j].SortText
		}
		return c.items[i].Label < c.items[j].Label
	})
	return c.items
}

type completer struct {
	e    *Engine
	ctx  complete.Context
	opts CompleteOptions
	// lineIndent is the indentation of the line the completion starts on.
	lineIndent       int
	rng              yamlpos.Range
	present          map[string]bool
	apiVersion, kind string
	items            []CompletionItem
}

func (c *completer) run() {
	path, ctx := c.ctx.Path, c.ctx
	if len(path) == 1 && ctx.Value {
		switch path[0].Key {
		case "apiVersion":
			c.apiVersions()
			return
		case "kind":
			c.kinds()
			return
		}
	}
	t := c.e.resourceType(c.apiVersion, c.kind)
	if len(path) == 0 && !ctx.Value {
		if t != nil {
			c.fields(t.Schema.T())
		} else {
			c.typeMetaFields()
		}
		if ctx.Empty {
			c.skeletons()
		}
		return
	}
	if t == nil {
		return
	}
	fd, ok := walk(t.Schema, stepsPath(path))
	if !ok {
		return
	}
	s := fd.value
	st := s.T()
	if st == nil {
		return
	}
	if ctx.Value {
		c.values(s)
		return
	}
	switch {
	case len(propertyNames(st)) > 0:
		c.fields(st)
	case st.Items != nil && (len(path) == 0 || !path[len(path)-1].Item):
		// Under an array's key, where only "- " can start an item.
		c.listItems(st.Items)
	case st.Type != "object" && st.Type != "array" && st.AdditionalProperties == nil:
		c.values(s) // a scalar's value on the line below its key, or a list item's
	}
}

// match reports whether label contains the typed prefix as a case-insensitive
// subsequence, as editors' fuzzy matching does.
func (c *completer) match(label string) bool {
	p := strings.ToLower(c.ctx.Prefix)
	l := strings.ToLower(label)
	for _, r := range p {
		i := strings.IndexRune(l, r)
		if i < 0 {
			return false
		}
		l = l[i+len(string(r)):]
	}
	return true
}

func (c *completer) add(it CompletionItem) {
	if it.Snippet && !c.opts.Snippets {
		return // no plain form
	}
	it.Replace = c.rng
	if c.ctx.NeedSpace {
		it.InsertText = " " + it.InsertText
	}
	if c.opts.RelativeIndent {
		it.InsertText = dedent(it.InsertText, c.lineIndent)
	}
	c.items = append(c.items, it)
}

// lineIndent is the indentation of the line holding offset, up to offset: what a client
// adds to the lines of a multi-line insertion starting there (LSP adjustIndentation).
func lineIndent(src []byte, offset int) int {
	start := offset
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	n := 0
	for start+n < offset && (src[start+n] == ' ' || src[start+n] == '\t') {
		n++
	}
	return n
}

// dedent removes up to n columns of indentation from the lines of text after the first.
func dedent(text string, n int) string {
	if n == 0 || !strings.Contains(text, "\n") {
		return text
	}
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		cut := 0
		for cut < n && cut < len(l) && l[cut] == ' ' {
			cut++
		}
		lines[i] = l[cut:]
	}
	return strings.Join(lines, "\n")
}

// fields proposes the properties of object t not yet present.
func (c *completer) fields(t *schema.Schema) {
	root := len(c.ctx.Path) == 0
	required := validate.RequiredFields(t, c.kind)
	for _, name := range propertyNames(t) {
		if c.present[name] || !c.match(name) {
			continue
		}
		prop, _ := propertyOf(t, name)
		required := slices.Contains(required, name)
		desc := prop.Desc()
		it := CompletionItem{
			Label:         name,
			Kind:          CompleteField,
			Detail:        "<" + prop.TypeName() + ">",
			Documentation: escapeMarkdown(firstParagraph(desc)),
			Deprecated:    isDeprecated(desc),
		}
		switch {
		case required:
			it.Detail += " required"
			it.SortText = "0" + name
		case it.Deprecated || (root && name == "status"):
			it.SortText = "2" + name
		case root && (name == "apiVersion" || name == "kind" || name == "metadata"):
			it.SortText = "0" + name // every object needs them
		default:
			it.SortText = "1" + name
		}
		it.InsertText, it.Snippet = c.keyInsert(name, prop)
		c.add(it)
	}
}

// typeMetaFields proposes apiVersion, kind and metadata at the top of a document whose
// kind is not known yet.
func (c *completer) typeMetaFields() {
	meta := c.e.objectMeta()
	for i, name := range []string{"apiVersion", "kind", "metadata"} {
		if c.present[name] || !c.match(name) {
			continue
		}
		it := CompletionItem{Label: name, Kind: CompleteField, Detail: "<string>", SortText: "0" + strconv.Itoa(i)}
		switch name {
		case "apiVersion":
			it.Documentation = "The versioned schema of this object: GROUP/VERSION, or VERSION for the core group."
		case "kind":
			it.Documentation = "The kind of object this is."
		case "metadata":
			it.Detail = "<ObjectMeta>"
			if meta != nil {
				it.Documentation = escapeMarkdown(firstParagraph(meta.Desc()))
			}
		}
		if name == "metadata" && meta != nil {
			it.InsertText, it.Snippet = c.keyInsert(name, meta)
		} else {
			it.InsertText, it.Snippet = c.keyInsert(name, &schema.Schema{Type: "string"})
		}
		c.add(it)
	}
}

// shape classifies a schema for insertions.
type shape int

const (
	shapeScalar shape = iota
	shapeObject
	shapeMap
	shapeObjectList
	shapeScalarList
)

func shapeOf(s *schema.Schema) shape {
	t := s.T()
	if t == nil || t.IntOrString {
		return shapeScalar
	}
	switch {
	case t.Items != nil:
		if it := t.Items.T(); it != nil && (it.Type == "object" || len(it.Properties) > 0) {
			return shapeObjectList
		}
		return shapeScalarList
	case t.Type == "array":
		return shapeScalarList
	case len(t.Properties) > 0:
		return shapeObject
	case t.AdditionalProperties != nil || t.AdditionalAny || t.Type == "object":
		return shapeMap
	}
	return shapeScalar
}

// keyInsert is what accepting field name inserts.
func (c *completer) keyInsert(name string, prop *schema.Schema) (string, bool) {
	ctx := c.ctx
	key := yamlpos.Quote(name, c.quote(), false)
	if ctx.ColonFollows {
		return key, false
	}
	if !c.opts.Snippets {
		return c.plainKeyInsert(key, prop)
	}
	if ctx.Flow {
		switch shapeOf(prop) {
		case shapeObject, shapeMap:
			return yamlpos.SnippetEscape(key) + ": {$0}", true
		case shapeObjectList, shapeScalarList:
			return yamlpos.SnippetEscape(key) + ": [$0]", true
		}
		return key + ": ", false
	}
	if sh := shapeOf(prop); sh == shapeScalar && len(choices(prop)) == 0 {
		return key + ": ", false
	}
	sn := &snippet{kind: c.kind}
	sn.field(key, prop, ctx.Indent, 1)
	return sn.String(), true
}

// plainKeyInsert is what accepting a field inserts for a client without snippets: one
// line, with the cursor where the value goes, `key: ` for a scalar and `key:` for an
// object or a list, whose content starts on the next line.
func (c *completer) plainKeyInsert(key string, prop *schema.Schema) (string, bool) {
	if sh := shapeOf(prop); sh == shapeScalar || c.ctx.Flow {
		return key + ": ", false
	}
	return key + ":", false
}

// listItems proposes starting an item of an array, under its key.
func (c *completer) listItems(items *schema.Schema) {
	it := items.T()
	if shapeOf(items) == shapeScalar {
		for i, v := range choices(items) {
			if c.match(v.label) {
				c.add(CompletionItem{Label: "- " + v.label, Kind: CompleteValue, Detail: "<" + items.TypeName() + ">",
					InsertText: "- " + c.valueText(v, items), SortText: fmt.Sprintf("%04d", i)})
			}
		}
		return
	}
	if shapeOf(items) != shapeObject {
		return
	}
	req := validate.RequiredFields(it, c.kind)
	label := "- "
	if len(req) > 0 {
		label += req[0]
	}
	if !c.opts.Snippets {
		text := "- "
		if len(req) > 0 {
			prop, _ := propertyOf(it, req[0])
			text, _ = c.plainKeyInsert(yamlpos.Quote(req[0], c.quote(), false), prop)
			text = "- " + text
		}
		c.add(CompletionItem{Label: label, Kind: CompleteSnippet, Detail: "new item <" + items.TypeName() + ">",
			Documentation: escapeMarkdown(firstParagraph(items.Desc())), InsertText: text, SortText: "0"})
		return
	}
	sn := &snippet{kind: c.kind}
	sn.b.WriteString("- ")
	if len(req) == 0 {
		sn.b.WriteString("$0")
	}
	for i, name := range req {
		if i > 0 {
			sn.b.WriteString("\n" + strings.Repeat(" ", c.ctx.Indent+2))
		}
		prop, _ := propertyOf(it, name)
		sn.field(name, prop, c.ctx.Indent+2, 1)
	}
	c.add(CompletionItem{Label: label, Kind: CompleteSnippet, Detail: "new item <" + items.TypeName() + ">",
		Documentation: escapeMarkdown(firstParagraph(items.Desc())), InsertText: sn.String(), Snippet: true, SortText: "0"})
}

// choice is a value a field may take.
type choice struct {
	label string
	value string
	// raw marks a JSON literal (number, boolean) rather than a string.
	raw bool
}

// choices lists the values a scalar field may take: its enum, or true and false.
func choices(s *schema.Schema) []choice {
	t := s.T()
	if t == nil {
		return nil
	}
	if enum, _ := s.EnumOf(); len(enum) > 0 {
		out := make([]choice, 0, len(enum))
		str := t.Type == "string" || t.Type == ""
		for _, v := range enum {
			label := v
			if v == "" {
				label = `""`
			}
			out = append(out, choice{label: label, value: v, raw: !str})
		}
		return out
	}
	if t.Type == "boolean" {
		return []choice{{"true", "true", true}, {"false", "false", true}}
	}
	return nil
}

// values proposes the values of field s.
func (c *completer) values(s *schema.Schema) {
	detail := "<" + s.TypeName() + ">"
	seen := map[string]bool{}
	for i, v := range choices(s) {
		seen[v.value] = true
		if c.match(v.label) {
			c.add(CompletionItem{Label: v.label, Kind: CompleteValue, Detail: detail, InsertText: c.valueText(v, s), SortText: fmt.Sprintf("%04d", i)})
		}
	}
	if def, ok := s.DefaultValue(); ok {
		var v any
		if json.Unmarshal(def, &v) == nil {
			var ch choice
			switch v := v.(type) {
			case string:
				ch = choice{label: v, value: v}
			case float64, bool:
				ch = choice{label: string(def), value: string(def), raw: true}
			default:
				return // objects and lists: not one word
			}
			if ch.value != "" && !seen[ch.value] && c.match(ch.label) {
				c.add(CompletionItem{Label: ch.label, Kind: CompleteValue, Detail: detail + " default", InsertText: c.valueText(ch, s), SortText: "0000"})
			}
		}
	}
}

// valueText writes a value for the context: quoted where YAML would read something else
// than a string, in JSON syntax in JSON.
func (c *completer) valueText(v choice, s *schema.Schema) string {
	if v.raw {
		return v.value
	}
	return yamlpos.Quote(v.value, c.quote(), false)
}

// quote is the quote a string takes where completion inserts it: the one typed, double
// in JSON.
func (c *completer) quote() byte {
	if c.ctx.JSON {
		return '"'
	}
	return c.ctx.Quote
}

// apiVersions proposes the apiVersions serving the document's kind (preferred first), or
// every group-version when the kind is not known.
func (c *completer) apiVersions() {
	src := c.e.chain
	if c.kind != "" {
		if served := schema.ServedVersions(src, c.kind); len(served) > 0 {
			for i, gvk := range served {
				av := gvk.APIVersion()
				if c.match(av) {
					c.add(CompletionItem{Label: av, Kind: CompleteValue, Detail: c.kind, InsertText: c.valueText(choice{value: av}, nil), SortText: fmt.Sprintf("%04d", i)})
				}
			}
			return
		}
	}
	kinds := map[string][]string{}
	for _, k := range src.Kinds() {
		av := k.GVK.APIVersion()
		kinds[av] = append(kinds[av], k.GVK.Kind)
	}
	avs := make([]string, 0, len(kinds))
	for av := range kinds {
		avs = append(avs, av)
	}
	sort.Slice(avs, func(i, j int) bool {
		gi, vi := schema.ParseAPIVersion(avs[i])
		gj, vj := schema.ParseAPIVersion(avs[j])
		if ri, rj := schema.GroupRank(gi), schema.GroupRank(gj); ri != rj {
			return ri < rj
		}
		if gi != gj {
			return gi < gj
		}
		return schema.VersionRank(vi) > schema.VersionRank(vj)
	})
	for i, av := range avs {
		if !c.match(av) {
			continue
		}
		ks := kinds[av]
		sort.Strings(ks)
		detail := strings.Join(ks[:min(3, len(ks))], ", ")
		if len(ks) > 3 {
			detail += ", …"
		}
		c.add(CompletionItem{Label: av, Kind: CompleteValue, Detail: detail, InsertText: c.valueText(choice{value: av}, nil), SortText: fmt.Sprintf("%04d", i)})
	}
}

// kinds proposes the kinds of the document's apiVersion, or every kind (with its
// preferred apiVersion) when the apiVersion serves none.
func (c *completer) kinds() {
	src := c.e.chain
	var gvks []schema.GVK
	if c.apiVersion != "" {
		g, v := schema.ParseAPIVersion(c.apiVersion)
		for _, k := range src.Kinds() {
			if k.GVK.Group == g && k.GVK.Version == v {
				gvks = append(gvks, k.GVK)
			}
		}
	}
	if len(gvks) == 0 {
		best := map[string]schema.GVK{}
		for _, k := range src.Kinds() {
			b, ok := best[k.GVK.Kind]
			if !ok || preferred(k.GVK, b) {
				best[k.GVK.Kind] = k.GVK
			}
		}
		for _, gvk := range best {
			gvks = append(gvks, gvk)
		}
	}
	sort.Slice(gvks, func(i, j int) bool { return gvks[i].Kind < gvks[j].Kind })
	for _, gvk := range gvks {
		if !c.match(gvk.Kind) {
			continue
		}
		it := CompletionItem{Label: gvk.Kind, Kind: CompleteValue, Detail: gvk.APIVersion(), InsertText: c.valueText(choice{value: gvk.Kind}, nil), SortText: gvk.Kind}
		if t, err := src.Lookup(gvk); err == nil && t != nil && t.Schema != nil {
			desc := t.Schema.Desc()
			it.Documentation = escapeMarkdown(firstParagraph(desc))
			it.Deprecated = isDeprecated(desc)
		}
		c.add(it)
	}
}

// preferred reports whether a is preferred over b for the same kind: the core and apps
// groups first (as kubectl does for kinds served in several groups), then stable before
// beta before alpha.
func preferred(a, b schema.GVK) bool {
	if ga, gb := schema.GroupRank(a.Group), schema.GroupRank(b.Group); ga != gb {
		return ga < gb
	}
	if ra, rb := schema.VersionRank(a.Version), schema.VersionRank(b.Version); ra != rb {
		return ra > rb
	}
	return a.Group < b.Group
}

// skeletons proposes a new resource of each kind that can be created, in its preferred
// version, with the fields it requires.
func (c *completer) skeletons() {
	src := c.e.chain
	best := map[string]schema.GVK{}
	for _, k := range src.Kinds() {
		b, ok := best[k.GVK.Kind]
		if !ok || preferred(k.GVK, b) {
			best[k.GVK.Kind] = k.GVK
		}
	}
	for kind, gvk := range best {
		label := kind + " (" + gvk.APIVersion() + ")"
		if !c.match(label) {
			continue
		}
		t := c.e.resourceType(gvk.APIVersion(), kind)
		if t == nil || t.CreateOnly() || (len(t.Verbs) > 0 && !slices.Contains(t.Verbs, "create")) {
			continue
		}
		c.add(CompletionItem{
			Label:         label,
			Kind:          CompleteSnippet,
			Detail:        "new " + kind,
			Documentation: escapeMarkdown(firstParagraph(t.Schema.Desc())),
			InsertText:    skeleton(t),
			Snippet:       true,
			SortText:      "5" + kind,
		})
	}
}

// skeleton is a new resource of type t: apiVersion, kind, metadata.name, and spec (when
// the kind has one) with the fields required, a few levels deep.
func skeleton(t *schema.Type) string {
	sn := &snippet{kind: t.GVK.Kind}
	sn.b.WriteString("apiVersion: " + yamlpos.SnippetEscape(t.GVK.APIVersion()) + "\nkind: " + yamlpos.SnippetEscape(t.GVK.Kind) + "\nmetadata:\n  name: ")
	sn.stop("name")
	root := t.Schema.T()
	fields := validate.RequiredFields(root, t.GVK.Kind)
	if _, ok := root.Properties["spec"]; ok && !slices.Contains(fields, "spec") {
		fields = append(fields, "spec")
	}
	for _, name := range fields {
		switch name {
		case "apiVersion", "kind", "metadata":
			continue
		}
		prop, _ := propertyOf(root, name)
		sn.b.WriteString("\n")
		sn.field(name, prop, 0, 7)
	}
	sn.b.WriteString("\n")
	return sn.String()
}

// snippet builds LSP snippet text.
type snippet struct {
	b    strings.Builder
	tabs int
	// kind is the kind of the manifest, for its required fields.
	kind string
}

func (sn *snippet) String() string { return sn.b.String() }

// stop writes the next tab stop, with a placeholder when given.
func (sn *snippet) stop(placeholder string) { sn.b.WriteString(sn.next(placeholder)) }

// next is the next tab stop, with a placeholder when given.
func (sn *snippet) next(placeholder string) string {
	sn.tabs++
	if placeholder == "" {
		return fmt.Sprintf("${%d}", sn.tabs)
	}
	return fmt.Sprintf("${%d:%s}", sn.tabs, yamlpos.SnippetEscape(placeholder))
}

// field writes `key: ...` for prop, whose key stands at column col (the text is inserted
// there, so the first line carries no indentation): scalars get a tab stop (a choice for
// enums and booleans), objects their required fields, down to depth levels.
func (sn *snippet) field(key string, prop *schema.Schema, col, depth int) {
	sn.b.WriteString(yamlpos.SnippetEscape(key) + ":" + snippetRenderer.Block(sn.value(prop, depth), col))
}

var snippetRenderer = yamlpos.Renderer{Snippet: true, EOL: "\n"}

// value is what field writes under a key: tab stops numbered in the order written.
func (sn *snippet) value(prop *schema.Schema, depth int) yamlpos.Value {
	t := prop.T()
	switch shapeOf(prop) {
	case shapeObject:
		req := validate.RequiredFields(t, sn.kind)
		if depth <= 0 || len(req) == 0 {
			return yamlpos.Value{Kind: yamlpos.RawValue, Text: sn.next(""), OwnLine: true}
		}
		return sn.fields(t, req, depth)
	case shapeMap:
		return yamlpos.Value{Kind: yamlpos.RawValue, Text: sn.next(""), OwnLine: true}
	case shapeScalarList:
		return yamlpos.Value{Kind: yamlpos.RawValue, Text: "- " + sn.next(""), OwnLine: true}
	case shapeObjectList:
		items := t.Items.T()
		req := validate.RequiredFields(items, sn.kind)
		if depth <= 0 || len(req) == 0 {
			return yamlpos.Value{Kind: yamlpos.ArrayValue, Items: []yamlpos.Value{{Kind: yamlpos.RawValue, Text: sn.next("")}}}
		}
		return yamlpos.Value{Kind: yamlpos.ArrayValue, Items: []yamlpos.Value{sn.fields(items, req, depth)}}
	}
	if ch := choices(prop); len(ch) > 0 && len(ch) <= 20 {
		sn.tabs++
		text := make([]string, len(ch))
		for i, v := range ch {
			text[i] = v.value
			if !v.raw {
				text[i] = yamlpos.Quote(v.value, 0, false)
			}
			text[i] = choiceEscape(text[i])
		}
		return yamlpos.Value{Kind: yamlpos.RawValue, Text: fmt.Sprintf("${%d|%s|}", sn.tabs, strings.Join(text, ","))}
	}
	return yamlpos.Value{Kind: yamlpos.RawValue, Text: sn.next("")}
}

// fields is an object of the required fields req of t, one level down.
func (sn *snippet) fields(t *schema.Schema, req []string, depth int) yamlpos.Value {
	v := yamlpos.Value{Kind: yamlpos.ObjectValue}
	for _, name := range req {
		p, _ := propertyOf(t, name)
		v.Fields = append(v.Fields, yamlpos.Field{Name: name, Value: sn.value(p, depth-1)})
	}
	return v
}

func choiceEscape(s string) string {
	if !strings.ContainsAny(s, `$}\,|`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`, `,`, `\,`, `|`, `\|`)
	return r.Replace(s)
}

// escapeMarkdown keeps a plain description from being read as Markdown markup; code
// spans (which descriptions use on purpose) are left alone.
func escapeMarkdown(s string) string {
	var b strings.Builder
	inCode := false
	for _, r := range s {
		if r == '`' {
			inCode = !inCode
		}
		if !inCode && r < unicode.MaxASCII && strings.ContainsRune(`\*_<>[]`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
