#!/usr/bin/env bash
# Refreshes internal/cli/testdata/sarif-schema-2.1.0.json, the OASIS SARIF 2.1.0 JSON schema
# (errata01) that TestSARIFMatchesSchema validates -o sarif against. It comes from a Go
# module through the module proxy: gosec keeps a copy as test data.
set -euo pipefail
cd "$(dirname "$0")/.."
module=github.com/securego/gosec/v2@v2.30.0
want=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e
dir=$(cd "$(mktemp -d)" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src="$dir/report/sarif/testdata/sarif-schema-2.1.0.json"
got=$(sha256sum "$src" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "$src: sha256 $got, want $want" >&2
  exit 1
fi
install -m 0644 "$src" internal/cli/testdata/sarif-schema-2.1.0.json
echo "internal/cli/testdata/sarif-schema-2.1.0.json from $module"
