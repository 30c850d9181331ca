package kube_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// TestDiffNeverShowsSecretValues: the live and merged texts of a Secret's diff carry no
// value of it, in data or in the last-applied-configuration annotation that client-side
// apply keeps, while they still show which keys change.
func TestDiffNeverShowsSecretValues(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := context.Background()
	if err := c.EnsureNamespace(ctx, "secret-diff"); err != nil {
		t.Fatal(err)
	}
	cl := nsClient(t, c, "admin", "secret-diff")
	secret := func(password, token string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: " + password +
			"\ndata:\n  token: " + base64.StdEncoding.EncodeToString([]byte(token)) + "\n"
	}
	values := []string{"first-password-value", "first-token-value", "second-password-value", "second-token-value"}
	forms := func(v string) []string {
		return []string{v, base64.StdEncoding.EncodeToString([]byte(v))}
	}
	if outs, err := cl.ApplyAll(ctx, objects(t, secret(values[0], values[1])), "s.yaml", kube.ApplyOptions{}); err != nil {
		t.Fatalf("apply: %v %q", err, messages(outs))
	}
	for _, serverSide := range []bool{false, true} {
		d, err := cl.Diff(ctx, objects(t, secret(values[2], values[1]))[0], "s.yaml", serverSide, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.Live, "last-applied-configuration") {
			t.Fatalf("the live Secret has no last-applied annotation; the test proves nothing:\n%s", d.Live)
		}
		for _, v := range values {
			for _, f := range forms(v) {
				if strings.Contains(d.Live, f) || strings.Contains(d.Merged, f) {
					t.Errorf("server-side %v: the diff shows %q:\nlive:\n%s\nmerged:\n%s", serverSide, f, d.Live, d.Merged)
				}
			}
		}
		if !d.Changed() || !strings.Contains(unified(d), "*** (after)") {
			t.Errorf("server-side %v: the change of password is not visible:\n%s", serverSide, unified(d))
		}
	}
}
