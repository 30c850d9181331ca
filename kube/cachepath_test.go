package kube

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHostDir: a server URL names one folder inside the cache, whatever its path holds;
// plain URLs keep kubectl's folder name, so its discovery cache is shared.
func TestHostDir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "cache")
	tests := []struct {
		server string
		want   string // the exact name, or a prefix ending in "-" for hashed names
	}{
		{"https://127.0.0.1:6443", "127.0.0.1_6443"},
		{"https://127.0.0.1:6443/", "127.0.0.1_6443"},
		{"http://localhost:8080", "localhost_8080"},
		{"https://api.example.com", "api.example.com"},
		{"https://[::1]:6443", "__1_6443-"},
		{"https://rancher.example.com/k8s/clusters/c-m-1", "rancher.example.com-"},
		{"https://host:1/../../../../tmp/x", "host_1-"},
		{"https://host:1/%2e%2e/%2e%2e/tmp/x", "host_1-"},
		{"https://host:1/..", "host_1-"},
		{"https://../x", "_-"},
		{"https://..", "_-"},
		{"https://.:1", "_1-"},
		{"https://user:pass@host:1", "host_1-"},
		{"https://host:1?x=/../../y", "host_1-"},
		{"../../../etc", "server-"},
		{"/../../../etc", "server-"},
		{"", "server-"},
		{"https://a/b\\..\\..\\c", "a-"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.server, func(t *testing.T) {
			name := hostDir(tc.server)
			if strings.HasSuffix(tc.want, "-") {
				if !strings.HasPrefix(name, tc.want) || len(name) != len(tc.want)+12 {
					t.Errorf("hostDir = %q, want %q and a hash", name, tc.want)
				}
			} else if name != tc.want {
				t.Errorf("hostDir = %q, want %q", name, tc.want)
			}
			if strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, ".") {
				t.Errorf("hostDir = %q: not one plain path element", name)
			}
			// Only a trailing slash names the same server.
			if other, dup := seen[name]; dup && strings.TrimSuffix(other, "/") != strings.TrimSuffix(tc.server, "/") {
				t.Errorf("%q and %q share the folder %q", tc.server, other, name)
			}
			seen[name] = tc.server
			for _, elems := range [][]string{{"discovery", "{host}"}, {"kubectl-lsp", "{host}", "openapi-v3.json"}} {
				p, err := cachePath(root, tc.server, elems...)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(p, root+string(filepath.Separator)+elems[0]+string(filepath.Separator)) {
					t.Errorf("cachePath = %s, want it under %s", p, filepath.Join(root, elems[0]))
				}
			}
		})
	}
	if _, err := cachePath(root, "x", "..", "y"); err == nil || !strings.Contains(err.Error(), "outside the cache folder") {
		t.Errorf("cachePath with ..: %v", err)
	}
}
