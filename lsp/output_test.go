package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
)

// plantOutputTrap prepares what another local user could: the shared temp folder's
// kubectl-lsp-KIND folder, open to all, with symlinks to victim under every name the
// server could pick in the next seconds (NAME-HHMMSSmmm.EXT). It returns the folder.
func plantOutputTrap(t *testing.T, tmp, kind, name, victim string) string {
	t.Helper()
	dir := filepath.Join(tmp, "kubectl-lsp-"+kind)
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	ext := filepath.Ext(name)
	start := time.Now().Truncate(time.Second)
	for ms := range 10_000 {
		stamp := strings.ReplaceAll(start.Add(time.Duration(ms)*time.Millisecond).Format("150405.000"), ".", "")
		if err := os.Symlink(victim, filepath.Join(dir, strings.TrimSuffix(name, ext)+"-"+stamp+ext)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkOutputFile: a document the server wrote is a new regular read-only file in a
// private folder of its own, not in the planted one, holding want; the victim is intact.
func checkOutputFile(t *testing.T, doc protocol.DocumentURI, trap, victim, want string) {
	t.Helper()
	if got, err := os.ReadFile(victim); err != nil || string(got) != "precious\n" {
		t.Fatalf("the victim file was overwritten: %q %v", got, err)
	}
	path := uriFilename(doc)
	if filepath.Dir(path) == trap {
		t.Fatalf("written into the planted folder: %s", path)
	}
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm() != 0o400 {
		t.Errorf("%s: mode %v, want a regular file, 0400", path, info.Mode())
	}
	if err := safefile.CheckPrivateDir(filepath.Dir(path)); err != nil {
		t.Errorf("the output folder: %v", err)
	}
	if text, err := os.ReadFile(path); err != nil || !strings.Contains(string(text), want) {
		t.Errorf("%s: %q %v, want %q in it", path, text, err, want)
	}
}

// TestPluginOutputNotHijacked: a plugin's output document cannot be redirected by a
// folder and symlinks another user planted in the temp folder, and the server's own
// folder goes when it ends.
func TestPluginOutputNotHijacked(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	trap := plantOutputTrap(t, tmp, "plugin", "kubectl-echo.txt", victim)

	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "kubectl-echo"), []byte("#!/bin/sh\necho \"plugin says $*\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	h := newHarness(t, harnessOptions{})
	uri := protocol.DocumentURI("file:///work/cm.yaml")
	h.Open(uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n")
	h.AwaitDiagnostics(uri, 1)
	var docs []protocol.DocumentURI
	for range 2 {
		var res PluginResult
		if err := h.execute(CommandRunPlugin, &res, "echo", uri, 0); err != nil || res.Document == "" {
			t.Fatalf("%+v %v", res, err)
		}
		checkOutputFile(t, res.Document, trap, victim, "plugin says ConfigMap/settings")
		docs = append(docs, res.Document)
	}
	if docs[0] == docs[1] || filepath.Dir(uriFilename(docs[0])) != filepath.Dir(uriFilename(docs[1])) {
		t.Errorf("two runs: %s and %s, want two files in one folder", docs[0], docs[1])
	}

	_ = h.call(protocol.MethodShutdown, nil, nil)
	_ = h.conn.Notify(h.ctx, protocol.MethodExit, nil)
	_ = h.awaitExit()
	if _, err := os.Lstat(filepath.Dir(uriFilename(docs[0]))); !os.IsNotExist(err) {
		t.Errorf("the output folder is left after the server ended: %v", err)
	}
}

// TestOutputDirReplaced: when the server's folder disappears (a temp cleaner) and someone
// puts another in its place, the next document goes to a new private folder.
func TestOutputDirReplaced(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var o outputDir
	first, err := o.write("a.yaml.diff", "one")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(first)
	for _, replace := range []func() error{
		func() error { return os.Chmod(dir, 0o777) },
		func() error {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			return os.Symlink(t.TempDir(), dir)
		},
	} {
		if err := replace(); err != nil {
			t.Fatal(err)
		}
		next, err := o.write("a.yaml.diff", "two")
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(next) == dir {
			t.Fatalf("written to %s after it was replaced", next)
		}
		if err := safefile.CheckPrivateDir(filepath.Dir(next)); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(next, ".diff") || !strings.HasPrefix(filepath.Base(next), "a.yaml-") {
			t.Errorf("name %s: want a.yaml-*.diff", next)
		}
		dir = filepath.Dir(next)
	}
	o.remove()
}
