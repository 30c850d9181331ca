package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestPluginActions: installed kubectl plugins are code actions on a resource, run by argv
// with the document's values checked first, with templates, stdin and a timeout.
func TestPluginActions(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "pwned")
	write := func(name, script string) {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("kubectl-echo_args", `echo "args: $*"; if [ ! -t 0 ]; then cat; fi`+"\n")
	write("kubectl-hang", "sleep 30\n")
	write("kubectl-eval", `eval "echo $*"; touch `+marker+"\n") // careless on purpose
	// kubectl-lsp itself (after make install) and its completion companion: no actions.
	write("kubectl-lsp", "exit 2\n")
	write("kubectl_complete-lsp", "exit 2\n")
	t.Setenv("PATH", bin+":/usr/bin:/bin")

	settings := map[string]any{"plugins": map[string]any{
		"echo-args": map[string]any{"args": []string{"{kind}", "{name}", "--ns={namespace}"}},
		"hang":      map[string]any{"timeoutSeconds": 0.3},
	}}
	h := newHarness(t, harnessOptions{initOptions: settings})
	uri := protocol.DocumentURI("file:///work/cm.yaml")
	h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team\n---\n"+
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x; touch "+marker+"\"\n")
	h.AwaitDiagnostics(uri, 1)

	var actions []protocol.CodeAction
	if err := h.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": protocol.Range{Start: protocol.Position{Line: 1}, End: protocol.Position{Line: 1}},
		"context": map[string]any{"diagnostics": []any{}, "only": []string{"source"}},
	}, &actions); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	if strings.Join(titles, ",") != "Run kubectl echo-args,Run kubectl eval,Run kubectl hang" {
		t.Fatalf("plugin actions: %q", titles)
	}

	var res PluginResult
	if err := h.execute(CommandRunPlugin, &res, "echo-args", uri, 0); err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || strings.TrimSpace(res.Stdout) != "args: ConfigMap settings --ns=team" || res.Document == "" {
		t.Fatalf("echo-args: %+v", res)
	}
	if text, err := os.ReadFile(uriFilename(res.Document)); err != nil || !strings.Contains(string(text), "args: ConfigMap settings --ns=team") {
		t.Fatalf("output document: %q %v", text, err)
	}
	// The default argv, by position.
	if err := h.execute(CommandRunPlugin, &res, "eval", uri, map[string]any{"line": 2, "character": 0}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(res.Stdout) != "ConfigMap/settings -n team" {
		t.Fatalf("eval with the default argv: %+v", res)
	}
	os.Remove(marker)
	// A name with shell metacharacters: refused, nothing runs.
	err := h.execute(CommandRunPlugin, &res, "eval", uri, 1)
	if err == nil || !strings.Contains(err.Error(), "x; touch") {
		t.Fatalf("a name with metacharacters: %v", err)
	}
	if _, statErr := os.Stat(marker); statErr == nil {
		t.Fatal("the plugin ran for a refused name")
	}
	// A plugin that hangs is killed at its timeout.
	res = PluginResult{}
	if err := h.execute(CommandRunPlugin, &res, "hang", uri, 0); err != nil || res.ExitCode != -1 {
		t.Fatalf("hang: %+v %v", res, err)
	}
	h.AwaitMessage("kubectl hang: killed")
	// Stdin mode pipes the document.
	h.Configure(map[string]any{"plugins": map[string]any{"echo-args": map[string]any{"stdin": true}}})
	h.await("the settings", func() bool {
		h.srv.mu.Lock()
		defer h.srv.mu.Unlock()
		return h.srv.settings.Plugins["echo-args"].Stdin
	})
	if err := h.execute(CommandRunPlugin, &res, "echo-args", uri, 0); err != nil || !strings.Contains(res.Stdout, "name: settings\n  namespace: team") {
		t.Fatalf("stdin mode: %+v %v", res, err)
	}
	if err := h.execute(CommandRunPlugin, nil, "nope", uri, 0); err == nil {
		t.Fatal("an unknown plugin ran")
	}
}

