package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// frame encodes JSON-RPC messages with LSP's Content-Length headers.
func frame(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return b.String()
}

func runServe(t *testing.T, input string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(input), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(append([]string{"serve"}, args...))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

const (
	initializeMsg = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`
	shutdownMsg   = `{"jsonrpc":"2.0","id":2,"method":"shutdown"}`
	exitMsg       = `{"jsonrpc":"2.0","method":"exit"}`
)

func TestServeSession(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "lsp.log")
	out, _, err := runServe(t, frame(initializeMsg, `{"jsonrpc":"2.0","method":"initialized","params":{}}`, shutdownMsg, exitMsg),
		"--stdio", "--log-file", logFile, "--log-level", "debug")
	if err != nil {
		t.Fatalf("serve: %v (exit %d)", err, ExitCode(err))
	}
	for _, want := range []string{`"textDocumentSync":{"openClose":true,"change":2,"save":{}}`, `"serverInfo":{"name":"kubectl-lsp"`, `"result":null,"id":2`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	log, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(log), "method=initialize") {
		t.Errorf("log file: %v\n%s", err, log)
	}
}

func TestServeExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input string
		args  []string
		code  int
	}{
		{"exit without shutdown", frame(initializeMsg, exitMsg), nil, 1},
		{"end of input without shutdown", frame(initializeMsg), nil, 1},
		{"end of input after shutdown", frame(initializeMsg, shutdownMsg), nil, 0},
		{"bad log level", "", []string{"--log-level", "loud"}, 2},
		{"not stdio", "", []string{"--stdio=false"}, 2},
	} {
		_, _, err := runServe(t, tc.input, tc.args...)
		if got := ExitCode(err); got != tc.code {
			t.Errorf("%s: exit status %d (%v), want %d", tc.name, got, err, tc.code)
		}
	}
}
