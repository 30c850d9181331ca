package engine

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// References between the objects of a workspace: a Deployment's configMapRef names a
// ConfigMap, a RoleBinding's roleRef a Role. The rules below say where such names are;
// the Index (index.go) answers go-to-definition, references and rename with them.

// ObjectKey names an object: its kind, namespace ("" for cluster-scoped kinds) and name.
// Kinds are compared without their group and version, as references name them.
type ObjectKey struct {
	Kind, Namespace, Name string
}

func (k ObjectKey) String() string {
	if k.Namespace == "" {
		return k.Kind + "/" + k.Name
	}
	return k.Kind + "/" + k.Name + " in namespace " + k.Namespace
}

// clusterScoped are the kinds references name that have no namespace.
var clusterScoped = map[string]bool{
	"ClusterRole": true, "PriorityClass": true, "StorageClass": true, "IngressClass": true,
	"Namespace": true, "PersistentVolume": true, "RuntimeClass": true, "GatewayClass": true,
}

// podSpecs are where each workload kind keeps its pod spec.
var podSpecs = map[string]string{
	"Pod":                   "spec",
	"Deployment":            "spec.template.spec",
	"StatefulSet":           "spec.template.spec",
	"DaemonSet":             "spec.template.spec",
	"ReplicaSet":            "spec.template.spec",
	"ReplicationController": "spec.template.spec",
	"Job":                   "spec.template.spec",
	"CronJob":               "spec.jobTemplate.spec.template.spec",
	"PodTemplate":           "template.spec",
}

// A refRule finds references: at path (from the object, or from the pod spec when
// inPodSpec) a scalar names an object of kind target. With kindKey, the kind is read from
// that sibling key instead (roleRef.kind, scaleTargetRef.kind), target being the default;
// with namespaceKey, the namespace from that sibling key.
type refRule struct {
	kinds        []string // referring kinds; nil: any kind with a pod spec (inPodSpec)
	inPodSpec    bool
	path         string
	target       string
	kindKey      string
	namespaceKey string
}

var containerLists = []string{"containers", "initContainers", "ephemeralContainers"}

var refRules = func() []refRule {
	rules := []refRule{
		{inPodSpec: true, path: "volumes[].configMap.name", target: "ConfigMap"},
		{inPodSpec: true, path: "volumes[].secret.secretName", target: "Secret"},
		{inPodSpec: true, path: "volumes[].persistentVolumeClaim.claimName", target: "PersistentVolumeClaim"},
		{inPodSpec: true, path: "volumes[].projected.sources[].configMap.name", target: "ConfigMap"},
		{inPodSpec: true, path: "volumes[].projected.sources[].secret.name", target: "Secret"},
		{inPodSpec: true, path: "imagePullSecrets[].name", target: "Secret"},
		{inPodSpec: true, path: "serviceAccountName", target: "ServiceAccount"},
		{inPodSpec: true, path: "priorityClassName", target: "PriorityClass"},
		{inPodSpec: true, path: "runtimeClassName", target: "RuntimeClass"},
		{kinds: []string{"StatefulSet"}, path: "spec.volumeClaimTemplates[].spec.storageClassName", target: "StorageClass"},
		{kinds: []string{"PersistentVolumeClaim"}, path: "spec.storageClassName", target: "StorageClass"},
		{kinds: []string{"RoleBinding", "ClusterRoleBinding"}, path: "roleRef.name", target: "Role", kindKey: "kind"},
		{kinds: []string{"RoleBinding", "ClusterRoleBinding"}, path: "subjects[].name", target: "ServiceAccount", kindKey: "kind", namespaceKey: "namespace"},
		{kinds: []string{"HorizontalPodAutoscaler"}, path: "spec.scaleTargetRef.name", target: "Deployment", kindKey: "kind"},
		{kinds: []string{"Ingress"}, path: "spec.rules[].http.paths[].backend.service.name", target: "Service"},
		{kinds: []string{"Ingress"}, path: "spec.defaultBackend.service.name", target: "Service"},
		{kinds: []string{"Ingress"}, path: "spec.tls[].secretName", target: "Secret"},
		{kinds: []string{"Ingress"}, path: "spec.ingressClassName", target: "IngressClass"},
		{kinds: []string{"HTTPRoute", "GRPCRoute"}, path: "spec.rules[].backendRefs[].name", target: "Service", kindKey: "kind", namespaceKey: "namespace"},
		{kinds: []string{"HTTPRoute", "GRPCRoute"}, path: "spec.parentRefs[].name", target: "Gateway", kindKey: "kind", namespaceKey: "namespace"},
		{kinds: []string{"Gateway"}, path: "spec.gatewayClassName", target: "GatewayClass"},
	}
	for _, list := range containerLists {
		rules = append(rules,
			refRule{inPodSpec: true, path: list + "[].envFrom[].configMapRef.name", target: "ConfigMap"},
			refRule{inPodSpec: true, path: list + "[].envFrom[].secretRef.name", target: "Secret"},
			refRule{inPodSpec: true, path: list + "[].env[].valueFrom.configMapKeyRef.name", target: "ConfigMap"},
			refRule{inPodSpec: true, path: list + "[].env[].valueFrom.secretKeyRef.name", target: "Secret"},
		)
	}
	return rules
}()

