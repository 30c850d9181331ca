//go:build unix

package kube_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-lsp/kubectl-lsp/kube"
)

// TestHostileKubeconfig: a kubeconfig, or a file it names, that is a device, a named pipe
// or a huge file is refused at once with a message saying what it is; nothing is read
// from it (no hang, no endless allocation).
func TestHostileKubeconfig(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zeroLink := filepath.Join(dir, "config-link")
	if err := os.Symlink("/dev/zero", zeroLink); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if f, err := os.Create(huge); err != nil {
		t.Fatal(err)
	} else if err := f.Truncate(64 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	} else {
		f.Close()
	}
	kubeconfig := func(name, cluster, user string) string {
		p := filepath.Join(dir, name)
		text := "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n" +
			"clusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:1\n" + cluster +
			"users:\n- name: u\n  user:\n" + user
		if user == "" {
			text += "    token: x\n"
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := kubeconfig("good", "", "")

	tests := []struct {
		name       string
		kubeconfig string // --kubeconfig
		env        string // $KUBECONFIG, when --kubeconfig is not given
		want       string // "" for a kubeconfig that works
		// named: the file is named by the kubeconfig, which itself is fine (kube.Contexts
		// does not read it).
		named bool
	}{
		{name: "a plain kubeconfig", kubeconfig: good},
		{name: "--kubeconfig /dev/zero", kubeconfig: "/dev/zero", want: "/dev/zero is not a regular file (a character device): refusing to read it"},
		{name: "a symlink to /dev/zero", kubeconfig: zeroLink, want: "is not a regular file (a character device)"},
		{name: "a named pipe", kubeconfig: fifo, want: "is not a regular file (a named pipe)"},
		{name: "a folder", kubeconfig: dir, want: "is not a regular file (a folder)"},
		{name: "64 MiB", kubeconfig: huge, want: "is 64 MiB, more than the 16 MiB"},
		{name: "$KUBECONFIG listing /dev/zero", env: good + string(filepath.ListSeparator) + "/dev/zero", want: "/dev/zero is not a regular file"},
		{name: "$KUBECONFIG listing a missing file", env: good + string(filepath.ListSeparator) + filepath.Join(dir, "nope")},
		{name: "certificate-authority /dev/zero", kubeconfig: kubeconfig("ca", "    certificate-authority: /dev/zero\n", ""),
			want: "the kubeconfig's cluster k certificate-authority: /dev/zero is not a regular file", named: true},
		{name: "client-key a named pipe", kubeconfig: kubeconfig("key", "", "    client-certificate: "+good+"\n    client-key: "+fifo+"\n"),
			want: "the kubeconfig's user u client-key: " + fifo + " is not a regular file (a named pipe)", named: true},
		{name: "tokenFile 64 MiB", kubeconfig: kubeconfig("token", "", "    tokenFile: "+huge+"\n"),
			want: "the kubeconfig's user u tokenFile: " + huge + " is 64 MiB", named: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tc.env)
			flags := genericclioptions.NewConfigFlags(false)
			if tc.kubeconfig != "" {
				flags.KubeConfig = &tc.kubeconfig
			}
			cache := t.TempDir()
			flags.CacheDir = &cache
			for _, call := range []struct {
				name string
				f    func() error
			}{
				{"New", func() error { _, err := kube.New(kube.Options{Flags: flags}); return err }},
				{"Contexts", func() error { _, _, err := kube.Contexts(flags); return err }},
			} {
				done := make(chan error, 1)
				go func() { done <- call.f() }()
				var err error
				select {
				case err = <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("%s hangs", call.name)
				}
				want := tc.want
				if call.name == "Contexts" && tc.named {
					want = ""
				}
				if want == "" {
					if err != nil && !errors.Is(err, kube.ErrNoContext) {
						t.Fatalf("%s: %v", call.name, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("%s: err = %v, want %q", call.name, err, want)
				}
			}
		})
	}
}
