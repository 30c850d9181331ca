package lsp

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// Quick fixes over the protocol: ask for the code actions at a diagnostic, apply the edit
// the way a client does (with the harness's own position arithmetic), and wait for the
// diagnostics of the new version.

// fixCapabilities are a modern client's: CodeAction literals and versioned edits.
var fixCapabilities = map[string]any{
	"textDocument": map[string]any{
		"codeAction": map[string]any{"codeActionLiteralSupport": map[string]any{
			"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor"}},
		}},
	},
	"workspace": map[string]any{"workspaceEdit": map[string]any{"documentChanges": true}},
}

// CodeActions asks for the code actions of a range, with the diagnostics a client sends.
func (h *harness) CodeActions(uri protocol.DocumentURI, r protocol.Range, diags []protocol.Diagnostic, only ...protocol.CodeActionKind) []protocol.CodeAction {
	h.t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	var res []protocol.CodeAction
	params := &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri},
		Range:        r,
		Context:      protocol.CodeActionContext{Diagnostics: diags, Only: only},
	}
	if err := h.call(protocol.MethodTextDocumentCodeAction, params, &res); err != nil {
		h.t.Fatalf("codeAction: %v", err)
	}
	return res
}

// ApplyEdit applies a workspace edit to a document, as one didChange (edits last to first,
// so that each one's positions hold), and returns the new version. A versioned edit must
// be for the document's current version.
func (h *harness) ApplyEdit(uri protocol.DocumentURI, edit *protocol.WorkspaceEdit) int32 {
	h.t.Helper()
	if edit == nil {
		h.t.Fatal("the action has no edit")
	}
	var edits []protocol.TextEdit
	switch {
	case len(edit.DocumentChanges) > 0:
		if len(edit.DocumentChanges) != 1 || len(edit.Changes) != 0 {
			h.t.Fatalf("want one document change, got %+v", edit)
		}
		dc := edit.DocumentChanges[0]
		h.mu.Lock()
		current := h.versions[uri]
		h.mu.Unlock()
		if dc.TextDocument.URI != uri || dc.TextDocument.Version == nil || *dc.TextDocument.Version != current {
			h.t.Fatalf("edit for %s version %v, want %s version %d", dc.TextDocument.URI, dc.TextDocument.Version, uri, current)
		}
		edits = dc.Edits
	default:
		if len(edit.Changes) != 1 || edit.Changes[uri] == nil {
			h.t.Fatalf("want changes to %s only, got %+v", uri, edit)
		}
		edits = edit.Changes[uri]
	}
	sorted := append([]protocol.TextEdit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Range.Start, sorted[j].Range.Start
		return a.Line > b.Line || (a.Line == b.Line && a.Character > b.Character)
	})
	changes := make([]contentChange, len(sorted))
	for i, e := range sorted {
		r := e.Range
		changes[i] = contentChange{Range: &r, Text: e.NewText}
	}
	return h.Change(uri, changes...)
}

// Text is the harness's copy of a document's text.
func (h *harness) Text(uri protocol.DocumentURI) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.texts[uri]
}

// at returns the diagnostics starting at a position.
func at(diags []protocol.Diagnostic, p protocol.Position) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range diags {
		if d.Range.Start == p {
			out = append(out, d)
		}
	}
	return out
}

// remaining is what should be left of diags once d is fixed: code and message of each.
func without(diags []protocol.Diagnostic, fixed protocol.Diagnostic) []string {
	var out []string
	dropped := false
	for _, d := range diags {
		if !dropped && reflect.DeepEqual(d, fixed) {
			dropped = true
			continue
		}
		out = append(out, fmt.Sprintf("%v %s", d.Code, d.Message))
	}
	sort.Strings(out)
	return out
}

func TestCodeActionCapability(t *testing.T) {
	h := newHarness(t, harnessOptions{noInitialize: true})
	caps := h.initialize(harnessOptions{capabilities: fixCapabilities}).Capabilities
	b, _ := json.Marshal(caps.CodeActionProvider)
	if string(b) != `{"codeActionKinds":["quickfix"]}` {
		t.Errorf("codeActionProvider = %s, want the quickfix kind", b)
	}
	// A client without CodeAction literals gets a plain true.
	h2 := newHarness(t, harnessOptions{noInitialize: true})
	if caps := h2.initialize(harnessOptions{}).Capabilities; caps.CodeActionProvider != true {
		t.Errorf("codeActionProvider = %#v for a client without literal support, want true", caps.CodeActionProvider)
	}
}

