package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/kubectl-lsp/kubectl-lsp/internal/engine"
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
	// Validation switches levels of validation on and off (all on by default).
	Validation ValidationSettings `json:"validation"`
	// Files are globs of the documents that get diagnostics (all when empty); Exclude
	// are globs of those that do not, even when Files match. Globs match the document's
	// path relative to the workspace root, with / separators: * ? [...] [!...] and
	// {a,b} within a path segment, ** across any number of segments; a glob without a /
	// matches the file name in any directory.
	Files   []string `json:"files,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// Kubeconfig is the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).
	Kubeconfig string `json:"kubeconfig,omitempty"`
	// Context is the kubeconfig context whose cluster supplies schemas (default: the
	// kubeconfig's current context). The useContext command overrides it.
	Context string `json:"context,omitempty"`
	// DryRun is "onSave" to send each object of a saved file to the cluster as a
	// server-side dry-run (admission webhooks and policies included), or "off" (default).
	DryRun string `json:"dryRun,omitempty"`
	// ServerSideApply makes the apply command use server-side apply (field manager
	// kubectl-lsp) instead of kubectl's client-side apply.
	ServerSideApply bool `json:"serverSideApply,omitempty"`
	// SkipConfirmationContexts are clusters whose apply and delete need no confirmation
	// (never skipped by default). Only the initializationOptions can set it (see
	// userSkips): workspace/didChangeConfiguration cannot.
	SkipConfirmationContexts []SkipConfirmation `json:"skipConfirmationContexts,omitempty"`
	// Plugins configure installed kubectl plugins by name: argv templates, stdin mode,
	// timeouts.
	Plugins map[string]PluginSettings `json:"plugins,omitempty"`
	// ClusterRefreshSeconds is how often the cluster is checked for new or changed
	// schemas, e.g. CRDs (default 20).
	ClusterRefreshSeconds *float64 `json:"clusterRefreshSeconds,omitempty"`
	// DiagnosticsDoneNotification asks for a kubectl-lsp/diagnosticsDone notification after
	// each publishDiagnostics (for tests and scripts).
	DiagnosticsDoneNotification bool `json:"diagnosticsDoneNotification,omitempty"`
}

// SkipConfirmation names a cluster whose apply and delete need no confirmation: a
// kubeconfig context together with the server URL it must point at, so that a context of
// the same name in another kubeconfig, pointing elsewhere, does not match. It is written
// {"context": "kind-dev", "server": "https://127.0.0.1:6443"} or
// "kind-dev@https://127.0.0.1:6443". An entry without a server (a bare context name, the
// old form) matches nothing.
type SkipConfirmation struct {
	Context string `json:"context"`
	Server  string `json:"server"`
}

// UnmarshalJSON reads the object or the "context@server" string.
func (e *SkipConfirmation) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		i := max(strings.LastIndex(str, "@https://"), strings.LastIndex(str, "@http://"))
		if i < 0 {
			*e = SkipConfirmation{Context: str}
		} else {
			*e = SkipConfirmation{Context: str[:i], Server: str[i+1:]}
		}
		return nil
	}
	type plain SkipConfirmation
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf(`a skipConfirmationContexts entry is {"context": NAME, "server": URL} or "NAME@URL": %w`, err)
	}
	*e = SkipConfirmation(p)
	return nil
}

func (e SkipConfirmation) String() string {
	if e.Server == "" {
		return e.Context
	}
	return e.Context + "@" + e.Server
}

// problem says why an entry can never match, or "".
func (e SkipConfirmation) problem() string {
	switch {
	case e.Context == "":
		return "it names no context"
	case e.Server == "":
		return fmt.Sprintf("it names no server: write {\"context\": %q, \"server\": \"https://...\"} (or \"%s@https://...\") with the server URL of that context's cluster", e.Context, e.Context)
	}
	u, err := url.Parse(e.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Sprintf("server %q is not an http(s) URL", e.Server)
	}
	return ""
}

// matches reports whether the entry names this context of this server.
func (e SkipConfirmation) matches(context, server string) bool {
	return e.problem() == "" && e.Context == context && sameServer(e.Server, server)
}

// sameServer compares server URLs: scheme and host without case, default ports made
// explicit, without a trailing slash.
func sameServer(a, b string) bool {
	norm := func(s string) (string, bool) {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return "", false
		}
		scheme := strings.ToLower(u.Scheme)
		host, port := strings.ToLower(u.Hostname()), u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[scheme]
		}
		return scheme + "://" + net.JoinHostPort(host, port) + strings.TrimRight(u.EscapedPath(), "/"), true
	}
	na, okA := norm(a)
	nb, okB := norm(b)
	return okA && okB && na == nb
}

// DefaultDebounce is the quiet time before diagnostics run when none is configured.
const DefaultDebounce = 150 * time.Millisecond

func (s Settings) debounce() time.Duration {
	if s.DebounceMs == nil || *s.DebounceMs < 0 {
		return DefaultDebounce
	}
	return time.Duration(*s.DebounceMs) * time.Millisecond
}

// Values of Settings.DryRun.
const (
	DryRunOff    = "off"
	DryRunOnSave = "onSave"
)

// DefaultClusterRefresh is how often the cluster is checked for new schemas.
const DefaultClusterRefresh = 20 * time.Second

func (s Settings) refreshInterval() time.Duration {
	if s.ClusterRefreshSeconds == nil || *s.ClusterRefreshSeconds <= 0 {
		return DefaultClusterRefresh
	}
	return time.Duration(*s.ClusterRefreshSeconds * float64(time.Second))
}

func (s Settings) validate() bool { return s.Validate == nil || *s.Validate }

// ValidationSettings switch the levels of validation; an absent switch is on.
type ValidationSettings struct {
	// YAML: syntax errors and duplicate keys.
	YAML *bool `json:"yaml,omitempty"`
	// Schema: apiVersion and kind, fields and values against the kind's schema.
	Schema *bool `json:"schema,omitempty"`
	// Metadata: names, namespaces, labels and annotations.
	Metadata *bool `json:"metadata,omitempty"`
	// CEL: the x-kubernetes-validations rules of custom resources.
	CEL *bool `json:"cel,omitempty"`
}

func off(b *bool) bool { return b != nil && !*b }

// engineOptions are the engine options the settings select.
func (s Settings) engineOptions() engine.Options {
	v := s.Validation
	return engine.Options{
		KubernetesVersion: s.KubernetesVersion,
		SchemaSource:      s.SchemaSource,
		SkipYAML:          off(v.YAML),
		SkipSchema:        off(v.Schema),
		SkipMetadata:      off(v.Metadata),
		SkipCEL:           off(v.CEL),
	}
}

// included reports whether the document named name (a file path, or a URI that is not
// a file) gets diagnostics, per Files and Exclude. name is matched relative to root
// when it lies inside it, else as it is (with / separators).
func (s Settings) included(name, root string) bool {
	if len(s.Files) == 0 && len(s.Exclude) == 0 {
		return true
	}
	rel := name
	if root != "" && filepath.IsAbs(name) {
		if r, err := filepath.Rel(root, name); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			rel = r
		}
	}
	rel = filepath.ToSlash(rel)
	if len(s.Files) > 0 && !matchAny(s.Files, rel) {
		return false
	}
	return !matchAny(s.Exclude, rel)
}

func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if matchGlob(g, name) {
			return true
		}
	}
	return false
}

// matchGlob matches a slash-separated path against a glob, with doublestar's syntax:
// * ? [...] [!...] and {a,b} within a path segment, a "**" segment matching any number
// of segments (none included). A glob without a / matches the last segment (the file
// name) in any directory. Bad globs match nothing (checkGlobs reports them).
func matchGlob(glob, name string) bool {
	if !strings.Contains(glob, "/") {
		glob = "**/" + glob
	}
	ok, err := doublestar.Match(glob, name)
	return err == nil && ok
}

// checkGlobs reports the first malformed glob of Files and Exclude.
func (s Settings) checkGlobs() error {
	for _, list := range []struct {
		key   string
		globs []string
	}{{"files", s.Files}, {"exclude", s.Exclude}} {
		for _, g := range list.globs {
			if !doublestar.ValidatePattern(g) {
				return fmt.Errorf("%s: bad glob %q (an unclosed [ or {, or a trailing \\): "+
					"globs take * ? [abc] [!abc] {yaml,yml}, and ** for any number of folders", list.key, g)
			}
		}
	}
	return nil
}

// noSettings reports whether raw configures nothing: absent, null, or an empty array
// (how some clients encode an empty table, Neovim's Lua among them).
func noSettings(raw json.RawMessage) bool {
	switch string(bytes.Join(bytes.Fields(raw), nil)) {
	case "", "null", "[]":
		return true
	}
	return false
}

// parseSettings reads settings sent by a client. raw may be null or [] (nothing
// configured), the settings object, or an object holding it under "kubectl-lsp" or
// "kubectlLsp". Fields absent from raw keep their value in base.
func parseSettings(raw json.RawMessage, base Settings) (Settings, error) {
	if noSettings(raw) {
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
	if noSettings(raw) {
		return base, nil
	}
	s := base
	// Maps and lists sent replace the base's (json.Unmarshal would merge into a map that
	// the base shares); ones not sent keep the base's.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return base, fmt.Errorf("reading settings: %w", err)
	}
	v := reflect.ValueOf(&s).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if f := v.Field(i); (f.Kind() == reflect.Map || f.Kind() == reflect.Slice) && keys[name] != nil {
			f.SetZero()
		}
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return base, fmt.Errorf("reading settings: %w", err)
	}
	if err := s.checkGlobs(); err != nil {
		return base, err
	}
	switch s.DryRun {
	case "", DryRunOff, DryRunOnSave:
	default:
		return base, fmt.Errorf("dryRun %q: use onSave or off", s.DryRun)
	}
	switch s.SchemaSource {
	case "", engine.SourceAuto, engine.SourceCluster, engine.SourceBuiltin:
	default:
		return base, fmt.Errorf("schemaSource %q: use auto, cluster or builtin", s.SchemaSource)
	}
	return s, nil
}

// expandHome expands a leading ~/ to the home folder.
func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
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
