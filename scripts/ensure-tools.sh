#!/usr/bin/env bash
# Installs what the test suite needs when it is missing: pnpm (pinned), and —
# with `--services` — redis-server, chromium and postgresql from Debian's packages.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run repeatedly.
set -euo pipefail

PNPM_VERSION=10.34.9

ensure_pnpm() {
  if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    echo "› installing pnpm@$PNPM_VERSION"
    npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
  fi
}

apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "✗ missing: $*. Install it with your package manager (Debian: sudo apt-get install -y $*)." >&2
    exit 1
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
