// Package krew_test checks plugins/krew/lsp.yaml, kubectl-lsp's krew plugin manifest,
// with krew's own validator.
//
// krew v0.4.4 keeps its manifest reader and ValidatePlugin in internal packages
// (internal/index/indexscanner, internal/index/validation), which no other module can
// import. Its command validate-krew-manifest, the check krew-index runs on every manifest,
// calls exactly those (ReadPluginFromFile, then ValidatePlugin against the file name, then
// the platform checks); the test builds it from the module (a tool of go.mod) and runs it
// with -skip-install, since the release archives do not exist yet.
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

var (
	buildOnce sync.Once
	validator string
	buildErr  error
	buildOut  []byte
)

// krewValidator builds krew's validate-krew-manifest once.
func krewValidator(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "krew-validator")
		if err != nil {
			buildErr = err
			return
		}
		validator = filepath.Join(dir, "validate-krew-manifest")
		cmd := exec.Command("go", "build", "-o", validator, "sigs.k8s.io/krew/cmd/validate-krew-manifest")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building krew's validate-krew-manifest: %v\n%s", buildErr, buildOut)
	}
	return validator
}

func TestMain(m *testing.M) {
	code := m.Run()
	if validator != "" {
		os.RemoveAll(filepath.Dir(validator))
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
