package lsp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// Settings are what a client configures, in initializationOptions or
// workspace/didChangeConfiguration (either at the top level or under "kubectl-lsp").
type Settings struct {
	// KubernetesVersion selects the embedded release ("1.37"); empty for the newest.
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// SchemaSource is auto, cluster or builtin.
	SchemaSource string `json:"schemaSource,omitempty"`
	// CRDPaths are CRD manifest files and directories (read recursively); relative paths
	// are resolved against the workspace root.
	CRDPaths []string `json:"crdPaths,omitempty"`
	// DebounceMs is the quiet time after the last change before diagnostics run.
	DebounceMs *int `json:"debounceMs,omitempty"`
	// Validate turns diagnostics on (default) or off.
	Validate *bool `json:"validate,omitempty"`
	// DiagnosticsDoneNotification asks for a kubectl-lsp/diagnosticsDone notification after
	// each publishDiagnostics (for tests and scripts).
	DiagnosticsDoneNotification bool `json:"diagnosticsDoneNotification,omitempty"`
}

// DefaultDebounce is the quiet time before diagnostics run when none is configured.
const DefaultDebounce = 150 * time.Millisecond

func (s Settings) debounce() time.Duration {
	if s.DebounceMs == nil || *s.DebounceMs < 0 {
		return DefaultDebounce
	}
	return time.Duration(*s.DebounceMs) * time.Millisecond
}

func (s Settings) validate() bool { return s.Validate == nil || *s.Validate }

// parseSettings reads settings sent by a client. raw may be null (nothing configured),
// the settings object, or an object holding it under "kubectl-lsp" or "kubectlLsp".
// Fields absent from raw keep their value in base.
func parseSettings(raw json.RawMessage, base Settings) (Settings, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return base, nil
	}
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(raw, &wrapper); err != nil {
		return base, fmt.Errorf("settings must be a JSON object: %w", err)
	}
	for _, key := range []string{"kubectl-lsp", "kubectlLsp"} {
		if inner, ok := wrapper[key]; ok {
			raw = inner
			break
		}
	}
	s := base
	if err := json.Unmarshal(raw, &s); err != nil {
		return base, fmt.Errorf("reading settings: %w", err)
	}
	return s, nil
}

// resolveCRDPaths makes relative CRD paths absolute against root (when known).
func resolveCRDPaths(paths []string, root string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		if !filepath.IsAbs(p) && root != "" {
			p = filepath.Join(root, p)
		}
		out[i] = p
	}
	return out
}
