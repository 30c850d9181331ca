package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("KUBECTL_LSP_REQUIRE_NVIM") == "1" {
			t.Fatal("nvim is not installed (apt-get install -y neovim) and KUBECTL_LSP_REQUIRE_NVIM=1")
		}
		t.Skip("nvim is not installed")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "kubectl-lsp")
	build := exec.Command("go", "build", "-o", bin, "../cmd/kubectl-lsp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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
	resultPath := filepath.Join(tmp, "result.json")
	serverLog := filepath.Join(tmp, "server.log")
	cfg, _ := json.Marshal(map[string]any{
		"bin": bin, "fixture": fixture, "result": resultPath, "log": serverLog, "root": ws,
		"hover": lineByteCol(text, markers["hover"]), "complete": lineByteCol(text, markers["complete"]),
		"fix_code": "type",
	})
	cfgPath := filepath.Join(tmp, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	initLua, err := filepath.Abs("../test/nvim/init.lua")
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "timeout", "120", nvim, "--headless", "-n", "-i", "NONE", "-u", initLua)
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
	logs := func() {
		t.Logf("nvim output:\n%s", out)
		if b, err := os.ReadFile(serverLog); err == nil {
			t.Logf("server log:\n%s", b)
		}
		if b, err := os.ReadFile(filepath.Join(home, ".cache/nvim/lsp.log")); err == nil {
			t.Logf("nvim lsp.log:\n%s", b)
		}
	}
	data, err := os.ReadFile(resultPath)
	if err != nil {
		logs()
		t.Fatalf("nvim (%v, %v) wrote no result: %v", runErr, took, err)
	}
	var res nvimResult
	if err := json.Unmarshal(data, &res); err != nil {
		logs()
		t.Fatalf("result %s: %v", data, err)
	}
	if runErr != nil || !res.OK {
		logs()
		t.Fatalf("nvim failed (%v) after steps %v: %s", runErr, res.Steps, res.Error)
	}
	t.Logf("nvim %s ran in %v; steps %v", res.NvimVersion, took.Round(time.Millisecond), res.Steps)
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
