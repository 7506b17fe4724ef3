import { performance } from 'node:perf_hooks';
import { Redis, Command } from 'ioredis';
import { startRedis } from './redis-launcher.mjs';
const C = 64, SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
function tally() { return { latencies: [], elapsed: 0 }; }
function summary({ latencies, elapsed }) { latencies.sort((a, b) => a - b); const at = (q) => latencies[Math.floor(q * latencies.length)]; return { ops: (latencies.length / elapsed) * 1000, p99: at(0.99) }; }
async function slice(op, c, ms, into) { const end = performance.now() + ms; let i = 0; const loop = async () => { while (performance.now() < end) { const t0 = performance.now(); await op(i++); into.latencies.push(performance.now() - t0); } }; const s = performance.now(); await Promise.all(Array.from({ length: c }, loop)); into.elapsed += performance.now() - s; }
const redis = await startRedis();
const client = new Redis(`redis://127.0.0.1:${redis.port}`);
await new Promise((r) => client.once('ready', r));
const value = JSON.stringify({ a: 'x'.repeat(600), b: 1, c: [1, 2, 3] });
for (let i = 0; i < 1000; i++) await client.set(`k${i}`, value);
// old guard
const inFlight = new Set(); let sweeper;
const sweep = () => { const at = performance.now(); for (const c of inFlight) { if (c.deadline > at) continue; inFlight.delete(c); c.reject(new Error('t')); } if (inFlight.size === 0) { clearInterval(sweeper); sweeper = undefined; } };
function guarded(send) { return new Promise((resolve, reject) => { const p = { deadline: performance.now() + 500, reject, send: () => { if (!inFlight.has(p)) return; send().then((v) => { inFlight.delete(p); resolve(v); }, (e) => { inFlight.delete(p); reject(e); }); } }; inFlight.add(p); if (!sweeper) { sweeper = setInterval(sweep, 50); sweeper.unref(); } p.send(); }); }
// command-own-promise guard
const cmds = []; const dls = []; let head = 0; let timer;
const tick = () => { const at = performance.now(); let w = 0; for (let i = head; i < cmds.length; i++) { const c = cmds[i]; if (c.isResolved) continue; if (dls[i] <= at) { c.reject(new Error('t')); continue; } cmds[w] = c; dls[w++] = dls[i]; } cmds.length = w; dls.length = w; head = 0; if (w === 0) { clearInterval(timer); timer = undefined; } };
function cmdGuard(name, args) { const c = new Command(name, args, { replyEncoding: 'utf8' }); while (head < cmds.length && cmds[head].isResolved) head++; if (head > 1024 && head * 2 > cmds.length) { cmds.splice(0, head); dls.splice(0, head); head = 0; } cmds.push(c); dls.push(performance.now() + 500); if (!timer) { timer = setInterval(tick, 50); timer.unref(); } return client.sendCommand(c); }
const ops = {
  raw: (i) => client.get(`k${i % 1000}`).then(JSON.parse),
  oldGuard: (i) => guarded(() => client.get(`k${i % 1000}`)).then(JSON.parse),
  cmdGuard: (i) => cmdGuard('get', [`k${i % 1000}`]).then(JSON.parse),
};
const names = Object.keys(ops);
for (const n of names) await slice(ops[n], C, 300, tally());
const t = names.map(() => tally());
for (let k = 0; k < 10; k++) for (const [j, n] of names.entries()) await slice(ops[n], C, SECONDS * 100, t[j]);
const res = t.map(summary);
console.log(names.map((n, j) => `${n} ${res[j].ops.toFixed(0)} (${(res[j].ops / res[0].ops).toFixed(2)}×, p99 ${(res[j].p99 / res[0].p99).toFixed(2)}×)`).join('  |  '));
client.disconnect(); redis.stop();
