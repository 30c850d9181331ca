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
// Approach and helpers (package probe) are shared with
// schema/enums/apiserver_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster/probe"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
	"github.com/kubectl-lsp/kubectl-lsp/schema/enums"
)

var reqDebug = os.Getenv("REQ_DEBUG") // a key substring: log its objects and answers

const (
	reqNS   = "required-proof"
	reqName = "required-proof"
	// reqMaxKinds bounds the kinds tried per pair.
	reqMaxKinds = 16
)

// reqObjects are the objects the test sends.
var reqObjects = &probe.Objects{Name: reqName, Namespace: reqNS, Skeletons: reqSkeletons}

// reqFiller fills the required fields of the objects on the way to a
// definition, and the definition's.
var reqFiller = &probe.Filler{
	Enum: func(def, field string) ([]string, bool) {
		e, ok := enums.Lookup(def, field)
		return e.Values, ok
	},
	Plausible: reqPlausible,
	Values:    reqValues,
	Named: map[string]any{
		"io.k8s.apimachinery.pkg.api.resource.Quantity":  "1",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Time":      "2024-01-01T00:00:00Z",
		"io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "2024-01-01T00:00:00.000000Z",
	},
	Extras:   reqExtras,
	FillMaps: true,
	MapKey:   reqMapKey,
}

// reqVerdict is the apiserver's answer on a variant of the object.
type reqVerdict int

const (
	reqAccepted  reqVerdict = iota // no new complaint
	reqAtField                     // a new cause at the field, an ancestor or a descendant
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
	defaulted bool   // the schema gives the field a non-zero default: we never report it
	byKind    string // the kinds disagree

	oursRequired bool // we report "<fp>: Required value" without the field
}

