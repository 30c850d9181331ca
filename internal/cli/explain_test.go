package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// runExplain runs `kubectl-lsp explain ARGS...` and returns stdout and the error.
func runExplain(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(append([]string{"explain"}, args...))
	err := cmd.Execute()
	return out.String(), err
}

func TestExplainOutput(t *testing.T) {
	const testdata = "../explain/testdata/"
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"deploy.spec.strategy"}, "deploy.spec.strategy.golden"},
		{[]string{"deploy.spec.strategy", "-o", "markdown"}, "deploy.spec.strategy.md.golden"},
		{[]string{"cronjob", "--recursive", "--max-depth=2"}, "cronjob-recursive-depth2.golden"},
		{[]string{"cronjob", "-R", "--max-depth", "2", "--output=plaintext"}, "cronjob-recursive-depth2.golden"},
		{[]string{"hpa.spec", "--api-version", "autoscaling/v1"}, "hpa.spec-autoscaling-v1.golden"},
		{[]string{"--crd", testdata + "crd-widgets.yaml", "wd.spec.size"}, "widget.spec.size.golden"},
		{[]string{"svc.spec.type", "--kubernetes-version=1.37"}, "svc.spec.type.golden"},
	} {
		got, err := runExplain(t, tc.args...)
		if err != nil {
			t.Errorf("explain %v: %v", tc.args, err)
			continue
		}
		want, err := os.ReadFile(testdata + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("explain %v: output differs from %s:\n%s", tc.args, tc.golden, got)
		}
	}
}

func TestExplainKubernetesVersion(t *testing.T) {
	got, err := runExplain(t, "deploy", "--kubernetes-version", "1.34")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n") {
		t.Errorf("explain deploy --kubernetes-version 1.34:\n%s", got)
	}
}

func TestExplainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{nil, "you must specify the type of resource to explain", 2},
		{[]string{"pods", "svc"}, "explain takes one argument", 2},
		{[]string{""}, "you must specify the type of resource to explain", 2},
		{[]string{"pods", "-o", "yaml"}, `unknown output format "yaml"`, 2},
		{[]string{"pods", "--max-depth=1"}, "--max-depth requires --recursive", 2},
		{[]string{"pods", "-R", "--max-depth=-1"}, "--max-depth must be non-negative", 2},
		{[]string{"pods", "--kubernetes-version=1.2"}, "--kubernetes-version", 2},
		{[]string{"pods", "--crd=does-not-exist.yaml"}, "does-not-exist.yaml", 2},
		{[]string{"foo"}, `the server doesn't have a resource type "foo"`, 2},
		{[]string{"deploy.spec.foo"}, `field "foo" does not exist`, 2},
		{[]string{"deploy", "--api-version=apps/v2"}, `couldn't find resource for "apps/v2, Resource=deployments"`, 2},
	} {
		out, err := runExplain(t, tc.args...)
		if err == nil {
			t.Errorf("explain %q: no error", tc.args)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("explain %q: error %q, want it to contain %q", tc.args, err, tc.want)
		}
		if got := ExitCode(err); got != tc.code {
			t.Errorf("explain %q: exit code %d, want %d", tc.args, got, tc.code)
		}
		if out != "" {
			t.Errorf("explain %q: printed %q before failing", tc.args, out)
		}
	}
}

func TestExplainHelp(t *testing.T) {
	var out bytes.Buffer
	cmd := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
	cmd.SetArgs([]string{"explain", "--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kubectl-lsp explain pods", "--recursive", "--api-version", "--output", "--kubernetes-version", "--max-depth", "--crd"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain --help lacks %q:\n%s", want, out.String())
		}
	}
}
