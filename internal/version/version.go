// Package version holds the build's version, set with -ldflags at build time.
package version

// Version is the kubectl-lsp release; "dev" for a plain `go build`.
var Version = "dev"
