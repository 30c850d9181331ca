package engine_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
	"github.com/kubectl-lsp/kubectl-lsp/internal/explain"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// cursor marks the cursor in fixtures; it is removed before parsing.
const cursor = "‸"

// marked returns the file of a fixture (split, not parsed: the features parse on
// demand) and the cursor's offset.
func marked(t testing.TB, name, src string) (*yamlpos.File, int) {
	t.Helper()
	i := strings.Index(src, cursor)
	if i < 0 || strings.Count(src, cursor) != 1 {
		t.Fatalf("%s: the fixture needs exactly one %s", name, cursor)
	}
	return yamlpos.Split(name, []byte(src[:i]+src[i+len(cursor):])), i
}

var testEngine *engine.Engine

// newEngine returns an engine on Kubernetes 1.37 that knows the Widget CRD of testdata.
func newEngine(t testing.TB) *engine.Engine {
	t.Helper()
	if testEngine != nil {
		return testEngine
	}
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.37", SchemaSource: engine.SourceBuiltin})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.LoadCRDPaths([]string{"testdata/crd-widgets.yaml"}); err != nil {
		t.Fatal(err)
	}
	testEngine = eng
	return eng
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the front end
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolicy: Always
          ports:
            - containerPort: 80
              protocol: TCP
`

// at puts the cursor in src just after the first occurrence of before.
func at(src, before string) string {
	i := strings.Index(src, before)
	if i < 0 {
		panic("fixture lacks " + before)
	}
	i += len(before)
	return src[:i] + cursor + src[i:]
}

func TestHover(t *testing.T) {
	widget := "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: small\n  parts:\n  - name: a\n    color: red\n"
	tests := []struct {
		name string
		src  string
		// want: the path, the text of the range, and lines the markdown must hold.
		path, text string
		md         []string
		check      func(t *testing.T, h *engine.HoverResult)
	}{
		{name: "key", src: at(deployment, "  rep"), path: "spec.replicas", text: "replicas",
			md: []string{"### Deployment.spec.replicas", "**Type:** `integer`", "**Path:** `spec.replicas`", "Schema: `builtin 1.37` · Validated by: `kube-apiserver 1.37 (linked in)`",
				"(https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.37/#deployment-v1-apps)"}},
		{name: "key end", src: at(deployment, "  replicas"), path: "spec.replicas", text: "replicas"},
		{name: "value", src: at(deployment, "image: ng"), path: "spec.template.spec.containers[0].image", text: "nginx",
			md: []string{"### Deployment.spec.template.spec.containers.image"}},
		{name: "required field", src: at(deployment, "- na"), path: "spec.template.spec.containers[0].name", text: "name",
			check: func(t *testing.T, h *engine.HoverResult) {
				if !h.Required || h.Type != "string" {
					t.Errorf("required %v, type %q", h.Required, h.Type)
				}
			}},
		{name: "enum and default", src: at(deployment, "protocol: T"), path: "spec.template.spec.containers[0].ports[0].protocol", text: "TCP",
			md: []string{"**Enum:**\n\n- `SCTP` is the SCTP protocol.\n- `TCP` is the TCP protocol.\n- `UDP` is the UDP protocol.\n", "**Default:** `\"TCP\"`"},
			check: func(t *testing.T, h *engine.HoverResult) {
				if !slices.Equal(h.Enum, []string{"SCTP", "TCP", "UDP"}) || h.Default != `"TCP"` {
					t.Errorf("enum %q, default %q", h.Enum, h.Default)
				}
			}},
		{name: "kind value", src: at(deployment, "kind: Deploy"), text: "Deployment",
			md: []string{"### Deployment\n", "Deployment enables declarative updates for Pods and ReplicaSets.", "#### Fields"}},
		{name: "apiVersion value", src: at(deployment, "apiVersion: ap"), text: "apps/v1", md: []string{"### Deployment\n"}},
		{name: "apiVersion key", src: at(deployment, "api"), path: "apiVersion", text: "apiVersion", md: []string{"### Deployment.apiVersion"}},
		{name: "map key in flow mapping", src: at(deployment, "labels: {ap"), path: "metadata.labels[app]", text: "app",
			md: []string{"### Deployment.metadata.labels", "**Type:** `map[string]string`"}},
		{name: "map value", src: at(deployment, "      app: w"), path: "spec.selector.matchLabels[app]", text: "web"},
		{name: "object key", src: at(deployment, "  temp"), path: "spec.template", text: "template", md: []string{"#### Fields"}},
		{name: "comment", src: at(deployment, "# the fr"), text: ""},
		{name: "separator and blank", src: "apiVersion: v1\nkind: ConfigMap\n---‸\n", text: ""},
		{name: "unknown field", src: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  nmae‸: x\n", text: ""},
		{name: "under preserved unknown fields", src: "apiVersion: example.com/v1\nkind: Widget\nspec:\n  config:\n    an‸y: 1\n", text: ""},
		{name: "not a kubernetes object", src: "name: x\nreplicas‸: 2\n", text: ""},
		{name: "unknown kind", src: "apiVersion: example.org/v9\nkind: Gadget\nspec:\n  si‸ze: 1\n", text: ""},
		{name: "second document", src: "apiVersion: v1\nkind: ConfigMap\n---\n# svc\napiVersion: v1\nkind: Service\nspec:\n  type: Node‸Port\n",
			path: "spec.type", text: "NodePort", md: []string{"### Service.spec.type", "#service-v1-core"}},
		{name: "custom resource field", src: at(widget, "  si"), path: "spec.size", text: "size",
			md: []string{"### Widget.spec.size", "How big the widget is.", "Schema: `crd testdata/crd-widgets.yaml#0`"},
			check: func(t *testing.T, h *engine.HoverResult) {
				if h.Link != "" || !h.Required {
					t.Errorf("link %q (want none for a CRD), required %v", h.Link, h.Required)
				}
			}},
		{name: "custom resource metadata", src: at(widget, "  na"), path: "metadata.name", text: "name", md: []string{"### Widget.metadata.name", "**Type:** `string`"}},
		{name: "custom resource list item", src: at(widget, "color: r"), path: "spec.parts[0].color", text: "red", md: []string{"Color of the part."}},
		{name: "custom resource kind", src: at(widget, "kind: W"), text: "Widget", md: []string{"Widget is a test custom resource"}},
		{name: "json", src: "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {\"re‸plicas\": 1}}", path: "spec.replicas", text: `"replicas"`},
		{name: "json value", src: "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"spec\": {\"ports\": [{\"protocol\": \"U‸DP\"}]}\n}", path: "spec.ports[0].protocol", text: `"UDP"`},
		{name: "document that does not parse", src: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        ima‸ge: nginx\n  bad: [\n",
			path: "spec.template.spec.containers[*].image", text: "image"},
		{name: "object in a List", src: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  da‸ta: {}\n", path: "items[0].data", text: "data", md: []string{"### ConfigMap.data"}},
	}
	eng := newEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, off := marked(t, tt.name, tt.src)
			h, ok := eng.Hover(f, off)
			if tt.text == "" {
				if ok {
					t.Fatalf("want nothing, got %s: %q", h.Path, h.Markdown)
				}
				return
			}
			if !ok {
				t.Fatal("nothing to show")
			}
			if got := string(f.Src[h.Range.Start:h.Range.End]); got != tt.text {
				t.Errorf("range text %q, want %q", got, tt.text)
			}
			if h.Path != tt.path {
				t.Errorf("path %q, want %q", h.Path, tt.path)
			}
			for _, want := range tt.md {
				if !strings.Contains(h.Markdown, want) {
					t.Errorf("markdown lacks %q:\n%s", want, h.Markdown)
				}
			}
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

// TestHoverIsExplain checks that a hover starts with exactly what explain -o markdown
// prints for the field.
// TestCreatePathOfAnotherRelease: validating against another release than the linked
// apiserver's says whose rules apply.
func TestCreatePathOfAnotherRelease(t *testing.T) {
	eng, err := engine.New(engine.Options{KubernetesVersion: "1.35"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eng.CreatePath(), "kube-apiserver 1.37 (linked in); its rules stand in for 1.35's where they differ"; got != want {
		t.Errorf("CreatePath() = %q, want %q", got, want)
	}
	f, off := marked(t, "replicas", at(deployment, "  rep"))
	h, ok := eng.Hover(f, off)
	if !ok || !strings.Contains(h.Markdown, "Validated by: `kube-apiserver 1.37 (linked in); its rules stand in for 1.35's where they differ`") {
		t.Errorf("hover: %q", h.Markdown)
	}
}

func TestHoverIsExplain(t *testing.T) {
	eng := newEngine(t)
	src := strings.Replace(deployment, "  selector:", "  strategy: {}\n  selector:", 1)
	for _, c := range []struct{ src, arg string }{
		{at(src, "  strat"), "deployments.spec.strategy"},
		{at(src, "imagePull"), "deployments.spec.template.spec.containers.imagePullPolicy"},
		{at(src, "kind: D"), "deployments"},
	} {
		f, off := marked(t, c.arg, c.src)
		h, ok := eng.Hover(f, off)
		if !ok {
			t.Fatalf("%s: nothing to show", c.arg)
		}
		typ, path, err := explain.Resolve(eng.Source(), c.arg, "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := explain.Render(&buf, typ, path, explain.Options{Format: explain.Markdown, ShowEnums: true}); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimRight(buf.String(), "\n") + "\n\n---\n"; !strings.HasPrefix(h.Markdown, want) {
			t.Errorf("%s: hover does not start with explain's markdown:\n%s\n--- want prefix:\n%s", c.arg, h.Markdown, want)
		}
	}
}

// labels returns the labels of items.
func labels(items []engine.CompletionItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Label
	}
	return out
}

func item(items []engine.CompletionItem, label string) *engine.CompletionItem {
	for i := range items {
		if items[i].Label == label {
			return &items[i]
		}
	}
	return nil
}

func TestComplete(t *testing.T) {
	const podSpec = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
	tests := []struct {
		name string
		src  string
		// first is the first label; has and hasNot are labels present and absent; none
		// wants no items.
		first  string
		has    []string
		hasNot []string
		none   bool
		// insert checks the InsertText of label insert[0] is insert[1].
		insert [2]string
		// replaced is the text of the first item's replace range.
		replaced string
	}{
		{name: "key prefix", src: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  rep‸", first: "replicas", has: []string{"replicas"},
			hasNot: []string{"selector"}, insert: [2]string{"replicas", "replicas: "}, replaced: "rep"},
		{name: "keys not present yet", src: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 1\n  ‸\n  paused: false\n",
			first: "selector", has: []string{"selector", "template", "strategy", "minReadySeconds"}, hasNot: []string{"replicas", "paused"}},
		{name: "required first, with detail", src: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      ‸", first: "containers",
			insert: [2]string{"containers", "containers:\n        - name: ${1}\n          image: ${2}"}},
		{name: "empty line in a list item", src: podSpec + "    ‸", has: []string{"image", "ports", "env"}, hasNot: []string{"name"},
			insert: [2]string{"ports", "ports:\n      - containerPort: ${1}"}},
		{name: "new list item", src: podSpec + "  - ‸", first: "image", has: []string{"name"}},
		{name: "list item start under its key", src: "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    ‸", first: "- name",
			insert: [2]string{"- name", "- name: ${1}\n      image: ${2}"}},
		{name: "enum value", src: podSpec + "    imagePullPolicy: ‸", first: "Always", has: []string{"IfNotPresent", "Never"}, insert: [2]string{"Never", "Never"}},
		{name: "enum value prefix", src: podSpec + "    imagePullPolicy: If‸", first: "IfNotPresent", hasNot: []string{"Always"}, replaced: "If"},
		{name: "enum value quoted", src: podSpec + "    imagePullPolicy: \"Al‸\"", first: "Always", insert: [2]string{"Always", `"Always"`}, replaced: `"Al"`},
		{name: "enum in a flow list", src: podSpec + "    ports: [{containerPort: 80, protocol: ‸}]", has: []string{"TCP", "UDP", "SCTP"}},
		{name: "enum default", src: "apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n    protocol: ‸", first: "SCTP", has: []string{"TCP"}},
		{name: "enum list items", src: "apiVersion: v1\nkind: PersistentVolumeClaim\nspec:\n  accessModes:\n  - ‸", has: []string{"ReadWriteOnce", "ReadOnlyMany"}},
		{name: "boolean", src: "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: ‸", first: "true", has: []string{"false"}},
		{name: "enum field inserts a choice", src: podSpec + "    imagePull‸", insert: [2]string{"imagePullPolicy", "imagePullPolicy: ${1|Always,IfNotPresent,Never|}"}, replaced: "imagePull"},
		{name: "apiVersion for the kind", src: "apiVersion: ‸\nkind: Deployment\n", first: "apps/v1"},
		{name: "apiVersion, several versions", src: "apiVersion: ‸\nkind: HorizontalPodAutoscaler\n", first: "autoscaling/v2", has: []string{"autoscaling/v1"}},
		{name: "apiVersion without kind", src: "apiVersion: ‸", first: "v1", has: []string{"apps/v1", "batch/v1", "example.com/v1"}},
		{name: "kind for the apiVersion", src: "apiVersion: apps/v1\nkind: ‸", has: []string{"Deployment", "StatefulSet"}, hasNot: []string{"Pod"}},
		{name: "kind without apiVersion", src: "kind: ‸", has: []string{"Pod", "Deployment", "Widget"}},
		{name: "kind right after the colon", src: "apiVersion: apps/v1\nkind:‸", insert: [2]string{"Deployment", " Deployment"}},
		{name: "top level of a known kind", src: "apiVersion: v1\nkind: ConfigMap\n‸", has: []string{"metadata", "data", "binaryData", "immutable"}, hasNot: []string{"kind"}},
		{name: "empty document", src: "‸", first: "apiVersion", has: []string{"kind", "metadata", "Deployment (apps/v1)", "ConfigMap (v1)", "Widget (example.com/v1)"},
			hasNot: []string{"TokenReview (authentication.k8s.io/v1)"},
			insert: [2]string{"ConfigMap (v1)", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${1:name}\n"}},
		{name: "empty document prefix", src: "Dep‸", has: []string{"Deployment (apps/v1)"}, hasNot: []string{"ConfigMap (v1)"}, replaced: "Dep"},
		{name: "empty document after a separator", src: "apiVersion: v1\nkind: Namespace\n---\n‸", has: []string{"Pod (v1)"}},
		{name: "second document", src: "apiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: Service\nspec:\n  type: ‸\n---\nkind: x\n", has: []string{"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}},
		{name: "custom resource keys", src: "apiVersion: example.com/v1\nkind: Widget\nspec:\n  ‸", first: "size", has: []string{"replicas", "parts", "config"}},
		{name: "custom resource enum", src: "apiVersion: example.com/v1\nkind: Widget\nspec:\n  parts:\n  - name: a\n    color: ‸", has: []string{"red", "green", "blue"}},
		{name: "custom resource metadata", src: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  ‸", has: []string{"name", "labels", "namespace"}},
		{name: "custom resource skeleton", src: "Wid‸", has: []string{"Widget (example.com/v1)"},
			insert: [2]string{"Widget (example.com/v1)", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${1:name}\nspec:\n  size: ${2|small,medium,large,huge,\"\"|}\n"}, replaced: "Wid"},
		{name: "json key", src: "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {\"rep‸\"}}", first: "replicas",
			insert: [2]string{"replicas", `"replicas": `}, replaced: `"rep"`},
		{name: "json object key", src: "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {‸}}", insert: [2]string{"template", `"template": {$0}`}},
		{name: "json value", src: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"restartPolicy\": ‸}}", has: []string{"Always"}, insert: [2]string{"Always", `"Always"`}},
		{name: "document that does not parse", src: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: [\n  strategy:\n    ‸\n\tbad\n", has: []string{"type", "rollingUpdate"}},
		{name: "key being renamed", src: podSpec + "    ima‸ge: nginx\n", insert: [2]string{"image", "image"}, replaced: "image"},
		{name: "map keys are free", src: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    ‸", none: true},
		{name: "comment", src: podSpec + "    # ima‸", none: true},
		{name: "block scalar", src: "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    te‸xt\n", none: true},
		{name: "unknown kind", src: "apiVersion: example.org/v9\nkind: Gadget\nspec:\n  ‸", none: true},
		{name: "unknown field", src: podSpec + "    nope:\n      ‸", none: true},
	}
	eng := newEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, off := marked(t, tt.name, tt.src)
			items := eng.Complete(f, off, engine.CompleteOptions{Snippets: true})
			if tt.none {
				if len(items) > 0 {
					t.Fatalf("want no items, got %q", labels(items))
				}
				return
			}
			if len(items) == 0 {
				t.Fatal("no items")
			}
			got := labels(items)
			if tt.first != "" && got[0] != tt.first {
				t.Errorf("first item %q, want %q (%q)", got[0], tt.first, got)
			}
			for _, l := range tt.has {
				if !slices.Contains(got, l) {
					t.Errorf("no %q among %q", l, got)
				}
			}
			for _, l := range tt.hasNot {
				if slices.Contains(got, l) {
					t.Errorf("%q offered", l)
				}
			}
			if tt.insert[0] != "" {
				it := item(items, tt.insert[0])
				if it == nil {
					t.Fatalf("no %q among %q", tt.insert[0], got)
				}
				if it.InsertText != tt.insert[1] {
					t.Errorf("%s inserts %q, want %q", tt.insert[0], it.InsertText, tt.insert[1])
				}
				if it.Snippet != strings.Contains(it.InsertText, "${") && !strings.Contains(it.InsertText, "$0") {
					t.Errorf("%s: snippet %v for %q", tt.insert[0], it.Snippet, it.InsertText)
				}
			}
			r := items[0].Replace
			if r.Start > off || r.End < off {
				t.Errorf("replace range %v does not hold the cursor %d", r, off)
			}
			if got := string(f.Src[r.Start:r.End]); got != tt.replaced {
				t.Errorf("replaces %q, want %q", got, tt.replaced)
			}
		})
	}
}

func TestCompletionDetails(t *testing.T) {
	eng := newEngine(t)
	f, off := marked(t, "pod", "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - ‸")
	items := eng.Complete(f, off, engine.CompleteOptions{Snippets: true})
	name := item(items, "name")
	if name == nil || name.Detail != "<string> required" || name.SortText[0] != '0' || name.Kind != engine.CompleteField {
		t.Fatalf("name: %+v", name)
	}
	ports := item(items, "ports")
	if ports == nil || ports.Detail != "<[]ContainerPort>" || !strings.HasPrefix(ports.Documentation, "List of ports to expose from the container.") || strings.Contains(ports.Documentation, "\n") {
		t.Fatalf("ports: %+v", ports)
	}
	f, off = marked(t, "pod", "apiVersion: v1\nkind: Pod\nspec:\n  ‸")
	if sa := item(eng.Complete(f, off, engine.CompleteOptions{Snippets: true}), "serviceAccount"); sa == nil || !sa.Deprecated || sa.SortText[0] != '2' {
		t.Fatalf("serviceAccount is deprecated: %+v", sa)
	}
}

// TestCompleteWhileTyping types keys character by character below their parents:
// every prefix must offer the key.
func TestCompleteWhileTyping(t *testing.T) {
	eng := newEngine(t)
	cases := []struct{ before, key, after string }{
		{"apiVersion: apps/v1\nkind: Deployment\nspec:\n  ", "replicas", "\n  selector: {}\n"},
		{"apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        ", "imagePullPolicy", ""},
		{"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - ", "targetPort", "\n      port: 80\n"},
		{"apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      ", "backoffLimit", ""},
		{"apiVersion: example.com/v1\nkind: Widget\nspec:\n  parts:\n  - ", "color", ""},
		{"", "apiVersion", ""},
		{"apiVersion: v1\n", "kind", ""},
		{"{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {\"", "replicas", "\"}}"},
	}
	for _, c := range cases {
		for i := 0; i <= len(c.key); i++ {
			src := c.before + c.key[:i] + cursor + c.after
			f, off := marked(t, c.key, src)
			if !slices.Contains(labels(eng.Complete(f, off, engine.CompleteOptions{Snippets: true})), c.key) {
				t.Errorf("%q typed: %q not offered in\n%s", c.key[:i], c.key, src)
			}
		}
	}
}

// TestFeaturesAtEveryOffset runs the features at every offset of every prefix of
// documents being typed: nothing may panic, ranges must lie in the file.
func TestFeaturesAtEveryOffset(t *testing.T) {
	eng := newEngine(t)
	texts := []string{
		deployment + "---\n" + "apiVersion: example.com/v1\nkind: Widget\nspec:\n  parts: [{name: a, color: red}]\n  labels:\n    a: b\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\", \"ports\": [{\"protocol\": \"TCP\"}]}]}}\n{\"kind\": \"List\"}",
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    x: y\n  b: &x 1\n  c: *x\n<<: {d: 1}\n\t- bad: [\n",
	}
	if testing.Short() {
		texts = texts[:2]
	}
	check := func(f *yamlpos.File, r yamlpos.Range, what string) {
		if r.Start < 0 || r.End > len(f.Src) || r.Start > r.End {
			t.Fatalf("%s: range %v outside the file (%d bytes)", what, r, len(f.Src))
		}
	}
	for _, text := range texts {
		for n := 0; n <= len(text); n++ {
			src := []byte(text[:n])
			f := yamlpos.Split("typing.yaml", src)
			for _, s := range eng.Symbols(f) {
				check(f, s.Range, "symbol")
			}
			// Completion at the end of what is typed; hover everywhere on the full text.
			for _, it := range eng.Complete(f, n, engine.CompleteOptions{Snippets: true}) {
				check(f, it.Replace, "completion")
			}
		}
		f := yamlpos.Split("full.yaml", []byte(text))
		for off := 0; off <= len(text); off++ {
			if h, ok := eng.Hover(f, off); ok {
				check(f, h.Range, "hover")
			}
			for _, it := range eng.Complete(f, off, engine.CompleteOptions{Snippets: true}) {
				check(f, it.Replace, "completion")
			}
		}
	}
}

func TestSymbols(t *testing.T) {
	src := "# leading comment\n---\n" + deployment + "---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  generateName: svc-\nspec:\n  ports: [80, {port: 81}]\n---\nbad: [\n---\n- a\n- b\n"
	f := yamlpos.Split("multi.yaml", []byte(src))
	syms := newEngine(t).Symbols(f)
	text := func(r yamlpos.Range) string { return src[r.Start:r.End] }
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	if want := []string{"Deployment/web", "Service/svc-*", "document 5"}; !slices.Equal(names, want) {
		t.Fatalf("resources %q, want %q", names, want)
	}
	d := syms[0]
	if d.Kind != engine.SymbolResource || d.Detail != "apps/v1" || text(d.Selection) != "web" || !strings.HasPrefix(text(d.Range), "apiVersion: apps/v1") || !strings.HasSuffix(text(d.Range), "protocol: TCP") {
		t.Errorf("deployment symbol: %+v, selection %q", d, text(d.Selection))
	}
	var fieldNames []string
	for _, c := range d.Children {
		fieldNames = append(fieldNames, c.Name)
	}
	if want := []string{"apiVersion", "kind", "metadata", "spec"}; !slices.Equal(fieldNames, want) {
		t.Errorf("fields %q, want %q", fieldNames, want)
	}
	find := func(s engine.Symbol, path ...string) engine.Symbol {
		t.Helper()
		for _, name := range path {
			found := false
			for _, c := range s.Children {
				if c.Name == name {
					s, found = c, true
					break
				}
			}
			if !found {
				t.Fatalf("no %q below %q", name, s.Name)
			}
		}
		return s
	}
	if s := find(d, "spec", "replicas"); s.Kind != engine.SymbolField || s.Detail != "2" || text(s.Selection) != "replicas" || text(s.Range) != "replicas: 2" {
		t.Errorf("replicas: %+v", s)
	}
	if s := find(d, "spec", "template", "spec", "containers"); s.Kind != engine.SymbolArray || len(s.Children) != 1 {
		t.Errorf("containers: %+v", s)
	}
	if s := find(d, "spec", "template", "spec", "containers", "web"); s.Kind != engine.SymbolObject || s.Detail != "[0]" || text(s.Selection) != "name" {
		t.Errorf("containers[0]: %+v", s)
	}
	if s := find(d, "metadata", "labels"); s.Kind != engine.SymbolObject || text(s.Range) != "labels: {app: web}" {
		t.Errorf("labels: %+v %q", s, text(s.Range))
	}
	if s := find(syms[1], "spec", "ports"); len(s.Children) != 2 || s.Children[0].Name != "[0]" || s.Children[0].Detail != "80" || s.Children[1].Kind != engine.SymbolObject {
		t.Errorf("ports: %+v", s)
	}
	if s := syms[2]; s.Detail != "" || len(s.Children) != 2 || s.Children[1].Detail != "b" {
		t.Errorf("list document: %+v", s)
	}
}

func TestSymbolsJSON(t *testing.T) {
	src := `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "line1\nline2"}}
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}}`
	f := yamlpos.Split("objs.json", []byte(src))
	syms := newEngine(t).Symbols(f)
	if len(syms) != 2 || syms[0].Name != "ConfigMap/cfg" || syms[1].Name != "Namespace/ns" {
		t.Fatalf("symbols: %+v", syms)
	}
	if got := src[syms[0].Selection.Start:syms[0].Selection.End]; got != `"cfg"` {
		t.Errorf("selection %q", got)
	}
	if a := syms[0].Children[3].Children[0]; a.Name != "a" || a.Detail != "line1 …" {
		t.Errorf("data.a: %+v", a)
	}
}

// TestFeaturesTestdata runs the features over the examples shipped with the repository:
// every document gets a symbol, and every key of a valid document has a hover.
func TestFeaturesTestdata(t *testing.T) {
	eng := newEngine(t)
	data, err := os.ReadFile("../../examples/valid/web.yaml")
	if err != nil {
		t.Skip("no examples/valid/web.yaml")
	}
	f := yamlpos.Split("web.yaml", data)
	if len(eng.Symbols(f)) == 0 {
		t.Fatal("no symbols")
	}
	for _, s := range eng.Symbols(f) {
		for _, c := range s.Children {
			if _, ok := eng.Hover(f, c.Selection.Start); !ok {
				t.Errorf("no hover on %s of %s", c.Name, s.Name)
			}
		}
	}
}
