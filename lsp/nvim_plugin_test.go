package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// TestNeovimPlugin drives a real headless Neovim with the editors/neovim plugin against
// the real apiserver (test/nvim/plugin.lua): diagnostics, hover, a quick fix, :KubeApply,
// :KubeDiff (the cluster on the left), :KubePlugin, :KubeGet, :KubeContext and
// :KubeExplain in that context.
func TestNeovimPlugin(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("KUBECTL_LSP_REQUIRE_NVIM") == "1" {
			t.Fatal("nvim is not installed (apt-get install -y neovim) and KUBECTL_LSP_REQUIRE_NVIM=1")
		}
		t.Skip("nvim is not installed")
	}
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.EnsureNamespace(ctx, "nvim-act"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kubectl-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/kubectl-lsp").CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	// The server through a script that logs its arguments: which context :KubeExplain
	// passes.
	argsLog := filepath.Join(dir, "args.log")
	wrapper := filepath.Join(dir, "server.sh")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\necho \"$*\" >> '"+argsLog+"'\nexec '"+bin+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join(dir, "app.yaml")
	manifest := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: nvim-act\nspec:\n  replicas: \"2\"\n" +
		"  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nvim-settings\n  namespace: nvim-act\ndata:\n  mode: fast\n" +
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: reader, namespace: nvim-act}\nspec:\n  containers:\n  - {name: c, image: x, envFrom: [{configMapRef: {name: nvim-settings}}]}\n"
	if err := os.WriteFile(fixture, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	plugin, _ := filepath.Abs("../editors/neovim")
	script, _ := filepath.Abs("../test/nvim/plugin.lua")
	resultPath := filepath.Join(dir, "result.json")
	applyLine := strings.Count(manifest[:strings.Index(manifest, "nvim-settings")], "\n")
	ref := strings.LastIndex(manifest, "nvim-settings")
	getLine := strings.Count(manifest[:ref], "\n")
	getCol := ref - strings.LastIndex(manifest[:ref], "\n") - 1
	cfg, _ := json.Marshal(map[string]any{"bin": wrapper, "context": testcluster.LimitedUser, "plugin": plugin, "fixture": fixture, "result": resultPath,
		"kubeconfig": c.Kubeconfig(), "cache_dir": filepath.Join(dir, "cache"), "apply_line": applyLine, "fix_code": "type",
		"get_line": getLine, "get_col": getCol})
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "timeout", "150", nvim, "--headless", "-n", "-i", "NONE", "-u", script)
	pluginDir := filepath.Join(dir, "plugins")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pluginDir, "kubectl-hello"), []byte("#!/bin/sh\necho \"hello $*\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "KUBECTL_LSP_NVIM_CONFIG="+cfgPath, "HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_CACHE_HOME="+dir,
		"PATH="+pluginDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	start := time.Now()
	out, runErr := cmd.CombinedOutput()
	var res struct {
		OK         bool             `json:"ok"`
		Error      string           `json:"error"`
		Steps      []string         `json:"steps"`
		Notes      []string         `json:"notes"`
		Asked      []string         `json:"asked"`
		Hover      string           `json:"hover"`
		Plugin     string           `json:"plugin"`
		Get        string           `json:"get"`
		Completion []string         `json:"completion"`
		Fix        string           `json:"fix"`
		Statusline string           `json:"statusline"`
		Context    string           `json:"context_statusline"`
		Explain    string           `json:"explain"`
		Diff       map[string]any   `json:"diff"`
		Status     map[string]any   `json:"status"`
		Diags      []map[string]any `json:"diagnostics"`
	}
	data, err := os.ReadFile(resultPath)
	if err != nil {
		t.Fatalf("nvim (%v) wrote no result: %v\n%s", runErr, err, out)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("nvim failed after steps %v: %s\nnotes: %q\n%s", res.Steps, res.Error, res.Notes, out)
	}
	t.Logf("nvim ran in %v; steps %v", time.Since(start).Round(time.Millisecond), res.Steps)
	if len(res.Diags) != 1 || res.Diags[0]["code"] != "type" {
		t.Errorf("diagnostics: %v", res.Diags)
	}
	if !strings.Contains(res.Hover, "replicas") || !strings.Contains(res.Hover, "cluster admin") {
		t.Errorf("hover: %q", res.Hover)
	}
	if !slices.Contains(res.Completion, "minReadySeconds") {
		t.Errorf("completion under spec: %q", res.Completion)
	}
	if !strings.Contains(res.Plugin, "hello ConfigMap/nvim-settings -n nvim-act --context=admin") {
		t.Errorf(":KubePlugin hello output: %q", res.Plugin)
	}
	if !strings.Contains(res.Get, "name: nvim-settings") || !strings.Contains(res.Get, "mode: fast") || strings.Contains(res.Get, "managedFields") {
		t.Errorf(":KubeGet on the Pod's configMapRef: %q", res.Get)
	}
	if len(res.Asked) != 1 || !strings.Contains(res.Asked[0], `Apply ConfigMap/nvim-settings in namespace "nvim-act" of context "admin"`) {
		t.Errorf("confirmations: %q", res.Asked)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "skipConfirmationContexts") {
			t.Errorf("a warning about skipConfirmationContexts: %q", n)
		}
	}
	if res.Diff["live_has_fast"] != true || res.Diff["merged_has_safe"] != true || res.Diff["windows"] != float64(2) || res.Diff["live_left"] != true {
		t.Errorf("diff: %v", res.Diff)
	}
	if !strings.HasPrefix(res.Statusline, "admin · v1.37") || !strings.Contains(res.Explain, "KIND:") {
		t.Errorf("statusline %q, explain %q", res.Statusline, res.Explain)
	}
	if !strings.HasPrefix(res.Context, testcluster.LimitedUser+" · ") {
		t.Errorf("statusline after :KubeContext %s: %q", testcluster.LimitedUser, res.Context)
	}
	if args, _ := os.ReadFile(argsLog); !strings.Contains(string(args), "explain configmap.data --context="+testcluster.LimitedUser) {
		t.Errorf(":KubeExplain after :KubeContext %s ran with:\n%s", testcluster.LimitedUser, args)
	}
}

