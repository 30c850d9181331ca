// Package untranslated keeps kubectl's message catalogue out of start-up: the kubectl
// packages we link call i18n.T in their package initialisers, and the first call builds
// a zip of the catalogue and parses it (about 25 ms before main, on every run, for
// strings kubectl-lsp prints in English anyway).
//
// Import it for its side effect, before any kubectl package: its import path sorts
// before k8s.io/..., so it is initialised as soon as k8s.io/kubectl/pkg/util/i18n is,
// ahead of the packages that call i18n.T.
package untranslated

import "k8s.io/kubectl/pkg/util/i18n"

func init() {
	i18n.SetLoadTranslationsFunc(func() error { return nil })
}
