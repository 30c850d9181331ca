package validate_test

// Differential test of required fields. For built-in kinds the OpenAPI
// `required` lists come from Go struct fields without omitempty, not from
// what the apiserver's validation enforces. For every (definition, required
// field) pair of the embedded 1.37 schemas that a creatable kind served by the
// test cluster reaches (spec side: status and metadata are not followed), the
// test builds an object along that path with the definition's required fields
// filled in, checks that the apiserver does not complain about the field, then
// removes the field (and, for lists and maps, sets it empty) and dry-run
// creates the object again. Where the apiserver accepts the object without the
// field but our validator reports "<path>: Required value", the test fails:
// the key belongs in requiredNotEnforced (walk.go).
//
// Approach and helpers follow schema/enums/apiserver_test.go.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

const (
	reqNS   = "required-proof"
	reqName = "required-proof"
	// reqTries bounds the kinds tried per pair before giving up on a clean object.
	reqTries = 4
)

// reqVerdict is the apiserver's answer on a variant of the object.
type reqVerdict int

const (
	reqAccepted  reqVerdict = iota // no new complaint
	reqAtField                     // a new cause at the field (or an ancestor)
	reqElsewhere                   // new causes, none at the field or an ancestor
)

type reqPair struct {
	key, def, field string
	cands           []schema.GVK
}

type reqResult struct {
	reqPair
	gvk       schema.GVK
	fp        string // the field's path, as the apiserver prints it
	untested  string // why the pair could not be tested
	weak      string // the object with the field was rejected (elsewhere): evidence is weaker
	missing   reqVerdict
	missingBy []metav1.StatusCause // the new causes
	listOrMap bool
	empty     reqVerdict
	emptyBy   []metav1.StatusCause
	objMiss   []byte
	objBase   []byte
	baseOK    bool
	defaulted bool // the schema gives the field a non-zero default: we never report it
}

func TestRequiredFieldsAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	if err := c.EnsureNamespace(ctx, reqNS); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := reqServedKinds(t, c.Config(), eng.Builtin())
	reach := map[schema.GVK]map[string][]reqStep{}
	for gvk, k := range kinds {
		reach[gvk] = reqPaths(k.schema)
	}

	// Every reachable (definition, required field) pair, with the kinds that reach it.
	pairs := map[string]*reqPair{}
	for gvk, k := range kinds {
		for def, path := range reach[gvk] {
			d := k.doc.Definitions[def]
			if d == nil {
				continue
			}
			for _, r := range d.T().Required {
				if r == "status" || r == "metadata" || (len(path) == 0 && (r == "apiVersion" || r == "kind")) {
					continue
				}
				key := def + "." + r
				p := pairs[key]
				if p == nil {
					p = &reqPair{key: key, def: def, field: r}
					pairs[key] = p
				}
				p.cands = append(p.cands, gvk)
			}
		}
	}
	keys := slices.Sorted(maps.Keys(pairs))
	for _, key := range keys {
		p := pairs[key]
		slices.SortFunc(p.cands, func(a, b schema.GVK) int {
			if c := slices.Compare(reqRank(key, a, reach[a][p.def]), reqRank(key, b, reach[b][p.def])); c != 0 {
				return c
			}
			return strings.Compare(a.String(), b.String())
		})
	}

	// Dry-run everything, a few requests at a time.
	pr := &reqProber{c: c, kinds: kinds, reach: reach, apiRequired: map[string]string{}}
	results := make([]*reqResult, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, key := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = pr.test(ctx, t, pairs[key])
		}()
	}
	// The fields an object with only the schema's required fields still lacks.
	for gvk, k := range kinds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			obj := reqSkeleton(t, gvk, k, false)
			maps.Copy(obj, reqMinimal(k.schema, 0).(map[string]any))
			data, _ := json.Marshal(obj)
			causes, _, _ := pr.send(ctx, data)
			pr.noteRequired(gvk, k, causes)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("ran out of time: %v", ctx.Err())
	}

	// Our verdict on the object without the field.
	ours := func(obj []byte, fp string) (required bool, errs []string) {
		f := yamlpos.Split("required.json", obj)
		for _, r := range eng.ValidateFiles(ctx, []*yamlpos.File{f}, nil)[0] {
			for _, fd := range r.Findings {
				if fd.Severity != validate.Error {
					continue
				}
				errs = append(errs, fd.Code+" "+fd.Message)
				if fd.Code == validate.CodeRequired && fd.Field == fp {
					required = true
				}
			}
		}
		return required, errs
	}

	var enforced, notEnforced, untested, elsewhere, weak, emptyOK []*reqResult
	for _, r := range results {
		switch {
		case r.untested != "":
			untested = append(untested, r)
			continue
		case r.missing == reqAccepted:
			notEnforced = append(notEnforced, r)
		default:
			enforced = append(enforced, r)
			if r.missing == reqElsewhere {
				elsewhere = append(elsewhere, r)
			}
		}
		if r.weak != "" {
			weak = append(weak, r)
		}
		if r.listOrMap && r.missing != reqAccepted && r.empty == reqAccepted {
			emptyOK = append(emptyOK, r)
		}
		if r.baseOK {
			if _, errs := ours(r.objBase, r.fp); len(errs) > 0 {
				t.Logf("%s: the apiserver accepts the object with the field, we report %v:\n%s", r.key, errs, r.objBase)
			}
		}
		req, _ := ours(r.objMiss, r.fp)
		switch {
		case r.missing == reqAccepted && req:
			t.Errorf("FALSE POSITIVE %s: the apiserver accepts %s %s without %s, we report %q (add the key to requiredNotEnforced)%s",
				r.key, r.gvk, reqName, r.fp, r.fp+": Required value", weakNote(r))
		case r.missing == reqAccepted && !req && !r.defaulted:
			t.Logf("%s: not enforced and not reported (already in requiredNotEnforced?)", r.key)
		case r.missing != reqAccepted && !req:
			t.Logf("%s: the apiserver rejects the object without %s, we do not report it as required%s", r.key, r.fp, defaultNote(r))
		}
	}

	// Report.
	t.Logf("kube-apiserver %s, %d served creatable kinds, %d (definition, required field) pairs, %s",
		testcluster.KubernetesVersion, len(kinds), len(keys), time.Since(start).Round(time.Millisecond))
	t.Logf("tested %d: enforced %d (%d reported elsewhere than at the field), not enforced %d; not testable %d; %d tested on an object rejected for other reasons",
		len(results)-len(untested), len(enforced), len(elsewhere), len(notEnforced), len(untested), len(weak))
	var sb strings.Builder
	for _, r := range notEnforced {
		fmt.Fprintf(&sb, "\t%q: true, // %s %s%s\n", r.key, r.gvk, r.fp, weakNote(r))
	}
	t.Logf("NOT ENFORCED (accepted missing):\n%s", sb.String())
	for _, r := range elsewhere {
		t.Logf("enforced elsewhere: %s (via %s, field %s): %s", r.key, r.gvk, r.fp, reqFormat(r.missingBy))
	}
	for _, r := range emptyOK {
		t.Logf("enforced when missing, accepted empty: %s (via %s, field %s)", r.key, r.gvk, r.fp)
	}
	var emptyToo []string
	for _, r := range enforced {
		if r.listOrMap && r.empty != reqAccepted {
			emptyToo = append(emptyToo, r.key)
		}
	}
	t.Logf("enforced as non-empty (an empty list/map is rejected too; we accept it): %d: %s", len(emptyToo), strings.Join(emptyToo, ", "))
	for _, r := range weak {
		t.Logf("tested on an object rejected elsewhere: %s (via %s): %s", r.key, r.gvk, r.weak)
	}
	for _, r := range untested {
		t.Logf("not testable: %s: %s", r.key, r.untested)
	}
	for _, k := range slices.Sorted(maps.Keys(pr.apiRequired)) {
		t.Logf("required by the apiserver, not by the schema: %s (%s)", k, pr.apiRequired[k])
	}
}

