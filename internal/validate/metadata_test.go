package validate

import (
	"testing"

	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// The fast paths must never accept what the apimachinery validators reject.
func TestFastNameChecksAgreeWithApimachinery(t *testing.T) {
	keys := []string{"app", "app.kubernetes.io/name", "example.com/a_b", "A", "-a", "a-", "a/b/c", "Example.com/x", "a..b/c",
		"a.-b/c", "x/", "/x", "", "a b", "abc_DEF.ghi-1", "1", "a.b.c.d/e", string(make([]byte, 64)), "é", "k8s.io/x", "-k8s.io/x"}
	for _, k := range keys {
		fast := len(qualifiedNameErrors(k)) == 0
		slow := len(utilvalidation.IsQualifiedName(k)) == 0
		if fast != slow {
			t.Errorf("qualified name %q: fast path says valid=%v, apimachinery says %v", k, fast, slow)
		}
		fast = len(labelValueErrors(k)) == 0
		slow = len(utilvalidation.IsValidLabelValue(k)) == 0
		if fast != slow {
			t.Errorf("label value %q: fast path says valid=%v, apimachinery says %v", k, fast, slow)
		}
	}
}
