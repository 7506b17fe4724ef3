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
  const counts = {
    listPages: 0,
    histories: 0,
    revokeAlls: 0,
    revoked: 0,
    signedIn: 0,
    attackerErrors: 0,
    /** The first few, to tell a timeout from a bug. */
    errorMessages: [],
  };
  let attacking = true;
  const loop = async (body) => {
    while (attacking) {
      try {
        await body();
      } catch (error) {
        counts.attackerErrors++;
        if (counts.errorMessages.length < 3) counts.errorMessages.push(String(error?.message));
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
      if (attacking) counts.signedIn += await signIn(revoker, ATTACKER, attackerSessions, 64);
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

/**
 * What a logged command was, from its shape: the store's scripts are told
 * apart by their key count and the kind of their first key (EVALSHA <sha>
 * <numkeys> <key>…); a GET is a victim's validate.
 * @param {string[]} args
 */
export function commandKind(args) {
  const name = String(args[0] ?? '').toLowerCase();
  if (name !== 'evalsha' && name !== 'eval') return name;
  const keys = Number(args[2]);
  const first = String(args[3] ?? '');
  const kind = first.match(/\}:([a-z]+):/)?.[1] ?? '?';
  if (keys === 4 && kind === 'sess') return 'create';
  if (keys === 2 && kind === 'active') return 'revokeAll batch';
  if (keys === 1 && kind === 'active') return 'page of active';
  if (keys === 1 && kind === 'ended') return 'page of ended';
  return `script(${keys} keys, ${kind})`;
}

// Commands a client sends (the rest of a full log are the commands a script ran).
const TOP_LEVEL = new Set(['evalsha', 'eval', 'get', 'hgetall']);

/**
 * From a log of every command over `wallMs`: the share of time Redis spent
 * running clients' commands, and the p99 of how long a command arriving at a
 * random instant waits for the one running then to finish (for each x, the
 * chance of waiting longer than x is the sum of max(0, d − x) over the
 * commands' durations d, divided by the window). This is the queueing an
 * attacker's scripts add to a victim's GET, apart from any CPU scheduling; it
 * leaves out the rarer wait behind a second command already queued.
 * @param {{ micros: number, args: string[] }[]} entries
 * @param {number} wallMs
 */
export function redisWait(entries, wallMs) {
  const ms = entries
    .filter((e) => TOP_LEVEL.has(String(e.args[0] ?? '').toLowerCase()))
    .map((e) => e.micros / 1000);
  const busy = ms.reduce((a, b) => a + b, 0) / wallMs;
  const over = (x) => ms.reduce((sum, d) => sum + Math.max(0, d - x), 0) / wallMs;
  let lo = 0;
  let hi = Math.max(0, ...ms);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (over(mid) > 0.01) lo = mid;
    else hi = mid;
  }
  return { busy, p99: hi };
}

/**
 * Duration distribution (ms) of logged commands, overall and by kind.
 * @param {{ micros: number, args: string[] }[]} entries
 */
export function summarize(entries) {
  let worst = { micros: 0, command: '' };
  const all = [];
  /** @type {Map<string, number[]>} */
  const kinds = new Map();
  for (const { micros, args } of entries) {
    all.push(micros / 1000);
    const kind = commandKind(args);
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind)?.push(micros / 1000);
    // EVALSHA <sha> <numkeys> <first key>: the key names tell the scripts apart.
    if (micros > worst.micros) {
      worst = {
        micros,
        command: `${kind}: ${[args[0], ...args.slice(2, 5)].join(' ')}`.slice(0, 160),
      };
    }
  }
  const { n, p50, p99, max } = percentiles(all);
  const p999 = [...all].sort((a, b) => a - b)[Math.floor(all.length * 0.999)] ?? 0;
  const over10ms = all.filter((ms) => ms >= 10).length;
  const byKind = Object.fromEntries(
    [...kinds].map(([kind, ms]) => [
      kind,
      { ...percentiles(ms), totalMs: ms.reduce((a, b) => a + b, 0) },
    ]),
  );
  return { ...worst, commands: { n, p50, p99, p999, max, over10ms }, byKind };
}

/** Signs `count` sessions in for `userId`, `concurrency` at a time; resolves to how many. */
export async function signIn(manager, userId, count, concurrency = 64) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await manager.create({ userId, userAgent: UA, ipAddress: '198.51.100.7' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count;
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
    // The histogram records the whole interval between its 5 ms ticks: the
    // delay is what exceeds the tick.
    const loopLagP99 = Math.max(0, lag.percentile(99) / 1e6 - 5);
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
    // Every command of 0.1 ms or more is logged (the scripts; a GET takes a few
    // µs), so the distribution is known, not only the worst.
    const setSlowlog = async (micros) => {
      for (const node of await slowlogNodes()) {
        await node.call('CONFIG', 'SET', 'slowlog-log-slower-than', String(micros));
        await node.call('CONFIG', 'SET', 'slowlog-max-len', '300000');
        await node.call('SLOWLOG', 'RESET');
      }
    };
    /** The log's entries since the last reset, as { micros, args }; resets it. */
    const readSlowlog = async () => {
      const out = [];
      for (const node of await slowlogNodes()) {
        const entries = /** @type {[number, number, number, string[]][]} */ (
          await node.call('SLOWLOG', 'GET', '300000')
        );
        await node.call('SLOWLOG', 'RESET');
        for (const [, , micros, args] of entries) out.push({ micros, args });
      }
      return out;
    };
    const resetSlowlog = () => setSlowlog(100);
    const slowest = async () => {
      const entries = (await readSlowlog()).filter((e) => e.micros >= 100);
      await setSlowlog(10_000);
      return summarize(entries);
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
    const attackSlowest = await slowest();
    // Then, with the victims no longer measured (reading a full log takes this
    // process and Redis a while), a window in which Redis logs every command,
    // however short (creates, the victims' GETs), to see where its time goes.
    let sample = null;
    if (options.sampleMs) {
      await setSlowlog(0);
      const sampleStart = performance.now();
      stop = runVictims(victimManager, tokens);
      await new Promise((r) => setTimeout(r, options.sampleMs));
      await stop();
      const wallMs = performance.now() - sampleStart;
      const entries = await readSlowlog();
      await setSlowlog(10_000);
      sample = { wallMs, ...summarize(entries), wait: redisWait(entries, wallMs) };
    }
    const counts = await stopAttacker();
    log(
      `attack:   validate p50 ${attack.p50.toFixed(2)} ms, p99 ${attack.p99.toFixed(2)} ms, SessionStoreError ${attack.storeErrors}; slowest command ${(attackSlowest.micros / 1000).toFixed(2)} ms (${attackSlowest.command}); attacker: ${counts.listPages} list pages, ${counts.histories} histories, ${counts.revokeAlls} revokeAlls (${counts.revoked} sessions)`,
    );
    const c = attackSlowest.commands;
    log(
      `commands of 0.1 ms or more under attack: ${c.n}, duration p50 ${c.p50.toFixed(3)} ms, p99 ${c.p99.toFixed(3)} ms, p99.9 ${c.p999.toFixed(3)} ms, max ${c.max.toFixed(2)} ms, ${c.over10ms} at or over 10 ms`,
    );
    return { baseline, attack, baselineSlowest, attackSlowest, sample, attacker: counts };
  } finally {
    for (const client of clients) client.disconnect();
  }
}
