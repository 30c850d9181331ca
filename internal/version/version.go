// Package version owns what kubectl-lsp says about its own build: the release version,
// commit and date that a release build stamps with -ldflags -X, falling back to what the
// Go toolchain records in the binary (the module version of `go install ...@vX`, the
// commit and time of a build in a git checkout). Every place that shows the version (the
// version command, --version, the language server's serverInfo, the User-Agent) reads
// Get, so they agree.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set at build time with -ldflags '-X github.com/kubectl-lsp/kubectl-lsp/internal/version.Version=v1.2.3 ...'
// (see hack/dist.sh); empty or "dev" for a plain `go build`, when Get falls back to the
// build info.
var (
	// Version is the release, e.g. v0.2.0.
	Version = "dev"
	// Commit is the full git commit the release was built from.
	Commit = ""
	// Date is the commit's time, RFC 3339 in UTC, e.g. 2026-12-07T20:50:58Z.
	Date = ""
)

// Unknown is the version of a build that neither -ldflags nor the build info name.
const Unknown = "dev"

// Info describes this build of kubectl-lsp.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Date      string `json:"date,omitempty"`
	Modified  bool   `json:"modified,omitempty"` // built from a checkout with local changes
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"` // GOOS/GOARCH
}

// After initialisation Version is the resolved one, Get().Version, for the code that
// reads it directly.
func init() { Version = Get().Version }

var get = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo() // nil when the binary carries none
	return Resolve(Info{Version: Version, Commit: Commit, Date: Date}, bi)
})

// Get is this build's Info: the -ldflags values where they are set, the build info where
// they are not.
func Get() Info { return get() }

// Resolve fills what stamped (the -ldflags values) lacks from bi, which may be nil: the
// version from the main module's version unless it is "(devel)", the commit, date and
// local changes from the vcs.* settings, the Go version from bi or the running toolchain.
// A version that neither has is Unknown.
func Resolve(stamped Info, bi *debug.BuildInfo) Info {
	info := stamped
	info.Platform = runtime.GOOS + "/" + runtime.GOARCH
	info.GoVersion = runtime.Version()
	if info.Version == Unknown {
		info.Version = ""
	}
	if bi != nil {
		info = fromBuildInfo(info, bi)
	}
	if info.Version == "" {
		info.Version = Unknown
	}
	return info
}

// fromBuildInfo fills info's empty fields from bi.
func fromBuildInfo(info Info, bi *debug.BuildInfo) Info {
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	if info.Version == "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	if info.Commit != "" {
		return info // stamped: the build info's vcs settings may be another checkout's
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			if info.Date == "" {
				info.Date = s.Value
			}
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// String is Info on one line: "kubectl-lsp v0.2.0 (commit 0123456789ab, 2026-12-07T20:50:58Z,
// go1.26.0 linux/amd64)", leaving out what is unknown.
func (i Info) String() string {
	var details []string
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if i.Modified {
			c += " with local changes"
		}
		details = append(details, "commit "+c)
	}
	if i.Date != "" {
		details = append(details, i.Date)
	}
	details = append(details, strings.TrimSpace(i.GoVersion+" "+i.Platform))
	return fmt.Sprintf("kubectl-lsp %s (%s)", i.Version, strings.Join(details, ", "))
}
