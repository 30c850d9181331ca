package cli

import (
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// TestStartupPauseEnded: every command but validate ends start-up's pause of the garbage
// collector before it runs; validate keeps it paused for a small input and sets its
// batch setting (300) for a large one.
func TestStartupPauseEnded(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: it wins over the run's settings")
	}
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	ended := 0
	EndStartupPause = func() { ended++; debug.SetGCPercent(100) }
	t.Cleanup(func() {
		EndStartupPause = nil
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	pause := func() { debug.SetGCPercent(-1) }

	pause()
	if _, stderr, code := run(t, "", "version"); code != 0 {
		t.Fatalf("version: exit %d: %s", code, stderr)
	}
	if ended != 1 || debug.SetGCPercent(-1) != 100 {
		t.Errorf("version: the pause was ended %d times, want 1, with the collector at 100", ended)
	}

	small := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	cases := []struct {
		name    string
		input   string
		percent int
	}{
		{"small input", small, -1},
		{"large input", strings.Repeat(small+"---\n", smallRun/len(small)+1), 300},
	}
	for _, c := range cases {
		pause()
		ended = 0
		dir := writeFiles(t, map[string]string{"in.yaml": c.input})
		if _, stderr, code := run(t, "", "validate", dir+"/in.yaml"); code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		if got := debug.SetGCPercent(-1); got != c.percent || ended != 0 {
			t.Errorf("%s: collector at %d after validate (pause ended %d times), want %d", c.name, got, ended, c.percent)
		}
		if got := debug.SetMemoryLimit(-1); got == math.MaxInt64 {
			t.Errorf("%s: no memory limit after validate", c.name)
		}
	}
}
