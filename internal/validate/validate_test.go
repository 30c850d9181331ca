package validate_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/validate"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// markerRE finds expectations written in the fixtures themselves: a comment
// "# @error CODE" or "# @warning CODE" on the line where the finding must start.
var markerRE = regexp.MustCompile(`@(error|warning) ([a-z-]+)`)

// TestFixtures validates every testdata/*.yaml|json file. Each finding must start on a line
// carrying a marker for its severity and code, and every marker must be matched; the full
// messages and columns are compared with the .golden file beside the fixture.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".golden") || strings.HasSuffix(name, ".want") || strings.Contains(name, ".crd.") {
			continue
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			eng, err := engine.New(engine.Options{KubernetesVersion: "1.37"})
			if err != nil {
				t.Fatal(err)
			}
			crds, _ := filepath.Glob("testdata/*.crd.yaml")
			if err := eng.LoadCRDPaths(crds); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f := yamlpos.Split(name, data)
			results := eng.ValidateFiles(context.Background(), []*yamlpos.File{f}, nil)[0]

			want := map[string]int{}
			if extra, err := os.ReadFile(name + ".want"); err == nil {
				for _, line := range strings.Split(strings.TrimSpace(string(extra)), "\n") {
					want[line]++
				}
			}
			for i, line := range strings.Split(string(data), "\n") {
				for _, m := range markerRE.FindAllStringSubmatch(line, -1) {
					want[fmt.Sprintf("%d %s %s", i+1, m[1], m[2])]++
				}
			}
			got := map[string]int{}
			var golden strings.Builder
			for _, r := range results {
				fmt.Fprintf(&golden, "document %d: %s %s %s %s", r.Doc.Index, r.Status, r.APIVersion, r.Kind, r.Name)
				if r.Reason != "" {
					fmt.Fprintf(&golden, " (%s)", r.Reason)
				}
				golden.WriteString("\n")
				for _, fd := range r.Findings {
					l, c := f.Mapper.OffsetLineChar(fd.Range.Start)
					el, ec := f.Mapper.OffsetLineChar(fd.Range.End)
					got[fmt.Sprintf("%d %s %s", l, fd.Severity, fd.Code)]++
					fmt.Fprintf(&golden, "  %d:%d-%d:%d %s %s %q: %s\n", l, c, el, ec, fd.Severity, fd.Code, data[fd.Range.Start:fd.Range.End], fd.Message)
				}
			}
			var diffs []string
			for k, n := range want {
				if got[k] < n {
					diffs = append(diffs, "missing: line "+k)
				}
			}
			for k, n := range got {
				if want[k] < n {
					diffs = append(diffs, "unexpected: line "+k)
				}
			}
			sort.Strings(diffs)
			if len(diffs) > 0 {
				t.Errorf("findings differ from the markers:\n%s\n\nall findings:\n%s", strings.Join(diffs, "\n"), golden.String())
			}
			goldenFile := name + ".golden"
			if *update {
				if err := os.WriteFile(goldenFile, []byte(golden.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			prev, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("no golden file (run go test -update): %v", err)
			}
			if string(prev) != golden.String() {
				t.Errorf("output differs from %s (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", goldenFile, prev, golden.String())
			}
		})
	}
}

var _ = validate.Error

// TestManyErrorsInOneMap: the apiserver reports each bad label of a map, in no order;
// each gets one finding at its own key, and the findings come sorted by position.
func TestManyErrorsInOneMap(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n")
	const n = 5000
	for i := range n {
		fmt.Fprintf(&b, "    \"bad key %d!\": x\n", i)
	}
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	f := yamlpos.Split("labels.yaml", []byte(b.String()))
	d := f.Docs[0]
	d.ParseDoc()
	r := eng.ValidateDocument(context.Background(), d)
	if len(r.Findings) != n {
		t.Fatalf("%d findings, want %d", len(r.Findings), n)
	}
	for i, fd := range r.Findings {
		line, _ := f.Mapper.OffsetLineChar(fd.Range.Start)
		if fd.Code != validate.CodeLabel || line != 6+i || !strings.Contains(fd.Message, fmt.Sprintf("\"bad key %d!\"", i)) {
			t.Fatalf("finding %d: line %d %s %s", i, line, fd.Code, fd.Message)
		}
	}
}

// TestNumericFormatsFollowTheRelease checks the one create-time rule of custom resources
// that follows --kubernetes-version instead of the linked release: a format on an integer
// or a number (int32, float) is checked from 1.36 on, and dropped before (see
// testdata/asns.crd.yaml; both verdicts are confirmed by the differential tests).
func TestNumericFormatsFollowTheRelease(t *testing.T) {
	for _, tc := range []struct {
		version string
		invalid []string
	}{
		{"1.34", []string{"too-many-hops"}},
		{"1.35", []string{"too-many-hops"}},
		{"1.36", []string{"private-asn", "float-weight", "too-many-hops"}},
		{"1.37", []string{"private-asn", "float-weight", "too-many-hops"}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			eng, err := engine.New(engine.Options{KubernetesVersion: tc.version, SchemaSource: engine.SourceBuiltin})
			if err != nil {
				t.Fatal(err)
			}
			if err := eng.LoadCRDPaths([]string{"testdata/asns.crd.yaml"}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile("testdata/asns.yaml")
			if err != nil {
				t.Fatal(err)
			}
			f := yamlpos.Split("asns.yaml", data)
			var invalid []string
			for _, r := range eng.ValidateFiles(context.Background(), []*yamlpos.File{f}, nil)[0] {
				if r.Status == validate.Invalid {
					invalid = append(invalid, r.Name)
				}
			}
			if fmt.Sprint(invalid) != fmt.Sprint(tc.invalid) {
				t.Errorf("invalid: %v; want %v", invalid, tc.invalid)
			}
		})
	}
}

// TestServiceNamesFollowTheRelease checks that the older, stricter Service name rule
// (a DNS-1035 label: no leading digit, before 1.36) applies with --kubernetes-version of
// such a release, though the linked create path accepts the name, and that a name both
// reject is reported once.
func TestServiceNamesFollowTheRelease(t *testing.T) {
	const docs = `apiVersion: v1
kind: Service
metadata: {name: 9svc}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {generateName: 9svc-}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: 9Svc}
spec: {ports: [{port: 80}]}
`
	for _, tc := range []struct {
		version string
		errors  []int // per document
	}{
		{"1.34", []int{1, 1, 1}},
		{"1.35", []int{1, 1, 1}},
		{"1.36", []int{0, 0, 1}},
		{"1.37", []int{0, 0, 1}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			eng, err := engine.New(engine.Options{KubernetesVersion: tc.version, SchemaSource: engine.SourceBuiltin})
			if err != nil {
				t.Fatal(err)
			}
			f := yamlpos.Split("services.yaml", []byte(docs))
			var got []int
			for _, r := range eng.ValidateFiles(context.Background(), []*yamlpos.File{f}, nil)[0] {
				n := 0
				for _, fd := range r.Findings {
					if fd.Severity == validate.Error {
						n++
					}
				}
				got = append(got, n)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.errors) {
				t.Errorf("errors per document: %v; want %v", got, tc.errors)
			}
		})
	}
}
