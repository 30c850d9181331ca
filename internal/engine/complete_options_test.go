package engine_test

import (
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
)

// TestCompleteOptions: what items insert for clients with and without snippets, and with
// lines indented in full or relative to the line the completion starts on.
func TestCompleteOptions(t *testing.T) {
	eng := newEngine(t)
	const deploy = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
	plain := engine.CompleteOptions{}
	asIs := engine.CompleteOptions{Snippets: true}
	relative := engine.CompleteOptions{Snippets: true, RelativeIndent: true}
	cases := []struct {
		name, src, label, want string
		opts                   engine.CompleteOptions
	}{
		{"plain object", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  ‸", "strategy", "strategy:", plain},
		{"plain boolean", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  ‸", "paused", "paused: ", plain},
		{"plain list", deploy + "      ‸", "containers", "containers:", plain},
		{"plain map", deploy + "      ‸", "nodeSelector", "nodeSelector:", plain},
		{"plain list item", deploy + "      containers:\n        ‸", "- name", "- name: ", plain},
		{"plain in a flow mapping", "apiVersion: apps/v1\nkind: Deployment\nspec: {‸}", "strategy", "strategy: ", plain},
		{"plain after the key's colon", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  strat‸: {}", "strategy", "strategy", plain},
		{"snippet as is", deploy + "      ‸", "containers", "containers:\n        - name: ${1}\n          image: ${2}", asIs},
		{"snippet relative", deploy + "      ‸", "containers", "containers:\n  - name: ${1}\n    image: ${2}", relative},
		{"snippet relative, typed prefix", deploy + "      cont‸", "containers", "containers:\n  - name: ${1}\n    image: ${2}", relative},
		{"snippet relative in a list item", deploy + "      containers:\n      - name: c\n        ‸", "ports", "ports:\n  - containerPort: ${1}", relative},
		{"snippet relative on a list item's line", deploy + "      containers:\n      - ‸", "ports", "ports:\n    - containerPort: ${1}", relative},
		{"one line needs no indentation", deploy + "      ‸", "hostname", "hostname: ", relative},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, off := marked(t, c.name, c.src)
			items := eng.Complete(f, off, c.opts)
			it := item(items, c.label)
			if it == nil {
				t.Fatalf("no %q among %q", c.label, labels(items))
			}
			if it.InsertText != c.want {
				t.Errorf("%s inserts %q, want %q", c.label, it.InsertText, c.want)
			}
			for _, it := range items {
				if it.Snippet && !c.opts.Snippets {
					t.Errorf("%s: a snippet for a client without snippets: %q", it.Label, it.InsertText)
				}
			}
		})
	}
}
