package lsp

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
)

// elsewhereKubeconfig is a kubeconfig whose contexts have the test cluster's names but
// reach it through another URL (https://localhost:PORT): to the server, another cluster.
func elsewhereKubeconfig(t *testing.T, c *testcluster.Cluster) (path, server string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range cfg.Clusters {
		cl.Server = strings.Replace(cl.Server, "127.0.0.1", "localhost", 1)
		cl.CertificateAuthorityData, cl.CertificateAuthority, cl.InsecureSkipTLSVerify = nil, "", true
		server = cl.Server
	}
	path = filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path, server
}

// TestSkipConfirmation: only the user's settings (initializationOptions) skip the
// confirmation of apply, and only for the context of the server they name; bare context
// names, workspace settings and a same-named context of another kubeconfig ask.
func TestSkipConfirmation(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "lsp-skip"
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	elsewhere, elsewhereServer := elsewhereKubeconfig(t, c)
	entry := map[string]any{"context": "admin", "server": c.Host()}
	for i, tc := range []struct {
		name string
		skip []any          // skipConfirmationContexts in the initializationOptions
		push map[string]any // then sent with workspace/didChangeConfiguration
		asks bool
		says string // a warning shown
	}{
		{name: "context and server", skip: []any{entry}},
		{name: "context@server", skip: []any{"admin@" + c.Host()}},
		{name: "server without a scheme", skip: []any{map[string]any{"context": "admin", "server": strings.ToUpper(strings.TrimPrefix(c.Host(), "https://")) + "/"}}, asks: true,
			says: "is not an http(s) URL"},
		{name: "server URL with a trailing slash", skip: []any{map[string]any{"context": "admin", "server": c.Host() + "/"}}},
		{name: "bare context name", skip: []any{"admin"}, asks: true, says: `skipConfirmationContexts entry "admin" is ignored (apply and delete still ask): it names no server`},
		{name: "another server", skip: []any{map[string]any{"context": "admin", "server": "https://127.0.0.1:1"}}, asks: true},
		{name: "another context", skip: []any{map[string]any{"context": "limited", "server": c.Host()}}, asks: true},
		{name: "from the workspace", push: map[string]any{"skipConfirmationContexts": []any{entry}}, asks: true,
			says: "skipConfirmationContexts can only be set in the user's settings"},
		{name: "from the workspace, as a bare name", push: map[string]any{"skipConfirmationContexts": []any{"admin"}}, asks: true,
			says: "skipConfirmationContexts can only be set in the user's settings"},
		{name: "a workspace kubeconfig with the same context name", skip: []any{entry},
			push: map[string]any{"kubeconfig": elsewhere}, asks: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := &answers{}
			user.set("Cancel")
			opts := map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60}
			if tc.skip != nil {
				opts["skipConfirmationContexts"] = tc.skip
			}
			h := actionHarness(t, user, opts)
			if tc.push != nil {
				settings := map[string]any{"kubeconfig": c.Kubeconfig(), "clusterRefreshSeconds": 60}
				for k, v := range tc.push {
					settings[k] = v
				}
				h.Configure(settings)
				if k, ok := tc.push["kubeconfig"]; ok {
					h.await("the cluster of the pushed kubeconfig", func() bool {
						h.srv.mu.Lock()
						defer h.srv.mu.Unlock()
						return h.srv.cluster != nil && h.srv.cluster.Server() == elsewhereServer && k == elsewhere
					})
				}
			}
			if tc.says != "" {
				h.AwaitMessage(tc.says)
			}
			name := "skip-" + strconv.Itoa(i)
			uri := protocol.DocumentURI("file:///work/" + name + ".yaml")
			h.Open(uri, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  k: v\n", name, ns))
			h.AwaitDiagnostics(uri, 1)
			var res ActionResult
			if err := h.execute(CommandApply, &res, uri, 0); err != nil {
				t.Fatal(err)
			}
			asked, n := user.lastAsked()
			if tc.asks {
				if n != 1 || res.Confirmed || !strings.Contains(asked, `context "admin"`) {
					t.Fatalf("did not ask: asked %d %q, result %+v", n, asked, res)
				}
			} else if n != 0 || !res.Confirmed || !slices.Equal(res.Messages, []string{"configmap/" + name + " created"}) {
				t.Fatalf("asked %d times (%q), result %+v", n, asked, res)
			}
		})
	}
}

func TestSkipConfirmationEntries(t *testing.T) {
	for _, tc := range []struct {
		raw, context, server string
		problem              string
	}{
		{raw: `"kind-dev@https://127.0.0.1:6443"`, context: "kind-dev", server: "https://127.0.0.1:6443"},
		{raw: `"kubernetes-admin@kubernetes@https://10.0.0.1:6443"`, context: "kubernetes-admin@kubernetes", server: "https://10.0.0.1:6443"},
		{raw: `"kubernetes-admin@kubernetes"`, context: "kubernetes-admin@kubernetes", problem: "it names no server"},
		{raw: `{"context": "dev", "server": "http://10.0.0.1"}`, context: "dev", server: "http://10.0.0.1"},
		{raw: `{"context": "dev", "server": "10.0.0.1:6443"}`, context: "dev", server: "10.0.0.1:6443", problem: "is not an http(s) URL"},
		{raw: `{"server": "https://10.0.0.1"}`, server: "https://10.0.0.1", problem: "it names no context"},
	} {
		s, err := parseSettings([]byte(`{"skipConfirmationContexts": [`+tc.raw+`]}`), Settings{})
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		e := s.SkipConfirmationContexts[0]
		if e.Context != tc.context || e.Server != tc.server || !strings.Contains(e.problem(), tc.problem) || (tc.problem == "") != (e.problem() == "") {
			t.Errorf("%s: %+v, problem %q", tc.raw, e, e.problem())
		}
	}
	if _, err := parseSettings([]byte(`{"skipConfirmationContexts": [3]}`), Settings{}); err == nil {
		t.Error("a number was accepted as an entry")
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://10.0.0.1:6443", "https://10.0.0.1:6443/", true},
		{"https://Example.COM", "https://example.com:443", true},
		{"http://example.com", "http://example.com:80", true},
		{"https://example.com", "http://example.com", false},
		{"https://example.com:6443", "https://example.com:6444", false},
		{"https://example.com/a", "https://example.com/b", false},
	} {
		if got := sameServer(tc.a, tc.b); got != tc.same {
			t.Errorf("sameServer(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