func TestCodeActionFixes(t *testing.T) {
	cases := []struct {
		name, text, code, title string
		// want is a line the fixed text holds.
		want string
	}{
		{
			name: "quote after emoji", code: "type", title: `Change 3 to "3"`,
			text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {note: \"🙂 ok 🙂\"}, labels: {app: <|d|>3}}\n",
			want: `labels: {app: "3"}}`,
		},
		{
			name: "unquote", code: "type", title: `Change "2" to 2`,
			text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: <|d|>\"2\"\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
			want: "  replicas: 2\n",
		},
		{
			name: "rename", code: "unknown-field", title: `Rename "livenessprobe" to "livenessProbe"`,
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: i\n      <|d|>livenessprobe:\n        httpGet: {path: /, port: 80}\n",
			want: "      livenessProbe:\n",
		},
		{
			name: "remove", code: "unknown-field", title: `Remove unknown field "bogus"`,
			text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  <|d|>bogus:\n    - 1\n    - 2\ndata: {a: b}\n",
			want: "metadata:\n  name: c\ndata: {a: b}\n",
		},
		{
			// The apiserver says "Invalid value: 0" of a port left out.
			name: "required", code: "invalid", title: `Add required field "port"`,
			text: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - <|d|>targetPort: 8080\n",
			want: "    - targetPort: 8080\n      port: 1\n",
		},
		{
			name: "apiVersion", code: "unknown-kind", title: "Change apiVersion to policy/v1",
			text: "apiVersion: <|d|>policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n",
			want: "apiVersion: policy/v1\n",
		},
		{
			name: "enum", code: "enum", title: `Change "tcp" to "TCP"`,
			text: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: 80\n      protocol: <|d|>tcp\n",
			want: "      protocol: TCP\n",
		},
		{
			name: "JSON", code: "type", title: `Change "80" to 80`,
			text: "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"s\"},\n  \"spec\": {\"ports\": [{\"port\": <|d|>\"80\"}]}\n}\n",
			want: `"spec": {"ports": [{"port": 80}]}`,
		},
	}
	h := newHarness(t, harnessOptions{capabilities: fixCapabilities})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			uri := protocol.DocumentURI(fmt.Sprintf("file:///work/fix-%d.yaml", i))
			if c.name == "JSON" {
				uri = "file:///work/fix.json"
			}
			v := h.Open(uri, c.text)
			diags := h.AwaitDiagnostics(uri, v)
			var diag *protocol.Diagnostic
			for _, d := range at(diags, h.Pos(uri, "d")) {
				if d.Code == c.code {
					diag = &d
				}
			}
			if diag == nil {
				t.Fatalf("no %s diagnostic at the marker: %s", c.code, dump(diags))
			}
			// The client asks with the diagnostic's range and the diagnostics there.
			actions := h.CodeActions(uri, diag.Range, []protocol.Diagnostic{*diag})
			var action *protocol.CodeAction
			var titles []string
			for i := range actions {
				titles = append(titles, actions[i].Title)
				if actions[i].Title == c.title {
					action = &actions[i]
				}
			}
			if action == nil {
				t.Fatalf("no action %q; got %q", c.title, titles)
			}
			if action.Kind != protocol.QuickFix || len(action.Diagnostics) != 1 || !reflect.DeepEqual(action.Diagnostics[0], *diag) {
				t.Errorf("action %+v: want kind quickfix, fixing the diagnostic %+v", action, *diag)
			}
			if c.code != "unknown-field" || strings.HasPrefix(c.title, "Rename") {
				if !action.IsPreferred {
					t.Errorf("%q is not preferred", c.title)
				}
			}
			v2 := h.ApplyEdit(uri, action.Edit)
			after := h.AwaitDiagnostics(uri, v2)
			if !strings.Contains(h.Text(uri), c.want) {
				t.Errorf("fixed text lacks %q:\n%s", c.want, h.Text(uri))
			}
			var got []string
			for _, d := range after {
				got = append(got, fmt.Sprintf("%v %s", d.Code, d.Message))
			}
			sort.Strings(got)
			want := without(diags, *diag)
			if c.code == "unknown-kind" {
				// The kind's schema applies now: the fix must only be gone.
				for _, d := range after {
					if d.Code == c.code {
						t.Errorf("still %s: %s", c.code, d.Message)
					}
				}
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("diagnostics after the fix:\n%q\nwant:\n%q\ntext:\n%s", got, want, h.Text(uri))
			}
			h.Close(uri)
		})
	}
}

