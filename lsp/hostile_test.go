//go:build unix

package lsp

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// TestHostileKubeconfigSetting: a kubeconfig setting that names /dev/zero or a named pipe
// gets one clear warning, the embedded schemas answer, and the server ends promptly.
func TestHostileKubeconfigSetting(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ kubeconfig, want string }{
		{"/dev/zero", "/dev/zero is not a regular file (a character device): refusing to read it"},
		{fifo, fifo + " is not a regular file (a named pipe)"},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.kubeconfig), func(t *testing.T) {
			h := newHarness(t, harnessOptions{initOptions: map[string]any{"kubeconfig": tc.kubeconfig}})
			uri := protocol.DocumentURI("file:///work/cm.yaml")
			h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: 1\n")
			h.AwaitMessage(tc.want)
			if diags := h.AwaitDiagnostics(uri, 1); len(diags) != 1 {
				t.Errorf("diagnostics from the embedded schemas: %+v", diags)
			}
			start := time.Now()
			_ = h.call(protocol.MethodShutdown, nil, nil)
			_ = h.conn.Notify(h.ctx, protocol.MethodExit, nil)
			_ = h.awaitExit()
			t.Logf("ended after %v", time.Since(start))
		})
	}
}
