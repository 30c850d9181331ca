package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// The kustomize examples: a base (Deployment, Service, ConfigMap), an overlay that
// renders valid objects (namePrefix, commonLabels, a patch, a generator) and one whose
// patch makes the Deployment invalid.
var (
	kustomizeBase       = filepath.Join("..", "..", "examples", "kustomize", "base")
	kustomizeProduction = filepath.Join("..", "..", "examples", "kustomize", "overlays", "production")
	kustomizeBroken     = filepath.Join("..", "..", "examples", "kustomize", "overlays", "broken")
)

// TestValidateKustomize: validate -k reports the findings of the rendered objects at the
// lines of the files their values come from: the overlay's patch.
func TestValidateKustomize(t *testing.T) {
	patch := filepath.Join(kustomizeBroken, "bad-container.yaml")
	out, errOut, code := run(t, "", "validate", "-k", kustomizeBroken)
	want := patch + `:6:13: error: spec.replicas: Invalid value: -1: must be greater than or equal to 0 [invalid]` + "\n" +
		patch + `:11:28: error: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never" [enum]` + "\n"
	if code != 1 || out != want || !strings.Contains(errOut, "3 documents: 2 valid, 1 invalid, 0 skipped") {
		t.Errorf("validate -k broken: exit %d\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
	out, errOut, code = run(t, "", "validate", "-k", kustomizeProduction, "-v")
	if code != 0 || !strings.Contains(out, filepath.Join(kustomizeBase, "deployment.yaml")+": document 0: Deployment prod-web valid") ||
		!strings.Contains(errOut, "4 documents: 4 valid, 0 invalid, 0 skipped") {
		t.Errorf("validate -k production: exit %d\n%s\n%s", code, out, errOut)
	}
	// A finding from the kustomization file names it in the JSON report.
	dir := writeFiles(t, map[string]string{
		"kustomization.yaml": "namePrefix: Bad-\nresources: [cm.yaml]\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
	})
	out, _, code = run(t, "", "validate", "-k", dir, "-o", "json")
	if code != 1 || !strings.Contains(out, `"file": "`+filepath.Join(dir, "cm.yaml")+`"`) ||
		!strings.Contains(out, `"file": "`+filepath.Join(dir, "kustomization.yaml")+`"`) {
		t.Errorf("validate -k -o json with a bad prefix: exit %d\n%s", code, out)
	}
	out, _, _ = run(t, "", "validate", "-k", dir)
	if !strings.HasPrefix(out, filepath.Join(dir, "kustomization.yaml")+":1:1: error: metadata.name: Invalid value: \"Bad-a\"") {
		t.Errorf("validate -k with a bad prefix: %s", out)
	}
}

// TestKustomizeInputErrors: -k with files or -R, a directory without a kustomization
// and a remote base are usage errors, before any cluster is asked.
func TestKustomizeInputErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"remote/kustomization.yaml": "resources:\n  - https://github.com/example/app//deploy?ref=v1\n",
		"empty/.keep":               "",
		"kubeconfig":                "",
	})
	kc := "--kubeconfig=" + filepath.Join(dir, "kubeconfig")
	for _, verb := range []string{"validate", "apply", "diff", "delete"} {
		for _, tc := range []struct {
			args []string
			err  string
		}{
			{[]string{"-k", kustomizeBroken, "-f", "x.yaml"}, "only one of -f or -k can be specified"},
			{[]string{"-k", kustomizeBroken, "-R"}, "the -k flag can't be used with -f or -R"},
			{[]string{"-k", filepath.Join(dir, "empty")}, "no kustomization file (kustomization.yaml, kustomization.yml, Kustomization) in the directory"},
			{[]string{"-k", filepath.Join(dir, "remote")}, `the remote base "https://github.com/example/app//deploy?ref=v1" is not fetched`},
		} {
			args := append([]string{verb, kc}, tc.args...)
			out, errOut, code := run(t, "", args...)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.err) || strings.Contains(errOut, "no Kubernetes context") {
				t.Errorf("%q: exit %d, want 2 and %q\nstdout: %s\nstderr: %s", args, code, tc.err, out, errOut)
			}
		}
	}
	if _, errOut, code := run(t, "", "validate", "-k", kustomizeBroken, "extra.yaml"); code != 2 || !strings.Contains(errOut, "only one of -f or -k can be specified") {
		t.Errorf("validate -k with an argument: exit %d %s", code, errOut)
	}
}