func weakNote(r *reqResult) string {
	if r.weak == "" {
		return ""
	}
	return " (object rejected elsewhere: " + r.weak + ")"
}

func defaultNote(r *reqResult) string {
	if r.defaulted {
		return " (the schema gives it a default)"
	}
	return ""
}

// reqProber sends objects to the apiserver.
type reqProber struct {
	c     *testcluster.Cluster
	kinds map[schema.GVK]reqKind
	reach map[schema.GVK]map[string][]reqStep

	mu          sync.Mutex
	apiRequired map[string]string // definition.field → where the apiserver said Required
}

// send dry-run creates obj and returns the causes of the rejection; ok is
// false when the apiserver's answer is not about the object's fields (not
// found, forbidden, ...).
func (p *reqProber) send(ctx context.Context, obj []byte) (causes []metav1.StatusCause, rejected bool, err error) {
	_, err = p.c.DryRunCreate(ctx, obj)
	if err == nil {
		return nil, false, nil
	}
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return nil, true, err
	}
	if se.ErrStatus.Details != nil {
		causes = se.ErrStatus.Details.Causes
	}
	if len(causes) == 0 {
		causes = []metav1.StatusCause{{Message: se.ErrStatus.Message, Type: metav1.CauseType(se.ErrStatus.Reason)}}
	}
	return causes, true, nil
}

// noteRequired records Required causes at fields the schema does not mark required.
func (p *reqProber) noteRequired(gvk schema.GVK, k reqKind, causes []metav1.StatusCause) {
	for _, cs := range causes {
		if cs.Type != metav1.CauseTypeFieldValueRequired || cs.Field == "" {
			continue
		}
		def, field, ok := reqResolve(k.schema, cs.Field)
		if !ok || def.IsRequired(field) {
			continue
		}
		name := def.T().Name
		if name == "" {
			name = gvk.String() + " " + cs.Field
		}
		p.mu.Lock()
		if _, seen := p.apiRequired[name+"."+field]; !seen {
			p.apiRequired[name+"."+field] = fmt.Sprintf("%s %s: %s", gvk, cs.Field, cs.Message)
		}
		p.mu.Unlock()
	}
}

// test probes one pair on the best kind that gives a clean object.
func (p *reqProber) test(ctx context.Context, t *testing.T, pair *reqPair) *reqResult {
	res := &reqResult{reqPair: *pair}
	var fallback *reqResult
	var whys []string
	for i, gvk := range pair.cands {
		if i >= reqTries {
			break
		}
		r := p.try(ctx, t, pair, gvk)
		if r.untested == "" && r.weak == "" {
			return r
		}
		if r.untested == "" && fallback == nil {
			fallback = r
		}
		if r.untested != "" {
			whys = append(whys, r.untested)
		} else {
			whys = append(whys, gvk.String()+": "+r.weak)
		}
	}
	if fallback != nil {
		return fallback
	}
	res.untested = strings.Join(whys, "; ")
	return res
}

