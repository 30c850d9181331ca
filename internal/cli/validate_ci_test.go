package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const validSecret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"

func TestValidateCIFlagErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ok.yaml": validCM})
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"workers 0", []string{"--workers", "0"}, 2, "--workers=0: give 1 or more"},
		{"workers negative", []string{"--workers=-3"}, 2, "--workers=-3"},
		{"workers 1", []string{"--workers", "1"}, 0, ""},
		{"bad glob", []string{"--exclude", "**/[charts"}, 2, `--exclude "**/[charts": not a valid glob pattern`},
		{"empty skip part", []string{"--skip", "apps//Deployment"}, 2, `--skip: "apps//Deployment" is not KIND`},
		{"too many parts", []string{"--reject", "a/b/c/Kind"}, 2, `--reject: "a/b/c/Kind"`},
		{"good selectors", []string{"--skip", "Deployment,v1/Secret", "--reject", "apps/v1/StatefulSet"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"validate", filepath.Join(dir, "ok.yaml")}, tt.args...)
			_, stderr, code := run(t, "", args...)
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit code %d, want %d; stderr %q, want it to contain %q", code, tt.want, stderr, tt.msg)
			}
		})
	}
}

func TestValidateSkipAndReject(t *testing.T) {
	src := validCM + "---\n" + invalidDeploy + "---\n" + validSecret
	tests := []struct {
		name     string
		args     []string
		statuses []string
		codes    [][]string
		reasons  []string
		exit     int
	}{
		{"none", nil, []string{"valid", "invalid", "valid"}, [][]string{{}, {"type", "enum"}, {}}, []string{"", "", ""}, 1},
		{"skip by kind", []string{"--skip", "Deployment"}, []string{"valid", "skipped", "valid"}, [][]string{{}, {}, {}},
			[]string{"", "kind skipped by --skip Deployment", ""}, 0},
		{"skip by group/version/kind", []string{"--skip", "apps/v1/Deployment,v1/Secret"}, []string{"valid", "skipped", "skipped"}, [][]string{{}, {}, {}},
			[]string{"", "kind skipped by --skip apps/v1/Deployment", "kind skipped by --skip v1/Secret"}, 0},
		{"other version not skipped", []string{"--skip", "apps/v1beta1/Deployment"}, []string{"valid", "invalid", "valid"}, [][]string{{}, {"type", "enum"}, {}},
			[]string{"", "", ""}, 1},
		{"reject", []string{"--reject", "v1/Secret"}, []string{"valid", "invalid", "invalid"}, [][]string{{}, {"type", "enum"}, {"rejected"}},
			[]string{"", "", ""}, 1},
		{"reject wins over skip", []string{"--reject", "ConfigMap", "--skip", "ConfigMap"}, []string{"invalid", "invalid", "valid"}, [][]string{{"rejected"}, {"type", "enum"}, {}},
			[]string{"", "", ""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, src, append([]string{"validate", "-", "-o", "json"}, tt.args...)...)
			if code != tt.exit {
				t.Fatalf("exit code %d, want %d; stderr %s", code, tt.exit, stderr)
			}
			var rep report
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Documents) != 3 {
				t.Fatalf("%v\n%s", err, out)
			}
			for i, d := range rep.Documents {
				codes := []string{}
				for _, f := range d.Findings {
					codes = append(codes, f.Code)
				}
				if d.Status != tt.statuses[i] || d.Reason != tt.reasons[i] || strings.Join(codes, ",") != strings.Join(tt.codes[i], ",") {
					t.Errorf("document %d: %s %q %v, want %s %q %v", i, d.Status, d.Reason, codes, tt.statuses[i], tt.reasons[i], tt.codes[i])
				}
			}
		})
	}
}

