// Package plugins finds kubectl plugins the way `kubectl plugin list` does and runs them
// on a resource of a manifest, by argv and never through a shell.
//
// Discovery mirrors k8s.io/kubectl v0.37.2 (pkg/cmd/plugin/plugin.go): the directories of
// PATH in order (duplicates and blank entries skipped), every file whose name starts with
// "kubectl-" (directories skipped, executable or not; kubectl-lsp itself left out), and for each the warnings kubectl
// prints, with kubectl's own wording: not executable, shadowed by an earlier file of the
// same name, overwriting a built-in kubectl command.
//
// Running (Run) takes values from a document, checks them against the apiserver's name
// rules before anything executes, builds the argv from a template, and runs the plugin in
// its own process group with a timeout, capturing its output.
package plugins

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Prefix starts the file name of every kubectl plugin.
const Prefix = "kubectl-"

// Plugin is a plugin file found on PATH.
type Plugin struct {
	// Name is how the plugin is called after "kubectl": the file name without "kubectl-",
	// with "-" separating subcommand words and "_" standing for "-". kubectl-foo_bar is
	// "foo-bar" (`kubectl foo-bar`), kubectl-foo-bar is "foo bar" (`kubectl foo bar`).
	Name string
	// Path is the file's path as kubectl prints it: the PATH entry joined with the file
	// name.
	Path string
	// Executable is false when the file has no execute bit (or cannot be read): kubectl
	// lists it with a warning but never runs it.
	Executable bool
	// Warnings are what `kubectl plugin list` prints under the plugin, in its order.
	Warnings []Warning
}

// FileName is the plugin's file name, e.g. "kubectl-foo_bar".
func (p Plugin) FileName() string { return filepath.Base(p.Path) }

// WarningKind says what a Warning is about.
type WarningKind string

// The kinds of warning, each with kubectl's text in Warning.Message.
const (
	// NotExecutable: "warning: PATH identified as a kubectl plugin, but it is not executable".
	NotExecutable WarningKind = "not-executable"
	// Unidentified: the file could not be examined (a dangling symbolic link):
	// "error: unable to identify PATH as an executable file: ...".
	Unidentified WarningKind = "unidentified"
	// Shadowed: an earlier PATH directory holds a file of the same name, which kubectl
	// finds first: "warning: PATH is overshadowed by a similarly named plugin: OTHER".
	// Related is the other file.
	Shadowed WarningKind = "shadowed"
	// OverwritesCommand: the name is (or starts with) a built-in command, so kubectl runs
	// the built-in: `warning: FILE overwrites existing command: "kubectl version"`.
	// Related is the command.
	OverwritesCommand WarningKind = "overwrites-command"
	// UnreadableDirectory: a PATH entry could not be read; kubectl says so as it goes
	// ("Unable to read directory ... Skipping...") and carries on.
	UnreadableDirectory WarningKind = "unreadable-directory"
	// DirectoryError: a PATH entry failed in another way; kubectl reports it with its
	// final errors ("error: unable to read directory ... in your PATH: ...").
	DirectoryError WarningKind = "directory-error"
)

// Warning is one complaint of `kubectl plugin list`.
type Warning struct {
	Kind WarningKind
	// Message is kubectl's text, without a trailing newline.
	Message string
	// Related is the shadowing file (Shadowed) or the command (OverwritesCommand).
	Related string
}

// NameOf turns a plugin file name into the name typed after "kubectl":
// "kubectl-foo_bar-baz" → "foo-bar baz".
func NameOf(fileName string) string {
	words := strings.Split(strings.TrimPrefix(fileName, Prefix), "-")
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "_", "-")
	}
	return strings.Join(words, " ")
}

// FileNameOf is NameOf's inverse, the file kubectl looks for when the plugin is called:
// "foo-bar baz" → "kubectl-foo_bar-baz". A name that already starts with "kubectl-" is
// taken as a file name.
func FileNameOf(name string) string {
	if strings.HasPrefix(name, Prefix) {
		return name
	}
	words := strings.Split(name, " ")
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "-", "_")
	}
	return Prefix + strings.Join(words, "-")
}

// selfNames are the file names of kubectl-lsp itself as kubectl sees it: the plugin
// (`kubectl lsp`) and the completion companion kubectl runs for it.
var selfNames = []string{"kubectl-lsp", "kubectl_complete-lsp"}

// IsSelf reports whether a file name is kubectl-lsp's own (on Windows, with any
// extension): it is never offered as a plugin to run on a resource.
func IsSelf(fileName string) bool {
	if runtime.GOOS == "windows" {
		fileName = strings.TrimSuffix(strings.ToLower(fileName), strings.ToLower(filepath.Ext(fileName)))
	}
	return slices.Contains(selfNames, fileName)
}

// Discover lists the plugins in the directories of pathEnv (a PATH value), in the order
// and with the warnings of `kubectl plugin list`, but for kubectl-lsp itself (IsSelf),
// which is not a plugin to run on a resource. The second result holds the problems
// with PATH entries themselves. Whether "kuberc" counts as a built-in command follows
// $KUBECTL_KUBERC, as in kubectl.
func Discover(pathEnv string) ([]Plugin, []Warning) {
	var (
		plugins []Plugin
		dirWarn []Warning
	)
	for _, dir := range uniquePaths(filepath.SplitList(pathEnv)) {
		if strings.TrimSpace(dir) == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			// kubectl's own test: a *os.PathError is skipped with a note, anything else
			// becomes one of its final errors.
			if _, ok := err.(*os.PathError); ok {
				dirWarn = append(dirWarn, Warning{Kind: UnreadableDirectory,
					Message: fmt.Sprintf("Unable to read directory %q from your PATH: %v. Skipping...", dir, err)})
				continue
			}
			dirWarn = append(dirWarn, Warning{Kind: DirectoryError,
				Message: fmt.Sprintf("error: unable to read directory %q in your PATH: %v", dir, err)})
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasPrefix(e.Name(), Prefix) || IsSelf(e.Name()) {
				continue
			}
			plugins = append(plugins, Plugin{Name: NameOf(e.Name()), Path: filepath.Join(dir, e.Name())})
		}
	}
	tree := newCommandTree(!kubeRCDisabled())
	seen := map[string]string{}
	for i := range plugins {
		plugins[i].Executable, plugins[i].Warnings = verify(plugins[i].Path, seen, tree)
	}
	return plugins, dirWarn
}

