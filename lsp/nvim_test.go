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

	"go.lsp.dev/protocol"
)

// nvimResult is what test/nvim/init.lua writes.
type nvimResult struct {
	OK                bool     `json:"ok"`
	Error             string   `json:"error"`
	Steps             []string `json:"steps"`
	NvimVersion       string   `json:"nvim_version"`
	Filetype          string   `json:"filetype"`
	StoppedGracefully bool     `json:"stopped_gracefully"`
	ExitCode          *int     `json:"exit_code"`
	Diagnostics       []struct {
		Lnum, Col, EndLnum, EndCol int
		Severity                   int    `json:"severity"`
		Message                    string `json:"message"`
		Source                     string `json:"source"`
		Code                       string `json:"code"`
	} `json:"diagnostics"`
	Hover *struct {
		Contents struct {
			Kind  string `json:"kind"`
			Value string `json:"value"`
		} `json:"contents"`
	} `json:"hover"`
	HoverError string `json:"hover_error"`
	Completion *struct {
		Count  int      `json:"count"`
		Labels []string `json:"labels"`
	} `json:"completion"`
	CompletionError string `json:"completion_error"`
	Fix             *struct {
		Titles          []string       `json:"titles"`
		Title           string         `json:"title"`
		Kind            string         `json:"kind"`
		SentRange       protocol.Range `json:"sent_range"`
		DiagnosticRange protocol.Range `json:"diagnostic_range"`
		Line            string         `json:"line"`
	} `json:"fix"`
	FixedDiagnostics []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"fixed_diagnostics"`
}

// UnmarshalJSON maps Neovim's snake_case diagnostic fields.
func (r *nvimResult) UnmarshalJSON(b []byte) error {
	type plain nvimResult
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var raw struct {
		Diagnostics []struct {
			Lnum    int `json:"lnum"`
			Col     int `json:"col"`
			EndLnum int `json:"end_lnum"`
			EndCol  int `json:"end_col"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for i := range p.Diagnostics {
		d := raw.Diagnostics[i]
		p.Diagnostics[i].Lnum, p.Diagnostics[i].Col, p.Diagnostics[i].EndLnum, p.Diagnostics[i].EndCol = d.Lnum, d.Col, d.EndLnum, d.EndCol
	}
	*r = nvimResult(p)
	return nil
}

// lineByteCol is a marker's 0-based line and byte column: what Neovim reports.
func lineByteCol(text string, offset int) [2]int {
	line := strings.Count(text[:offset], "\n")
	return [2]int{line, offset - (strings.LastIndex(text[:offset], "\n") + 1)}
}

