package lsp

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

const liveObjects = `apiVersion: v1
kind: ConfigMap
metadata: {name: live-settings, namespace: lsp-live}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: live-token, namespace: lsp-live}
stringData: {token: s3cr3t-value}
`

const liveApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: lsp-live
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          envFrom:
            - configMapRef: {name: <|cm|>live-settings}
            - secretRef: {name: <|secret|>live-token}
            - configMapRef: {name: <|missing|>not-there}
`

// TestLiveReferences: with a cluster, a hover on a reference says whether the object
// exists there without waiting for the answer, links the live object as a read-only
// document (a Secret's values masked), and a code action opens it.
func TestLiveReferences(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.EnsureNamespace(ctx, "lsp-live"); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, []byte(liveObjects)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/usr/bin:/bin") // no kubectl plugins among the code actions
	user := &answers{}
	cache := t.TempDir()
	h := newHarness(t, harnessOptions{
		initOptions:  map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60},
		capabilities: map[string]any{"window": map[string]any{"showDocument": map[string]any{"support": true}}},
		respond:      user.respond,
		server: func(o *Options) {
			f := genericclioptions.NewConfigFlags(false)
			f.CacheDir = &cache
			o.ConfigFlags = f
		},
	})
	uri := protocol.DocumentURI("file:///work/app.yaml")
	h.Open(uri, liveApp)
	h.AwaitDiagnostics(uri, 1)

	// The first answers come from lookups started when the document was opened, or by
	// the first hover; until then a hover says it is checking.
	hoverUntil := func(marker, want string) string {
		t.Helper()
		var text string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if hv := h.Hover(uri, marker); hv != nil {
				text = hv.Contents.Value
			}
			if strings.Contains(text, want) {
				return text
			}
			if !strings.Contains(text, "checking…") {
				break
			}
		}
		t.Fatalf("hover on %s: want %q in:\n%s", marker, want, text)
		return ""
	}
	hoverUntil("missing", "In context `admin`, namespace `lsp-live`: **not found**")
	cm := hoverUntil("cm", "In context `admin`, namespace `lsp-live`: exists · [live object (read-only)](file://")
	live := readLinked(t, cm)
	for _, want := range []string{"kind: ConfigMap", "name: live-settings", "mode: fast"} {
		if !strings.Contains(live, want) {
			t.Errorf("live ConfigMap: no %q in\n%s", want, live)
		}
	}
	if strings.Contains(live, "managedFields") {
		t.Errorf("live ConfigMap has managedFields:\n%s", live)
	}
	secret := readLinked(t, hoverUntil("secret", "exists"))
	if strings.Contains(secret, "s3cr3t") || strings.Contains(secret, "czNjcjN0") || !strings.Contains(secret, "token: '***'") {
		t.Errorf("live Secret not masked:\n%s", secret)
	}

	// Document links: the live object, for references the workspace does not define.
	var links []protocol.DocumentLink
	if err := h.call(protocol.MethodTextDocumentDocumentLink, map[string]any{"textDocument": map[string]any{"uri": uri}}, &links); err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || !strings.HasSuffix(string(links[0].Target), ".yaml") || !strings.Contains(links[0].Tooltip, "ConfigMap/live-settings in namespace lsp-live in context admin") {
		t.Errorf("links: %+v", links)
	}

	// The code action on a reference opens the live object.
	at := protocol.Range{Start: h.Pos(uri, "cm"), End: h.Pos(uri, "cm")}
	var show *protocol.Command
	for _, a := range h.CodeActions(uri, at, nil) {
		if a.Command != nil && a.Command.Command == CommandShowLive {
			show = a.Command
		}
	}
	if show == nil || show.Title != "Show ConfigMap/live-settings in namespace lsp-live from admin (read-only)" {
		t.Fatalf("show action: %+v", show)
	}
	var res map[string]any
	if err := h.execute(show.Command, &res, show.Arguments...); err != nil {
		t.Fatal(err)
	}
	if res["found"] != true || len(user.shown) != 1 || string(user.shown[0]) != res["document"] {
		t.Fatalf("result %v, shown %q", res, user.shown)
	}
	// Missing: said, nothing opened.
	if err := h.execute(CommandShowLive, &res, uri, h.Pos(uri, "missing")); err != nil {
		t.Fatal(err)
	}
	if res["found"] != false || len(user.shown) != 1 {
		t.Fatalf("missing: result %v, shown %q", res, user.shown)
	}
	h.AwaitMessage("ConfigMap/not-there in namespace lsp-live is not in context \"admin\"")
}

// readLinked reads the file a hover's live-object link names.
func readLinked(t *testing.T, hover string) string {
	t.Helper()
	_, rest, _ := strings.Cut(hover, "](file://")
	path, _, _ := strings.Cut(rest, ")")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the linked live object: %v", err)
	}
	return string(data)
}