// Reference is a name in an object that names another object.
type Reference struct {
	Target ObjectKey
	// Range is the name's value in its document.
	Range yamlpos.Range
	// Path is where it is, e.g. spec.template.spec.volumes[0].configMap.name.
	Path string
	// Unnamespaced: the target's namespace is "default" because the manifest names none;
	// in a cluster it is the context's namespace.
	Unnamespaced bool
}

// Definition is an object's own name: what references resolve to.
type Definition struct {
	Key ObjectKey
	// Range is metadata.name's value; Doc the document.
	Range yamlpos.Range
	Doc   *yamlpos.Document
	// Unnamespaced: the manifest names no namespace (Key says "default").
	Unnamespaced bool
	// Labels and Selector serve Service ⇄ workload references: a workload's pod
	// template labels, a Service's selector.
	Labels, Selector map[string]string
}

// objectFacts reads what navigation needs from one document: its definition (ok false
// when it is not an object with a name) and the references it holds.
func objectFacts(d *yamlpos.Document) (def Definition, refs []Reference, ok bool) {
	d.ParseDoc()
	root := yamlpos.Resolve(d.Root)
	if root == nil || root.Kind != yaml.MappingNode {
		return def, nil, false
	}
	kind := mappingScalar(root, "kind")
	meta, _, _ := yamlpos.Get(root, "metadata")
	nameNode, _, _ := yamlpos.Get(meta, "name")
	nameNode = yamlpos.Resolve(nameNode)
	if kind == "" || nameNode == nil || nameNode.Kind != yaml.ScalarNode || nameNode.Value == "" {
		return def, nil, false
	}
	ns := mappingScalar(meta, "namespace")
	unnamespaced := false
	if clusterScoped[kind] || strings.HasPrefix(kind, "Cluster") {
		ns = ""
	} else if ns == "" {
		ns, unnamespaced = "default", true
	}
	def = Definition{Key: ObjectKey{Kind: kind, Namespace: ns, Name: nameNode.Value}, Range: d.Range(nameNode), Doc: d, Unnamespaced: unnamespaced}
	podPath, hasPods := podSpecs[kind]
	if hasPods {
		if tmpl := nodeAt(root, strings.TrimSuffix(podPath, ".spec")); tmpl != nil && podPath != "spec" {
			def.Labels = stringMap(nodeAt(tmpl, "metadata.labels"))
		} else if podPath == "spec" {
			def.Labels = stringMap(nodeAt(meta, "labels"))
		}
	}
	if kind == "Service" {
		def.Selector = stringMap(nodeAt(root, "spec.selector"))
	}
	for _, r := range refRules {
		from, prefix := root, ""
		switch {
		case r.inPodSpec:
			if !hasPods {
				continue
			}
			from, prefix = nodeAt(root, podPath), podPath+"."
		case !slices.Contains(r.kinds, kind):
			continue
		}
		walkPath(from, strings.Split(r.path, "."), prefix, func(n, holder *yaml.Node, path string) {
			target := r.target
			if r.kindKey != "" {
				if k := mappingScalar(holder, r.kindKey); k != "" {
					target = k
				}
			}
			tns, implicit := ns, unnamespaced
			if r.namespaceKey != "" {
				if v := mappingScalar(holder, r.namespaceKey); v != "" {
					tns, implicit = v, false
				}
			}
			if clusterScoped[target] || strings.HasPrefix(target, "Cluster") {
				tns, implicit = "", false
			} else if tns == "" {
				tns, implicit = "default", true
			}
			refs = append(refs, Reference{Target: ObjectKey{Kind: target, Namespace: tns, Name: n.Value}, Range: d.Range(n), Path: path, Unnamespaced: implicit})
		})
	}
	return def, refs, true
}

// walkPath calls fn for each scalar at path under n ("a[].b": every item of list a), with
// the mapping holding it and its path.
func walkPath(n *yaml.Node, steps []string, path string, fn func(n, holder *yaml.Node, path string)) {
	n = yamlpos.Resolve(n)
	if n == nil || len(steps) == 0 {
		return
	}
	step, list := strings.CutSuffix(steps[0], "[]")
	v, _, ok := yamlpos.Get(n, step)
	if !ok {
		return
	}
	v = yamlpos.Resolve(v)
	if v == nil {
		return
	}
	here := path + step
	if !list {
		if len(steps) == 1 {
			if v.Kind == yaml.ScalarNode && v.Value != "" && yamlpos.KindOf(v) != yamlpos.Null {
				fn(v, n, here)
			}
			return
		}
		walkPath(v, steps[1:], here+".", fn)
		return
	}
	if v.Kind != yaml.SequenceNode {
		return
	}
	for i, item := range v.Content {
		walkPath(item, steps[1:], here+"["+strconv.Itoa(i)+"].", fn)
	}
}

// nodeAt is the node at a dotted path of mapping keys.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	for _, k := range strings.Split(path, ".") {
		v, _, ok := yamlpos.Get(n, k)
		if !ok {
			return nil
		}
		n = yamlpos.Resolve(v)
	}
	return n
}

// stringMap reads a mapping of scalars (labels, a selector); nil when empty.
func stringMap(n *yaml.Node) map[string]string {
	n = yamlpos.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := yamlpos.Resolve(n.Content[i+1]); v != nil && v.Kind == yaml.ScalarNode {
			out[n.Content[i].Value] = v.Value
		}
	}
	return out
}

// selects reports whether a selector matches labels (every selector pair present).
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
