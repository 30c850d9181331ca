package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/safefile"
	"github.com/kubectl-lsp/kubectl-lsp/internal/yamlpos"
)

// readInput reads the manifests of path ("-": standard input, named <stdin>) and splits
// them into documents. limit, when not zero, bounds the read and refuses what is not a
// regular file. A failure is a usage error (exit status 2) naming what could not be read.
func readInput(in io.Reader, path string, limit int64) (*yamlpos.File, error) {
	var data []byte
	var err error
	name := path
	switch {
	case path == "-":
		name = "<stdin>"
		data, err = io.ReadAll(in)
	case limit > 0:
		data, err = safefile.ReadFile(path, limit)
	default:
		var ok bool
		if data, ok, err = readLarge(path); !ok && err == nil {
			data, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("reading %s: %w", name, err)}
	}
	return yamlpos.Split(name, data), nil
}

// kustomizeHelp is kubectl's help for -k.
const kustomizeHelp = "Process the kustomization directory. This flag can't be used together with -f or -R."

// checkKustomize refuses -k together with files (-f or arguments) or -R, in kubectl's
// words.
func checkKustomize(dir string, files []string, recursive bool) error {
	switch {
	case dir == "":
		return nil
	case len(files) > 0:
		return usageError("only one of -f or -k can be specified (files or directories given: %s)", strings.Join(files, ", "))
	case recursive:
		return usageError("the -k flag can't be used with -f or -R")
	}
	return nil
}
