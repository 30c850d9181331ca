package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// run executes kubectl-lsp with args and stdin, returning stdout, stderr and the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	err := cmd.Execute()
	code := ExitCode(err)
	if err != nil && code != 1 {
		errOut.WriteString("error: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), code
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const validCM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: b\n"
const invalidDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: two
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolicy: Sometimes
`

func TestValidateExitCodes(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ok.yaml": validCM, "bad.yaml": invalidDeploy})
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"valid file", []string{"validate", filepath.Join(dir, "ok.yaml")}, 0},
		{"findings", []string{"validate", filepath.Join(dir, "bad.yaml")}, 1},
		{"directory with findings", []string{"validate", dir}, 1},
		{"missing file", []string{"validate", filepath.Join(dir, "nope.yaml")}, 2},
		{"no input", []string{"validate"}, 2},
		{"bad output format", []string{"validate", "-o", "xml", dir}, 2},
		{"unknown kubernetes version", []string{"validate", "--kubernetes-version", "1.2", dir}, 2},
		{"bad schema source", []string{"validate", "--schema-source", "web", dir}, 2},
		{"older release", []string{"validate", "--kubernetes-version", "1.34", filepath.Join(dir, "ok.yaml")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, "", tt.args...)
			if code != tt.want {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func TestValidateTextOutput(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": invalidDeploy})
	out, stderr, code := run(t, "", "validate", filepath.Join(dir, "bad.yaml"))
	if code != 1 {
		t.Fatalf("exit code %d; stderr %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	lineRE := regexp.MustCompile(`^(.+):(\d+):(\d+): (error|warning): (.+) \[([a-z-]+)\]$`)
	want := []struct{ pos, code string }{{"6:13", "type"}, {"14:28", "enum"}}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		m := lineRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q is not path:line:col: severity: message [code]", l)
		}
		if got := m[2] + ":" + m[3]; got != want[i].pos || m[6] != want[i].code {
			t.Errorf("line %d at %s [%s], want %s [%s]", i, got, m[6], want[i].pos, want[i].code)
		}
	}
	if !strings.Contains(stderr, "1 document: 0 valid, 1 invalid, 0 skipped") {
		t.Errorf("summary missing from stderr: %q", stderr)
	}
}

func TestValidateJSONContract(t *testing.T) {
	src := "# leading comment-only document\n---\n" + validCM + "---\n" + invalidDeploy + "---\nfoo: bar\n"
	out, _, code := run(t, src, "validate", "-", "-o", "json")
	if code != 1 {
		t.Fatalf("exit code %d", code)
	}
	var rep struct {
		Documents []struct {
			File, APIVersion, Kind, Name, Namespace, Status, Reason, SchemaSource string
			Index                                                                 int
			Findings                                                              []struct {
				Severity, Code, Field, Message string
				Range                          struct{ Start, End struct{ Line, Column int } }
			}
		}
		Summary struct{ Documents, Valid, Invalid, Skipped int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Summary.Documents != 4 || rep.Summary.Valid != 1 || rep.Summary.Invalid != 1 || rep.Summary.Skipped != 2 {
		t.Errorf("summary = %+v", rep.Summary)
	}
	wantStatus := []string{"skipped", "valid", "invalid", "skipped"}
	for i, d := range rep.Documents {
		if d.Index != i || d.Status != wantStatus[i] || d.File != "<stdin>" {
			t.Errorf("document %d: index %d status %s file %s", i, d.Index, d.Status, d.File)
		}
	}
	bad := rep.Documents[2]
	if bad.Kind != "Deployment" || bad.Name != "web" || bad.SchemaSource != "builtin 1.37" || len(bad.Findings) != 2 {
		t.Fatalf("invalid document = %+v", bad)
	}
	f := bad.Findings[0]
	// "  replicas: two" is line 6 of the third document, which starts on line 10.
	if f.Code != "type" || f.Field != "spec.replicas" || f.Range.Start.Line != 15 || f.Range.Start.Column != 13 || f.Range.End.Column != 16 {
		t.Errorf("first finding = %+v", f)
	}
	if rep.Documents[3].Reason == "" {
		t.Errorf("a skipped document must say why")
	}
	// The raw JSON has the documented keys, with empty findings as [] not null.
	for _, key := range []string{`"documents"`, `"summary"`, `"findings": []`, `"schemaSource"`, `"range"`, `"start"`, `"column"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestValidateDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml":          validCM,
		"notes.txt":       "not a manifest",
		"sub/bad.yml":     invalidDeploy,
		"sub/deep/c.json": `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}`,
	})
	out, _, code := run(t, "", "validate", dir, "-o", "json")
	if code != 0 || !strings.Contains(out, `"documents": 1,`) {
		t.Errorf("without -R only the top level is read: code %d\n%s", code, out)
	}
	out, _, code = run(t, "", "validate", "-R", dir, "-o", "json")
	if code != 1 || !strings.Contains(out, `"documents": 3,`) {
		t.Errorf("with -R the tree is read: code %d\n%s", code, out)
	}
}

func TestValidateCRDFlag(t *testing.T) {
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`
	cr := "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n  size: big\n"
	dir := writeFiles(t, map[string]string{"crds/thing.yaml": crd, "thing.yaml": cr})
	out, _, code := run(t, "", "validate", filepath.Join(dir, "thing.yaml"))
	if code != 0 {
		t.Errorf("without the CRD the custom resource is skipped, not an error: code %d\n%s", code, out)
	}
	out, _, code = run(t, "", "validate", "--crd", filepath.Join(dir, "crds"), filepath.Join(dir, "thing.yaml"))
	if code != 1 || !strings.Contains(out, "spec.size") {
		t.Errorf("with --crd the custom resource is checked: code %d\n%s", code, out)
	}
	// A CRD in the same run works as well as --crd.
	out, _, code = run(t, "", "validate", filepath.Join(dir, "crds", "thing.yaml"), filepath.Join(dir, "thing.yaml"))
	if code != 1 || !strings.Contains(out, "thing.yaml:5:9") {
		t.Errorf("a CRD among the inputs supplies the schema: code %d\n%s", code, out)
	}
}

func TestValidateMachineFormats(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": invalidDeploy})
	file := filepath.Join(dir, "bad.yaml")

	out, _, _ := run(t, "", "validate", "-o", "junit", file)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || suites.Tests != 1 || suites.Failures != 1 {
		t.Errorf("junit: %v %+v\n%s", err, suites, out)
	}

	out, _, _ = run(t, "", "validate", "-o", "sarif", file)
	var sarif struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != 2 {
		t.Fatalf("sarif: %v\n%s", err, out)
	}
	if r := sarif.Runs[0].Results[0]; r.RuleID != "type" || r.Locations[0].PhysicalLocation.Region.StartLine != 6 {
		t.Errorf("sarif result = %+v", r)
	}

	out, _, _ = run(t, "", "validate", "-o", "github", file)
	ghRE := regexp.MustCompile(`^::error file=[^,]+,line=6,col=13,endLine=6,endColumn=16,title=kubectl-lsp type::spec\.replicas: `)
	if !ghRE.MatchString(out) {
		t.Errorf("github annotation:\n%s", out)
	}
}