func (p *reqProber) try(ctx context.Context, t *testing.T, pair *reqPair, gvk schema.GVK) *reqResult {
	k := p.kinds[gvk]
	r := &reqResult{reqPair: *pair, gvk: gvk}
	obj := reqSkeleton(t, gvk, k, true)
	if tw := reqTweaks[pair.key]; tw != nil {
		tw(obj)
	}
	m, node, fp, err := reqReach(obj, k.schema, p.reach[gvk][pair.def])
	if err != nil {
		r.untested = gvk.String() + ": " + err.Error()
		return r
	}
	// The definition's required fields, filled in.
	reqFill(m, node, 0)
	prop := node.Properties[pair.field]
	if prop == nil {
		r.untested = fmt.Sprintf("%s has no property %q", pair.def, pair.field)
		return r
	}
	if def, ok := prop.DefaultValue(); ok {
		switch strings.TrimSpace(string(def)) {
		case "0", `""`, "false", "null", "[]", "{}":
		default:
			r.defaulted = true
		}
	}
	pt := prop.T()
	r.listOrMap = pt.Type == "array" || (pt.Type == "object" && pt.AdditionalProperties != nil && len(pt.Properties) == 0)
	if fp != "" {
		fp += "."
	}
	r.fp = fp + pair.field
	if at, ok := reqReportedAt[pair.key]; ok {
		r.fp = at
	}

	r.objBase, _ = json.Marshal(obj)
	base, rejected, err := p.send(ctx, r.objBase)
	if err != nil {
		r.untested = fmt.Sprintf("%s: %v", gvk, err)
		return r
	}
	p.noteRequired(gvk, k, base)
	if rejected {
		for _, cs := range base {
			if cs.Field == "" {
				r.untested = fmt.Sprintf("%s: the object with the field is rejected: %s", gvk, cs.Message)
				return r
			}
			if reqOnField(cs.Field, r.fp) || reqIsAncestor(r.fp, cs.Field) {
				r.untested = fmt.Sprintf("%s: the object with the field draws %s: %s", gvk, cs.Field, cs.Message)
				return r
			}
		}
		r.weak = reqFormat(base)
	} else {
		r.baseOK = true
	}

	saved := m[pair.field]
	delete(m, pair.field)
	r.objMiss, _ = json.Marshal(obj)
	r.missing, r.missingBy, err = p.compare(ctx, gvk, k, r.objMiss, base, r.fp)
	if err != nil {
		r.untested = fmt.Sprintf("%s: %v", gvk, err)
		return r
	}
	if r.listOrMap {
		if pt.Type == "array" {
			m[pair.field] = []any{}
		} else {
			m[pair.field] = map[string]any{}
		}
		objEmpty, _ := json.Marshal(obj)
		r.empty, r.emptyBy, err = p.compare(ctx, gvk, k, objEmpty, base, r.fp)
		if err != nil {
			r.untested = fmt.Sprintf("%s: %v", gvk, err)
			return r
		}
	}
	m[pair.field] = saved
	return r
}

// compare sends a variant and classifies the causes the object with the
// field did not draw.
func (p *reqProber) compare(ctx context.Context, gvk schema.GVK, k reqKind, obj []byte, base []metav1.StatusCause, fp string) (reqVerdict, []metav1.StatusCause, error) {
	causes, rejected, err := p.send(ctx, obj)
	if err != nil {
		return 0, nil, err
	}
	if !rejected {
		return reqAccepted, nil, nil
	}
	p.noteRequired(gvk, k, causes)
	seen := map[string]bool{}
	for _, cs := range base {
		seen[reqCauseKey(cs)] = true
	}
	var fresh []metav1.StatusCause
	at := false
	for _, cs := range causes {
		if seen[reqCauseKey(cs)] {
			continue
		}
		fresh = append(fresh, cs)
		if reqOnField(cs.Field, fp) || reqIsAncestor(cs.Field, fp) {
			at = true
		}
	}
	switch {
	case len(fresh) == 0:
		return reqAccepted, nil, nil
	case at:
		return reqAtField, fresh, nil
	}
	return reqElsewhere, fresh, nil
}

func reqCauseKey(cs metav1.StatusCause) string {
	if cs.Field == "" {
		return "|" + cs.Message
	}
	return reqStripIndices(cs.Field) + "|" + string(cs.Type)
}

func reqOnField(causeField, fieldPath string) bool {
	return causeField != "" && reqStripIndices(causeField) == reqStripIndices(fieldPath)
}

