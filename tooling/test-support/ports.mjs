// Free loopback ports, found at run time: the machine is shared, so no test,
// bench or e2e server ever binds a fixed port.
import { createServer } from 'node:net';

/**
 * Whether `port` can be bound on `host` right now.
 * @type {typeof import('./index.d.mts').portIsFree}
 */
export function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * @param {string} host
 * @returns {Promise<number>}
 */
function osAssignedPort(host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * A port that is free now (another process may still take it before you bind:
 * launchers retry). With `alsoFree`, the ports at those offsets are free too —
 * a Redis Cluster node also binds its bus port, port + 10000.
 * @type {typeof import('./index.d.mts').freePort}
 */
export async function freePort(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const offsets = options.alsoFree ?? [];
  if (offsets.length === 0) return osAssignedPort(host);
  // The OS hands out ports near the top of the range, where port + offset may
  // not exist: draw from a range that leaves room for every offset.
  const low = 20000;
  const high = 65535 - Math.max(...offsets);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (!(await portIsFree(port, host))) continue;
    let all = true;
    for (const offset of offsets) all &&= await portIsFree(port + offset, host);
    if (all) return port;
  }
  throw new Error(`no free loopback port found (with ${offsets.join(', ')} above it free too)`);
}
