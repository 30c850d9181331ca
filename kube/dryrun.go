package kube

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// CodeServer is the finding code of the apiserver's verdicts from a server-side dry run
// (rejections, and warnings).
const CodeServer = "dry-run"

// FieldManager is the field manager the dry-run applies as.
const FieldManager = "kubectl-lsp"

// DryRunResult is the apiserver's verdict on one object sent with dryRun=All and strict
// field validation.
type DryRunResult struct {
	Accepted bool
	// Message is the Status message when rejected (e.g. `Deployment.apps "web" is invalid:
	// ...` or an admission denial such as `... ValidatingAdmissionPolicy 'x' with binding
	// 'y' denied request: ...`).
	Message string
	Reason  string // metav1.StatusReason, e.g. Invalid, Forbidden, BadRequest
	Code    int32  // HTTP status code
	Causes  []DryRunCause
	// Warnings are the apiserver's Warning headers (deprecations, and the like). They are
	// captured only when the dynamic client was built from a rest.Config prepared by
	// CaptureWarnings.
	Warnings []string
}

// DryRunCause is one cause of a rejection (a metav1.StatusCause).
type DryRunCause struct {
	Type string
	// Field is the field path as the apiserver prints it, e.g.
	// "spec.template.spec.containers[0].image"; empty when the cause names none.
	Field   string
	Message string
}

// DryRun sends obj to the apiserver as a server-side apply with dryRun=All,
// fieldValidation=Strict, force=true and field manager "kubectl-lsp" (so it works whether
// or not the object exists, and whoever manages its fields), and returns the verdict.
// An object without metadata.name (which apply cannot address) is sent as a dry-run create
// instead, so that generateName works and a missing name is the apiserver's to report.
//
// Namespaced kinds without metadata.namespace go to defaultNamespace ("default" when that
// is empty too); cluster-scoped kinds ignore it.
//
// A rejection (invalid, forbidden, denied by admission, namespace not found, ...) is a
// result, not an error; so is a 500, which is how server-side apply reports unknown fields
// and wrong types (a structured-merge-diff message, no reason, no causes), and how
// admission webhooks that fail to answer show up. err is for problems reaching or using the cluster: no mapping for
// the kind, network errors, timeouts (ctx carries the deadline), bad credentials,
// throttling, an unavailable server. obj is not modified.
//
// Warnings are captured only when dyn was built from a rest.Config passed through
// CaptureWarnings (DryRun tags its request's context and the handler collects the
// warnings of tagged requests).
func DryRun(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, obj *unstructured.Unstructured, defaultNamespace string) (*DryRunResult, error) {
	if obj == nil {
		return nil, errors.New("dry-run: no object")
	}
	gvk := obj.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, errors.New("dry-run: the object needs apiVersion and kind")
	}
	mapping, err := restMapping(ctx, mapper, obj)
	if err != nil {
		return nil, err
	}
	var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = defaultNamespace
		}
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		ri = dyn.Resource(mapping.Resource).Namespace(ns)
	}

	ctx, col := withWarningCollector(ctx)
	dryRun := []string{metav1.DryRunAll}
	if name := obj.GetName(); name != "" {
		var body []byte
		body, err = json.Marshal(obj.Object)
		if err != nil {
			return nil, fmt.Errorf("dry-run: encoding %s %q: %w", gvk.Kind, name, err)
		}
		force := true
		_, err = ri.Patch(ctx, name, types.ApplyPatchType, body, metav1.PatchOptions{
			DryRun:          dryRun,
			Force:           &force,
			FieldManager:    FieldManager,
			FieldValidation: metav1.FieldValidationStrict,
		})
	} else {
		_, err = ri.Create(ctx, obj, metav1.CreateOptions{
			DryRun:          dryRun,
			FieldManager:    FieldManager,
			FieldValidation: metav1.FieldValidationStrict,
		})
	}
	res := &DryRunResult{Warnings: col.list()}
	if err == nil {
		res.Accepted = true
		return res, nil
	}
	st, ok := verdict(err)
	if !ok {
		return nil, fmt.Errorf("dry-run of %s %q: %w", gvk.Kind, objectName(obj), err)
	}
	res.Message = st.Message
	res.Reason = string(st.Reason)
	res.Code = st.Code
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			res.Causes = append(res.Causes, DryRunCause{Type: string(c.Type), Field: c.Field, Message: c.Message})
		}
	}
	return res, nil
}

