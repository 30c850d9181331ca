package validate

import (
	"slices"
	"sync"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// RequiredFields lists the fields a manifest of kind has to give in an object of type t,
// exactly those whose absence validation reports as "Required value" (directly, or inside
// an object the apiserver fills in): the required fields of t and of its allOf members,
// without those the apiserver does not enforce (requiredNotEnforced) and those a default
// fills in (the defaults of built-in kinds that are only Go zero values do not count: the
// apiserver rejects them); then the optional objects the apiserver fills in as {} that
// would still lack required values (a Deployment's pod template, whose spec needs
// containers). A required object whose {} default lacks required values is listed too.
// Completion, skeletons and the placeholders of quick fixes use it, so that what they
// write is what validation asks for; hence the fields the apiserver's own validation
// requires beyond the OpenAPI's (requiredByValidation) come last.
func RequiredFields(t *schema.Schema, kind string) []string {
	tt := t.T()
	nds := needs(tt, kind)
	out := make([]string, len(nds))
	for i, nd := range nds {
		out[i] = nd.name
	}
	if tt == nil {
		return out
	}
	for _, name := range requiredByValidation[tt.Name] {
		if !slices.Contains(out, name) && propertyOf(tt, name) != nil {
			out = append(out, name)
		}
	}
	return out
}

// requiredByValidation lists, by definition, fields the OpenAPI leaves optional but the
// apiserver's validation (which internal/apiserver runs in process) rejects as missing:
// a Pod's containers and init containers need an image. The schema walker does not report
// them (the apiserver's verdict does); RequiredFields lists them, so that completion and
// skeletons write them.
var requiredByValidation = map[string][]string{
	"io.k8s.api.core.v1.Container": {"image"},
}

// need is a field an object has to give.
type need struct {
	name string
	// prop is the field's schema, nil when only a required list names it.
	prop *schema.Schema
	// filled: the apiserver fills the field in with {} when it is missing, and that still
	// lacks required values (reported inside it).
	filled bool
}

// maxDefaultDepth bounds the objects filled in within filled-in objects (recursive
// schemas).
const maxDefaultDepth = 8

type needsKey struct {
	t    *schema.Schema
	kind string
}

var needsCache sync.Map // needsKey → []need

// needs lists the fields an object of type t has to give in a manifest of kind, in the
// order of RequiredFields.
func needs(t *schema.Schema, kind string) []need {
	return needsAt(t, kind, 0)
}

func needsAt(t *schema.Schema, kind string, depth int) []need {
	if t == nil {
		return nil
	}
	if _, ok := requiredNotEnforcedIn[kind]; !ok {
		kind = "" // the answer only depends on the kinds with exemptions of their own
	}
	key := needsKey{t, kind}
	if depth == 0 {
		if v, ok := needsCache.Load(key); ok {
			return v.([]need)
		}
	}
	var out []need
	required := requiredOf(t)
	for _, r := range required {
		if exempt(t.Name, r, kind) {
			continue
		}
		prop := propertyOf(t, r)
		if prop != nil {
			if def, ok := prop.DefaultValue(); ok && DefaultSatisfies(def, t.Structural) {
				if IsEmptyObject(def) && lacksWhenEmpty(prop.T(), kind, depth) {
					out = append(out, need{name: r, prop: prop, filled: true})
				}
				continue
			}
		}
		out = append(out, need{name: r, prop: prop})
	}
	for _, name := range t.PropertyNames() {
		if name == "status" || slices.Contains(required, name) {
			continue
		}
		prop := t.Properties[name]
		if def, ok := prop.DefaultValue(); ok && IsEmptyObject(def) && lacksWhenEmpty(prop.T(), kind, depth) {
			out = append(out, need{name: name, prop: prop, filled: true})
		}
	}
	if depth == 0 {
		needsCache.Store(key, out) // deeper answers may be cut short by the depth bound
	}
	return out
}

// lacksWhenEmpty reports whether an empty object of type t misses required values.
func lacksWhenEmpty(t *schema.Schema, kind string, depth int) bool {
	return t != nil && depth < maxDefaultDepth && len(needsAt(t, kind, depth+1)) > 0
}

// requiredOf lists the required fields of object t and of its allOf members (which the
// apiserver checks against the same object), without repeats.
func requiredOf(t *schema.Schema) []string {
	if len(t.AllOf) == 0 {
		return t.Required
	}
	out := slices.Clone(t.Required)
	var add func(s *schema.Schema, depth int)
	add = func(s *schema.Schema, depth int) {
		st := s.T()
		if st == nil || depth > maxDefaultDepth {
			return
		}
		for _, r := range st.Required {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		for _, a := range st.AllOf {
			add(a, depth+1)
		}
	}
	for _, a := range t.AllOf {
		add(a, 0)
	}
	return out
}

// propertyOf is the schema of property name of object t: its own, else an allOf
// member's.
func propertyOf(t *schema.Schema, name string) *schema.Schema {
	if p := t.Properties[name]; p != nil {
		return p
	}
	for _, a := range t.AllOf {
		if at := a.T(); at != nil && at.Properties[name] != nil {
			return at.Properties[name]
		}
	}
	return nil
}

// requiredNotEnforced lists fields of built-in kinds that the OpenAPI marks required (their
// Go fields lack omitempty) but that the apiserver accepts missing or empty. Each entry is
// proven by the tests against a real apiserver.
var requiredNotEnforced = map[string]bool{
	"io.k8s.api.batch.v1.PodFailurePolicy.rules":                                                      true,
	"io.k8s.api.core.v1.ConfigMapNodeConfigSource.kubeletConfigKey":                                   true,
	"io.k8s.api.core.v1.ConfigMapNodeConfigSource.name":                                               true,
	"io.k8s.api.core.v1.ConfigMapNodeConfigSource.namespace":                                          true,
	"io.k8s.api.core.v1.EvictionResponder.name":                                                       true,
	"io.k8s.api.core.v1.EvictionResponder.priority":                                                   true,
	"io.k8s.api.core.v1.HTTPHeader.value":                                                             true,
	"io.k8s.api.core.v1.ISCSIPersistentVolumeSource.lun":                                              true,
	"io.k8s.api.core.v1.ISCSIVolumeSource.lun":                                                        true,
	"io.k8s.api.core.v1.LimitRangeSpec.limits":                                                        true,
	"io.k8s.api.core.v1.ScaleIOPersistentVolumeSource.secretRef":                                      true,
	"io.k8s.api.core.v1.ScaleIOVolumeSource.secretRef":                                                true,
	"io.k8s.api.core.v1.SleepAction.seconds":                                                          true,
	"io.k8s.api.core.v1.Sysctl.value":                                                                 true,
	"io.k8s.api.discovery.v1.ForZone.name":                                                            true,
	"io.k8s.api.resource.v1.Counter.value":                                                            true,
	"io.k8s.api.resource.v1.DeviceCapacity.value":                                                     true,
	"io.k8s.api.resource.v1.DeviceDerivedAttribute.expression":                                        true,
	"io.k8s.api.resource.v1.DeviceDerivedAttribute.name":                                              true,
	"io.k8s.api.resource.v1.ResourcePool.generation":                                                  true,
	"io.k8s.api.scheduling.v1alpha3.TopologyConstraint.key":                                           true,
	"io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupResourceClaim.name":                               true,
	"io.k8s.api.storage.v1.CSINodeSpec.drivers":                                                       true,
	"io.k8s.api.storage.v1.TokenRequest.audience":                                                     true,
	"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion.served": true,
	"io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement.operator":                          true,
	"io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource.group":                                        true,
}

// requiredNotEnforcedIn lists fields that only some kinds leave unenforced: elsewhere the
// apiserver does require them.
var requiredNotEnforcedIn = map[string]map[string]bool{
	"SubjectAccessReview":      {"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator": true},
	"LocalSubjectAccessReview": {"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator": true},
	"SelfSubjectAccessReview":  {"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator": true},
}

// exempt reports whether the apiserver leaves the required field of definition def
// unenforced in objects of kind.
func exempt(def, field, kind string) bool {
	key := def + "." + field
	return requiredNotEnforced[key] || requiredNotEnforcedIn[kind][key]
}
