package validate

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/validate/content"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-lsp/kubectl-lsp/internal/apiserver"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// nameRule checks an object name the way the apiserver's validation for its kind does.
// prefix is true for generateName, where a trailing dash is allowed.
type nameRule func(name string, prefix bool) []string

func maskTrailingDash(name string) string {
	if len(name) > 1 && strings.HasSuffix(name, "-") {
		return name[:len(name)-2] + "a"
	}
	return name
}

func dnsSubdomain(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return utilvalidation.IsDNS1123Subdomain(name)
}

func dnsLabel(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return utilvalidation.IsDNS1123Label(name)
}

func dns1035Label(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return utilvalidation.IsDNS1035Label(name)
}

// pathSegment is RBAC's rule: any name usable as a URL path segment.
func pathSegment(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}

// nameRuleFor picks the name rule of a kind, as the apiserver's per-kind validation does.
// Most kinds take DNS subdomains; the exceptions are listed.
func nameRuleFor(gvk schema.GVK, k8sMinor int) nameRule {
	switch gvk.Group {
	case "":
		switch gvk.Kind {
		case "Namespace":
			return dnsLabel
		case "Service":
			if k8sMinor >= 36 {
				// Relaxed Service name validation is on by default from 1.36.
				return dnsLabel
			}
			return dns1035Label
		}
	case "apps":
		if gvk.Kind == "StatefulSet" {
			return dnsLabel
		}
	case "rbac.authorization.k8s.io":
		return pathSegment
	}
	return dnsSubdomain
}

// metadataChecks validates metadata like the apiserver's ObjectMeta validation: name or
// generateName, namespace, labels and annotations.
func (w *walker) metadataChecks(root *yaml.Node, t *schema.Type, k8sMinor int) {
	metaNode, metaKey, matched := yamlpos.Lookup(root, yamlpos.Path{{Key: "metadata"}})
	meta := yamlpos.Resolve(metaNode)
	if matched != 1 || meta == nil || meta.Kind != yaml.MappingNode {
		meta, metaKey = nil, nil
	}
	get := func(field string) (*yaml.Node, *yaml.Node) {
		if meta == nil {
			return nil, nil
		}
		n, k, m := yamlpos.Lookup(meta, yamlpos.Path{{Key: field}})
		if m != 1 {
			return nil, nil
		}
		n = yamlpos.Resolve(n)
		if yamlpos.KindOf(n) != yamlpos.String {
			return nil, k
		}
		return n, k
	}
	if w.judged {
		// The create path judges names, labels and annotations; only the warning is ours
		// (and olderNameRule).
		if ns, _ := get("namespace"); ns != nil && ns.Value != "" && !t.Namespaced {
			w.namespaceScope(ns, t)
		}
		return
	}
	rule := nameRuleFor(t.GVK, k8sMinor)
	nameNode, _ := get("name")
	genNode, _ := get("generateName")
	if nameNode == nil && genNode == nil && !t.CreateOnly() {
		at := metaKey
		if at == nil {
			_, at, _ = yamlpos.Lookup(root, yamlpos.Path{{Key: "kind"}})
		}
		w.add(Error, CodeName, at, w.prefix+"metadata.name", w.prefix+"metadata.name: Required value: name or generateName is required")
	}
	if nameNode != nil {
		w.nameErrors(nameNode, "metadata.name", rule(nameNode.Value, false))
		if t.CRD == nil && t.GVK.Kind == "CustomResourceDefinition" && t.GVK.Group == "apiextensions.k8s.io" {
			w.crdName(root, nameNode)
		}
	}
	if genNode != nil && nameNode == nil {
		w.nameErrors(genNode, "metadata.generateName", rule(genNode.Value, true))
	}
	if ns, _ := get("namespace"); ns != nil && ns.Value != "" {
		p := w.prefix + "metadata.namespace"
		if !t.Namespaced {
			w.namespaceScope(ns, t)
		} else if errs := utilvalidation.IsDNS1123Label(ns.Value); len(errs) > 0 {
			w.add(Error, CodeNamespace, ns, p, fmt.Sprintf("%s: Invalid value: %s: %s", p, strconv.Quote(ns.Value), strings.Join(errs, "; ")))
		}
	}
	if meta == nil {
		return
	}
	if labels, _, m := yamlpos.Lookup(meta, yamlpos.Path{{Key: "labels"}}); m == 1 {
		w.labels(yamlpos.Resolve(labels))
	}
	if ann, _, m := yamlpos.Lookup(meta, yamlpos.Path{{Key: "annotations"}}); m == 1 {
		w.annotations(yamlpos.Resolve(ann))
	}
}

// olderNameRule reports, after the linked create path judged an object, a name (or
// generateName) that it accepts and the release 1.k8sMinor rejects, where that release's
// rule for the kind is stricter (a Service before 1.36: a DNS-1035 label, no leading
// digit). A name both reject is the create path's to report.
func (w *walker) olderNameRule(root *yaml.Node, gvk schema.GVK, k8sMinor int) {
	if k8sMinor <= 0 {
		return
	}
	older, linked := nameRuleFor(gvk, k8sMinor), nameRuleFor(gvk, linkedMinor())
	for _, f := range []struct {
		key    string
		prefix bool
	}{{"name", false}, {"generateName", true}} {
		n, _, m := yamlpos.Lookup(root, yamlpos.Path{{Key: "metadata"}, {Key: f.key}})
		if n = yamlpos.Resolve(n); m != 2 || yamlpos.KindOf(n) != yamlpos.String || n.Value == "" {
			continue
		}
		if len(linked(n.Value, f.prefix)) == 0 {
			w.nameErrors(n, "metadata."+f.key, older(n.Value, f.prefix))
		}
		return // the name wins over generateName
	}
}

