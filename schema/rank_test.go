package schema

import "testing"

// Versions are preferred stable over beta over alpha, newer first; anything else last.
func TestVersionRank(t *testing.T) {
	order := []string{"v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1"}
	for i := 1; i < len(order); i++ {
		if VersionRank(order[i-1]) <= VersionRank(order[i]) {
			t.Errorf("%s does not rank above %s", order[i-1], order[i])
		}
	}
	for _, v := range []string{"", "1", "v", "vbeta1", "v1foo", "stable"} {
		if r := VersionRank(v); r != -1 || r >= VersionRank("v1alpha1") {
			t.Errorf("VersionRank(%q) = %d, want -1", v, r)
		}
	}
}

func TestGroupRank(t *testing.T) {
	order := []string{"", "apps", "batch", "example.com"}
	for i := 1; i < len(order); i++ {
		if GroupRank(order[i-1]) >= GroupRank(order[i]) {
			t.Errorf("%q does not rank before %q", order[i-1], order[i])
		}
	}
	if GroupRank("networking.k8s.io") != GroupRank("batch") {
		t.Errorf("a .k8s.io group ranks with the unqualified ones")
	}
}
