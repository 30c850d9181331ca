// Package krew_test checks plugins/krew/lsp.yaml, kubectl-lsp's krew plugin manifest,
// with krew's own validator.
//
// krew v0.4.4 keeps its manifest reader and ValidatePlugin in internal packages
// (internal/index/indexscanner, internal/index/validation), which no other module can
// import. Its command validate-krew-manifest, the check krew-index runs on every manifest,
// calls exactly those (ReadPluginFromFile, then ValidatePlugin against the file name, then
// the platform checks); the test builds it from the module (a tool of go.mod) and runs it
// with -skip-install, since the release archives do not exist yet. A manifest that
// `make dist` wrote is also installed, with krew itself (cmd/krew, also a tool of go.mod),
// from the archive beside it.
package krew_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/krew/pkg/index"
	"sigs.k8s.io/yaml"
)

const manifest = "lsp.yaml"

// tool is one of krew's commands, built once per test run.
type tool struct {
	pkg  string
	once sync.Once
	path string
	err  error
	out  []byte
}

var (
	validatorTool = &tool{pkg: "sigs.k8s.io/krew/cmd/validate-krew-manifest"}
	krewTool      = &tool{pkg: "sigs.k8s.io/krew/cmd/krew"}
	toolsDir      string
)

// build builds the tool (a tool of go.mod) once, into a temporary directory.
func (tl *tool) build(t *testing.T) string {
	t.Helper()
	tl.once.Do(func() {
		if toolsDir == "" {
			if toolsDir, tl.err = os.MkdirTemp("", "krew-tools"); tl.err != nil {
				return
			}
		}
		tl.path = filepath.Join(toolsDir, filepath.Base(tl.pkg))
		tl.out, tl.err = exec.Command("go", "build", "-o", tl.path, tl.pkg).CombinedOutput()
	})
	if tl.err != nil {
		t.Fatalf("building %s: %v\n%s", tl.pkg, tl.err, tl.out)
	}
	return tl.path
}

