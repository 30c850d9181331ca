package engine_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestHoverGolden compares whole hovers with testdata/hover/NAME.md (go test -update
// rewrites them): the types documented for Go programmers (Quantity's grammar) are a
// short summary with a link, and enum values a list with their meanings.
func TestHoverGolden(t *testing.T) {
	eng := newEngine(t)
	const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
	cases := []struct{ name, src string }{
		{"limits-memory", pod + "    resources:\n      limits:\n        mem‸ory: 128Mi\n"},
		{"imagePullPolicy", pod + "    imagePull‸Policy: Always\n"},
		{"targetPort", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    target‸Port: 8080\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, off := marked(t, c.name, c.src)
			h, ok := eng.Hover(f, off)
			if !ok {
				t.Fatal("no hover")
			}
			file := filepath.Join("testdata", "hover", c.name+".md")
			if *update {
				if err := os.WriteFile(file, []byte(h.Markdown), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if h.Markdown != string(want) {
				t.Errorf("hover differs from %s (go test -update rewrites it):\n%s", file, h.Markdown)
			}
		})
	}
}