// reqIsAncestor reports whether causeField is a proper ancestor of fieldPath.
func reqIsAncestor(causeField, fieldPath string) bool {
	if causeField == "" {
		return false
	}
	c, f := reqStripIndices(causeField), reqStripIndices(fieldPath)
	return strings.HasPrefix(f, c+".")
}

var reqIndexRE = regexp.MustCompile(`\[[^\]]*\]`)

func reqStripIndices(path string) string { return reqIndexRE.ReplaceAllString(path, "") }

func reqFormat(causes []metav1.StatusCause) string {
	var parts []string
	for _, c := range causes {
		parts = append(parts, fmt.Sprintf("%s: %s", c.Field, c.Message))
	}
	return strings.Join(parts, "; ")
}

// reqResolve finds the definition and property an apiserver field path names.
func reqResolve(root *schema.Schema, path string) (*schema.Schema, string, bool) {
	node := root.T()
	var parent *schema.Schema
	last := ""
	for _, seg := range regexp.MustCompile(`[^.\[\]]+|\[[^\]]*\]`).FindAllString(path, -1) {
		if node == nil {
			return nil, "", false
		}
		if strings.HasPrefix(seg, "[") {
			switch {
			case node.Items != nil:
				node = node.Items.T()
			case node.AdditionalProperties != nil:
				node = node.AdditionalProperties.T()
			default:
				return nil, "", false
			}
			last = ""
			continue
		}
		p := node.Properties[seg]
		if p == nil {
			return nil, "", false
		}
		parent, last, node = node, seg, p.T()
	}
	return parent, last, parent != nil && last != ""
}

// reqKind is a creatable kind the test cluster serves.
type reqKind struct {
	namespaced bool
	createOnly bool
	schema     *schema.Schema
	doc        *schema.Document
}

func reqServedKinds(t *testing.T, cfg *rest.Config, b *schema.Builtin) map[schema.GVK]reqKind {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil && len(lists) == 0 {
		t.Fatalf("discovery: %v", err)
	}
	out := map[schema.GVK]reqKind{}
	for _, l := range lists {
		gv, err := k8sschema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		var doc *schema.Document
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "create") {
				continue
			}
			if doc == nil {
				if doc, err = b.Document(gv.Group, gv.Version); err != nil {
					t.Logf("served %s has no embedded 1.37 schema: %v", l.GroupVersion, err)
					break
				}
			}
			gvk := schema.GVK{Group: gv.Group, Version: gv.Version, Kind: r.Kind}
			if s := doc.Kinds[gvk]; s != nil {
				out[gvk] = reqKind{namespaced: r.Namespaced, createOnly: len(r.Verbs) == 1, schema: s, doc: doc}
			}
		}
	}
	return out
}

// reqStep is one edge of a path through a schema: a property, a list item
// ("[]") or a map value ("{}").
type reqStep string

// reqPaths returns, for each definition reachable from root, the shortest
// path to it; status and metadata are not followed.
func reqPaths(root *schema.Schema) map[string][]reqStep {
	type item struct {
		s    *schema.Schema
		path []reqStep
	}
	out := map[string][]reqStep{}
	queue := []item{{root, nil}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		s := it.s.T()
		if s == nil {
			continue
		}
		if s.Name != "" {
			if _, seen := out[s.Name]; seen {
				continue
			}
			out[s.Name] = it.path
		}
		if len(it.path) > 24 {
			continue
		}
		next := func(child *schema.Schema, st reqStep) {
			if child != nil {
				queue = append(queue, item{child, append(slices.Clip(it.path), st)})
			}
		}
		for _, name := range s.PropertyNames() {
			if name == "status" || name == "metadata" {
				continue
			}
			next(s.Properties[name], reqStep(name))
		}
		next(s.Items, "[]")
		next(s.AdditionalProperties, "{}")
	}
	return out
}