// TestKustomizeAgainstKubectl: on the same overlays, kubectl-lsp and kubectl 1.37 agree.
// validate -k judges each object as the apiserver's server-side dry-run of kubectl
// apply -k does, with the apiserver's messages; apply -k, diff -k and delete -k act on
// the same objects with the same output lines (each in its own namespace).
func TestKustomizeAgainstKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const theirs, ours = "kust-kubectl", "kust-lsp"
	for _, ns := range []string{theirs, ours} {
		if err := c.EnsureNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	kc := "--kubeconfig=" + c.Kubeconfig()
	lsp := func(args ...string) (string, string, int) {
		return run(t, "", append(args, kc, "--cache-dir="+t.TempDir(), "-n", ours)...)
	}
	kubectl := func(args ...string) (string, string, int) { return runKubectlOn(t, c, append(args, "-n", theirs)...) }

	t.Run("render", func(t *testing.T) {
		for _, dir := range []string{kustomizeProduction, kustomizeBroken, kustomizeBase} {
			want, wantErr, _ := runKubectlOn(t, c, "kustomize", dir)
			k, err := engine.Kustomize(ctx, dir)
			if err != nil || string(k.Rendered.Src) != want {
				t.Errorf("%s: rendered (%v):\n%s\nkubectl kustomize:\n%s%s", dir, err, k.Rendered.Src, want, wantErr)
			}
		}
	})

	t.Run("validate", func(t *testing.T) {
		out, errOut, _ := kubectl("apply", "-k", kustomizeBroken, "--dry-run=server")
		accepted, rejected := dryRunVerdicts(out, errOut)
		if len(rejected) == 0 || len(accepted) == 0 {
			t.Fatalf("kubectl apply -k --dry-run=server: no verdicts\n%s\n%s", out, errOut)
		}
		for _, mode := range [][]string{nil, {"--dry-run=server"}} {
			rep := validateJSON(t, lsp, append([]string{"validate", "-k", kustomizeBroken, "-o", "json"}, mode...)...)
			var valid, invalid []string
			for _, d := range rep.Documents {
				ref := strings.ToLower(d.Kind) + "/" + d.Name
				if d.Status == "invalid" {
					invalid = append(invalid, ref)
					for _, f := range d.Findings {
						if f.Severity == "error" && !strings.Contains(errOut, f.Message) {
							t.Errorf("%v: the apiserver does not say %q:\n%s", mode, f.Message, errOut)
						}
					}
				} else {
					valid = append(valid, ref)
				}
			}
			slices.Sort(valid)
			slices.Sort(invalid)
			if !slices.Equal(valid, accepted) || !slices.Equal(invalid, rejected) {
				t.Errorf("%v: valid %v invalid %v; the apiserver accepts %v and rejects %v", mode, valid, invalid, accepted, rejected)
			}
		}
	})

	t.Run("apply", func(t *testing.T) {
		for _, round := range []string{"first", "again"} {
			want, wantErr, wantCode := kubectl("apply", "-k", kustomizeProduction)
			got, gotErr, code := lsp("apply", "-k", kustomizeProduction)
			if code != wantCode || got != want {
				t.Errorf("apply -k (%s): exit %d\n%s%s\nkubectl: exit %d\n%s%s", round, code, got, gotErr, wantCode, want, wantErr)
			}
		}
	})

	t.Run("diff", func(t *testing.T) {
		// The same kustomization, with 4 replicas instead of 3.
		tree := t.TempDir()
		copyTree(t, filepath.Join("..", "..", "examples", "kustomize"), tree)
		patch := filepath.Join(tree, "overlays", "production", "replicas.yaml")
		data, err := os.ReadFile(patch)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(patch, bytes.Replace(data, []byte("replicas: 3"), []byte("replicas: 4"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(tree, "overlays", "production")
		want, wantErr, wantCode := kubectl("diff", "-k", dir)
		got, gotErr, code := lsp("diff", "-k", dir)
		if code != 1 || wantCode != 1 {
			t.Fatalf("diff -k: exit %d (kubectl %d)\n%s%s\nkubectl:\n%s%s", code, wantCode, got, gotErr, want, wantErr)
		}
		if g, w := diffObjects(got, ours), diffObjects(want, theirs); !slices.Equal(g, w) || len(g) != 1 {
			t.Errorf("diff -k compares %v; kubectl %v", g, w)
		}
		if g, w := changedLines(got), changedLines(want); !slices.Equal(g, w) || len(g) == 0 {
			t.Errorf("diff -k changes\n%s\nkubectl:\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
	})

	t.Run("delete", func(t *testing.T) {
		want, wantErr, wantCode := kubectl("delete", "-k", kustomizeProduction)
		got, gotErr, code := lsp("delete", "-k", kustomizeProduction)
		if code != wantCode || got != strings.ReplaceAll(want, " from "+theirs+" namespace", " from "+ours+" namespace") {
			t.Errorf("delete -k: exit %d\n%s%s\nkubectl: exit %d\n%s%s", code, got, gotErr, wantCode, want, wantErr)
		}
	})
}

// runKubectlOn runs the real kubectl 1.37 against the cluster.
func runKubectlOn(t *testing.T, c *testcluster.Cluster, args ...string) (string, string, int) {
	t.Helper()
	bin := c.Kubectl()
	if bin == "" {
		t.Skip("no kubectl binary (make controlplane builds it)")
	}
	cmd := exec.Command(bin, append([]string{"--kubeconfig", c.Kubeconfig()}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

var (
	createdLine = regexp.MustCompile(`(?m)^([a-z]+)(?:\.[a-z.]+)?/(\S+) created \(server dry run\)$`)
	invalidLine = regexp.MustCompile(`([A-Z][A-Za-z]+)(?:\.[a-z.]+)? "([^"]+)" is invalid`)
)

// dryRunVerdicts are the objects kubectl apply --dry-run=server saw accepted and
// rejected, as kind/name (kind in lower case), sorted.
func dryRunVerdicts(out, errOut string) (accepted, rejected []string) {
	for _, m := range createdLine.FindAllStringSubmatch(out, -1) {
		accepted = append(accepted, m[1]+"/"+m[2])
	}
	for _, m := range invalidLine.FindAllStringSubmatch(errOut, -1) {
		rejected = append(rejected, strings.ToLower(m[1])+"/"+m[2])
	}
	slices.Sort(accepted)
	slices.Sort(rejected)
	return accepted, slices.Compact(rejected)
}

func validateJSON(t *testing.T, lsp func(...string) (string, string, int), args ...string) report {
	t.Helper()
	out, errOut, code := lsp(args...)
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code == 2 {
		t.Fatalf("%q: exit %d: %v\n%s\n%s", args, code, err, out, errOut)
	}
	return rep
}

// diffObjects are the objects a unified diff compares, from its +++ lines, with the
// namespace ns as NS.
func diffObjects(diff, ns string) []string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if name, ok := strings.CutPrefix(l, "+++ "); ok {
			name, _, _ = strings.Cut(name, "\t")
			out = append(out, strings.Replace(filepath.Base(name), "."+ns+".", ".NS.", 1))
		}
	}
	slices.Sort(out)
	return out
}

// changedLines are a unified diff's added and removed lines, without headers, sorted.
func changedLines(diff string) []string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---") {
			continue
		}
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
