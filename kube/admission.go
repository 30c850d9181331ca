package kube

import (
	"context"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
)

// A ValidatingAdmissionPolicy's denial names no field: its cause is the policy's message.
// To put it where it belongs, the policy is read (when the user may read it), the
// validation that failed is found by its message, and the denial is placed at the first
// field of the object that validation's expression reads.

var (
	policyDenialRE = lazyregexp.New(`ValidatingAdmissionPolicy '([^']+)' with binding '[^']+' denied request: (.*)$`)
	objectFieldRE  = lazyregexp.New(`\bobject((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\])+)(\s*\()?`)
	segmentRE      = lazyregexp.New(`\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\]`)
	policyGVR      = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}
)

// locateAdmission gives the causes of policy denials the field their rule reads.
func (c *Client) locateAdmission(ctx context.Context, res *DryRunResult) {
	if res.Accepted {
		return
	}
	policies := map[string]*unstructured.Unstructured{}
	for i := range res.Causes {
		cause := &res.Causes[i]
		if cause.Field != "" {
			continue
		}
		m := policyDenialRE().FindStringSubmatch(cause.Message)
		if m == nil {
			continue
		}
		name, msg := m[1], m[2]
		p, seen := policies[name]
		if !seen {
			dyn, err := c.Dynamic()
			if err == nil {
				p, _ = dyn.Resource(policyGVR).Get(ctx, name, metav1.GetOptions{})
			}
			policies[name] = p
		}
		if p == nil {
			continue
		}
		if expr := failedExpression(p, msg); expr != "" {
			cause.Field = fieldOfExpression(expr)
		}
	}
}

// failedExpression is the expression of the policy's validation whose message is msg, or
// of its only validation.
func failedExpression(p *unstructured.Unstructured, msg string) string {
	vals, _, _ := unstructured.NestedSlice(p.Object, "spec", "validations")
	var only string
	for _, v := range vals {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		expr, _ := m["expression"].(string)
		if message, _ := m["message"].(string); message != "" && message == msg {
			return expr
		}
		only = expr
	}
	if len(vals) == 1 {
		return only
	}
	return ""
}

// fieldOfExpression is the first field of the object a CEL expression reads, as a field
// path ("spec.replicas", "metadata.labels[app]"); "" when it reads none.
func fieldOfExpression(expr string) string {
	m := objectFieldRE().FindStringSubmatch(expr)
	if m == nil {
		return ""
	}
	parts := segmentRE().FindAllString(m[1], -1)
	if m[2] != "" && len(parts) > 0 && strings.HasPrefix(parts[len(parts)-1], ".") {
		parts = parts[:len(parts)-1] // a method or macro: object.spec.containers.all(...)
	}
	var b strings.Builder
	for _, p := range parts {
		if strings.HasPrefix(p, ".") {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p[1:])
			continue
		}
		key := strings.Trim(strings.TrimSpace(p[1:len(p)-1]), `'"`)
		b.WriteString("[" + key + "]")
	}
	return b.String()
}
