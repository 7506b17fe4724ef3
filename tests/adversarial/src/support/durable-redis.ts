// A redis-server that persists every write before it answers (appendonly yes,
// appendfsync always) and can be killed with SIGKILL and restarted from the
// same directory. The shared helper in packages/redis starts servers without
// persistence, so a restart there is empty by design; this one is not.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free loopback port found for redis-server');
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('data', (chunk) => {
      socket.end();
      // -LOADING while the AOF is replayed: not ready yet.
      resolve(chunk.toString().startsWith('+PONG'));
    });
    socket.write('PING\r\n');
  });
}

export interface DurableRedis {
  readonly port: number;
  readonly dir: string;
  /** SIGKILL: no shutdown, no final fsync, like a crash of the process. */
  kill(): Promise<void>;
  /** Starts again on the same port from the same directory (replays the AOF). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A loopback redis-server with `appendonly yes` and `appendfsync always`. */
export async function startDurableRedis(): Promise<DurableRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-aof-'));
  let port = 0;
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(
      SERVER_BIN,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    children.add(proc);
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      children.delete(proc);
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (exited) throw new Error(`redis-server on port ${port} exited during start`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child = proc;
  };

  const kill = () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };

  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      await kill();
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  return {
    port,
    dir,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
