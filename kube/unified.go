package kube

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Unified is the unified diff (3 lines of context, as diff -u) from live to merged, with
// kubectl diff's file names under live/ and merged/. It is empty when nothing changes.
func Unified(d DiffResult) string {
	if !d.Changed() {
		return ""
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(d.Live),
		B:        difflib.SplitLines(d.Merged),
		FromFile: "live/" + d.Name,
		ToFile:   "merged/" + d.Name,
		Context:  3,
	})
	if err != nil {
		return ""
	}
	// difflib ends a last line without a newline with none; diff -u says so.
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text
}
