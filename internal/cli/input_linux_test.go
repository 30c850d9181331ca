package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadLarge: a large file is read whole, byte for byte; a small one, a directory and
// a missing file are left to the ordinary read (or its error).
func TestReadLarge(t *testing.T) {
	dir := t.TempDir()
	large := []byte(strings.Repeat("apiVersion: v1\nkind: ConfigMap\n---\n", largeInput/30))
	small := []byte("apiVersion: v1\n")
	for name, data := range map[string][]byte{"large.yaml": large, "small.yaml": small} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := readLarge(filepath.Join(dir, "large.yaml"))
	if !ok || err != nil || !bytes.Equal(got, large) || cap(got) != len(large) {
		t.Errorf("large file: ok=%v err=%v, %d bytes (cap %d), want %d", ok, err, len(got), cap(got), len(large))
	}
	for _, name := range []string{"small.yaml", "."} {
		if _, ok, err := readLarge(filepath.Join(dir, name)); ok || err != nil {
			t.Errorf("%s: ok=%v err=%v, want neither", name, ok, err)
		}
	}
	if _, ok, err := readLarge(filepath.Join(dir, "missing.yaml")); ok || !os.IsNotExist(err) {
		t.Errorf("missing file: ok=%v err=%v, want not-exist", ok, err)
	}
}
