package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const committedManifest = "../../plugins/krew/lsp.yaml"

func zeroArtifacts(ps []Platform) []Artifact {
	var arts []Artifact
	for _, p := range ps {
		arts = append(arts, Artifact{Platform: p, SHA256: PlaceholderSHA256})
	}
	return arts
}

// TestCommittedManifestIsTheGeneratorsAtV000: the platforms of plugins/krew/lsp.yaml (which
// krew's validator checks in plugins/krew) are exactly what the generator writes for
// v0.0.0 with placeholder digests, so the validated shape is the released one.
func TestCommittedManifestIsTheGeneratorsAtV000(t *testing.T) {
	committed, err := os.ReadFile(committedManifest)
	if err != nil {
		t.Fatal(err)
	}
	_, platforms, _ := strings.Cut(string(committed), "\n  platforms:\n")
	if want := KrewPlatforms(ReleaseURL(DefaultReleaseURL, PlaceholderVersion), zeroArtifacts(All)); platforms != want {
		t.Errorf("%s's platforms differ from the generator's:\n%s\nwant:\n%s", committedManifest, platforms, want)
	}
}

func TestKrewManifest(t *testing.T) {
	template, err := os.ReadFile(committedManifest)
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("ab", 32)
	arts := []Artifact{{Platform{"linux", "amd64"}, sha}, {Platform{"windows", "arm64"}, sha}}
	got, err := KrewManifest(template, "v0.2.0", "http://127.0.0.1:8080/rel/", arts)
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	for _, want := range []string{
		"# krew plugin manifest of kubectl-lsp v0.2.0, made by `make dist`",
		"\n  version: v0.2.0\n", "\n  name: lsp\n", "shortDescription: ", "each at its exact line and column",
		"    uri: http://127.0.0.1:8080/rel/kubectl-lsp_linux_amd64.tar.gz\n    sha256: \"" + sha + "\"\n    bin: kubectl-lsp\n",
		"    uri: http://127.0.0.1:8080/rel/kubectl-lsp_windows_arm64.zip\n    sha256: \"" + sha + "\"\n    bin: kubectl-lsp.exe\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	for _, gone := range []string{"PLACEHOLDERS", "v0.0.0", PlaceholderSHA256, "darwin"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q left in:\n%s", gone, text)
		}
	}
	if _, err := KrewManifest([]byte("spec:\n  version: v1\n"), "v0.2.0", "u", arts); err == nil {
		t.Error("a manifest without platforms was accepted")
	}
}

func TestFormula(t *testing.T) {
	sha := strings.Repeat("cd", 32)
	arts := []Artifact{{Platform{"linux", "amd64"}, sha}, {Platform{"darwin", "arm64"}, sha}, {Platform{"windows", "amd64"}, sha}}
	for _, completions := range []bool{true, false} {
		got, err := Formula("v0.2.0", "https://example.test/v0.2.0", arts, completions)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"class KubectlLsp < Formula\n", `version "0.2.0"`, `license "Apache-2.0"`,
			"  on_macos do\n    on_arm do\n      url \"https://example.test/v0.2.0/kubectl-lsp_darwin_arm64.tar.gz\"\n      sha256 \"" + sha + "\"\n    end\n  end\n",
			"  on_linux do\n    on_intel do\n      url \"https://example.test/v0.2.0/kubectl-lsp_linux_amd64.tar.gz\"\n",
			`bin.install "kubectl-lsp"`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("no %q in:\n%s", want, got)
			}
		}
		if strings.Contains(got, "windows") || strings.Contains(got, "generate_completions_from_executable") != completions ||
			strings.Contains(got, `exec "#{bin}/kubectl-lsp" __complete "$@"`) != completions {
			t.Errorf("completions %v:\n%s", completions, got)
		}
		rubySyntax(t, got)
	}
	if _, err := Formula("v0.2.0", "u", arts[2:], true); err != ErrNoHomebrewArchive {
		t.Errorf("Windows only: %v, want ErrNoHomebrewArchive", err)
	}
}

// rubySyntax checks text with `ruby -c` (Debian's ruby; .ci/run installs it).
func rubySyntax(t *testing.T, text string) {
	t.Helper()
	if _, err := exec.LookPath("ruby"); err != nil {
		t.Skip("no ruby on PATH (apt-get install ruby)")
	}
	path := filepath.Join(t.TempDir(), "kubectl-lsp.rb")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ruby", "-c", path).CombinedOutput(); err != nil {
		t.Errorf("ruby -c: %v\n%s\n%s", err, out, text)
	}
}

