package explain_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// source is the embedded 1.37 release with the test CRD (testdata/crd-widgets.yaml).
func source(t *testing.T) schema.Source {
	t.Helper()
	b, err := schema.NewBuiltin("1.37")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/crd-widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	crds := schema.NewCRDs()
	if _, err := crds.Add(obj, "testdata/crd-widgets.yaml"); err != nil {
		t.Fatal(err)
	}
	return &schema.Chain{Sources: []schema.Source{crds, b}}
}

func TestGolden(t *testing.T) {
	src := source(t)
	for _, tc := range []struct {
		name, arg, apiVersion string
		opts                  explain.Options
	}{
		{name: "deploy", arg: "deploy"},
		{name: "deploy.spec", arg: "deploy.spec"},
		{name: "deploy.spec.strategy", arg: "deploy.spec.strategy"},
		{name: "pod.spec.containers.ports", arg: "pod.spec.containers.ports"},
		{name: "svc.spec.type", arg: "svc.spec.type"},
		{name: "svc.spec.type-noenums", arg: "svc.spec.type", opts: explain.Options{ShowEnums: false}},
		{name: "configmaps", arg: "configmaps"},
		{name: "secrets", arg: "secrets"},
		{name: "ns", arg: "ns"},
		{name: "pod.spec.containers.resources.limits", arg: "pod.spec.containers.resources.limits"},
		{name: "hpa.spec-autoscaling-v1", arg: "hpa.spec", apiVersion: "autoscaling/v1"},
		{name: "cronjob-recursive-depth2", arg: "cronjob", opts: explain.Options{Recursive: true, MaxDepth: 2}},
		{name: "cronjob.spec.jobTemplate.spec.template.spec.containers.livenessProbe-recursive",
			arg: "cronjob.spec.jobTemplate.spec.template.spec.containers.livenessProbe", opts: explain.Options{Recursive: true}},
		{name: "crd.openAPIV3Schema-recursive", arg: "crd.spec.versions.schema.openAPIV3Schema", opts: explain.Options{Recursive: true}},
		{name: "widget", arg: "widgets"},
		{name: "widget.spec", arg: "wd.spec"},
		{name: "widget.spec.size", arg: "widget.spec.size"},
		{name: "widget-recursive", arg: "Widget", opts: explain.Options{Recursive: true}},
		{name: "deploy.spec.strategy.md", arg: "deploy.spec.strategy", opts: explain.Options{Format: explain.Markdown}},
		{name: "svc.md", arg: "svc", opts: explain.Options{Format: explain.Markdown}},
		{name: "pod.spec.tolerations.md", arg: "pod.spec.tolerations", opts: explain.Options{Format: explain.Markdown}},
		{name: "svc.spec.type.md", arg: "svc.spec.type", opts: explain.Options{Format: explain.Markdown}},
		{name: "widget.spec-recursive.md", arg: "widgets.example.com.spec", opts: explain.Options{Format: explain.Markdown, Recursive: true}},
		{name: "pod.spec.containers.resources.limits.md", arg: "pod.spec.containers.resources.limits", opts: explain.Options{Format: explain.Markdown}},
		{name: "pod.spec.containers.imagePullPolicy.md", arg: "pod.spec.containers.imagePullPolicy", opts: explain.Options{Format: explain.Markdown}},
		{name: "svc.spec.ports.targetPort.md", arg: "svc.spec.ports.targetPort", opts: explain.Options{Format: explain.Markdown}},
		{name: "pod.metadata.creationTimestamp.md", arg: "pod.metadata.creationTimestamp", opts: explain.Options{Format: explain.Markdown}},
		{name: "event.eventTime.md", arg: "events.eventTime", apiVersion: "events.k8s.io/v1", opts: explain.Options{Format: explain.Markdown}},
		{name: "svc.spec.type-noenums.md", arg: "svc.spec.type", opts: explain.Options{Format: explain.Markdown}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if !strings.Contains(tc.name, "noenums") {
				opts.ShowEnums = true
			}
			ty, path, err := explain.Resolve(src, tc.arg, tc.apiVersion)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := explain.Render(&buf, ty, path, opts); err != nil {
				t.Fatal(err)
			}
			ext := ".golden"
			if opts.Format == explain.Markdown {
				ext = ".md.golden"
				tc.name = strings.TrimSuffix(tc.name, ".md")
			}
			checkGolden(t, filepath.Join("testdata", tc.name+ext), buf.Bytes())
		})
	}
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", file, lineDiff(string(want), string(got)))
	}
}