// TestNeovim drives a real headless Neovim through test/nvim/init.lua. It needs nvim
// (Debian's 0.7.2 will do); without it the test is skipped unless
// KUBECTL_LSP_REQUIRE_NVIM=1.
func TestNeovim(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no editor tests")
	}
	nvim := lookNvim(t)
	tmp := t.TempDir()
	bin := buildServer(t, tmp)
	raw, err := os.ReadFile("../test/nvim/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, markers := parseMarkers(string(raw))
	ws := filepath.Join(tmp, "workspace")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join(ws, "manifest.yaml")
	if err := os.WriteFile(fixture, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var res nvimResult
	logs := runNvimScript(t, nvim, "../test/nvim/init.lua", tmp, ws, map[string]any{
		"bin": bin, "fixture": fixture, "root": ws,
		"hover": lineByteCol(text, markers["hover"]), "complete": lineByteCol(text, markers["complete"]),
		"fix_code": "type",
	}, &res)
	if !res.OK {
		logs()
		t.Fatalf("nvim failed after steps %v: %s", res.Steps, res.Error)
	}
	t.Logf("nvim %s: steps %v", res.NvimVersion, res.Steps)
	if res.Filetype != "yaml" {
		t.Errorf("filetype %q, want yaml", res.Filetype)
	}

	// Neovim converted the server's UTF-16 ranges to byte columns itself: they land on the
	// markers only if the server counted right (the line has emoji before the error).
	want := map[string][2][2]int{
		"type": {lineByteCol(text, markers["diag"]), lineByteCol(text, markers["diag_end"])},
		"enum": {lineByteCol(text, markers["enum"]), lineByteCol(text, markers["enum_end"])},
	}
	got := map[string][2][2]int{}
	for _, d := range res.Diagnostics {
		got[d.Code] = [2][2]int{{d.Lnum, d.Col}, {d.EndLnum, d.EndCol}}
		if d.Source != "kubectl-lsp" || d.Severity != 1 {
			t.Errorf("diagnostic %+v: want source kubectl-lsp, severity error", d)
		}
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("%s diagnostic at %v, want %v", code, got[code], w)
		}
	}
	if len(res.Diagnostics) != len(want) {
		t.Errorf("%d diagnostics, want %d: %+v", len(res.Diagnostics), len(want), res.Diagnostics)
	}

	if res.Hover == nil || !strings.Contains(res.Hover.Contents.Value, "replicas") {
		t.Errorf("hover on replicas: %+v (error %q)", res.Hover, res.HoverError)
	}
	if res.Completion == nil || res.Completion.Count == 0 {
		t.Errorf("completion in spec: %+v (error %q)", res.Completion, res.CompletionError)
	}
	// The quick fix of the "type" diagnostic (after emoji on its line): Neovim sent the
	// diagnostic's range in UTF-16, the action names that diagnostic, and once applied the
	// next diagnostics no longer have it.
	if res.Fix == nil {
		t.Errorf("no quick fix result")
	} else {
		if res.Fix.Title != `Change 3 to "3"` || res.Fix.Kind != "quickfix" {
			t.Errorf("quick fix %q (%s) among %q, want Change 3 to \"3\"", res.Fix.Title, res.Fix.Kind, res.Fix.Titles)
		}
		if res.Fix.DiagnosticRange != res.Fix.SentRange {
			t.Errorf("the action's diagnostic is at %+v, the client's at %+v", res.Fix.DiagnosticRange, res.Fix.SentRange)
		}
		if !strings.Contains(res.Fix.Line, `labels: {app: "3"}}`) {
			t.Errorf("line after the fix: %q", res.Fix.Line)
		}
		codes := map[string]int{}
		for _, d := range res.FixedDiagnostics {
			codes[d.Code]++
		}
		if codes["type"] != 0 || codes["enum"] != 1 || len(res.FixedDiagnostics) != 1 {
			t.Errorf("diagnostics after the fix: %+v, want only the enum one", res.FixedDiagnostics)
		}
	}
	if !res.StoppedGracefully || res.ExitCode == nil || *res.ExitCode != 0 {
		t.Errorf("the server did not stop cleanly on shutdown/exit: graceful=%v exit=%v", res.StoppedGracefully, res.ExitCode)
	}
}

// lookNvim finds nvim, or skips the test without it unless KUBECTL_LSP_REQUIRE_NVIM=1.
func lookNvim(t *testing.T) string {
	t.Helper()
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("KUBECTL_LSP_REQUIRE_NVIM") == "1" {
			t.Fatal("nvim is not installed (apt-get install -y neovim) and KUBECTL_LSP_REQUIRE_NVIM=1")
		}
		t.Skip("nvim is not installed")
	}
	return nvim
}

