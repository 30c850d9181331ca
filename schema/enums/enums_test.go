package enums

import (
	"slices"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name       string
		definition string
		field      string
		found      bool
		enforced   bool
		typ        string
		values     []string // exact, in order; nil: not checked
		set        []string // same elements in any order; nil: not checked
	}{
		{
			name:       "pull policy, listed sorted like the apiserver",
			definition: "io.k8s.api.core.v1.Container", field: "imagePullPolicy",
			found: true, enforced: true, typ: "core/v1.PullPolicy",
			values: []string{"Always", "IfNotPresent", "Never"},
		},
		{
			name:       "ephemeral container inlines EphemeralContainerCommon",
			definition: "io.k8s.api.core.v1.EphemeralContainer", field: "imagePullPolicy",
			found: true, enforced: true, typ: "core/v1.PullPolicy",
			values: []string{"Always", "IfNotPresent", "Never"},
		},
		{
			name:       "container port protocol",
			definition: "io.k8s.api.core.v1.ContainerPort", field: "protocol",
			found: true, enforced: true, typ: "core/v1.Protocol",
			set: []string{"TCP", "UDP", "SCTP"},
		},
		{
			name:       "network policy port protocol: qualified type from core/v1, unsorted literal list",
			definition: "io.k8s.api.networking.v1.NetworkPolicyPort", field: "protocol",
			found: true, enforced: true, typ: "core/v1.Protocol",
			values: []string{"TCP", "UDP", "SCTP"},
		},
		{
			name:       "service type",
			definition: "io.k8s.api.core.v1.ServiceSpec", field: "type",
			found: true, enforced: true, typ: "core/v1.ServiceType",
			values: []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"},
		},
		{
			name:       "service ip families: slice element, unknown family not accepted",
			definition: "io.k8s.api.core.v1.ServiceSpec", field: "ipFamilies",
			found: true, enforced: true, typ: "core/v1.IPFamily",
			values: []string{"IPv4", "IPv6"},
		},
		{
			name:       "pod restart policy",
			definition: "io.k8s.api.core.v1.PodSpec", field: "restartPolicy",
			found: true, enforced: true, typ: "core/v1.RestartPolicy",
			values: []string{"Always", "OnFailure", "Never"},
		},
		{
			name:       "deployment strategy type",
			definition: "io.k8s.api.apps.v1.DeploymentStrategy", field: "type",
			found: true, enforced: true, typ: "apps/v1.DeploymentStrategyType",
			values: []string{"Recreate", "RollingUpdate"},
		},
		{
			name:       "storage class may not recycle",
			definition: "io.k8s.api.storage.v1.StorageClass", field: "reclaimPolicy",
			found: true, enforced: true, typ: "core/v1.PersistentVolumeReclaimPolicy",
			values: []string{"Delete", "Retain"},
		},
		{
			name:       "status field: known, not enforced, constants in source order",
			definition: "io.k8s.api.core.v1.PodStatus", field: "phase",
			found: true, enforced: false, typ: "core/v1.PodPhase",
			values: []string{"Pending", "Running", "Succeeded", "Failed", "Unknown"},
		},
		{
			name:       "field behind an alpha gate is dropped, not rejected",
			definition: "io.k8s.api.core.v1.Lifecycle", field: "stopSignal",
			found: true, enforced: false, typ: "core/v1.Signal",
		},
		{
			name:       "non-enum field",
			definition: "io.k8s.api.core.v1.Container", field: "image",
		},
		{
			name:       "unknown definition",
			definition: "io.k8s.api.core.v1.NoSuchThing", field: "type",
		},
		{
			name:       "custom resource",
			definition: "com.example.v1.Widget", field: "imagePullPolicy",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := Lookup(tt.definition, tt.field)
			if ok != tt.found {
				t.Fatalf("Lookup(%q, %q) found = %v, want %v", tt.definition, tt.field, ok, tt.found)
			}
			if !ok {
				return
			}
			if e.Enforced != tt.enforced {
				t.Errorf("Enforced = %v, want %v", e.Enforced, tt.enforced)
			}
			if e.Type != tt.typ {
				t.Errorf("Type = %q, want %q", e.Type, tt.typ)
			}
			if tt.values != nil && !slices.Equal(e.Values, tt.values) {
				t.Errorf("Values = %q, want %q", e.Values, tt.values)
			}
			if tt.set != nil && !slices.Equal(slices.Sorted(slices.Values(e.Values)), slices.Sorted(slices.Values(tt.set))) {
				t.Errorf("Values = %q, want the set %q", e.Values, tt.set)
			}
			if len(e.Values) == 0 {
				t.Errorf("no values")
			}
		})
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	e, _ := Lookup("io.k8s.api.core.v1.PodStatus", "phase")
	e.Values[0] = "changed"
	again, _ := Lookup("io.k8s.api.core.v1.PodStatus", "phase")
	if again.Values[0] == "changed" {
		t.Fatal("Lookup returned a slice aliasing the table")
	}
}

