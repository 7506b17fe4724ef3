// Starts a throwaway redis-server (or a Cluster of them) on free loopback ports
// for the benchmarks, and stops it (also when the process exits).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// REDIS_NICE=<n> runs redis-server at that niceness (e.g. -10 as root), so on a
// machine shared with other jobs its commands measure their own cost, not the
// neighbours' load.
function spawnServer(bin, args) {
  const nice = process.env.REDIS_NICE;
  return nice
    ? spawn('nice', ['-n', nice, bin, ...args], { stdio: 'ignore' })
    : spawn(bin, args, { stdio: 'ignore' });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => resolve(false));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.write('PING\r\n');
  });
}

export async function startRedis() {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (spawnSync(bin, ['--version']).error) {
    throw new Error(
      `'${bin}' not found: the benchmark needs a real Redis (sudo apt-get install -y redis-server).`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-bench-'));
  const child = spawnServer(bin, [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop };
}

/** A Redis Cluster of `masters` masters, no replicas, on free loopback ports. */
export async function startCluster(masters = 3) {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cli = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  const nodes = [];
  const stop = () => {
    for (const node of nodes) {
      node.child.kill('SIGKILL');
      rmSync(node.dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stop);
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sessionkit-bench-cluster-'));
    const child = spawnServer(bin, [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
    ]);
    nodes.push({ port, dir, child });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const created = spawnSync(
    cli,
    [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr}`);
  const deadline = Date.now() + 20_000;
  for (const { port } of nodes) {
    while (!(await clusterOk(port))) {
      if (Date.now() > deadline) throw new Error(`cluster_state not ok on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { ports: nodes.map((n) => n.port), stop };
}

function clusterOk(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => resolve(false));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().includes('cluster_state:ok'));
    });
    socket.write('CLUSTER INFO\r\n');
  });
}
