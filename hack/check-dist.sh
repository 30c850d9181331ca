#!/usr/bin/env bash
# hack/check-dist.sh DIR — checks a release that internal/release/cmd/dist wrote to DIR
# (make dist-snapshot: linux/amd64 alone), as a user would meet it:
#   - checksums.txt matches every archive (sha256sum -c);
#   - krew's own validator accepts DIR/krew/lsp.yaml, and krew itself installs it from this
#     machine's archive (plugins/krew's TestGeneratedManifest*);
#   - DIR/homebrew/kubectl-lsp.rb is valid Ruby (ruby -c; Debian's ruby);
#   - this machine's archive holds exactly kubectl-lsp, LICENSE (the repository's) and
#     README.md, and its binary runs: `version -o json` names the manifest's version and
#     HEAD's commit, and --help works.
set -euo pipefail
export LC_ALL=C
GO=${GO:-go}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(cd "${1:?usage: $0 DIR}" && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'check-dist: %s\n' "$*" >&2; exit 1; }

log "checksums"
(cd "$DIR" && sha256sum --strict -c checksums.txt)

case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) die "unknown machine $(uname -m)" ;; esac
archive=$DIR/kubectl-lsp_linux_$arch.tar.gz
[[ -f $archive ]] || die "no $archive: build linux/$arch"

log "krew manifest, with krew's validator and kubectl krew install"
out=$(cd "$ROOT/plugins/krew" && KUBECTL_LSP_KREW_MANIFEST="$DIR/krew/lsp.yaml" KUBECTL_LSP_KREW_ARCHIVE=$archive \
  timeout 600 "$GO" test -count=1 -v -run '^TestGeneratedManifest' . 2>&1) || die "$out"
for t in TestGeneratedManifest TestGeneratedManifestInstalls; do
  [[ $out == *"--- PASS: $t "* ]] || die "$t did not pass: $out"
done

log "Homebrew formula, with ruby -c"
command -v ruby >/dev/null || die "no ruby: apt-get install ruby"
ruby -c "$DIR/homebrew/kubectl-lsp.rb" >/dev/null

version=$(sed -n 's/^  version: //p' "$DIR/krew/lsp.yaml")
[[ -n $version ]] || die "no spec.version in $DIR/krew/lsp.yaml"
log "unpacking ${archive#"$DIR"/}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$archive" -C "$tmp"
listing=$(tar -tzf "$archive" | tr '\n' ' ')
[[ $listing == 'kubectl-lsp LICENSE README.md ' ]] || die "the archive holds: $listing"
cmp -s "$tmp/LICENSE" "$ROOT/LICENSE" || die "the archive's LICENSE is not the repository's"
[[ -x $tmp/kubectl-lsp ]] || die "the archive's kubectl-lsp is not executable"

log "running its kubectl-lsp"
json=$(timeout 60 "$tmp/kubectl-lsp" version -o json)
commit=$(git -C "$ROOT" rev-parse HEAD)
[[ $json == *"\"version\": \"$version\""* ]] || die "version -o json says $json, want version $version"
[[ $json == *"\"commit\": \"$commit\""* ]] || die "version -o json says $json, want commit $commit"
[[ $json == *'"date": "'[0-9][0-9][0-9][0-9]-* ]] || die "version -o json has no date: $json"
line=$(timeout 60 "$tmp/kubectl-lsp" --version)
[[ $line == "kubectl-lsp $version (commit ${commit:0:12}"* ]] || die "--version says $line"
timeout 60 "$tmp/kubectl-lsp" --help | grep -q '^Usage:' || die "--help prints no usage"
log "release in ${DIR#"$ROOT"/} checked: $line"
