// The measuring loop shared by the store benches (redis.bench.mjs,
// postgres.bench.mjs): each operation runs from `concurrency` async loops, and
// a floor (the raw driver call) is measured in slices alternating with the
// store's operations, so all of them see the same background load on a shared
// machine and the ratios stay fair.
//
// BENCH_SECONDS=<n> sets the measured time per series (default 2 s).
import { performance } from 'node:perf_hooks';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
export const WARMUP_MS = 250;

/** Latencies, busy time and this process's CPU time of one operation, over one or more slices. */
export function tally() {
  return { latencies: [], elapsed: 0, issued: 0, cpu: 0, sliceOps: [] };
}

/** ops/s, p50/p99 latency (ms), and CPU µs this process spent per op (load-independent). */
export function summary({ latencies, elapsed, cpu, sliceOps }) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    ops: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    n: latencies.length,
    cpuPerOp: cpu / latencies.length,
    sliceOps,
  };
}

/** Runs `op` from `concurrency` loops for `ms` (or until `count` ops) and adds to `into`. */
export async function slice(op, concurrency, ms, into, count = Number.POSITIVE_INFINITY) {
  const end = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < end && into.issued < count) {
      const i = into.issued++;
      const t0 = performance.now();
      await op(i);
      into.latencies.push(performance.now() - t0);
    }
  };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const before = into.latencies.length;
  await Promise.all(Array.from({ length: concurrency }, loop));
  const took = performance.now() - started;
  into.elapsed += took;
  into.sliceOps.push(((into.latencies.length - before) / took) * 1000);
  const cpu = process.cpuUsage(cpu0);
  into.cpu += cpu.user + cpu.system;
}

export async function measure(op, concurrency, { ms = SECONDS * 1000, count } = {}) {
  const into = tally();
  await slice(op, concurrency, ms, into, count);
  return summary(into);
}

/**
 * Measures `ops` (a floor first, then what is built on it) in alternating
 * slices; `ratio()` also gives the median of the per-slice throughput ratios,
 * which a burst of load from another process moves much less than the totals.
 */
export async function compare(ops, concurrency, slices = 8) {
  const tallies = ops.map(() => tally());
  const ms = (SECONDS * 1000) / slices;
  for (let k = 0; k < slices; k++) {
    // Each round starts with a different operation, so none is always the one
    // measured right after a pause or right after the heaviest neighbour.
    for (let n = 0; n < ops.length; n++) {
      const j = (k + n) % ops.length;
      await slice(ops[j], concurrency, ms, tallies[j]);
    }
  }
  return tallies.map(summary);
}

export async function warm(op, concurrency) {
  await measure(op, concurrency, { ms: WARMUP_MS });
}

/** Prints result lines (with ratios against a floor) and keeps them for `ratio()`. */
export function createReport(width = 34) {
  const rows = [];
  const fmt = (v, d = 0) => v.toFixed(d).padStart(9);
  return {
    rows,
    line(name, concurrency, result, floor) {
      rows.push({ name, concurrency, ...result, floor });
      let line = `${name.padEnd(width)} c=${String(concurrency).padEnd(3)} ${fmt(result.ops)} ops/s  p50 ${fmt(result.p50 * 1000)} µs  p99 ${fmt(result.p99 * 1000)} µs  cpu ${fmt(result.cpuPerOp, 1)} µs/op`;
      if (floor) {
        line += `   vs floor: ${(result.ops / floor.ops).toFixed(2)}× ops/s, p50 ${(result.p50 / floor.p50).toFixed(2)}×, p99 ${(result.p99 / floor.p99).toFixed(2)}×`;
      }
      console.log(line);
    },
    /** `name`'s figures over `floorName`'s at one concurrency. */
    ratio(name, floorName, concurrency) {
      const r = rows.find((x) => x.name === name && x.concurrency === concurrency);
      const f = rows.find((x) => x.name === floorName && x.concurrency === concurrency);
      const perSlice = r.sliceOps.map((ops, k) => ops / f.sliceOps[k]).sort((a, b) => a - b);
      return {
        ops: r.ops / f.ops,
        opsMedianSlice: perSlice[perSlice.length >> 1],
        p50: r.p50 / f.p50,
        p99: r.p99 / f.p99,
        cpu: r.cpuPerOp / f.cpuPerOp,
      };
    },
  };
}
