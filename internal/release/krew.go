package release

import (
	"bytes"
	"fmt"
	"strings"
)

// PlaceholderVersion is the version of the committed krew manifest, plugins/krew/lsp.yaml,
// which KrewManifest replaces.
const PlaceholderVersion = "v0.0.0"

// PlaceholderSHA256 is the committed manifest's sha256 of every archive.
var PlaceholderSHA256 = strings.Repeat("0", 64)

// DefaultReleaseURL is where a release's archives are downloaded from, the project's
// GitHub releases, with {version} for the version (see ReleaseURL).
const DefaultReleaseURL = "https://github.com/kubectl-lsp/kubectl-lsp/releases/download/{version}"

// ReleaseURL is pattern with each {version} replaced by version, without a trailing slash.
func ReleaseURL(pattern, version string) string {
	return strings.TrimSuffix(strings.ReplaceAll(pattern, "{version}", version), "/")
}

// KrewManifest fills in the committed krew manifest (template, plugins/krew/lsp.yaml):
// it keeps its metadata and description, replaces its leading comment with a note that
// the file is generated, sets spec.version, and writes one platform per artifact, whose
// uri is baseURL/ARCHIVE.
func KrewManifest(template []byte, version, baseURL string, arts []Artifact) ([]byte, error) {
	head, _, ok := bytes.Cut(template, []byte("\n  platforms:\n"))
	if !ok {
		return nil, fmt.Errorf("the krew manifest has no spec.platforms list")
	}
	versionLine := "\n  version: " + PlaceholderVersion + "\n"
	if !bytes.Contains(head, []byte(versionLine)) {
		return nil, fmt.Errorf("the krew manifest has no %q line", strings.TrimSpace(versionLine))
	}
	head = bytes.Replace(head, []byte(versionLine), []byte("\n  version: "+version+"\n"), 1)
	var b bytes.Buffer
	b.WriteString("# krew plugin manifest of kubectl-lsp " + version + ", made by `make dist` from\n" +
		"# plugins/krew/lsp.yaml: install with kubectl krew install --manifest=lsp.yaml.\n")
	b.Write(dropComments(head))
	b.WriteString("\n  platforms:\n")
	b.WriteString(KrewPlatforms(baseURL, arts))
	return b.Bytes(), nil
}

// dropComments removes the leading comment lines of a YAML file.
func dropComments(text []byte) []byte {
	for bytes.HasPrefix(text, []byte("#")) {
		_, rest, _ := bytes.Cut(text, []byte("\n"))
		text = rest
	}
	return text
}

// KrewPlatforms is the spec.platforms list of a krew manifest, one entry per artifact.
func KrewPlatforms(baseURL string, arts []Artifact) string {
	var b strings.Builder
	for _, a := range arts {
		fmt.Fprintf(&b, `  - selector:
      matchLabels:
        os: %s
        arch: %s
    uri: %s/%s
    sha256: "%s"
    bin: %s
`, a.OS, a.Arch, strings.TrimSuffix(baseURL, "/"), a.Archive(), a.SHA256, a.Binary())
	}
	return b.String()
}
