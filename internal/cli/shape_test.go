package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// parsePackage parses the package's non-test files.
func parsePackage(t *testing.T) []*ast.File {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestEveryCommandUsesRunE: each command's RunE is runE(options), so that every command
// runs Complete, Validate and Run in that order.
func TestEveryCommandUsesRunE(t *testing.T) {
	found := 0
	for _, f := range parsePackage(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if key, ok := kv.Key.(*ast.Ident); !ok || key.Name != "RunE" {
				return true
			}
			found++
			call, ok := kv.Value.(*ast.CallExpr)
			if fn, isIdent := call.Fun.(*ast.Ident); !ok || !isIdent || fn.Name != "runE" {
				t.Errorf("%s: RunE is not runE(options)", f.Name.Name)
			}
			return true
		})
	}
	// hover, complete and symbols share one (newFeatureCommand's).
	if found < 11 {
		t.Errorf("found %d RunE fields, want one per command: 11 or more", found)
	}
}

// ioCalls are the calls that read files, the environment's executables or a cluster.
var ioCalls = []string{
	"readInput", "os.ReadFile", "os.Open", "os.OpenFile", "os.Stat", "safefile.ReadFile",
	"engine.ExpandPaths", "engine.ExpandPathsExcluding", "engine.New", "engine.Connect", "engine.LookupPlugin", "engine.Plugins",
	"kube.New", "plugins.Discover", "newEngine", "connectSchemas", "login",
}

// TestCompleteAndValidateDoNoIO: the package's rule (see its doc) is that Complete and
// Validate neither read files nor talk to a cluster; Run does. The check follows the calls
// into the package's own functions and methods, by name.
func TestCompleteAndValidateDoNoIO(t *testing.T) {
	bodies := map[string][]*ast.BlockStmt{} // function or method name → bodies
	for _, f := range parsePackage(t) {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				bodies[fd.Name.Name] = append(bodies[fd.Name.Name], fd.Body)
			}
		}
	}
	checked := 0
	for _, start := range []string{"Complete", "Validate", "complete", "validate"} {
		seen := map[string]bool{start: true}
		queue := []string{start}
		for len(queue) > 0 {
			name := queue[0]
			queue = queue[1:]
			for _, body := range bodies[name] {
				checked++
				ast.Inspect(body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					callee := calleeName(call)
					if slices.Contains(ioCalls, callee) {
						t.Errorf("%s reaches %s, which does I/O: that belongs in Run", start, callee)
					}
					short := callee[strings.LastIndexByte(callee, '.')+1:]
					if _, own := bodies[short]; own && !seen[short] && short != "Run" {
						seen[short] = true
						queue = append(queue, short)
					}
					return true
				})
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d bodies: the commands' Complete and Validate methods were not found", checked)
	}
}

// calleeName is a call's function as written: "name", "pkg.Name" or "x.Method" (with x
// the receiver's last identifier).
func calleeName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			return x.Name + "." + fn.Sel.Name
		}
		return "." + fn.Sel.Name
	}
	return ""
}
