//go:build unix

package plugins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newPlugin writes an executable #!/bin/sh script kubectl-NAME into a temporary PATH
// directory and finds it there as kubectl would.
func newPlugin(t *testing.T, name, body string) Plugin {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, FileNameOf(name), "#!/bin/sh\n"+body, 0o755)
	ps, _ := Discover(dir)
	p, err := Lookup(ps, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// printArgs is a plugin that prints each argument in brackets, one per line.
const printArgs = `for a in "$@"; do printf '[%s]\n' "$a"; done` + "\n"

func bracketed(args ...string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString("[" + a + "]\n")
	}
	return b.String()
}

// TestRunArgv runs a plugin that prints its arguments: the default argv, templates with
// each placeholder replaced inside one element, and extra arguments.
func TestRunArgv(t *testing.T) {
	p := newPlugin(t, "args", printArgs)
	deploy := Request{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Namespace: "prod"}
	with := func(r Request, f func(*Request)) Request { f(&r); return r }
	tests := []struct {
		name    string
		req     Request
		want    string
		wantErr string
	}{
		{name: "default", req: deploy, want: bracketed("Deployment/web", "-n", "prod")},
		{name: "default with a context", req: with(deploy, func(r *Request) { r.Context = "kind-dev" }),
			want: bracketed("Deployment/web", "-n", "prod", "--context=kind-dev")},
		{name: "cluster-scoped: no -n", req: Request{APIVersion: "v1", Kind: "Node", Name: "node-1", Context: "c"},
			want: bracketed("Node/node-1", "--context=c")},
		{name: "default: a context with spaces, slashes and colons is one element",
			req:  with(deploy, func(r *Request) { r.Context = "arn:aws:eks:eu-west-1:1:cluster/my prod" }),
			want: bracketed("Deployment/web", "-n", "prod", "--context=arn:aws:eks:eu-west-1:1:cluster/my prod")},
		{name: "extra arguments follow, as given", req: with(deploy, func(r *Request) { r.ExtraArgs = []string{"-o", "wide", "a b"} }),
			want: bracketed("Deployment/web", "-n", "prod", "-o", "wide", "a b")},
		{name: "template: one element per element, placeholders inside",
			req: with(deploy, func(r *Request) {
				r.Context, r.File = "my context", "/m/app.yaml"
				r.Args = []string{"get", "--target={kind}/{name}", "{namespace}", "--context={context}", "{file}", "{kind}{kind}"}
			}),
			want: bracketed("get", "--target=Deployment/web", "prod", "--context=my context", "/m/app.yaml", "DeploymentDeployment")},
		{name: "template: other braces stay, JSONPath and Go templates pass through",
			req: with(deploy, func(r *Request) {
				r.Args = []string{"-o=jsonpath={.metadata.name}", "{{range .items}}{{.metadata.name}}{{end}}", "{unknown}", "{Name}"}
			}),
			want: bracketed("-o=jsonpath={.metadata.name}", "{{range .items}}{{.metadata.name}}{{end}}", "{unknown}", "{Name}")},
		{name: "template: a substituted value is not expanded again, nor read by a shell",
			req:  with(deploy, func(r *Request) { r.Context = "{name} $(touch x) ; `id`"; r.Args = []string{"{context}"} }),
			want: bracketed("{name} $(touch x) ; `id`")},
		{name: "template: no arguments", req: with(deploy, func(r *Request) { r.Args = []string{} }), want: ""},
		{name: "stdin mode: no arguments by default", req: with(deploy, func(r *Request) { r.Stdin = []byte("x") }), want: ""},
		{name: "template: empty namespace is an error",
			req:     Request{Kind: "Node", Name: "n", Args: []string{"-n", "{namespace}"}},
			wantErr: `argv template element "{namespace}" uses {namespace}, but the resource has no namespace`},
		{name: "template: empty context is an error", req: with(deploy, func(r *Request) { r.Args = []string{"--context={context}"} }),
			wantErr: "uses {context}, but no context was given"},
		{name: "default needs a name", req: Request{Kind: "Pod"}, wantErr: "no KIND/NAME to pass"},
		{name: "NUL in the context", req: with(deploy, func(r *Request) { r.Context = "a\x00b" }), wantErr: "NUL byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), p, tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if res.Argv != nil {
					t.Errorf("Argv = %q on an error", res.Argv)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(res.Stdout); got != tc.want {
				t.Errorf("plugin saw:\n%s\nwant:\n%s", got, tc.want)
			}
			if res.Argv[0] != p.Path {
				t.Errorf("argv[0] = %q, want the plugin's path", res.Argv[0])
			}
			if res.ExitCode != 0 {
				t.Errorf("exit code %d", res.ExitCode)
			}
		})
	}
}

