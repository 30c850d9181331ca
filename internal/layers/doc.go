// Package layers holds the test that keeps the import graph layered: the faces (the CLI
// in internal/cli, the language server in lsp) sit on the engine, and nothing below them
// reaches back up. It has no code of its own.
package layers
