package lsp

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestBadFramesResynchronise: a message whose Content-Length is wrong (one byte short or
// long, far too long, negative, over the size limit), or garbage between messages, costs
// at most that message: the server reads the next one and answers. A well-formed JSON
// body is recovered despite a wrong length. A message over the size limit is dropped
// with a warning the user sees.
func TestBadFramesResynchronise(t *testing.T) {
	const bad = protocol.DocumentURI("file:///work/bad-frame.yaml")
	text, _ := json.Marshal("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n")
	open := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"` + string(bad) + `","languageId":"yaml","version":1,"text":` + string(text) + `}}}`
	frame := func(length int, body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", length, body) }
	huge := `{"jsonrpc":"2.0","method":"workspace/noSuchNotification","params":{"x":"` + strings.Repeat("y", maxMessageSize) + `"}}`
	for _, tc := range []struct {
		name string
		raw  string // sent before a good request
		// recovered: the malformed message is the didOpen, and it is read.
		recovered bool
		// warning: a message the user sees.
		warning string
	}{
		{name: "one byte short", raw: frame(len(open)-1, open), recovered: true},
		{name: "one byte long", raw: frame(len(open)+1, open), recovered: true},
		{name: "ten bytes long", raw: frame(len(open)+10, open), recovered: true},
		{name: "far too long", raw: frame(1<<20, open), recovered: true},
		{name: "half", raw: frame(len(open)/2, open), recovered: true},
		{name: "over the limit", raw: frame(maxMessageSize+1, open), recovered: true},
		{name: "negative", raw: frame(-5, open), recovered: true},
		{name: "twice", raw: frame(len(open)-1, open) + frame(len(open)+1, open), recovered: true},
		{name: "garbage line", raw: "hello there\r\n"},
		{name: "garbage without newline", raw: "garbage"},
		{name: "truncated body", raw: frame(20, `{"jsonrpc":"2.0","id":`)},
		{name: "cut inside a string", raw: frame(60, `{"jsonrpc":"2.0","method":"x","params":{"a":"abc`)},
		{name: "unbalanced body", raw: frame(20, `{"jsonrpc":"2.0","id":[`)},
		{name: "not JSON", raw: frame(8, "not json")},
		{name: "huge body", raw: frame(len(huge), huge), warning: "limited to 256 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			if _, err := io.WriteString(h.pipe, tc.raw); err != nil {
				t.Fatal(err)
			}
			if tc.recovered {
				if diags := h.AwaitDiagnostics(bad, 1); len(find(diags, "type")) != 1 {
					t.Errorf("diagnostics of the recovered didOpen: %s", dump(diags))
				}
			}
			// A request after the bad frame is answered.
			uri := protocol.DocumentURI("file:///work/after.yaml")
			v := h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\ndata: {b: 2}\n")
			if diags := h.AwaitDiagnostics(uri, v); len(find(diags, "type")) != 1 {
				t.Errorf("diagnostics after the bad frame: %s", dump(diags))
			}
			if tc.warning != "" {
				if m := h.AwaitMessage(tc.warning); m.Type != protocol.MessageTypeWarning {
					t.Errorf("message: %+v", m)
				}
			}
		})
	}
}
