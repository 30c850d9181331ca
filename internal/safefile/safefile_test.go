//go:build unix

package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFile: regular files within the limit are read; devices, pipes, folders and
// files over the limit are refused at once with a message naming what they are.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string // the content, or a substring of the error
		ok         bool
	}{
		{"a small file", small, "hello", true},
		{"a symlink to a small file is followed", mustLink(t, small), "hello", true},
		{"over the limit", big, "is 2048 bytes, more than the 1024 bytes", false},
		{"/dev/zero", "/dev/zero", "is not a regular file (a character device)", false},
		{"a symlink to /dev/zero", link, "is not a regular file (a character device)", false},
		{"a named pipe", fifo, "is not a regular file (a named pipe)", false},
		{"a folder", dir, "is not a regular file (a folder)", false},
		{"missing", filepath.Join(dir, "nope"), "no such file", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { data, err = ReadFile(tc.path, 1024); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadFile hangs")
			}
			if tc.ok {
				if err != nil || string(data) != tc.want {
					t.Fatalf("ReadFile = %q, %v; want %q", data, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.path != filepath.Join(dir, "nope") && !strings.Contains(err.Error(), "refusing") {
				t.Errorf("err = %v: say it is refused", err)
			}
		})
	}
}

func mustLink(t *testing.T, target string) string {
	t.Helper()
	l := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(target, l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCheckPrivateDir: only a real folder of this user's that no one else may enter.
func TestCheckPrivateDir(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(root, name)
		if err := os.Mkdir(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	private := mk("private", 0o700)
	link := filepath.Join(root, "link")
	if err := os.Symlink(private, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Someone else's folder: root's, or, for root, one given to another uid.
	others := "/"
	if os.Getuid() == 0 {
		others = mk("others", 0o700)
		if err := os.Chown(others, 4242, 4242); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, dir, want string
	}{
		{"0700", private, ""},
		{"another user's", others, "belongs to another user"},
		{"0777", mk("open", 0o777), "is open to other users (mode -rwxrwxrwx)"},
		{"group-writable", mk("group", 0o770), "is open to other users"},
		{"readable by others", mk("readable", 0o755), "is open to other users"},
		{"a symlink to a private folder", link, "is not a folder"},
		{"a file", file, "is not a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPrivateDir(tc.dir)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
