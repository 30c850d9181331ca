package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// docFinding is a finding and the index of its document.
type docFinding struct {
	validate.Finding
	doc int
}

// key identifies a finding independently of its position (edits move findings).
func (f docFinding) key() string {
	return fmt.Sprintf("#%d %s %s %s", f.doc, f.Severity, f.Code, f.Field)
}

// validateText validates every document of a file's text.
func validateText(t testing.TB, eng *engine.Engine, name string, src []byte) (*yamlpos.File, []docFinding) {
	t.Helper()
	f := yamlpos.Split(name, src)
	var all []docFinding
	for _, r := range eng.ValidateFiles(context.Background(), []*yamlpos.File{f}, nil)[0] {
		for _, fd := range r.Findings {
			all = append(all, docFinding{fd, r.Doc.Index})
		}
	}
	return f, all
}

// checkFix applies a fix to src and validates the result: the finding it fixes must be
// gone and no other finding may be new, but after an apiVersion fix (which lets the
// kind's schema apply) the findings of that document are reported, not failed.
func checkFix(t *testing.T, eng *engine.Engine, name string, src []byte, before []docFinding, a engine.CodeAction) []byte {
	t.Helper()
	fixed, ok := yamlpos.ApplyEdits(src, a.Edits, 0)
	if !ok {
		t.Fatalf("%s: edits of %q overlap or are out of range: %+v", name, a.Title, a.Edits)
	}
	_, after := validateText(t, eng, name, fixed)
	count := map[string]int{}
	doc := -1
	for _, f := range before {
		count[f.key()]++
		if f.Range == a.Diagnostic.Range && f.Message == a.Diagnostic.Message {
			doc = f.doc
		}
	}
	if doc < 0 {
		t.Fatalf("%s: %q fixes a finding that validation does not report: %+v", name, a.Title, *a.Diagnostic)
	}
	count[docFinding{*a.Diagnostic, doc}.key()]--
	for _, f := range after {
		k := f.key()
		if f.doc == doc && f.Code == a.Diagnostic.Code && f.Field == a.Diagnostic.Field {
			t.Errorf("%s: %q did not fix %q:\n%s", name, a.Title, a.Diagnostic.Message, fixed)
			continue
		}
		if count[k] > 0 {
			count[k]--
			continue
		}
		// An apiVersion fix reveals the kind's schema; a fix of what stops the apiserver's
		// decoder reveals what its validation says.
		if (a.Diagnostic.Code == validate.CodeUnknownKind || validate.StopsDecoding(*a.Diagnostic)) && f.doc == doc && f.Code != validate.CodeSyntax {
			t.Logf("%s: after %q the object reaches further and %s", name, a.Title, f.Message)
			continue
		}
		t.Errorf("%s: %q introduced %s: %s\n%s", name, a.Title, k, f.Message, fixed)
	}
	return fixed
}

// TestQuickFixesFixtures is the property: for every finding of the validator's fixtures
// (and of the examples) that has a quick fix, applying the fix removes the finding and adds none. It also
// reports which codes got fixes, so that a fixer silently offering nothing shows up.
func TestQuickFixesFixtures(t *testing.T) {
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	crds, _ := filepath.Glob("../validate/testdata/*.crd.yaml")
	if err := eng.LoadCRDPaths(append(crds, "../../examples/crds")); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../validate/testdata/*.*")
	examples, _ := filepath.Glob("../../examples/*/*.yaml")
	files = append(files, examples...)
	fixedCodes := map[string]int{}
	findings := map[string]int{}
	for _, name := range files {
		if strings.HasSuffix(name, ".golden") || strings.HasSuffix(name, ".want") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, before := validateText(t, eng, name, src)
		for _, fd := range before {
			findings[fd.Code]++
		}
		for _, fd := range before {
			actions := eng.QuickFixes(f, fd.Range)
			seen := false
			for _, a := range actions {
				if a.Diagnostic == nil || a.Kind != engine.KindQuickFix || a.Title == "" {
					t.Fatalf("%s: malformed action %+v", name, a)
				}
				if a.Diagnostic.Range != fd.Range || a.Diagnostic.Message != fd.Message {
					continue
				}
				seen = true
				l, c := f.Mapper.OffsetLineChar(fd.Range.Start)
				fixed := checkFix(t, eng, fmt.Sprintf("%s:%d:%d", filepath.Base(name), l, c), src, before, a)
				if testing.Verbose() {
					t.Logf("%s:%d:%d %s: %s → %q", filepath.Base(name), l, c, fd.Code, a.Title, diffLine(src, fixed))
				}
			}
			if seen {
				fixedCodes[fd.Code]++
			}
		}
	}
	t.Logf("findings per code: %v; fixed: %v", findings, fixedCodes)
	for _, code := range []string{validate.CodeType, validate.CodeUnknownField, validate.CodeRequired, validate.CodeUnknownKind, validate.CodeEnum} {
		if fixedCodes[code] == 0 {
			t.Errorf("no %s finding of the fixtures got a quick fix", code)
		}
	}
}

