// The "one user slows down or signs out the others" scenario (issue 14), shared
// by `pnpm bench` (bench/redis-attack.bench.mjs, 50,000 sessions) and the
// adversarial suite (tests/adversarial/src/redis-attack.test.ts, a smaller
// scale in CI). It takes its parts as arguments, so each caller runs it on the
// sessionkit build it tests, on a standalone Redis or a Cluster.
//
// One attacker account holds `attackerSessions` live sessions (limit turned off
// explicitly) and loops `list` (every page), `history` and `revokeAll` (then
// signs back in to the same count) from their own connections, while `victims`
// other users each validate every 50 ms from another connection. The victims'
// validate latencies and SessionStoreErrors are measured in a baseline phase
// without the attacker and in the attack phase; Redis SLOWLOG gives the longest
// single command (a Lua script counts as one command).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const VALIDATE_EVERY_MS = 50;
const ATTACKER = 'attacker';
const UNLIMITED = { maxSessionsPerUser: null };

/**
 * The attacker's three loops (list every page, history, revokeAll then sign back
 * in), one manager (connection) each. Returns a function that stops them and
 * resolves to what they did.
 */
export function startAttackerLoops([lister, historian, revoker], attackerSessions) {
  const counts = { listPages: 0, histories: 0, revokeAlls: 0, revoked: 0, attackerErrors: 0 };
  let attacking = true;
  const loop = async (body) => {
    while (attacking) {
      try {
        await body();
      } catch {
        counts.attackerErrors++;
      }
    }
  };
  const loops = [
    loop(async () => {
      let cursor = null;
      do {
        const page = await lister.listPage(ATTACKER, cursor ? { cursor } : {});
        counts.listPages++;
        cursor = page.nextCursor;
      } while (cursor !== null && attacking);
    }),
    loop(async () => {
      await historian.history(ATTACKER, { limit: 1000 });
      counts.histories++;
    }),
    loop(async () => {
      counts.revoked += await revoker.revokeAll(ATTACKER);
      counts.revokeAlls++;
      // Sign back in to full strength, as an attacker would.
      if (attacking) await signIn(revoker, ATTACKER, attackerSessions, 64);
    }),
  ];
  return async () => {
    attacking = false;
    await Promise.all(loops);
    return counts;
  };
}
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0';

