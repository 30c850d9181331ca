#!/usr/bin/env bash
# Test control plane for the integration tests (internal/testcluster).
#
#   hack/controlplane.sh build   build kube-apiserver and kubectl from the pinned
#                                k8s.io/kubernetes release (hack/tools/go.mod) into
#                                .cache/controlplane/<version>/ and link etcd there.
#                                Skipped when the binaries are newer than
#                                hack/tools/go.mod and go.sum.
#   hack/controlplane.sh dir     print that directory.
#   hack/controlplane.sh build oldest
#   hack/controlplane.sh dir oldest
#                                the same for a second control plane: kube-apiserver
#                                (no kubectl) of the oldest release that
#                                --kubernetes-version accepts, pinned in
#                                hack/tools-oldest/go.mod; the differential test
#                                against an older server runs on it.
#
# etcd comes from Debian: apt-get install etcd-server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${GO:-go}"

# Which control plane: the one the product links (default) or the oldest
# supported release. Each has its own tools module and binaries.
case "${2:-}" in
"") TOOLS="$ROOT/hack/tools" BINARIES=(kube-apiserver kubectl) ;;
oldest) TOOLS="$ROOT/hack/tools-oldest" BINARIES=(kube-apiserver) ;;
*) echo "controlplane: unknown control plane '$2' (want nothing or 'oldest')" >&2; exit 2 ;;
esac

# The version is read from the tools module so that go.mod is the single place
# to bump it (internal/testcluster looks for the same directory name).
version() {
	(cd "$TOOLS" && GOWORK=off GOFLAGS=-mod=readonly "$GO" list -m -f '{{.Version}}' k8s.io/kubernetes)
}

die() { echo "controlplane: $*" >&2; exit 1; }

up_to_date() { # dir
	local f
	for f in "${BINARIES[@]}"; do
		f="$1/$f"
		[[ -x "$f" && "$f" -nt "$TOOLS/go.mod" && "$f" -nt "$TOOLS/go.sum" ]] || return 1
	done
}

link_etcd() { # dir
	local etcd
	etcd="$(command -v etcd || true)"
	[[ -n "$etcd" ]] || die "etcd not found in PATH; install it with: apt-get install etcd-server"
	ln -sfn "$etcd" "$1/etcd"
}

build() {
	local ver dir major minor ldflags tmp start
	ver="$(version)" || die "cannot read the k8s.io/kubernetes version from $TOOLS/go.mod"
	[[ "$ver" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+ ]] || die "unexpected k8s.io/kubernetes version $ver"
	major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}"
	dir="$ROOT/.cache/controlplane/$ver"

	# Check etcd first: a missing etcd should not cost a multi-minute build.
	command -v etcd >/dev/null || die "etcd not found in PATH; install it with: apt-get install etcd-server"

	if up_to_date "$dir"; then
		echo "controlplane: ${BINARIES[*]} $ver up to date in ${dir#"$ROOT"/}"
	else
		echo "controlplane: building ${BINARIES[*]} $ver into ${dir#"$ROOT"/} (minutes when the Go build cache is cold)"
		mkdir -p "$dir"
		# Without these the server reports v0.0.0-master, which kubectl cannot parse.
		ldflags="-X k8s.io/component-base/version.gitVersion=$ver"
		ldflags+=" -X k8s.io/component-base/version.gitMajor=$major"
		ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor"
		ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
		# Build into a scratch directory and move into place, so an interrupted
		# build never leaves a binary that looks up to date.
		tmp="$(mktemp -d "$dir/.build.XXXXXX")"
		trap 'rm -rf "$tmp"' EXIT
		start=$SECONDS
		(cd "$TOOLS" && GOWORK=off GOFLAGS=-mod=readonly "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/" \
			"${BINARIES[@]/#/k8s.io/kubernetes/cmd/}")
		(cd "$tmp" && mv -f "${BINARIES[@]}" "$dir/")
		rm -rf "$tmp"
		trap - EXIT
		echo "controlplane: built in $((SECONDS - start)) s: $("$dir/kube-apiserver" --version)"
	fi
	link_etcd "$dir"
}

case "${1:-}" in
build) build ;;
dir) echo "$ROOT/.cache/controlplane/$(version)" ;;
*) echo "usage: $0 build|dir [oldest]" >&2; exit 2 ;;
esac