// diffLine shows what changed between two texts: the changed middle of b.
func diffLine(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	j := 0
	for j < len(a)-i && j < len(b)-i && a[len(a)-1-j] == b[len(b)-1-j] {
		j++
	}
	return fmt.Sprintf("-%q +%q", a[i:len(a)-j], b[i:len(b)-j])
}

// fixAt returns the quick fixes at the cursor of a fixture, with its file.
func fixAt(t *testing.T, eng *engine.Engine, name, src string) ([]engine.CodeAction, []byte) {
	t.Helper()
	f, off := marked(t, name, src)
	return eng.QuickFixes(f, yamlpos.Range{Start: off, End: off}), f.Src
}

func TestQuickFixes(t *testing.T) {
	eng := newEngine(t)
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
	cases := []struct {
		name, src, title, want string
		preferred              bool
	}{
		{
			name:  "quote a number where a string is expected",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  version: ‸1.10 # the release\n",
			title: `Change 1.10 to "1.10"`, preferred: true,
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  version: \"1.10\" # the release\n",
		},
		{
			name:  "quote a boolean in a flow mapping",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {on: ‸yes}}\n",
			title: `Change yes to "yes"`, preferred: true,
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {on: \"yes\"}}\n",
		},
		{
			name:  "unquote an integer",
			src:   "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: ‸'3'\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
			title: `Change '3' to 3`, preferred: true,
			want: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
		},
		{
			name:  "unquote a boolean",
			src:   deploy + "        - name: c\n          image: i\n          stdin: ‸\"True\"\n",
			title: `Change "True" to true`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          stdin: true\n",
		},
		{
			name:  "rename a misspelled field",
			src:   deploy + "        - name: c\n          image: i\n          ‸imagePullpolicy: Always\n",
			title: `Rename "imagePullpolicy" to "imagePullPolicy"`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          imagePullPolicy: Always\n",
		},
		{
			name:  "rename a quoted key in JSON",
			src:   `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, ‸"dat": {"a": "b"}}`,
			title: `Rename "dat" to "data"`, preferred: true,
			want: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}`,
		},
		{
			name:  "remove an unknown field with its block",
			src:   deploy + "        - name: c\n          ‸bogus:\n            a: 1\n\n            b: [1,\n              2]\n          # about the image\n          image: i\n",
			title: `Remove unknown field "bogus"`,
			want:  deploy + "        - name: c\n          # about the image\n          image: i\n",
		},
		{
			name:  "remove an unknown field with a block scalar",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n‸notes: |\n  line one\n\n  line two\ndata: {a: b}\n",
			title: `Remove unknown field "notes"`,
			want:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
		},
		{
			name:  "remove the last field without a final line break",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n‸bogus: 1",
			title: `Remove unknown field "bogus"`,
			want:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}",
		},
		{
			name:  "remove the first field of a list item",
			src:   deploy + "        - ‸bogus: 1\n          name: c\n          image: i\n",
			title: `Remove unknown field "bogus"`,
			want:  deploy + "        - name: c\n          image: i\n",
		},
		{
			name:  "remove from the middle of a flow mapping",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, ‸bogus: 1, labels: {a: b}}\n",
			title: `Remove unknown field "bogus"`,
			want:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: b}}\n",
		},
		{
			name:  "remove the last entry of a flow mapping",
			src:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, ‸bogus: [1, 2]}\n",
			title: `Remove unknown field "bogus"`,
			want:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		},
		{
			name:  "remove from JSON",
			src:   "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"c\"},\n  ‸\"bogus\": {\"x\": 1}\n}\n",
			title: `Remove unknown field "bogus"`,
			want:  "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"c\"}\n}\n",
		},
		{
			name:  "add a required field to a list item",
			src:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - ‸targetPort: 80\n      protocol: TCP\n",
			title: `Add required field "port"`, preferred: true,
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - targetPort: 80\n      protocol: TCP\n      port: 1\n",
		},
		{
			name:  "add a required field after the key's line, at the siblings' indentation",
			src:   "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n‸spec:\n    replicas: 1\n",
			title: `Add required field "size"`, preferred: true,
			want: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n    size: small\n    replicas: 1\n",
		},
		{
			name:  "fill in a required field given as null",
			src:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - ‸port:\n      protocol: TCP\n",
			title: `Add required field "port"`, preferred: true,
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: 1\n      protocol: TCP\n",
		},
		{
			name:  "add a required field to a flow mapping",
			src:   "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n‸spec: {}\n",
			title: `Add required field "size"`, preferred: true,
			want: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: small}\n",
		},
		{
			name:  "add a required field to multi-line JSON",
			src:   "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"s\"},\n  \"spec\": {\"ports\": [\n    {\n      ‸\"targetPort\": 80\n    }\n  ]}\n}\n",
			title: `Add required field "port"`, preferred: true,
			want: "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"s\"},\n  \"spec\": {\"ports\": [\n    {\n      \"targetPort\": 80,\n      \"port\": 1\n    }\n  ]}\n}\n",
		},
		{
			name:  "add a required field with CRLF line ends",
			src:   "apiVersion: v1\r\nkind: Service\r\nmetadata: {name: s}\r\nspec:\r\n  ports:\r\n    - ‸targetPort: 80\r\n",
			title: `Add required field "port"`, preferred: true,
			want: "apiVersion: v1\r\nkind: Service\r\nmetadata: {name: s}\r\nspec:\r\n  ports:\r\n    - targetPort: 80\r\n      port: 1\r\n",
		},
		{
			name:  "replace an apiVersion that does not serve the kind",
			src:   "apiVersion: ‸extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
			title: "Change apiVersion to apps/v1", preferred: true,
			want: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
		},
		{
			name:  "replace a quoted apiVersion",
			src:   "apiVersion: \"‸v1\"\nkind: Widget\nmetadata: {name: w}\nspec: {size: small}\n",
			title: "Change apiVersion to example.com/v1", preferred: true,
			want: "apiVersion: \"example.com/v1\"\nkind: Widget\nmetadata: {name: w}\nspec: {size: small}\n",
		},
		{
			name:  "an object in a List",
			src:   "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n    spec:\n      ports:\n        - ‸targetPort: 80\n",
			title: `Add required field "port"`, preferred: true,
			want: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n    spec:\n      ports:\n        - targetPort: 80\n          port: 1\n",
		},
		{
			name:  "a key of a List item's first line",
			src:   "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    ‸dta: {a: b}\n",
			title: `Rename "dta" to "data"`, preferred: true,
			want: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    data: {a: b}\n",
		},
		{
			name:  "a value written once, used through an alias",
			src:   "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - &c {name: c, image: i, imagePullPolicy: ‸never}\n  initContainers:\n    - *c\n",
			title: `Change "never" to "Never"`, preferred: true,
			want: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - &c {name: c, image: i, imagePullPolicy: Never}\n  initContainers:\n    - *c\n",
		},
		{
			name:  "an enum value in the wrong case",
			src:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: 80\n      protocol: ‸tcp\n",
			title: `Change "tcp" to "TCP"`, preferred: true,
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: 80\n      protocol: TCP\n",
		},
		{
			name:  "a misspelled enum value",
			src:   deploy + "        - name: c\n          image: i\n          imagePullPolicy: \"Allw‸ays\"\n",
			title: `Change "Allways" to "Always"`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          imagePullPolicy: \"Always\"\n",
		},
		{
			name:  "a quantity in megabytes",
			src:   deploy + "        - name: c\n          image: i\n          resources:\n            limits: {memory: ‸128MB}\n",
			title: `Change "128MB" to "128M" (megabytes, 10^6)`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          resources:\n            limits: {memory: 128M}\n",
		},
		{
			name:  "a quantity in megabytes, meant in mebibytes",
			src:   deploy + "        - name: c\n          image: i\n          resources:\n            limits:\n              memory: ‸128MB\n",
			title: `Change "128MB" to "128Mi" (mebibytes, 2^20)`,
			want:  deploy + "        - name: c\n          image: i\n          resources:\n            limits:\n              memory: 128Mi\n",
		},
		{
			name:  "a quoted quantity in gibibytes",
			src:   deploy + "        - name: c\n          image: i\n          resources:\n            requests:\n              memory: \"1.5 G‸iB\"\n",
			title: `Change "1.5 GiB" to "1.5Gi" (gibibytes, 2^30)`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          resources:\n            requests:\n              memory: \"1.5Gi\"\n",
		},
		{
			name:  "a quantity in kilobytes",
			src:   deploy + "        - name: c\n          image: i\n          resources:\n            requests:\n              memory: ‸512KB\n",
			title: `Change "512KB" to "512k" (kilobytes, 10^3)`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          resources:\n            requests:\n              memory: 512k\n",
		},
		{
			name:  "add a required port, a number or a name",
			src:   deploy + "        - name: c\n          image: i\n          livenessProbe: {‸httpGet: {path: /}}\n",
			title: `Add required field "port"`, preferred: true,
			want: deploy + "        - name: c\n          image: i\n          livenessProbe: {httpGet: {path: /, port: 1}}\n",
		},
		{
			name:  "a misspelled required field is renamed, not added",
			src:   "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: small\n  parts:\n    - ‸nmae: a\n",
			title: `Rename "nmae" to "name"`, preferred: true,
			want: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: small\n  parts:\n    - name: a\n",
		},
		{
			name:  "an enum value after multi-byte text",
			src:   "apiVersion: v1\nkind: Service\nmetadata: {name: s, annotations: {a: \"🙂 é\"}}\nspec: {ports: [{port: 80, protocol: ‸udp}]}\n",
			title: `Change "udp" to "UDP"`, preferred: true,
			want: "apiVersion: v1\nkind: Service\nmetadata: {name: s, annotations: {a: \"🙂 é\"}}\nspec: {ports: [{port: 80, protocol: UDP}]}\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			actions, src := fixAt(t, eng, c.name, c.src)
			count := map[string]int{}
			for _, a := range actions {
				if count[a.Title]++; count[a.Title] > 1 {
					t.Errorf("action %q twice", a.Title)
				}
			}
			var titles []string
			for _, a := range actions {
				titles = append(titles, a.Title)
				if a.Title != c.title {
					continue
				}
				if a.Preferred != c.preferred {
					t.Errorf("preferred = %v, want %v", a.Preferred, c.preferred)
				}
				got, ok := yamlpos.ApplyEdits(src, a.Edits, 0)
				if !ok || string(got) != c.want {
					t.Errorf("fixed text:\n%s\nwant:\n%s", got, c.want)
				}
				_, before := validateText(t, eng, c.name, src)
				checkFix(t, eng, c.name, src, before, a)
				return
			}
			t.Fatalf("no action %q; got %q", c.title, titles)
		})
	}
}

// TestQuickFixesOrder: the fixes at a cursor come most likely first, and a misspelled
// required field is not also offered as added.
func TestQuickFixesOrder(t *testing.T) {
	eng := newEngine(t)
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: c\n          image: i\n"
	cases := []struct {
		name, src string
		want      []string
		preferred string
	}{
		{"a misspelled required field",
			"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: small\n  parts:\n    - ‸nmae: a\n",
			[]string{`Rename "nmae" to "name"`, `Remove unknown field "nmae"`}, `Rename "nmae" to "name"`},
		{"a misspelled required field, the rename out of range: adding it is no longer preferred",
			"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: small\n  parts:\n    - ‸color: red\n      nmae: a\n",
			[]string{`Add required field "name"`}, ""},
		{"a misspelled container port",
			deploy + "          ports:\n            - ‸contianerPort: 80\n",
			[]string{`Rename "contianerPort" to "containerPort"`, `Remove unknown field "contianerPort"`}, `Rename "contianerPort" to "containerPort"`},
		{"a quantity",
			deploy + "          resources: {limits: {memory: ‸1.5Gb}}\n",
			[]string{`Change "1.5Gb" to "1.5G" (gigabytes, 10^9)`, `Change "1.5Gb" to "1.5Gi" (gibibytes, 2^30)`}, `Change "1.5Gb" to "1.5G" (gigabytes, 10^9)`},
		{"a wrong enum value",
			deploy + "          imagePullPolicy: ‸ifNotPresent\n",
			[]string{`Change "ifNotPresent" to "IfNotPresent"`}, `Change "ifNotPresent" to "IfNotPresent"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			actions, _ := fixAt(t, eng, c.name, c.src)
			var titles, preferred []string
			for _, a := range actions {
				titles = append(titles, a.Title)
				if a.Preferred {
					preferred = append(preferred, a.Title)
				}
			}
			if !slices.Equal(titles, c.want) {
				t.Errorf("fixes %q, want %q", titles, c.want)
			}
			if want := []string{c.preferred}; !slices.Equal(preferred, want) && (c.preferred != "" || len(preferred) > 0) {
				t.Errorf("preferred %q, want %q", preferred, c.preferred)
			}
		})
	}
}