// buildServer builds the kubectl-lsp binary into dir.
func buildServer(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "kubectl-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/kubectl-lsp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runNvimScript runs a test/nvim script in a headless Neovim started in dir ws, with a
// fresh home under tmp, and decodes the JSON result it writes into res. cfg is the
// script's configuration; "result" and "log" (the server's log file) are added. The
// returned function logs Neovim's output and the logs of both sides, for failures; the
// test fails at once when the script wrote no result or Neovim did not exit cleanly.
func runNvimScript(t *testing.T, nvim, script, tmp, ws string, cfg map[string]any, res any) (logs func()) {
	t.Helper()
	resultPath := filepath.Join(tmp, "result.json")
	serverLog := filepath.Join(tmp, "server.log")
	cfg["result"], cfg["log"] = resultPath, serverLog
	data, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(tmp, "config.json")
	if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	scriptPath, err := filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "timeout", "120", nvim, "--headless", "-n", "-i", "NONE", "-u", scriptPath)
	cmd.Dir = ws
	home := filepath.Join(tmp, "home")
	cmd.Env = append(os.Environ(),
		"KUBECTL_LSP_NVIM_CONFIG="+cfgPath,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local/state"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR="+filepath.Join(tmp, "run"),
	)
	start := time.Now()
	out, runErr := cmd.CombinedOutput()
	took := time.Since(start)
	logs = func() {
		t.Helper()
		t.Logf("nvim (%v, %v) output:\n%s", runErr, took.Round(time.Millisecond), out)
		if b, err := os.ReadFile(serverLog); err == nil {
			t.Logf("server log:\n%s", b)
		}
		if b, err := os.ReadFile(filepath.Join(home, ".cache/nvim/lsp.log")); err == nil {
			t.Logf("nvim lsp.log:\n%s", b)
		}
	}
	data, err = os.ReadFile(resultPath)
	if err != nil {
		logs()
		t.Fatalf("nvim (%v, %v) wrote no result: %v", runErr, took, err)
	}
	if err := json.Unmarshal(data, res); err != nil {
		logs()
		t.Fatalf("result %s: %v", data, err)
	}
	if runErr != nil {
		logs()
		t.Fatalf("nvim failed (%v): result %s", runErr, data)
	}
	t.Logf("nvim ran %s in %v", filepath.Base(script), took.Round(time.Millisecond))
	return logs
}

