package kube

import "testing"

func TestFieldOfExpression(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"object.spec.replicas <= 5", "spec.replicas"},
		{"has(object.spec.replicas) && object.spec.replicas < 3", "spec.replicas"},
		{"object.spec.template.spec.containers.all(c, c.image.contains(':'))", "spec.template.spec.containers"},
		{"object.metadata.labels['app.kubernetes.io/name'] != ''", "metadata.labels[app.kubernetes.io/name]"},
		{"request.userInfo.username != 'x'", ""},
		{"oldObject.spec.x == object.spec.y", "spec.y"},
	} {
		if got := fieldOfExpression(tc.expr); got != tc.want {
			t.Errorf("fieldOfExpression(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
