// Issue 14's load test: can one account slow down or sign out the others?
// One attacker with ATTACK_SESSIONS live sessions (maxSessionsPerUser: null)
// loops list (every page), history and revokeAll on its own connections while
// 10 victims validate every 50 ms; victims' validate p99 and SessionStoreErrors
// are compared with a baseline run without the attacker, and SLOWLOG names the
// longest single command. Standalone Redis, then a 3-master Cluster.
// Run from the repo root: `pnpm bench` (runs after redis.bench.mjs).
//
// ATTACK_SESSIONS (default 50000), ATTACK_PHASE_SECONDS (default 20),
// ATTACK_TOPOLOGY, ATTACK_LAYOUT, ATTACKER_NICE, ATTACK_SAMPLE_SECONDS and
// ATTACK_REDIS_MODULE (below; docs/adapters/redis.md, "Load test").

import { fork, spawnSync } from 'node:child_process';
import { cpus, loadavg, setPriority } from 'node:os';
import { createSessionManager } from '@sessionkit/core';
import { startRedisCluster, startRedisServer } from '@sessionkit-internal/test-support';
import { Cluster, Redis } from 'ioredis';
import { runAttackScenario } from './attack-scenario.mjs';

// ATTACK_REDIS_MODULE: another build of @sessionkit/redis to run (a path), to
// compare two versions under the same conditions.
const { createRedisStore } = await import(
  process.env.ATTACK_REDIS_MODULE
    ? new URL(process.env.ATTACK_REDIS_MODULE, `file://${process.cwd()}/`).href
    : '@sessionkit/redis'
);
const SESSIONS = Number(process.env.ATTACK_SESSIONS ?? 50_000);
const PHASE_MS = Number(process.env.ATTACK_PHASE_SECONDS ?? 20) * 1000;
// A window after the attack phase (attacker still on) in which Redis logs every command.
const SAMPLE_MS = Number(process.env.ATTACK_SAMPLE_SECONDS ?? 2) * 1000;
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
      `${topology}: ${SESSIONS} attacker sessions (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; layout ${LAYOUT}, attacker at nice ${ATTACKER_NICE}), 10 victims validating every 50 ms, ${PHASE_MS / 1000} s per phase`,
      `  victims without attacker: validate p50 ${baseline.p50.toFixed(2)} ms, p99 ${baseline.p99.toFixed(2)} ms, max ${baseline.max.toFixed(1)} ms, SessionStoreError ${baseline.storeErrors} of ${baseline.n}`,
      `  victims under attack:     validate p50 ${attack.p50.toFixed(2)} ms, p99 ${attack.p99.toFixed(2)} ms, max ${attack.max.toFixed(1)} ms, SessionStoreError ${attack.storeErrors} of ${attack.n}, signed out ${attack.invalid}`,
      `  victims' own event-loop delay p99 (beyond its 5 ms tick): ${baseline.loopLagP99.toFixed(1)} ms without, ${attack.loopLagP99.toFixed(1)} ms with the attacker (CPU scheduling, not Redis)`,
      `  p99 under attack / baseline: ${ratio.toFixed(2)}× (target ≤ 2×)`,
      `  longest command under attack (SLOWLOG): ${(attackSlowest.micros / 1000).toFixed(2)} ms ${attackSlowest.command} (target < 10 ms)`,
      `  the ${attackSlowest.commands.n} commands of 0.1 ms or more under attack (SLOWLOG): p50 ${attackSlowest.commands.p50.toFixed(3)} ms, p99 ${attackSlowest.commands.p99.toFixed(3)} ms, p99.9 ${attackSlowest.commands.p999.toFixed(3)} ms, ${attackSlowest.commands.over10ms} at or over 10 ms`,
      `  attacker did (in the attack phase and the log window after it): ${attacker.listPages} list pages, ${attacker.histories} history(1000) calls, ${attacker.revokeAlls} revokeAll (${attacker.revoked} sessions ended), ${attacker.signedIn} sign-ins, ${attacker.attackerErrors} errors${attacker.errorMessages.length ? ` (${attacker.errorMessages.join('; ')})` : ''}`,
    ].join('\n'),
  );
  if (result.sample) {
    const { wallMs, byKind, wait } = result.sample;
    console.log(
      `  Redis busy with clients' commands ${(100 * wait.busy).toFixed(1)}% of the window; a GET arriving at a random instant waits for the running command p99 ${wait.p99.toFixed(2)} ms (Redis queueing; the rest of the victims' p99 is the wire and CPU scheduling)`,
    );
    console.log(
      `  every command in a ${(wallMs / 1000).toFixed(1)} s window after it, attacker still on (SLOWLOG at 0 µs), by kind: count, share of Redis's time, p50 / p99 / max ms`,
    );
    const rows = Object.entries(byKind).sort(([, a], [, b]) => b.totalMs - a.totalMs);
    for (const [kind, k] of rows) {
      console.log(
        `    ${kind.padEnd(16)} ${String(k.n).padStart(6)}  ${((100 * k.totalMs) / wallMs).toFixed(1).padStart(5)}%  ${k.p50.toFixed(3)} / ${k.p99.toFixed(3)} / ${k.max.toFixed(3)}`,
      );
    }
  }
}