func TestRequiredFieldsAgainstAPIServer(t *testing.T) {
	c := testcluster.Shared(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if err := c.EnsureNamespace(ctx, reqNS); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := probe.ServedKinds(t, c.Config(), eng.Builtin())
	reach := map[schema.GVK]map[string][]probe.Step{}
	for gvk, k := range kinds {
		reach[gvk] = probe.Paths(k.Schema)
	}

	// Every reachable (definition, required field) pair, with the kinds that reach it.
	pairs := map[string]*reqPair{}
	for gvk, k := range kinds {
		for def, path := range reach[gvk] {
			d := k.Doc.Definitions[def]
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
		probe.SortKinds(p.cands, func(g schema.GVK) []int {
			return reqObjects.Rank(g, reqKindOverride[key] == g.Kind, reach[g][p.def])
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
			maps.Copy(obj, reqFiller.Minimal(k.Schema, 0).(map[string]any))
			data, _ := json.Marshal(obj)
			causes, _, _ := probe.DryRun(ctx, c, data)
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
		r.oursRequired = req
		switch {
		case r.missing == reqAccepted && req:
			t.Errorf("FALSE POSITIVE %s: the apiserver accepts %s %s without %s, we report %q (add the key to requiredNotEnforced)%s",
				r.key, r.gvk, reqName, r.fp, r.fp+": Required value", weakNote(r))
		case r.missing != reqAccepted && !req:
			if _, errs := ours(r.objMiss, r.fp); len(errs) == 0 {
				t.Logf("%s: the apiserver rejects the object without %s, we report no error%s: %s", r.key, r.fp, defaultNote(r), reqFormat(r.missingBy))
			}
		}
		if reqDebug != "" && strings.Contains(r.key, reqDebug) {
			_, errs := ours(r.objMiss, r.fp)
			t.Logf("DEBUG %s via %s (%s): missing=%d %s; empty=%d %s; ours %v\nbase: %s\nmissing: %s", r.key, r.gvk, r.fp, r.missing, reqFormat(r.missingBy), r.empty, reqFormat(r.emptyBy), errs, r.objBase, r.objMiss)
		}
	}

	// Report.
	t.Logf("kube-apiserver %s, %d served creatable kinds, %d (definition, required field) pairs, %s",
		testcluster.KubernetesVersion, len(kinds), len(keys), time.Since(start).Round(time.Millisecond))
	t.Logf("tested %d: enforced %d (%d reported elsewhere than at the field), not enforced %d; not testable %d; %d tested on an object rejected for other reasons",
		len(results)-len(untested), len(enforced), len(elsewhere), len(notEnforced), len(untested), len(weak))
	var sb, quiet strings.Builder
	for _, r := range notEnforced {
		note := ""
		if r.byKind != "" {
			note = " (depends on the kind: " + r.byKind + ")"
		}
		line := fmt.Sprintf("\t%q: true, // %s %s%s%s\n", r.key, r.gvk, r.fp, note, weakNote(r))
		if r.oursRequired {
			sb.WriteString(line)
		} else {
			quiet.WriteString(line)
		}
	}
	t.Logf("NOT ENFORCED, and we report them (add to requiredNotEnforced):\n%s", sb.String())
	t.Logf("NOT ENFORCED, and we do not report them (in requiredNotEnforced already, or an empty default):\n%s", quiet.String())
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
	for _, r := range results {
		if r.byKind != "" {
			t.Logf("kinds disagree on %s: %s", r.key, r.byKind)
		}
	}
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
	kinds map[schema.GVK]probe.Kind
	reach map[schema.GVK]map[string][]probe.Step

	mu          sync.Mutex
	apiRequired map[string]string // definition.field → where the apiserver said Required
}

// noteRequired records Required causes at fields the schema does not mark required.
func (p *reqProber) noteRequired(gvk schema.GVK, k probe.Kind, causes []metav1.StatusCause) {
	for _, cs := range causes {
		if cs.Type != metav1.CauseTypeFieldValueRequired || cs.Field == "" || strings.HasPrefix(cs.Field, "metadata") {
			continue
		}
		def, field, ok := reqResolve(k.Schema, cs.Field)
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
	var clean, weak []*reqResult
	var whys []string
	for i, gvk := range pair.cands {
		if i >= reqMaxKinds {
			break
		}
		r := p.try(ctx, t, pair, gvk)
		switch {
		case r.untested != "":
			whys = append(whys, r.untested)
		case r.weak != "":
			weak = append(weak, r)
		default:
			clean = append(clean, r)
		}
	}
	// A field some kind accepts missing is not enforced: our check is by
	// definition, whatever kind holds it.
	pick := func(rs []*reqResult) *reqResult {
		var accepted, rejected []string
		var first *reqResult
		for _, r := range rs {
			if r.missing == reqAccepted {
				accepted = append(accepted, r.gvk.String())
				if first == nil {
					first = r
				}
			} else {
				rejected = append(rejected, r.gvk.String())
			}
		}
		if first == nil {
			return rs[0]
		}
		if len(rejected) > 0 {
			first.byKind = fmt.Sprintf("accepted missing via %s; rejected via %s", strings.Join(accepted, ", "), strings.Join(rejected, ", "))
		}
		return first
	}
	switch {
	case len(clean) > 0:
		return pick(clean)
	case len(weak) > 0:
		return pick(weak)
	}
	return &reqResult{reqPair: *pair, untested: strings.Join(whys, "; ")}
}

func (p *reqProber) try(ctx context.Context, t *testing.T, pair *reqPair, gvk schema.GVK) *reqResult {
	k := p.kinds[gvk]
	r := &reqResult{reqPair: *pair, gvk: gvk}
	obj := reqSkeleton(t, gvk, k, true)
	reqFiller.Fill(obj, k.Schema, 0)
	for _, tk := range []string{pair.key, pair.def, probe.Short(pair.def)} {
		if tw := reqTweaks[tk]; tw != nil {
			tw(obj)
		}
	}
	path := p.reach[gvk][pair.def]
	if o, ok := reqPathOverride[gvk.Kind+"|"+pair.def]; ok {
		path = o
	}
	m, node, fp, err := reqFiller.Reach(obj, k.Schema, path)
	if err != nil {
		r.untested = gvk.String() + ": " + err.Error()
		return r
	}
	// The definition's required fields, filled in, and the context fixed up.
	reqFiller.Fill(m, node, 0)
	reqFixup(obj, k.Schema, 0)
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
	base, rejected, err := probe.DryRun(ctx, p.c, r.objBase)
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
			if probe.OnField(cs.Field, r.fp) || probe.IsAncestor(r.fp, cs.Field) ||
				(cs.Type == metav1.CauseType("FieldValueForbidden") && probe.IsAncestor(cs.Field, r.fp)) {
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
func (p *reqProber) compare(ctx context.Context, gvk schema.GVK, k probe.Kind, obj []byte, base []metav1.StatusCause, fp string) (reqVerdict, []metav1.StatusCause, error) {
	causes, rejected, err := probe.DryRun(ctx, p.c, obj)
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
		if probe.OnField(cs.Field, fp) || probe.IsAncestor(cs.Field, fp) || probe.IsAncestor(fp, cs.Field) {
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
	return probe.StripIndices(cs.Field) + "|" + string(cs.Type)
}

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

// reqKindOverride pins the kind for keys where the preferred one does not
// reach the check.
var reqKindOverride = map[string]string{}

// reqMapKey is a plausible key for a map at a path.
func reqMapKey(fp string) string {
	switch {
	case strings.HasSuffix(fp, "limits"), strings.HasSuffix(fp, "requests"), strings.HasSuffix(fp, "hard"),
		strings.HasSuffix(fp, "capacity"), strings.HasSuffix(fp, "allocatable"), strings.HasSuffix(fp, "max"),
		strings.HasSuffix(fp, "min"), strings.HasSuffix(fp, "default"), strings.HasSuffix(fp, "defaultRequest"):
		return "cpu"
	}
	return "k"
}

// reqPlausible holds values for required fields, by JSON name.
var reqPlausible = func() map[string]any {
	m := probe.Plausible(reqName)
	m["devicePath"] = "/dev/x"
	m["apiGroup"] = "example.com"
	return m
}()

// reqValues holds values for required fields, by "Definition.field" (the
// definition's short name, or its full name where short names clash).
var reqValues = map[string]any{
	"AuditAnnotation.key":                                       "audit",
	"AuditAnnotation.valueExpression":                           "'v'",
	"AppArmorProfile.type":                                      "RuntimeDefault",
	"SeccompProfile.type":                                       "RuntimeDefault",
	"ContainerResizePolicy.resourceName":                        "cpu",
	"ContainerResizePolicy.restartPolicy":                       "NotRequired",
	"ContainerResourceMetricSource.name":                        "cpu",
	"ContainerResourceMetricSource.container":                   "c",
	"ResourceMetricSource.name":                                 "cpu",
	"MetricIdentifier.name":                                     "m",
	"MetricTarget.type":                                         "AverageValue",
	"HPAScalingPolicy.type":                                     "Pods",
	"HPAScalingPolicy.value":                                    1,
	"HPAScalingPolicy.periodSeconds":                            60,
	"HorizontalPodAutoscalerSpec.maxReplicas":                   3,
	"CrossVersionObjectReference.kind":                          "Deployment",
	"KeyToPath.path":                                            "p",
	"KeyToPath.key":                                             "k",
	"ClusterTrustBundleProjection.path":                         "p",
	"DownwardAPIVolumeFile.path":                                "p",
	"ServiceAccountTokenProjection.path":                        "p",
	"ConfigMapKeySelector.key":                                  "k",
	"SecretKeySelector.key":                                     "k",
	"FileKeySelector.key":                                       "K",
	"FileKeySelector.path":                                      "p.env",
	"ContainerRestartRule.action":                               "Restart",
	"ContainerRestartRuleOnExitCodes.operator":                  "In",
	"ISCSIVolumeSource.iqn":                                     "iqn.2001-04.com.example:storage",
	"ISCSIPersistentVolumeSource.iqn":                           "iqn.2001-04.com.example:storage",
	"ISCSIVolumeSource.targetPortal":                            "10.0.0.1:3260",
	"ISCSIPersistentVolumeSource.targetPortal":                  "10.0.0.1:3260",
	"LimitRangeItem.type":                                       "Container",
	"ObjectFieldSelector.fieldPath":                             "metadata.name",
	"PodCertificateProjection.keyType":                          "ECDSAP256",
	"QuobyteVolumeSource.registry":                              "host:7861",
	"ResourceFieldSelector.resource":                            "limits.cpu",
	"ScopedResourceSelectorRequirement.scopeName":               "PriorityClass",
	"ScopedResourceSelectorRequirement.operator":                "In",
	"LabelSelectorRequirement.operator":                         "In",
	"LabelSelectorRequirement.key":                              "app",
	"NodeSelectorRequirement.operator":                          "In",
	"NodeSelectorRequirement.key":                               "kubernetes.io/hostname",
	"PodOS.name":                                                "linux",
	"TypedLocalObjectReference.kind":                            "PersistentVolumeClaim",
	"TypedObjectReference.kind":                                 "PersistentVolumeClaim",
	"FlowDistinguisherMethod.type":                              "ByUser",
	"NonResourcePolicyRule.nonResourceURLs":                     []any{"/healthz"},
	"NonResourcePolicyRule.verbs":                               []any{"get"},
	"ResourcePolicyRule.verbs":                                  []any{"get"},
	"ResourcePolicyRule.apiGroups":                              []any{""},
	"ResourcePolicyRule.resources":                              []any{"pods"},
	"PriorityLevelConfigurationSpec.type":                       "Limited",
	"LimitResponse.type":                                        "Reject",
	"GroupSubject.name":                                         "system:authenticated",
	"UserSubject.name":                                          "u",
	"ServiceAccountSubject.name":                                "sa",
	"ServiceAccountSubject.namespace":                           "ns",
	"FlowSchemaSpec.priorityLevelConfiguration":                 map[string]any{"name": "global-default"},
	"PriorityLevelConfigurationReference.name":                  "global-default",
	"IPBlock.cidr":                                              "10.0.0.0/8",
	"RoleRef.kind":                                              "ClusterRole",
	"RoleRef.apiGroup":                                          "rbac.authorization.k8s.io",
	"io.k8s.api.rbac.v1.Subject.kind":                           "User",
	"io.k8s.api.rbac.v1.Subject.apiGroup":                       "rbac.authorization.k8s.io",
	"PolicyRule.verbs":                                          []any{"get"},
	"Toleration.key":                                            "example.com/key",
	"Taint.effect":                                              "NoSchedule",
	"Taint.key":                                                 "example.com/key",
	"TopologySpreadConstraint.whenUnsatisfiable":                "DoNotSchedule",
	"CustomResourceDefinitionSpec.group":                        "example.com",
	"CustomResourceDefinitionSpec.scope":                        "Namespaced",
	"CustomResourceConversion.strategy":                         "None",
	"WebhookConversion.conversionReviewVersions":                []any{"v1"},
	"CustomResourceColumnDefinition.jsonPath":                   ".spec.x",
	"CustomResourceColumnDefinition.type":                       "string",
	"CustomResourceColumnDefinition.name":                       "X",
	"CustomResourceSubresourceScale.specReplicasPath":           ".spec.replicas",
	"CustomResourceSubresourceScale.statusReplicasPath":         ".status.replicas",
	"SelectableField.jsonPath":                                  ".spec.x",
	"ValidationRule.rule":                                       "true",
	"CustomResourceDefinitionVersion.name":                      "v1",
	"CustomResourceDefinitionVersion.served":                    true,
	"CustomResourceDefinitionVersion.storage":                   true,
	"APIServiceSpec.groupPriorityMinimum":                       1000,
	"APIServiceSpec.versionPriority":                            15,
	"ParentReference.resource":                                  "services",
	"ParentReference.name":                                      "x",
	"IngressClassSpec.controller":                               "example.com/ingress",
	"IngressClassParametersReference.kind":                      "K",
	"VolumeAttachmentSpec.attacher":                             "example.com",
	"VolumeAttachmentSpec.nodeName":                             "n",
	"VolumeAttributesClass.driverName":                          "example.com",
	"PodFailurePolicyRule.action":                               "FailJob",
	"PodFailurePolicyOnExitCodesRequirement.operator":           "In",
	"PodFailurePolicyOnExitCodesRequirement.values":             []any{1},
	"PodFailurePolicyOnPodConditionsPattern.type":               "DisruptionTarget",
	"PodFailurePolicyOnPodConditionsPattern.status":             "True",
	"SuccessPolicyRule.succeededCount":                          1,
	"PodResourceClaim.name":                                     "x",
	"ServiceCIDRSpec.cidrs":                                     []any{"10.96.0.0/16"},
	"EventSeries.count":                                         2,
	"ObjectReference.kind":                                      "Pod",
	"TokenReviewSpec.token":                                     "t",
	"SubjectAccessReviewSpec.user":                              "u",
	"ResourceAttributes.verb":                                   "get",
	"ResourceAttributes.resource":                               "pods",
	"NonResourceAttributes.path":                                "/healthz",
	"NonResourceAttributes.verb":                                "get",
	"FieldSelectorRequirement.key":                              "metadata.name",
	"FieldSelectorRequirement.operator":                         "In",
	"LabelSelectorAttributes.rawSelector":                       "a=b",
	"HostAlias.ip":                                              "10.1.2.3",
	"DeviceTaint.effect":                                        "NoSchedule",
	"DeviceTaint.key":                                           "example.com/key",
	"CELDeviceSelector.expression":                              "true",
	"DeviceAttribute.string":                                    "s",
	"PodDNSConfigOption.name":                                   "ndots",
	"EndpointPort.port":                                         80,
	"GroupVersionResource.resource":                             "pods",
	"GroupResource.resource":                                    "pods",
	"Sysctl.name":                                               "kernel.shm_rmid_forced",
	"Sysctl.value":                                              "1",
	"HTTPHeader.name":                                           "X-Header",
	"HTTPHeader.value":                                          "v",
	"EvictionResponder.name":                                    "example.com/responder",
	"ClientIPConfig.timeoutSeconds":                             10,
	"MatchCondition.name":                                       "m",
	"Validation.expression":                                     "true",
	"Variable.name":                                             "v",
	"Variable.expression":                                       "true",
	"ParamKind.kind":                                            "ConfigMap",
	"ParamKind.apiVersion":                                      "v1",
	"NamedRuleWithOperations.operations":                        []any{"CREATE"},
	"Mutation.patchType":                                        "ApplyConfiguration",
	"ApplyConfiguration.expression":                             "Object{}",
	"JSONPatch.expression":                                      "[]",
	"ServiceReference.namespace":                                "ns",
	"ServiceReference.name":                                     "svc",
	"WebhookClientConfig.url":                                   "https://example.com/hook",
	"ResourcePool.generation":                                   1,
	"ResourcePool.resourceSliceCount":                           1,
	"ResourcePool.name":                                         "pool",
	"CounterSet.name":                                           "set",
	"DeviceCounterConsumption.counterSet":                       "set",
	"TokenRequest.audience":                                     "aud",
	"CSINodeDriver.nodeID":                                      "n",
	"CSINodeDriver.name":                                        "example.com",
	"LimitedPriorityLevelConfiguration.limitResponse":           map[string]any{"type": "Reject"},
	"QueuingConfiguration.queues":                               1,
	"ExemptPriorityLevelConfiguration.nominalConcurrencyShares": 1,
	"EphemeralContainer.name":                                   "e",
	"Binding.target":                                            map[string]any{"kind": "Node", "name": "n"},
}

// reqExtras are added to a definition's minimal object: what its validation
// needs beyond the schema's required fields (one member of a union, ...).
var reqExtras = map[string]map[string]any{
	"Volume":                                       {"emptyDir": map[string]any{}},
	"CrossVersionObjectReference":                  {"apiVersion": "apps/v1", "name": "x"},
	"MetricTarget":                                 {"averageValue": "1"},
	"DownwardAPIVolumeFile":                        {"fieldRef": map[string]any{"fieldPath": "metadata.name"}},
	"ContainerRestartRule":                         {"exitCodes": map[string]any{"operator": "In", "values": []any{1}}},
	"ContainerRestartRuleOnExitCodes":              {"values": []any{1}},
	"PersistentVolumeClaimSpec":                    {"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}},
	"PodCertificateProjection":                     {"credentialBundlePath": "cred.pem"},
	"QuobyteVolumeSource":                          {"volume": "v"},
	"ScaleIOVolumeSource":                          {"volumeName": "v"},
	"ScaleIOPersistentVolumeSource":                {"volumeName": "v"},
	"ScopedResourceSelectorRequirement":            {"values": []any{"high"}},
	"LabelSelectorRequirement":                     {"values": []any{"a"}},
	"NodeSelectorRequirement":                      {"values": []any{"n"}},
	"ResourcePolicyRule":                           {"clusterScope": true},
	"io.k8s.api.rbac.v1.Subject":                   {"apiGroup": "rbac.authorization.k8s.io"},
	"RoleRef":                                      {"apiGroup": "rbac.authorization.k8s.io"},
	"PolicyRule":                                   {"apiGroups": []any{""}, "resources": []any{"pods"}},
	"PodResourceClaim":                             {"resourceClaimName": "x"},
	"IngressServiceBackend":                        {"port": map[string]any{"number": 80}},
	"VolumeAttachmentSource":                       {"persistentVolumeName": "pv"},
	"VolumeAttributesClass":                        {"parameters": map[string]any{"k": "v"}},
	"PodFailurePolicyRule":                         {"onExitCodes": map[string]any{"operator": "In", "values": []any{1}}},
	"FieldSelectorRequirement":                     {"values": []any{"x"}},
	"SubjectAccessReviewSpec":                      {"resourceAttributes": map[string]any{"verb": "get", "resource": "pods"}},
	"SelfSubjectAccessReviewSpec":                  {"resourceAttributes": map[string]any{"verb": "get", "resource": "pods"}},
	"IngressClassParametersReference":              {"apiGroup": "example.com", "scope": "Cluster"},
	"ISCSIVolumeSource":                            {"iqn": "iqn.2001-04.com.example:storage", "targetPortal": "10.0.0.1:3260"},
	"ISCSIPersistentVolumeSource":                  {"iqn": "iqn.2001-04.com.example:storage", "targetPortal": "10.0.0.1:3260"},
	"ClusterTrustBundleProjection":                 {"signerName": "example.com/signer"},
	"ServiceAccountSubject":                        {"namespace": "ns"},
	"ParentReference":                              {"namespace": "ns"},
	"CustomResourceDefinitionVersion":              {"schema": map[string]any{"openAPIV3Schema": reqCRDSchema()}},
	"SuccessPolicyRule":                            {"succeededCount": 1},
	"QueuingConfiguration":                         {"queues": 1, "handSize": 1, "queueLengthLimit": 1},
	"io.k8s.api.core.v1.ResourceClaim":             {"name": "x"},
	"io.k8s.api.authentication.v1.TokenReviewSpec": {"token": "t"},
	"ConfigMapKeySelector":                         {"name": "cm"},
	"SecretKeySelector":                            {"name": "s"},
	"ConfigMapVolumeSource":                        {"name": "cm"},
	"CapacityRequestPolicy":                        {"default": "1"},
	"WebhookConversion":                            {"clientConfig": map[string]any{"url": "https://example.com/convert"}},
}

// reqCRDSchema is a structural schema with the fields the CRD probes name.
func reqCRDSchema() map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"spec": map[string]any{"type": "object", "properties": map[string]any{
			"x":        map[string]any{"type": "string"},
			"replicas": map[string]any{"type": "integer"},
		}},
		"status": map[string]any{"type": "object", "properties": map[string]any{
			"replicas": map[string]any{"type": "integer"},
		}},
	}}
}

// reqFixups adjust a definition's object to its context (a union's
// discriminator, members that exclude each other), by definition name.
var reqFixups = map[string]func(m map[string]any){
	// One volume source: the default emptyDir gives way to the one reached.
	"io.k8s.api.core.v1.Volume": func(m map[string]any) {
		if len(m) > 2 {
			delete(m, "emptyDir")
		}
	},
	"io.k8s.api.autoscaling.v2.MetricSpec": func(m map[string]any) {
		for member, typ := range map[string]string{"containerResource": "ContainerResource", "external": "External", "object": "Object", "pods": "Pods", "resource": "Resource"} {
			if _, ok := m[member]; ok {
				m["type"] = typ
				return
			}
		}
		m["type"] = "Resource"
		m["resource"] = map[string]any{"name": "cpu", "target": map[string]any{"type": "AverageValue", "averageValue": "1"}}
	},
	"io.k8s.api.flowcontrol.v1.Subject": func(m map[string]any) {
		for _, member := range []string{"user", "serviceAccount", "group"} {
			if _, ok := m[member]; ok {
				m["kind"] = map[string]string{"group": "Group", "user": "User", "serviceAccount": "ServiceAccount"}[member]
				for _, other := range []string{"user", "serviceAccount", "group"} {
					if other != member {
						delete(m, other)
					}
				}
				return
			}
		}
		m["kind"] = "Group"
		m["group"] = map[string]any{"name": "system:authenticated"}
	},
	"io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationSpec": func(m map[string]any) {
		if _, ok := m["exempt"]; ok {
			m["type"] = "Exempt"
			return
		}
		m["type"] = "Limited"
		if _, ok := m["limited"]; !ok {
			m["limited"] = map[string]any{"limitResponse": map[string]any{"type": "Reject"}}
		}
	},
	"io.k8s.api.flowcontrol.v1.LimitResponse": func(m map[string]any) {
		if _, ok := m["queuing"]; ok {
			m["type"] = "Queue"
		}
	},
	"io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects": func(m map[string]any) {
		_, r := m["resourceRules"]
		_, n := m["nonResourceRules"]
		if !r && !n {
			m["resourceRules"] = []any{map[string]any{"verbs": []any{"get"}, "apiGroups": []any{""}, "resources": []any{"pods"}, "clusterScope": true}}
		}
	},
	"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion": func(m map[string]any) {
		if _, ok := m["webhook"]; ok {
			m["strategy"] = "Webhook"
		}
	},
	"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig": func(m map[string]any) {
		if _, ok := m["service"]; ok {
			delete(m, "url")
		} else if _, ok := m["url"]; !ok {
			m["url"] = "https://example.com/convert"
		}
	},
	"io.k8s.api.admissionregistration.v1.WebhookClientConfig": func(m map[string]any) {
		if _, ok := m["service"]; ok {
			delete(m, "url")
		}
	},
	"io.k8s.api.storage.v1.VolumeAttachmentSource": func(m map[string]any) {
		if _, ok := m["inlineVolumeSpec"]; ok {
			delete(m, "persistentVolumeName")
		}
	},
	"io.k8s.api.core.v1.PersistentVolumeSpec": func(m map[string]any) {
		if _, ok := m["local"]; ok {
			m["nodeAffinity"] = map[string]any{"required": map[string]any{"nodeSelectorTerms": []any{map[string]any{
				"matchExpressions": []any{map[string]any{"key": "kubernetes.io/hostname", "operator": "In", "values": []any{"n"}}}}}}}
		}
	},
	"io.k8s.api.resource.v1.ResourceSliceSpec": func(m map[string]any) {
		if _, ok := m["sharedCounters"]; ok {
			delete(m, "devices")
		}
	},
	"io.k8s.api.batch.v1.PodFailurePolicyRule": func(m map[string]any) {
		if _, ok := m["onPodConditions"]; ok {
			delete(m, "onExitCodes")
		}
	},
	"io.k8s.api.core.v1.Container": func(m map[string]any) {
		if _, ok := m["restartPolicyRules"]; ok {
			m["restartPolicy"] = "Never"
		}
	},
	"io.k8s.api.resource.v1.Device": func(m map[string]any) {
		for _, c := range reqMapValues(m["capacity"]) {
			if _, ok := c["requestPolicy"]; ok {
				m["allowMultipleAllocations"] = true
			}
		}
	},
	"io.k8s.api.batch.v1.JobSpec": func(m map[string]any) {
		if _, ok := m["successPolicy"]; ok {
			m["completionMode"] = "Indexed"
			m["completions"] = 2
		}
	},
	"io.k8s.api.core.v1.PersistentVolumeClaimSpec": func(m map[string]any) {
		// dataSource and dataSourceRef must agree when both are given.
		if ds, ok := m["dataSource"].(map[string]any); ok {
			if _, ok := m["dataSourceRef"]; !ok {
				m["dataSourceRef"] = probe.Clone(ds)
			}
		}
	},
}

func reqMapValues(v any) []map[string]any {
	m, _ := v.(map[string]any)
	var out []map[string]any
	for _, x := range m {
		if xm, ok := x.(map[string]any); ok {
			out = append(out, xm)
		}
	}
	return out
}

// reqPathOverride replaces the shortest path for "Kind|definition" where it
// leads through a field the kind forbids.
var reqPathOverride = map[string][]probe.Step{
	// Pod-level resources may not hold claims; a container's may.
	"Pod|io.k8s.api.core.v1.ResourceClaim": {"spec", "containers", "[]", "resources", "claims", "[]"},
}

// reqFixup runs the fixups over every object of obj, parents first.
func reqFixup(obj any, s *schema.Schema, depth int) {
	s = s.T()
	if s == nil || depth > 30 {
		return
	}
	switch v := obj.(type) {
	case map[string]any:
		if fix := reqFixups[s.Name]; fix != nil && s.Name != "" {
			fix(v)
		}
		for k, child := range v {
			if p := s.Properties[k]; p != nil {
				reqFixup(child, p, depth+1)
			} else if s.AdditionalProperties != nil {
				reqFixup(child, s.AdditionalProperties, depth+1)
			}
		}
	case []any:
		if s.Items != nil {
			for _, child := range v {
				reqFixup(child, s.Items, depth+1)
			}
		}
	}
}

// reqSkeleton returns a fresh valid-looking object of gvk (withSkeleton: from
// the hand-written skeletons; else apiVersion, kind and metadata only).
func reqSkeleton(t *testing.T, gvk schema.GVK, k probe.Kind, withSkeleton bool) map[string]any {
	t.Helper()
	obj := reqObjects.New(t, gvk, k.Namespaced, withSkeleton)
	meta := obj["metadata"].(map[string]any)
	if k.CreateOnly {
		delete(meta, "name")
	}
	if n, ok := reqNames[gvk.Kind]; ok {
		meta["name"] = n
	}
	return obj
}

// reqSkeletons by "group/Kind" or "group/version/Kind" (core group: "/Kind"):
// the common ones, with more kinds and a pod with a volume; apiVersion, kind
// and metadata are set by reqSkeleton.
var reqSkeletons = func() map[string]string {
	m := probe.Skeletons(reqName)
	m["apps/ReplicaSet"] = m["apps/Deployment"] // the same spec
	maps.Copy(m, map[string]string{
		"/Pod": `
spec:
  containers:
  - name: c
    image: registry.example/image:1
  volumes:
  - name: x
    emptyDir: {}`,
		"/LimitRange": `
spec:
  limits:
  - type: Container
    max: {cpu: "2"}`,
		"/Event": `
involvedObject: {kind: Pod, name: x, namespace: required-proof}
reason: R
message: m
type: Normal
source: {component: c}`,
		"events.k8s.io/Event": `
eventTime: "2024-01-01T00:00:00.000000Z"
reportingController: example.com/c
reportingInstance: i
action: A
reason: R
type: Normal
regarding: {kind: Pod, name: x, namespace: required-proof}`,
		"autoscaling/HorizontalPodAutoscaler": `
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: x}
  maxReplicas: 3`,
		"authentication.k8s.io/TokenReview": `spec: {token: t}`,
		"authorization.k8s.io/SubjectAccessReview": `
spec:
  user: u
  resourceAttributes: {verb: get, resource: pods}`,
		"authorization.k8s.io/LocalSubjectAccessReview": `
spec:
  user: u
  resourceAttributes: {verb: get, resource: pods, namespace: required-proof}`,
		"authorization.k8s.io/SelfSubjectAccessReview": `
spec:
  resourceAttributes: {verb: get, resource: pods}`,
		"authorization.k8s.io/SelfSubjectRulesReview": `spec: {namespace: required-proof}`,
		"flowcontrol.apiserver.k8s.io/FlowSchema": `
spec:
  priorityLevelConfiguration: {name: global-default}
  matchingPrecedence: 1000
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects: [{kind: Group, group: {name: "system:authenticated"}}]
    resourceRules: [{verbs: [get], apiGroups: [""], resources: [pods], clusterScope: true}]`,
		"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": `
spec:
  type: Limited
  limited: {nominalConcurrencyShares: 1, limitResponse: {type: Reject}}`,
		"apiextensions.k8s.io/CustomResourceDefinition": `
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {x: {type: string}, replicas: {type: integer}}}
          status: {type: object, properties: {replicas: {type: integer}}}`,
		"apiregistration.k8s.io/APIService": `
spec:
  group: example.com
  version: v1
  groupPriorityMinimum: 1000
  versionPriority: 15
  insecureSkipTLSVerify: true
  service: {namespace: required-proof, name: svc}`,
		"networking.k8s.io/IPAddress": `
spec:
  parentRef: {group: "", resource: services, namespace: required-proof, name: x}`,
		"networking.k8s.io/IngressClass": `spec: {controller: example.com/ingress}`,
		"networking.k8s.io/ServiceCIDR":  `spec: {cidrs: [10.96.0.0/16]}`,
		"storage.k8s.io/VolumeAttachment": `
spec:
  attacher: example.com
  nodeName: "n"
  source: {persistentVolumeName: pv}`,
		"storage.k8s.io/VolumeAttributesClass": `
driverName: example.com
parameters: {k: v}`,
		"storage.k8s.io/CSIDriver": `spec: {}`,
		"storage.k8s.io/CSINode":   `spec: {drivers: []}`,
		"rbac.authorization.k8s.io/ClusterRole": `
rules:
- verbs: [get]
  apiGroups: [""]
  resources: [pods]`,
		"rbac.authorization.k8s.io/Role": `
rules:
- verbs: [get]
  apiGroups: [""]
  resources: [pods]`,
		"rbac.authorization.k8s.io/ClusterRoleBinding": `
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
subjects:
- {kind: User, name: u, apiGroup: rbac.authorization.k8s.io}`,
		"rbac.authorization.k8s.io/RoleBinding": `
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
subjects:
- {kind: User, name: u, apiGroup: rbac.authorization.k8s.io}`,
		"storagemigration.k8s.io/StorageVersionMigration": `
spec:
  resource: {group: apps, resource: deployments}`,
		"resource.k8s.io/DeviceClass": `spec: {}`,
		"resource.k8s.io/DeviceTaintRule": `
spec:
  taint: {key: example.com/key, effect: NoSchedule}`,
	})
	return m
}()

// reqReportedAt gives the field path the apiserver prints where it is not
// the path of the field in the object.
var reqReportedAt = map[string]string{}

// reqNames are the object names some kinds need.
var reqNames = map[string]string{
	"CustomResourceDefinition": "widgets.example.com",
	"APIService":               "v1.example.com",
	"IPAddress":                "10.1.2.3",
	"Binding":                  reqName, // a pod's binding: create-only, yet named
}

// reqTweaks adjust the skeleton, by key or definition (full or short name),
// where the check needs some context.
var reqTweaks = map[string]func(obj map[string]any){
	// A block device needs a claim behind it.
	"VolumeDevice": func(obj map[string]any) {
		if spec, ok := obj["spec"].(map[string]any); ok && obj["kind"] == "Pod" {
			spec["volumes"] = []any{map[string]any{"name": "x", "persistentVolumeClaim": map[string]any{"claimName": "c"}}}
		}
	},
	// A container's claim names one of the pod's.
	"io.k8s.api.core.v1.ResourceClaim": func(obj map[string]any) {
		if spec, ok := obj["spec"].(map[string]any); ok && obj["kind"] == "Pod" {
			spec["resourceClaims"] = []any{map[string]any{"name": "x", "resourceClaimName": "x"}}
		}
	},
}
