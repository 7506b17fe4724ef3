// Benchmarks @sessionkit/redis through the session manager against raw ioredis
// floors measured the same way, in the same run, on a redis-server this script
// starts (and stops) itself. Run from the repo root: `pnpm bench`.
//
// BENCH_SECONDS=<n> sets the measured time per series (default 2 s).
// BENCH_ONLY=validate runs only the validate rows (raw GET floor, store.get,
// manager.validate with ioredis defaults and recommended options) and their targets:
// a quick check of the per-request path on a busy machine.
import { performance } from 'node:perf_hooks';
import { createSessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const WARMUP_MS = 250;
const CONCURRENCY = [1, 64];
const ONLY_VALIDATE = process.env.BENCH_ONLY === 'validate';
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

// ---------------------------------------------------------------- measuring

/** Latencies and busy time of one operation, gathered over one or more slices. */
function tally() {
  return { latencies: [], elapsed: 0, issued: 0, cpu: 0 };
}

function summary({ latencies, elapsed, cpu }) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    ops: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    n: latencies.length,
    // This process's CPU time per call (µs): the client side's cost, which the
    // machine's background load disturbs much less than throughput.
    cpu: cpu / latencies.length,
  };
}

/** Runs `op` from `concurrency` loops for `ms` (or `count` ops) and adds to `into`. */
async function slice(op, concurrency, ms, into, count = Number.POSITIVE_INFINITY) {
  const end = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < end && into.issued < count) {
      const i = into.issued++;
      const t0 = performance.now();
      await op(i);
      into.latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const cpu = process.cpuUsage(cpuStarted);
  into.cpu += cpu.user + cpu.system;
  into.elapsed += performance.now() - started;
}

async function measure(op, concurrency, { ms = SECONDS * 1000, count } = {}) {
  const into = tally();
  await slice(op, concurrency, ms, into, count);
  return summary(into);
}

/**
 * Measures a floor and the operations built on it in alternating slices, so all
 * see the same background load (machines are shared) and the ratios stay fair.
 */
async function compare(ops, concurrency, slices = 8) {
  const tallies = ops.map(() => tally());
  const ms = (SECONDS * 1000) / slices;
  for (let k = 0; k < slices; k++) {
    for (const [j, op] of ops.entries()) await slice(op, concurrency, ms, tallies[j]);
  }
  return tallies.map(summary);
}

async function warm(op, concurrency) {
  await measure(op, concurrency, { ms: WARMUP_MS });
}

const rows = [];
function report(name, concurrency, result, floor) {
  rows.push({ name, concurrency, ...result, floor });
  const fmt = (v, d = 0) => v.toFixed(d).padStart(9);
  let line = `${name.padEnd(34)} c=${String(concurrency).padEnd(3)} ${fmt(result.ops)} ops/s  p50 ${fmt(result.p50 * 1000)} µs  p99 ${fmt(result.p99 * 1000)} µs  CPU ${fmt(result.cpu, 1)} µs/op`;
  if (floor) {
    line += `   vs floor: ${(result.ops / floor.ops).toFixed(2)}× ops/s, p50 ${(result.p50 / floor.p50).toFixed(2)}×, p99 ${(result.p99 / floor.p99).toFixed(2)}×, CPU ${(result.cpu / floor.cpu).toFixed(2)}×`;
  }
  console.log(line);
}

// ---------------------------------------------------------------- the run

const redis = await startRedisServer();
// The client README's quick start shows: ioredis defaults (offline queue, 20
// retries, no commandTimeout). The floors run on it, and so do the first rows.
const defaults = new Redis(`redis://127.0.0.1:${redis.port}`);
// The client options docs/adapters/redis.md recommends.
const client = new Redis({
  host: '127.0.0.1',
  port: redis.port,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 500,
});
await new Promise((resolve) => client.once('ready', resolve));
if (defaults.status !== 'ready') await new Promise((resolve) => defaults.once('ready', resolve));
const manager = createSessionManager({ store: createRedisStore({ client, prefix: 'bench:' }) });
const managerDefaults = createSessionManager({
  store: createRedisStore({ client: defaults, prefix: 'bench:' }),
});
// Fixtures are made through a store with a generous timeout: on a busy shared
// machine 50 creates in flight can take longer than the default 500 ms, and a
// fixture that times out would abort the run before anything is measured.
const fixtures = createSessionManager({
  store: createRedisStore({ client: defaults, prefix: 'bench:', timeout: 10_000 }),
});
const benchStarted = performance.now();