// krewValidator builds krew's validate-krew-manifest once.
func krewValidator(t *testing.T) string { return validatorTool.build(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	if toolsDir != "" {
		os.RemoveAll(toolsDir)
	}
	os.Exit(code)
}

// validate runs krew's validator on text saved as dir/name.
func validate(t *testing.T, name, text string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(krewValidator(t), "-manifest", path, "-skip-install").CombinedOutput()
	return string(out), err
}

func readManifest(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestKrewValidatesTheManifest: krew's validator accepts lsp.yaml, placeholders
// included, and gets through every one of its checks.
func TestKrewValidatesTheManifest(t *testing.T) {
	out, err := validate(t, manifest, readManifest(t))
	if err != nil {
		t.Fatalf("krew rejects %s: %v\n%s", manifest, err, out)
	}
	for _, step := range []string{"structural validation OK", "all spec.platform[] items are used", "no overlapping spec.platform[].selector"} {
		if !strings.Contains(out, step) {
			t.Errorf("the validator did not report %q:\n%s", step, out)
		}
	}
}

// TestKrewRejectsBrokenManifests: the same validator turns down small breakages of the
// manifest, so its acceptance above means something.
func TestKrewRejectsBrokenManifests(t *testing.T) {
	text := readManifest(t)
	zeros := strings.Repeat("0", 64)
	tests := []struct {
		name      string
		file      string
		old, new  string
		wantError string
	}{
		{"a sha256 one digit short", manifest, zeros, zeros[1:], "`sha256` value " + zeros[1:] + " is not valid"},
		{"a sha256 in capitals", manifest, `"` + zeros + `"`, `"` + strings.Repeat("A", 64) + `"`, "is not valid, must match pattern"},
		{"a version without v", manifest, "version: v0.0.0", "version: 0.0.0", "failed to parse plugin version"},
		{"a name that is not the file's", manifest, "name: lsp", "name: kubectl-lsp", `plugin should be named "lsp"`},
		{"two platforms for linux/amd64", manifest, "arch: arm64", "arch: amd64", "overlapping platform selectors"},
		{"a platform nobody has", manifest, "os: darwin", "os: beos", "doesn't match any supported platforms"},
		{"no bin", manifest, "bin: kubectl-lsp", "bin: ''", "`bin` has to be set"},
		{"a multi-line shortDescription", manifest, "shortDescription: Validate manifests as the apiserver would", "shortDescription: \"Validate\\nmanifests\"", "line breaks in short description"},
		{"the wrong extension", "lsp.yml", "", "", "expected manifest extension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broken := text
			if tc.old != "" {
				if !strings.Contains(text, tc.old) {
					t.Fatalf("%q not in the manifest", tc.old)
				}
				broken = strings.Replace(text, tc.old, tc.new, 1)
			}
			out, err := validate(t, tc.file, broken)
			if err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
			if !strings.Contains(out, tc.wantError) {
				t.Errorf("rejected, but not for %q:\n%s", tc.wantError, out)
			}
		})
	}
}

// TestManifestShape decodes the manifest strictly into krew's own types (no field krew
// would silently drop) and checks what the validator does not: the six platforms the
// release builds, the binary's name, URLs that follow the version, and placeholders that
// the release step can find.
func TestManifestShape(t *testing.T) {
	var p index.Plugin
	if err := yaml.UnmarshalStrict([]byte(readManifest(t)), &p); err != nil {
		t.Fatalf("strict decoding: %v", err)
	}
	if p.Name != "lsp" || p.Spec.Homepage == "" || p.Spec.Description == "" {
		t.Errorf("name %q, homepage %q, description %d bytes", p.Name, p.Spec.Homepage, len(p.Spec.Description))
	}
	if n := len(p.Spec.ShortDescription); n > 50 {
		t.Errorf("shortDescription is %d characters; krew search shows about 50", n)
	}
	want := map[string]bool{"linux/amd64": true, "linux/arm64": true, "darwin/amd64": true, "darwin/arm64": true,
		"windows/amd64": true, "windows/arm64": true}
	hex64 := regexp.MustCompile(`^[a-f0-9]{64}$`)
	for i, pl := range p.Spec.Platforms {
		if pl.Selector == nil {
			t.Fatalf("platform %d: no selector", i)
		}
		osArch := pl.Selector.MatchLabels["os"] + "/" + pl.Selector.MatchLabels["arch"]
		if !want[osArch] {
			t.Errorf("platform %d: %s is not expected, or twice", i, osArch)
		}
		delete(want, osArch)
		bin, ext := "kubectl-lsp", ".tar.gz"
		if pl.Selector.MatchLabels["os"] == "windows" {
			bin, ext = "kubectl-lsp.exe", ".zip"
		}
		if pl.Bin != bin {
			t.Errorf("%s: bin %q, want %s (krew links it as kubectl-lsp: `kubectl lsp`)", osArch, pl.Bin, bin)
		}
		wantURI := "https://github.com/kubectl-lsp/kubectl-lsp/releases/download/" + p.Spec.Version +
			"/kubectl-lsp_" + strings.ReplaceAll(osArch, "/", "_") + ext
		if pl.URI != wantURI {
			t.Errorf("%s: uri %q, want %q", osArch, pl.URI, wantURI)
		}
		// The placeholder: krew's shape (64 lowercase hex digits), obviously not a digest.
		if !hex64.MatchString(pl.Sha256) || pl.Sha256 != strings.Repeat("0", 64) {
			t.Errorf("%s: sha256 %q is not the placeholder the release step replaces", osArch, pl.Sha256)
		}
	}
	if len(want) > 0 {
		t.Errorf("platforms missing: %v", want)
	}
}

// TestGeneratedManifest checks a manifest that `make dist` wrote (dist/krew/lsp.yaml),
// named by $KUBECTL_LSP_KREW_MANIFEST (make dist-snapshot sets it; skipped without):
// krew's validator accepts it, it decodes strictly, and each platform has a real sha256
// (not the placeholder), the version of spec.version in its uri, and a bin that matches
// its archive.
func TestGeneratedManifest(t *testing.T) {
	path := os.Getenv("KUBECTL_LSP_KREW_MANIFEST")
	if path == "" {
		t.Skip("KUBECTL_LSP_KREW_MANIFEST is not set (make dist-snapshot sets it)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := validate(t, manifest, string(data)); err != nil {
		t.Fatalf("krew rejects %s: %v\n%s", path, err, out)
	}
	var p index.Plugin
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		t.Fatalf("strict decoding: %v", err)
	}
	if p.Spec.Version == "v0.0.0" || len(p.Spec.Platforms) == 0 {
		t.Fatalf("version %q, %d platforms: not filled in", p.Spec.Version, len(p.Spec.Platforms))
	}
	for _, pl := range p.Spec.Platforms {
		osName := pl.Selector.MatchLabels["os"]
		if pl.Sha256 == strings.Repeat("0", 64) || !strings.Contains(pl.URI, "/"+p.Spec.Version+"/") {
			t.Errorf("%s: sha256 %s, uri %s: not filled in", osName, pl.Sha256, pl.URI)
		}
		if (osName == "windows") != strings.HasSuffix(pl.URI, ".zip") || (osName == "windows") != strings.HasSuffix(pl.Bin, ".exe") {
			t.Errorf("%s: uri %s with bin %s", osName, pl.URI, pl.Bin)
		}
	}
}

// TestGeneratedManifestInstalls: krew itself (`kubectl krew install`, as kubectl-krew)
// installs the generated manifest from the archive that `make dist` built for this
// machine ($KUBECTL_LSP_KREW_ARCHIVE; make dist-snapshot sets it, skipped without): it
// checks the sha256, unpacks the archive and links kubectl-lsp, which then runs and
// reports the manifest's version. A changed archive is refused.
func TestGeneratedManifestInstalls(t *testing.T) {
	path, archive := os.Getenv("KUBECTL_LSP_KREW_MANIFEST"), os.Getenv("KUBECTL_LSP_KREW_ARCHIVE")
	if path == "" || archive == "" {
		t.Skip("KUBECTL_LSP_KREW_MANIFEST or KUBECTL_LSP_KREW_ARCHIVE is not set (make dist-snapshot sets them)")
	}
	var p index.Plugin
	if data, err := os.ReadFile(path); err != nil || yaml.Unmarshal(data, &p) != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	root := t.TempDir()
	if out, err := krewInstall(t, root, path, archive); err != nil {
		t.Fatalf("kubectl krew install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(root, "bin", "kubectl-lsp"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "kubectl-lsp "+p.Spec.Version+" ") {
		t.Errorf("the installed kubectl-lsp version: %v, %q; want version %s", err, out, p.Spec.Version)
	}

	tampered := filepath.Join(t.TempDir(), filepath.Base(archive))
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := krewInstall(t, t.TempDir(), path, tampered); err == nil || !strings.Contains(out, "checksum does not match") {
		t.Errorf("a changed archive: %v\n%s", err, out)
	}
}

// krewInstall runs `kubectl krew install --manifest=manifest --archive=archive` with
// KREW_ROOT=root, offline (no check for a newer krew).
func krewInstall(t *testing.T, root, manifest, archive string) (string, error) {
	t.Helper()
	cmd := exec.Command(krewTool.build(t), "install", "--manifest="+manifest, "--archive="+archive)
	cmd.Env = append(os.Environ(), "KREW_ROOT="+root, "KREW_NO_UPGRADE_CHECK=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
