package engine

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// LiveObject is an object as a cluster has it, for reading: kubectl get -o yaml without
// managedFields, a Secret's values masked.
type LiveObject = kube.LiveObject

// refGroups are the API groups of the kinds references name (see refRules), by kind.
var refGroups = map[string]string{
	"ConfigMap": "", "Secret": "", "ServiceAccount": "", "PersistentVolumeClaim": "", "Service": "",
	"Namespace": "", "PersistentVolume": "", "ReplicationController": "",
	"PriorityClass": "scheduling.k8s.io", "RuntimeClass": "node.k8s.io", "StorageClass": "storage.k8s.io",
	"Role": "rbac.authorization.k8s.io", "ClusterRole": "rbac.authorization.k8s.io",
	"Deployment": "apps", "StatefulSet": "apps", "ReplicaSet": "apps",
	"IngressClass": "networking.k8s.io",
	"Gateway":      "gateway.networking.k8s.io",
	"GatewayClass": "gateway.networking.k8s.io",
}

// CanGet reports whether the object a target names can be read from a cluster: its kind
// is one references name.
func CanGet(t Target) bool {
	_, ok := refGroups[t.Key.Kind]
	return ok
}

// LiveKey is the object a target names as the cluster would resolve it: a manifest
// without a namespace goes to the context's namespace, as kubectl applies it.
func (c *Cluster) LiveKey(t Target) ObjectKey {
	k := t.Key
	if t.Unnamespaced {
		k.Namespace = c.Namespace()
		if k.Namespace == "" {
			k.Namespace = "default"
		}
	}
	return k
}

// Get reads the object a key names from the cluster, within the cluster's timeout.
func (c *Cluster) Get(ctx context.Context, k ObjectKey) (LiveObject, error) {
	group, ok := refGroups[k.Kind]
	if !ok {
		return LiveObject{}, fmt.Errorf("%s: reading this kind from the cluster is not supported", k.Kind)
	}
	return c.client.Get(ctx, schema.GroupKind{Group: group, Kind: k.Kind}, k.Namespace, k.Name)
}