func objectName(obj *unstructured.Unstructured) string {
	if n := obj.GetName(); n != "" {
		return n
	}
	return obj.GetGenerateName()
}

// restMapping finds the resource for obj's kind. The mapper decides when discovery is
// read again (a DeferredDiscoveryRESTMapper over a disk cache does when the cache is stale).
func restMapping(ctx context.Context, mapper meta.RESTMapper, obj *unstructured.Unstructured) (*meta.RESTMapping, error) {
	gvk := obj.GroupVersionKind()
	m, err := meta.ToRESTMapperWithContext(mapper).RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		if ctx.Err() != nil {
			// Discovery ran out of time: what the cluster serves is not known.
			return nil, fmt.Errorf("dry-run: finding the resource for kind %q in apiVersion %q: the cluster did not answer in time: %w", gvk.Kind, obj.GetAPIVersion(), ctx.Err())
		}
		return nil, fmt.Errorf("dry-run: the cluster does not serve kind %q in apiVersion %q: %w", gvk.Kind, obj.GetAPIVersion(), err)
	}
	if err != nil {
		return nil, fmt.Errorf("dry-run: finding the resource for kind %q in apiVersion %q: %w", gvk.Kind, obj.GetAPIVersion(), err)
	}
	return m, nil
}

// verdict returns the Status of an apiserver response that judges the object, and false for
// errors about reaching or using the cluster.
func verdict(err error) (metav1.Status, bool) {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return metav1.Status{}, false
	}
	st := se.Status()
	switch st.Reason {
	case metav1.StatusReasonUnauthorized, metav1.StatusReasonTooManyRequests,
		metav1.StatusReasonServerTimeout, metav1.StatusReasonTimeout, metav1.StatusReasonServiceUnavailable:
		return st, false
	case metav1.StatusReasonNotFound:
		// With apply, only the namespace can be missing; anything else (a resource that
		// discovery listed but the server no longer serves) is about the cluster.
		if st.Details == nil || st.Details.Kind != "namespaces" {
			return st, false
		}
	}
	switch st.Code {
	case http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return st, false
	}
	return st, true
}

// CaptureWarnings makes clients built from cfg (e.g. dynamic.NewForConfig(cfg)) hand the
// warnings of DryRun's requests to DryRun, which returns them in DryRunResult.Warnings.
// Warnings of other requests go to the handler cfg had (client-go's default, which logs
// them, when it had none).
func CaptureWarnings(cfg *rest.Config) {
	next := cfg.WarningHandlerWithContext
	if next == nil && cfg.WarningHandler != nil {
		next = plainWarningHandler{cfg.WarningHandler}
	}
	if next == nil {
		next = rest.WarningLogger{}
	}
	if h, ok := next.(contextWarnings); ok {
		next = h.next // already capturing
	}
	cfg.WarningHandlerWithContext = contextWarnings{next: next}
}

type plainWarningHandler struct{ h rest.WarningHandler }

func (p plainWarningHandler) HandleWarningHeaderWithContext(_ context.Context, code int, agent, text string) {
	p.h.HandleWarningHeader(code, agent, text)
}

// contextWarnings gives warnings to the collector in the request's context, if any.
type contextWarnings struct {
	next rest.WarningHandlerWithContext
}

func (h contextWarnings) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, text string) {
	if c, ok := ctx.Value(collectorKey{}).(*warningCollector); ok {
		c.add(text)
		return
	}
	if h.next != nil {
		h.next.HandleWarningHeaderWithContext(ctx, code, agent, text)
	}
}

type collectorKey struct{}

type warningCollector struct {
	mu    sync.Mutex
	seen  map[string]bool
	texts []string
}

func withWarningCollector(ctx context.Context) (context.Context, *warningCollector) {
	c := &warningCollector{}
	return context.WithValue(ctx, collectorKey{}, c), c
}