func TestNoTrailingWhitespace(t *testing.T) {
	src := source(t)
	for _, arg := range []string{"deploy", "pod.spec.containers.resources.limits", "svc.spec.type"} {
		ty, path, err := explain.Resolve(src, arg, "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := explain.Render(&buf, ty, path, explain.Options{ShowEnums: true}); err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(buf.String(), "\n") {
			if strings.TrimRight(l, " \t") != l {
				t.Errorf("%s: line %d ends in white space: %q", arg, i+1, l)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	src := source(t)
	for _, tc := range []struct {
		arg, apiVersion string
		want            string // GVK.String()
		path            string
	}{
		{arg: "deploy", want: "apps/v1 Deployment"},
		{arg: "Deployment", want: "apps/v1 Deployment"},
		{arg: "DEPLOYMENTS.spec", want: "apps/v1 Deployment", path: "spec"},
		{arg: "deployment.spec.template.spec", want: "apps/v1 Deployment", path: "spec.template.spec"},
		{arg: "deployments.apps", want: "apps/v1 Deployment"},
		{arg: "deploy.apps.spec", want: "apps/v1 Deployment", path: "spec"},
		{arg: "deployments.apps.spec.strategy", want: "apps/v1 Deployment", path: "spec.strategy"},
		{arg: "deploy.spec.", want: "apps/v1 Deployment", path: "spec"},
		{arg: "po", want: "v1 Pod"},
		{arg: "pods.spec.containers", want: "v1 Pod", path: "spec.containers"},
		{arg: "svc", want: "v1 Service"},
		{arg: "cm.data", want: "v1 ConfigMap", path: "data"},
		{arg: "events", want: "v1 Event"},
		{arg: "ev", want: "v1 Event"},
		{arg: "events.events.k8s.io.note", want: "events.k8s.io/v1 Event", path: "note"},
		{arg: "events", apiVersion: "events.k8s.io/v1", want: "events.k8s.io/v1 Event"},
		{arg: "hpa", want: "autoscaling/v2 HorizontalPodAutoscaler"},
		{arg: "hpa.spec", apiVersion: "autoscaling/v1", want: "autoscaling/v1 HorizontalPodAutoscaler", path: "spec"},
		{arg: "crd", want: "apiextensions.k8s.io/v1 CustomResourceDefinition"},
		{arg: "wd.spec.parts", want: "example.com/v1 Widget", path: "spec.parts"},
		{arg: "widgets.example.com.spec", want: "example.com/v1 Widget", path: "spec"},
	} {
		ty, path, err := explain.Resolve(src, tc.arg, tc.apiVersion)
		if err != nil {
			t.Errorf("Resolve(%q, %q): %v", tc.arg, tc.apiVersion, err)
			continue
		}
		if got := ty.GVK.String(); got != tc.want || strings.Join(path, ".") != tc.path {
			t.Errorf("Resolve(%q, %q) = %s %q, want %s %q", tc.arg, tc.apiVersion, got, strings.Join(path, "."), tc.want, tc.path)
		}
	}
}

func TestErrors(t *testing.T) {
	src := source(t)
	for _, tc := range []struct {
		arg, apiVersion string
		want            string
		field           string // FieldNotFoundError.Field, if that is the error
	}{
		{arg: "foo", want: `the server doesn't have a resource type "foo"`},
		{arg: "foo.spec", want: `the server doesn't have a resource type "foo"`},
		{arg: "", want: "you must specify the type of resource to explain"},
		{arg: "deploy..spec", want: `invalid field path "deploy..spec": empty field name`},
		{arg: "deploy.spec.foo", want: `field "foo" does not exist`, field: "foo"},
		{arg: "deploy.spec.foo.bar", want: `field "foo" does not exist`, field: "foo"},
		{arg: "deploy.spec.replicas.foo", want: `field "foo" does not exist`, field: "foo"},
		{arg: "pod.metadata.labels.app", want: `field "app" does not exist`, field: "app"},
		{arg: "wd.spec.parts.size", want: `field "size" does not exist`, field: "size"},
		{arg: "deploy", apiVersion: "apps/v2", want: `couldn't find resource for "apps/v2, Resource=deployments"`},
		{arg: "deploy", apiVersion: "batch/v1", want: `GVR (batch/v1, Resource=deployments) not found in OpenAPI schema`},
		{arg: "deploy", apiVersion: "a/b/c", want: `unexpected GroupVersion string: a/b/c`},
		{arg: "deploy.apps", apiVersion: "apps/v1", want: `field "apps" does not exist`, field: "apps"},
	} {
		ty, path, err := explain.Resolve(src, tc.arg, tc.apiVersion)
		if err == nil {
			err = explain.Render(&bytes.Buffer{}, ty, path, explain.Options{})
		}
		if err == nil {
			t.Errorf("%q %q: no error, want %s", tc.arg, tc.apiVersion, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%q %q: error %q, want %q", tc.arg, tc.apiVersion, err, tc.want)
		}
		var fe *explain.FieldNotFoundError
		if errors.As(err, &fe) != (tc.field != "") || (fe != nil && fe.Field != tc.field) {
			t.Errorf("%q %q: error %#v, want a FieldNotFoundError for %q", tc.arg, tc.apiVersion, err, tc.field)
		}
	}
	var rnf *explain.ResourceNotFoundError
	if _, _, err := explain.Resolve(src, "foo", ""); !errors.As(err, &rnf) || rnf.Name != "foo" {
		t.Errorf("Resolve(foo): %#v, want a ResourceNotFoundError", err)
	}
	ty, _, err := explain.Resolve(src, "deploy", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := explain.Render(&bytes.Buffer{}, ty, nil, explain.Options{Format: "yaml"}); err == nil || !strings.Contains(err.Error(), "unknown output format") {
		t.Errorf("Format yaml: %v", err)
	}
}
