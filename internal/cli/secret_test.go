package cli

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSecretValuesNeverPrinted: whatever is wrong with a Secret's data or stringData, no
// output format prints its values (they land in CI logs), while the error is still
// reported at its line.
func TestSecretValuesNeverPrinted(t *testing.T) {
	long := strings.Repeat("0123456789-not-base64!", 6)
	cases := []struct {
		name, body string
		secrets    []string
		line       int
	}{
		{"not base64", "data:\n  password: hunter2-top-secret!\n", []string{"hunter2-top-secret!"}, 6},
		{"long, not base64", "data:\n  token: " + long + "\n", []string{long}, 6},
		{"integer", "data:\n  pin: 987654321\n", []string{"987654321"}, 6},
		{"map in stringData", "stringData:\n  nested:\n    inner: s3cr3t-nested-value\n", []string{"s3cr3t-nested-value"}, 7},
		{"list in stringData", "stringData:\n  list: [list-secret-value]\n", []string{"list-secret-value"}, 6},
		{"bad key", "data:\n  \"bad key!\": c2VjcmV0LXZhbHVlLWhlcmU=\n", []string{"c2VjcmV0LXZhbHVlLWhlcmU="}, 6},
		{"dockerconfigjson not JSON", "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: bm90LWpzb24tYXQtYWxsLXNlY3JldA==\n",
			[]string{"bm90LWpzb24tYXQtYWxsLXNlY3JldA==", "not-json-at-all-secret"}, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"s.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n" + tc.body})
			file := filepath.Join(dir, "s.yaml")
			for _, format := range []string{"text", "json", "github", "sarif", "junit"} {
				out, errOut, code := run(t, "", "validate", "-o", format, file)
				if code != 1 {
					t.Fatalf("-o %s: exit %d, want 1 (an error)\n%s%s", format, code, out, errOut)
				}
				all := out + errOut
				for _, s := range tc.secrets {
					for i := 0; i+8 <= len(s); i++ {
						if part := s[i : i+8]; strings.Contains(all, part) {
							t.Fatalf("-o %s prints %q, part of a Secret value:\n%s", format, part, all)
						}
					}
				}
				if format == "text" && !strings.Contains(out, ":"+strconv.Itoa(tc.line)+":") {
					t.Errorf("no finding at line %d:\n%s", tc.line, out)
				}
			}
		})
	}
}