func (c *warningCollector) add(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[text] {
		return // a retried request repeats them
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[text] = true
	c.texts = append(c.texts, text)
}

func (c *warningCollector) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.texts...)
}

// DryRunFindings maps a verdict to findings in doc, all with code CodeServer:
//
//   - each cause of a rejection, as an error at the node its field path names (the deepest
//     part of the path that exists in the document), worded `field: message`;
//   - a rejection without causes whose message holds field errors — structured-merge-diff's
//     (`.spec.x: field not declared in schema`, which server-side apply reports for unknown
//     fields and wrong types, `[name="web"]` list selectors included) or a strict decoding
//     error's (`unknown field "spec.x"`) — as one error per field, at the field;
//   - any other rejection, or a cause without a field, as an error at the document's kind;
//   - each warning as a warning at the field it starts with (`spec.x[key]: deprecated ...`)
//     when that field is in the document, else at the kind.
//
// Findings are sorted by position. An accepted verdict without warnings gives none.
func DryRunFindings(doc *yamlpos.Document, res *DryRunResult) []validate.Finding {
	if doc == nil || res == nil {
		return nil
	}
	doc.ParseDoc()
	l := locator{doc: doc, root: doc.Root}
	var out []validate.Finding
	if !res.Accepted {
		out = l.rejection(res)
	}
	for _, w := range res.Warnings {
		f := validate.Finding{Severity: validate.Warning, Code: CodeServer, Message: w, Range: l.kind()}
		if field, _, ok := strings.Cut(w, ": "); ok && field != "" && !strings.ContainsAny(field, " \t\"'") {
			if r, found := l.field(field, false); found {
				f.Field, f.Range = field, r
			}
		}
		out = append(out, f)
	}
	// By position (structured-merge-diff lists its errors in no stable order), errors first.
	slices.SortStableFunc(out, func(a, b validate.Finding) int {
		return cmp.Or(cmp.Compare(a.Range.Start, b.Range.Start), cmp.Compare(a.Severity, b.Severity))
	})
	return out
}

// locator finds where in a document a field path points.
type locator struct {
	doc  *yamlpos.Document
	root *yaml.Node
}

func (l locator) rejection(res *DryRunResult) []validate.Finding {
	var out []validate.Finding
	add := func(field, msg string, r yamlpos.Range) {
		out = append(out, validate.Finding{Severity: validate.Error, Code: CodeServer, Field: field, Message: msg, Range: r})
	}
	for _, c := range res.Causes {
		field := strings.TrimPrefix(strings.TrimSpace(c.Field), ".")
		if field == "<nil>" {
			field = ""
		}
		msg := c.Message
		switch {
		case msg == "":
			msg = res.Message
		case field != "" && !strings.HasPrefix(msg, field):
			msg = field + ": " + msg
		}
		r := l.kind()
		if field != "" {
			r, _ = l.field(field, isUnknownField(msg))
		}
		add(field, msg, r)
	}
	if len(out) > 0 {
		return out
	}
	for _, e := range smdErrors(res.Message) {
		r, field, ok := l.smdField(e.path, isUnknownField(e.msg))
		if !ok {
			out = nil // not a field path of this document after all
			break
		}
		add(field, strings.TrimPrefix(e.path, ".")+": "+e.msg, r)
	}
	if len(out) > 0 {
		return out
	}
	if i := strings.Index(res.Message, strictDecodingPrefix); i >= 0 {
		for _, m := range strictFieldRE().FindAllStringSubmatch(res.Message[i:], -1) {
			r, _ := l.field(m[2], m[1] == "unknown")
			add(m[2], m[0], r)
		}
		if len(out) > 0 {
			return out
		}
	}
	msg := res.Message
	if msg == "" {
		msg = fmt.Sprintf("the apiserver rejected the object (%d %s)", res.Code, res.Reason)
	}
	add("", msg, l.kind())
	return out
}

const strictDecodingPrefix = "strict decoding error: "

var strictFieldRE = lazyregexp.New(`(unknown|duplicate) field "((?:[^"\\]|\\.)*)"`)

func isUnknownField(msg string) bool {
	return strings.Contains(msg, "field not declared in schema") || strings.Contains(msg, "unknown field")
}

