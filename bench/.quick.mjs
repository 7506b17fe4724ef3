import { performance } from 'node:perf_hooks';
import { createSessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { Redis } from 'ioredis';
import { startRedis } from './redis-launcher.mjs';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const C = Number(process.env.C ?? 64);
function tally() { return { latencies: [], elapsed: 0 }; }
function summary({ latencies, elapsed }) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { ops: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}
async function slice(op, c, ms, into) {
  const end = performance.now() + ms; let i = 0;
  const loop = async () => { while (performance.now() < end) { const t0 = performance.now(); await op(i++); into.latencies.push(performance.now() - t0); } };
  const s = performance.now(); await Promise.all(Array.from({ length: c }, loop)); into.elapsed += performance.now() - s;
}
const redis = await startRedis();
const def = new Redis(`redis://127.0.0.1:${redis.port}`);
const rec = new Redis({ host: '127.0.0.1', port: redis.port, enableOfflineQueue: false, maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false, commandTimeout: 500 });
await new Promise((r) => def.once('ready', r)); await new Promise((r) => rec.once('ready', r));
const mDef = createSessionManager({ store: createRedisStore({ client: def, prefix: 'b:' }) });
const mRec = createSessionManager({ store: createRedisStore({ client: rec, prefix: 'b:' }) });
const sDef = createRedisStore({ client: def, prefix: 'b:' });
const sRec = createRedisStore({ client: rec, prefix: 'b:' });
const tokens = [], raw = [];
for (let i = 0; i < 1000; i++) {
  const { session, token } = await mDef.create({ userId: `v-${i}`, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', ipAddress: '198.51.100.7', metadata: { plan: 'pro' } });
  const key = `b:{${session.id.slice(0, 6)}}:sess:${session.id}`;
  const [h, b] = (await def.get(key)).split('\n');
  await def.set(`raw:${i}`, JSON.stringify({ ...JSON.parse(h), ...JSON.parse(b) }));
  tokens.push(token); raw.push(`raw:${i}`);
}
const ids = tokens.map((t) => t.slice(0, 28));
const ops = {
  'raw GET def': (i) => def.get(raw[i % 1000]).then(JSON.parse),
  'store.get def': (i) => sDef.get(ids[i % 1000]),
  'validate def': (i) => mDef.validate(tokens[i % 1000]),
  'store.get rec': (i) => sRec.get(ids[i % 1000]),
  'validate rec': (i) => mRec.validate(tokens[i % 1000]),
};
const names = Object.keys(ops);
for (const n of names) await slice(ops[n], C, 250, tally());
const t = names.map(() => tally());
for (let k = 0; k < 8; k++) for (const [j, n] of names.entries()) await slice(ops[n], C, SECONDS * 1000 / 8, t[j]);
const res = t.map(summary);
for (const [j, n] of names.entries()) { const r = res[j], f = res[0]; console.log(`${n.padEnd(16)} ${r.ops.toFixed(0).padStart(7)} ops/s p50 ${(r.p50*1000).toFixed(0).padStart(6)}µs p99 ${(r.p99*1000).toFixed(0).padStart(6)}µs  ${(r.ops/f.ops).toFixed(2)}× ops, p99 ${(r.p99/f.p99).toFixed(2)}×`); }
def.disconnect(); rec.disconnect(); redis.stop();
