// Command dist builds a kubectl-lsp release from a git checkout, offline (`make dist`):
// static binaries for each platform (CGO_ENABLED=0, -trimpath, version, commit and date
// stamped into internal/version), their archives with LICENSE and README.md,
// checksums.txt, the krew manifest (krew/lsp.yaml, from plugins/krew/lsp.yaml) and the
// Homebrew formula (homebrew/kubectl-lsp.rb). The commit's time stands for "now"
// everywhere, so one commit always gives the same bytes.
//
// Run from the repository's root:
//
//	go run ./internal/release/cmd/dist [-out dist] [-platforms linux/amd64,...] [-version v0.2.0] [-release-url 'https://host/path/{version}']
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-lsp/kubectl-lsp/internal/release"
)

const versionPkg = "github.com/kubectl-lsp/kubectl-lsp/internal/version"

// options are the command's flags, completed from the checkout.
type options struct {
	out, platforms, version, releaseURL, krewTemplate, goCmd string
	plats                                                    []release.Platform
	commit                                                   string
	date                                                     time.Time
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "dist", "output directory; must not exist or be empty")
	flag.StringVar(&o.platforms, "platforms", strings.Join(platformNames(release.All), ","), "comma-separated GOOS/GOARCH list")
	flag.StringVar(&o.version, "version", "", "release version, v-prefixed semver (default: the tag at HEAD, else v0.0.0-TIME-COMMIT)")
	flag.StringVar(&o.releaseURL, "release-url", release.DefaultReleaseURL, "URL of the directory the archives are downloaded from; {version} stands for the version")
	flag.StringVar(&o.krewTemplate, "krew-template", "plugins/krew/lsp.yaml", "the committed krew manifest")
	flag.StringVar(&o.goCmd, "go", "go", "the go command")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	if err := run(ctx, &o); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func platformNames(ps []release.Platform) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func run(ctx context.Context, o *options) error {
	if err := complete(ctx, o); err != nil {
		return err
	}
	var arts []release.Artifact
	for _, p := range o.plats {
		a, err := buildPlatform(ctx, o, p)
		if err != nil {
			return err
		}
		arts = append(arts, a)
	}
	return writeMetadata(ctx, o, arts)
}

// complete fills the version, commit, date and platforms, and checks the output directory.
func complete(ctx context.Context, o *options) error {
	var err error
	if o.plats, err = release.ParsePlatforms(o.platforms); err != nil {
		return err
	}
	for _, f := range []string{"LICENSE", "README.md", "go.mod", o.krewTemplate} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("run from the repository's root: %w", err)
		}
	}
	if entries, err := os.ReadDir(o.out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: remove it first (make dist does)", o.out)
	}
	if o.commit, err = git(ctx, "rev-parse", "HEAD"); err != nil {
		return err
	}
	ct, err := git(ctx, "log", "-1", "--format=%ct")
	if err != nil {
		return err
	}
	secs, err := strconv.ParseInt(ct, 10, 64)
	if err != nil {
		return fmt.Errorf("the commit's time %q: %w", ct, err)
	}
	o.date = time.Unix(secs, 0).UTC()
	if o.version == "" {
		o.version = deriveVersion(ctx, o.commit, o.date)
	}
	if err := release.CheckVersion(o.version); err != nil {
		return err
	}
	o.releaseURL = release.ReleaseURL(o.releaseURL, o.version)
	return os.MkdirAll(filepath.Join(o.out, "build"), 0o755)
}

// deriveVersion is the v-tag at HEAD, else a Go-style pseudo-version of the commit; with
// +dirty when the checkout has local changes.
func deriveVersion(ctx context.Context, commit string, date time.Time) string {
	v, err := git(ctx, "describe", "--tags", "--exact-match", "--match", "v[0-9]*")
	if err != nil || release.CheckVersion(v) != nil {
		v = "v0.0.0-" + date.Format("20060102150405") + "-" + commit[:12]
	}
	if status, err := git(ctx, "status", "--porcelain", "--untracked-files=no"); err != nil || status != "" {
		v += "+dirty"
	}
	return v
}

func git(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// buildPlatform builds p's binary into out/build/OS_ARCH and archives it into out.
func buildPlatform(ctx context.Context, o *options, p release.Platform) (release.Artifact, error) {
	bin := filepath.Join(o.out, "build", p.OS+"_"+p.Arch, p.Binary())
	ldflags := fmt.Sprintf("-s -w -X %[1]s.Version=%[2]s -X %[1]s.Commit=%[3]s -X %[1]s.Date=%[4]s",
		versionPkg, o.version, o.commit, o.date.Format(time.RFC3339))
	cmd := exec.CommandContext(ctx, o.goCmd, "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/kubectl-lsp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "==> building %s %s\n", p, o.version)
	if err := cmd.Run(); err != nil {
		return release.Artifact{}, fmt.Errorf("building %s: %w", p, err)
	}
	archive := filepath.Join(o.out, p.Archive())
	entries := []release.Entry{{Name: p.Binary(), Path: bin, Exec: true}, {Name: "LICENSE", Path: "LICENSE"}, {Name: "README.md", Path: "README.md"}}
	if err := release.WriteArchive(archive, p, entries, o.date); err != nil {
		return release.Artifact{}, fmt.Errorf("archiving %s: %w", p, err)
	}
	sum, err := release.FileSHA256(archive)
	return release.Artifact{Platform: p, SHA256: sum}, err
}

// writeMetadata writes checksums.txt, krew/lsp.yaml and homebrew/kubectl-lsp.rb.
func writeMetadata(ctx context.Context, o *options, arts []release.Artifact) error {
	if err := os.WriteFile(filepath.Join(o.out, "checksums.txt"), []byte(release.Checksums(arts)), 0o644); err != nil {
		return err
	}
	template, err := os.ReadFile(o.krewTemplate)
	if err != nil {
		return err
	}
	manifest, err := release.KrewManifest(template, o.version, o.releaseURL, arts)
	if err != nil {
		return fmt.Errorf("%s: %w", o.krewTemplate, err)
	}
	if err := writeFile(filepath.Join(o.out, "krew", "lsp.yaml"), manifest); err != nil {
		return err
	}
	completions, checked := hasCompletion(ctx, o)
	if !checked {
		fmt.Fprintln(os.Stderr, "dist: no binary for this machine was built: the formula leaves out shell completions")
	}
	formula, err := release.Formula(o.version, o.releaseURL, arts, completions)
	if errors.Is(err, release.ErrNoHomebrewArchive) {
		fmt.Fprintln(os.Stderr, "dist: no Homebrew formula:", err)
		return nil
	}
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(o.out, "homebrew", "kubectl-lsp.rb"), []byte(formula))
}

// hasCompletion runs this machine's binary, if it was built, as `kubectl-lsp completion
// bash`: whether the formula can generate shell completions with it.
func hasCompletion(ctx context.Context, o *options) (has, checked bool) {
	native := release.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
	bin := filepath.Join(o.out, "build", native.OS+"_"+native.Arch, native.Binary())
	if _, err := os.Stat(bin); err != nil {
		return false, false
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "completion", "bash").Output()
	return err == nil && len(out) > 0, true
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
