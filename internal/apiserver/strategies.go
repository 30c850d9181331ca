package apiserver

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"

	crdinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	crdstrategy "k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition"
	apiserviceinstall "k8s.io/kube-aggregator/pkg/apis/apiregistration/install"
	apiservicestrategy "k8s.io/kube-aggregator/pkg/registry/apiservice"
	"k8s.io/kubernetes/pkg/api/legacyscheme"

	// The API groups a default kube-apiserver serves, registered in legacyscheme.Scheme
	// with their defaulting and conversion functions.
	_ "k8s.io/kubernetes/pkg/apis/admissionregistration/install"
	_ "k8s.io/kubernetes/pkg/apis/apiserverinternal/install"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/certificates/install"
	_ "k8s.io/kubernetes/pkg/apis/coordination/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/discovery/install"
	_ "k8s.io/kubernetes/pkg/apis/events/install"
	_ "k8s.io/kubernetes/pkg/apis/flowcontrol/install"
	_ "k8s.io/kubernetes/pkg/apis/lifecycle/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/node/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"
	_ "k8s.io/kubernetes/pkg/apis/resource/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"
	_ "k8s.io/kubernetes/pkg/apis/storagemigration/install"

	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingadmissionpolicy"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingadmissionpolicybinding"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingadmissionpolicy"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingadmissionpolicybinding"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/apiserverinternal/storageversion"
	"k8s.io/kubernetes/pkg/registry/apps/controllerrevision"
	"k8s.io/kubernetes/pkg/registry/apps/daemonset"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/replicaset"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/batch/cronjob"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/certificates/certificates"
	"k8s.io/kubernetes/pkg/registry/certificates/clustertrustbundle"
	"k8s.io/kubernetes/pkg/registry/certificates/podcertificaterequest"
	"k8s.io/kubernetes/pkg/registry/coordination/lease"
	"k8s.io/kubernetes/pkg/registry/coordination/leasecandidate"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/endpoint"
	"k8s.io/kubernetes/pkg/registry/core/event"
	"k8s.io/kubernetes/pkg/registry/core/limitrange"
	"k8s.io/kubernetes/pkg/registry/core/namespace"
	"k8s.io/kubernetes/pkg/registry/core/node"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolume"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/podtemplate"
	"k8s.io/kubernetes/pkg/registry/core/replicationcontroller"
	"k8s.io/kubernetes/pkg/registry/core/resourcequota"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/discovery/endpointslice"
	"k8s.io/kubernetes/pkg/registry/flowcontrol/flowschema"
	"k8s.io/kubernetes/pkg/registry/flowcontrol/prioritylevelconfiguration"
	"k8s.io/kubernetes/pkg/registry/lifecycle/evictionrequest"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/networking/ingressclass"
	"k8s.io/kubernetes/pkg/registry/networking/ipaddress"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/networking/servicecidr"
	"k8s.io/kubernetes/pkg/registry/node/runtimeclass"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrole"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrolebinding"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
	"k8s.io/kubernetes/pkg/registry/resource/deviceclass"
	"k8s.io/kubernetes/pkg/registry/resource/devicetaintrule"
	"k8s.io/kubernetes/pkg/registry/resource/resourceclaim"
	"k8s.io/kubernetes/pkg/registry/resource/resourceclaimtemplate"
	"k8s.io/kubernetes/pkg/registry/resource/resourcepoolstatusrequest"
	"k8s.io/kubernetes/pkg/registry/resource/resourceslice"
	"k8s.io/kubernetes/pkg/registry/scheduling/compositepodgroup"
	"k8s.io/kubernetes/pkg/registry/scheduling/podgroup"
	"k8s.io/kubernetes/pkg/registry/scheduling/priorityclass"
	"k8s.io/kubernetes/pkg/registry/scheduling/workload"
	"k8s.io/kubernetes/pkg/registry/storage/csidriver"
	"k8s.io/kubernetes/pkg/registry/storage/csinode"
	"k8s.io/kubernetes/pkg/registry/storage/csistoragecapacity"
	"k8s.io/kubernetes/pkg/registry/storage/storageclass"
	"k8s.io/kubernetes/pkg/registry/storage/volumeattachment"
	"k8s.io/kubernetes/pkg/registry/storage/volumeattributesclass"
	"k8s.io/kubernetes/pkg/registry/storagemigration/storagemigration"
)

