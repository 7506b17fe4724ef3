import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private PostgreSQL cluster for tests: initdb in a temp directory, started on
 * a free loopback port (never a fixed one), removed by stop(). Runs as the
 * `postgres` user when the tests run as root (PostgreSQL refuses root).
 */
export interface PgTestServer {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only). */
  url: string;
  /** Kills the server at once (`pg_ctl stop -m immediate`): a crash, for fault tests. */
  kill(): void;
  /** Starts it again on the same port and data directory. */
  start(): void;
  /** Stops it and deletes the cluster. */
  stop(): void;
}

/** Where initdb/pg_ctl are, or null with the reason they are not. */
export function findPgBin(): { bin: string } | { missing: string } {
  const fromEnv = process.env.PG_BIN;
  const candidates = fromEnv ? [fromEnv] : [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse())
      candidates.push(join(root, version, 'bin'));
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return { bin: dir };
  }
  return {
    missing:
      'PostgreSQL server binaries not found (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or $PG_BIN): install them with `apt-get install -y postgresql` (scripts/ensure-tools.sh --services does).',
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPgServer(bin: string): Promise<PgTestServer> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-pg-'));
  const run = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 });
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  run('initdb', [
    '-D',
    join(dir, 'data'),
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () =>
    run('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const kill = () => run('pg_ctl', ['-D', join(dir, 'data'), 'stop', '-m', 'immediate', '-w']);
  start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kill,
    start,
    stop: () => {
      try {
        kill();
      } catch {
        // already stopped (a fault test may have killed it)
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