// kind is the range of the document's kind value, else of its first key, else of its
// start.
func (l locator) kind() yamlpos.Range {
	if v, k, ok := yamlpos.Get(l.root, "kind"); ok {
		if r := l.doc.Range(v); r.End > r.Start {
			return r
		}
		return l.doc.Range(k)
	}
	if r := yamlpos.Resolve(l.root); r != nil && r.Kind == yaml.MappingNode && len(r.Content) > 0 {
		return l.doc.Range(r.Content[0])
	}
	return yamlpos.Range{Start: l.doc.Start, End: l.doc.Start}
}

// field is where a finding about an apiserver field path goes, and whether the whole path
// is in the document; see place.
func (l locator) field(field string, preferKey bool) (yamlpos.Range, bool) {
	path := yamlpos.ParsePath(field)
	node, key, matched := yamlpos.Lookup(l.root, path)
	if matched == 0 {
		return l.kind(), false
	}
	complete := matched == len(path)
	return l.place(node, key, complete, complete && path[len(path)-1].MapKey, preferKey), complete
}

// place picks the range for the deepest node a path reached: a scalar's value (the entry,
// key to value, for a map key), a collection's key, the first key of a list item; a key
// when the path went further than the document, or when preferKey (an unknown field: the
// name is at fault, not the value).
func (l locator) place(node, key *yaml.Node, complete, mapKey, preferKey bool) yamlpos.Range {
	if key != nil {
		kr := l.doc.Range(key)
		switch {
		case !complete || preferKey:
			return kr
		case mapKey:
			return yamlpos.Range{Start: kr.Start, End: max(kr.End, l.doc.Range(node).End)}
		}
	}
	n := yamlpos.Resolve(node)
	if n == nil {
		return l.kind()
	}
	if n.Kind == yaml.ScalarNode {
		if r := l.doc.Range(node); r.End > r.Start || key == nil {
			return r
		}
		return l.doc.Range(key) // an empty value: its key
	}
	if key != nil {
		return l.doc.Range(key)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		return l.doc.Range(n.Content[0]) // a list item: its first key
	}
	return l.doc.Range(node)
}

// smdError is one field error of a structured-merge-diff message.
type smdError struct{ path, msg string }

// smdErrors reads the field errors of a structured-merge-diff error, which server-side
// apply returns for unknown fields and wrong types: "<context>: .spec.x: msg", or
// "<context>: errors:\n  .spec.x: msg\n  .spec.y: msg".
func smdErrors(msg string) []smdError {
	var lines []string
	if i := strings.Index(msg, ": errors:\n"); i >= 0 {
		lines = strings.Split(msg[i+len(": errors:\n"):], "\n")
	} else if i := strings.Index(msg, ": ."); i >= 0 {
		lines = []string{msg[i+2:]}
	}
	var out []smdError
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, ".") {
			return nil
		}
		end := smdPathEnd(line)
		if end < 0 {
			return nil
		}
		out = append(out, smdError{path: line[:end], msg: line[end+2:]})
	}
	return out
}

// smdPathEnd is the offset of the ": " that ends the path at the start of line, outside
// brackets and quoted strings; -1 when there is none.
func smdPathEnd(line string) int {
	depth, quoted := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ':' && depth == 0 && i+1 < len(line) && line[i+1] == ' ':
			return i
		}
	}
	return -1
}