// reqKindPreference orders kinds that reach a definition equally well.
var reqKindPreference = []string{
	"Pod", "PersistentVolumeClaim", "PersistentVolume", "Service", "Endpoints", "Node", "ResourceQuota",
	"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
	"NetworkPolicy", "Ingress", "PodDisruptionBudget", "EndpointSlice", "StorageClass", "PriorityClass",
	"CertificateSigningRequest",
	"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
	"ResourceClaim", "ResourceSlice",
}

// reqKindOverride pins the kind for keys where the preferred one does not
// reach the check.
var reqKindOverride = map[string]string{}

func reqRank(key string, g schema.GVK, path []reqStep) []int {
	pinned := 1
	if reqKindOverride[key] == g.Kind {
		pinned = 0
	}
	skel := 1
	if _, ok := reqSkeletonFor(g); ok {
		skel = 0
	}
	unstable := 0
	if strings.Contains(g.Version, "alpha") || strings.Contains(g.Version, "beta") {
		unstable = 1
	}
	pref := slices.Index(reqKindPreference, g.Kind)
	if pref < 0 {
		pref = len(reqKindPreference)
	}
	return []int{pinned, skel, unstable, len(path), pref}
}

// reqReach walks path from the object's root, reusing what the skeleton holds
// and creating minimal objects where it holds nothing, and returns the object
// at the end, its schema and its path as the apiserver prints it.
func reqReach(obj map[string]any, root *schema.Schema, path []reqStep) (map[string]any, *schema.Schema, string, error) {
	var cur any = obj
	node := root.T()
	fp := ""
	for _, st := range path {
		switch st {
		case "[]":
			parent, ok := cur.(*reqListRef)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not a list", fp)
			}
			node = node.Items.T()
			if len(parent.get()) == 0 {
				parent.set([]any{reqMinimal(node, 0)})
			}
			list := parent.get()
			if _, ok := list[0].(map[string]any); !ok && node.Type == "object" {
				list[0] = reqMinimal(node, 0)
			}
			cur = list[0]
			fp += "[0]"
		case "{}":
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not a map", fp)
			}
			node = node.AdditionalProperties.T()
			if len(m) == 0 {
				m[reqMapKey(fp)] = reqMinimal(node, 0)
			}
			first := slices.Sorted(maps.Keys(m))[0]
			cur = m[first]
			fp += "[" + first + "]"
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, nil, "", fmt.Errorf("%s: not an object", fp)
			}
			name := string(st)
			node = node.Properties[name].T()
			if fp != "" {
				fp += "."
			}
			fp += name
			switch node.Type {
			case "array":
				if _, ok := m[name].([]any); !ok {
					m[name] = []any{}
				}
				cur = &reqListRef{m, name}
			default:
				if _, ok := m[name].(map[string]any); !ok {
					if node.AdditionalProperties != nil && len(node.Properties) == 0 {
						m[name] = map[string]any{}
					} else {
						m[name] = reqMinimal(node, 0)
					}
				}
				cur = m[name]
			}
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, nil, "", fmt.Errorf("%s: not an object", fp)
	}
	return m, node, fp, nil
}

// reqMapKey is a plausible key for a map at a path.
func reqMapKey(fp string) string {
	switch {
	case strings.HasSuffix(fp, "limits"), strings.HasSuffix(fp, "requests"), strings.HasSuffix(fp, "hard"),
		strings.HasSuffix(fp, "capacity"), strings.HasSuffix(fp, "allocatable"):
		return "cpu"
	}
	return "example.com/k"
}

type reqListRef struct {
	m    map[string]any
	name string
}

func (l *reqListRef) get() []any  { v, _ := l.m[l.name].([]any); return v }
func (l *reqListRef) set(v []any) { l.m[l.name] = v }

