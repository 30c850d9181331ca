package enums

// Hand-maintained: which enum fields the kube-apiserver enforces, researched in
// k8s.io/kubernetes v1.37.2 (pkg/apis/*/validation/validation.go for the
// hand-written checks, pkg/apis/*/*/zz_generated.validations.go for the
// declarative ones, pkg/registry/*/*/strategy.go and pkg/api/pod/util.go for
// fields dropped before validation) with the default feature gates.
//
// A field is listed only if, on create, the apiserver rejects every value
// outside the enum, whatever the rest of the object holds. Not listed, on
// purpose:
//
//   - status fields (the status is reset on create or written by
//     controllers): PodStatus.phase/qosClass, NodeStatus.phase,
//     NamespaceStatus.phase, PersistentVolume(Claim)Status.*,
//     ModifyVolumeStatus.status, VolumeHealthCondition.status,
//     ContainerStatus.stopSignal, PortStatus/IngressPortStatus.protocol,
//     storage StorageHealthCondition.*, resource DeviceRequestAllocationResult
//     and DeviceAllocationConfiguration (ResourceClaim status), lifecycle
//     Requester/TargetResponder (Eviction status), autoscaling/v1
//     MetricSpec/MetricStatus (not a field of any served object);
//   - fields behind an alpha feature gate that is off by default: the strategy
//     drops them before validation, so any value is silently accepted:
//     Lifecycle.stopSignal (ContainerStopSignals), HTTPGetAction.protocol
//     (H2CContainerProbe), GRPCAction.mode (GRPCContainerProbeTLS),
//     ResourceSliceSpec.skipNodeOperations (DRAOptionalNodeOperations),
//     scheduling PodGroup/CompositePodGroup preemptionPolicy
//     (PodGroupPreemptionPolicy);
//   - definitions no 1.37 apiserver serves: policy/v1beta1,
//     discovery/v1beta1, extensions/v1beta1, networking/v1beta1 Ingress,
//     scheduling/v1beta1 PriorityClass, storage/v1beta1 StorageClass,
//     admissionregistration/v1beta1 webhooks and v1alpha1
//     ValidatingAdmissionPolicy(Binding);
//   - definitions only ever inlined into another one (admissionregistration
//     Rule, core EphemeralContainerCommon): look up the enclosing definition.
//
// Alpha and beta API versions that a cluster may enable (resource.k8s.io
// v1beta1/v1beta2/v1alpha3, admissionregistration v1beta1/v1alpha1,
// lifecycle v1alpha1) are validated by the same code as the stable ones, so
// their fields are listed too: on a cluster that serves them the check
// applies, and on one that does not the object is rejected anyway.
//
// Key: OpenAPI definition name + "." + JSON field name. Value: where the
// check lives (file below k8s.io/kubernetes, function). Notes in comments
// describe where the apiserver's message differs from "Unsupported value".
var enforced = map[string]string{
	// core/v1: containers (also init and ephemeral containers, and every
	// pod template: Deployment, StatefulSet, Job, ...).
	"io.k8s.api.core.v1.Container.imagePullPolicy":                   "pkg/apis/core/validation/validation.go validatePullPolicy",
	"io.k8s.api.core.v1.Container.terminationMessagePolicy":          "pkg/apis/core/validation/validation.go validateContainerCommon",
	"io.k8s.api.core.v1.EphemeralContainer.imagePullPolicy":          "pkg/apis/core/validation/validation.go validatePullPolicy",
	"io.k8s.api.core.v1.EphemeralContainer.terminationMessagePolicy": "pkg/apis/core/validation/validation.go validateContainerCommon",
	"io.k8s.api.core.v1.ContainerPort.protocol":                      "pkg/apis/core/validation/validation.go validateContainerPorts",
	"io.k8s.api.core.v1.HTTPGetAction.scheme":                        "pkg/apis/core/validation/validation.go validateHTTPGetAction",
	"io.k8s.api.core.v1.VolumeMount.mountPropagation":                "pkg/apis/core/validation/validation.go validateMountPropagation",
	"io.k8s.api.core.v1.SecurityContext.procMount":                   "pkg/apis/core/validation/validation.go ValidateProcMountType",
	"io.k8s.api.core.v1.SeccompProfile.type":                         "pkg/apis/core/validation/validation.go validateSeccompProfileType",
	"io.k8s.api.core.v1.AppArmorProfile.type":                        "pkg/apis/core/validation/validation.go ValidateAppArmorProfileField",

	// core/v1: pod spec.
	"io.k8s.api.core.v1.PodSpec.restartPolicy":                              "pkg/apis/core/validation/validation.go validateRestartPolicy",
	"io.k8s.api.core.v1.PodSpec.dnsPolicy":                                  "pkg/apis/core/validation/validation.go validateDNSPolicy",
	"io.k8s.api.core.v1.PodSpec.preemptionPolicy":                           "pkg/apis/core/validation/validation.go ValidatePreemptionPolicy",
	"io.k8s.api.core.v1.PodSecurityContext.fsGroupChangePolicy":             "pkg/apis/core/validation/validation.go validateFSGroupChangePolicy",
	"io.k8s.api.core.v1.PodSecurityContext.supplementalGroupsPolicy":        "pkg/apis/core/validation/validation.go validateSupplementalGroupsPolicy",
	"io.k8s.api.core.v1.Toleration.operator":                                "pkg/apis/core/validation/validation.go ValidateTolerations",
	"io.k8s.api.core.v1.Toleration.effect":                                  "pkg/apis/core/validation/validation.go validateTaintEffect",
	"io.k8s.api.core.v1.TopologySpreadConstraint.whenUnsatisfiable":         "pkg/apis/core/validation/validation.go ValidateWhenUnsatisfiable",
	"io.k8s.api.core.v1.TopologySpreadConstraint.nodeAffinityPolicy":        "pkg/apis/core/validation/validation.go validateNodeInclusionPolicy",
	"io.k8s.api.core.v1.TopologySpreadConstraint.nodeTaintsPolicy":          "pkg/apis/core/validation/validation.go validateNodeInclusionPolicy",
	"io.k8s.api.core.v1.NodeSelectorRequirement.operator":                   "pkg/apis/core/validation/validation.go ValidateNodeSelectorRequirement", // field.Invalid "not a valid selector operator"; matchFields accept only In/NotIn (ValidateNodeFieldSelectorRequirement)
	"io.k8s.api.core.v1.HostPathVolumeSource.type":                          "pkg/apis/core/validation/validation.go validateHostPathType",
	"io.k8s.api.core.v1.ImageVolumeSource.pullPolicy":                       "pkg/apis/core/validation/validation.go validateImageVolumeSource",
	"io.k8s.api.core.v1.AzureDiskVolumeSource.cachingMode":                  "pkg/apis/core/validation/validation.go validateAzureDisk",
	"io.k8s.api.core.v1.AzureDiskVolumeSource.kind":                         "pkg/apis/core/validation/validation.go validateAzureDisk",
	"io.k8s.api.core.v1.PersistentVolumeClaimSpec.accessModes":              "pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimSpec",
	"io.k8s.api.core.v1.PersistentVolumeClaimSpec.volumeMode":               "pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimSpec",
	"io.k8s.api.core.v1.PersistentVolumeSpec.accessModes":                   "pkg/apis/core/validation/validation.go ValidatePersistentVolumeSpec",
	"io.k8s.api.core.v1.PersistentVolumeSpec.persistentVolumeReclaimPolicy": "pkg/apis/core/validation/validation.go ValidatePersistentVolumeSpec",
	"io.k8s.api.core.v1.PersistentVolumeSpec.volumeMode":                    "pkg/apis/core/validation/validation.go ValidatePersistentVolumeSpec",

	// core/v1: other kinds.
	"io.k8s.api.core.v1.ServiceSpec.type":                            "pkg/apis/core/validation/validation.go validateService",
	"io.k8s.api.core.v1.ServiceSpec.sessionAffinity":                 "pkg/apis/core/validation/validation.go validateService",
	"io.k8s.api.core.v1.ServiceSpec.externalTrafficPolicy":           "pkg/apis/core/validation/validation.go validateServiceExternalTrafficPolicy", // field.Invalid for any value on a ClusterIP/ExternalName service
	"io.k8s.api.core.v1.ServiceSpec.internalTrafficPolicy":           "pkg/apis/core/validation/validation.go validateServiceInternalTrafficFieldsValue",
	"io.k8s.api.core.v1.ServiceSpec.ipFamilies":                      "pkg/apis/core/validation/validation.go ValidateServiceClusterIPsRelatedFields", // Forbidden for ExternalName services
	"io.k8s.api.core.v1.ServiceSpec.ipFamilyPolicy":                  "pkg/apis/core/validation/validation.go ValidateServiceClusterIPsRelatedFields", // Forbidden for ExternalName services
	"io.k8s.api.core.v1.ServicePort.protocol":                        "pkg/apis/core/validation/validation.go validateServicePort",
	"io.k8s.api.core.v1.EndpointPort.protocol":                       "pkg/apis/core/validation/validation.go validateEndpointPort",
	"io.k8s.api.core.v1.Taint.effect":                                "pkg/apis/core/validation/validation.go validateTaintEffect",
	"io.k8s.api.core.v1.ResourceQuotaSpec.scopes":                    "pkg/apis/core/validation/validation.go validateResourceQuotaScopes",               // field.Invalid "unsupported scope"
	"io.k8s.api.core.v1.ScopedResourceSelectorRequirement.scopeName": "pkg/apis/core/validation/validation.go validateScopedResourceSelectorRequirement", // field.Invalid "unsupported scope"
	"io.k8s.api.core.v1.ScopedResourceSelectorRequirement.operator":  "pkg/apis/core/validation/validation.go validateScopedResourceSelectorRequirement", // field.Invalid "not a valid selector operator"

	// apps/v1
	"io.k8s.api.apps.v1.DeploymentStrategy.type":             "pkg/apis/apps/validation/validation.go ValidateDeploymentStrategy",      // reported on spec.strategy
	"io.k8s.api.apps.v1.DaemonSetUpdateStrategy.type":        "pkg/apis/apps/validation/validation.go ValidateDaemonSetUpdateStrategy", // reported on spec.updateStrategy
	"io.k8s.api.apps.v1.StatefulSetUpdateStrategy.type":      "pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec",         // field.Invalid on spec.updateStrategy "must be 'RollingUpdate' or 'OnDelete'"
	"io.k8s.api.apps.v1.StatefulSetSpec.podManagementPolicy": "pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec",         // field.Invalid "must be 'OrderedReady' or 'Parallel'"

	// batch/v1 (also the jobTemplate of a CronJob)
	"io.k8s.api.batch.v1.JobSpec.completionMode":                          "pkg/apis/batch/validation/validation.go validateJobSpec",
	"io.k8s.api.batch.v1.JobSpec.podReplacementPolicy":                    "pkg/apis/batch/validation/validation.go validatePodReplacementPolicy", // only "Failed" when podFailurePolicy is set
	"io.k8s.api.batch.v1.PodFailurePolicyRule.action":                     "pkg/apis/batch/validation/validation.go validatePodFailurePolicyRule",
	"io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement.operator": "pkg/apis/batch/validation/validation.go validatePodFailurePolicyRuleOnExitCodes",
	"io.k8s.api.batch.v1.CronJobSpec.concurrencyPolicy":                   "pkg/apis/batch/validation/validation.go validateConcurrencyPolicy",

	// networking/v1
	"io.k8s.api.networking.v1.NetworkPolicyPort.protocol":    "pkg/apis/networking/validation/validation.go ValidateNetworkPolicyPort",
	"io.k8s.api.networking.v1.NetworkPolicySpec.policyTypes": "pkg/apis/networking/validation/validation.go ValidateNetworkPolicySpec",
	"io.k8s.api.networking.v1.HTTPIngressPath.pathType":      "pkg/apis/networking/validation/validation.go validateHTTPIngressPath",

	// policy/v1
	"io.k8s.api.policy.v1.PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy": "pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudgetSpec",

	// discovery/v1
	"io.k8s.api.discovery.v1.EndpointSlice.addressType": "pkg/apis/discovery/validation/validation.go validateAddressType (+ beta declarative enum, pkg/apis/discovery/v1/zz_generated.validations.go)",
	"io.k8s.api.discovery.v1.EndpointPort.protocol":     "pkg/apis/discovery/validation/validation.go validatePorts",

	// storage/v1
	"io.k8s.api.storage.v1.StorageClass.reclaimPolicy":     "pkg/apis/storage/validation/validation.go validateReclaimPolicy",
	"io.k8s.api.storage.v1.StorageClass.volumeBindingMode": "pkg/apis/storage/validation/validation.go validateVolumeBindingMode",

	// scheduling/v1
	"io.k8s.api.scheduling.v1.PriorityClass.preemptionPolicy": "pkg/apis/scheduling/validation/validation.go ValidatePriorityClass -> core ValidatePreemptionPolicy",

	// certificates/v1
	"io.k8s.api.certificates.v1.CertificateSigningRequestSpec.usages": "pkg/apis/certificates/validation/validation.go validateCertificateSigningRequest",

	// admissionregistration/v1
	"io.k8s.api.admissionregistration.v1.ValidatingWebhook.failurePolicy":                        "pkg/apis/admissionregistration/validation/validation.go validateValidatingWebhook",
	"io.k8s.api.admissionregistration.v1.ValidatingWebhook.matchPolicy":                          "pkg/apis/admissionregistration/validation/validation.go validateValidatingWebhook",
	"io.k8s.api.admissionregistration.v1.ValidatingWebhook.sideEffects":                          "pkg/apis/admissionregistration/validation/validation.go validateValidatingWebhook",
	"io.k8s.api.admissionregistration.v1.MutatingWebhook.failurePolicy":                          "pkg/apis/admissionregistration/validation/validation.go validateMutatingWebhook",
	"io.k8s.api.admissionregistration.v1.MutatingWebhook.matchPolicy":                            "pkg/apis/admissionregistration/validation/validation.go validateMutatingWebhook",
	"io.k8s.api.admissionregistration.v1.MutatingWebhook.reinvocationPolicy":                     "pkg/apis/admissionregistration/validation/validation.go validateMutatingWebhook",
	"io.k8s.api.admissionregistration.v1.MutatingWebhook.sideEffects":                            "pkg/apis/admissionregistration/validation/validation.go validateMutatingWebhook",
	"io.k8s.api.admissionregistration.v1.RuleWithOperations.operations":                          "pkg/apis/admissionregistration/validation/validation.go validateRuleWithOperations",
	"io.k8s.api.admissionregistration.v1.RuleWithOperations.scope":                               "pkg/apis/admissionregistration/validation/validation.go validateRule",
	"io.k8s.api.admissionregistration.v1.NamedRuleWithOperations.operations":                     "pkg/apis/admissionregistration/validation/validation.go validateRuleWithOperations", // MutatingAdmissionPolicy(Binding) also rejects DELETE
	"io.k8s.api.admissionregistration.v1.NamedRuleWithOperations.scope":                          "pkg/apis/admissionregistration/validation/validation.go validateRule",
	"io.k8s.api.admissionregistration.v1.MatchResources.matchPolicy":                             "pkg/apis/admissionregistration/validation/validation.go validateMatchResources",
	"io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec.failurePolicy":            "pkg/apis/admissionregistration/validation/validation.go validateValidatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec.validationActions": "pkg/apis/admissionregistration/validation/validation.go validateValidationActions",
	"io.k8s.api.admissionregistration.v1.MutatingAdmissionPolicySpec.failurePolicy":              "pkg/apis/admissionregistration/validation/validation.go validateMutatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1.MutatingAdmissionPolicySpec.reinvocationPolicy":         "pkg/apis/admissionregistration/validation/validation.go validateMutatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1.Mutation.patchType":                                     "pkg/apis/admissionregistration/validation/validation.go validateMutation",

	// admissionregistration/v1beta1 (served: (Validating|Mutating)AdmissionPolicy(Binding))
	"io.k8s.api.admissionregistration.v1beta1.NamedRuleWithOperations.operations":                     "pkg/apis/admissionregistration/validation/validation.go validateRuleWithOperations",
	"io.k8s.api.admissionregistration.v1beta1.NamedRuleWithOperations.scope":                          "pkg/apis/admissionregistration/validation/validation.go validateRule",
	"io.k8s.api.admissionregistration.v1beta1.ValidatingAdmissionPolicyBindingSpec.validationActions": "pkg/apis/admissionregistration/validation/validation.go validateValidationActions",
	"io.k8s.api.admissionregistration.v1beta1.MutatingAdmissionPolicySpec.reinvocationPolicy":         "pkg/apis/admissionregistration/validation/validation.go validateMutatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1beta1.Mutation.patchType":                                     "pkg/apis/admissionregistration/validation/validation.go validateMutation",

	// admissionregistration/v1alpha1 (served: MutatingAdmissionPolicy(Binding))
	"io.k8s.api.admissionregistration.v1alpha1.NamedRuleWithOperations.operations":             "pkg/apis/admissionregistration/validation/validation.go validateRuleWithOperations",
	"io.k8s.api.admissionregistration.v1alpha1.NamedRuleWithOperations.scope":                  "pkg/apis/admissionregistration/validation/validation.go validateRule",
	"io.k8s.api.admissionregistration.v1alpha1.MatchResources.matchPolicy":                     "pkg/apis/admissionregistration/validation/validation.go validateMatchResources",
	"io.k8s.api.admissionregistration.v1alpha1.ParamRef.parameterNotFoundAction":               "pkg/apis/admissionregistration/validation/validation.go validateParamRef",
	"io.k8s.api.admissionregistration.v1alpha1.MutatingAdmissionPolicySpec.failurePolicy":      "pkg/apis/admissionregistration/validation/validation.go validateMutatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1alpha1.MutatingAdmissionPolicySpec.reinvocationPolicy": "pkg/apis/admissionregistration/validation/validation.go validateMutatingAdmissionPolicySpec",
	"io.k8s.api.admissionregistration.v1alpha1.Mutation.patchType":                             "pkg/apis/admissionregistration/validation/validation.go validateMutation",

	// resource.k8s.io: hand-written checks, also declared as beta
	// declarative enums (+k8s:beta=+k8s:enum), which are enforced and
	// replace the hand-written error with DeclarativeValidationBeta on
	// (the 1.37 default); both list the values sorted.
	"io.k8s.api.resource.v1.ExactDeviceRequest.allocationMode":      "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1.DeviceSubRequest.allocationMode":        "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1.DeviceToleration.operator":              "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1.DeviceToleration.effect":                "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1.DeviceTaint.effect":                     "pkg/apis/resource/validation/validation.go validateDeviceTaint",
	"io.k8s.api.resource.v1beta2.ExactDeviceRequest.allocationMode": "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1beta2.DeviceSubRequest.allocationMode":   "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1beta2.DeviceToleration.operator":         "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1beta2.DeviceToleration.effect":           "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1beta2.DeviceTaint.effect":                "pkg/apis/resource/validation/validation.go validateDeviceTaint",
	"io.k8s.api.resource.v1beta1.DeviceRequest.allocationMode":      "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1beta1.DeviceSubRequest.allocationMode":   "pkg/apis/resource/validation/validation.go validateDeviceAllocationMode",
	"io.k8s.api.resource.v1beta1.DeviceToleration.operator":         "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1beta1.DeviceToleration.effect":           "pkg/apis/resource/validation/validation.go validateDeviceToleration",
	"io.k8s.api.resource.v1beta1.DeviceTaint.effect":                "pkg/apis/resource/validation/validation.go validateDeviceTaint",
	"io.k8s.api.resource.v1alpha3.DeviceTaint.effect":               "pkg/apis/resource/validation/validation.go validateDeviceTaint (DeviceTaintRule)",

	// lifecycle/v1alpha1 (alpha API, EvictionRequestAPI): declarative
	// validation only, a standard (always enforced) +k8s:enum.
	"io.k8s.api.lifecycle.v1alpha1.EvictionRequestSpec.intent": "pkg/apis/lifecycle/v1alpha1/zz_generated.validations.go Validate_EvictionRequestIntent",
}

