// Starts real redis-server processes for the tests: a standalone server and a
// 3-master Redis Cluster, each on free loopback ports in a temp dir, with no
// persistence. Nothing here is part of the package.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI_BIN = process.env.REDIS_CLI_BIN ?? 'redis-cli';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function assertInstalled(): void {
  for (const bin of [SERVER_BIN, CLI_BIN]) {
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `@sessionkit/redis tests need a real Redis: '${bin}' was not found. Install it ` +
          '(Debian/Ubuntu: sudo apt-get install -y redis-server; CI installs it in .ci/run) ' +
          'or point REDIS_SERVER_BIN / REDIS_CLI_BIN at the binaries.',
      );
    }
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if ((await canListen(port)) && (await canListen(port + 10000))) return port;
  }
  throw new Error('no free loopback port found for redis-server');
}

/** Resolves with the reply to one inline command, or rejects on connection error. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const header = data.indexOf('\r\n');
      if (header < 0) return;
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

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RedisServer {
  readonly port: number;
  /** The server's working directory (holds the AOF of a durable server). */
  readonly dir: string;
  /** Kills the server abruptly (SIGKILL): clients see a dead socket, like a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port: empty, or replaying its AOF when durable. */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

async function launch(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const child = spawn(
    SERVER_BIN,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--dir', dir, ...extra],
    { stdio: 'ignore' },
  );
  children.add(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    children.delete(child);
  });
  await waitFor(async () => {
    if (exited) throw new Error(`redis-server on port ${port} exited during start`);
    return (await ask(port, 'PING')).startsWith('+PONG');
  }, `redis-server on port ${port}`);
  return child;
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function startOn(
  extra: (port: number) => string[],
): Promise<{ port: number; dir: string; child: ChildProcess }> {
  assertInstalled();
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sessionkit-redis-'));
    try {
      return { port, dir, child: await launch(port, dir, extra(port)) };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw error; // another process took the port between probe and bind
    }
  }
}

/**
 * A standalone redis-server on a free loopback port. `durable`: every write is
 * in the AOF before Redis answers (`appendonly yes`, `appendfsync always`), so a
 * restart after a SIGKILL comes back with every acknowledged write.
 */
export async function startRedisServer(options: { durable?: boolean } = {}): Promise<RedisServer> {
  const persistence = options.durable
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  const started = await startOn(() => persistence);
  const { port, dir } = started;
  let child = started.child;
  return {
    port,
    dir,
    kill: () => killChild(child),
    async restart() {
      await killChild(child);
      child = await launch(port, dir, persistence);
    },
    async stop() {
      await killChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  readonly ports: number[];
  stop(): Promise<void>;
}

/** A Redis Cluster of `masters` masters (no replicas) on loopback, state ok. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: { port: number; dir: string; child: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => killChild(n.child)));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startOn((port) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
          '--appendonly',
          'no',
        ]),
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
        async () => (await ask(port, 'CLUSTER INFO')).includes('cluster_state:ok'),
        `cluster_state:ok on port ${port}`,
      );
    }
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
