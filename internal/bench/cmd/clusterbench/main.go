// Command clusterbench measures the cluster schema source against a real kube-apiserver
// on loopback: cold and warm load times and the requests each makes, in process, and
// `kubectl-lsp explain` against `kubectl explain` as processes, cold and warm caches, side
// by side. `make bench` runs it.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-lsp/kubectl-lsp/internal/testcluster"
	"github.com/kubectl-lsp/kubectl-lsp/kube"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.bench.example.com
spec:
  group: bench.example.com
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup}
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
            - rule: "self.retainDays <= 365"
            properties:
              retainDays: {type: integer}
`

// kinds are what a typical manifest repository holds: five group-versions.
var kinds = []schema.GVK{
	{Group: "apps", Version: "v1", Kind: "Deployment"},
	{Version: "v1", Kind: "Service"},
	{Version: "v1", Kind: "ConfigMap"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"},
	{Group: "batch", Version: "v1", Kind: "CronJob"},
	{Group: "bench.example.com", Version: "v1", Kind: "Backup"},
}

func main() {
	runs := flag.Int("runs", 5, "runs per measurement (the median is reported)")
	bin := flag.String("bin", "bin/kubectl-lsp", "the kubectl-lsp binary")
	kubectl := flag.String("kubectl", "", "a kubectl binary to compare with (default: the control plane's)")
	flag.Parse()
	if err := run(*runs, *bin, *kubectl); err != nil {
		fmt.Fprintln(os.Stderr, "clusterbench:", err)
		os.Exit(1)
	}
}

func run(runs int, bin, kubectl string) error {
	ctx := context.Background()
	c, err := testcluster.Start(ctx, testcluster.Options{})
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := c.Apply(ctx, []byte(crd)); err != nil {
		return err
	}
	if err := c.WaitForCRD(ctx, "bench.example.com", "v1", "Backup"); err != nil {
		return err
	}
	if kubectl == "" {
		kubectl = c.Kubectl()
	}
	work, err := os.MkdirTemp("", "clusterbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	fmt.Printf("Cluster schema source: kube-apiserver 1.37 on loopback, %d kinds in 5 group-versions, median of %d runs\n\n",
		len(kinds), runs)
	fmt.Printf("%-44s %10s %9s\n", "in process", "time", "requests")
	measure := func(name string, prep func(cache string), load func(cache string, cnt *testcluster.Counter) error) error {
		var ds []time.Duration
		var n int64
		for i := range runs {
			cache := filepath.Join(work, fmt.Sprintf("%s-%d", name[:4], i))
			prep(cache)
			var cnt testcluster.Counter
			start := time.Now()
			if err := load(cache, &cnt); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			ds = append(ds, time.Since(start))
			n = cnt.N()
		}
		fmt.Printf("%-44s %10s %9d\n", name, median(ds).Round(10*time.Microsecond), n)
		return nil
	}
	lookupAll := func(src *kube.Schemas) error {
		for _, k := range kinds {
			t, err := src.Lookup(k)
			if err != nil {
				return err
			}
			if t == nil || t.Source == "" || t.Schema == nil {
				return fmt.Errorf("%s: no schema", k)
			}
		}
		return nil
	}
	open := func(cache string, cnt *testcluster.Counter, wait bool, every time.Duration) (*kube.Schemas, error) {
		f := genericclioptions.NewConfigFlags(false)
		kc := c.Kubeconfig()
		f.KubeConfig, f.CacheDir = &kc, &cache
		cl, err := kube.New(kube.Options{Flags: f, WrapTransport: cnt.Wrap})
		if err != nil {
			return nil, err
		}
		src := kube.NewSchemas(cl, kube.SchemaOptions{Wait: wait, RefreshInterval: every})
		return src, src.Start(ctx)
	}
	cold := func(cache string, cnt *testcluster.Counter) error {
		src, err := open(cache, cnt, true, time.Hour)
		if err != nil {
			return err
		}
		return lookupAll(src)
	}
	fill := func(cache string) {
		var cnt testcluster.Counter
		if err := cold(cache, &cnt); err != nil {
			fmt.Fprintln(os.Stderr, "filling the cache:", err)
		}
	}
	if err := measure("cold, empty cache (CLI)", func(string) {}, cold); err != nil {
		return err
	}
	if err := measure("warm editor start (cache only)", fill, func(cache string, cnt *testcluster.Counter) error {
		src, err := open(cache, cnt, false, time.Hour)
		if err != nil {
			return err
		}
		if err := lookupAll(src); err != nil {
			return err
		}
		for _, k := range kinds {
			if t, _ := src.Lookup(k); t == nil || t.Source[:7] != "cluster" {
				return fmt.Errorf("%s not from the cache", k)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := measure("warm CLI run (index revalidated by ETag)", fill, func(cache string, cnt *testcluster.Counter) error {
		src, err := open(cache, cnt, true, time.Nanosecond)
		if err != nil {
			return err
		}
		return lookupAll(src)
	}); err != nil {
		return err
	}

	if kubectl == "" {
		fmt.Println("\n(no kubectl binary: process comparison skipped)")
		return nil
	}
	if err := benchActions(ctx, c, work, runs, kubectl); err != nil {
		return err
	}
	fmt.Printf("\n%-44s %12s %14s %7s\n", "explain deployment.spec, as processes", "kubectl-lsp", "kubectl 1.37", "ratio")
	// kubectl -v=6 logs each request that reaches the network (below its HTTP cache).
	requests := regexp.MustCompile(`"Response" verb="[A-Z]+" url="https://`)
	explain := func(tool, cache string) (time.Duration, int, error) {
		args := []string{"explain", "deployment.spec", "--kubeconfig", c.Kubeconfig(), "--cache-dir", cache}
		if tool == kubectl {
			args = append(args, "-v=6")
		}
		var out, errOut bytes.Buffer
		cmd := exec.Command(tool, args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, 0, fmt.Errorf("%s: %v: %s", tool, err, errOut.String())
		}
		return time.Since(start), len(requests.FindAllString(errOut.String(), -1)), nil
	}
	for _, phase := range []string{"cold", "warm"} {
		var ours, theirs []time.Duration
		kreq := 0
		for i := range runs {
			for _, tool := range []string{bin, kubectl} {
				cache := filepath.Join(work, fmt.Sprintf("explain-%s-%d-%d", phase, i, len(tool)))
				if phase == "warm" {
					if _, _, err := explain(tool, cache); err != nil {
						return err
					}
				}
				d, n, err := explain(tool, cache)
				if err != nil {
					return err
				}
				if tool == bin {
					ours = append(ours, d)
				} else {
					theirs = append(theirs, d)
					kreq = n
				}
			}
		}
		mo, mt := median(ours), median(theirs)
		fmt.Printf("%-44s %12s %14s %6.1fx\n", fmt.Sprintf("%s cache (kubectl: %d requests)", phase, kreq), mo.Round(100*time.Microsecond),
			mt.Round(100*time.Microsecond), float64(mt)/float64(mo))
	}
	return nil
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: bench
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`

// benchActions times apply and diff of one Deployment (changed each time) from the
// engine, warm as in the language server, against spawning kubectl apply and kubectl
// diff with a warm cache.
func benchActions(ctx context.Context, c *testcluster.Cluster, work string, runs int, kubectl string) error {
	if err := c.EnsureNamespace(ctx, "bench"); err != nil {
		return err
	}
	f := genericclioptions.NewConfigFlags(false)
	kc, cache := c.Kubeconfig(), filepath.Join(work, "actions-cache")
	f.KubeConfig, f.CacheDir = &kc, &cache
	cl, err := kube.New(kube.Options{Flags: f})
	if err != nil {
		return err
	}
	file := filepath.Join(work, "deploy.yaml")
	manifest := func(replicas int) string { return strings.Replace(deployment, "REPLICAS", fmt.Sprint(replicas), 1) }
	object := func(replicas int) *unstructured.Unstructured {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(manifest(replicas)), &m); err != nil {
			panic(err)
		}
		return &unstructured.Unstructured{Object: m}
	}
	spawn := func(verb string, replicas int) (time.Duration, error) {
		if err := os.WriteFile(file, []byte(manifest(replicas)), 0o644); err != nil {
			return 0, err
		}
		cmd := exec.Command(kubectl, verb, "-f", file, "--kubeconfig", kc, "--cache-dir", filepath.Join(work, "kubectl-cache"))
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		var exit *exec.ExitError
		if err != nil && !(verb == "diff" && errors.As(err, &exit) && exit.ExitCode() == 1) {
			return 0, fmt.Errorf("kubectl %s: %v: %s", verb, err, errOut.String())
		}
		return d, nil
	}
	// Warm both: the engine's client and kubectl's cache.
	if out := cl.Apply(ctx, object(1), "deploy.yaml", kube.ApplyOptions{}); out.Err != nil {
		return out.Err
	}
	if _, err := spawn("apply", 1); err != nil {
		return err
	}
	fmt.Printf("\n%-44s %12s %14s %7s\n", "one Deployment, warm (median)", "kubectl-lsp", "kubectl 1.37", "ratio")
	for _, verb := range []string{"apply", "diff"} {
		var ours, theirs []time.Duration
		for i := range runs {
			replicas := 2 + i%3 // a change every time
			start := time.Now()
			switch verb {
			case "apply":
				if out := cl.Apply(ctx, object(replicas), "deploy.yaml", kube.ApplyOptions{}); out.Err != nil {
					return out.Err
				}
			case "diff":
				if _, err := cl.Diff(ctx, object(replicas+10), "deploy.yaml", false, false); err != nil {
					return err
				}
			}
			ours = append(ours, time.Since(start))
			d, err := spawn(verb, replicas+map[string]int{"apply": 0, "diff": 10}[verb])
			if err != nil {
				return err
			}
			theirs = append(theirs, d)
		}
		mo, mt := median(ours), median(theirs)
		fmt.Printf("%-44s %12s %14s %6.1fx\n", verb+" (engine in process vs kubectl "+verb+")", mo.Round(100*time.Microsecond),
			mt.Round(100*time.Microsecond), float64(mt)/float64(mo))
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