func TestValidateRejectedFindingAtKind(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"alone", validSecret, "<stdin>:2:7: error: kind: Secret (v1) is rejected by --reject Secret [rejected]\n"},
		{"in position order", "metadata:\n  name: s\n  bogus: 1\napiVersion: v1\nkind: Secret\n",
			"<stdin>:3:3: error: unknown field \"metadata.bogus\" [unknown-field]\n" +
				"<stdin>:5:7: error: kind: Secret (v1) is rejected by --reject Secret [rejected]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, code := run(t, tt.src, "validate", "-", "--reject", "Secret")
			if code != 1 || out != tt.want {
				t.Errorf("exit code %d, output\n%s\nwant\n%s", code, out, tt.want)
			}
		})
	}
}

func TestValidateExclude(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"deploy/ok.yaml":            validCM,
		"deploy/charts/c/bad.yaml":  invalidDeploy,
		"deploy/app/bad_test.yaml":  invalidDeploy,
		"deploy/app/also-fine.yml":  validSecret,
		"deploy/charts-are-ok.yaml": validCM,
	})
	root := filepath.Join(dir, "deploy")
	_, stderr, code := run(t, "", "validate", "-R", root, "--exclude", "**/charts/**", "--exclude", "**/*_test.yaml")
	if code != 0 || !strings.Contains(stderr, "3 documents: 3 valid, 0 invalid, 0 skipped") {
		t.Errorf("exit code %d, stderr %q", code, stderr)
	}
	_, stderr, code = run(t, "", "validate", "-R", root, "--exclude", "**/charts/**")
	if code != 1 || !strings.Contains(stderr, "4 documents: 3 valid, 1 invalid, 0 skipped") {
		t.Errorf("exit code %d, stderr %q", code, stderr)
	}
}

func TestValidateSummaryText(t *testing.T) {
	src := validCM + "---\n" + invalidDeploy + "---\nfoo: bar\n---\n" + validSecret + "---\n" + validCM
	_, stderr, code := run(t, src, "validate", "-", "--summary", "--skip", "Secret")
	want := `5 documents: 2 valid, 1 invalid, 2 skipped
KIND        DOCUMENTS  VALID  INVALID  SKIPPED
(no kind)   1          0      0        1
ConfigMap   2          2      0        0
Deployment  1          0      1        0
Secret      1          0      0        1

CODE  FINDINGS
enum  1
type  1
`
	if code != 1 || stderr != want {
		t.Errorf("exit code %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	_, stderr, _ = run(t, validCM, "validate", "-", "--summary")
	want = "1 document: 1 valid, 0 invalid, 0 skipped\nKIND       DOCUMENTS  VALID  INVALID  SKIPPED\nConfigMap  1          1      0        0\n"
	if stderr != want {
		t.Errorf("no findings: stderr:\n%s\nwant:\n%s", stderr, want)
	}
}

func TestValidateSummaryJSON(t *testing.T) {
	src := validCM + "---\n" + invalidDeploy
	out, _, _ := run(t, src, "validate", "-", "-o", "json", "--summary")
	var got struct {
		Summary map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"documents": "2", "valid": "1", "invalid": "1", "skipped": "0",
		"byKind": `{"ConfigMap":{"documents":1,"valid":1,"invalid":0,"skipped":0},"Deployment":{"documents":1,"valid":0,"invalid":1,"skipped":0}}`,
		"byCode": `{"enum":1,"type":1}`,
	}
	if len(got.Summary) != len(want) {
		t.Errorf("summary has %d fields, want %d:\n%s", len(got.Summary), len(want), out)
	}
	for k, v := range want {
		var compact bytes.Buffer
		if err := json.Compact(&compact, got.Summary[k]); err != nil || compact.String() != v {
			t.Errorf("summary.%s = %s, want %s", k, compact.String(), v)
		}
	}
	out, _, _ = run(t, src, "validate", "-", "-o", "json")
	if strings.Contains(out, "byKind") || strings.Contains(out, "byCode") {
		t.Errorf("without --summary the summary is unchanged:\n%s", out)
	}
}