// writeInputs writes a fake binary, LICENSE and README.md with the given file time.
func writeInputs(t *testing.T, dir string, mtime time.Time) []Entry {
	t.Helper()
	var entries []Entry
	for _, e := range []Entry{{"kubectl-lsp", "bin", true}, {"LICENSE", "LICENSE", false}, {"README.md", "README.md", false}} {
		e.Path = filepath.Join(dir, e.Path)
		if err := os.WriteFile(e.Path, []byte("content of "+e.Name), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(e.Path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	return entries
}

// TestArchivesAreReproducible: the same contents give the same bytes whatever the files'
// times and modes on disk, and the archive holds each file with its mode and the given time.
func TestArchivesAreReproducible(t *testing.T) {
	commitTime := time.Date(2026, 12, 7, 20, 50, 58, 0, time.UTC)
	for _, p := range []Platform{{"linux", "arm64"}, {"windows", "amd64"}} {
		t.Run(p.String(), func(t *testing.T) {
			var archives [][]byte
			for i, mtime := range []time.Time{time.Now(), time.Unix(1, 0)} {
				dir := t.TempDir()
				path := filepath.Join(dir, p.Archive())
				if err := WriteArchive(path, p, writeInputs(t, dir, mtime), commitTime); err != nil {
					t.Fatal(err)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				archives = append(archives, data)
				if i == 0 {
					checkArchive(t, p, data, commitTime)
				}
			}
			if !bytes.Equal(archives[0], archives[1]) {
				t.Error("two archives of the same files differ")
			}
		})
	}
}

// archived is one file read back from an archive.
type archived struct {
	name, content string
	mode          int64
	mtime         time.Time
}

func checkArchive(t *testing.T, p Platform, data []byte, mtime time.Time) {
	t.Helper()
	files := readArchive(t, p, data)
	want := []archived{
		{"kubectl-lsp", "content of kubectl-lsp", 0o755, mtime},
		{"LICENSE", "content of LICENSE", 0o644, mtime},
		{"README.md", "content of README.md", 0o644, mtime},
	}
	if len(files) != len(want) {
		t.Fatalf("archive holds %+v", files)
	}
	for i := range want {
		if files[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, files[i], want[i])
		}
	}
}

func readArchive(t *testing.T, p Platform, data []byte) []archived {
	t.Helper()
	var out []archived
	if p.OS == "windows" {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, archived{f.Name, string(b), int64(f.Mode().Perm()), f.Modified.UTC()})
		}
		return out
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, archived{h.Name, string(b), h.Mode, h.ModTime.UTC()})
	}
}

func TestPlatformsAndVersions(t *testing.T) {
	ps, err := ParsePlatforms("linux/amd64, windows/arm64")
	if err != nil || len(ps) != 2 || ps[1].Binary() != "kubectl-lsp.exe" || ps[1].Archive() != "kubectl-lsp_windows_arm64.zip" || ps[0].Archive() != "kubectl-lsp_linux_amd64.tar.gz" {
		t.Errorf("ParsePlatforms: %v, %v", ps, err)
	}
	for _, bad := range []string{"", "linux", "plan9/amd64", "linux/amd64,"} {
		if _, err := ParsePlatforms(bad); err == nil {
			t.Errorf("ParsePlatforms(%q) accepted", bad)
		}
	}
	tests := []struct {
		version string
		ok      bool
	}{
		{"v0.2.0", true}, {"v1.10.3-rc.1", true}, {"v0.0.0-20261207205058-0123456789ab+dirty", true},
		{"0.2.0", false}, {"v0.2", false}, {"354d71c-dirty", false}, {"v01.2.3", false}, {"", false},
	}
	for _, tc := range tests {
		if err := CheckVersion(tc.version); (err == nil) != tc.ok {
			t.Errorf("CheckVersion(%q) = %v", tc.version, err)
		}
	}
	if got := ReleaseURL("https://h.test/d/{version}/", "v1.0.0"); got != "https://h.test/d/v1.0.0" {
		t.Errorf("ReleaseURL = %q", got)
	}
	arts := []Artifact{{Platform{"linux", "amd64"}, "aa"}, {Platform{"windows", "amd64"}, "bb"}}
	if got, want := Checksums(arts), "aa  kubectl-lsp_linux_amd64.tar.gz\nbb  kubectl-lsp_windows_amd64.zip\n"; got != want {
		t.Errorf("Checksums = %q, want %q", got, want)
	}
}
