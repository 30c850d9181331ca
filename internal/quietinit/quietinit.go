// Package quietinit keeps the garbage collector out of start-up: the Kubernetes packages
// we link allocate about 10 MB in their package initialisers (schemes, feature gates,
// metrics, compiled regular expressions), almost all of it kept for the life of the
// process, and with the collector's default 4 MB starting goal it runs several cycles
// over that heap before main, for nothing to free.
//
// Import it first among main's imports: it depends on little but the runtime, so it is
// initialised ahead of the heavy packages (internal/layers checks that the heap is still
// under the collector's first goal then), and it pauses the collector until Done. The
// commands call Done before they run (validate instead picks settings for its run's
// size).
package quietinit

import (
	"runtime/debug"

	_ "github.com/kubectl-lsp/kubectl-lsp/internal/quietinit/hugeheap" // first: huge pages for the heap
)

// percent is the collector's setting before init paused it: GOGC from the environment,
// or 100.
var percent = debug.SetGCPercent(-1)

// Done gives the collector back its setting (GOGC from the environment, or 100).
// Calling it again does nothing more.
func Done() {
	debug.SetGCPercent(percent)
}