// The workspace of TestNeovimWorkspace: a Deployment to complete in, another that refers
// to a ConfigMap twice, a Job that refers to it too (a file Neovim never opens), and the
// ConfigMap, beside one whose data has a key of the same name. Where "settings" is not the
// ConfigMap's name (a label, a container, a key), a rename must leave it alone.
const (
	nvimAPI = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-<|name|>server
spec:
  replicas: 2
  <|complete|>
`
	nvimDeploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: settings}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          envFrom:
            - configMapRef: {name: <|ref|>settings}
          env:
            - name: MODE
              valueFrom:
                configMapKeyRef: {name: settings, key: mode}
`
	nvimJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - {name: settings, image: busybox}
      volumes: [{name: v, configMap: {name: settings}}]
`
	nvimConfig = `apiVersion: v1
kind: ConfigMap
metadata:
  name: <|def|>settings
data:
  mode: fast
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
data:
  settings: "true"
`
)

// TestNeovimWorkspace drives the stock LSP client of a real headless Neovim (no snippet
// support) through test/nvim/workspace.lua in a workspace folder: omnifunc completion of an
// object's fields, accepting one; go to a definition in a file that is not open; rename a
// ConfigMap across two files. It checks the files Neovim wrote, to the byte.
func TestNeovimWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no editor tests")
	}
	nvim := lookNvim(t)
	tmp := t.TempDir()
	bin := buildServer(t, tmp)
	ws := filepath.Join(tmp, "workspace")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, marked string) (string, string, map[string]int) {
		text, markers := parseMarkers(marked)
		p := filepath.Join(ws, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p, text, markers
	}
	apiPath, apiText, apiMarkers := write("api.yaml", nvimAPI)
	deployPath, deployText, deployMarkers := write("deploy.yaml", nvimDeploy)
	configPath, configText, configMarkers := write("config.yaml", nvimConfig)
	jobPath, jobText, _ := write("job.yaml", nvimJob)

	var res struct {
		OK         bool     `json:"ok"`
		Error      string   `json:"error"`
		Steps      []string `json:"steps"`
		Notes      []string `json:"notes"`
		Completion struct {
			Words  []string `json:"words"`
			Labels []string `json:"labels"`
			Text   string   `json:"text"`
		} `json:"completion"`
		RenameDefault      string `json:"rename_default"`
		ConfigLoadedBefore bool   `json:"config_loaded_before"`
		Definition         struct {
			File      string `json:"file"`
			Line, Col int
			Text      string `json:"text"`
		} `json:"definition"`
		Rename struct {
			Deploy        string `json:"deploy"`
			Config        string `json:"config"`
			Job           string `json:"job"`
			JobOpenBefore bool   `json:"job_loaded_before"`
		} `json:"rename"`
	}
	logs := runNvimScript(t, nvim, "../test/nvim/workspace.lua", tmp, ws, map[string]any{
		"bin": bin, "root": ws, "new_name": "app-settings",
		"complete_file": apiPath, "complete": lineByteCol(apiText, apiMarkers["complete"]),
		"name":   lineByteCol(apiText, apiMarkers["name"]),
		"deploy": deployPath, "ref": lineByteCol(deployText, deployMarkers["ref"]),
		"config": configPath, "job": jobPath,
	}, &res)
	if !res.OK {
		logs()
		t.Fatalf("nvim failed after steps %v: %s\nnotes: %q", res.Steps, res.Error, res.Notes)
	}
	t.Logf("steps %v; notes %q", res.Steps, res.Notes)
	failed := false
	errorf := func(format string, args ...any) {
		t.Helper()
		failed = true
		t.Errorf(format, args...)
	}
	defer func() {
		if failed {
			logs()
		}
	}()

	// 1. Completion: the fields of a DeploymentSpec not yet there, inserted as plain text.
	for _, w := range []string{"selector:", "template:", "strategy:", "minReadySeconds: "} {
		if !slices.Contains(res.Completion.Words, w) {
			errorf("completion under spec: no %q among %q", w, res.Completion.Words)
		}
	}
	if slices.Contains(res.Completion.Words, "replicas: ") {
		errorf("completion under spec offers replicas, which is there: %q", res.Completion.Words)
	}
	wantAPI := strings.Replace(apiText, "  \n", "  strategy:\n", 1)
	if res.Completion.Text != wantAPI {
		errorf("buffer after accepting strategy:\n%q\nwant\n%q", res.Completion.Text, wantAPI)
	}
	if b, _ := os.ReadFile(apiPath); string(b) != wantAPI {
		errorf("api.yaml after :write\n%q\nwant\n%q", b, wantAPI)
	}

	// The rename prompt offers the whole name (from prepareRename), not the word under the
	// cursor.
	if res.RenameDefault != "api-server" {
		errorf("the rename prompt offers %q, want api-server", res.RenameDefault)
	}

	// 2. Definition in a file the server has not seen open.
	if res.ConfigLoadedBefore {
		errorf("config.yaml was loaded before the definition")
	}
	def := lineByteCol(configText, configMarkers["def"])
	if res.Definition.File != configPath || res.Definition.Line != def[0] || res.Definition.Col != def[1] || res.Definition.Text != "  name: settings" {
		errorf("definition: at %s:%d:%d (%q), want %s:%d:%d", res.Definition.File, res.Definition.Line, res.Definition.Col, res.Definition.Text, configPath, def[0], def[1])
	}

	// 3. Rename: the ConfigMap's name and the references to it, nothing else; in open
	// files (versioned edits) and in job.yaml, which was not (null version).
	wantDeploy := strings.ReplaceAll(deployText, "{name: settings", "{name: app-settings")
	wantConfig := strings.Replace(configText, "name: settings", "name: app-settings", 1)
	wantJob := strings.Replace(jobText, "configMap: {name: settings}", "configMap: {name: app-settings}", 1)
	if strings.Count(wantDeploy, "app-settings") != 2 || strings.Count(wantConfig, "app-settings") != 1 || strings.Count(wantJob, "app-settings") != 1 {
		t.Fatal("the rename fixture changed: fix the expected texts")
	}
	if res.Rename.JobOpenBefore {
		errorf("job.yaml was loaded before the rename")
	}
	for _, f := range []struct{ name, path, buffer, want string }{
		{"deploy.yaml", deployPath, res.Rename.Deploy, wantDeploy},
		{"config.yaml", configPath, res.Rename.Config, wantConfig},
		{"job.yaml", jobPath, res.Rename.Job, wantJob},
	} {
		if f.buffer != f.want {
			errorf("%s buffer after the rename:\n%s\nwant\n%s", f.name, f.buffer, f.want)
		}
		if b, _ := os.ReadFile(f.path); string(b) != f.want {
			errorf("%s after :wall:\n%s\nwant\n%s", f.name, b, f.want)
		}
	}
	if len(res.Notes) > 0 {
		errorf("Neovim showed messages: %q", res.Notes)
	}
}
