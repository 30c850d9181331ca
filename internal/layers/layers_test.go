package layers

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kubectl-lsp/kubectl-lsp"

// rule: no package matching from (other than the exceptions) imports a package matching to.
type rule struct {
	why    string
	from   []string // package patterns: "kube" is that package, "schema/..." it and those below
	except []string
	to     []string
}

var rules = []rule{
	{why: "the command-line face is used by the binary only", from: []string{"..."}, except: []string{"cmd/kubectl-lsp", "internal/cli"}, to: []string{"internal/cli"}},
	{why: "the language server is started by the serve command only", from: []string{"..."}, except: []string{"internal/cli", "lsp", "internal/bench/..."}, to: []string{"lsp"}},
	{why: "nothing below the engine reaches up to it or to the faces",
		from: []string{"schema/...", "kube", "plugins", "internal/validate", "internal/apiserver", "internal/nodejson", "internal/yamlpos", "internal/complete", "internal/explain", "internal/safefile", "internal/version"},
		to:   []string{"internal/engine", "lsp", "internal/cli", "cmd/..."}},
	{why: "the engine does not depend on the faces", from: []string{"internal/engine"}, to: []string{"lsp", "internal/cli"}},
	{why: "the language server converts protocol and engine types; cluster, plugin and schema work is the engine's",
		from: []string{"lsp"}, to: []string{"kube", "plugins", "schema/...", "internal/apiserver", "internal/complete", "internal/explain"}},
	{why: "test and benchmark machinery stays out of the product",
		from:   []string{"..."},
		except: []string{"internal/testcluster/...", "internal/bench/..."},
		to:     []string{"internal/testcluster/...", "internal/bench/..."}},
}

// match reports whether pkg (relative to the module) matches a pattern.
func match(patterns []string, pkg string) bool {
	for _, p := range patterns {
		switch {
		case p == "...":
			return true
		case strings.HasSuffix(p, "/..."):
			base := strings.TrimSuffix(p, "/...")
			if pkg == base || strings.HasPrefix(pkg, base+"/") {
				return true
			}
		case p == pkg:
			return true
		}
	}
	return false
}

// violations lists the imports of graph (package → its imports, both relative to the
// module) that break the rules.
func violations(graph map[string][]string) []string {
	var out []string
	for pkg, imports := range graph {
		for _, r := range rules {
			if !match(r.from, pkg) || match(r.except, pkg) {
				continue
			}
			for _, imp := range imports {
				if match(r.to, imp) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", pkg, imp, r.why))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// importGraph is the module's non-test import graph, from go list.
func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module+"/")
		if !ok {
			continue
		}
		var own []string
		for _, imp := range fields[1:] {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				own = append(own, rel)
			}
		}
		graph[pkg] = own
	}
	if len(graph) < 10 {
		t.Fatalf("go list found only %d packages:\n%s", len(graph), out)
	}
	return graph
}

func TestLayering(t *testing.T) {
	for _, v := range violations(importGraph(t)) {
		t.Error(v)
	}
}

// TestRulesCatchViolations: each rule rejects an import that breaks it (the check is not
// vacuous).
func TestRulesCatchViolations(t *testing.T) {
	bad := map[string][]string{
		"lsp":                  {"internal/cli"},
		"internal/engine":      {"lsp"},
		"kube":                 {"internal/engine"},
		"schema/builtin":       {"cmd/kubectl-lsp"},
		"plugins":              {"internal/testcluster/probe"},
		"internal/validate":    {"lsp"},
		"internal/explain":     {"internal/yamlpos"}, // allowed
		"cmd/kubectl-lsp":      {"internal/cli"},     // allowed
		"internal/testcluster": {"internal/bench"},   // allowed: test machinery
	}
	got := violations(bad)
	want := []string{
		"internal/engine imports lsp",
		"internal/validate imports lsp",
		"kube imports internal/engine",
		"lsp imports internal/cli",
		"plugins imports internal/testcluster/probe",
		"schema/builtin imports cmd/kubectl-lsp",
	}
	var pkgs []string
	for _, v := range got {
		pkgs = append(pkgs, v[:strings.Index(v, ":")])
	}
	pkgs = slices.Compact(pkgs)
	if !slices.Equal(pkgs, want) {
		t.Errorf("violations:\n%s\nwant the imports:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