const log = (line) => console.log(`  … ${line}`);

// Where the three parties run (ATTACK_LAYOUT):
// - 'pinned' (default when the machine has 2 or more cores, as root): each
//   redis-server gets CPU 1 at a real-time priority (SCHED_FIFO), the victims'
//   process CPU 0 at a real-time priority too, the attacker every core at
//   normal priority (nice 0: it takes all the CPU they leave). As in production,
//   where Redis has a core of its own and the attacker's requests are served by
//   other processes than the victims', neither Redis nor the victims wait for
//   the load generator's CPU or for other jobs on the machine: what the victims
//   measure is Redis (their commands queued behind the attacker's) and the wire.
// - 'shared': everything on every core at normal priority, the attacker at
//   nice 19 (ATTACKER_NICE): the victims also measure the machine's contention.
const canPin =
  cpus().length >= 2 && process.getuid?.() === 0 && hasTool('chrt') && hasTool('taskset');
const LAYOUT = process.env.ATTACK_LAYOUT ?? (canPin ? 'pinned' : 'shared');
if (LAYOUT === 'pinned' && !canPin) {
  throw new Error('ATTACK_LAYOUT=pinned needs 2 cores, root, chrt and taskset (util-linux).');
}
const ATTACKER_NICE = Number(process.env.ATTACKER_NICE ?? (LAYOUT === 'pinned' ? 0 : 19));

function hasTool(name) {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}
/** Runs a scheduling tool on every thread of `pid`; throws with its output on failure. */
function sched(tool, args) {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr || r.error}`);
}
/** Redis on CPU 1 at real-time priority 50, every thread (pinned layout). */
async function placeRedis(admins) {
  if (LAYOUT !== 'pinned') return;
  for (const admin of admins) {
    const pid = (await admin.info('server')).match(/process_id:(\d+)/)?.[1];
    if (!pid) throw new Error('redis-server did not report its process_id');
    sched('taskset', ['-a', '-p', '-c', '1', pid]);
    sched('chrt', ['-a', '-f', '-p', '50', pid]);
  }
}
if (LAYOUT === 'pinned') {
  // The victims (this process): CPU 0, real-time priority 40, below Redis.
  sched('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
  sched('chrt', ['-a', '-f', '-p', '40', String(process.pid)]);
}

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
      if (child.pid !== undefined) {
        if (LAYOUT === 'pinned') {
          // Not the victims' real-time priority it inherited: a normal process on
          // every core, so it gets all the CPU Redis and the victims leave.
          sched('chrt', ['-a', '-o', '-p', '0', String(child.pid)]);
          sched('taskset', ['-a', '-p', '-c', `0-${cpus().length - 1}`, String(child.pid)]);
        }
        setPriority(child.pid, ATTACKER_NICE);
      }
      process.once('exit', () => child.kill('SIGKILL'));
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

// ATTACK_TOPOLOGY: 'standalone', 'cluster' or both (default).
const TOPOLOGY = process.env.ATTACK_TOPOLOGY ?? 'both';
if (TOPOLOGY !== 'cluster') {
  const redis = await startRedisServer();
  const connect = () => ready(new Redis({ host: '127.0.0.1', port: redis.port, ...FAIL_FAST }));
  const admin = await connect();
  await placeRedis([admin]);
  const result = await runAttackScenario({
    createSessionManager,
    createRedisStore,
    connect,
    slowlogNodes: async () => [admin],
    startAttacker: attackerProcess([redis.port], false),
    attackerSessions: SESSIONS,
    phaseMs: PHASE_MS,
    sampleMs: SAMPLE_MS,
    log,
  });
  report(
    `standalone redis-server ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]}`,
    result,
  );
  admin.disconnect();
  redis.stop();
}

if (TOPOLOGY !== 'standalone') {
  const cluster = await startRedisCluster(3);
  const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  const connect = () =>
    ready(new Cluster(nodes, { enableOfflineQueue: false, redisOptions: FAIL_FAST }));
  const admins = await Promise.all(
    cluster.ports.map((port) => ready(new Redis({ host: '127.0.0.1', port }))),
  );
  await placeRedis(admins);
  const result = await runAttackScenario({
    createSessionManager,
    createRedisStore,
    connect,
    slowlogNodes: async () => admins,
    startAttacker: attackerProcess(cluster.ports, true),
    attackerSessions: SESSIONS,
    phaseMs: PHASE_MS,
    sampleMs: SAMPLE_MS,
    log,
  });
  report('Redis Cluster, 3 masters', result);
  for (const admin of admins) admin.disconnect();
  cluster.stop();
}
process.exit(0);
