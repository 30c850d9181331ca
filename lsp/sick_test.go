package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// A sick cluster: one that stalls, resets, refuses or answers slowly (a fault-injecting
// proxy in front of the real apiserver), or whose exec credential plugin never returns.
// The server stays responsive, its background work stays bounded, it says what is
// wrong once, and it exits promptly.

// exitLimit bounds shutdown + exit; the server's own bound is below 2 s.
const exitLimit = 5 * time.Second

// sickHarness starts a session against kubeconfig with a short request timeout and its
// own cache folder.
func sickHarness(t *testing.T, kubeconfig, timeout string, settings map[string]any) *harness {
	t.Helper()
	init := map[string]any{"kubeconfig": kubeconfig, "clusterRefreshSeconds": 0.2}
	for k, v := range settings {
		init[k] = v
	}
	cache := t.TempDir()
	caps := map[string]any{"window": map[string]any{"workDoneProgress": true}}
	return newHarness(t, harnessOptions{initOptions: init, capabilities: caps, server: func(o *Options) {
		f := genericclioptions.NewConfigFlags(false)
		f.CacheDir = &cache
		f.Timeout = &timeout
		o.ConfigFlags = f
	}})
}

// hangingPlugin writes an exec credential plugin that records its process id in pids and
// never returns (its child sleeps too, in the same process group), and a kubeconfig
// using it.
func hangingPlugin(t *testing.T, c *testcluster.Cluster, dir string) (kubeconfig, pids string) {
	t.Helper()
	pids = filepath.Join(dir, "pids")
	script := filepath.Join(dir, "hang.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho $$ >> "+pids+"\nsleep 3600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return testcluster.WriteKubeconfig(t, c, dir, c.Host(), testcluster.AdminUser, &clientcmdapi.ExecConfig{
		Command: script, APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}), pids
}

// groupAlive reports whether a process of process group pgid is alive (zombies are
// dead: nothing may reap them in a container).
func groupAlive(t *testing.T, pgid int) bool {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}

