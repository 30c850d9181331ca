// Command kubectl-lsp validates and explains Kubernetes manifests and serves editors over
// the Language Server Protocol. On PATH it is also the kubectl plugin "kubectl lsp".
package main

import (
	"fmt"
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-lsp/kubectl-lsp/internal/cli"
	"github.com/kubectl-lsp/kubectl-lsp/internal/quietinit"      // before the heavy initialisers
	_ "github.com/kubectl-lsp/kubectl-lsp/internal/untranslated" // before kubectl's initialisers
)

func main() {
	cli.EndStartupPause = quietinit.Done
	cmd := cli.NewRootCommand(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	err := cmd.Execute()
	if err != nil {
		if msg := err.Error(); msg != "" && cli.ExitCode(err) != 1 {
			fmt.Fprintln(os.Stderr, "error:", msg)
		}
	}
	os.Exit(cli.ExitCode(err))
}
