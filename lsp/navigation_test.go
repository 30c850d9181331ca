package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

const navConfig = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
`

const navApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          envFrom:
            - configMapRef: {name: <|ref|>settings}
`

// locs renders locations as "file:line:character" (0-based, as the protocol counts).
func locs(list []protocol.Location) []string {
	out := make([]string, 0, len(list))
	for _, l := range list {
		out = append(out, fmt.Sprintf("%s:%d:%d", filepath.Base(uriFilename(l.URI)), l.Range.Start.Line, l.Range.Start.Character))
	}
	slices.Sort(out)
	return out
}

// awaitLocations asks until the answer has n locations (the workspace is indexed in the
// background) or a while has passed.
func awaitLocations(t *testing.T, h *harness, method string, params any, n int) []protocol.Location {
	t.Helper()
	var res []protocol.Location
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res = nil
		if err := h.call(method, params, &res); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if len(res) >= n || time.Now().After(deadline) {
			return res
		}
	}
}

func TestNavigationAcrossTheWorkspace(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("config.yaml", navConfig)
	appPath := write("app.yaml", navApp)
	h := newHarness(t, harnessOptions{root: dir, capabilities: map[string]any{
		"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
	}})
	app := protocol.DocumentURI(uri.File(appPath))
	h.Open(app, navApp)
	at := h.positionParams(app, "ref")

	// Definition: the ConfigMap in a file that is not open.
	def := awaitLocations(t, h, protocol.MethodTextDocumentDefinition, at, 1)
	if got := locs(def); !slices.Equal(got, []string{"config.yaml:3:8"}) {
		t.Fatalf("definition: %q", got)
	}
	// Hover on the reference says where its object is; the reference links there.
	if hov := h.Hover(app, "ref"); hov == nil || !strings.Contains(hov.Contents.Value, "ConfigMap/settings in namespace shop: defined in `config.yaml:4`") {
		t.Errorf("hover on the reference: %+v", hov)
	}
	var links []protocol.DocumentLink
	if err := h.call(protocol.MethodTextDocumentDocumentLink, map[string]any{"textDocument": at.TextDocument}, &links); err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || !strings.HasSuffix(string(links[0].Target), "config.yaml#L4") || links[0].Range.Start != at.Position {
		t.Errorf("document links: %+v", links)
	}
	// References, with the declaration.
	refs := awaitLocations(t, h, protocol.MethodTextDocumentReferences, map[string]any{
		"textDocument": at.TextDocument, "position": at.Position, "context": map[string]any{"includeDeclaration": true}}, 2)
	if got := locs(refs); !slices.Equal(got, []string{"app.yaml:14:35", "config.yaml:3:8"}) {
		t.Fatalf("references: %q", got)
	}
	// A new file on disk, announced by the client's watcher, counts too.
	other := write("job.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: shop}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - {name: j, image: busybox, envFrom: [{configMapRef: {name: settings}}]}\n      volumes: [{name: v, configMap: {name: settings}}]\n")
	h.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{
		map[string]any{"uri": uri.File(other), "type": protocol.FileChangeTypeCreated}}})
	refs = awaitLocations(t, h, protocol.MethodTextDocumentReferences, map[string]any{
		"textDocument": at.TextDocument, "position": at.Position, "context": map[string]any{"includeDeclaration": false}}, 3)
	if got := locs(refs); len(got) != 3 {
		t.Fatalf("references after job.yaml was created: %q", got)
	}

	// Rename across files: one workspace edit.
	var edit protocol.WorkspaceEdit
	if err := h.call(protocol.MethodTextDocumentRename, map[string]any{
		"textDocument": at.TextDocument, "position": at.Position, "newName": "app-settings"}, &edit); err != nil {
		t.Fatal(err)
	}
	var got []string
	for u, edits := range edit.Changes {
		for _, e := range edits {
			got = append(got, fmt.Sprintf("%s:%d:%s", filepath.Base(uriFilename(u)), e.Range.Start.Line, e.NewText))
		}
	}
	slices.Sort(got)
	want := []string{"app.yaml:14:app-settings", "config.yaml:3:app-settings", "job.yaml:8:app-settings", "job.yaml:9:app-settings"}
	if !slices.Equal(got, want) {
		t.Fatalf("rename edits %q, want %q", got, want)
	}
	if err := h.call(protocol.MethodTextDocumentRename, map[string]any{
		"textDocument": at.TextDocument, "position": at.Position, "newName": "Not Valid"}, &edit); err == nil {
		t.Error("rename to an invalid name: no error")
	}

	// A deleted file no longer counts.
	os.Remove(other)
	h.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{"changes": []any{
		map[string]any{"uri": uri.File(other), "type": protocol.FileChangeTypeDeleted}}})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var res []protocol.Location
		_ = h.call(protocol.MethodTextDocumentReferences, map[string]any{
			"textDocument": at.TextDocument, "position": at.Position, "context": map[string]any{"includeDeclaration": false}}, &res)
		if len(res) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("references after job.yaml was deleted: %q", locs(res))
		}
	}
}

const navCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`

// A CRD in a workspace file that is not open defines its kind for the open documents.
func TestWorkspaceCRDs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "crd.yaml"), []byte(navCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{root: dir, initOptions: map[string]any{"schemaSource": "builtin"}})
	widget := protocol.DocumentURI(uri.File(filepath.Join(dir, "widget.yaml")))
	h.Open(widget, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: big\n")
	seen := 0
	for deadline := time.Now().Add(20 * time.Second); ; {
		diags := h.AwaitDiagnosticsAfter(widget, 1, seen)
		seen = h.DoneCount(widget, 1)
		for _, d := range diags {
			if strings.Contains(d.Message, "integer") && d.Range.Start.Line == 4 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no type error from the workspace's CRD: %+v", diags)
		}
	}
}

// TestPrepareRename: the name under the cursor, for the editor to offer (without quotes
// around it), only where a rename can work; and prepareProvider only for clients that ask.
func TestPrepareRename(t *testing.T) {
	for _, prepare := range []bool{false, true} {
		h := newHarness(t, harnessOptions{noInitialize: true})
		res := h.initialize(harnessOptions{capabilities: map[string]any{"textDocument": map[string]any{
			"rename": map[string]any{"prepareSupport": prepare}}}})
		got, _ := json.Marshal(res.Capabilities.RenameProvider)
		want := map[bool]string{false: `true`, true: `{"prepareProvider":true}`}[prepare]
		if string(got) != want {
			t.Errorf("prepareSupport %v: renameProvider %s, want %s", prepare, got, want)
		}
	}

	h := newHarness(t, harnessOptions{})
	app := protocol.DocumentURI("file:///ws/app.yaml")
	h.Open(app, `apiVersion: v1
kind: Pod
metadata:
  name: <|own|>web-1
spec:
  containers:
    - name: web
      <|none|>image: nginx
      envFrom:
        - configMapRef: {name: <|quoted|>"web-settings"}
`)
	for _, tc := range []struct {
		marker, want string
	}{
		{"own", `{"placeholder":"web-1","range":{"start":{"line":3,"character":8},"end":{"line":3,"character":13}}}`},
		{"quoted", `{"placeholder":"web-settings","range":{"start":{"line":9,"character":31},"end":{"line":9,"character":45}}}`},
		{"none", `null`},
	} {
		var got json.RawMessage
		if err := h.call(protocol.MethodTextDocumentPrepareRename, h.positionParams(app, tc.marker), &got); err != nil {
			t.Fatalf("%s: %v", tc.marker, err)
		}
		if len(got) == 0 {
			got = json.RawMessage("null") // what the client library makes of a null result
		}
		if string(got) != tc.want {
			t.Errorf("prepareRename at %s: %s, want %s", tc.marker, got, tc.want)
		}
	}
}
