package kube_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

// flagsFor selects a kubeconfig, a context and a cache folder as kubectl's flags do.
func flagsFor(kubeconfig, context, cacheDir string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	f.KubeConfig, f.Context, f.CacheDir = &kubeconfig, &context, &cacheDir
	return f
}

func newClient(t *testing.T, flags *genericclioptions.ConfigFlags, cnt *testcluster.Counter) *kube.Client {
	t.Helper()
	opts := kube.Options{Flags: flags, Timeout: 10 * time.Second}
	if cnt != nil {
		opts.WrapTransport = cnt.Wrap
	}
	c, err := kube.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestColdThenWarm: a cold start fetches the index, discovery and one group-version; a
// warm start with the same cache answers the same lookups with no network call.
func TestColdThenWarm(t *testing.T) {
	c := testcluster.Shared(t)
	cache := t.TempDir()
	deploy := schema.GVK{Group: "apps", Version: "v1", Kind: "Deployment"}

	var cold testcluster.Counter
	cl := newClient(t, flagsFor(c.Kubeconfig(), "admin", cache), &cold)
	if cl.Context != "admin" || cl.Namespace != "default" || cl.Server != c.Host() {
		t.Fatalf("client = %+v", cl)
	}
	src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: true, RefreshInterval: time.Hour})
	if src.HasSnapshot() {
		t.Fatal("a fresh cache has a snapshot")
	}
	if err := src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	typ, err := src.Lookup(deploy)
	if err != nil || typ == nil {
		t.Fatalf("Lookup(Deployment) = %v, %v", typ, err)
	}
	if !strings.HasPrefix(typ.Source, "cluster admin v1.37") || typ.Resource != "deployments" || !typ.Namespaced {
		t.Fatalf("Deployment type: source %q resource %q namespaced %v", typ.Source, typ.Resource, typ.Namespaced)
	}
	if typ.Schema.Properties["spec"] == nil {
		t.Fatal("the cluster's Deployment schema has no spec")
	}
	if got := src.KubernetesVersion(); got != "1.37" {
		t.Fatalf("KubernetesVersion = %q", got)
	}
	if st := src.Status(); st.Source != "cluster" || st.LastError != "" || st.LastRefresh.IsZero() {
		t.Fatalf("status after a refresh: %+v", st)
	}
	coldCalls := cold.N()
	t.Logf("cold start: %s", &cold)
	if coldCalls == 0 {
		t.Fatal("the counting transport saw no request on a cold start")
	}

	var warm testcluster.Counter
	cl2 := newClient(t, flagsFor(c.Kubeconfig(), "admin", cache), &warm)
	src2 := kube.NewSchemas(cl2, kube.SchemaOptions{RefreshInterval: time.Hour})
	if !src2.HasSnapshot() || src2.Status().Source != "cache" {
		t.Fatalf("warm start: snapshot %v, status %+v", src2.HasSnapshot(), src2.Status())
	}
	typ2, err := src2.Lookup(deploy)
	if err != nil || typ2 == nil || !strings.HasPrefix(typ2.Source, "cluster admin") {
		t.Fatalf("warm Lookup(Deployment) = %+v, %v", typ2, err)
	}
	if len(src2.Kinds()) < 50 {
		t.Fatalf("warm start knows %d kinds", len(src2.Kinds()))
	}
	if n := warm.N(); n != 0 {
		t.Fatalf("a warm start made %d network calls: %s", n, &warm)
	}
	// Run does not refresh a snapshot younger than the interval.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	src2.Run(ctx)
	cancel()
	if n := warm.N(); n != 0 {
		t.Fatalf("Run refreshed a fresh snapshot: %d calls: %s", n, &warm)
	}
	// A forced refresh revalidates the index (its ETag) and nothing else.
	if err := src2.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := warm.N(); n != 1 {
		t.Fatalf("a refresh with nothing changed made %d calls, want 1: %s", n, &warm)
	}
}

// TestUncachedGroupVersionLoadsInBackground: without Wait, a group-version that is not
// cached is answered by the fallback while it loads, then by the cluster.
func TestUncachedGroupVersionLoadsInBackground(t *testing.T) {
	c := testcluster.Shared(t)
	cache := t.TempDir()
	cl := newClient(t, flagsFor(c.Kubeconfig(), "admin", cache), nil)
	changed := make(chan string, 10)
	src := kube.NewSchemas(cl, kube.SchemaOptions{RefreshInterval: time.Hour, OnEvent: func(e kube.Event) {
		if e.Kind == kube.SchemasChanged {
			changed <- e.Message
		}
	}})
	b, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	src.SetFallback(b)
	// No snapshot yet: the fallback answers everything.
	sts := schema.GVK{Group: "apps", Version: "v1", Kind: "StatefulSet"}
	if typ, _ := src.Lookup(sts); typ == nil || typ.Source != "builtin 1.37" {
		t.Fatalf("before any refresh: %+v", typ)
	}
	if err := src.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-changed // the first refresh changes everything
	typ, _ := src.Lookup(sts)
	if typ == nil || !strings.Contains(typ.Source, "while the cluster's schema loads") {
		t.Fatalf("while loading: %+v", typ)
	}
	select {
	case <-changed:
	case <-time.After(20 * time.Second):
		t.Fatal("no SchemasChanged after the group-version loaded")
	}
	typ, _ = src.Lookup(sts)
	if typ == nil || !strings.HasPrefix(typ.Source, "cluster admin") {
		t.Fatalf("after loading: %+v", typ)
	}
	// A kind the cluster does not serve is unknown, even when the fallback has it.
	if typ, _ := src.Lookup(schema.GVK{Group: "resource.k8s.io", Version: "v1alpha3", Kind: "DeviceTaintRule"}); typ != nil {
		t.Fatalf("an unserved kind resolved to %+v", typ)
	}
}

const celCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.%[1]s
spec:
  group: %[1]s
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup, shortNames: [bk]}
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
            x-kubernetes-validations:
            - rule: "self.retainDays >= 1 && self.retainDays <= 365"
              message: retainDays must be between 1 and 365
            properties:
              retainDays: {type: integer, default: 7}
              schedule: {type: string}
`

// TestCRDInstalledWhileRunning: a CRD created after the source started is found by the
// next refresh, with its CEL rule enforced through the engine.
func TestCRDInstalledWhileRunning(t *testing.T) {
	c := testcluster.Shared(t)
	group := fmt.Sprintf("live%d.example.com", time.Now().UnixNano()%1e6)
	cl := newClient(t, flagsFor(c.Kubeconfig(), "admin", t.TempDir()), nil)
	src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: true, RefreshInterval: time.Hour})
	if err := src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{Cluster: src})
	if err != nil {
		t.Fatal(err)
	}
	cr := []byte(fmt.Sprintf("apiVersion: %s/v1\nkind: Backup\nmetadata:\n  name: nightly\nspec:\n  retainDays: 400\n  schedul: daily\n", group))
	before := eng.ValidateDocument(context.Background(), yamlpos.Split("cr.yaml", cr).Docs[0])
	if before.Status != "skipped" {
		t.Fatalf("before the CRD exists: %+v", before)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Apply(ctx, []byte(fmt.Sprintf(celCRD, group))); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForCRD(ctx, group, "v1", "Backup"); err != nil {
		t.Fatal(err)
	}
	// The published OpenAPI follows the CRD within moments; refresh until it is there.
	for {
		if err := src.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if typ, _ := src.Lookup(schema.GVK{Group: group, Version: "v1", Kind: "Backup"}); typ != nil && typ.CRD != nil {
			if !typ.Namespaced || typ.Resource != "backups" || len(typ.ShortNames) != 1 {
				t.Fatalf("Backup type: %+v", typ)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the CRD's schema never appeared in the cluster's OpenAPI")
		}
		time.Sleep(200 * time.Millisecond)
	}
	after := eng.ValidateDocument(context.Background(), yamlpos.Split("cr.yaml", cr).Docs[0])
	var codes []string
	for _, f := range after.Findings {
		codes = append(codes, f.Code+": "+f.Message)
	}
	got := strings.Join(codes, "\n")
	if !strings.Contains(got, "cel: spec: Invalid value") || !strings.Contains(got, "retainDays must be between 1 and 365") ||
		!strings.Contains(got, `unknown-field: unknown field "spec.schedul"`) {
		t.Fatalf("findings once the CRD is served:\n%s", got)
	}
	if !strings.HasPrefix(after.SchemaSource, "cluster admin") {
		t.Fatalf("schema source %q", after.SchemaSource)
	}
}

// writeKubeconfig writes a kubeconfig for the cluster with the given bearer token (none:
// an anonymous user).
func writeKubeconfig(t *testing.T, c *testcluster.Cluster, server, token string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: c.Config().CAData}
	cfg.AuthInfos["user"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "user", Namespace: "team-a"}
	cfg.CurrentContext = "test"
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFailuresAreClassified: no rights on /openapi/v3, rejected credentials and an
// unreachable server each give one clear error, and the fallback answers.
func TestFailuresAreClassified(t *testing.T) {
	c := testcluster.Shared(t)
	tests := []struct {
		name, server, token, kind, want string
	}{
		{"anonymous", c.Host(), "", "forbidden", "403 Forbidden"},
		{"bad token", c.Host(), "not-a-token", "unauthorized", "401 Unauthorized"},
		{"unreachable", "https://127.0.0.1:1", "x", "unreachable", "cannot reach the cluster"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc := writeKubeconfig(t, c, tc.server, tc.token)
			cl := newClient(t, flagsFor(kc, "", t.TempDir()), nil)
			if cl.Namespace != "team-a" {
				t.Errorf("namespace %q, want the context's", cl.Namespace)
			}
			events := make(chan kube.Event, 10)
			src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: true, OnEvent: func(e kube.Event) {
				if e.Kind == kube.StatusChanged {
					events <- e
				}
			}})
			err := src.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v, want %q", err, tc.want)
			}
			st := src.Status()
			if st.ErrorKind != tc.kind || st.Source != "builtin" {
				t.Fatalf("status %+v", st)
			}
			if e := <-events; !strings.Contains(e.Message, tc.want) {
				t.Fatalf("event %+v", e)
			}
			// The same error again is not reported again.
			_ = src.Refresh(context.Background())
			select {
			case e := <-events:
				t.Fatalf("a repeated error was reported again: %+v", e)
			default:
			}
			b, _ := schema.NewBuiltin("")
			src.SetFallback(b)
			if typ, _ := src.Lookup(schema.GVK{Group: "apps", Version: "v1", Kind: "Deployment"}); typ == nil || typ.Source != b.Name() {
				t.Fatalf("fallback lookup: %+v", typ)
			}
		})
	}
}

// TestSlowServer: a server that accepts connections and never answers costs one deadline,
// then a clear error and the fallback.
func TestSlowServer(t *testing.T) {
	c := testcluster.Shared(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // held open, never answered
		}
	}()
	kc := writeKubeconfig(t, c, "https://"+ln.Addr().String(), "x")
	cl, err := kube.New(kube.Options{Flags: flagsFor(kc, "", t.TempDir()), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: true})
	start := time.Now()
	err = src.Start(context.Background())
	if err == nil || src.Status().ErrorKind != "unreachable" || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("Start against a silent server: %v (status %+v)", err, src.Status())
	}
	t.Logf("gave up after %v", time.Since(start))
}

// TestNoContext: a kubeconfig without a current context is ErrNoContext, not an error
// to show.
func TestNoContext(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := kube.New(kube.Options{Flags: flagsFor(p, "", t.TempDir())})
	if err != kube.ErrNoContext {
		t.Fatalf("err = %v, want ErrNoContext", err)
	}
	_, err = kube.New(kube.Options{Flags: flagsFor(p, "nope", t.TempDir())})
	if err == nil || !strings.Contains(err.Error(), `context "nope" is not in the kubeconfig`) {
		t.Fatalf("err = %v", err)
	}
}

// TestCacheStaysInside: an API server whose URL path climbs out of the cache
// (https://host/../../../../OUTSIDE, a proxy that serves the API under a path) gets its
// discovery and schema caches inside the cache folder, and nothing is written outside.
func TestCacheStaysInside(t *testing.T) {
	c := testcluster.Shared(t)
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.Mkdir(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	// The proxy serves the API under OUTSIDE, the path client-go asks for once it has
	// cleaned /../../../../OUTSIDE/api.
	upstream, err := rest.TransportFor(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(c.Host())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewTLSServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, outside)
			r.Out.URL.RawPath = ""
			r.Out.Header.Del("Authorization")
		},
		Transport: upstream,
	})
	defer proxy.Close()
	server := proxy.URL + strings.Repeat("/..", 20) + outside

	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["climb"] = &clientcmdapi.Cluster{Server: server,
		CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw})}
	cfg.AuthInfos["user"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["climb"] = &clientcmdapi.Context{Cluster: "climb", AuthInfo: "user"}
	cfg.CurrentContext = "climb"
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}

	cache := filepath.Join(t.TempDir(), "cache")
	cl := newClient(t, flagsFor(kc, "", cache), nil)
	src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: true, RefreshInterval: time.Hour})
	if err := src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if typ, err := src.Lookup(schema.GVK{Group: "apps", Version: "v1", Kind: "Deployment"}); err != nil || typ == nil {
		t.Fatalf("Lookup(Deployment) through the proxy = %v, %v", typ, err)
	}
	if _, err := cl.Mapper().RESTMapping(k8sschema.GroupKind{Group: "apps", Kind: "Deployment"}, "v1"); err != nil {
		t.Fatal(err)
	}

	var inside []string
	_ = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(cache, p)
			inside = append(inside, rel)
		}
		return nil
	})
	var snapshot, discovery bool
	for _, p := range inside {
		snapshot = snapshot || strings.HasPrefix(p, "kubectl-lsp/") && strings.HasSuffix(p, "/openapi-v3.json") && strings.Count(p, "/") == 2
		discovery = discovery || strings.HasPrefix(p, "discovery/") && strings.HasSuffix(p, "/servergroups.json") && strings.Count(p, "/") == 2
	}
	if !snapshot || !discovery {
		t.Errorf("the cache holds %q: want kubectl-lsp/HOST/openapi-v3.json and discovery/HOST/servergroups.json", inside)
	}
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 0 {
		t.Fatalf("written outside the cache folder: %v %v", entries, err)
	}
}
