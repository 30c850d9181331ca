// Package validate checks manifests against compiled schemas the way the kube-apiserver
// does on create with strict field validation, and reports each problem at the exact
// position of the key or value at fault.
//
// The first rule: no error on a manifest the apiserver accepts. Where the apiserver only
// warns, or where we cannot be sure it rejects, a finding is a warning.
package validate

import (
	"slices"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// Severity of a finding.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Stable finding codes. Scripts rely on them: add, never rename.
const (
	CodeSyntax         = "yaml-syntax"
	CodeDuplicateKey   = "duplicate-key"
	CodeAliasLimit     = "alias-limit"
	CodeUnknownKind    = "unknown-kind"
	CodeNoSchema       = "no-schema"
	CodeUnknownField   = "unknown-field"
	CodeType           = "type"
	CodeRequired       = "required"
	CodeEnum           = "enum"
	CodeFormat         = "format"
	CodeQuantity       = "quantity"
	CodeRange          = "range"
	CodeLength         = "length"
	CodePattern        = "pattern"
	CodeItems          = "items"
	CodeProperties     = "properties"
	CodeDuplicateItem  = "duplicate-item"
	CodeCEL            = "cel"
	CodeSchemaCombiner = "schema"
	CodeName           = "invalid-name"
	CodeNamespace      = "invalid-namespace"
	// CodeNamespaceScope: metadata.namespace on a cluster-scoped kind, which the apiserver
	// silently clears (a warning).
	CodeNamespaceScope = "namespace-scope"
	CodeLabel          = "invalid-label"
	CodeAnnotation     = "invalid-annotation"
	CodeCRD            = "invalid-crd"
	CodeOffByDefault   = "off-by-default"
	// CodeRejected: the document's kind is one the run was told to reject (validate --reject).
	CodeRejected = "rejected"
)

// Related points at another place that explains a finding (the first occurrence of a
// duplicate key).
type Related struct {
	Range   yamlpos.Range
	Message string
}

// Finding is one problem in a document.
type Finding struct {
	Severity Severity
	Code     string
	// Field is the field path, as the apiserver prints it (spec.containers[0].image).
	Field   string
	Message string
	Range   yamlpos.Range
	Related []Related
	// Suggestion is what the message offers in "did you mean": the declared field an
	// unknown field is likely a misspelling of, or the served kind an unknown kind is.
	Suggestion string
	// ServedAs lists the apiVersions that serve the kind of an unknown-kind finding at
	// apiVersion, the preferred first.
	ServedAs []string
}

// Status of a validated document.
type Status string

const (
	Valid   Status = "valid"
	Invalid Status = "invalid"
	Skipped Status = "skipped"
)

// Result is the verdict on one document.
type Result struct {
	Doc              *yamlpos.Document
	APIVersion, Kind string
	Name, Namespace  string
	Status           Status
	Reason           string // why a document was skipped
	SchemaSource     string
	Findings         []Finding
	// Defines lists the kinds a CustomResourceDefinition document defines.
	Defines []string
}

// finalize sets Status from the findings (unless skipped) and sorts them by position.
func (r *Result) finalize() {
	sortFindings(r.Findings)
	if r.Status == Skipped {
		return
	}
	r.Status = Valid
	for _, f := range r.Findings {
		if f.Severity == Error {
			r.Status = Invalid
			return
		}
	}
}

func sortFindings(fs []Finding) {
	// Stable: findings at the same place keep the order they were found in. Not an
	// insertion sort: the apiserver's errors about a map come in no order, and a map may
	// have thousands of keys.
	slices.SortStableFunc(fs, func(a, b Finding) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
}

func less(a, b Finding) bool {
	if a.Range.Start != b.Range.Start {
		return a.Range.Start < b.Range.Start
	}
	if a.Severity != b.Severity {
		return a.Severity < b.Severity
	}
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	return a.Message < b.Message
}