// copyTree copies the files under src to dst (a by-hand install of the plugin).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if d.Name() == "tags" {
			return nil // a developer's generated tags: not part of the plugin
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNeovimPluginOffline drives a real headless Neovim with a by-hand install of the
// plugin (a copy of editors/neovim on the runtimepath) and no cluster
// (test/nvim/offline.lua): :help kubectl-lsp works, setup{} without settings starts
// with no warning, omnifunc is set, client capabilities pass through, code lenses show
// and follow edits, and the statusline names the embedded release.
func TestNeovimPluginOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no editor tests")
	}
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("KUBECTL_LSP_REQUIRE_NVIM") == "1" {
			t.Fatal("nvim is not installed (apt-get install -y neovim) and KUBECTL_LSP_REQUIRE_NVIM=1")
		}
		t.Skip("nvim is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kubectl-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/kubectl-lsp").CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	plugin := filepath.Join(dir, "site", "kubectl-lsp")
	copyTree(t, "../editors/neovim", plugin)
	fixture := filepath.Join(dir, "ws", "app.yaml")
	if err := os.MkdirAll(filepath.Dir(fixture), 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: offline\ndata:\n  count: 3\n"
	if err := os.WriteFile(fixture, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../test/nvim/offline.lua")
	resultPath := filepath.Join(dir, "result.json")
	cfg, _ := json.Marshal(map[string]any{"bin": bin, "plugin": plugin, "fixture": fixture, "result": resultPath,
		"cache_dir": filepath.Join(dir, "cache")})
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "timeout", "100", nvim, "--headless", "-n", "-i", "NONE", "-u", script)
	cmd.Dir = filepath.Dir(fixture)
	home := filepath.Join(dir, "home")
	cmd.Env = append(os.Environ(), "KUBECTL_LSP_NVIM_CONFIG="+cfgPath, "HOME="+home, "XDG_STATE_HOME="+home,
		"XDG_CACHE_HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home,
		"KUBECONFIG="+filepath.Join(home, "no-kubeconfig"))
	start := time.Now()
	out, runErr := cmd.CombinedOutput()
	var res struct {
		OK              bool           `json:"ok"`
		Error           string         `json:"error"`
		Steps           []string       `json:"steps"`
		Notes           []string       `json:"notes"`
		NvimVersion     string         `json:"nvim_version"`
		Tags            bool           `json:"tags"`
		Help            string         `json:"help"`
		Statusline      string         `json:"statusline"`
		Status          map[string]any `json:"status"`
		Omnifunc        string         `json:"omnifunc"`
		Snippets        bool           `json:"snippets"`
		LensRefresh     bool           `json:"lens_refresh"`
		Lenses          []string       `json:"lenses"`
		LensesAfterEdit []string       `json:"lenses_after_edit"`
		LensRun         string         `json:"lens_run"`
	}
	data, err := os.ReadFile(resultPath)
	if err != nil {
		t.Fatalf("nvim (%v) wrote no result: %v\n%s", runErr, err, out)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("nvim failed after steps %v: %s\nnotes: %q\n%s", res.Steps, res.Error, res.Notes, out)
	}
	t.Logf("nvim %s ran in %v; steps %v", res.NvimVersion, time.Since(start).Round(time.Millisecond), res.Steps)
	if !res.Tags || res.Help != "kubectl-lsp.txt" {
		t.Errorf(":help kubectl-lsp: tags made %v, help %q", res.Tags, res.Help)
	}
	if len(res.Notes) != 0 {
		t.Errorf("messages with setup{} and no settings: %q", res.Notes)
	}
	if res.Omnifunc != "v:lua.vim.lsp.omnifunc" {
		t.Errorf("omnifunc %q", res.Omnifunc)
	}
	if !res.Snippets || !res.LensRefresh {
		t.Errorf("client capabilities: setup's snippetSupport %v, codeLens refreshSupport %v", res.Snippets, res.LensRefresh)
	}
	if !strings.HasPrefix(res.Statusline, "no cluster · builtin 1.") {
		t.Errorf("statusline %q (status %v), want the embedded release", res.Statusline, res.Status)
	}
	if !slices.Equal(res.Lenses, []string{"ConfigMap/offline"}) || !slices.Equal(res.LensesAfterEdit, []string{"ConfigMap/offline", "Secret/added"}) {
		t.Errorf("code lenses %q, after adding a Secret %q", res.Lenses, res.LensesAfterEdit)
	}
	if !strings.HasPrefix(res.LensRun, "kubectl-lsp: ConfigMap/offline: no cluster in use") {
		t.Errorf("running the ConfigMap's lens said %q", res.LensRun)
	}
}
