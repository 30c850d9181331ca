package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const featureDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {"é": "v", note: x}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx
`

const featureWidget = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: small
`

func TestHoverCommand(t *testing.T) {
	crd := filepath.Join("..", "explain", "testdata", "crd-widgets.yaml")
	dir := writeFiles(t, map[string]string{"deploy.yaml": featureDeploy, "widget.yaml": featureWidget, "odd:name.yaml": featureDeploy})
	deploy := filepath.Join(dir, "deploy.yaml")
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   []string // substrings of stdout
		err   string   // substring of stderr
	}{
		{name: "field", args: []string{"hover", deploy + ":7:4"}, out: []string{deploy + ":7:3-7:11\n\n### Deployment.spec.replicas\n", "**Path:** `spec.replicas`", "Schema: `builtin 1.37`"}},
		{name: "column counts characters", args: []string{"hover", deploy + ":5:28"}, out: []string{":5:27-5:31", "### Deployment.metadata.annotations"}},
		{name: "kind", args: []string{"hover", deploy + ":2:8"}, out: []string{"### Deployment\n"}},
		{name: "file name with a colon", args: []string{"hover", filepath.Join(dir, "odd:name.yaml") + ":12:12"}, out: []string{"containers.image"}},
		{name: "standard input", args: []string{"hover", "--", "-:7:4"}, stdin: featureDeploy, out: []string{"<stdin>:7:3-7:11"}},
		{name: "older release", args: []string{"hover", "--kubernetes-version", "1.34", deploy + ":7:4"}, out: []string{"Schema: `builtin 1.34`", "/v1.34/#deployment-v1-apps"}},
		{name: "custom resource", args: []string{"hover", "--crd", crd, filepath.Join(dir, "widget.yaml") + ":6:4"}, out: []string{"### Widget.spec.size"}},
		{name: "custom resource without its CRD", args: []string{"hover", filepath.Join(dir, "widget.yaml") + ":6:4"}, code: 1, err: "nothing to show"},
		{name: "nothing", args: []string{"hover", deploy + ":8:1"}, code: 1, err: deploy + ":8:1: nothing to show"},
		{name: "line past the end", args: []string{"hover", deploy + ":40:1"}, code: 2, err: "line 40 is past the end of the file (13 lines)"},
		{name: "just after the value", args: []string{"hover", deploy + ":7:14"}, out: []string{":7:13-7:14"}},
		{name: "column past the end", args: []string{"hover", deploy + ":7:15"}, code: 2, err: "column 15 is past the end of line 7 (13 characters: columns 1 to 14)"},
		{name: "not a position", args: []string{"hover", deploy}, code: 2, err: "expected FILE:LINE:COL"},
		{name: "zero line", args: []string{"hover", deploy + ":0:1"}, code: 2, err: "whole numbers from 1"},
		{name: "no argument", args: []string{"hover"}, code: 2, err: "expected one argument"},
		{name: "missing file", args: []string{"hover", filepath.Join(dir, "nope.yaml") + ":1:1"}, code: 2, err: "reading"},
		{name: "bad output", args: []string{"hover", "-o", "yaml", deploy + ":7:4"}, code: 2, err: "unknown output format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			for _, want := range tt.out {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tt.err) {
				t.Errorf("stderr lacks %q:\n%s", tt.err, errOut)
			}
		})
	}
}

func TestHoverCommandJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{"deploy.yaml": featureDeploy})
	out, errOut, code := run(t, "", "hover", filepath.Join(dir, "deploy.yaml")+":12:19", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var h jsonHover
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	want := jsonRange{Start: jsonPos{12, 18}, End: jsonPos{12, 23}}
	if h.Range != want || h.Path != "spec.template.spec.containers[0].image" || h.Type != "string" || h.Kind != "Deployment" ||
		h.APIVersion != "apps/v1" || h.Source != "builtin 1.37" || !strings.HasPrefix(h.Markdown, "### Deployment.spec.template.spec.containers.image") ||
		!strings.HasPrefix(h.Link, "https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.37/") {
		t.Errorf("unexpected hover: %+v", h)
	}
	out, _, code = run(t, "", "hover", filepath.Join(dir, "deploy.yaml")+":8:1", "-o", "json")
	if code != 1 || strings.TrimSpace(out) != "null" {
		t.Errorf("nothing to show: exit %d, %q", code, out)
	}
}

