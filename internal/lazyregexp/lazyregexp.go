// Package lazyregexp compiles a regular expression the first time it is used instead of
// when its package is initialised: every run of the binary pays for its packages'
// initialisers, and most runs never use the expressions of the cluster, code-action and
// kustomize paths.
package lazyregexp

import (
	"regexp"
	"sync"
)

// New returns a function giving expr compiled; the first call compiles it (and panics,
// as regexp.MustCompile does, on an expression that does not compile), later calls
// return the same *regexp.Regexp. It is safe for concurrent use.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
