package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// KindSelector matches documents by kind: Kind alone matches any group and version;
// with APIVersion ("apps/v1", "v1") only that group-version.
type KindSelector struct {
	APIVersion string
	Kind       string
}

// ParseKindSelector reads KIND, VERSION/KIND (the core group: v1/ConfigMap) or
// GROUP/VERSION/KIND (apps/v1/Deployment).
func ParseKindSelector(s string) (KindSelector, error) {
	parts := strings.Split(s, "/")
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t*") {
			return KindSelector{}, fmt.Errorf("%q is not KIND, VERSION/KIND or GROUP/VERSION/KIND", s)
		}
	}
	switch len(parts) {
	case 1, 2, 3:
		n := len(parts) - 1
		return KindSelector{APIVersion: strings.Join(parts[:n], "/"), Kind: parts[n]}, nil
	}
	return KindSelector{}, fmt.Errorf("%q is not KIND, VERSION/KIND or GROUP/VERSION/KIND", s)
}

// Matches reports whether a document of apiVersion and kind is selected.
func (k KindSelector) Matches(apiVersion, kind string) bool {
	return kind == k.Kind && (k.APIVersion == "" || k.APIVersion == apiVersion)
}

// String is the selector as written.
func (k KindSelector) String() string {
	if k.APIVersion == "" {
		return k.Kind
	}
	return k.APIVersion + "/" + k.Kind
}

// KindPolicy skips or rejects documents by the kind at their root (validate's --skip and
// --reject). A List's items are not looked into. Rejecting wins over skipping; documents
// already skipped (templates, non-objects) are left as they are.
type KindPolicy struct {
	Skip, Reject []KindSelector
}

// Apply marks r skipped or rejected by the policy. It reads the document's tree, so it
// runs before the tree is released.
func (p KindPolicy) Apply(r *validate.Result) {
	if r.Status == validate.Skipped || r.Kind == "" {
		return
	}
	for _, k := range p.Reject {
		if k.Matches(r.APIVersion, r.Kind) {
			r.Findings = append(r.Findings, rejected(r, k))
			// In position order, before the findings at the same place.
			slices.SortStableFunc(r.Findings, func(a, b validate.Finding) int {
				if c := a.Range.Start - b.Range.Start; c != 0 {
					return c
				}
				return notRejected(a) - notRejected(b)
			})
			r.Status = validate.Invalid
			return
		}
	}
	for _, k := range p.Skip {
		if k.Matches(r.APIVersion, r.Kind) {
			r.Status, r.Reason, r.Findings = validate.Skipped, "kind skipped by --skip "+k.String(), nil
			return
		}
	}
}

func notRejected(f validate.Finding) int {
	if f.Code == validate.CodeRejected {
		return 0
	}
	return 1
}

// rejected is the finding, at the document's kind, that its kind is refused.
func rejected(r *validate.Result, k KindSelector) validate.Finding {
	f := validate.Finding{Severity: validate.Error, Code: validate.CodeRejected, Field: "kind",
		Message: fmt.Sprintf("kind: %s (%s) is rejected by --reject %s", r.Kind, r.APIVersion, k)}
	if d := r.Doc; d != nil && d.Root != nil {
		if n, _, matched := yamlpos.Lookup(d.Root, yamlpos.Path{{Key: "kind"}}); matched == 1 {
			f.Range = d.Range(n)
		}
	}
	return f
}
