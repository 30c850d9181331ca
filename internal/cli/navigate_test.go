package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefinitionAndRefs(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"config.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n",
		"deploy.yaml":  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          envFrom: [{configMapRef: {name: settings}}]\n",
		"sub/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: shop}\nspec:\n  template:\n    spec:\n      volumes: [{name: v, configMap: {name: settings}}]\n",
		"other.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: elsewhere}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deploy, config := filepath.Join(dir, "deploy.yaml"), filepath.Join(dir, "config.yaml")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // lines of stdout, each a suffix after the folder
	}{
		{"definition", []string{"definition", "--root", dir, deploy + ":10:45"}, 0, []string{"config.yaml:4:9: name: settings"}},
		{"definition of a name", []string{"definition", "--root", dir, config + ":4:9"}, 1, nil},
		{"refs", []string{"refs", "--root", dir, config + ":4:9"}, 0,
			[]string{"deploy.yaml:10:43: envFrom: [{configMapRef: {name: settings}}]", "sub/job.yaml:7:45: volumes: [{name: v, configMap: {name: settings}}]"}},
		{"refs with the declaration", []string{"refs", "--include-declaration", "--root", dir, deploy + ":10:45"}, 0,
			[]string{"config.yaml:4:9: name: settings", "deploy.yaml:10:43: envFrom: [{configMapRef: {name: settings}}]", "sub/job.yaml:7:45: volumes: [{name: v, configMap: {name: settings}}]"}},
		{"nothing at the position", []string{"refs", "--root", dir, deploy + ":1:1"}, 1, nil},
		{"not a position", []string{"refs", deploy}, 2, nil},
		{"standard input", []string{"definition", "--", "-:1:1"}, 2, nil},
		{"root not a folder", []string{"definition", "--root", deploy, deploy + ":10:45"}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line != "" {
					got = append(got, strings.TrimPrefix(line, dir+string(filepath.Separator)))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
