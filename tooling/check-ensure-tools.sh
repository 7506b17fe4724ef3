#!/usr/bin/env bash
# Checks tooling/ensure-tools.sh against the machines it must survive, each in a
# throwaway dir with its own PATH and npm prefix — the machine's own pnpm,
# corepack and npm globals are never written to:
#   1. no pnpm at all,
#   2. `pnpm` is a corepack shim (as after `corepack enable`),
#   3. `pnpm` is another version (9.15.9).
# Each must end with `pnpm --version` = the pinned version. Needs the npm
# registry (it installs pnpm twice); not part of `npm test`. Run it after
# changing ensure-tools.sh: `bash tooling/check-ensure-tools.sh`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sessionkit-ensure-tools-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
PINNED="$(sed -n 's/^PNPM_VERSION=//p' "$ROOT/tooling/ensure-tools.sh")"

# A PATH with node, npm and the basics, but none of the machine's pnpm.
SYSBIN="$WORK/sysbin"
mkdir -p "$SYSBIN"
for tool in node npm bash sh env timeout tail head mkdir dirname id cat rm ln sed grep \
  readlink uname mktemp cp mv chmod ls; do
  target="$(command -v "$tool")" && ln -s "$target" "$SYSBIN/$tool"
done
# Any global install lands in the throwaway dir (keeping the machine's npmrc,
# which a new prefix would otherwise hide), and corepack caches there too.
export npm_config_globalconfig="$(npm config get globalconfig)"
export npm_config_prefix="$WORK/npm-global" npm_config_cache="$WORK/npm-cache"
export COREPACK_HOME="$WORK/corepack-home"

global_before="$(readlink -f "$(command -v pnpm)" 2>/dev/null || true) $(pnpm --version 2>/dev/null || true)"
failures=0

# Runs ensure-tools.sh sourced (as tooling/test.sh does) in a fresh copy of the
# repo's skeleton, with `$1` first on the PATH; prints what pnpm is afterwards.
scenario() {
  local name="$1" bindir="$2" repo="$WORK/repo-$1"
  mkdir -p "$repo/tooling"
  cp "$ROOT/tooling/ensure-tools.sh" "$repo/tooling/"
  cp "$ROOT/package.json" "$repo/" # its packageManager field is what corepack reads
  local out
  out="$(cd "$repo" && PATH="$bindir:$SYSBIN" bash -c \
    'source tooling/ensure-tools.sh && echo "pnpm=$(command -v pnpm) version=$(pnpm --version)"' 2>&1)" || true
  local last="${out##*$'\n'}"
  if [[ "$last" == *"version=$PINNED" ]]; then
    echo "✓ $name: $last"
  else
    failures=$((failures + 1))
    echo "✗ $name:"
    echo "$out" | sed 's/^/    /'
  fi
}

# 1. No pnpm.
mkdir -p "$WORK/empty"
scenario no-pnpm "$WORK/empty"

# 2. A corepack shim, made by the machine's corepack into the throwaway dir.
mkdir -p "$WORK/shim"
corepack enable --install-directory "$WORK/shim" pnpm
echo "  (shim: $(readlink "$WORK/shim/pnpm"))"
scenario corepack-shim "$WORK/shim"

# 3. Another pnpm version.
npm install --prefix "$WORK/old" --no-save --no-package-lock --no-fund --no-audit pnpm@9.15.9 >/dev/null
scenario pnpm-9 "$WORK/old/node_modules/.bin"

global_after="$(readlink -f "$(command -v pnpm)" 2>/dev/null || true) $(pnpm --version 2>/dev/null || true)"
if [ "$global_before" != "$global_after" ]; then
  failures=$((failures + 1))
  echo "✗ the machine's pnpm changed: '$global_before' → '$global_after'"
else
  echo "✓ the machine's pnpm is untouched: $global_after"
fi

[ "$failures" -eq 0 ] && echo "ensure-tools: all scenarios passed" || exit 1
