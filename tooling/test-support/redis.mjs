// Real redis-server processes for tests, bench/ and the e2e scripts: a
// standalone server (optionally durable, AOF fsync'd on every write) and a
// Redis Cluster, each on free loopback ports in its own temp dir. Servers are
// children of this process: killed, and their dirs removed, when it exits.
//
// Environment: REDIS_SERVER_BIN / REDIS_CLI_BIN point at other binaries;
// REDIS_NICE=<n> runs redis-server at that niceness (e.g. -10 as root), so a
// benchmark on a machine shared with other jobs measures Redis, not the load.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

const run = promisify(execFile);

const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI_BIN = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const CLUSTER_BUS_OFFSET = 10000;

/** @type {Set<ChildProcess>} */
const children = new Set();
/** @type {Set<string>} */
const dirs = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Throws, with the fix, when redis-server or redis-cli is missing: scripts call
 * it before minutes of building, the launchers before every start.
 * @type {typeof import('./index.d.mts').requireRedis}
 */
export function requireRedis() {
  for (const bin of [SERVER_BIN, CLI_BIN]) {
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `This needs a real Redis: '${bin}' was not found. Install it ` +
          '(Debian/Ubuntu: sudo apt-get install -y redis-server; `npm test` installs it) ' +
          'or point REDIS_SERVER_BIN / REDIS_CLI_BIN at the binaries.',
      );
    }
  }
}

/**
 * Sends one inline command (`PING`, `DBSIZE`, `CLUSTER INFO`) and resolves with
 * the raw RESP reply; rejects on a connection error or after one second.
 * @type {typeof import('./index.d.mts').redisCommand}
 */
export function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const header = data.indexOf('\r\n');
      if (header < 0) return;
      // A bulk string ($<length>) may arrive in several chunks; anything else is one line.
      const complete =
        data[0] === '$'
          ? Buffer.byteLength(data) >= header + 2 + Number(data.slice(1, header)) + 2
          : true;
      if (complete) {
        socket.end();
        resolve(data);
      }
    });
    socket.write(`${command}\r\n`);
  });
}

/**
 * @param {() => Promise<boolean>} check
 * @param {string} what
 * @param {number} [ms]
 */
async function waitFor(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * @param {string[]} args
 * @returns {ChildProcess}
 */
function spawnServer(args) {
  const nice = process.env.REDIS_NICE;
  return nice
    ? spawn('nice', ['-n', nice, SERVER_BIN, ...args], { stdio: 'ignore' })
    : spawn(SERVER_BIN, args, { stdio: 'ignore' });
}

/**
 * @param {number} port
 * @param {string} dir
 * @param {string[]} extra
 * @returns {Promise<ChildProcess>}
 */
async function launch(port, dir, extra) {
  const child = spawnServer([
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--dir',
    dir,
    ...extra,
  ]);
  children.add(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    children.delete(child);
  });
  await waitFor(async () => {
    if (exited) throw new Error(`redis-server on port ${port} exited during start`);
    return (await redisCommand(port, 'PING')).startsWith('+PONG');
  }, `redis-server on port ${port}`);
  return child;
}

/**
 * @param {ChildProcess} child
 * @returns {Promise<void>}
 */
function killChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** @param {string} dir */
function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * @param {(port: number) => string[]} extra
 * @param {number[]} alsoFree
 * @returns {Promise<{ port: number, dir: string, child: ChildProcess }>}
 */
async function startOn(extra, alsoFree) {
  requireRedis();
  for (let attempt = 0; ; attempt++) {
    const port = await freePort({ alsoFree });
    const dir = mkdtempSync(join(tmpdir(), 'sessionkit-redis-'));
    dirs.add(dir);
    try {
      return { port, dir, child: await launch(port, dir, extra(port)) };
    } catch (error) {
      removeDir(dir);
      if (attempt >= 3) throw error; // another process took the port between probe and bind
    }
  }
}

/**
 * A standalone redis-server on a free loopback port. `durable`: every write is
 * in the AOF before Redis answers (`appendonly yes`, `appendfsync always`), so a
 * restart after a SIGKILL comes back with every acknowledged write.
 * @type {typeof import('./index.d.mts').startRedisServer}
 */
export async function startRedisServer(options = {}) {
  const persistence = options.durable
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  const started = await startOn(() => persistence, []);
  const { port, dir } = started;
  let child = started.child;
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    kill: () => killChild(child),
    async restart() {
      await killChild(child);
      child = await launch(port, dir, persistence);
    },
    async stop() {
      await killChild(child);
      removeDir(dir);
    },
  };
}

/**
 * A Redis Cluster of `masters` masters (no replicas) on loopback, state ok.
 * @type {typeof import('./index.d.mts').startRedisCluster}
 */
export async function startRedisCluster(masters = 3) {
  /** @type {{ port: number, dir: string, child: ChildProcess }[]} */
  const nodes = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => killChild(n.child)));
    for (const n of nodes) removeDir(n.dir);
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startOn(
          (port) => [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
            '--appendonly',
            'no',
          ],
          [CLUSTER_BUS_OFFSET],
        ),
      );
    }
    const ports = nodes.map((n) => n.port);
    await run(
      CLI_BIN,
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 20_000 },
    );
    for (const port of ports) {
      await waitFor(
        async () => (await redisCommand(port, 'CLUSTER INFO')).includes('cluster_state:ok'),
        `cluster_state:ok on port ${port}`,
      );
    }
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