func TestForDefinition(t *testing.T) {
	got := ForDefinition("io.k8s.api.core.v1.ServiceSpec")
	for _, f := range []string{"type", "sessionAffinity", "externalTrafficPolicy", "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy"} {
		e, ok := got[f]
		if !ok {
			t.Errorf("ServiceSpec.%s missing", f)
			continue
		}
		want, _ := Lookup("io.k8s.api.core.v1.ServiceSpec", f)
		if !slices.Equal(e.Values, want.Values) || e.Enforced != want.Enforced || e.Type != want.Type {
			t.Errorf("ServiceSpec.%s = %+v, Lookup gives %+v", f, e, want)
		}
	}
	if got := ForDefinition("io.k8s.api.core.v1.NoSuchThing"); got != nil {
		t.Errorf("ForDefinition(unknown) = %v, want nil", got)
	}
}

// Every hand-maintained key must name a field of the generated table, so that
// a rename or removal in a new Kubernetes version fails here instead of
// silently turning a check off.
func TestEnforcedKeysExist(t *testing.T) {
	for key, where := range enforced {
		def, field := splitKey(t, key)
		if _, ok := generatedFields[def][field]; !ok {
			t.Errorf("enforced[%q] (%s): no such enum field in enums_gen.go", key, where)
		}
		if !strings.HasPrefix(where, "pkg/apis/") {
			t.Errorf("enforced[%q] = %q: want the file and function of the check", key, where)
		}
	}
}

func TestAllowedOverride(t *testing.T) {
	for key, values := range allowedOverride {
		if _, ok := enforced[key]; !ok {
			t.Errorf("allowedOverride[%q]: not in enforced", key)
		}
		def, field := splitKey(t, key)
		typ, ok := generatedFields[def][field]
		if !ok {
			t.Errorf("allowedOverride[%q]: no such enum field in enums_gen.go", key)
			continue
		}
		// So far the apiserver accepts only values that are constants of
		// the type; an extra value would deserve a second look.
		for _, v := range values {
			if !slices.Contains(generatedTypes[typ], v) {
				t.Errorf("allowedOverride[%q]: %q is not a constant of %s %q", key, v, typ, generatedTypes[typ])
			}
		}
		// An override that equals the default would be dead weight.
		if slices.Equal(values, slices.Sorted(slices.Values(generatedTypes[typ]))) {
			t.Errorf("allowedOverride[%q] = %q: same as the sorted constants; drop it", key, values)
		}
	}
}

func TestGeneratedTable(t *testing.T) {
	for def, fields := range generatedFields {
		if !strings.HasPrefix(def, "io.k8s.api.") {
			t.Errorf("definition %q: want io.k8s.api.<group>.<version>.<Kind>", def)
		}
		for field, typ := range fields {
			if len(generatedTypes[typ]) == 0 {
				t.Errorf("%s.%s: type %q has no values", def, field, typ)
			}
		}
	}
}

func splitKey(t *testing.T, key string) (def, field string) {
	t.Helper()
	i := strings.LastIndex(key, ".")
	if i < 0 {
		t.Fatalf("bad key %q", key)
	}
	return key[:i], key[i+1:]
}
