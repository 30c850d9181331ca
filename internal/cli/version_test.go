package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubectl-lsp/kubectl-lsp/internal/version"
)

// TestVersionJSON: `version -o json` is one JSON object with the resolved version, for
// scripts; unknown fields are refused, so the contract is exactly version.Info.
func TestVersionJSON(t *testing.T) {
	out, errOut, code := run(t, "", "version", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var got version.Info
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
	if got != version.Get() || got.Version == "" || got.Platform == "" || got.GoVersion == "" {
		t.Errorf("version -o json = %+v, want %+v", got, version.Get())
	}
	for _, key := range []string{`"version":`, `"goVersion":`, `"platform":`} {
		if !strings.Contains(out, key) {
			t.Errorf("no %s in %s", key, out)
		}
	}
}

// TestVersionText: `version` and `--version` print the same one line.
func TestVersionText(t *testing.T) {
	want := version.Get().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := run(t, "", args...)
		if code != 0 || out != want {
			t.Errorf("%v: exit %d, %q (stderr %q), want %q", args, code, out, errOut, want)
		}
	}
	if !strings.HasPrefix(want, "kubectl-lsp ") {
		t.Errorf("the line %q does not start with the program's name", want)
	}
}

// TestVersionBadUsage: other formats and arguments are usage errors (exit status 2).
func TestVersionBadUsage(t *testing.T) {
	for _, args := range [][]string{{"version", "-o", "yaml"}, {"version", "extra"}} {
		out, errOut, code := run(t, "", args...)
		if code != 2 || out != "" || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}
