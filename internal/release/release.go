// Package release makes kubectl-lsp's release files from binaries already built: the
// archives (tar.gz, zip for Windows) holding the binary, LICENSE and README.md,
// checksums.txt, the krew plugin manifest and the Homebrew formula. Everything it writes
// is a function of its inputs (names, contents, the commit's time), never of the clock or
// the machine, so that two runs on one commit give byte-identical files. cmd/dist drives
// it (`make dist`).
package release

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Name is the binary's name, and the archives' prefix.
const Name = "kubectl-lsp"

// Platform is a GOOS/GOARCH pair a release is built for.
type Platform struct{ OS, Arch string }

// All is every platform a release is built for.
var All = []Platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// ParsePlatforms reads "linux/amd64,darwin/arm64"; each must be one of All.
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	for _, field := range strings.Split(s, ",") {
		osName, arch, _ := strings.Cut(strings.TrimSpace(field), "/")
		p := Platform{osName, arch}
		if !p.known() {
			return nil, fmt.Errorf("platform %q is not one of %s", field, strings.Join(names(All), ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

func (p Platform) known() bool {
	for _, q := range All {
		if p == q {
			return true
		}
	}
	return false
}

func names(ps []Platform) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// String is "linux/amd64".
func (p Platform) String() string { return p.OS + "/" + p.Arch }

// Binary is the executable's file name on p: kubectl-lsp.exe on Windows.
func (p Platform) Binary() string {
	if p.OS == "windows" {
		return Name + ".exe"
	}
	return Name
}

// Archive is the release archive's file name for p: kubectl-lsp_linux_amd64.tar.gz, or
// .zip on Windows.
func (p Platform) Archive() string {
	ext := ".tar.gz"
	if p.OS == "windows" {
		ext = ".zip"
	}
	return Name + "_" + p.OS + "_" + p.Arch + ext
}

// Artifact is one platform's archive as released.
type Artifact struct {
	Platform
	SHA256 string // of the archive, lowercase hex
}

// FileSHA256 is the lowercase hex sha256 of a file's content.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Checksums is checksums.txt in sha256sum's format ("HASH  NAME" lines), which
// `sha256sum -c checksums.txt` checks.
func Checksums(arts []Artifact) string {
	var b strings.Builder
	for _, a := range arts {
		fmt.Fprintf(&b, "%s  %s\n", a.SHA256, a.Archive())
	}
	return b.String()
}

var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// CheckVersion accepts what krew and Homebrew take: a semantic version with a leading v
// (v0.2.0, v0.0.0-20261207205058-0123456789ab).
func CheckVersion(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("version %q is not a semantic version with a leading v, like v0.2.0", v)
	}
	return nil
}
