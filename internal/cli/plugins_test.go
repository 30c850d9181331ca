//go:build unix

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// realKubectl is the kubectl 1.37 that `make controlplane` builds. Tests that compare with
// it skip when it is missing, unless $KUBECTL_LSP_REQUIRE_CLUSTER=1 (CI).
func realKubectl(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(testcluster.EnvBinDir)
	if dir == "" {
		root := repoRootDir(t)
		dir = filepath.Join(root, ".cache", "controlplane", testcluster.KubernetesVersion)
	}
	k := filepath.Join(dir, "kubectl")
	if _, err := os.Stat(k); err != nil {
		if os.Getenv(testcluster.EnvRequire) == "1" {
			t.Fatalf("no kubectl at %s (build it with `%s`): %v", k, testcluster.BuildCommand, err)
		}
		t.Skipf("no kubectl at %s; build it with `%s`", k, testcluster.BuildCommand)
	}
	return k
}

// repoRootDir walks up from the package directory to the kubectl-lsp module.
func repoRootDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(data, []byte("module github.com/kubectl-lsp/kubectl-lsp\n")) {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("the kubectl-lsp module's go.mod not found above " + wd)
		}
	}
}

// runKubectl runs the real kubectl with a bare environment: only PATH, a HOME and a
// KUBECONFIG of its own, and extra variables.
func runKubectl(t *testing.T, kubectl, pathEnv string, extraEnv []string, args ...string) (string, string, int) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(kubectl, args...)
	cmd.Env = append([]string{"PATH=" + pathEnv, "HOME=" + home, "KUBECONFIG=" + filepath.Join(home, "none")}, extraEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("kubectl %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errOut.String(), code
}

func writeExec(t *testing.T, dir, name, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// TestPluginsListMatchesKubectl: `plugins list` prints what `kubectl plugin list` prints,
// byte for byte on each stream, with the same exit status, for PATHs of real files:
// shadowing, files that are not executable, underscores, names of built-in commands,
// missing and repeated directories, no plugins at all.
func TestPluginsListMatchesKubectl(t *testing.T) {
	const sh = "#!/bin/sh\necho hi\n"
	tests := []struct {
		name   string
		setup  func(t *testing.T, a, b string) string // returns PATH
		args   []string
		env    []string
		stdout string
		stderr string
		code   int
	}{{
		name: "warnings",
		setup: func(t *testing.T, a, b string) string {
			writeExec(t, a, "kubectl-foo", sh, 0o755)
			writeExec(t, a, "kubectl-version", sh, 0o755)
			writeExec(t, a, "kubectl-config-view", sh, 0o755)
			writeExec(t, a, "kubectl-noexec", sh, 0o644)
			writeExec(t, a, "kubectl-foo_bar", sh, 0o755)
			writeExec(t, a, "not-a-plugin", sh, 0o755)
			writeExec(t, b, "kubectl-foo", sh, 0o755)
			writeExec(t, b, "kubectl-foo-bar", sh, 0o755)
			writeExec(t, b, "kubectl-create-widget", sh, 0o755)
			return strings.Join([]string{a, a + "-missing", b, a, ""}, ":")
		},
		stdout: `The following compatible plugins are available:

$A/kubectl-config-view
$A/kubectl-foo
$A/kubectl-foo_bar
$A/kubectl-noexec
$A/kubectl-version
$B/kubectl-create-widget
$B/kubectl-foo
$B/kubectl-foo-bar
`,
		stderr: `Unable to read directory "$A-missing" from your PATH: open $A-missing: no such file or directory. Skipping...
  - warning: kubectl-config-view overwrites existing command: "kubectl config view"
  - warning: $A/kubectl-noexec identified as a kubectl plugin, but it is not executable
  - warning: kubectl-version overwrites existing command: "kubectl version"
  - warning: kubectl-create-widget overwrites existing command: "kubectl create"
  - warning: $B/kubectl-foo is overshadowed by a similarly named plugin: $A/kubectl-foo
error: 5 plugin warnings were found
`,
		code: 1,
	}, {
		name: "name only",
		args: []string{"--name-only"},
		setup: func(t *testing.T, a, b string) string {
			writeExec(t, a, "kubectl-foo", sh, 0o755)
			writeExec(t, b, "kubectl-foo", sh, 0o755)
			return a + ":" + b
		},
		stdout: "The following compatible plugins are available:\n\nkubectl-foo\nkubectl-foo\n",
		stderr: "  - warning: $B/kubectl-foo is overshadowed by a similarly named plugin: $A/kubectl-foo\nerror: one plugin warning was found\n",
		code:   1,
	}, {
		name: "clean",
		setup: func(t *testing.T, a, b string) string {
			writeExec(t, a, "kubectl-hello", sh, 0o755)
			writeExec(t, b, "kubectl-hello_world", sh, 0o700)
			return a + ":" + b
		},
		stdout: "The following compatible plugins are available:\n\n$A/kubectl-hello\n$B/kubectl-hello_world\n",
	}, {
		name: "none",
		setup: func(t *testing.T, a, b string) string {
			writeExec(t, a, "kubectl", sh, 0o755)
			return a
		},
		stderr: "error: unable to find any kubectl plugins in your PATH\n",
		code:   1,
	}, {
		name: "kuberc is a command unless KUBECTL_KUBERC=false",
		env:  []string{"KUBECTL_KUBERC=false"},
		setup: func(t *testing.T, a, b string) string {
			writeExec(t, a, "kubectl-kuberc", sh, 0o755)
			return a
		},
		stdout: "The following compatible plugins are available:\n\n$A/kubectl-kuberc\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
			if err := os.MkdirAll(b, 0o755); err != nil {
				t.Fatal(err)
			}
			pathEnv := tc.setup(t, a, b)
			expand := func(s string) string { return strings.NewReplacer("$A", a, "$B", b).Replace(s) }
			wantOut, wantErr := expand(tc.stdout), expand(tc.stderr)

			t.Setenv("PATH", pathEnv)
			t.Setenv("KUBECTL_KUBERC", "")
			for _, e := range tc.env {
				k, v, _ := strings.Cut(e, "=")
				t.Setenv(k, v)
			}
			out, errOut, code := run(t, "", append([]string{"plugins", "list"}, tc.args...)...)
			if out != wantOut || errOut != wantErr || code != tc.code {
				t.Errorf("kubectl-lsp plugins list: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut, tc.code, wantOut, wantErr)
			}

			kubectl := realKubectl(t)
			kOut, kErr, kCode := runKubectl(t, kubectl, pathEnv, tc.env, append([]string{"plugin", "list"}, tc.args...)...)
			if kOut != out || kErr != errOut || kCode != code {
				t.Errorf("kubectl plugin list differs: exit %d\nstdout:\n%s\nstderr:\n%s", kCode, kOut, kErr)
			}
		})
	}
}

// Manifests for `plugins run`.
const (
	runDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec: {}
`
	runMulti = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
---
# only a comment
---
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:foo
  namespace: ignored
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gizmo
`
	runNoName = "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\n"
)

// TestPluginsRun runs real plugins on a temporary PATH through the command: resource
// selection, namespaces and contexts, stdin mode, templates, extra arguments, exit
// statuses, timeouts, refusals of unsafe names (nothing runs) and usage errors.
func TestPluginsRun(t *testing.T) {
	bin := t.TempDir()
	state := t.TempDir()
	ran, pwned, pidFile := filepath.Join(state, "ran"), filepath.Join(state, "pwned"), filepath.Join(state, "pid")
	const args = `touch "$RAN"; for a in "$@"; do printf '[%s]\n' "$a"; done` + "\n"
	writeExec(t, bin, "kubectl-args", "#!/bin/sh\n"+args, 0o755)
	writeExec(t, bin, "kubectl-who_can", "#!/bin/sh\n"+args, 0o755)
	writeExec(t, bin, "kubectl-cat", "#!/bin/sh\ncat\n", 0o755)
	writeExec(t, bin, "kubectl-fail", "#!/bin/sh\necho nope >&2; exit 3\n", 0o755)
	writeExec(t, bin, "kubectl-hang", "#!/bin/sh\nsleep 300 & echo $! > \"$PIDFILE\"; wait\n", 0o755)
	writeExec(t, bin, "kubectl-off", "#!/bin/sh\n", 0o644)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("RAN", ran)
	t.Setenv("PIDFILE", pidFile)

	files := writeFiles(t, map[string]string{
		"deploy.yaml": runDeploy,
		"multi.yaml":  runMulti,
		"evil.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x; touch " + pwned + "\"\n",
		"evil2.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: $(touch " + pwned + ")\n",
		"evil3.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: \"prod`touch " + pwned + "`\"\n",
		"noname.yaml": runNoName,
	})
	f := func(name string) string { return filepath.Join(files, name) }
	b := func(args ...string) string {
		var s strings.Builder
		for _, a := range args {
			s.WriteString("[" + a + "]\n")
		}
		return s.String()
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		stdout  string
		stderr  string // a substring of standard error; "" for empty
		code    int
		notRun  bool // the plugin must not have run
		pidGone bool
	}{
		{name: "the only resource, its namespace", args: []string{"args", "-f", f("deploy.yaml")}, stdout: b("Deployment/web", "-n", "prod")},
		{name: "--context is passed on", args: []string{"args", "-f", f("deploy.yaml"), "--context", "staging"},
			stdout: b("Deployment/web", "-n", "prod", "--context=staging")},
		{name: "-n the document's own namespace", args: []string{"args", "-f", f("deploy.yaml"), "-n", "prod"}, stdout: b("Deployment/web", "-n", "prod")},
		{name: "-n against the document's namespace", args: []string{"args", "-f", f("deploy.yaml"), "-n", "dev"},
			stderr: `the namespace of Deployment/web ("prod") does not match -n "dev"`, code: 2, notRun: true},
		{name: "several documents need a choice", args: []string{"args", "-f", f("multi.yaml")},
			stderr: "holds 4 documents: choose one with --index N or --name [KIND/]NAME:\n  document 0: ConfigMap/web\n  document 2: Service/web\n  document 3: ClusterRole/system:controller:foo\n  document 4: Widget/gizmo\n",
			code:   2, notRun: true},
		{name: "--index, -n for a document without namespace", args: []string{"args", "-f", f("multi.yaml"), "--index", "0", "-n", "dev"},
			stdout: b("ConfigMap/web", "-n", "dev")},
		{name: "--index of a comment", args: []string{"args", "-f", f("multi.yaml"), "--index", "1"}, stderr: "has no document 1 with content", code: 2, notRun: true},
		{name: "--name KIND/NAME", args: []string{"args", "-f", f("multi.yaml"), "--name", "service/web"}, stdout: b("Service/web")},
		{name: "--name shared by two", args: []string{"args", "-f", f("multi.yaml"), "--name", "web"}, stderr: `has 2 resources named "web": give KIND/NAME or --index`, code: 2, notRun: true},
		{name: "--name missing", args: []string{"args", "-f", f("multi.yaml"), "--name", "nope"}, stderr: `has no resource named "nope"`, code: 2, notRun: true},
		{name: "cluster-scoped: no namespace, RBAC colons allowed", args: []string{"args", "-f", f("multi.yaml"), "--name", "system:controller:foo", "-n", "dev"},
			stdout: b("ClusterRole/system:controller:foo")},
		{name: "an unknown kind keeps -n", args: []string{"args", "-f", f("multi.yaml"), "--name", "gizmo", "-n", "dev"}, stdout: b("Widget/gizmo", "-n", "dev")},
		{name: "dashes in the name, arguments after --", args: []string{"who-can", "-f", f("deploy.yaml"), "--", "-o", "wide", "a b"},
			stdout: b("Deployment/web", "-n", "prod", "-o", "wide", "a b")},
		{name: "--stdin", args: []string{"cat", "-f", f("deploy.yaml"), "--stdin"}, stdout: runDeploy},
		{name: "--stdin sends the chosen document only", args: []string{"cat", "-f", f("multi.yaml"), "--stdin", "--index", "4"},
			stdout: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gizmo\n"},
		{name: "--arg templates", args: []string{"args", "-f", f("deploy.yaml"), "--context", "my ctx", "--arg", "get", "--arg", "{kind}.{name}", "--arg", "--file={file}", "--arg", "--context={context}", "--", "x"},
			stdout: b("get", "Deployment.web", "--file="+f("deploy.yaml"), "--context=my ctx", "x")},
		{name: "-f - reads standard input", args: []string{"args", "-f", "-"}, stdin: runDeploy, stdout: b("Deployment/web", "-n", "prod")},
		{name: "{file} of standard input", args: []string{"args", "-f", "-", "--arg", "{file}"}, stdin: runDeploy, stderr: "the manifest is not a file", code: 2, notRun: true},
		{name: "-v prints the command line", args: []string{"args", "-v", "-f", f("deploy.yaml"), "--", "it's"},
			stdout: b("Deployment/web", "-n", "prod", "it's"), stderr: "Running: " + filepath.Join(bin, "kubectl-args") + ` Deployment/web -n prod 'it'\''s'` + "\n"},
		{name: "the plugin's exit status", args: []string{"fail", "-f", f("deploy.yaml")}, stderr: "nope\nerror: plugin kubectl-fail exited with status 3\n", code: 3},
		{name: "timeout kills the plugin and its child", args: []string{"hang", "-f", f("deploy.yaml"), "--timeout", "300ms"},
			stderr: "plugin timed out: kubectl-hang ran longer than 300ms; it and the processes it started were killed", code: 2, pidGone: true},
		{name: "a name with ; is refused", args: []string{"args", "-f", f("evil.yaml")},
			stderr: `evil.yaml: document 0: refusing to run the plugin: metadata.name "x; touch ` + pwned + `" is not a valid Kubernetes object name`, code: 2, notRun: true},
		{name: "a name with $(...) is refused, in stdin mode too", args: []string{"args", "-f", f("evil2.yaml"), "--stdin"},
			stderr: "refusing to run the plugin: metadata.name", code: 2, notRun: true},
		{name: "a namespace with backquotes is refused", args: []string{"args", "-f", f("evil3.yaml")},
			stderr: "refusing to run the plugin: metadata.namespace", code: 2, notRun: true},
		{name: "a context that is a flag is refused", args: []string{"args", "-f", f("deploy.yaml"), "--context=--kubeconfig=/etc/passwd"},
			stderr: `refusing to run the plugin: context "--kubeconfig=/etc/passwd" is not a valid kubeconfig context name to pass on: must not start with '-'`, code: 2, notRun: true},
		{name: "no name", args: []string{"args", "-f", f("noname.yaml")}, stderr: "no KIND/NAME to pass", code: 2, notRun: true},
		{name: "unknown plugin", args: []string{"nosuch", "-f", f("deploy.yaml")}, stderr: `plugin "nosuch" not found: no executable kubectl-nosuch`, code: 2},
		{name: "not executable", args: []string{"off", "-f", f("deploy.yaml")}, stderr: "kubectl-off is not executable", code: 2},
		{name: "no -f", args: []string{"args"}, stderr: "-f FILE is required", code: 2, notRun: true},
		{name: "arguments before --", args: []string{"args", "extra", "-f", f("deploy.yaml")}, stderr: "one plugin name expected", code: 2, notRun: true},
		{name: "--index and --name", args: []string{"args", "-f", f("multi.yaml"), "--index", "0", "--name", "web"}, stderr: "give one", code: 2, notRun: true},
		{name: "no plugin", args: []string{"-f", f("deploy.yaml")}, stderr: "which plugin?", code: 2, notRun: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(ran)
			os.Remove(pidFile)
			start := time.Now()
			out, errOut, code := run(t, tc.stdin, append([]string{"plugins", "run"}, tc.args...)...)
			if out != tc.stdout || code != tc.code {
				t.Errorf("exit %d, stdout:\n%s\nwant exit %d, stdout:\n%s\nstderr: %s", code, out, tc.code, tc.stdout, errOut)
			}
			if tc.stderr == "" && errOut != "" || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr:\n%s\nwant it to hold:\n%s", errOut, tc.stderr)
			}
			if _, err := os.Stat(ran); tc.notRun && err == nil {
				t.Error("the plugin ran")
			}
			if _, err := os.Stat(pwned); err == nil {
				t.Fatal("pwned: a value reached a shell")
			}
			if tc.pidGone {
				if time.Since(start) > 5*time.Second {
					t.Errorf("took %v", time.Since(start))
				}
				waitPidGone(t, pidFile)
			}
		})
	}
}

// waitPidGone waits for the process whose pid a plugin wrote to exit (a zombie counts).
func waitPidGone(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		t.Fatalf("no pid from the plugin: %q, %v", data, err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		gone := errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
			if i := bytes.LastIndexByte(stat, ')'); i >= 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
				gone = true
			}
		}
		if gone {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the plugin's child %d outlived it", pid)
		}
	}
}

