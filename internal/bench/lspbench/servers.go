package lspbench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// KubectlLSP is `kubectl-lsp serve --stdio` with the embedded schemas of k8sVersion
// ("1.37") and a debounce of debounceMs before a change is validated.
func KubectlLSP(bin, version, k8sVersion string, debounceMs int) Server {
	return Server{
		Name:        "kubectl-lsp",
		Version:     version,
		Argv:        []string{bin, "serve", "--stdio"},
		Env:         os.Environ(),
		InitOptions: map[string]any{"kubernetesVersion": k8sVersion, "debounceMs": debounceMs},
		Handler:     configHandler(func(string) any { return nil }),
		Delay:       time.Duration(debounceMs) * time.Millisecond,
		Setup:       fmt.Sprintf("embedded Kubernetes %s schemas, debounceMs %d (default 150)", k8sVersion, debounceMs),
	}
}

// YLSBuiltinDelay is yaml-language-server's fixed wait before it validates a document
// (SettingsState.validationDelayMs; no setting changes it).
const YLSBuiltinDelay = 200 * time.Millisecond

// YLS modes.
const (
	// YLSKubernetes is yaml-language-server's Kubernetes mode: "yaml.schemas":
	// {"kubernetes": GLOB} with yaml.kubernetesVersion. The schema URLs it then fetches
	// (yannh/kubernetes-json-schema's all.json and _definitions.json) are answered by
	// the client from the local files (yaml/registerContentRequest, vscode/content, as
	// VS Code's YAML extension does), so nothing leaves the machine.
	YLSKubernetes = "kubernetes"
	// YLSFile associates the local kubernetes.json (an allOf of if apiVersion/kind then
	// $ref) with the files: "yaml.schemas": {"/abs/kubernetes.json": GLOB}. No
	// Kubernetes mode.
	YLSFile = "file"
)

// YAMLLanguageServer is `node yaml-language-server --stdio` validating *.yaml files
// against the schema files in schemaDir (written by internal/gen/jsonschema -layout
// yaml-language-server) for Kubernetes k8sVersion ("1.37.0").
func YAMLLanguageServer(node, script, version, schemaDir, k8sVersion, mode string) (Server, error) {
	for _, f := range []string{"all.json", "_definitions.json", "kubernetes.json"} {
		if _, err := os.Stat(filepath.Join(schemaDir, f)); err != nil {
			return Server{}, err
		}
	}
	yaml := map[string]any{
		"validate":           true,
		"hover":              true,
		"completion":         true,
		"format":             map[string]any{"enable": false},
		"schemaStore":        map[string]any{"enable": false}, // it would fetch a catalogue
		"kubernetesCRDStore": map[string]any{"enable": true},  // needed for the per-kind schema
		"kubernetesVersion":  k8sVersion,
		"maxItemsComputed":   5000,
	}
	base := fmt.Sprintf("https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v%s-standalone-strict/", k8sVersion)
	var setup string
	var after []string
	switch mode {
	case YLSKubernetes:
		yaml["schemas"] = map[string]any{"kubernetes": "*.yaml"}
		after = []string{"yaml/registerContentRequest"}
		setup = fmt.Sprintf(`Kubernetes mode: yaml.schemas {"kubernetes": "*.yaml"}, yaml.kubernetesVersion %s; %sall.json and _definitions.json served from %s`, k8sVersion, base, schemaDir)
	case YLSFile:
		abs, err := filepath.Abs(filepath.Join(schemaDir, "kubernetes.json"))
		if err != nil {
			return Server{}, err
		}
		yaml["schemas"] = map[string]any{abs: "*.yaml"}
		setup = fmt.Sprintf(`yaml.schemas {%q: "*.yaml"} (if apiVersion/kind then $ref; no Kubernetes mode)`, abs)
	default:
		return Server{}, fmt.Errorf("unknown yaml-language-server mode %q", mode)
	}
	var mu sync.Mutex
	served := map[string]int{}
	var refused []string
	content := func(params json.RawMessage) (any, error) {
		// The URI, alone or as the only element of an array (vscode-jsonrpc's way).
		var u string
		if err := json.Unmarshal(params, &u); err != nil {
			var a []string
			if err := json.Unmarshal(params, &a); err != nil || len(a) != 1 {
				return nil, fmt.Errorf("vscode/content: unexpected params %s", truncate(string(params), 100))
			}
			u = a[0]
		}
		// Like an HTTP fetch, the whole file whatever the fragment.
		name, ok := strings.CutPrefix(u, base)
		name, _, _ = strings.Cut(name, "#")
		if ok && !strings.Contains(name, "/") {
			b, err := os.ReadFile(filepath.Join(schemaDir, name))
			if err == nil {
				mu.Lock()
				served[name]++
				mu.Unlock()
				return string(b), nil
			}
		}
		mu.Lock()
		if len(refused) < 5 {
			refused = append(refused, u)
		}
		mu.Unlock()
		return nil, errors.New("offline: not served by the benchmark client")
	}
	config := configHandler(func(section string) any {
		switch section {
		case "yaml":
			return yaml
		case "http":
			return map[string]any{"proxy": "", "proxyStrictSSL": false}
		case "editor":
			return map[string]any{"tabSize": 2}
		case "[yaml]":
			return map[string]any{}
		}
		return nil
	})
	return Server{
		Name:            "yaml-language-server",
		Version:         version,
		Argv:            []string{node, script, "--stdio"},
		Env:             os.Environ(),
		AfterInitialize: after,
		Handler: func(method string, params json.RawMessage) (any, error) {
			if method == "vscode/content" {
				return content(params)
			}
			return config(method, params)
		},
		Delay: YLSBuiltinDelay,
		Setup: setup,
		Stats: func() string {
			mu.Lock()
			defer mu.Unlock()
			if len(served) == 0 && len(refused) == 0 {
				return ""
			}
			s := fmt.Sprintf("schema fetches served locally: %v", served)
			if len(refused) > 0 {
				s += fmt.Sprintf("; refused (offline): %v", refused)
			}
			return s
		},
	}, nil
}

// configHandler answers workspace/configuration with section(name) per item, and null to
// other requests (client/registerCapability, window/workDoneProgress/create, ...).
func configHandler(section func(string) any) Handler {
	return func(method string, params json.RawMessage) (any, error) {
		if method != "workspace/configuration" {
			return nil, nil
		}
		var p struct {
			Items []struct {
				Section string `json:"section"`
			} `json:"items"`
		}
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		out := make([]any, len(p.Items))
		for i, it := range p.Items {
			out[i] = section(it.Section)
		}
		return out, nil
	}
}
