package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/kubectl-lsp/kubectl-lsp/internal/lazyregexp"
)

// kubectlUnsafe is what kubectl replaces in a host to name its discovery cache folder.
var kubectlUnsafe = lazyregexp.New(`[^(\w/.)]`)

// plainName is a folder name that is one path element and nothing else.
var plainName = lazyregexp.New(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// hostDir is the cache folder name of an API server URL: one path element, whatever the
// URL holds. For a URL that is a scheme, host and port only (nearly every kubeconfig), it
// is the name kubectl gives (host_port), so the discovery cache is kubectl's. Any other
// URL (a path, user info, a query, odd characters in the host) gets its host with every
// character but letters, digits, '.', '-' and '_' replaced, and a hash of the whole URL:
// never a path segment of the URL, so https://h/../../../tmp/x cannot name a folder
// outside the cache.
func hostDir(server string) string {
	u, err := url.Parse(server)
	if err == nil && u.Opaque == "" && u.User == nil && u.RawQuery == "" && u.Fragment == "" && (u.Path == "" || u.Path == "/") {
		if name := kubectlUnsafe().ReplaceAllString(u.Host, "_"); plainName().MatchString(name) && !strings.Contains(name, "..") {
			return name
		}
	}
	host := ""
	if err == nil {
		host = u.Hostname()
		if p := u.Port(); p != "" {
			host += "_" + p
		}
	}
	host = strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return r
		}
		return '_'
	}, host)
	for strings.Contains(host, "..") {
		host = strings.ReplaceAll(host, "..", "_")
	}
	host = strings.TrimLeft(host, ".")
	if len(host) > 64 {
		host = host[:64]
	}
	if host == "" {
		host = "server"
	}
	sum := sha256.Sum256([]byte(server))
	return host + "-" + hex.EncodeToString(sum[:6])
}

// cachePath joins elems to the cache root, "{host}" standing for the API server's folder
// (hostDir), and checks that the result is inside root.
func cachePath(root, server string, elems ...string) (string, error) {
	parts := []string{root}
	for _, e := range elems {
		if e == "{host}" {
			e = hostDir(server)
		}
		parts = append(parts, e)
	}
	p := filepath.Join(parts...)
	if err := within(root, p); err != nil {
		return "", fmt.Errorf("the cache folder of server %q: %w", server, err)
	}
	return p, nil
}

// within checks that p is root or below it, as paths go (after cleaning).
func within(root, p string) error {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(p))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%s is outside the cache folder %s", p, root)
	}
	return nil
}
