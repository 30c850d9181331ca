#!/usr/bin/env bash
# hack/bench.sh — `make bench`: kubectl-lsp validate against kubeconform, side by side, on
# the same generated corpus (internal/bench), then the Go benchmarks.
#
# Prints, per corpus (5,000 and 500 documents), the median wall time of RUNS interleaved
# runs of each tool, documents per second, CPU time (user + system), peak RSS and the
# kubectl-lsp/kubeconform ratios; then the findings of both tools on a corpus with
# injected errors. On a busy machine wall times swing; CPU times much less.
#
# Offline once the tools are installed: kubeconform reads standalone JSON Schemas that
# internal/gen/jsonschema writes from kubectl-lsp's embedded OpenAPI, so both judge the
# same specification.
#
# Environment:
#   BENCH_RUNS=5            timed runs per tool and corpus (median reported)
#   BENCH_DOCS="5000 500"   corpus sizes
#   BENCH_ERROR_DOCS=1000   size of the corpus with injected errors (every 10th invalid)
#   BENCH_CLUSTER=1         also measure the cluster schema source (real kube-apiserver)
#   BENCH_GO=1              also run the Go benchmarks (go test -bench) afterwards
#   BENCH_TIMER=auto        auto (GNU /usr/bin/time if present), time, or helper
#   BENCH_STRICT=0          1: exit 1 when kubectl-lsp misses its targets (>= 3x, < 120 MiB)
#
# Measurement: wall time from bash's EPOCHREALTIME around each run; peak RSS and CPU
# time from GNU time's %M, %U and %S. Without GNU time (not on a fresh Debian: apt-get install time), a small Go
# helper (internal/bench/cmd/measure) measures both with wait4's rusage.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
MAKE=${MAKE:-make}
RUNS=${BENCH_RUNS:-5}
DOCS=${BENCH_DOCS:-5000 500}
ERROR_DOCS=${BENCH_ERROR_DOCS:-1000}
ERROR_EVERY=10
K8S=1.37
KUBECONFORM_VERSION=v0.8.0
TOOLS=$ROOT/.cache/tools
OUT=$ROOT/.cache/bench
SCHEMAS=$OUT/schemas-$K8S
BIN=$ROOT/bin/kubectl-lsp
KUBECONFORM=$TOOLS/kubeconform
HELPERS=$OUT/bin

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

mkdir -p "$OUT" "$TOOLS" "$HELPERS"

# --- build --------------------------------------------------------------------------
# Under make, the bench target's build prerequisite has just built bin/kubectl-lsp.
if [[ -z ${MAKELEVEL:-} || ! -x $BIN ]]; then
  log "building $BIN"
  "$MAKE" --no-print-directory build >&2
fi

installed=$("$GO" version -m "$KUBECONFORM" 2>/dev/null || true)
if [[ ! $installed =~ mod[[:space:]]+github.com/yannh/kubeconform[[:space:]]+$KUBECONFORM_VERSION ]]; then
  log "installing kubeconform $KUBECONFORM_VERSION into $TOOLS"
  GOBIN=$TOOLS GOFLAGS= "$GO" install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi

log "building the corpus generator and helpers"
"$GO" build -o "$HELPERS/" ./internal/bench/cmd/corpus ./internal/bench/cmd/compare ./internal/bench/cmd/measure

# --- schemas for kubeconform (cached) ------------------------------------------------
# Regenerated when the generator, the enum table or the embedded release changed.
stamp=$SCHEMAS/.generated
if [[ ! -f $stamp ]] || [[ -n $(find internal/gen/jsonschema schema/enums "schema/builtin/data/v$K8S" -newer "$stamp" -type f -print -quit) ]]; then
  log "generating kubeconform schemas for Kubernetes $K8S into ${SCHEMAS#"$ROOT"/}"
  rm -rf "$SCHEMAS.tmp"
  "$GO" run ./internal/gen/jsonschema -kubernetes-version "$K8S" -out "$SCHEMAS.tmp" 2>&1 | sed 's/^/    /' >&2
  rm -rf "$SCHEMAS"
  mv "$SCHEMAS.tmp" "$SCHEMAS"
  touch "$SCHEMAS/.generated"
fi
SCHEMA_LOCATION="$SCHEMAS/{{.ResourceKind}}{{.KindSuffix}}.json"