// linkedMinor is the minor release of the kube-apiserver linked in (37 for 1.37).
var linkedMinor = sync.OnceValue(func() int {
	_, minor, _ := strings.Cut(apiserver.Version(), ".")
	n, _ := strconv.Atoi(minor)
	return n
})

// namespaceScope warns about a namespace on a cluster-scoped kind. The apiserver clears
// it before validating (whatever its value, existing or not), and says nothing: create,
// kubectl apply and server-side apply all succeed. Probably not what was meant.
func (w *walker) namespaceScope(ns *yaml.Node, t *schema.Type) {
	p := w.prefix + "metadata.namespace"
	w.add(Warning, CodeNamespaceScope, ns, p, fmt.Sprintf("%s: %s is cluster-scoped: the namespace %s is ignored", p, t.GVK.Kind, strconv.Quote(ns.Value)))
}

func (w *walker) nameErrors(n *yaml.Node, field string, errs []string) {
	if len(errs) == 0 {
		return
	}
	p := w.prefix + field
	w.add(Error, CodeName, n, p, fmt.Sprintf("%s: Invalid value: %s: %s", p, strconv.Quote(n.Value), strings.Join(errs, "; ")))
}

// crdName checks that a CustomResourceDefinition is named <plural>.<group>.
func (w *walker) crdName(root, nameNode *yaml.Node) {
	plural, _, m1 := yamlpos.Lookup(root, yamlpos.ParsePath("spec.names.plural"))
	group, _, m2 := yamlpos.Lookup(root, yamlpos.ParsePath("spec.group"))
	if m1 != 3 || m2 != 2 || yamlpos.KindOf(plural) != yamlpos.String || yamlpos.KindOf(group) != yamlpos.String {
		return
	}
	want := yamlpos.Resolve(plural).Value + "." + yamlpos.Resolve(group).Value
	if nameNode.Value != want {
		p := w.prefix + "metadata.name"
		w.add(Error, CodeName, nameNode, p, fmt.Sprintf("%s: Invalid value: %s: must be spec.names.plural+\".\"+spec.group (%s)", p, strconv.Quote(nameNode.Value), strconv.Quote(want)))
	}
}

func (w *walker) labels(n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	p := w.prefix + "metadata.labels"
	for _, kv := range yamlpos.Entries(n) {
		k := yamlpos.KeyString(kv.Key)
		if errs := qualifiedNameErrors(k); len(errs) > 0 {
			w.add(Error, CodeLabel, kv.Key, p, fmt.Sprintf("%s: Invalid value: %s: %s", p, strconv.Quote(k), strings.Join(errs, "; ")))
		}
		v := yamlpos.Resolve(kv.Value)
		if v == nil || v.Kind != yaml.ScalarNode || yamlpos.KindOf(v) != yamlpos.String {
			continue // a type error, reported by the schema walk
		}
		if errs := labelValueErrors(v.Value); len(errs) > 0 {
			w.add(Error, CodeLabel, v, p, fmt.Sprintf("%s: Invalid value: %s: %s", p, strconv.Quote(v.Value), strings.Join(errs, "; ")))
		}
	}
}

// totalAnnotationSizeLimit is the apiserver's limit on the summed size of annotation keys
// and values.
const totalAnnotationSizeLimit = 256 * 1024

func (w *walker) annotations(n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	p := w.prefix + "metadata.annotations"
	total := 0
	for _, kv := range yamlpos.Entries(n) {
		k := yamlpos.KeyString(kv.Key)
		if errs := qualifiedNameErrors(strings.ToLower(k)); len(errs) > 0 {
			w.add(Error, CodeAnnotation, kv.Key, p, fmt.Sprintf("%s: Invalid value: %s: %s", p, strconv.Quote(k), strings.Join(errs, "; ")))
		}
		total += len(k)
		if v := yamlpos.Resolve(kv.Value); v != nil && v.Kind == yaml.ScalarNode {
			total += len(v.Value)
		}
	}
	if total > totalAnnotationSizeLimit {
		w.add(Error, CodeAnnotation, w.nearestKey(n), p, fmt.Sprintf("%s: Too long: must have at most %d bytes", p, totalAnnotationSizeLimit))
	}
}

// The apimachinery validators match regular expressions; most keys and values are plainly
// valid, which these byte checks confirm without one. Anything they do not confirm goes to
// the apimachinery validator, which has the final word and the message.

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// plainName reports whether s is a valid qualified-name part or label value: at most 63
// characters of [A-Za-z0-9-_.], starting and ending alphanumeric.
func plainName(s string) bool {
	if len(s) == 0 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// plainSubdomain reports whether s is a lowercase DNS subdomain made of plain labels.
func plainSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || !isLowerAlnum(label[0]) || !isLowerAlnum(label[len(label)-1]) {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isLowerAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func plainQualifiedName(k string) bool {
	if i := strings.IndexByte(k, '/'); i >= 0 {
		return plainSubdomain(k[:i]) && plainName(k[i+1:])
	}
	return plainName(k)
}

func qualifiedNameErrors(k string) []string {
	if plainQualifiedName(k) {
		return nil
	}
	return utilvalidation.IsQualifiedName(k)
}

func labelValueErrors(v string) []string {
	if v == "" || plainName(v) {
		return nil
	}
	return utilvalidation.IsValidLabelValue(v)
}