// allowedOverride gives, for enforced fields, the exact list the apiserver
// prints in its "supported values" message, where that is not simply the
// enum constants sorted (see build): the apiserver passes an unsorted literal
// list, or accepts fewer values than the constants. Lists are in the
// apiserver's order.
var allowedOverride = map[string][]string{
	// Literal lists in source order, not sorted.
	"io.k8s.api.core.v1.Container.terminationMessagePolicy":                      {"File", "FallbackToLogsOnError"},
	"io.k8s.api.core.v1.EphemeralContainer.terminationMessagePolicy":             {"File", "FallbackToLogsOnError"},
	"io.k8s.api.core.v1.PodSpec.restartPolicy":                                   {"Always", "OnFailure", "Never"},
	"io.k8s.api.core.v1.PodSpec.dnsPolicy":                                       {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"},
	"io.k8s.api.core.v1.PodSpec.preemptionPolicy":                                {"PreemptLowerPriority", "Never"},
	"io.k8s.api.scheduling.v1.PriorityClass.preemptionPolicy":                    {"PreemptLowerPriority", "Never"},
	"io.k8s.api.core.v1.Toleration.effect":                                       {"NoSchedule", "PreferNoSchedule", "NoExecute"},
	"io.k8s.api.core.v1.Taint.effect":                                            {"NoSchedule", "PreferNoSchedule", "NoExecute"},
	"io.k8s.api.apps.v1.DaemonSetUpdateStrategy.type":                            {"RollingUpdate", "OnDelete"},
	"io.k8s.api.batch.v1.JobSpec.completionMode":                                 {"NonIndexed", "Indexed"},
	"io.k8s.api.networking.v1.NetworkPolicyPort.protocol":                        {"TCP", "UDP", "SCTP"},
	"io.k8s.api.networking.v1.NetworkPolicySpec.policyTypes":                     {"Ingress", "Egress"},
	"io.k8s.api.admissionregistration.v1alpha1.ParamRef.parameterNotFoundAction": {"Deny", "Allow"},

	// Subsets of the constants.
	//
	// "Lt" and "Gt" need the alpha gate TaintTolerationComparisonOperators;
	// with it off they are rejected too (listing Equal, Exists, Lt, Gt).
	"io.k8s.api.core.v1.Toleration.operator": {"Equal", "Exists"},
	// The constant IPFamilyUnknown ("") is not accepted.
	"io.k8s.api.core.v1.ServiceSpec.ipFamilies": {"IPv4", "IPv6"},
	// "Recreate" needs the alpha gate StatefulSetRecreateStrategy. The
	// apiserver reports field.Invalid "must be 'RollingUpdate' or 'OnDelete'".
	"io.k8s.api.apps.v1.StatefulSetUpdateStrategy.type": {"RollingUpdate", "OnDelete"},
	// A StorageClass may not use "Recycle".
	"io.k8s.api.storage.v1.StorageClass.reclaimPolicy": {"Delete", "Retain"},
	// Webhook configurations created through the API must declare no side
	// effects ("Unknown" and "Some" only survive in old stored objects).
	"io.k8s.api.admissionregistration.v1.ValidatingWebhook.sideEffects": {"None", "NoneOnDryRun"},
	"io.k8s.api.admissionregistration.v1.MutatingWebhook.sideEffects":   {"None", "NoneOnDryRun"},
}