// kubeRCDisabled is kubectl's cmdutil.KubeRC.IsDisabled.
func kubeRCDisabled() bool { return strings.ToLower(os.Getenv("KUBECTL_KUBERC")) == "false" }

// verify is kubectl's CommandOverrideVerifier.Verify: the same checks in the same order.
func verify(path string, seen map[string]string, tree *commandNode) (bool, []Warning) {
	var ws []Warning
	binName := filepath.Base(path)
	isExec, err := isExecutable(path)
	if err == nil && !isExec {
		ws = append(ws, Warning{Kind: NotExecutable,
			Message: fmt.Sprintf("warning: %s identified as a kubectl plugin, but it is not executable", path)})
	} else if err != nil {
		ws = append(ws, Warning{Kind: Unidentified,
			Message: fmt.Sprintf("error: unable to identify %s as an executable file: %v", path, err)})
	}
	if existing, ok := seen[binName]; ok {
		ws = append(ws, Warning{Kind: Shadowed, Related: existing,
			Message: fmt.Sprintf("warning: %s is overshadowed by a similarly named plugin: %s", path, existing)})
	} else {
		seen[binName] = path
	}
	if cmd, ok := tree.find(strings.Split(binName, "-")[1:]); ok {
		ws = append(ws, Warning{Kind: OverwritesCommand, Related: cmd,
			Message: fmt.Sprintf("warning: %s overwrites existing command: %q", binName, cmd)})
	}
	return isExec, ws
}

// isExecutable is kubectl's test: any execute bit on something that is not a directory
// (following symbolic links); on Windows, the extension.
func isExecutable(path string) (bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if runtime.GOOS == "windows" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".bat", ".cmd", ".com", ".exe", ".ps1":
			return true, nil
		}
		return false, nil
	}
	m := info.Mode()
	return !m.IsDir() && m&0o111 != 0, nil
}

// uniquePaths drops repeated entries (exact strings, as kubectl compares them), keeping
// the order.
func uniquePaths(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds the plugin kubectl runs for name (as typed after "kubectl", see
// Plugin.Name, or a file name starting with "kubectl-"): the first executable file of
// that name in PATH order, as exec.LookPath finds it. Earlier files of the same name that
// are not executable are passed over, as kubectl passes over them. Unlike kubectl, which
// reads an empty PATH entry as the working directory when it runs a plugin (though its
// plugin list skips the entry), Lookup only finds what Discover lists.
func Lookup(plugins []Plugin, name string) (Plugin, error) {
	file := FileNameOf(name)
	var notExec []string
	for _, p := range plugins {
		if p.FileName() != file {
			continue
		}
		if p.Executable {
			return p, nil
		}
		notExec = append(notExec, p.Path)
	}
	if len(notExec) > 0 {
		return Plugin{}, fmt.Errorf("plugin %q: %s is not executable, or cannot be read (see \"plugins list\")", name, strings.Join(notExec, ", "))
	}
	return Plugin{}, fmt.Errorf("plugin %q not found: no executable %s in a directory of PATH (see \"plugins list\")", name, file)
}

// commandNode is a kubectl command in the tree built from kubectlCommands.
type commandNode struct {
	name     string
	aliases  []string
	children []*commandNode
}

func newCommandTree(withKubeRC bool) *commandNode {
	root := &commandNode{name: "kubectl"}
	for _, c := range kubectlCommands {
		words := strings.Split(c.path, " ")
		if words[0] == "kuberc" && !withKubeRC {
			continue
		}
		parent := root
		for _, w := range words[:len(words)-1] {
			parent = parent.child(w)
		}
		parent.children = append(parent.children, &commandNode{name: words[len(words)-1], aliases: c.aliases})
	}
	return root
}

// child finds a subcommand by name or alias, as cobra's findNext does (exact, no
// prefixes: kubectl enables neither prefix matching nor case folding).
func (n *commandNode) child(word string) *commandNode {
	for _, c := range n.children {
		if c.name == word {
			return c
		}
		for _, a := range c.aliases {
			if a == word {
				return c
			}
		}
	}
	return nil
}

// find is cobra's Command.Find on kubectl's tree, as Verify calls it with the words of a
// plugin's file name: it descends while words name subcommands (empty words, which cobra
// drops with the flags, are skipped) and succeeds unless it stops at the root with words
// left over. It returns the command path found, e.g. "kubectl top pod".
func (n *commandNode) find(words []string) (string, bool) {
	cur, path := n, []string{n.name}
	left := 0
	for i, w := range words {
		if w == "" {
			continue
		}
		next := cur.child(w)
		if next == nil {
			left = len(words) - i
			break
		}
		cur, path = next, append(path, next.name)
	}
	if cur == n && left > 0 {
		return "", false
	}
	return strings.Join(path, " "), true
}
