// Issue 14's load test: can one account slow down or sign out the others?
// One attacker with ATTACK_SESSIONS live sessions (maxSessionsPerUser: null)
// loops list (every page), history and revokeAll on its own connections while
// 10 victims validate every 50 ms; victims' validate p99 and SessionStoreErrors
// are compared with a baseline run without the attacker, and SLOWLOG names the
// longest single command. Standalone Redis, then a 3-master Cluster.
// Run from the repo root: `pnpm bench` (runs after redis.bench.mjs).
//
// ATTACK_SESSIONS (default 50000), ATTACK_PHASE_SECONDS (default 20).

import { fork } from 'node:child_process';
import { cpus, loadavg, setPriority } from 'node:os';
import { createSessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { startRedisCluster, startRedisServer } from '@sessionkit-internal/test-support';
import { Cluster, Redis } from 'ioredis';
import { runAttackScenario } from './attack-scenario.mjs';

const SESSIONS = Number(process.env.ATTACK_SESSIONS ?? 50_000);
const PHASE_MS = Number(process.env.ATTACK_PHASE_SECONDS ?? 20) * 1000;
// The client options docs/adapters/redis.md recommends.
const FAIL_FAST = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
};
const ready = (client) =>
  new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
  });

function report(topology, result) {
  const { baseline, attack, attackSlowest, attacker } = result;
  const ratio = attack.p99 / baseline.p99;
  console.log(
    [
      `${topology}: ${SESSIONS} attacker sessions (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; attacker at nice ${ATTACKER_NICE}), 10 victims validating every 50 ms, ${PHASE_MS / 1000} s per phase`,
      `  victims without attacker: validate p50 ${baseline.p50.toFixed(2)} ms, p99 ${baseline.p99.toFixed(2)} ms, max ${baseline.max.toFixed(1)} ms, SessionStoreError ${baseline.storeErrors} of ${baseline.n}`,
      `  victims under attack:     validate p50 ${attack.p50.toFixed(2)} ms, p99 ${attack.p99.toFixed(2)} ms, max ${attack.max.toFixed(1)} ms, SessionStoreError ${attack.storeErrors} of ${attack.n}, signed out ${attack.invalid}`,
      `  victims' own event-loop delay p99: ${baseline.loopLagP99.toFixed(1)} ms without, ${attack.loopLagP99.toFixed(1)} ms with the attacker (machine load, not Redis)`,
      `  p99 under attack / baseline: ${ratio.toFixed(2)}× (target ≤ 2×)`,
      `  longest command under attack (SLOWLOG): ${(attackSlowest.micros / 1000).toFixed(2)} ms ${attackSlowest.command} (target < 10 ms)`,
      `  the ${attackSlowest.commands.n} commands of 0.1 ms or more under attack (SLOWLOG): p50 ${attackSlowest.commands.p50.toFixed(3)} ms, p99 ${attackSlowest.commands.p99.toFixed(3)} ms, p99.9 ${attackSlowest.commands.p999.toFixed(3)} ms, ${attackSlowest.commands.over10ms} at or over 10 ms`,
      `  attacker did: ${attacker.listPages} list pages, ${attacker.histories} history(1000) calls, ${attacker.revokeAlls} revokeAll (${attacker.revoked} sessions ended), ${attacker.attackerErrors} errors`,
    ].join('\n'),
  );
}

const log = (line) => console.log(`  … ${line}`);

// The attacker's CPU priority (nice, 19 = lowest): see attacker-process.mjs.
const ATTACKER_NICE = Number(process.env.ATTACKER_NICE ?? 19);

/** The attacker in a process of its own at nice ATTACKER_NICE, connected like the victims. */
const attackerProcess =
  (ports, cluster) =>
  ({ prefix, attackerSessions }) =>
    new Promise((resolve, reject) => {
      const child = fork(new URL('./attacker-process.mjs', import.meta.url), {
        env: {
          ...process.env,
          ATTACKER_CONFIG: JSON.stringify({
            ports,
            cluster,
            prefix,
            attackerSessions,
            clientOptions: FAIL_FAST,
          }),
        },
      });
      if (child.pid !== undefined) setPriority(child.pid, ATTACKER_NICE);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`attacker process exited with ${code}`)));
      child.once('message', () =>
        resolve(
          () =>
            new Promise((done) => {
              child.once('message', ({ counts }) => done(counts));
              child.send('stop');
            }),
        ),
      );
    });

{
  const redis = await startRedisServer();
  const connect = () => ready(new Redis({ host: '127.0.0.1', port: redis.port, ...FAIL_FAST }));
  const admin = await connect();
  const result = await runAttackScenario({
    createSessionManager,
    createRedisStore,
    connect,
    slowlogNodes: async () => [admin],
    startAttacker: attackerProcess([redis.port], false),
    attackerSessions: SESSIONS,
    phaseMs: PHASE_MS,
    log,
  });
  report(
    `standalone redis-server ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]}`,
    result,
  );
  admin.disconnect();
  redis.stop();
}

{
  const cluster = await startRedisCluster(3);
  const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  const connect = () =>
    ready(new Cluster(nodes, { enableOfflineQueue: false, redisOptions: FAIL_FAST }));
  const admins = await Promise.all(
    cluster.ports.map((port) => ready(new Redis({ host: '127.0.0.1', port }))),
  );
  const result = await runAttackScenario({
    createSessionManager,
    createRedisStore,
    connect,
    slowlogNodes: async () => admins,
    startAttacker: attackerProcess(cluster.ports, true),
    attackerSessions: SESSIONS,
    phaseMs: PHASE_MS,
    log,
  });
  report('Redis Cluster, 3 masters', result);
  for (const admin of admins) admin.disconnect();
  cluster.stop();
}
process.exit(0);
