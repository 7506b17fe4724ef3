// Benchmarks @sessionkit/redis through the session manager against raw ioredis
// floors measured the same way, in the same run, on a redis-server this script
// starts (and stops) itself. Run from the repo root: `pnpm bench`.
//
// BENCH_SECONDS=<n> sets the measured time per series (default 2 s); the
// measuring loop is bench/harness.mjs. BENCH_ONLY=validate runs only the
// per-request rows (the raw GET floor, store.get, manager.validate with ioredis
// defaults and the recommended options, and with a touch due on every call):
// a quick check of the hot path.
import { performance } from 'node:perf_hooks';
import { createSessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';
import { compare, createReport, measure, SECONDS, warm } from './harness.mjs';

const CONCURRENCY = [1, 64];
const ONLY_VALIDATE = process.env.BENCH_ONLY === 'validate';
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const { line: report, ratio } = createReport();

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
// The raw lookup at its best: ioredis' autopipelining sends the commands of a
// tick in one write, as the store's fast path does by itself.
const pipelined = new Redis(`redis://127.0.0.1:${redis.port}`, { enableAutoPipelining: true });
await new Promise((resolve) => client.once('ready', resolve));
if (pipelined.status !== 'ready') await new Promise((resolve) => pipelined.once('ready', resolve));
if (defaults.status !== 'ready') await new Promise((resolve) => defaults.once('ready', resolve));
const manager = createSessionManager({ store: createRedisStore({ client, prefix: 'bench:' }) });
const managerDefaults = createSessionManager({
  store: createRedisStore({ client: defaults, prefix: 'bench:' }),
});
// A touch due on every call (touchInterval 0: each of the 1000 sessions comes
// round again ~20 ms later): the activity write off the response (the default,
// `activityWrites: 'background'`) against awaiting it before answering.
const touchingStore = createRedisStore({ client: defaults, prefix: 'bench:' });
const managerTouchBackground = createSessionManager({ store: touchingStore, touchInterval: 0 });
const managerTouchAwait = createSessionManager({
  store: touchingStore,
  touchInterval: 0,
  activityWrites: 'await',
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
      manager.create({
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
      manager.create({ userId, userAgent: UA, ipAddress: '198.51.100.7' }),
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
  'raw GET + JSON.parse, autopipelined': (i) =>
    pipelined.get(rawKeys[i % POOL]).then((v) => JSON.parse(v)),
  'raw GET + JSON.parse (again)': (i) => defaults.get(rawKeys[i % POOL]).then((v) => JSON.parse(v)),
  'raw GET + JSON.parse (and again)': (i) =>
    defaults.get(rawKeys[i % POOL]).then((v) => JSON.parse(v)),
  '  store.get': (i) => storeDefaults.get(sessionIds[i % POOL]),
  'manager.validate': (i) => managerDefaults.validate(tokens[i % POOL]),
  '  store.get (recommended)': (i) => store.get(sessionIds[i % POOL]),
  'manager.validate (recommended)': (i) => manager.validate(tokens[i % POOL]),
  'manager.validate, touch due, background': (i) =>
    managerTouchBackground.validate(tokens[i % POOL]),
  'manager.validate, touch due, awaited': (i) => managerTouchAwait.validate(tokens[i % POOL]),
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
      'raw GET + JSON.parse, autopipelined',
      '  store.get',
      'manager.validate',
      '  store.get (recommended)',
      'manager.validate (recommended)',
    ],
    // A group of their own: background touches still in flight when a slice
    // ends would otherwise slow whichever series runs next.
    ['raw GET + JSON.parse (again)', 'manager.validate, touch due, background'],
    ['raw GET + JSON.parse (and again)', 'manager.validate, touch due, awaited'],
    ['raw ZRANGE + MGET + parse (50)', '  store.listActive (50)', 'manager.list (50 sessions)'],
  ].slice(0, ONLY_VALIDATE ? 3 : 4)) {
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
        for (let s = 0; s < 3; s++) await manager.create({ userId, ipAddress: '198.51.100.7' });
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

if (!ONLY_VALIDATE) await reportMemory();

console.log('\ntargets:');
for (const c of CONCURRENCY) {
  const v = ratio('manager.validate', 'raw GET + JSON.parse', c);
  const r = ratio('manager.validate (recommended)', 'raw GET + JSON.parse', c);
  const tb = ratio('manager.validate, touch due, background', 'raw GET + JSON.parse (again)', c);
  const ta = ratio('manager.validate, touch due, awaited', 'raw GET + JSON.parse (and again)', c);
  console.log(
    `  c=${c}: validate with a touch due on every call: background ${tb.ops.toFixed(2)}× ops/s, p99 ${tb.p99.toFixed(2)}×; awaited ${ta.ops.toFixed(2)}× ops/s, p99 ${ta.p99.toFixed(2)}×`,
  );
  const p = ratio('manager.validate', 'raw GET + JSON.parse, autopipelined', c);
  console.log(
    `  c=${c}: validate (ioredis defaults) ${p.ops.toFixed(2)}× the autopipelined raw GET ops/s, p99 ${p.p99.toFixed(2)}×`,
  );
  if (ONLY_VALIDATE) {
    console.log(
      `  c=${c}: validate (ioredis defaults) ${v.ops.toFixed(2)}× raw GET ops/s (target ≥ 0.85; median of slices ${v.opsMedianSlice.toFixed(2)}×), p99 ${v.p99.toFixed(2)}× (target ≤ 1.20), CPU/op ${v.cpu.toFixed(2)}×; with the recommended options ${r.ops.toFixed(2)}×, p99 ${r.p99.toFixed(2)}×`,
    );
    continue;
  }
  const l = ratio('manager.list (50 sessions)', 'raw ZRANGE + MGET + parse (50)', c);
  console.log(
    `  c=${c}: validate (ioredis defaults) ${v.ops.toFixed(2)}× raw GET ops/s (target ≥ 0.85), p99 ${v.p99.toFixed(2)}× (target ≤ 1.20); with the recommended options ${r.ops.toFixed(2)}×, p99 ${r.p99.toFixed(2)}×; list time/op ${(1 / l.ops).toFixed(2)}× raw ZRANGE+MGET (target ≤ 1.30), p99 ${l.p99.toFixed(2)}×`,
  );
}
console.log(`\ndone in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);

client.disconnect();
defaults.disconnect();
pipelined.disconnect();
redis.stop();

/** Memory per session, as Redis accounts it. */
async function reportMemory() {
  const one = await manager.create({ userId: 'mem-one', userAgent: UA, ipAddress: '198.51.100.7' });
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
        manager.create({ userId: `mem-${i + k}`, userAgent: UA, ipAddress: '198.51.100.7' }),
      ),
    );
  }
  const perUserSession = ((await used()) - before) / MANY;
  const before50 = await used();
  for (let u = 0; u < 100; u++) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        manager.create({ userId: `mem50-${u}`, userAgent: UA, ipAddress: '198.51.100.7' }),
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
