package lsp

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseSettingsNothing: what clients send for "no settings" (Neovim's Lua sends an
// empty table as []) keeps the base, with no error.
func TestParseSettingsNothing(t *testing.T) {
	base := Settings{Context: "dev"}
	for _, raw := range []string{"", "null", "[]", " [ ] ", "{}", `{"kubectl-lsp": []}`, `{"kubectl-lsp": null}`, `{"kubectlLsp": {}}`} {
		got, err := parseSettings(json.RawMessage(raw), base)
		if err != nil || got.Context != "dev" {
			t.Errorf("parseSettings(%q) = %+v, %v; want the base, no error", raw, got, err)
		}
	}
	for _, raw := range []string{"[1]", `"dev"`, "3", `{"kubectl-lsp": [1]}`} {
		if _, err := parseSettings(json.RawMessage(raw), base); err == nil {
			t.Errorf("parseSettings(%q): no error", raw)
		}
	}
}

// TestCheckGlobs: malformed files and exclude globs are refused with a message naming
// the setting and the glob; the usual forms are accepted.
func TestCheckGlobs(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want string // a part of the error, "" for none
	}{
		{`{"files": ["**/*.{yaml,yml}", "[!_]*.yaml", "deploy/**", "k?s/[a-c].yaml"]}`, ""},
		{`{"exclude": ["{charts,vendor}/**", "**/[^.]*"]}`, ""},
		{`{"files": ["[a-"]}`, `files: bad glob "[a-"`},
		{`{"files": ["ok/**"], "exclude": ["*.{yaml,yml"]}`, `exclude: bad glob "*.{yaml,yml"`},
		{`{"exclude": ["a\\"]}`, `exclude: bad glob "a\\"`},
	} {
		_, err := parseSettings(json.RawMessage(c.raw), Settings{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.raw, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one containing %q", c.raw, err, c.want)
		}
	}
}
