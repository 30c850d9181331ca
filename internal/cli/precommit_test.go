package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPreCommitHook runs the repository's .pre-commit-hooks.yaml with Debian's
// pre-commit on staged manifests, with a freshly built kubectl-lsp first on PATH. It
// skips without pre-commit unless KUBECTL_LSP_REQUIRE_PRECOMMIT=1.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv("KUBECTL_LSP_REQUIRE_PRECOMMIT") == "1" {
			t.Fatal("pre-commit is not installed (apt-get install -y pre-commit) and KUBECTL_LSP_REQUIRE_PRECOMMIT=1")
		}
		t.Skip("pre-commit is not installed")
	}
	root := repoRootDir(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "kubectl-lsp"), "./cmd/kubectl-lsp")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := writeFiles(t, map[string]string{
		".pre-commit-config.yaml": localHookConfig(t, filepath.Join(root, ".pre-commit-hooks.yaml")),
		"deploy/ok.yaml":          validCM,
		"deploy/bad.yaml":         invalidDeploy,
		"notes.txt":               "not a manifest\n",
	})
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PRE_COMMIT_HOME="+t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = repo, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	tests := []struct {
		name string
		args []string
		fail bool
		want string
	}{
		{"valid file", []string{"--files", "deploy/ok.yaml"}, false, "Passed"},
		{"invalid file", []string{"--files", "deploy/bad.yaml"}, true, "deploy/bad.yaml:6:13: error: spec.replicas"},
		{"all staged files", nil, true, "[enum]"},
		{"not a manifest", []string{"--files", "notes.txt"}, false, "(no files to check)Skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(preCommit, append([]string{"run", "--color=never"}, tt.args...)...)
			cmd.Dir, cmd.Env = repo, env
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.fail || !strings.Contains(string(out), tt.want) {
				t.Errorf("pre-commit run %v: %v (want failure %v), output lacks %q:\n%s", tt.args, err, tt.fail, tt.want, out)
			}
		})
	}
}

// localHookConfig is a .pre-commit-config.yaml running the hooks of a
// .pre-commit-hooks.yaml as local hooks: the file under test, without a commit to pin.
func localHookConfig(t *testing.T, hooksFile string) string {
	t.Helper()
	data, err := os.ReadFile(hooksFile)
	if err != nil {
		t.Fatal(err)
	}
	var hooks []map[string]any
	if err := yaml.Unmarshal(data, &hooks); err != nil || len(hooks) == 0 {
		t.Fatalf("%s: %v (%d hooks)", hooksFile, err, len(hooks))
	}
	out, err := yaml.Marshal(map[string]any{"repos": []any{map[string]any{"repo": "local", "hooks": hooks}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
