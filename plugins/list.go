package plugins

import (
	"fmt"
	"io"
	"path/filepath"
)

// WriteList prints what `kubectl plugin list` prints for the result of Discover, byte for
// byte and on the same streams: notes on unreadable PATH directories (errOut), a header
// and one path per plugin (out; file names only with nameOnly), each plugin's warnings
// indented under it (errOut), then the closing errors (errOut). It reports false when
// kubectl would exit with status 1: no plugins, a warning, or a PATH directory error.
func WriteList(out, errOut io.Writer, plugins []Plugin, dirWarnings []Warning, nameOnly bool) bool {
	var final []string
	for _, w := range dirWarnings {
		if w.Kind == DirectoryError {
			final = append(final, w.Message)
			continue
		}
		fmt.Fprintln(errOut, w.Message)
	}
	if len(plugins) > 0 {
		fmt.Fprint(out, "The following compatible plugins are available:\n\n")
	} else {
		final = append(final, "error: unable to find any kubectl plugins in your PATH")
	}
	warnings := 0
	for _, p := range plugins {
		if nameOnly {
			fmt.Fprintln(out, filepath.Base(p.Path))
		} else {
			fmt.Fprintln(out, p.Path)
		}
		for _, w := range p.Warnings {
			fmt.Fprintf(errOut, "  - %s\n", w.Message)
			warnings++
		}
	}
	switch {
	case warnings == 1:
		final = append(final, "error: one plugin warning was found")
	case warnings > 1:
		final = append(final, fmt.Sprintf("error: %d plugin warnings were found", warnings))
	}
	for _, m := range final {
		fmt.Fprintln(errOut, m)
	}
	return len(final) == 0
}
