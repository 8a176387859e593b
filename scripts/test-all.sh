#!/usr/bin/env bash
# The whole test suite, from a fresh clone: brings up what the tests need, installs the npm
# packages when they are missing or stale, then runs every test once (vitest) and benchmarks nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh

# Stale means "installed from another package-lock.json", judged by content, not by file times: a
# fresh checkout or git worktree has a new lock file beside an install that may already match it
# (and a worktree's node_modules may be a link to another checkout's, which npm ci would wipe).
stamp=node_modules/.quantmesh-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  if [ -L node_modules ]; then
    echo "[test] node_modules is a link to another checkout's install and does not match package-lock.json; install there" >&2
    exit 1
  fi
  echo "[test] npm ci"
  npm ci --no-audit --no-fund
  echo "$wanted" > "$stamp"
fi

echo "[test] format (prettier --check; npm run format fixes it)"
npx prettier --check --log-level warn "**/*.{ts,js,mjs}"
echo "[test] typecheck"
npm run --silent typecheck
echo "[test] vitest"
exec npx vitest run "$@"
