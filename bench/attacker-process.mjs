// The attacker of redis-attack.bench.mjs in a process of its own, so that on a
// 2-core machine the load generator does not take the CPU the victims' process
// needs (the victims' latencies would then measure the bench's own contention
// instead of what the attacker's commands do to Redis). The bench places it:
// in the pinned layout at normal priority on every core, below the real-time
// victims and Redis; in the shared layout at the lowest priority (nice 19). In
// production the attacker's requests are served by other processes or
// machines; here Redis sees every one of its commands.
import { createSessionManager } from '@sessionkit/core';
import { Cluster, Redis } from 'ioredis';
import { startAttackerLoops } from './attack-scenario.mjs';

const { createRedisStore } = await import(
  process.env.ATTACK_REDIS_MODULE
    ? new URL(process.env.ATTACK_REDIS_MODULE, `file://${process.cwd()}/`).href
    : '@sessionkit/redis'
);
const { ports, cluster, prefix, attackerSessions, clientOptions } = JSON.parse(
  process.env.ATTACKER_CONFIG ?? '{}',
);
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
process.send?.({ type: 'started' });
// The bench died without stopping it: stop too, rather than hammer a dead port.
process.once('disconnect', () => process.exit(1));
process.once('message', async () => {
  const counts = await stop();
  for (const client of clients) client.disconnect();
  process.send?.({ type: 'stopped', counts }, () => process.exit(0));
});