// smdField resolves a structured-merge-diff path (`.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].x`,
// `.metadata.labels.a.b/c`, `.spec.finalizers[="x"]`, `.spec.args[0]`) against the
// document. It returns where the finding goes, the path the apiserver's way
// (`spec.containers[0].ports[0].x`, `metadata.labels[a.b/c]`), and false when not even the
// first field is in the document.
func (l locator) smdField(p string, preferKey bool) (yamlpos.Range, string, bool) {
	var path yamlpos.Path
	node, key := l.root, (*yaml.Node)(nil)
	rest := p
walk:
	for rest != "" {
		cur := yamlpos.Resolve(node)
		if cur == nil {
			break
		}
		switch rest[0] {
		case '.':
			name := rest[1:]
			if cur.Kind != yaml.MappingNode {
				break walk
			}
			// Map keys may hold dots: take the longest key of this mapping that the path
			// continues with.
			best := -1
			var bestKV yamlpos.KeyValue
			for _, kv := range yamlpos.Entries(cur) {
				k := yamlpos.KeyString(kv.Key)
				if len(k) > best && strings.HasPrefix(name, k) && (len(name) == len(k) || name[len(k)] == '.' || name[len(k)] == '[') {
					best, bestKV = len(k), kv
				}
			}
			if best < 0 {
				break walk
			}
			k := name[:best]
			path = append(path, yamlpos.Elem{Key: k, MapKey: strings.ContainsAny(k, ".[]")})
			node, key = bestKV.Value, bestKV.Key
			rest = name[best:]
		case '[':
			end := smdBracketEnd(rest)
			if end < 0 || cur.Kind != yaml.SequenceNode {
				break walk
			}
			i := smdSelect(cur, rest[1:end])
			if i < 0 {
				break walk
			}
			path = append(path, yamlpos.Elem{Index: i, IsIndex: true})
			node, key = cur.Content[i], nil
			rest = rest[end+1:]
		default:
			break walk
		}
	}
	if len(path) == 0 {
		return l.kind(), strings.TrimPrefix(p, "."), false
	}
	field := path.String() + rest
	return l.place(node, key, rest == "", false, preferKey), field, true
}

// smdBracketEnd is the offset of the "]" closing the "[" that s starts with, quoted strings
// skipped; -1 when there is none.
func smdBracketEnd(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ']':
			return i
		}
	}
	return -1
}

// smdSelect finds the item of list seq that a structured-merge-diff selector names: an
// index ("0"), a set member ("=\"x\"") or associative-list keys
// ("containerPort=80,protocol=\"TCP\""). Keys the item lacks are taken to match (the
// apiserver fills in defaulted keys, such as a port's protocol); at least one must be
// present. -1 when none matches.
func smdSelect(seq *yaml.Node, sel string) int {
	if i, err := strconv.Atoi(sel); err == nil {
		if i >= 0 && i < len(seq.Content) {
			return i
		}
		return -1
	}
	if v, ok := strings.CutPrefix(sel, "="); ok {
		for i, item := range seq.Content {
			if s, ok := smdString(item); ok && s == v {
				return i
			}
		}
		return -1
	}
	keys := smdKeys(sel)
	if keys == nil {
		return -1
	}
	for i, item := range seq.Content {
		matched, ok := 0, true
		for _, kv := range keys {
			v, _, found := yamlpos.Get(item, kv[0])
			if !found {
				continue
			}
			if s, _ := smdString(v); s != kv[1] {
				ok = false
				break
			}
			matched++
		}
		if ok && matched > 0 {
			return i
		}
	}
	return -1
}

// smdKeys splits `a=1,b="x,y"` into name, value pairs (values as printed).
func smdKeys(sel string) [][2]string {
	var out [][2]string
	for sel != "" {
		eq := strings.IndexByte(sel, '=')
		if eq <= 0 {
			return nil
		}
		name := sel[:eq]
		sel = sel[eq+1:]
		end := len(sel)
		if strings.HasPrefix(sel, `"`) {
			end = -1
			for i := 1; i < len(sel); i++ {
				if sel[i] == '\\' {
					i++
				} else if sel[i] == '"' {
					end = i + 1
					break
				}
			}
			if end < 0 {
				return nil
			}
		} else if c := strings.IndexByte(sel, ','); c >= 0 {
			end = c
		}
		out = append(out, [2]string{name, sel[:end]})
		sel = strings.TrimPrefix(sel[end:], ",")
	}
	return out
}

// smdString prints a scalar as structured-merge-diff prints a key value: strings quoted the
// Go way, numbers and booleans bare.
func smdString(n *yaml.Node) (string, bool) {
	v, err := yamlpos.ToValue(n, 16)
	if err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return strconv.Quote(v), true
	case nil:
		return "null", true
	case int64, float64, bool:
		return fmt.Sprint(v), true
	}
	return "", false
}
