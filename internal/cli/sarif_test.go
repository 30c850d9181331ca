package cli

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// sarifSchema reads the SARIF 2.1.0 JSON schema (testdata; hack/sarif-schema.sh fetches
// it from a Go module) and returns a function validating a decoded SARIF log against it.
// kube-openapi's validator does not follow $ref, so sub-schemas are resolved against the
// schema's definitions as the validator descends (the schema is recursive: no inlining).
func sarifSchema(t *testing.T) func(any) error {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root spec.Schema
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	resolve := func(s *spec.Schema) *spec.Schema {
		for ref := s.Ref.String(); ref != ""; ref = s.Ref.String() {
			d, ok := root.Definitions[strings.TrimPrefix(ref, "#/definitions/")]
			if !ok {
				t.Fatalf("SARIF schema: unresolved $ref %s", ref)
			}
			s = &d
		}
		return s
	}
	var resolving validate.Option
	resolving = func(o *validate.SchemaValidatorOptions) {
		o.NewValidatorForField = func(_ string, s *spec.Schema, r any, path string, f strfmt.Registry, _ ...validate.Option) validate.ValueValidator {
			return validate.NewSchemaValidator(resolve(s), r, path, f, resolving)
		}
		o.NewValidatorForIndex = func(_ int, s *spec.Schema, r any, path string, f strfmt.Registry, _ ...validate.Option) validate.ValueValidator {
			return validate.NewSchemaValidator(resolve(s), r, path, f, resolving)
		}
	}
	return func(doc any) error {
		return validate.AgainstSchema(&root, doc, strfmt.Default, resolving)
	}
}

func TestSARIFMatchesSchema(t *testing.T) {
	valid := sarifSchema(t)
	dir := writeFiles(t, map[string]string{"bad.yaml": invalidDeploy, "ok.yaml": validCM, "dup.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n"})
	tests := []struct {
		name string
		args []string
	}{
		{"findings", []string{dir}},
		{"no findings", []string{filepath.Join(dir, "ok.yaml")}},
		{"rejected", []string{dir, "--reject", "ConfigMap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _ := run(t, "", append([]string{"validate", "-o", "sarif"}, tt.args...)...)
			var doc any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if err := valid(doc); err != nil {
				t.Errorf("not SARIF 2.1.0: %v\n%s", err, out)
			}
			run := doc.(map[string]any)["runs"].([]any)[0].(map[string]any)
			if run["columnKind"] != "unicodeCodePoints" {
				t.Errorf("columnKind = %v, want unicodeCodePoints", run["columnKind"])
			}
		})
	}
}

// TestSARIFSchemaCheckFails keeps the schema check honest: logs that break the schema
// are refused, through $refs and at depth.
func TestSARIFSchemaCheckFails(t *testing.T) {
	valid := sarifSchema(t)
	tests := []struct{ name, log string }{
		{"no version", `{"runs": []}`},
		{"unknown top-level field", `{"version": "2.1.0", "runs": [], "extra": 1}`},
		{"bad columnKind", `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "columnKind": "bytes"}]}`},
		{"driver without name", `{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`},
		{"bad level", `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`},
		{"column 0", `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"},
			"locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.yaml"}, "region": {"startLine": 1, "startColumn": 0}}}]}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(tt.log), &doc); err != nil {
				t.Fatal(err)
			}
			if err := valid(doc); err == nil {
				t.Errorf("accepted %s", tt.log)
			}
		})
	}
}

// File names become URI references: relative ones stay relative, with forward slashes
// and percent-encoding; absolute ones are file URIs.
func TestSARIFURI(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"deploy.yaml", "deploy.yaml"},
		{"k8s/prod/my app.yaml", "k8s/prod/my%20app.yaml"},
		{"k8s/100%.yaml", "k8s/100%25.yaml"},
		{"/repo/base/#1.yaml", "file:///repo/base/%231.yaml"},
		{"c:deploy.yaml", "./c:deploy.yaml"},
		{"-", "-"},
	} {
		got := sarifURI(tc.name)
		if got != tc.want {
			t.Errorf("sarifURI(%q) = %q, want %q", tc.name, got, tc.want)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("sarifURI(%q) = %q: not a URI reference: %v", tc.name, got, err)
		}
	}
}
