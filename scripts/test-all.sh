#!/usr/bin/env bash
# The whole test suite, from a fresh clone: brings up what the tests need, installs the npm
# packages when they are missing or stale, then runs every test once (vitest) and benchmarks nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[test] npm ci"
  npm ci --no-audit --no-fund
fi

echo "[test] typecheck"
npx tsc -p tsconfig.json --noEmit
echo "[test] vitest"
exec npx vitest run "$@"