// TestRunRefusesUnsafeValues: document values that are not valid Kubernetes names are
// refused before anything runs. The plugin would leave a marker if it ran at all, and is
// deliberately careless (it evals its arguments), so a value that slipped through would
// also create the "pwned" file.
func TestRunRefusesUnsafeValues(t *testing.T) {
	dir := t.TempDir()
	ran, pwned := filepath.Join(dir, "ran"), filepath.Join(dir, "pwned")
	p := newPlugin(t, "careless", `touch "$RAN"; eval "echo $*"`+"\n")
	env := append(os.Environ(), "RAN="+ran)
	inject := "; touch " + pwned
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"name with ;", Request{Kind: "ConfigMap", Name: "x" + inject}, "metadata.name"},
		{"name with $(...)", Request{Kind: "ConfigMap", Name: "$(touch " + pwned + ")"}, "metadata.name"},
		{"name with backquotes", Request{Kind: "ConfigMap", Name: "`touch " + pwned + "`"}, "metadata.name"},
		{"name with a space", Request{Kind: "ConfigMap", Name: "a b"}, "metadata.name"},
		{"name with a newline", Request{Kind: "ConfigMap", Name: "a\nb"}, "metadata.name"},
		{"name in capitals", Request{Kind: "ConfigMap", Name: "Web"}, "metadata.name"},
		{"name that is a flag", Request{Kind: "ConfigMap", Name: "--all"}, "metadata.name"},
		{"namespace with ;", Request{Kind: "ConfigMap", Name: "web", Namespace: "prod" + inject}, "metadata.namespace"},
		{"namespace with a dot (a subdomain, not a label)", Request{Kind: "ConfigMap", Name: "web", Namespace: "a.b"}, "metadata.namespace"},
		{"kind with $(...)", Request{Kind: "$(touch " + pwned + ")", Name: "web"}, "kind"},
		{"kind with a space", Request{Kind: "Config Map", Name: "web"}, "kind"},
		{"RBAC name with $(...) (a valid path segment)", Request{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "$(touch " + pwned + ")"}, "metadata.name"},
		{"RBAC name with ;", Request{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role", Name: "a" + inject}, "metadata.name"},
		{"RBAC name with a slash", Request{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role", Name: "a/b"}, "metadata.name"},
		{"RBAC name that is a flag", Request{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role", Name: "-rf"}, "metadata.name"},
		{"a colon outside RBAC", Request{APIVersion: "v1", Kind: "ConfigMap", Name: "system:x"}, "metadata.name"},
		{"even in stdin mode", Request{Kind: "ConfigMap", Name: "x" + inject, Stdin: []byte("kind: ConfigMap\n")}, "metadata.name"},
		{"even when the template does not use it", Request{Kind: "ConfigMap", Name: "x" + inject, Args: []string{"{kind}"}}, "metadata.name"},
		{"context that is a flag", Request{Kind: "ConfigMap", Name: "web", Context: "--kubeconfig=/etc/passwd"}, "context"},
		{"context that is a flag, in a template", Request{Kind: "ConfigMap", Name: "web", Context: "--kubeconfig=/etc/passwd", Args: []string{"{context}"}}, "context"},
		{"context with a newline", Request{Kind: "ConfigMap", Name: "web", Context: "a\n--all"}, "context"},
		{"file that is a URI", Request{Kind: "ConfigMap", Name: "web", File: "untitled:Untitled-1", Args: []string{"{file}"}}, "file"},
		{"file that is a flag", Request{Kind: "ConfigMap", Name: "web", File: "--kubeconfig=/etc/passwd", Args: []string{"{file}"}}, "file"},
		{"file that is relative", Request{Kind: "ConfigMap", Name: "web", File: "app.yaml"}, "file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Env = env
			res, err := Run(context.Background(), p, tc.req)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want a RefusedError", err)
			}
			if refused.Field != tc.field || !strings.HasPrefix(err.Error(), "refusing to run the plugin: "+tc.field) {
				t.Errorf("err = %v, want it about %s", err, tc.field)
			}
			if res.Argv != nil {
				t.Errorf("Argv = %q", res.Argv)
			}
			for _, f := range []string{ran, pwned} {
				if _, err := os.Stat(f); err == nil {
					t.Fatalf("%s exists: the plugin ran", f)
				}
			}
		})
	}

	// The controls: valid names run, RBAC's colons included.
	for _, req := range []Request{
		{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "system:controller:job-controller"},
		{APIVersion: "apps/v1", Kind: "Deployment", Name: "web.v2", Namespace: "kube-system"},
		{Kind: "ConfigMap", Name: "web", Context: "user@cluster-1", File: "/m/app.yaml", Args: []string{"{context}", "{file}"}},
	} {
		os.Remove(ran)
		req.Env = env
		res, err := Run(context.Background(), p, req)
		if err != nil {
			t.Fatalf("%s/%s: %v", req.Kind, req.Name, err)
		}
		if _, err := os.Stat(ran); err != nil {
			t.Errorf("%s/%s: the plugin did not run: %v (%s)", req.Kind, req.Name, err, res.Stderr)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("pwned")
	}
}

// TestRunStdinAndOutput: stdin mode pipes the document; stdout and stderr are captured
// apart; exit codes come back; output is cut at MaxOutput.
func TestRunStdinAndOutput(t *testing.T) {
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"
	tests := []struct {
		name       string
		script     string
		req        Request
		stdout     string
		stderr     string
		code       int
		truncated  bool
		stdoutSize int
	}{
		{name: "stdin mode", script: "cat\n", req: Request{Kind: "ConfigMap", Name: "web", Stdin: []byte(doc)}, stdout: doc},
		{name: "no stdin: /dev/null", script: "cat; echo end\n", req: Request{Kind: "ConfigMap", Name: "web"}, stdout: "end\n"},
		{name: "a plugin that ignores a large stdin", script: "echo done\n",
			req: Request{Kind: "ConfigMap", Name: "web", Stdin: bytes.Repeat([]byte("x"), 4<<20)}, stdout: "done\n"},
		{name: "stderr apart, exit 3", script: "echo out; echo err >&2; exit 3\n", req: Request{Kind: "ConfigMap", Name: "web"},
			stdout: "out\n", stderr: "err\n", code: 3},
		{name: "exit 1", script: "exit 1\n", req: Request{Kind: "ConfigMap", Name: "web"}, code: 1},
		{name: "exit 42", script: "exit 42\n", req: Request{Kind: "ConfigMap", Name: "web"}, code: 42},
		{name: "killed by a signal", script: "kill -9 $$\n", req: Request{Kind: "ConfigMap", Name: "web"}, code: -1},
		{name: "output cut at MaxOutput", script: "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done\n",
			req: Request{Kind: "ConfigMap", Name: "web", MaxOutput: 1000}, truncated: true, stdoutSize: 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlugin(t, "out", tc.script)
			res, err := Run(context.Background(), p, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stdoutSize > 0 {
				if len(res.Stdout) != tc.stdoutSize {
					t.Errorf("stdout: %d bytes, want %d", len(res.Stdout), tc.stdoutSize)
				}
			} else if string(res.Stdout) != tc.stdout {
				t.Errorf("stdout %q, want %q", res.Stdout, tc.stdout)
			}
			if string(res.Stderr) != tc.stderr {
				t.Errorf("stderr %q, want %q", res.Stderr, tc.stderr)
			}
			if res.ExitCode != tc.code || res.Truncated != tc.truncated {
				t.Errorf("exit code %d, truncated %v; want %d, %v", res.ExitCode, res.Truncated, tc.code, tc.truncated)
			}
			if res.Duration <= 0 {
				t.Errorf("duration %v", res.Duration)
			}
		})
	}
}

// processGone reports whether pid has exited (a zombie counts: it runs no more).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	if runtime.GOOS == "linux" {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		// The state follows the command name in parentheses.
		if i := bytes.LastIndexByte(data, ')'); i >= 0 && len(data) > i+2 {
			return data[i+2] == 'Z' || data[i+2] == 'X'
		}
	}
	return false
}

// waitGone waits a few seconds for the process whose pid is in file to be gone.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the plugin did not write its child's pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		t.Fatalf("pid file: %q", data)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the plugin's child %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunKillsTheProcessGroup: a plugin that hangs is killed at its timeout, or when the
// context is cancelled, together with the children it started; one that exits leaving a
// child behind returns at once and the child is killed.
func TestRunKillsTheProcessGroup(t *testing.T) {
	_, noSetsid := exec.LookPath("setsid")
	// waitPID waits for the child to write its pid.
	const waitPID = ` while [ ! -s "$PIDFILE" ]; do sleep 0.01; done; `
	// The child keeps the plugin's stdout open and would keep a naive reader waiting.
	const hang = `sleep 300 & echo $! > "$PIDFILE"; echo started; wait` + "\n"
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		cancel  bool
		wantErr error
		stdout  string
		// linux: processes outside the group are found through /proc.
		linux bool
	}{
		{name: "timeout", script: hang, timeout: 300 * time.Millisecond, wantErr: ErrTimeout, stdout: "started\n"},
		{name: "cancelled", script: hang, timeout: time.Minute, cancel: true, wantErr: context.Canceled, stdout: "started\n"},
		{name: "exits leaving a child", script: `sleep 300 & echo $! > "$PIDFILE"; echo done` + "\n", timeout: time.Minute, stdout: "done\n"},
		{name: "a grandchild in a subshell", script: `( sleep 300 & echo $! > "$PIDFILE"; wait ) & wait` + "\n", timeout: 300 * time.Millisecond, wantErr: ErrTimeout},
		// setsid leaves the process group; the run's mark in the environment finds it.
		{name: "exits leaving a child in a new session", script: `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' </dev/null >/dev/null 2>&1 &` + waitPID + `echo done` + "\n",
			timeout: time.Minute, stdout: "done\n", linux: true},
		{name: "a child in a new session that holds stdout", script: `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &` + waitPID + `echo done` + "\n",
			timeout: time.Minute, stdout: "done\n", linux: true},
		{name: "timeout with a child in a new session", script: `setsid sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' &` + waitPID + `echo started; sleep 300` + "\n",
			timeout: 500 * time.Millisecond, wantErr: ErrTimeout, stdout: "started\n", linux: true},
		{name: "a double fork into a new session", script: `setsid sh -c 'sleep 300 & echo $! > "$PIDFILE"' &` + waitPID + `echo done` + "\n",
			timeout: time.Minute, stdout: "done\n", linux: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.linux && (runtime.GOOS != "linux" || noSetsid != nil) {
				t.Skip("processes that leave the group are found on Linux only (and this needs setsid)")
			}
			p := newPlugin(t, "hang", tc.script)
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				go func() {
					for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
						if data, err := os.ReadFile(pidFile); err == nil && len(data) > 0 {
							break
						}
					}
					cancel()
				}()
			}
			start := time.Now()
			res, err := Run(ctx, p, Request{Kind: "ConfigMap", Name: "web", Timeout: tc.timeout, Env: append(os.Environ(), "PIDFILE="+pidFile)})
			elapsed := time.Since(start)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if elapsed > readGrace {
				t.Errorf("Run took %v", elapsed)
			}
			if tc.stdout != "" && string(res.Stdout) != tc.stdout {
				t.Errorf("stdout %q, want %q", res.Stdout, tc.stdout)
			}
			waitGone(t, pidFile)
		})
	}
}

// TestRunEscapedChild: a child that leaves the process group (setsid) but holds the
// output pipe cannot make Run wait for more than readGrace.
func TestRunEscapedChild(t *testing.T) {
	setsid, err := exec.LookPath("setsid")
	if err != nil {
		t.Skip("no setsid")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := newPlugin(t, "escape", setsid+` sh -c 'echo $$ > "$PIDFILE"; exec sleep 300' & sleep 0.2; echo done`+"\n")
	start := time.Now()
	res, err := Run(context.Background(), p, Request{Kind: "ConfigMap", Name: "web", Env: append(os.Environ(), "PIDFILE="+pidFile)})
	elapsed := time.Since(start)
	t.Cleanup(func() {
		if data, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "done\n" || elapsed > readGrace+2*time.Second {
		t.Errorf("stdout %q after %v", res.Stdout, elapsed)
	}
}