// kindStrategy is how the apiserver creates one kind: the scheme that decodes, defaults
// and converts it, and the registry strategy that prepares and validates it.
type kindStrategy struct {
	scheme   *runtime.Scheme
	strategy rest.RESTCreateStrategy
}

// crdScheme holds the apiextensions types, which the apiserver keeps apart from the
// built-in groups of legacyscheme.
var crdScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	crdinstall.Install(s)
	return s
}()

// apiServiceScheme holds the apiregistration types, which the kube-apiserver's
// aggregator serves.
var apiServiceScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	apiserviceinstall.Install(s)
	return s
}()

// strategies are the registry strategies of the kinds a kube-apiserver stores, by group
// and kind (every served version of a kind shares its strategy). Strategies that read
// cluster state (the authorizer of admission policies' paramKind, the namespace of a
// ResourceClaim asking for admin access) get none: that part of their verdict needs the
// cluster, which server-side dry-run asks. Kinds the apiserver does not store (reviews,
// Binding, Scale, Eviction) have no create strategy and are judged by the schema alone.
var strategies = func() map[schema.GroupKind]kindStrategy {
	legacy := map[schema.GroupKind]rest.RESTCreateStrategy{
		{Group: "", Kind: "ConfigMap"}:                                                    configmap.Strategy,
		{Group: "", Kind: "Endpoints"}:                                                    endpoint.Strategy,
		{Group: "", Kind: "Event"}:                                                        event.Strategy,
		{Group: "", Kind: "LimitRange"}:                                                   limitrange.Strategy,
		{Group: "", Kind: "Namespace"}:                                                    namespace.Strategy,
		{Group: "", Kind: "Node"}:                                                         node.Strategy,
		{Group: "", Kind: "PersistentVolume"}:                                             persistentvolume.Strategy,
		{Group: "", Kind: "PersistentVolumeClaim"}:                                        persistentvolumeclaim.Strategy,
		{Group: "", Kind: "Pod"}:                                                          pod.Strategy,
		{Group: "", Kind: "PodTemplate"}:                                                  podtemplate.Strategy,
		{Group: "", Kind: "ReplicationController"}:                                        replicationcontroller.Strategy,
		{Group: "", Kind: "ResourceQuota"}:                                                resourcequota.Strategy,
		{Group: "", Kind: "Secret"}:                                                       secret.Strategy,
		{Group: "", Kind: "Service"}:                                                      service.Strategy,
		{Group: "", Kind: "ServiceAccount"}:                                               serviceaccount.Strategy,
		{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     mutatingwebhookconfiguration.Strategy,
		{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   validatingwebhookconfiguration.Strategy,
		{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        validatingadmissionpolicy.NewStrategy(nil, nil),
		{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: validatingadmissionpolicybinding.NewStrategy(nil, nil, nil),
		{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          mutatingadmissionpolicy.NewStrategy(nil, nil),
		{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   mutatingadmissionpolicybinding.NewStrategy(nil, nil, nil),
		{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      storageversion.Strategy,
		{Group: "apps", Kind: "ControllerRevision"}:                                       controllerrevision.Strategy,
		{Group: "apps", Kind: "DaemonSet"}:                                                daemonset.Strategy,
		{Group: "apps", Kind: "Deployment"}:                                               deployment.Strategy,
		{Group: "apps", Kind: "ReplicaSet"}:                                               replicaset.Strategy,
		{Group: "apps", Kind: "StatefulSet"}:                                              statefulset.Strategy,
		{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}:                           horizontalpodautoscaler.Strategy,
		{Group: "batch", Kind: "CronJob"}:                                                 cronjob.Strategy,
		{Group: "batch", Kind: "Job"}:                                                     job.Strategy,
		{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 certificates.Strategy,
		{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        clustertrustbundle.Strategy,
		{Group: "certificates.k8s.io", Kind: "PodCertificateRequest"}:                     podcertificaterequest.NewStrategy(),
		{Group: "coordination.k8s.io", Kind: "Lease"}:                                     lease.Strategy,
		{Group: "coordination.k8s.io", Kind: "LeaseCandidate"}:                            leasecandidate.Strategy,
		{Group: "discovery.k8s.io", Kind: "EndpointSlice"}:                                endpointslice.Strategy,
		{Group: "events.k8s.io", Kind: "Event"}:                                           event.Strategy,
		{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       flowschema.Strategy,
		{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       prioritylevelconfiguration.Strategy,
		{Group: "lifecycle.k8s.io", Kind: "EvictionRequest"}:                              evictionrequest.NewStrategy(),
		{Group: "networking.k8s.io", Kind: "Ingress"}:                                     ingress.Strategy,
		{Group: "networking.k8s.io", Kind: "IngressClass"}:                                ingressclass.Strategy,
		{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   ipaddress.Strategy,
		{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:                               networkpolicy.Strategy,
		{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 servicecidr.Strategy,
		{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      runtimeclass.Strategy,
		{Group: "policy", Kind: "PodDisruptionBudget"}:                                    poddisruptionbudget.Strategy,
		{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         clusterrole.Strategy,
		{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  clusterrolebinding.Strategy,
		{Group: "rbac.authorization.k8s.io", Kind: "Role"}:                                role.Strategy,
		{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:                         rolebinding.Strategy,
		{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   deviceclass.Strategy,
		{Group: "resource.k8s.io", Kind: "DeviceTaintRule"}:                               devicetaintrule.Strategy,
		{Group: "resource.k8s.io", Kind: "ResourceClaim"}:                                 resourceclaim.NewStrategy(nil, nil),
		{Group: "resource.k8s.io", Kind: "ResourceClaimTemplate"}:                         resourceclaimtemplate.NewStrategy(nil),
		{Group: "resource.k8s.io", Kind: "ResourcePoolStatusRequest"}:                     resourcepoolstatusrequest.Strategy,
		{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 resourceslice.Strategy,
		{Group: "scheduling.k8s.io", Kind: "CompositePodGroup"}:                           compositepodgroup.NewStrategy(),
		{Group: "scheduling.k8s.io", Kind: "PodGroup"}:                                    podgroup.NewStrategy(),
		{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               priorityclass.Strategy,
		{Group: "scheduling.k8s.io", Kind: "Workload"}:                                    workload.Strategy,
		{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      csidriver.Strategy,
		{Group: "storage.k8s.io", Kind: "CSINode"}:                                        csinode.Strategy,
		{Group: "storage.k8s.io", Kind: "CSIStorageCapacity"}:                             csistoragecapacity.Strategy,
		{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   storageclass.Strategy,
		{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               volumeattachment.Strategy,
		{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          volumeattributesclass.Strategy,
		{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               storagemigration.Strategy,
	}
	m := make(map[schema.GroupKind]kindStrategy, len(legacy)+2)
	for gk, s := range legacy {
		m[gk] = kindStrategy{scheme: legacyscheme.Scheme, strategy: s}
	}
	m[schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}] = kindStrategy{scheme: crdScheme, strategy: crdstrategy.NewStrategy(crdScheme)}
	m[schema.GroupKind{Group: "apiregistration.k8s.io", Kind: "APIService"}] = kindStrategy{scheme: apiServiceScheme, strategy: apiservicestrategy.NewStrategy(apiServiceScheme)}
	return m
}()