func TestCompleteCommand(t *testing.T) {
	typing := "apiVersion: apps/v1\nkind: Deployment\nspec:\n  rep"
	out, errOut, code := run(t, typing, "complete", "--", "-:4:6")
	if code != 0 || !regexp.MustCompile(`(?m)^replicas\s+field\s+<integer>$`).MatchString(out) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, typing, "complete", "-o", "json", "--", "-:4:6")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var c jsonCompletion
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(c.Items) == 0 || c.Position != (jsonPos{4, 6}) {
		t.Fatalf("%+v", c)
	}
	it := c.Items[0]
	if it.Label != "replicas" || it.Kind != "field" || it.InsertText != "replicas: " || it.Snippet ||
		it.Replace != (jsonRange{Start: jsonPos{4, 3}, End: jsonPos{4, 6}}) || !strings.HasPrefix(it.Documentation, "Number of desired pods.") {
		t.Errorf("first item: %+v", it)
	}

	// Values, and a snippet for a new resource.
	out, _, code = run(t, "apiVersion: v1\nkind: Service\nspec:\n  type: ", "complete", "--", "-:4:9")
	if code != 0 || !strings.Contains(out, "NodePort") {
		t.Errorf("service type: exit %d\n%s", code, out)
	}
	out, _, code = run(t, "", "complete", "-o", "json", "--", "-:1:1")
	if code != 0 || !strings.Contains(out, `"label": "Deployment (apps/v1)"`) || !strings.Contains(out, `"kind": "snippet"`) {
		t.Errorf("empty document: exit %d\n%s", code, out)
	}

	// Nothing to complete in a comment; a position outside the input.
	_, errOut, code = run(t, "# a comment", "complete", "--", "-:1:5")
	if code != 1 || !strings.Contains(errOut, "no completions") {
		t.Errorf("comment: exit %d, %s", code, errOut)
	}
	_, errOut, code = run(t, "a: b\n", "complete", "--", "-:3:1")
	if code != 2 || !strings.Contains(errOut, "line 3 is past the end") {
		t.Errorf("past the end: exit %d, %s", code, errOut)
	}
}

func TestSymbolsCommand(t *testing.T) {
	src := featureDeploy + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n"
	out, errOut, code := run(t, src, "symbols", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Deployment/web  apps/v1  1:1-12:23\n",
		"  spec  6:1-12:23\n",
		"    replicas  2  7:3-7:14\n",
		"          web  [0]  11:11-12:23\n",
		"ConfigMap/cfg  v1  14:1-19:7\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, src, "symbols", "-", "-o", "json")
	var s jsonSymbols
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(s.Symbols) != 2 || s.Symbols[0].Kind != "resource" || s.Symbols[0].Selection != (jsonRange{Start: jsonPos{4, 9}, End: jsonPos{4, 12}}) ||
		s.Symbols[1].Children[3].Kind != "object" {
		t.Errorf("%+v", s)
	}
	if _, errOut, code := run(t, "", "symbols"); code != 2 || !strings.Contains(errOut, "expected one argument") {
		t.Errorf("no file: exit %d, %s", code, errOut)
	}
}

func TestFeatureCommandsHelp(t *testing.T) {
	for _, c := range []string{"hover", "complete", "symbols"} {
		out, _, code := run(t, "", c, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--crd") || !strings.Contains(out, "--kubernetes-version") || !strings.Contains(out, "-o, --output") {
			t.Errorf("%s --help: exit %d\n%s", c, code, out)
		}
	}
}
