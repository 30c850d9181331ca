package plugins

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile creates dir/name with mode; scripts start with #!/bin/sh.
func writeFile(t *testing.T, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const okScript = "#!/bin/sh\necho ok\n"

// summary renders plugins as lines "NAME|PATH|x|WARNING|WARNING..." (x when executable),
// with the temporary root written as $T.
func summary(root string, ps []Plugin, dirWarnings []Warning) string {
	var b strings.Builder
	for _, w := range dirWarnings {
		b.WriteString("dir: " + w.Message + "\n")
	}
	for _, p := range ps {
		x := "-"
		if p.Executable {
			x = "x"
		}
		parts := []string{p.Name, p.Path, x}
		for _, w := range p.Warnings {
			parts = append(parts, w.Message)
		}
		b.WriteString(strings.Join(parts, "|") + "\n")
	}
	return strings.ReplaceAll(b.String(), root, "$T")
}

// TestDiscover builds PATHs of real files and checks each plugin's name, path,
// executability and warnings, in kubectl's order and words.
func TestDiscover(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, root string) string // returns PATH
		env    map[string]string
		want   string
		lookup map[string]string // name → path found ("" for an error)
	}{{
		name: "an earlier directory shadows a later one",
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-foo", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-foo", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-bar", okScript, 0o755)
			return root + "/a:" + root + "/b"
		},
		want: `foo|$T/a/kubectl-foo|x
bar|$T/b/kubectl-bar|x
foo|$T/b/kubectl-foo|x|warning: $T/b/kubectl-foo is overshadowed by a similarly named plugin: $T/a/kubectl-foo
`,
		lookup: map[string]string{"foo": "$T/a/kubectl-foo", "bar": "$T/b/kubectl-bar", "baz": ""},
	}, {
		name: "a file that is not executable is listed, warned about, still shadows, and is never run",
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-foo", okScript, 0o644)
			writeFile(t, root+"/b", "kubectl-foo", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-only", okScript, 0o600)
			return root + "/a:" + root + "/b"
		},
		want: `foo|$T/a/kubectl-foo|-|warning: $T/a/kubectl-foo identified as a kubectl plugin, but it is not executable
foo|$T/b/kubectl-foo|x|warning: $T/b/kubectl-foo is overshadowed by a similarly named plugin: $T/a/kubectl-foo
only|$T/b/kubectl-only|-|warning: $T/b/kubectl-only identified as a kubectl plugin, but it is not executable
`,
		// kubectl's exec.LookPath passes over the file that is not executable.
		lookup: map[string]string{"foo": "$T/b/kubectl-foo", "only": ""},
	}, {
		name: "underscores stand for dashes, dashes separate words",
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-foo_bar", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-foo-bar", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-view_secret-keys", okScript, 0o755)
			return root + "/a:" + root + "/b"
		},
		// Different files: neither shadows the other.
		want: `foo-bar|$T/a/kubectl-foo_bar|x
foo bar|$T/b/kubectl-foo-bar|x
view-secret keys|$T/b/kubectl-view_secret-keys|x
`,
		lookup: map[string]string{
			"foo-bar": "$T/a/kubectl-foo_bar", "foo_bar": "$T/a/kubectl-foo_bar", "foo bar": "$T/b/kubectl-foo-bar",
			"view-secret keys": "$T/b/kubectl-view_secret-keys", "kubectl-foo-bar": "$T/b/kubectl-foo-bar",
		},
	}, {
		name: "names of built-in commands, subcommands and aliases",
		setup: func(t *testing.T, root string) string {
			for _, n := range []string{"kubectl-version", "kubectl-versions", "kubectl-config-view", "kubectl-top-po",
				"kubectl-create-foo", "kubectl-help", "kubectl-kuberc", "kubectl-api_resources", "kubectl-", "kubectl--get"} {
				writeFile(t, root+"/a", n, okScript, 0o755)
			}
			return root + "/a"
		},
		// kubectl-create-foo is reported although kubectl does run create-subcommand
		// plugins; kubectl- and kubectl--get are kubectl's own quirks.
		want: `|$T/a/kubectl-|x|warning: kubectl- overwrites existing command: "kubectl"
 get|$T/a/kubectl--get|x|warning: kubectl--get overwrites existing command: "kubectl get"
api-resources|$T/a/kubectl-api_resources|x
config view|$T/a/kubectl-config-view|x|warning: kubectl-config-view overwrites existing command: "kubectl config view"
create foo|$T/a/kubectl-create-foo|x|warning: kubectl-create-foo overwrites existing command: "kubectl create"
help|$T/a/kubectl-help|x|warning: kubectl-help overwrites existing command: "kubectl help"
kuberc|$T/a/kubectl-kuberc|x|warning: kubectl-kuberc overwrites existing command: "kubectl kuberc"
top po|$T/a/kubectl-top-po|x|warning: kubectl-top-po overwrites existing command: "kubectl top pod"
version|$T/a/kubectl-version|x|warning: kubectl-version overwrites existing command: "kubectl version"
versions|$T/a/kubectl-versions|x
`,
	}, {
		name: "kubectl-lsp itself and its completion companion are not plugins to run",
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-lsp", okScript, 0o755)
			writeFile(t, root+"/a", "kubectl_complete-lsp", okScript, 0o755)
			writeFile(t, root+"/a", "kubectl-lsp-extra", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-lsp", okScript, 0o755)
			writeFile(t, root+"/b", "kubectl-hello", okScript, 0o755)
			return root + "/a:" + root + "/b"
		},
		want: `lsp extra|$T/a/kubectl-lsp-extra|x
hello|$T/b/kubectl-hello|x
`,
		lookup: map[string]string{"lsp": "", "kubectl-lsp": "", "lsp extra": "$T/a/kubectl-lsp-extra", "hello": "$T/b/kubectl-hello"},
	}, {
		name: "KUBECTL_KUBERC=false removes the kuberc command",
		env:  map[string]string{"KUBECTL_KUBERC": "False"},
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-kuberc-view", okScript, 0o755)
			return root + "/a"
		},
		want: "kuberc view|$T/a/kubectl-kuberc-view|x\n",
	}, {
		name: "PATH entries: missing, not a directory, repeated, blank; directories and other files skipped",
		setup: func(t *testing.T, root string) string {
			writeFile(t, root+"/a", "kubectl-foo", okScript, 0o755)
			writeFile(t, root+"/a", "foo", okScript, 0o755)
			writeFile(t, root+"/a", "README", "x", 0o644)
			if err := os.MkdirAll(root+"/a/kubectl-dir", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(root+"/nowhere", root+"/a/kubectl-dangling"); err != nil {
				t.Fatal(err)
			}
			notDir := writeFile(t, root, "file", "x", 0o644)
			// The same directory spelled twice is read once; with a trailing slash it is
			// another string, read again, and its files shadow themselves (as in kubectl).
			return strings.Join([]string{root + "/a", "", root + "/missing", root + "/a", " ", notDir, root + "/a/"}, ":")
		},
		want: `dir: Unable to read directory "$T/missing" from your PATH: open $T/missing: no such file or directory. Skipping...
dir: Unable to read directory "$T/file" from your PATH: open $T/file: not a directory. Skipping...
dangling|$T/a/kubectl-dangling|-|error: unable to identify $T/a/kubectl-dangling as an executable file: stat $T/a/kubectl-dangling: no such file or directory
foo|$T/a/kubectl-foo|x
dangling|$T/a/kubectl-dangling|-|error: unable to identify $T/a/kubectl-dangling as an executable file: stat $T/a/kubectl-dangling: no such file or directory|warning: $T/a/kubectl-dangling is overshadowed by a similarly named plugin: $T/a/kubectl-dangling
foo|$T/a/kubectl-foo|x|warning: $T/a/kubectl-foo is overshadowed by a similarly named plugin: $T/a/kubectl-foo
`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBECTL_KUBERC", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			root := t.TempDir()
			ps, ws := Discover(tc.setup(t, root))
			if got := summary(root, ps, ws); got != tc.want {
				t.Errorf("Discover:\n%s\nwant:\n%s", got, tc.want)
			}
			for name, want := range tc.lookup {
				p, err := Lookup(ps, name)
				got := strings.ReplaceAll(p.Path, root, "$T")
				if want == "" {
					if err == nil {
						t.Errorf("Lookup(%q) = %s, want an error", name, got)
					}
					continue
				}
				if err != nil || got != want {
					t.Errorf("Lookup(%q) = %q, %v; want %q", name, got, err, want)
				}
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ file, name string }{
		{"kubectl-foo", "foo"},
		{"kubectl-foo_bar", "foo-bar"},
		{"kubectl-foo-bar", "foo bar"},
		{"kubectl-view_secret-keys", "view-secret keys"},
		{"kubectl-x.sh", "x.sh"},
		{"kubectl-", ""},
	} {
		if got := NameOf(tc.file); got != tc.name {
			t.Errorf("NameOf(%q) = %q, want %q", tc.file, got, tc.name)
		}
		if got := FileNameOf(tc.name); got != tc.file {
			t.Errorf("FileNameOf(%q) = %q, want %q", tc.name, got, tc.file)
		}
	}
	// What kubectl looks up when "kubectl foo_bar" is typed.
	if got := FileNameOf("foo_bar"); got != "kubectl-foo_bar" {
		t.Errorf("FileNameOf(foo_bar) = %q", got)
	}
}

// TestWriteList checks kubectl's layout on both streams and the outcome.
func TestWriteList(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root+"/a", "kubectl-foo", okScript, 0o755)
	writeFile(t, root+"/a", "kubectl-version", okScript, 0o644)
	writeFile(t, root+"/b", "kubectl-foo", okScript, 0o755)
	t.Setenv("KUBECTL_KUBERC", "")
	ps, ws := Discover(root + "/a:" + root + "/gone:" + root + "/b")
	for _, nameOnly := range []bool{false, true} {
		var out, errOut bytes.Buffer
		ok := WriteList(&out, &errOut, ps, ws, nameOnly)
		wantOut := "The following compatible plugins are available:\n\n$T/a/kubectl-foo\n$T/a/kubectl-version\n$T/b/kubectl-foo\n"
		if nameOnly {
			wantOut = "The following compatible plugins are available:\n\nkubectl-foo\nkubectl-version\nkubectl-foo\n"
		}
		wantErr := `Unable to read directory "$T/gone" from your PATH: open $T/gone: no such file or directory. Skipping...
  - warning: $T/a/kubectl-version identified as a kubectl plugin, but it is not executable
  - warning: kubectl-version overwrites existing command: "kubectl version"
  - warning: $T/b/kubectl-foo is overshadowed by a similarly named plugin: $T/a/kubectl-foo
error: 3 plugin warnings were found
`
		if got := strings.ReplaceAll(out.String(), root, "$T"); got != wantOut {
			t.Errorf("stdout:\n%s\nwant:\n%s", got, wantOut)
		}
		if got := strings.ReplaceAll(errOut.String(), root, "$T"); got != wantErr {
			t.Errorf("stderr:\n%s\nwant:\n%s", got, wantErr)
		}
		if ok {
			t.Error("WriteList reported success with warnings")
		}
	}

	var out, errOut bytes.Buffer
	if WriteList(&out, &errOut, nil, nil, false) || out.Len() != 0 || errOut.String() != "error: unable to find any kubectl plugins in your PATH\n" {
		t.Errorf("no plugins: stdout %q, stderr %q", out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if !WriteList(&out, &errOut, ps[:1], nil, false) || errOut.Len() != 0 {
		t.Errorf("one clean plugin: stderr %q", errOut.String())
	}
}

// TestBuiltinsTable: every subcommand's parent is in the table, paths are unique, and
// the commands everyone knows are there.
func TestBuiltinsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range kubectlCommands {
		if seen[c.path] {
			t.Errorf("%q twice", c.path)
		}
		seen[c.path] = true
		if i := strings.LastIndexByte(c.path, ' '); i > 0 && !seen[c.path[:i]] {
			t.Errorf("%q comes before its parent %q (or has none)", c.path, c.path[:i])
		}
	}
	for _, c := range []string{"get", "apply", "create", "config view", "plugin list", "version", "help", "alpha", "options", "kuberc", "events", "debug", "auth whoami"} {
		if !seen[c] {
			t.Errorf("%q missing", c)
		}
	}
	tree := newCommandTree(true)
	var top []string
	for _, c := range tree.children {
		top = append(top, c.name)
	}
	if len(top) != 46 || !slices.IsSorted(top) {
		t.Errorf("%d top-level commands (want 46, sorted): %v", len(top), top)
	}
}

// TestBlankPathEntryIsNotTheWorkingDirectory: kubectl runs kubectl-foo from the working
// directory through an empty PATH entry (exec.LookPath reads it as "."), though its
// plugin list skips the entry; here neither lists nor finds it.
func TestBlankPathEntryIsNotTheWorkingDirectory(t *testing.T) {
	cwd := t.TempDir()
	writeFile(t, cwd, "kubectl-here", okScript, 0o755)
	t.Chdir(cwd)
	ps, ws := Discover(":" + t.TempDir() + ":")
	if len(ps) != 0 || len(ws) != 0 {
		t.Errorf("Discover: %v, %v", ps, ws)
	}
	if _, err := Lookup(ps, "here"); err == nil {
		t.Error("Lookup found a plugin in the working directory")
	}
}
