// A private PostgreSQL cluster for tests, bench/ and the e2e scripts: initdb in
// a temp directory, started on a free loopback port (never a fixed one) and
// removed by stop() or when this process exits. Runs the tools as the
// `postgres` user when we are root (PostgreSQL refuses to run as root).
//
// Environment: PG_BIN points at a directory holding initdb and pg_ctl.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';

/** Data directories of clusters still running: stopped and removed on exit. */
const running = new Map();
process.once('exit', () => {
  for (const stop of running.values()) stop();
});

/**
 * Where initdb/pg_ctl are, or why they are not there.
 * @type {typeof import('./index.d.mts').findPgBin}
 */
export function findPgBin() {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      candidates.push(join(root, version, 'bin'));
    }
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return { bin: dir };
  }
  return {
    missing:
      'PostgreSQL server binaries not found (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or $PG_BIN): install them with `apt-get install -y postgresql` (tooling/ensure-tools.sh --services does).',
  };
}

/**
 * @type {typeof import('./index.d.mts').startPgServer}
 */
export async function startPgServer(options = {}) {
  const found = options.bin ? { bin: options.bin } : findPgBin();
  if ('missing' in found) throw new Error(found.missing);
  const { bin } = found;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-pg-'));
  const data = join(dir, 'data');
  /** @param {string} tool @param {string[]} args */
  const run = (tool, args) => {
    const command = join(bin, tool);
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 });
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // Durability off: these clusters hold test data only, and fsync on a shared
  // disk would measure the disk instead of the store.
  const settings = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...options.settings,
  };
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const kill = () => run('pg_ctl', ['-D', data, 'stop', '-m', 'immediate', '-w']);
  const stop = () => {
    running.delete(dir);
    try {
      kill();
    } catch {
      // already stopped (a fault test may have killed it)
    }
    rmSync(dir, { recursive: true, force: true });
  };
  start();
  running.set(dir, stop);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    kill,
    start,
    stop,
  };
}
