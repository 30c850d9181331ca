package kube_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// TestInteractiveCredentialPlugin: a credential plugin that asks the user to log in gets
// the terminal when a command runs from one (its prompt shown, its answer read, told it
// is interactive), as kubectl gives it; without a terminal (the language server, scripts)
// it is refused with a clear error, or runs without one.
func TestInteractiveCredentialPlugin(t *testing.T) {
	c := testcluster.Shared(t)
	cases := []struct {
		name     string
		mode     clientcmdapi.ExecInteractiveMode
		terminal bool
		wantErr  string // "" : the login works
	}{
		{"Always, from a terminal", clientcmdapi.AlwaysExecInteractiveMode, true, ""},
		{"IfAvailable, from a terminal", clientcmdapi.IfAvailableExecInteractiveMode, true, ""},
		{"Always, no terminal", clientcmdapi.AlwaysExecInteractiveMode, false, "needs an interactive terminal"},
		{"IfAvailable, no terminal", clientcmdapi.IfAvailableExecInteractiveMode, false, "not interactive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// The plugin prompts on standard error and reads the answer when it is told it
			// is interactive; otherwise it fails as a real one would.
			script := filepath.Join(dir, "login.sh")
			body := fmt.Sprintf(`#!/bin/sh
case "$KUBERNETES_EXEC_INFO" in
  *'"interactive":true'*) ;;
  *) echo "not interactive: log in first" >&2; exit 1;;
esac
printf 'One-time code: ' >&2
read answer
[ "$answer" = 424242 ] || { echo "wrong code" >&2; exit 1; }
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}'
`, c.Token(testcluster.AdminUser))
			if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
			kc := testcluster.WriteKubeconfig(t, c, dir, c.Host(), testcluster.AdminUser, &clientcmdapi.ExecConfig{
				Command: script, APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: tc.mode,
			})
			opts := kube.Options{Flags: flagsFor(kc, "", t.TempDir()), Timeout: 10 * time.Second}
			var prompts bytes.Buffer
			if tc.terminal {
				opts.Terminal = &kube.Terminal{In: strings.NewReader("424242\n"), ErrOut: &prompts}
			}
			cl, err := kube.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = cl.Login(ctx)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("login: %v, want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if !strings.Contains(prompts.String(), "One-time code:") {
				t.Errorf("the plugin's prompt was not shown: %q", prompts.String())
			}
			// The credentials serve the requests that follow.
			if _, err := cl.Discovery().ServerVersion(); err != nil {
				t.Errorf("a request after the login: %v", err)
			}
		})
	}
}
