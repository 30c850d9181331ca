package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// Objects makes the objects a test sends: all named alike, in one namespace.
type Objects struct {
	Name      string // metadata.name, and the certificates' common name
	Namespace string // metadata.namespace of namespaced kinds
	// Skeletons are minimal valid-looking objects (YAML, without apiVersion,
	// kind and metadata) by "group/Kind" or "group/version/Kind" (core
	// group: "/Kind").
	Skeletons map[string]string
}

// SkeletonFor returns gvk's skeleton: by version, else by group.
func (o *Objects) SkeletonFor(gvk schema.GVK) (string, bool) {
	if s, ok := o.Skeletons[gvk.APIVersion()+"/"+gvk.Kind]; ok {
		return s, true
	}
	s, ok := o.Skeletons[gvk.Group+"/"+gvk.Kind]
	return s, ok
}

// New returns a fresh object of gvk: its skeleton (if withSkeleton and it
// has one) with apiVersion, kind and metadata (name; namespace when
// namespaced) set, and the fresh key material some kinds need.
func (o *Objects) New(t testing.TB, gvk schema.GVK, namespaced, withSkeleton bool) map[string]any {
	t.Helper()
	obj := map[string]any{}
	if src, ok := o.SkeletonFor(gvk); ok && withSkeleton {
		data, err := utilyaml.ToJSON([]byte(src))
		if err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("skeleton %s: %v", gvk, err)
		}
		if obj == nil {
			obj = map[string]any{}
		}
	}
	obj["apiVersion"] = gvk.APIVersion()
	obj["kind"] = gvk.Kind
	meta := map[string]any{"name": o.Name}
	if namespaced {
		meta["namespace"] = o.Namespace
	}
	obj["metadata"] = meta
	switch gvk.Kind {
	case "CertificateSigningRequest":
		if spec, ok := obj["spec"].(map[string]any); ok {
			spec["request"], _ = CSR(t, o.Name)
		}
	case "PodCertificateRequest":
		_, der := CSR(t, o.Name)
		obj["spec"] = map[string]any{
			"signerName": "example.com/signer", "podName": "p", "podUID": "11111111-1111-1111-1111-111111111111",
			"serviceAccountName": "default", "serviceAccountUID": "22222222-2222-2222-2222-222222222222",
			"nodeName": "n", "nodeUID": "33333333-3333-3333-3333-333333333333", "stubPKCS10Request": der,
		}
	case "ClusterTrustBundle":
		obj["spec"] = map[string]any{"trustBundle": CACert(t, o.Name)}
	}
	return obj
}

// Skeletons returns skeletons of common kinds, for Objects.Skeletons; name
// is what they call their labels, peers and webhooks.
func Skeletons(name string) map[string]string {
	const podSpec = `
      containers:
      - name: c
        image: registry.example/image:1`
	podTemplate := `
    metadata:
      labels: {app: ` + name + `}
    spec:` + podSpec
	webhooks := `
webhooks:
- name: ` + name + `.example.com
  clientConfig: {url: "https://example.com/hook"}
  sideEffects: None
  admissionReviewVersions: [v1]
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE]
    resources: [configmaps]`
	return map[string]string{
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
  selector: {app: ` + name + `}
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
  selector: {matchLabels: {app: ` + name + `}}
  template:` + podTemplate,
		"apps/StatefulSet": `
spec:
  serviceName: ` + name + `
  selector: {matchLabels: {app: ` + name + `}}
  template:` + podTemplate,
		"apps/DaemonSet": `
spec:
  selector: {matchLabels: {app: ` + name + `}}
  template:` + podTemplate,
		"batch/Job": `
spec:
  template:
    spec:
      restartPolicy: Never` + podSpec,
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
          service: {name: ` + name + `, port: {number: 80}}`,
		"policy/PodDisruptionBudget": `
spec:
  minAvailable: 1
  selector: {matchLabels: {app: ` + name + `}}`,
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
		"admissionregistration.k8s.io/ValidatingWebhookConfiguration": webhooks,
		"admissionregistration.k8s.io/MutatingWebhookConfiguration":   webhooks,
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
  policyName: ` + name + `
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
  policyName: ` + name,
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
}

// CSR returns a fresh certificate request for commonName, PEM (as a CSR's
// spec.request wants it) and DER.
func CSR(t testing.TB, commonName string) (pemData, der []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: commonName}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), der
}

// CACert returns a fresh self-signed CA certificate for commonName, PEM.
func CACert(t testing.TB, commonName string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: commonName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