# --- corpora ---------------------------------------------------------------------------
for n in $DOCS; do
  "$HELPERS/corpus" -n "$n" -o "$OUT/corpus-$n.yaml"
done
"$HELPERS/corpus" -n "$ERROR_DOCS" -every "$ERROR_EVERY" -o "$OUT/errors-$ERROR_DOCS.yaml" -injected "$OUT/errors-$ERROR_DOCS.tsv"

# --- measuring -------------------------------------------------------------------------
timer=${BENCH_TIMER:-auto}
if [[ $timer == auto ]]; then
  timer=helper
  if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
    timer=time
  fi
fi

# tool_cmd TOOL FILE: the command line of TOOL validating FILE, in array CMD.
tool_cmd() {
  case $1 in
    kubectl-lsp) CMD=("$BIN" validate "$2" -o json) ;;
    kubeconform) CMD=("$KUBECONFORM" -strict -summary -schema-location "$SCHEMA_LOCATION" "$2") ;;
    *) die "unknown tool $1" ;;
  esac
}

now() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

# measure TOOL FILE: run once, stdout discarded; prints "SECONDS KIB CPU". Fails on a
# non-zero exit (the corpora are valid).
measure() {
  local tool=$1 file=$2 m=$OUT/.measure err=$OUT/.stderr start end rc=0
  tool_cmd "$tool" "$file"
  if [[ $timer == time ]]; then
    start=$(now)
    /usr/bin/time -f '%e %M %U %S' -o "$m" "${CMD[@]}" >/dev/null 2>"$err" || rc=$?
    end=$(now)
    [[ $rc == 0 ]] || { cat "$err" >&2; die "$tool exited $rc on $file"; }
    awk -v s="$start" -v e="$end" '{ printf "%.4f %d %.2f\n", e - s, $2, $3 + $4 }' "$m"
  else
    "$HELPERS/measure" -o "$m" -- "${CMD[@]}" 2>"$err" || rc=$?
    [[ $rc == 0 ]] || { cat "$err" >&2; die "$tool exited $rc on $file"; }
    cat "$m"
  fi
}

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { sort -g | tail -n 1; }

# verify FILE N: both tools must find the N documents valid.
verify() {
  local file=$1 n=$2 summary
  summary=$("$BIN" validate "$file" -o json | tr -d ' \n' | grep -o '"summary":{[^}]*}') || die "kubectl-lsp: $file is not valid"
  [[ $summary == *"\"documents\":$n,\"valid\":$n,"* ]] || die "kubectl-lsp on $file: $summary"
  summary=$("$KUBECONFORM" -strict -summary -schema-location "$SCHEMA_LOCATION" "$file" | tail -n 1) || die "kubeconform: $file is not valid: $summary"
  [[ $summary == *"Valid: $n, Invalid: 0, Errors: 0, Skipped: 0"* ]] || die "kubeconform on $file: $summary"
}

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
printf '\nkubectl-lsp %s vs kubeconform %s, Kubernetes %s schemas, %s CPUs, %d runs each (interleaved), timer: %s\n' \
  "$("$BIN" version 2>/dev/null | awk '{ print $2; exit }')" "$KUBECONFORM_VERSION" "$K8S" "$ncpu" "$RUNS" "$timer"