// reqPlausible holds values for required fields, by JSON name.
var reqPlausible = map[string]any{
	"name":            "x",
	"image":           "registry.example/image:1",
	"key":             "example.com/key",
	"topologyKey":     "kubernetes.io/hostname",
	"provisioner":     "example.com/provisioner",
	"signerName":      "example.com/signer",
	"deviceClassName": "example-class",
	"driver":          "example.com",
	"path":            "/x",
	"mountPath":       "/mnt",
	"ip":              "10.1.2.3",
	"expression":      "true",
	"diskName":        "disk",
	"diskURI":         "https://example.blob.core.windows.net/vhds/disk.vhd",
	"policyName":      reqName,
	"port":            80,
	"maxSkew":         1,
}

// reqExtras are added to a definition's minimal object: what its validation
// needs beyond the schema's required fields (one of a union, ...).
var reqExtras = map[string]map[string]any{}

// reqFill adds the required fields m lacks, and the definition's extras.
func reqFill(m map[string]any, s *schema.Schema, depth int) {
	full, ok := reqMinimal(s, depth).(map[string]any)
	if !ok {
		return
	}
	for k, v := range full {
		if _, has := m[k]; !has {
			m[k] = v
		}
	}
}

// reqMinimal returns the smallest plausible value for s: an object with its
// required fields (and extras) filled.
func reqMinimal(s *schema.Schema, depth int) any {
	s = s.T()
	if s == nil || depth > 8 {
		return map[string]any{}
	}
	switch {
	case s.IntOrString:
		return 80
	case s.Type == "integer" || s.Type == "number":
		return 1
	case s.Type == "boolean":
		return false
	case s.Type == "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "x"
	case s.Type == "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{reqMinimal(s.Items, depth+1)}
	}
	out := map[string]any{}
	for _, r := range s.Required {
		p := s.Properties[r]
		if p == nil {
			continue
		}
		pt := p.T()
		if e, ok := enums.Lookup(s.Name, r); ok && s.Name != "" {
			v := e.Values[0]
			if pt.Type == "array" {
				out[r] = []any{v}
			} else {
				out[r] = v
			}
			continue
		}
		if v, ok := reqPlausible[r]; ok && (pt.Type != "object" || pt.IntOrString) {
			if _, isList := v.([]any); isList != (pt.Type == "array") {
				out[r] = reqMinimal(p, depth+1)
				continue
			}
			if _, isNum := v.(int); isNum && pt.Type == "string" {
				out[r] = reqMinimal(p, depth+1)
				continue
			}
			out[r] = v
			continue
		}
		out[r] = reqMinimal(p, depth+1)
	}
	for k, v := range reqExtras[s.Name] {
		if _, has := out[k]; !has {
			out[k] = reqClone(v)
		}
	}
	return out
}

