// The attacker of redis-attack.bench.mjs on its own thread (own event loop), so
// the victims' latencies measure Redis, not the attacker's JavaScript work.
import { parentPort, workerData } from 'node:worker_threads';
import { createSessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { Cluster, Redis } from 'ioredis';
import { startAttackerLoops } from './attack-scenario.mjs';

const { ports, cluster, prefix, attackerSessions, clientOptions } = workerData;
const connect = () =>
  new Promise((resolve, reject) => {
    const client = cluster
      ? new Cluster(
          ports.map((port) => ({ host: '127.0.0.1', port })),
          { enableOfflineQueue: false, redisOptions: clientOptions },
        )
      : new Redis({ host: '127.0.0.1', port: ports[0], ...clientOptions });
    client.once('ready', () => resolve(client));
    client.once('error', reject);
  });
const clients = [await connect(), await connect(), await connect()];
const stop = startAttackerLoops(
  clients.map((client) =>
    createSessionManager({ store: createRedisStore({ client, prefix }), maxSessionsPerUser: null }),
  ),
  attackerSessions,
);
parentPort?.postMessage({ type: 'started' });
parentPort?.once('message', async () => {
  const counts = await stop();
  for (const client of clients) client.disconnect();
  parentPort?.postMessage({ type: 'stopped', counts });
});