func readPids(t *testing.T, file string) []int {
	t.Helper()
	data, _ := os.ReadFile(file)
	var out []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (h *harness) save(uri protocol.DocumentURI) {
	h.notify(protocol.MethodTextDocumentDidSave, map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// shutdownAndExit ends the session and returns how long it took.
func (h *harness) shutdownAndExit() time.Duration {
	h.t.Helper()
	start := time.Now()
	if err := h.call(protocol.MethodShutdown, nil, nil); err != nil {
		h.t.Errorf("shutdown: %v", err)
	}
	h.notify(protocol.MethodExit, nil)
	if err := h.awaitExit(); err != nil {
		h.t.Errorf("Serve after shutdown and exit: %v", err)
	}
	return time.Since(start)
}

func (h *harness) countMessages(text string) int {
	n := 0
	for _, m := range h.Messages() {
		if strings.Contains(m.Message, text) {
			n++
		}
	}
	return n
}

const sickDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sick
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: sick}
  template:
    metadata:
      labels: {app: sick}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`

// TestSickClusterBoundedWork: with a cluster that never answers, or a credential plugin
// that never returns, many saves leave at most one dry-run and one drift check per
// document in flight (no goroutine growth per save), the user is told once, the
// dry-run's diagnostic says what timed out, and shutdown and exit return at once,
// killing the credential plugins the server started.
func TestSickClusterBoundedWork(t *testing.T) {
	c := testcluster.Shared(t)
	const saves = 150
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T) (kubeconfig, pids string)
		warning string // in the one warning popup
		diag    string // in the dry-run's diagnostic
	}{
		{"stall", func(t *testing.T) (string, string) {
			p := testcluster.NewProxy(t, c)
			if err := p.SetMode(testcluster.Stall); err != nil {
				t.Fatal(err)
			}
			return p.Kubeconfig(t, c, t.TempDir(), testcluster.AdminUser, nil), ""
		}, "did not answer in time", "did not answer in time"},
		{"hanging credential plugin", func(t *testing.T) (string, string) {
			return hangingPlugin(t, c, t.TempDir())
		}, "did not return credentials", "did not return credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kubeconfig, pids := tc.setup(t)
			h := sickHarness(t, kubeconfig, "2s", map[string]any{"dryRun": "onSave"})
			uri := protocol.DocumentURI("file:///work/sick.yaml")
			h.AwaitDiagnostics(uri, h.Open(uri, sickDeployment))
			runtime.GC()
			before := runtime.NumGoroutine()
			for range saves {
				h.save(uri)
			}
			diags := h.awaitDiagnostic(uri, "the dry-run's verdict", func(d []protocol.Diagnostic) bool { return hasCode(d, "dry-run", "") })
			if !hasCode(diags, "dry-run", tc.diag) {
				t.Errorf("dry-run diagnostic: %s; want one containing %q", dump(diags), tc.diag)
			}
			h.AwaitMessage(tc.warning)
			// Every save has been read (a request after them is answered), and the work
			// they asked for is bounded.
			var st StatusParams
			if err := h.execute(CommandClusterStatus, &st); err != nil {
				t.Fatal(err)
			}
			after := runtime.NumGoroutine()
			t.Logf("goroutines: %d before %d saves, %d after", before, saves, after)
			if after-before > 40 {
				t.Errorf("%d goroutines more after %d saves (%d → %d): background work grows with the saves", after-before, saves, before, after)
			}
			if n := h.countMessages(tc.warning); n != 1 {
				t.Errorf("%d warnings containing %q, want 1: %+v", n, tc.warning, h.Messages())
			}
			if took := h.shutdownAndExit(); took > exitLimit {
				t.Errorf("shutdown and exit took %v", took)
			}
			if pids != "" {
				started := readPids(t, pids)
				if len(started) == 0 {
					t.Fatal("the credential plugin never ran")
				}
				if len(started) > 6 {
					t.Errorf("the credential plugin ran %d times: runs are not shared", len(started))
				}
				deadline := time.Now().Add(exitLimit)
				for _, pid := range started {
					for groupAlive(t, pid) && time.Now().Before(deadline) {
						time.Sleep(50 * time.Millisecond)
					}
					if groupAlive(t, pid) {
						t.Errorf("credential plugin %d (or its child) is still running after exit", pid)
					}
				}
			}
		})
	}
}

// TestSickCredentialPlugin: an exec credential plugin that prints a token is run, and its
// token authenticates (the server runs plugins itself, under a deadline).
func TestSickCredentialPlugin(t *testing.T) {
	c := testcluster.Shared(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "token.sh")
	body := fmt.Sprintf(`#!/bin/sh
echo run >> %s/runs
case "$KUBERNETES_EXEC_INFO" in *'"kind":"ExecCredential"'*) ;; *) echo "no exec info" >&2; exit 3;; esac
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}'
`, dir, c.Token(testcluster.AdminUser))
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	kc := testcluster.WriteKubeconfig(t, c, dir, c.Host(), testcluster.AdminUser, &clientcmdapi.ExecConfig{
		Command: script, APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	})
	h := sickHarness(t, kc, "10s", nil)
	st := h.AwaitStatus("a status from the cluster", func(s StatusParams) bool { return s.Source == "cluster" || s.LastError != "" })
	if st.Source != "cluster" {
		t.Fatalf("status: %+v", st)
	}
	if runs, _ := os.ReadFile(filepath.Join(dir, "runs")); strings.Count(string(runs), "run") != 1 {
		t.Errorf("the plugin ran %d times, want once (its token is cached)", strings.Count(string(runs), "run"))
	}
}

// TestSickOutageOneWarning: an outage whose error alternates (refused, reset) gives one
// warning, and its end one "answers again".
func TestSickOutageOneWarning(t *testing.T) {
	c := testcluster.Shared(t)
	p := testcluster.NewProxy(t, c)
	h := sickHarness(t, p.Kubeconfig(t, c, t.TempDir(), testcluster.AdminUser, nil), "2s", nil)
	h.AwaitStatus("a status from the cluster", func(s StatusParams) bool { return s.Source == "cluster" })
	for i, m := range []testcluster.FaultMode{testcluster.Refuse, testcluster.Reset, testcluster.Refuse, testcluster.Reset} {
		if err := p.SetMode(m); err != nil {
			t.Fatal(err)
		}
		want := map[testcluster.FaultMode]string{testcluster.Refuse: "refused", testcluster.Reset: "reset"}[m]
		seen := len(h.Statuses())
		h.await(fmt.Sprintf("an error status saying %q (%d)", want, i), func() bool {
			for _, s := range h.statuses[min(seen, len(h.statuses)):] {
				if strings.Contains(s.LastError, want) {
					return true
				}
			}
			return false
		})
	}
	if err := p.SetMode(testcluster.Pass); err != nil {
		t.Fatal(err)
	}
	h.AwaitMessage("answers again")
	var warnings []string
	for _, m := range h.Messages() {
		if m.Type == protocol.MessageTypeWarning {
			warnings = append(warnings, m.Message)
		}
	}
	if len(warnings) != 1 {
		t.Errorf("%d warnings for one outage, want 1:\n%s", len(warnings), strings.Join(warnings, "\n"))
	}
	if n := h.countMessages("answers again"); n != 1 {
		t.Errorf("%d recovery messages, want 1", n)
	}
}

// TestSickCommands: commands against a cluster that refuses, or stalls, report the
// failure for what it is: diff returns an error (not an empty success), a dry-run that
// times out says so.
func TestSickCommands(t *testing.T) {
	c := testcluster.Shared(t)
	for _, tc := range []struct {
		name string
		mode testcluster.FaultMode
		want string
		// warm: the discovery cache is filled before the fault.
		warm bool
	}{
		{"refuse", testcluster.Refuse, "connection refused", false},
		{"stall", testcluster.Stall, "did not answer in time", false},
		{"stall warm", testcluster.Stall, "did not answer in time", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testcluster.NewProxy(t, c)
			h := sickHarness(t, p.Kubeconfig(t, c, t.TempDir(), testcluster.AdminUser, nil), "2s", nil)
			uri := protocol.DocumentURI("file:///work/sick.yaml")
			h.AwaitDiagnostics(uri, h.Open(uri, sickDeployment))
			if tc.warm {
				var res DiffResult
				if err := h.execute(CommandDiff, &res, uri); err != nil || len(res.Diffs) != 1 {
					t.Fatalf("diff with the cluster up: %+v, %v", res, err)
				}
			}
			if err := p.SetMode(tc.mode); err != nil {
				t.Fatal(err)
			}
			var diff json.RawMessage
			err := h.execute(CommandDiff, &diff, uri)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("diff: %s, %v; want an error containing %q", diff, err, tc.want)
			}
			var res ActionResult
			if err := h.execute(CommandDryRun, &res, uri); err != nil {
				t.Fatal(err)
			}
			if msg := strings.Join(res.Errors, "; "); !strings.Contains(msg, tc.want) || strings.Contains(msg, "does not serve") {
				t.Errorf("dry-run errors: %s; want %q", msg, tc.want)
			}
		})
	}
}

// TestSickServeExits: the real binary, over standard input and output, with a
// credential plugin that never returns: exit ends the process promptly and no plugin
// outlives it.
func TestSickServeExits(t *testing.T) {
	c := testcluster.Shared(t)
	dir := t.TempDir()
	kc, pids := hangingPlugin(t, c, dir)
	bin := filepath.Join(dir, "kubectl-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/kubectl-lsp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--stdio", "--request-timeout", "2s", "--log-level", "debug", "--log-file", filepath.Join(dir, "lsp.log"))
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kc, "KUBECACHEDIR="+filepath.Join(dir, "cache"))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	send := func(msg string) {
		if _, err := fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(msg), msg); err != nil {
			t.Fatalf("writing to the server: %v", err)
		}
	}
	replies := make(chan string, 100)
	go func() {
		r := bufio.NewReader(stdout)
		for {
			var n int
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					close(replies)
					return
				}
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Content-Length: "); ok {
					n, _ = strconv.Atoi(v)
				}
				if strings.TrimSpace(line) == "" {
					break
				}
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				close(replies)
				return
			}
			select {
			case replies <- string(body):
			default:
			}
		}
	}()
	awaitReply := func(id int) {
		t.Helper()
		want := fmt.Sprintf(`"id":%d`, id)
		timeout := time.After(awaitTimeout)
		for {
			select {
			case r, ok := <-replies:
				if !ok {
					t.Fatalf("the server closed its output before answering %d", id)
				}
				if strings.Contains(r, want) && !strings.Contains(r, `"method"`) {
					return
				}
			case <-timeout:
				t.Fatalf("no answer to request %d", id)
			}
		}
	}
	uri := "file:///work/sick.yaml"
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{},"initializationOptions":{"dryRun":"onSave"}}}`)
	awaitReply(1)
	send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	text, _ := json.Marshal(sickDeployment)
	send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + uri + `","languageId":"yaml","version":1,"text":` + string(text) + `}}}`)
	for range 10 {
		send(`{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"` + uri + `"}}}`)
	}
	// Wait until the plugin runs.
	deadline := time.Now().Add(awaitTimeout)
	for len(readPids(t, pids)) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	send(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
	awaitReply(2)
	send(`{"jsonrpc":"2.0","method":"exit"}`)
	_ = stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit status: %v", err)
		}
	case <-time.After(exitLimit):
		t.Fatalf("the server still runs %v after exit", exitLimit)
	}
	t.Logf("shutdown and exit took %v", time.Since(start).Round(time.Millisecond))
	for _, pid := range readPids(t, pids) {
		for groupAlive(t, pid) && time.Since(start) < 2*exitLimit {
			time.Sleep(50 * time.Millisecond)
		}
		if groupAlive(t, pid) {
			t.Errorf("credential plugin %d (or its child) outlived the server", pid)
		}
	}
}
