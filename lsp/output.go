package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
)

// outputDir is where the server writes the documents it opens for the user (diffs, plugin
// output): a folder of its own, made with os.MkdirTemp in the temp folder (mode 0700, a
// name no one can guess), checked before each write, and removed when the server ends.
// Each document gets a fresh name created exclusively, so a planted file or symlink is
// never followed or overwritten.
type outputDir struct {
	mu   sync.Mutex
	path string
}

// write writes text to a new read-only file named after name (its extension kept) and
// returns its path.
func (o *outputDir) write(name, text string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.path == "" || safefile.CheckPrivateDir(o.path) != nil {
		// Never made, or removed since (a temp cleaner) and perhaps made again by someone
		// else: a new one.
		dir, err := os.MkdirTemp("", "kubectl-lsp-")
		if err != nil {
			return "", fmt.Errorf("making a folder for the output: %w", err)
		}
		if err := safefile.CheckPrivateDir(dir); err != nil {
			return "", err
		}
		o.path = dir
	}
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == os.PathSeparator || r == '*' || r < ' ' {
			return '_'
		}
		return r
	}, name)
	ext := filepath.Ext(name)
	// O_CREATE|O_EXCL, 0600: fails rather than follow anything already there.
	f, err := os.CreateTemp(o.path, strings.TrimSuffix(name, ext)+"-*"+ext)
	if err != nil {
		return "", fmt.Errorf("writing the output: %w", err)
	}
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Chmod(0o400)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the output: %w", err)
	}
	return f.Name(), nil
}

// remove deletes the folder and what was written in it.
func (o *outputDir) remove() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.path != "" && safefile.CheckPrivateDir(o.path) == nil {
		os.RemoveAll(o.path)
	}
	o.path = ""
}
