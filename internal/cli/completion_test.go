package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestShellCompletion(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
current-context: dev
contexts:
- {name: dev, context: {cluster: c1, user: u1}}
- {name: prod, context: {cluster: c2, user: u2}}
clusters:
- {name: c1, cluster: {server: "https://127.0.0.1:1"}}
- {name: c2, cluster: {server: "https://127.0.0.1:2"}}
users:
- {name: u1, user: {token: "t1"}}
- {name: u2, user: {token: "t2"}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plugin := filepath.Join(dir, "kubectl-tree")
	if err := os.WriteFile(plugin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"validate", "--kubeconfig", kc, "--context", ""}, []string{"dev", "prod"}},
		{[]string{"validate", "--kubeconfig", kc, "--context", "p"}, []string{"prod"}},
		{[]string{"explain", "--kubeconfig", kc, "--cluster", ""}, []string{"c1", "c2"}},
		{[]string{"apply", "--kubeconfig", kc, "--user", "u"}, []string{"u1", "u2"}},
		{[]string{"validate", "-o", ""}, []string{"text", "json", "junit", "sarif", "github"}},
		{[]string{"explain", "-o", ""}, []string{"plaintext", "markdown"}},
		{[]string{"hover", "-o", "j"}, []string{"json"}},
		{[]string{"validate", "--schema-source", ""}, []string{"auto", "cluster", "builtin"}},
		{[]string{"validate", "--kubernetes-version", "1.3"}, []string{"1.34", "1.35", "1.36", "1.37"}},
		{[]string{"explain", "deploy.spec.str"}, []string{"deploy.spec.strategy"}},
		{[]string{"explain", "cronj"}, []string{"cronjobs"}},
		{[]string{"plugins", "run", "tr"}, []string{"tree"}},
	} {
		out, errOut, code := run(t, "", append([]string{"__complete"}, tc.args...)...)
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line != "" && !strings.HasPrefix(line, ":") {
				got = append(got, line)
			}
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if code != 0 || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%q: %q (exit %d, %s), want %q", tc.args, got, code, errOut, tc.want)
		}
	}
	// -k completes directories, on validate and the cluster actions.
	for _, verb := range []string{"validate", "apply", "diff", "delete"} {
		out, _, code := run(t, "", "__complete", verb, "-k", "")
		if code != 0 || !strings.Contains(out, ":16\n") {
			t.Errorf("%s -k: exit %d, want the directive to filter directories (:16)\n%s", verb, code, out)
		}
	}
	// The bash script cobra writes completes through __complete.
	out, _, code := run(t, "", "completion", "bash")
	if code != 0 || !strings.Contains(out, "__complete") {
		t.Errorf("completion bash: exit %d\n%.200s", code, out)
	}
}
