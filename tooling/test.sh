#!/usr/bin/env bash
# The whole test suite, from a fresh clone: `npm test`.
# Installs pnpm, dependencies, redis-server and chromium when missing, then runs
# lint, type checks, unit/integration tests (real redis-server, Redis Cluster),
# packaging gates, the bundle-size budget and the browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

source tooling/ensure-tools.sh --services
export MONGOMS_DISABLE_POSTINSTALL=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1

step() { echo; echo "━━ $*"; }
mkdir -p .tmp
rm -f .tmp/vitest.json .tmp/e2e.log .tmp/e2e-v5.log .tmp/drop-in.log

step "install"
pnpm install --frozen-lockfile

step "build"
pnpm build

step "lint (biome)"
pnpm exec biome ci .

step "typecheck"
pnpm typecheck

step "unit and integration tests"
pnpm exec vitest run --coverage --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json

step "packaging (publint --strict, attw --pack)"
node tooling/check-packages.mjs

step "tarball smoke test (pnpm pack → npm install → import/require)"
node tooling/smoke-tarballs.mjs

step "bundle size (@sessionkit/react)"
pnpm --filter @sessionkit/react size

step "end-to-end (Next.js example app in Chromium)"
pnpm --filter next-app test:e2e 2>&1 | tee .tmp/e2e.log

step "end-to-end (next-auth v5 example in Chromium)"
node examples/next-app-v5/scripts/e2e.mjs 2>&1 | tee .tmp/e2e-v5.log

step "drop-in (packed tarballs in freshly scaffolded Next.js 15.5 apps, next-auth v5 and v4, Chromium)"
node tests/drop-in/run.mjs 2>&1 | tee .tmp/drop-in.log

echo
echo "All checks passed."
node tooling/summarize-tests.mjs .tmp/vitest.json .tmp/e2e.log .tmp/e2e-v5.log .tmp/drop-in.log
