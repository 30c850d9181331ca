package version

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// buildInfo is what the toolchain records: the main module's version and vcs settings
// as key=value pairs.
func buildInfo(mainVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/kubectl-lsp/kubectl-lsp", Version: mainVersion}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

const (
	rev  = "0123456789abcdef0123456789abcdef01234567"
	rev2 = "fedcba9876543210fedcba9876543210fedcba98"
	when = "2026-12-07T20:50:58Z"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name    string
		stamped Info
		bi      *debug.BuildInfo
		want    Info
	}{
		{"a release build: -ldflags win over the build info",
			Info{Version: "v0.2.0", Commit: rev, Date: when},
			buildInfo("(devel)", "vcs.revision", rev2, "vcs.time", "2020-01-01T00:00:00Z", "vcs.modified", "true"),
			Info{Version: "v0.2.0", Commit: rev, Date: when, GoVersion: "go1.26.0"}},
		{"go install ...@v0.2.0: the module's version, no vcs",
			Info{Version: "dev"},
			buildInfo("v0.2.0"),
			Info{Version: "v0.2.0", GoVersion: "go1.26.0"}},
		{"go build in a checkout: a pseudo-version, the commit and its time",
			Info{Version: "dev"},
			buildInfo("v0.0.0-20261207205058-0123456789ab+dirty", "vcs", "git", "vcs.revision", rev, "vcs.time", when, "vcs.modified", "true"),
			Info{Version: "v0.0.0-20261207205058-0123456789ab+dirty", Commit: rev, Date: when, Modified: true, GoVersion: "go1.26.0"}},
		{"go build outside version control: dev",
			Info{Version: "dev"},
			buildInfo("(devel)"),
			Info{Version: "dev", GoVersion: "go1.26.0"}},
		{"a version stamped alone: commit and date from the build info",
			Info{Version: "v0.2.0"},
			buildInfo("(devel)", "vcs.revision", rev, "vcs.time", when, "vcs.modified", "false"),
			Info{Version: "v0.2.0", Commit: rev, Date: when, GoVersion: "go1.26.0"}},
		{"an empty -ldflags version counts as none",
			Info{Version: ""},
			buildInfo("v0.3.1"),
			Info{Version: "v0.3.1", GoVersion: "go1.26.0"}},
		{"no build info at all: dev and the running toolchain",
			Info{Version: "dev"},
			nil,
			Info{Version: "dev", GoVersion: runtime.Version()}},
		{"no build info, stamped: as stamped",
			Info{Version: "v1.0.0", Commit: rev, Date: when},
			nil,
			Info{Version: "v1.0.0", Commit: rev, Date: when, GoVersion: runtime.Version()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got := Resolve(tc.stamped, tc.bi); got != tc.want {
				t.Errorf("Resolve:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		info Info
		want string
	}{
		{Info{Version: "v0.2.0", Commit: rev, Date: when, GoVersion: "go1.26.0", Platform: "linux/amd64"},
			"kubectl-lsp v0.2.0 (commit 0123456789ab, 2026-12-07T20:50:58Z, go1.26.0 linux/amd64)"},
		{Info{Version: "dev", Commit: "abc", Modified: true, GoVersion: "go1.26.0", Platform: "darwin/arm64"},
			"kubectl-lsp dev (commit abc with local changes, go1.26.0 darwin/arm64)"},
		{Info{Version: "v0.2.0", GoVersion: "go1.26.0", Platform: "windows/amd64"},
			"kubectl-lsp v0.2.0 (go1.26.0 windows/amd64)"},
	}
	for _, tc := range tests {
		if got := tc.info.String(); got != tc.want {
			t.Errorf("String:\n got %q\nwant %q", got, tc.want)
		}
	}
}

// TestGetInATestBinary: a test binary has no -ldflags and a "(devel)" or empty main
// module version, so Get says dev, and says it the same way each time.
func TestGetInATestBinary(t *testing.T) {
	got := Get()
	if got.Version != Unknown || got.Platform != runtime.GOOS+"/"+runtime.GOARCH || got.GoVersion == "" {
		t.Errorf("Get() = %+v", got)
	}
	if Get() != got {
		t.Error("Get changed between calls")
	}
}