// TestKubectlRunsLSPAsPlugin: the built binary, on PATH as kubectl-lsp (where krew links
// it), is "kubectl lsp" for the real kubectl, which lists it without warnings; its own
// plugins list and run leave it out (with its kubectl_complete-lsp companion).
func TestKubectlRunsLSPAsPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	kubectl := realKubectl(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	build := exec.Command(goBin, "build", "-o", filepath.Join(dir, "kubectl-lsp"), "./cmd/kubectl-lsp")
	build.Dir = repoRootDir(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	direct, err := exec.Command(filepath.Join(dir, "kubectl-lsp"), "version").Output()
	if err != nil || !strings.HasPrefix(string(direct), "kubectl-lsp ") {
		t.Fatalf("kubectl-lsp version: %q, %v", direct, err)
	}
	out, errOut, code := runKubectl(t, kubectl, dir, nil, "lsp", "version")
	if out != string(direct) || errOut != "" || code != 0 {
		t.Errorf("kubectl lsp version: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, direct)
	}
	writeExec(t, dir, "kubectl-hello", "#!/bin/sh\necho hi\n", 0o755)
	writeExec(t, dir, "kubectl_complete-lsp", "#!/bin/sh\necho hi\n", 0o755)
	header := "The following compatible plugins are available:\n\n"
	want := header + filepath.Join(dir, "kubectl-hello") + "\n" + filepath.Join(dir, "kubectl-lsp") + "\n"
	out, errOut, code = runKubectl(t, kubectl, dir, nil, "plugin", "list")
	if out != want || errOut != "" || code != 0 {
		t.Errorf("kubectl plugin list: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Its own list leaves itself out: it is no plugin to run on a resource.
	want = header + filepath.Join(dir, "kubectl-hello") + "\n"
	out, errOut, code = runKubectl(t, kubectl, dir, nil, "lsp", "plugins", "list")
	if out != want || errOut != "" || code != 0 {
		t.Errorf("kubectl lsp plugins list: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	out, errOut, code = runKubectl(t, kubectl, dir, nil, "lsp", "plugins", "run", "lsp", "-f", "-")
	if code == 0 || !strings.Contains(errOut, `plugin "lsp" not found`) {
		t.Errorf("kubectl lsp plugins run lsp: exit %d, stdout %q, stderr %q; want: not found", code, out, errOut)
	}
}

// TestPluginsLeaveOutItself: kubectl-lsp on PATH (after make install) and its
// kubectl_complete-lsp companion are neither listed nor run as plugins.
func TestPluginsLeaveOutItself(t *testing.T) {
	dir := t.TempDir()
	writeExec(t, dir, "kubectl-lsp", "#!/bin/sh\nexit 2\n", 0o755)
	writeExec(t, dir, "kubectl_complete-lsp", "#!/bin/sh\nexit 2\n", 0o755)
	writeExec(t, dir, "kubectl-hello", "#!/bin/sh\necho hi\n", 0o755)
	t.Setenv("PATH", dir)
	out, errOut, code := run(t, "", "plugins", "list", "--name-only")
	if want := "The following compatible plugins are available:\n\nkubectl-hello\n"; out != want || errOut != "" || code != 0 {
		t.Errorf("plugins list: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	out, errOut, code = run(t, runDeploy, "plugins", "run", "lsp", "-f", "-")
	if code != 2 || !strings.Contains(errOut, `plugin "lsp" not found`) {
		t.Errorf("plugins run lsp: exit %d, stdout %q, stderr %q; want exit 2, not found", code, out, errOut)
	}
}

// TestPluginsCommand: the parent command shows its help, refuses unknown subcommands,
// and the help of run teaches the placeholders and the safety rule.
func TestPluginsCommand(t *testing.T) {
	out, _, code := run(t, "", "plugins")
	if code != 0 || !strings.Contains(out, "kubectl-lsp plugins list") {
		t.Errorf("plugins: exit %d\n%s", code, out)
	}
	if _, errOut, code := run(t, "", "plugins", "lsit"); code != 2 || !strings.Contains(errOut, `unknown command "lsit"`) {
		t.Errorf("plugins lsit: exit %d, %s", code, errOut)
	}
	out, _, _ = run(t, "", "plugins", "run", "--help")
	for _, s := range []string{"{kind}, {name}, {namespace}, {context} and {file}", "never through a shell", "is refused and nothing runs", "Examples:"} {
		if !strings.Contains(out, s) {
			t.Errorf("plugins run --help lacks %q", s)
		}
	}
}
