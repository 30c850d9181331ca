package engine

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestParseKindSelector(t *testing.T) {
	tests := []struct {
		in      string
		want    KindSelector
		wantErr bool
	}{
		{"Deployment", KindSelector{Kind: "Deployment"}, false},
		{"v1/ConfigMap", KindSelector{APIVersion: "v1", Kind: "ConfigMap"}, false},
		{"apps/v1/Deployment", KindSelector{APIVersion: "apps/v1", Kind: "Deployment"}, false},
		{"", KindSelector{}, true},
		{"a//b", KindSelector{}, true},
		{"apps/v1/", KindSelector{}, true},
		{"a/b/c/d", KindSelector{}, true},
		{"*", KindSelector{}, true},
		{"Deploy ment", KindSelector{}, true},
	}
	for _, tt := range tests {
		got, err := ParseKindSelector(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseKindSelector(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestKindSelectorMatches(t *testing.T) {
	tests := []struct {
		sel, apiVersion, kind string
		want                  bool
	}{
		{"Deployment", "apps/v1", "Deployment", true},
		{"Deployment", "extensions/v1beta1", "Deployment", true},
		{"Deployment", "apps/v1", "deployment", false},
		{"Deployment", "apps/v1", "StatefulSet", false},
		{"apps/v1/Deployment", "apps/v1", "Deployment", true},
		{"apps/v1/Deployment", "apps/v1beta2", "Deployment", false},
		{"v1/ConfigMap", "v1", "ConfigMap", true},
		{"v1/ConfigMap", "example.com/v1", "ConfigMap", false},
	}
	for _, tt := range tests {
		k, err := ParseKindSelector(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Matches(tt.apiVersion, tt.kind); got != tt.want {
			t.Errorf("%s matches %s %s = %v, want %v", tt.sel, tt.apiVersion, tt.kind, got, tt.want)
		}
	}
}

func TestExpandPathsExcluding(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "a_test.yaml", "charts/c/x.yaml", "sub/b.yml", "sub/notes.txt", "sub/charts.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	tests := []struct {
		name    string
		args    []string
		exclude []string
		want    []string
	}{
		{"nothing excluded", []string{dir}, nil, []string{"a.yaml", "a_test.yaml", "charts/c/x.yaml", "sub/b.yml", "sub/charts.yaml"}},
		{"a directory tree", []string{dir}, []string{"**/charts/**"}, []string{"a.yaml", "a_test.yaml", "sub/b.yml", "sub/charts.yaml"}},
		{"test files", []string{dir}, []string{"**/*_test.yaml"}, []string{"a.yaml", "charts/c/x.yaml", "sub/b.yml", "sub/charts.yaml"}},
		{"two patterns", []string{dir}, []string{"**/charts/**", "**/sub/*"}, []string{"a.yaml", "a_test.yaml"}},
		{"braces", []string{dir}, []string{"**/*.{yml,yaml}"}, nil},
		{"an explicit file", []string{filepath.Join(dir, "a_test.yaml"), filepath.Join(dir, "a.yaml")}, []string{"**/*_test.yaml"}, []string{"a.yaml"}},
		{"an excluded argument directory", []string{filepath.Join(dir, "charts")}, []string{"**/charts"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpandPathsExcluding(tt.args, true, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if g := rel(got); !slices.Equal(g, tt.want) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
	for _, p := range []string{"[", "**/{a", "a[b"} {
		if ValidExcludePattern(p) {
			t.Errorf("ValidExcludePattern(%q) = true", p)
		}
	}
	if !ValidExcludePattern("**/charts/**") {
		t.Error("**/charts/** is valid")
	}
}