console.log(
  `sessionkit redis bench: redis-server ${(await client.info('server')).match(/redis_version:(\S+)/)?.[1]} on 127.0.0.1:${redis.port}, node ${process.version}, ${SECONDS}s per series\n`,
);

// Fixtures: 1000 sessions to validate, 64 users with 50 sessions each to list,
// and raw copies of the same stored values for the floors.
const POOL = 1000;
const tokens = [];
const rawKeys = [];
for (let i = 0; i < POOL; i += 50) {
  const made = await Promise.all(
    Array.from({ length: 50 }, (_, j) =>
      fixtures.create({
        userId: `v-${i + j}`,
        userAgent: UA,
        ipAddress: '198.51.100.7',
        metadata: { plan: 'pro' },
      }),
    ),
  );
  for (const { session, token } of made) {
    const key = `bench:{${session.id.slice(0, 6)}}:sess:${session.id}`;
    const rawKey = `raw:{${session.id.slice(0, 6)}}:${session.id}`;
    // The same record as one plain JSON document: what a naive store would keep.
    const [head, body] = /** @type {string} */ (await client.get(key)).split('\n');
    await client.set(rawKey, JSON.stringify({ ...JSON.parse(head), ...JSON.parse(body) }));
    tokens.push(token);
    rawKeys.push(rawKey);
  }
}
const sampleValue = /** @type {string} */ (await client.get(rawKeys[0]));

const LIST_USERS = 64;
const listUsers = [];
for (let u = 0; u < (ONLY_VALIDATE ? 0 : LIST_USERS); u++) {
  const userId = `l-${u}`;
  const made = await Promise.all(
    Array.from({ length: 50 }, () =>
      fixtures.create({ userId, userAgent: UA, ipAddress: '198.51.100.7' }),
    ),
  );
  const rawIndex = `raw:{l${u}}:index`;
  const pipeline = client.pipeline();
  for (const [k, { session }] of made.entries()) {
    pipeline.set(`raw:{l${u}}:${session.id}`, sampleValue);
    pipeline.zadd(rawIndex, k, session.id);
  }
  await pipeline.exec();
  listUsers.push({ userId, rawIndex, tag: `raw:{l${u}}:` });
}

const store = createRedisStore({ client, prefix: 'bench:' });
const storeDefaults = createRedisStore({ client: defaults, prefix: 'bench:' });
const sessionIds = tokens.map((t) => t.slice(0, 28));
const ops = {
  'raw GET + JSON.parse': (i) => defaults.get(rawKeys[i % POOL]).then((v) => JSON.parse(v)),
  '  store.get': (i) => storeDefaults.get(sessionIds[i % POOL]),
  'manager.validate': (i) => managerDefaults.validate(tokens[i % POOL]),
  '  store.get (recommended)': (i) => store.get(sessionIds[i % POOL]),
  'manager.validate (recommended)': (i) => manager.validate(tokens[i % POOL]),
  'raw ZRANGE + MGET + parse (50)': async (i) => {
    const { rawIndex, tag } = listUsers[i % LIST_USERS];
    const ids = await client.zrange(rawIndex, 0, -1);
    const values = await client.mget(ids.map((id) => tag + id));
    return values.map((v) => JSON.parse(v));
  },
  '  store.listActive (50)': (i) =>
    store.listActive(listUsers[i % LIST_USERS].userId, { limit: 100, after: null }),
  'manager.list (50 sessions)': (i) => manager.list(listUsers[i % LIST_USERS].userId),
};

let created = 0;
const createOp = () =>
  manager.create({ userId: `c-${created++}`, userAgent: UA, ipAddress: '198.51.100.7' });
const rawCreateOp = (i) =>
  client
    .multi()
    .set(`raw:{c${i}}:s`, sampleValue, 'PX', 86_400_000)
    .zadd(`raw:{c${i}}:index`, i, `s${i}`)
    .pexpire(`raw:{c${i}}:index`, 86_400_000)
    .exec();

