#!/usr/bin/env bash
# Makes sure what the test suite needs is there: pnpm at the version the repo
# pins, and — with `--services` — redis-server, chromium and postgresql from Debian's
# packages. Safe to run repeatedly.
#
# Source it (`source tooling/ensure-tools.sh [--services]`, as tooling/test.sh
# does) so that a pnpm it had to install lands on your PATH; tooling/demo.mjs
# asks it for pnpm's path instead.
#
# pnpm: whatever `pnpm` is on the PATH is used when it reports $PNPM_VERSION.
# Otherwise — no pnpm, another version, or a corepack shim that cannot fetch
# it — the pinned version is installed into .tmp/tools/ inside the repo and put
# first on the PATH. The global pnpm (or corepack's shim) is never touched:
# `npm install --global` needs root, and over a corepack shim it fails with
# EEXIST.
set -euo pipefail

PNPM_VERSION=10.34.9
SESSIONKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_PREFIX="$SESSIONKIT_ROOT/.tmp/tools/pnpm-$PNPM_VERSION"

# The version `pnpm` on the PATH reports, or nothing. A corepack shim would ask
# before downloading (and wait for an answer that never comes in CI): it is
# told not to ask, and given a minute.
pnpm_version() {
  COREPACK_ENABLE_DOWNLOAD_PROMPT=0 timeout 60 pnpm --version 2>/dev/null </dev/null | tail -n 1 || true
}

ensure_pnpm() {
  local found
  found="$(pnpm_version)"
  [ "$found" = "$PNPM_VERSION" ] && return 0
  if [ ! -x "$PNPM_PREFIX/node_modules/.bin/pnpm" ]; then
    echo "› installing pnpm@$PNPM_VERSION into ${PNPM_PREFIX#"$SESSIONKIT_ROOT"/} (on the PATH: $(command -v pnpm || echo 'no pnpm') ${found:-(no version)})"
    mkdir -p "$PNPM_PREFIX"
    npm install --prefix "$PNPM_PREFIX" --no-save --no-package-lock --no-fund --no-audit \
      "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$PNPM_PREFIX/node_modules/.bin:$PATH"
  hash -r
  found="$(pnpm_version)"
  if [ "$found" != "$PNPM_VERSION" ]; then
    echo "✗ pnpm@$PNPM_VERSION is needed; after installing it, 'pnpm --version' says '$found'." >&2
    return 1
  fi
}

apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "✗ missing: $*. Install it with your package manager (Debian: sudo apt-get install -y $*)." >&2
    return 1
  fi
  echo "› apt-get install $*"
  if [ -z "${SESSIONKIT_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    export SESSIONKIT_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_services() {
  command -v redis-server >/dev/null || apt_install redis-server
  command -v redis-cli >/dev/null || apt_install redis-tools
  [ -x /usr/bin/chromium ] || apt_install chromium
  # The postgres store's tests start a private cluster with initdb/pg_ctl.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
}

ensure_pnpm
if [ "${1:-}" = "--services" ]; then
  ensure_services
fi