// TestPluginSettingsReplace: a plugins map sent replaces the earlier one (a plugin left out
// is gone) and never changes the settings it was read over.
func TestPluginSettingsReplace(t *testing.T) {
	base, err := parseSettings(json.RawMessage(`{"plugins": {"a": {"stdin": true}, "b": {"hidden": true}}}`), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	next, err := parseSettings(json.RawMessage(`{"plugins": {"b": {"stdin": true}}}`), base)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := next.Plugins["a"]; ok || !next.Plugins["b"].Stdin || next.Plugins["b"].Hidden {
		t.Fatalf("replaced plugins: %+v", next.Plugins)
	}
	if len(base.Plugins) != 2 || !base.Plugins["a"].Stdin || base.Plugins["b"].Stdin {
		t.Fatalf("the base changed: %+v", base.Plugins)
	}
	kept, err := parseSettings(json.RawMessage(`{"context": "dev"}`), base)
	if err != nil || len(kept.Plugins) != 2 {
		t.Fatalf("plugins not sent are kept: %+v %v", kept.Plugins, err)
	}
}

func TestListSettingsDoNotShareMemory(t *testing.T) {
	base, _ := parseSettings(json.RawMessage(`{"files": ["a/**", "b/**"]}`), Settings{})
	next, _ := parseSettings(json.RawMessage(`{"files": ["c/**"]}`), base)
	if base.Files[0] != "a/**" || len(next.Files) != 1 || next.Files[0] != "c/**" {
		t.Fatalf("base %q, next %q", base.Files, next.Files)
	}
}

// TestPluginFileIsAPath: {file} is the document's path on disk; a document whose URI is
// not a file: URI (an untitled editor, a virtual file system, a bare string) has none, and
// the run is refused rather than given the URI's text.
func TestPluginFileIsAPath(t *testing.T) {
	bin := t.TempDir()
	ran := filepath.Join(t.TempDir(), "ran")
	if err := os.WriteFile(filepath.Join(bin, "kubectl-file"), []byte("#!/bin/sh\ntouch "+ran+"\necho \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	h := newHarness(t, harnessOptions{initOptions: map[string]any{"plugins": map[string]any{
		"file": map[string]any{"args": []string{"{file}"}},
	}}})
	const doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
	tests := []struct {
		uri     protocol.DocumentURI
		want    string // the plugin's output, or "" when refused
		wantErr string
	}{
		{uri: "file:///work/cm.yaml", want: "/work/cm.yaml"},
		{uri: "file:///work/a%20b.yaml", want: "/work/a b.yaml"},
		{uri: "untitled:Untitled-1", wantErr: "the manifest is not a file"},
		{uri: "untitled:/etc/passwd", wantErr: "the manifest is not a file"},
		{uri: "--kubeconfig=/etc/passwd", wantErr: "the manifest is not a file"},
		{uri: "file:--kubeconfig=/etc/passwd", wantErr: "the manifest is not a file"},
		{uri: "vscode-vfs://github/org/repo/cm.yaml", wantErr: "the manifest is not a file"},
	}
	for _, tc := range tests {
		t.Run(string(tc.uri), func(t *testing.T) {
			os.Remove(ran)
			h.Open(tc.uri, doc)
			h.AwaitDiagnostics(tc.uri, 1)
			var res PluginResult
			err := h.execute(CommandRunPlugin, &res, "file", tc.uri, 0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q (the plugin saw %q)", err, tc.wantErr, res.Stdout)
				}
				if _, statErr := os.Stat(ran); statErr == nil {
					t.Fatal("the plugin ran")
				}
				return
			}
			if err != nil || strings.TrimSpace(res.Stdout) != tc.want {
				t.Fatalf("stdout %q, err %v; want %q", res.Stdout, err, tc.want)
			}
		})
	}
}

// TestPluginContextFromKubeconfig: the kubeconfig's context name reaches a plugin as one
// argument, --context=NAME, and a name that a plugin would read as a flag is refused.
func TestPluginContextFromKubeconfig(t *testing.T) {
	bin := t.TempDir()
	ran := filepath.Join(t.TempDir(), "ran")
	if err := os.WriteFile(filepath.Join(bin, "kubectl-args"), []byte("#!/bin/sh\ntouch "+ran+"\nfor a in \"$@\"; do echo \"[$a]\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	tests := []struct {
		context string
		want    string // the plugin's output, or "" when refused
		wantErr string
	}{
		{context: "prod cluster", want: "[ConfigMap/settings]\n[-n]\n[team]\n[--context=prod cluster]\n"},
		{context: "--kubeconfig=/etc/passwd", wantErr: `refusing to run the plugin: context "--kubeconfig=/etc/passwd"`},
	}
	for _, tc := range tests {
		t.Run(tc.context, func(t *testing.T) {
			os.Remove(ran)
			kc := filepath.Join(t.TempDir(), "kubeconfig")
			text := fmt.Sprintf("apiVersion: v1\nkind: Config\ncurrent-context: %q\ncontexts:\n- name: %q\n  context: {cluster: k, user: u}\n"+
				"clusters:\n- name: k\n  cluster: {server: \"https://127.0.0.1:1\"}\nusers:\n- name: u\n  user: {token: x}\n", tc.context, tc.context)
			if err := os.WriteFile(kc, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, harnessOptions{initOptions: map[string]any{"kubeconfig": kc, "clusterRefreshSeconds": 3600}})
			uri := protocol.DocumentURI("file:///work/cm.yaml")
			h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team\n")
			h.AwaitDiagnostics(uri, 1)
			h.await("the cluster connection", func() bool {
				h.srv.mu.Lock()
				defer h.srv.mu.Unlock()
				return h.srv.cluster != nil
			})
			var res PluginResult
			err := h.execute(CommandRunPlugin, &res, "args", uri, 0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q (the plugin saw %q)", err, tc.wantErr, res.Stdout)
				}
				if _, statErr := os.Stat(ran); statErr == nil {
					t.Fatal("the plugin ran")
				}
				return
			}
			if err != nil || res.Stdout != tc.want {
				t.Fatalf("stdout %q, err %v; want %q", res.Stdout, err, tc.want)
			}
		})
	}
}