// TestCodeActionFixAll applies the preferred fix of the whole document until none is
// left: every error with a fix goes, the others stay.
func TestCodeActionFixAll(t *testing.T) {
	h := newHarness(t, harnessOptions{capabilities: fixCapabilities})
	const uri = uriA
	v := h.Open(uri, "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {tier: 1}}\nspec:\n  type: clusterip\n  slector: {app: x}\n  ports:\n    - targetPort: \"8080\"\n      protocol: udp\n  sessionAffinity: Sticky\n")
	diags := h.AwaitDiagnostics(uri, v)
	// Beside the unknown and mistyped fields, the apiserver's verdict on the rest: the
	// missing port (0), the quoted "8080" (a port name needs a letter), the enums.
	if len(diags) != 7 {
		t.Fatalf("want 7 diagnostics, got %s", dump(diags))
	}
	whole := protocol.Range{Start: protocol.Position{}, End: protocol.Position{Line: 100}}
	for i := 0; ; i++ {
		if i > 10 {
			t.Fatal("fixing does not end")
		}
		var preferred *protocol.CodeAction
		for _, a := range h.CodeActions(uri, whole, diags) {
			if a.IsPreferred {
				preferred = &a
				break
			}
		}
		if preferred == nil {
			break
		}
		v = h.ApplyEdit(uri, preferred.Edit)
		diags = h.AwaitDiagnostics(uri, v)
	}
	want := "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {tier: \"1\"}}\nspec:\n  type: ClusterIP\n  selector: {app: x}\n  ports:\n    - targetPort: \"8080\"\n      protocol: UDP\n      port: 1\n  sessionAffinity: Sticky\n"
	if got := h.Text(uri); got != want {
		t.Errorf("fixed text:\n%s\nwant:\n%s", got, want)
	}
	// Left: Sticky (no supported value is near), and the quoted "8080", which the
	// apiserver reads as a port name (it needs a letter) once the object decodes.
	if len(diags) != 2 || diags[0].Code != "invalid" || diags[1].Code != "enum" {
		t.Errorf("want the quoted port and the Sticky enum left: %s", dump(diags))
	}
}

// TestCodeActionEdits covers clients without versioned edits, the "only" filter, ranges
// without findings, and documents that are not open.
func TestCodeActionEdits(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const uri = uriA
	v := h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: <|d|>1\n")
	d := only(t, h.AwaitDiagnostics(uri, v), "type")
	actions := h.CodeActions(uri, protocol.Range{Start: h.Pos(uri, "d"), End: h.Pos(uri, "d")}, nil)
	if len(actions) != 1 || actions[0].Edit == nil || len(actions[0].Edit.DocumentChanges) != 0 || len(actions[0].Edit.Changes[uri]) != 1 {
		t.Fatalf("want one action with plain changes, got %+v", actions)
	}
	// Without diagnostics in the request, the action names the published one.
	if len(actions[0].Diagnostics) != 1 || actions[0].Diagnostics[0].Range != d.Range || actions[0].Diagnostics[0].Message != d.Message {
		t.Errorf("action diagnostics %+v, want %+v", actions[0].Diagnostics, d)
	}
	if got := h.CodeActions(uri, d.Range, nil, protocol.Refactor); len(got) != 0 {
		t.Errorf("only refactor: got %+v", got)
	}
	if got := h.CodeActions(uri, d.Range, nil, protocol.QuickFix); len(got) != 1 {
		t.Errorf("only quickfix: got %+v", got)
	}
	if got := h.CodeActions(uri, protocol.Range{Start: protocol.Position{Line: 1}, End: protocol.Position{Line: 1, Character: 3}}, nil); len(got) != 0 {
		t.Errorf("a line without findings: got %+v", got)
	}
	if got := h.CodeActions(uriB, d.Range, nil); len(got) != 0 {
		t.Errorf("a document that is not open: got %+v", got)
	}
	v = h.ApplyEdit(uri, actions[0].Edit)
	if diags := h.AwaitDiagnostics(uri, v); len(diags) != 0 {
		t.Errorf("after the fix: %s", dump(diags))
	}
	// With validation off there are no diagnostics, and no fixes either.
	h.Configure(map[string]any{"validate": false})
	v = h.Replace(uri, `"1"`, "2")
	h.AwaitDiagnostics(uri, v)
	if got := h.CodeActions(uri, protocol.Range{End: protocol.Position{Line: 9}}, nil); len(got) != 0 {
		t.Errorf("validation off: got %+v", got)
	}
}
