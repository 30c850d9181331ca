package engine

import (
	"bytes"
	"regexp"

	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// apiVersionKey and kindKey find apiVersion and kind keys at the start of a line.
var (
	apiVersionKey = regexp.MustCompile(`(?:^|[\r\n])(?:\x{FEFF})?[ \t-]*["']?apiVersion["']?[ \t]*:`)
	kindKey       = regexp.MustCompile(`(?:^|[\r\n])(?:\x{FEFF})?[ \t-]*["']?kind["']?[ \t]*:`)
)

// IsManifest reports whether a file may hold Kubernetes objects: it has an apiVersion and
// a kind key somewhere. Files without (GitHub workflows, docker-compose files, Ansible)
// get no diagnostics at all, not even YAML syntax errors; the engine itself skips the
// sections that are not objects, templates and kustomizations.
func IsManifest(text []byte) bool {
	if !bytes.Contains(text, []byte("apiVersion")) || !bytes.Contains(text, []byte("kind")) {
		return false
	}
	if trimmed := bytes.TrimLeft(text, " \t\r\n\xef\xbb\xbf"); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return true // JSON or flow-style YAML that names both
	}
	return apiVersionKey.Match(text) && kindKey.Match(text)
}

// CRDSections are the texts of a file's sections that may define CRDs: those AddCRDs
// reads. A face notices with them when the engine's schemas must change.
func CRDSections(f *yamlpos.File) [][]byte {
	var out [][]byte
	for _, d := range f.Docs {
		if text := d.Text(); mayBeCRD(text) {
			out = append(out, text)
		}
	}
	return out
}
