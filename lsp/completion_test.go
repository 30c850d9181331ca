package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// completionFixture is a Deployment with blank lines to complete on: in its spec, in its
// pod spec (indented by 6), under a list of containers, and at the top level of a new
// Deployment.
const completionFixture = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  <|spec|>\n  template:\n    spec:\n      <|pod|>\n      initContainers:\n        <|item|>\n---\napiVersion: apps/v1\nkind: Deployment\n<|top|>\n"

// completionCaps are a client's capabilities with the given completionItem part.
func completionCaps(item map[string]any) map[string]any {
	return map[string]any{"textDocument": map[string]any{"completion": map[string]any{"completionItem": item}}}
}

// itemText is the text an item inserts, and the item; it fails the test when the label is
// not offered.
func itemText(t *testing.T, list *protocol.CompletionList, label string) (string, protocol.CompletionItem) {
	t.Helper()
	var labels []string
	for _, it := range list.Items {
		if it.Label == label {
			if it.TextEdit == nil {
				t.Fatalf("%s: no textEdit", label)
			}
			return it.TextEdit.NewText, it
		}
		labels = append(labels, it.Label)
	}
	t.Fatalf("no %q among %q", label, labels)
	return "", protocol.CompletionItem{}
}

// TestCompletionWithoutSnippets: a client without snippet support gets every field, as
// plain text on one line (object and list fields insert their key and colon, a list item
// its first required field).
func TestCompletionWithoutSnippets(t *testing.T) {
	h := newHarness(t, harnessOptions{capabilities: completionCaps(map[string]any{})})
	h.Open(uriA, completionFixture)
	cases := []struct{ marker, label, want string }{
		{"top", "spec", "spec:"},
		{"top", "metadata", "metadata:"},
		{"spec", "selector", "selector:"},
		{"spec", "strategy", "strategy:"},
		{"spec", "paused", "paused: "},
		{"spec", "replicas", "replicas: "},
		{"pod", "containers", "containers:"},
		{"pod", "restartPolicy", "restartPolicy: "},
		{"pod", "nodeSelector", "nodeSelector:"},
		{"item", "- name", "- name: "},
	}
	for _, c := range cases {
		t.Run(c.marker+" "+c.label, func(t *testing.T) {
			list := h.Complete(uriA, c.marker)
			got, it := itemText(t, list, c.label)
			if got != c.want {
				t.Errorf("%s inserts %q, want %q", c.label, got, c.want)
			}
			for _, it := range list.Items {
				if it.InsertTextFormat == protocol.InsertTextFormatSnippet || strings.Contains(it.TextEdit.NewText, "\n") {
					t.Errorf("%s: %q is a snippet or spans lines", it.Label, it.TextEdit.NewText)
				}
			}
			if it.InsertTextMode != 0 {
				t.Errorf("insertTextMode %v sent to a client that did not ask for it", it.InsertTextMode)
			}
		})
	}
}

// TestCompletionIndentation: a multi-line snippet is sent with its full indentation and
// insertTextMode asIs to a client that takes it, and relative to the line it starts on to
// one that re-indents (adjustIndentation); inserted as each client does, both give the
// same text, with the list item two columns under its key.
func TestCompletionIndentation(t *testing.T) {
	const want = "containers:\n        - name: ${1}\n          image: ${2}"
	cases := []struct {
		name string
		caps map[string]any
		text string
		mode protocol.InsertTextMode
	}{
		{"asIs", completionCaps(map[string]any{"snippetSupport": true, "insertTextModeSupport": map[string]any{"valueSet": []int{1, 2}}}),
			want, protocol.InsertTextModeAsIs},
		{"adjustIndentation only", completionCaps(map[string]any{"snippetSupport": true, "insertTextModeSupport": map[string]any{"valueSet": []int{2}}}),
			"containers:\n  - name: ${1}\n    image: ${2}", 0},
		{"no insertTextMode support", completionCaps(map[string]any{"snippetSupport": true}),
			"containers:\n  - name: ${1}\n    image: ${2}", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{capabilities: c.caps})
			h.Open(uriA, completionFixture)
			got, it := itemText(t, h.Complete(uriA, "pod"), "containers")
			if got != c.text || it.InsertTextMode != c.mode || it.InsertTextFormat != protocol.InsertTextFormatSnippet {
				t.Errorf("containers: %q mode %v format %v, want %q mode %v", got, it.InsertTextMode, it.InsertTextFormat, c.text, c.mode)
			}
			if inserted := insertAs(got, it.InsertTextMode, "      "); inserted != want {
				t.Errorf("the client inserts %q, want %q", inserted, want)
			}
		})
	}
}

// insertAs is what a client inserts for text at a line indented by indent: asIs, or with
// indent added to every line after the first.
func insertAs(text string, mode protocol.InsertTextMode, indent string) string {
	if mode == protocol.InsertTextModeAsIs {
		return text
	}
	return strings.ReplaceAll(text, "\n", "\n"+indent)
}