status=0
for n in $DOCS; do
  file=$OUT/corpus-$n.yaml
  size=$(wc -c <"$file")
  verify "$file" "$n" # also warms the page cache and both binaries
  declare -A secs=() rss=() cpu=()
  for ((i = 1; i <= RUNS; i++)); do
    order=(kubectl-lsp kubeconform)
    ((i % 2)) || order=(kubeconform kubectl-lsp)
    for tool in "${order[@]}"; do
      m=$(measure "$tool" "$file")
      read -r s k c <<<"$m"
      secs[$tool]+="$s "
      rss[$tool]+="$k "
      cpu[$tool]+="$c "
    done
  done
  printf '\n%d documents, %.1f MB (%s), both tools: 0 invalid\n' "$n" "$(awk -v b="$size" 'BEGIN { print b / 1e6 }')" "${file#"$ROOT"/}"
  printf '  %-12s %6s %9s %9s %7s %14s %13s\n' tool docs 'median s' 'docs/s' 'CPU s' 'peak RSS MiB' 'max RSS MiB'
  declare -A rate=() mib=() cpus=()
  for tool in kubectl-lsp kubeconform; do
    med=$(tr ' ' '\n' <<<"${secs[$tool]}" | grep . | median)
    rate[$tool]=$(awk -v n="$n" -v s="$med" 'BEGIN { printf "%.0f", n / s }')
    mib[$tool]=$(tr ' ' '\n' <<<"${rss[$tool]}" | grep . | median | awk '{ printf "%.1f", $1 / 1024 }')
    max=$(tr ' ' '\n' <<<"${rss[$tool]}" | grep . | maximum | awk '{ printf "%.1f", $1 / 1024 }')
    cpus[$tool]=$(tr ' ' '\n' <<<"${cpu[$tool]}" | grep . | median)
    printf '  %-12s %6d %9.3f %9d %7.2f %14s %13s\n' "$tool" "$n" "$med" "${rate[$tool]}" "${cpus[$tool]}" "${mib[$tool]}" "$max"
  done
  ratio=$(awk -v a="${rate[kubectl-lsp]}" -v b="${rate[kubeconform]}" 'BEGIN { printf "%.2f", a / b }')
  rssratio=$(awk -v a="${mib[kubectl-lsp]}" -v b="${mib[kubeconform]}" 'BEGIN { printf "%.2f", a / b }')
  cpuratio=$(awk -v a="${cpus[kubectl-lsp]}" -v b="${cpus[kubeconform]}" 'BEGIN { printf "%.2f", b / a }')
  printf '  kubectl-lsp vs kubeconform: throughput %sx, CPU efficiency %sx, peak RSS %sx\n' "$ratio" "$cpuratio" "$rssratio"
  if [[ $n == 5000 ]]; then
    verdict=met
    if awk -v r="$ratio" -v m="${mib[kubectl-lsp]}" 'BEGIN { exit !(r < 3 || m >= 120) }'; then
      verdict="NOT met"
      status=1
    fi
    printf '  target (>= 3x kubeconform, < 120 MiB peak RSS): %s\n' "$verdict"
  fi
  unset secs rss cpu rate mib cpus
done

# --- findings on a corpus with injected errors ----------------------------------------
efile=$OUT/errors-$ERROR_DOCS.yaml
printf '\n'
rc=0
"$BIN" validate "$efile" -o json >"$OUT/errors.kubectl-lsp.json" 2>"$OUT/.stderr" || rc=$?
[[ $rc -le 1 ]] || { cat "$OUT/.stderr" >&2; die "kubectl-lsp exited $rc on $efile"; }
rc=0
"$KUBECONFORM" -strict -output json -schema-location "$SCHEMA_LOCATION" "$efile" >"$OUT/errors.kubeconform.json" 2>"$OUT/.stderr" || rc=$?
[[ $rc -le 1 ]] || { cat "$OUT/.stderr" >&2; die "kubeconform exited $rc on $efile"; }
"$HELPERS/compare" -n "$ERROR_DOCS" -injected "$OUT/errors-$ERROR_DOCS.tsv" \
  -lsp "$OUT/errors.kubectl-lsp.json" -kubeconform "$OUT/errors.kubeconform.json"
rm -f "$OUT/.measure" "$OUT/.stderr"

# --- cluster schema source ------------------------------------------------------------
# Cold and warm schema loads (time and requests reaching the network) against a real
# kube-apiserver, and kubectl-lsp explain vs kubectl explain as processes.
if [[ ${BENCH_CLUSTER:-1} == 1 ]]; then
  log "cluster schema source (the control plane is built once into .cache: make controlplane)"
  "$MAKE" --no-print-directory controlplane >&2
  printf '
'
  "$GO" run ./internal/bench/cmd/clusterbench -runs "$RUNS" -bin "$BIN"
fi

# --- Go benchmarks ---------------------------------------------------------------------
if [[ ${BENCH_GO:-1} == 1 ]]; then
  printf '\nGo benchmarks:\n'
  "$GO" test -run '^$' -bench . -benchmem ./internal/...
fi

if [[ ${BENCH_STRICT:-0} == 1 ]]; then
  exit "$status"
fi
