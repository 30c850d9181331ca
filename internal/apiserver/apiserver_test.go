package apiserver

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

func object(t *testing.T, text string) (schema.GroupVersionKind, map[string]any) {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	// sigs.k8s.io/yaml gives float64 for every number; the engine gives int64 for integers.
	m = ints(m).(map[string]any)
	gv, _ := schema.ParseGroupVersion(m["apiVersion"].(string))
	return gv.WithKind(m["kind"].(string)), m
}

func ints(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = ints(e)
		}
	case []any:
		for i, e := range x {
			x[i] = ints(e)
		}
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}

// TestCreate checks verdicts the apiserver gives and a schema cannot: each case lists the
// field paths of the errors expected (none: accepted).
func TestCreate(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"load balancer with local traffic gets a health check node port", `
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80}]
`, nil},
		{"privileged containers are a policy's to refuse (--allow-privileged=true)", `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, image: busybox, securityContext: {privileged: true}}]
  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
`, nil},
		{"windows hostProcess pod", `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  securityContext: {windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}}
  nodeSelector: {kubernetes.io/os: windows}
  containers: [{name: c, image: mcr.microsoft.com/windows/nanoserver:ltsc2022}]
`, nil},
		{"deployment selector does not match the template", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: other}}
    spec: {containers: [{name: c, image: nginx}]}
`, []string{"spec.template.metadata.labels"}},
		{"node with status is accepted (status is reset)", `
apiVersion: v1
kind: Node
metadata: {name: n1}
status:
  nodeInfo: {machineID: x}
  capacity: {cpu: "4", pods: "110"}
`, nil},
		{"pod without image, with an empty container name and port 0", `
apiVersion: v1
kind: Pod
metadata: {name: p, generateName: p-}
spec:
  containers:
  - name: ""
    ports: [{containerPort: 0}]
`, []string{"spec.containers[0].name", "spec.containers[0].image", "spec.containers[0].ports[0].containerPort"}},
		{"hpa metric of type CPU", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
  metrics: [{type: CPU}]
`, []string{"spec.metrics[0].type"}},
		{"clusterrolebinding subject without a namespace", `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: ServiceAccount, name: sa}]
`, []string{"subjects[0].namespace"}},
		{"valid configmap in no namespace", `
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {a.b: x}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gvk, m := object(t, tt.yaml)
			errs, ok := Create(context.Background(), gvk, m)
			if !ok {
				t.Fatalf("%s not judged", gvk)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("no error at %s; got %q", w, messages(errs))
				}
			}
			if len(tt.want) == 0 && len(errs) > 0 {
				t.Errorf("want accepted, got %q", messages(errs))
			}
		})
	}
}

func messages(errs []Error) string {
	var b []string
	for _, e := range errs {
		b = append(b, e.Message)
	}
	return strings.Join(b, "\n")
}

func TestVersion(t *testing.T) {
	// The test binary carries the module's dependencies: the version read is go.mod's.
	if got := Version(); got != linkedVersion {
		t.Errorf("Version() = %q; go.mod pins k8s.io/kubernetes at %q (update linkedVersion)", got, linkedVersion)
	}
}