for (const c of CONCURRENCY) {
  for (const names of [
    [
      'raw GET + JSON.parse',
      '  store.get',
      'manager.validate',
      '  store.get (recommended)',
      'manager.validate (recommended)',
    ],
    ['raw ZRANGE + MGET + parse (50)', '  store.listActive (50)', 'manager.list (50 sessions)'],
  ].slice(0, ONLY_VALIDATE ? 1 : 2)) {
    for (const name of names) await warm(ops[name], c);
    const [floor, ...results] = await compare(
      names.map((name) => ops[name]),
      c,
    );
    report(names[0], c, floor);
    for (const [j, result] of results.entries()) report(names[j + 1], c, result, floor);
  }
  if (ONLY_VALIDATE) continue;

  await warm(rawCreateOp, c);
  await warm(createOp, c);
  const [rawCreate, create] = await compare([rawCreateOp, createOp], c);
  report('raw MULTI SET+ZADD+PEXPIRE', c, rawCreate);
  report('manager.create', c, create, rawCreate);

  // revokeAll needs fresh victims: users with 3 live sessions each, made beforehand.
  const victims = c === 1 ? 1500 : 4000;
  const users = [];
  for (let u = 0; u < victims; u += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, victims - u) }, async (_, k) => {
        const userId = `r-${c}-${u + k}`;
        for (let s = 0; s < 3; s++) await fixtures.create({ userId, ipAddress: '198.51.100.7' });
        users.push(userId);
      }),
    );
  }
  report(
    'manager.revokeAll (3 sessions)',
    c,
    await measure((i) => manager.revokeAll(users[i]), c, { ms: 60_000, count: victims }),
  );
  console.log();
}

// Memory per session, as Redis accounts it.
if (!ONLY_VALIDATE) await reportMemory();
async function reportMemory() {
  const one = await fixtures.create({
    userId: 'mem-one',
    userAgent: UA,
    ipAddress: '198.51.100.7',
  });
  const shard = one.session.id.slice(0, 6);
  const sessionBytes = await client.memory(
    'USAGE',
    `bench:{${shard}}:sess:${one.session.id}`,
    'SAMPLES',
    0,
  );
  const activeBytes = await client.memory('USAGE', `bench:{${shard}}:active:mem-one`, 'SAMPLES', 0);
  const deviceBytes = await client.memory(
    'USAGE',
    `bench:{${shard}}:devices:mem-one`,
    'SAMPLES',
    0,
  );
  const used = async () => Number((await client.info('memory')).match(/used_memory:(\d+)/)?.[1]);
  const before = await used();
  const MANY = 5000;
  for (let i = 0; i < MANY; i += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, k) =>
        fixtures.create({ userId: `mem-${i + k}`, userAgent: UA, ipAddress: '198.51.100.7' }),
      ),
    );
  }
  const perUserSession = ((await used()) - before) / MANY;
  const before50 = await used();
  for (let u = 0; u < 100; u++) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        fixtures.create({ userId: `mem50-${u}`, userAgent: UA, ipAddress: '198.51.100.7' }),
      ),
    );
  }
  const perListedSession = ((await used()) - before50) / 5000;
  console.log(
    `memory: session key ${sessionBytes} B (value ${Buffer.byteLength(sampleValue)} B), active index ${activeBytes} B, device index ${deviceBytes} B (MEMORY USAGE, 1 session)`,
  );
  console.log(
    `memory: used_memory grows ${perUserSession.toFixed(0)} B per session for users with 1 session, ${perListedSession.toFixed(0)} B per session for users with 50`,
  );
}

const ratio = (name, floorName, c) => {
  const r = rows.find((x) => x.name === name && x.concurrency === c);
  const f = rows.find((x) => x.name === floorName && x.concurrency === c);
  return { ops: r.ops / f.ops, p50: r.p50 / f.p50, p99: r.p99 / f.p99, cpu: r.cpu / f.cpu };
};
console.log('\ntargets:');
for (const c of CONCURRENCY) {
  const v = ratio('manager.validate', 'raw GET + JSON.parse', c);
  const r = ratio('manager.validate (recommended)', 'raw GET + JSON.parse', c);
  const validate = `  c=${c}: validate (ioredis defaults) ${v.ops.toFixed(2)}× raw GET ops/s (target ≥ 0.85), p99 ${v.p99.toFixed(2)}× (target ≤ 1.20), CPU/call ${v.cpu.toFixed(2)}×; with the recommended options ${r.ops.toFixed(2)}×, p99 ${r.p99.toFixed(2)}×, CPU/call ${r.cpu.toFixed(2)}×`;
  if (ONLY_VALIDATE) {
    console.log(validate);
    continue;
  }
  const l = ratio('manager.list (50 sessions)', 'raw ZRANGE + MGET + parse (50)', c);
  console.log(
    `${validate}; list time/op ${(1 / l.ops).toFixed(2)}× raw ZRANGE+MGET (target ≤ 1.30), p99 ${l.p99.toFixed(2)}×`,
  );
}
console.log(`\ndone in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);

client.disconnect();
defaults.disconnect();
redis.stop();