func reqClone(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

// reqSkeleton returns a fresh valid-looking object of gvk (withSkeleton: from
// the hand-written skeletons; else apiVersion, kind and metadata only).
func reqSkeleton(t *testing.T, gvk schema.GVK, k reqKind, withSkeleton bool) map[string]any {
	t.Helper()
	obj := map[string]any{}
	if src, ok := reqSkeletonFor(gvk); ok && withSkeleton {
		data, err := utilyaml.ToJSON([]byte(src))
		if err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
	}
	obj["apiVersion"] = gvk.APIVersion()
	obj["kind"] = gvk.Kind
	meta := map[string]any{}
	if !k.createOnly {
		meta["name"] = reqName
	}
	if k.namespaced {
		meta["namespace"] = reqNS
	}
	obj["metadata"] = meta
	if gvk.Kind == "CertificateSigningRequest" {
		if spec, ok := obj["spec"].(map[string]any); ok {
			spec["request"] = reqCSR(t)
		}
	}
	return obj
}

func reqSkeletonFor(gvk schema.GVK) (string, bool) {
	if s, ok := reqSkeletons[gvk.APIVersion()+"/"+gvk.Kind]; ok {
		return s, true
	}
	s, ok := reqSkeletons[gvk.Group+"/"+gvk.Kind]
	return s, ok
}

const reqPodSpec = `
      containers:
      - name: c
        image: registry.example/image:1`

const reqPodTemplate = `
    metadata:
      labels: {app: required-proof}
    spec:` + reqPodSpec

// reqSkeletons by "group/Kind" or "group/version/Kind" (core group: "/Kind");
// apiVersion, kind and metadata are set by reqSkeleton.
var reqSkeletons = map[string]string{
	"/Pod": `
spec:
  containers:
  - name: c
    image: registry.example/image:1`,
	"/PersistentVolumeClaim": `
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}`,
	"/PersistentVolume": `
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]`,
	"/Service": `
spec:
  selector: {app: required-proof}
  ports:
  - port: 80`,
	"/Endpoints": `
subsets:
- addresses: [{ip: 10.1.2.3}]
  ports:
  - port: 80`,
	"/Node":          `spec: {}`,
	"/ResourceQuota": `spec: {hard: {pods: "10"}}`,
	"apps/Deployment": `
spec:
  selector: {matchLabels: {app: required-proof}}
  template:` + reqPodTemplate,
	"apps/StatefulSet": `
spec:
  serviceName: required-proof
  selector: {matchLabels: {app: required-proof}}
  template:` + reqPodTemplate,
	"apps/DaemonSet": `
spec:
  selector: {matchLabels: {app: required-proof}}
  template:` + reqPodTemplate,
	"batch/Job": `
spec:
  template:
    spec:
      restartPolicy: Never` + reqPodSpec,
	"batch/CronJob": `
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: registry.example/image:1`,
	"networking.k8s.io/NetworkPolicy": `spec: {podSelector: {}}`,
	"networking.k8s.io/Ingress": `
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: required-proof, port: {number: 80}}`,
	"policy/PodDisruptionBudget": `
spec:
  minAvailable: 1
  selector: {matchLabels: {app: required-proof}}`,
	"discovery.k8s.io/EndpointSlice": `
addressType: IPv4
endpoints:
- addresses: [10.1.2.3]
ports:
- name: http
  port: 80`,
	"storage.k8s.io/StorageClass":     `provisioner: example.com/provisioner`,
	"scheduling.k8s.io/PriorityClass": `value: 1000`,
	"certificates.k8s.io/CertificateSigningRequest": `
spec:
  signerName: example.com/signer
  usages: [client auth]`,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": `
webhooks:
- name: required-proof.example.com
  clientConfig: {url: "https://example.com/hook"}
  sideEffects: None
  admissionReviewVersions: [v1]
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [configmaps]`,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration": `
webhooks:
- name: required-proof.example.com
  clientConfig: {url: "https://example.com/hook"}
  sideEffects: None
  admissionReviewVersions: [v1]
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [configmaps]`,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy": `
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  validations:
  - expression: "true"`,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": `
spec:
  policyName: required-proof
  validationActions: [Deny]`,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy": `
spec:
  failurePolicy: Fail
  reinvocationPolicy: Never
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration: {expression: "Object{}"}`,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding": `
spec:
  policyName: required-proof`,
	"resource.k8s.io/ResourceClaim": `
spec:
  devices:
    requests:
    - name: r
      exactly: {deviceClassName: example-class}`,
	"resource.k8s.io/v1beta1/ResourceClaim": `
spec:
  devices:
    requests:
    - name: r
      deviceClassName: example-class`,
	"resource.k8s.io/ResourceSlice": `
spec:
  driver: example.com
  pool: {name: pool, generation: 1, resourceSliceCount: 1}
  allNodes: true
  devices:
  - name: d`,
}

// reqReportedAt gives the field path the apiserver prints where it is not
// the path of the field in the object.
var reqReportedAt = map[string]string{}

// reqTweaks adjust the skeleton for keys whose check needs some context.
var reqTweaks = map[string]func(obj map[string]any){}

// reqCSR returns a fresh PEM certificate request.
func reqCSR(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: reqName}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