/** @param {number[]} values */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** Signs `count` sessions in for `userId`, `concurrency` at a time. */
export async function signIn(manager, userId, count, concurrency = 64) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await manager.create({ userId, userAgent: UA, ipAddress: '198.51.100.7' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Every victim validates every 50 ms until `stop()`; resolves to latencies and errors. */
function runVictims(manager, tokens) {
  const latencies = [];
  let storeErrors = 0;
  let otherErrors = 0;
  let invalid = 0;
  let running = true;
  // How late this process's own event loop runs: time a victim waits that is
  // not Redis (e.g. an in-process attacker's work on a busy machine).
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const loops = tokens.map(async (token, i) => {
    // Spread the victims over the interval.
    await new Promise((r) => setTimeout(r, (i * VALIDATE_EVERY_MS) / tokens.length));
    while (running) {
      const started = performance.now();
      try {
        if ((await manager.validate(token)) === null) invalid++;
      } catch (error) {
        if (error?.code === 'STORE_UNAVAILABLE') storeErrors++;
        else otherErrors++;
      }
      const took = performance.now() - started;
      latencies.push(took);
      await new Promise((r) => setTimeout(r, Math.max(0, VALIDATE_EVERY_MS - took)));
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    lag.disable();
    const loopLagP99 = lag.percentile(99) / 1e6;
    return { ...percentiles(latencies), storeErrors, otherErrors, invalid, loopLagP99 };
  };
}

/**
 * @param {import('./attack-scenario.d.mts').AttackScenarioOptions} options
 * @returns {Promise<import('./attack-scenario.d.mts').AttackScenarioResult>}
 */
export async function runAttackScenario(options) {
  const {
    createSessionManager,
    createRedisStore,
    connect,
    slowlogNodes,
    attackerSessions,
    victims = 10,
    phaseMs,
    prefix = `attack${Date.now().toString(36)}:`,
    log = () => {},
  } = options;

  const clients = [];
  const open = async () => {
    const client = await connect();
    clients.push(client);
    return client;
  };
  const managerOn = async (extra = {}, timeout = 500) =>
    createSessionManager({
      store: createRedisStore({ client: await open(), prefix, timeout }),
      ...extra,
    });

  try {
    // Seeding runs before any measurement.
    // Seeding is not measured: it may wait on a busy machine.
    const seeder = await managerOn(UNLIMITED, 30_000);
    const seedStart = performance.now();
    await signIn(seeder, ATTACKER, attackerSessions);
    log(
      `seeded ${attackerSessions} attacker sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    const tokens = [];
    for (let v = 0; v < victims; v++) {
      tokens.push((await seeder.create({ userId: `victim-${v}`, userAgent: UA })).token);
    }

    const victimManager = await managerOn();
    const resetSlowlog = async () => {
      for (const node of await slowlogNodes()) {
        // Every command of 0.1 ms or more is logged (the scripts; a GET takes a few
        // µs), so the distribution is known, not only the worst.
        await node.call('CONFIG', 'SET', 'slowlog-log-slower-than', '100');
        await node.call('CONFIG', 'SET', 'slowlog-max-len', '100000');
        await node.call('SLOWLOG', 'RESET');
      }
    };
    const slowest = async () => {
      let worst = { micros: 0, command: '' };
      const all = [];
      for (const node of await slowlogNodes()) {
        const entries = /** @type {[number, number, number, string[]][]} */ (
          await node.call('SLOWLOG', 'GET', '100000')
        );
        await node.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
        await node.call('SLOWLOG', 'RESET');
        for (const [, , micros, args] of entries) {
          all.push(micros / 1000);
          // EVALSHA <sha> <numkeys> <first key>: the key names tell the scripts apart.
          if (micros > worst.micros) {
            worst = { micros, command: [args[0], ...args.slice(2, 5)].join(' ').slice(0, 160) };
          }
        }
      }
      const { n, p50, p99, max } = percentiles(all);
      const p999 = [...all].sort((a, b) => a - b)[Math.floor(all.length * 0.999)] ?? 0;
      const over10ms = all.filter((ms) => ms >= 10).length;
      return { ...worst, commands: { n, p50, p99, p999, max, over10ms } };
    };

    // Baseline: victims alone.
    await resetSlowlog();
    let stop = runVictims(victimManager, tokens);
    await new Promise((r) => setTimeout(r, phaseMs));
    const baseline = await stop();
    const baselineSlowest = await slowest();
    log(
      `baseline: validate p50 ${baseline.p50.toFixed(2)} ms, p99 ${baseline.p99.toFixed(2)} ms, SessionStoreError ${baseline.storeErrors}`,
    );

    // Attack: list / history / revokeAll loops, each on its own connection, in
    // this process or (startAttacker) in another thread.
    await resetSlowlog();
    stop = runVictims(victimManager, tokens);
    const stopAttacker = options.startAttacker
      ? await options.startAttacker({ prefix, attackerSessions })
      : startAttackerLoops(
          [await managerOn(UNLIMITED), await managerOn(UNLIMITED), await managerOn(UNLIMITED)],
          attackerSessions,
        );
    await new Promise((r) => setTimeout(r, phaseMs));
    const attack = await stop();
    const counts = await stopAttacker();
    const attackSlowest = await slowest();
    log(
      `attack:   validate p50 ${attack.p50.toFixed(2)} ms, p99 ${attack.p99.toFixed(2)} ms, SessionStoreError ${attack.storeErrors}; slowest command ${(attackSlowest.micros / 1000).toFixed(2)} ms (${attackSlowest.command}); attacker: ${counts.listPages} list pages, ${counts.histories} histories, ${counts.revokeAlls} revokeAlls (${counts.revoked} sessions)`,
    );
    const c = attackSlowest.commands;
    log(
      `commands of 0.1 ms or more under attack: ${c.n}, duration p50 ${c.p50.toFixed(3)} ms, p99 ${c.p99.toFixed(3)} ms, p99.9 ${c.p999.toFixed(3)} ms, max ${c.max.toFixed(2)} ms, ${c.over10ms} at or over 10 ms`,
    );
    return { baseline, attack, baselineSlowest, attackSlowest, attacker: counts };
  } finally {
    for (const client of clients) client.disconnect();
  }
}
