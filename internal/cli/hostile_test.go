//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileFiles: a kubeconfig or a plugin's manifest that is a device or a named pipe
// gets a clear error at once, instead of a hang or memory without end.
func TestHostileFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"cm.yaml": validCM})
	cm := filepath.Join(dir, "cm.yaml")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "kubectl-args"), []byte("#!/bin/sh\necho \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	cache := "--cache-dir=" + t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "validate --schema-source=cluster, kubeconfig /dev/zero", args: []string{"validate", "--schema-source=cluster", "--kubeconfig=/dev/zero", cache, cm},
			code: 2, stderr: "--schema-source=cluster: reading the kubeconfig: /dev/zero is not a regular file (a character device): refusing to read it"},
		{name: "validate, auto, kubeconfig /dev/zero", args: []string{"validate", "--kubeconfig=/dev/zero", cache, cm},
			code: 0, stderr: "not using a cluster: reading the kubeconfig: /dev/zero is not a regular file (a character device)"},
		{name: "validate --dry-run=server, kubeconfig a named pipe", args: []string{"validate", "--dry-run=server", "--kubeconfig=" + fifo, cache, cm},
			code: 2, stderr: "is not a regular file (a named pipe)"},
		{name: "explain, kubeconfig a named pipe", args: []string{"explain", "--schema-source=cluster", "--kubeconfig=" + fifo, cache, "configmap"},
			code: 2, stderr: "is not a regular file (a named pipe)"},
		{name: "plugins run -f /dev/zero", args: []string{"plugins", "run", "args", "-f", "/dev/zero"},
			code: 2, stderr: "/dev/zero is not a regular file (a character device): refusing to read it"},
		{name: "plugins run -f a named pipe", args: []string{"plugins", "run", "args", "-f", fifo},
			code: 2, stderr: "is not a regular file (a named pipe)"},
		{name: "plugins run -f a file", args: []string{"plugins", "run", "args", "-f", cm}, code: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			type result struct {
				stderr string
				code   int
			}
			done := make(chan result, 1)
			go func() {
				_, stderr, code := run(t, "", tc.args...)
				done <- result{stderr, code}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("hangs")
			}
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
}