// TestQuickFixesNone covers findings that get no fix, and ranges without findings.
func TestQuickFixesNone(t *testing.T) {
	eng := newEngine(t)
	for name, src := range map[string]string{
		"a string that is no integer":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: ‸three\n",
		"a quoted non-canonical number":      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: ‸\"0x10\"\n",
		"a quoted yes for a boolean":         "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, stdin: ‸\"yes\"}]\n",
		"an enum value far from all":         "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: ‸Sometimes\n  containers: [{name: c, image: i}]\n",
		"a quantity without a unit of bytes": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, resources: {limits: {cpu: ‸1.5 cores}}}]\n",
		"a quantity with a bad number":       "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, resources: {limits: {memory: ‸1.2.3Gi}}}]\n",
		"a valid document":                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ‸c}\n",
		"a syntax error":                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ‸c\n",
		// A required list whose placeholder ({name: ""}) the apiserver rejects.
		"add a required field under an empty key: no fix the apiserver rejects": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n‸spec:\n  selector: {matchLabels: {app: d}}\n  template:   # to do\n",
		// A required list whose placeholder ({name: ""}) the apiserver rejects.
		"add a required field to an explicit null: no fix the apiserver rejects": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  ‸template:\n    metadata: {labels: {app: d}}\n    spec: ~\n",
		// A required list whose placeholder ({name: ""}) the apiserver rejects.
		"add the missing objects on the way: no fix the apiserver rejects": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n‸spec:\n  selector: {matchLabels: {app: d}}\n",
		"outside the finding": "apiVersion: v1\nkind: ConfigMap\n‸metadata: {name: c}\ndata: {a: 1}\n",
	} {
		t.Run(name, func(t *testing.T) {
			actions, _ := fixAt(t, eng, name, src)
			if len(actions) != 0 {
				t.Errorf("want no fix, got %+v", actions)
			}
		})
	}
}

// TestQuickFixesRange asks for the fixes of a range spanning several documents.
func TestQuickFixesRange(t *testing.T) {
	eng := newEngine(t)
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: 1}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, protocol: tcp}]}\n"
	f := yamlpos.Split("range.yaml", []byte(src))
	actions := eng.QuickFixes(f, yamlpos.Range{Start: 0, End: len(src)})
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	if want := []string{`Change 1 to "1"`, `Change "tcp" to "TCP"`}; !slices.Equal(titles, want) {
		t.Errorf("titles %q, want %q", titles, want)
	}
	fixed := f.Src
	for i := len(actions) - 1; i >= 0; i-- {
		var ok bool
		if fixed, ok = yamlpos.ApplyEdits(fixed, actions[i].Edits, 0); !ok {
			t.Fatal("edits do not apply")
		}
	}
	if _, after := validateText(t, eng, "range.yaml", fixed); len(after) != 0 {
		t.Errorf("after both fixes: %+v", after)
	}
}
