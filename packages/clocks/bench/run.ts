/**
 * Vector clock throughput: increment, merge and compare for clocks of 3, 16 and 128 entries,
 * @distkit/clocks VectorClock vs `vectorclock` (mixu) and `@thi.ng/vclock`, measured in the same process.
 *
 * Workload: 256 clocks per size over the same id set ("node-000"...), counters drawn from a seeded PRNG
 * so that pairs are a mix of ordered and concurrent. Every clock is built independently (no shared
 * arrays between ours). increment: `vectorclock` mutates in place; ours and thi.ng return new values.
 * Each figure is the best of 5 rounds of ~120 ms. Run: `npx tsx --conditions=source bench/run.ts`.
 */
import { compare as thingCompare, inc as thingInc, merge as thingMerge } from "@thi.ng/vclock";
import mixu from "vectorclock";
import { VectorClock } from "../src/index.js";

type Rec = Record<string, number>;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL = 256;
let sink = 0;

function measure(fn: (i: number) => void, roundMs = 120, rounds = 5): number {
  // warm-up
  for (let i = 0; i < 20_000; i++) fn(i);
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < roundMs) {
      for (let i = 0; i < 1000; i++) fn(ops + i);
      ops += 1000;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (ops / elapsed) * 1000);
  }
  return best;
}

function fmt(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M/s`;
  return `${(opsPerSec / 1e3).toFixed(1)} k/s`;
}

interface Row {
  op: string;
  size: number;
  ours: number;
  mixu: number;
  thing: number;
}
const rows: Row[] = [];

for (const size of [3, 16, 128]) {
  const rand = prng(size * 7919);
  const ids = Array.from({ length: size }, (_, i) => `node-${String(i).padStart(3, "0")}`);
  const recs: Rec[] = [];
  for (let k = 0; k < POOL; k++) {
    const r: Rec = {};
    // shuffle insertion order so the peers' objects are not all the same shape by accident
    for (const id of ids) r[id] = 1 + Math.floor(rand() * 4);
    recs.push(r);
  }
  const ours = recs.map((r) => VectorClock.from(r));
  const mixuClocks = recs.map((r) => ({ ...r }));
  const thingClocks = recs.map((r) => ({ ...r }));
  const pick = ids.map((_, i) => ids[i]!);
  const M = POOL - 1;

  // sanity: the three agree on compare (ours distinguishes equal/concurrent; peers map both to 0)
  for (let i = 0; i < POOL; i++) {
    const j = (i * 31 + 7) & M;
    const o = ours[i]!.compare(ours[j]!);
    const expected = o === "before" ? -1 : o === "after" ? 1 : 0;
    if (
      mixu.compare(mixuClocks[i]!, mixuClocks[j]!) !== expected ||
      thingCompare(thingClocks[i]!, thingClocks[j]!) !== expected
    ) {
      throw new Error(`benchmark peers disagree on compare at ${i},${j}`);
    }
  }

  const inc = {
    ours: measure((i) => {
      const c = ours[i & M]!.increment(pick[i % size]!);
      sink += c.size;
    }),
    mixu: measure((i) => {
      const c = mixu.increment(mixuClocks[i & M]!, pick[i % size]!);
      sink += c === undefined ? 0 : 1;
    }),
    thing: measure((i) => {
      const c = thingInc(thingClocks[i & M]!, pick[i % size]!);
      sink += c === undefined ? 0 : 1;
    }),
  };
  rows.push({ op: "increment", size, ...inc });

  const merge = {
    ours: measure((i) => {
      const c = ours[i & M]!.merge(ours[(i * 31 + 7) & M]!);
      sink += c.size;
    }),
    mixu: measure((i) => {
      const c = mixu.merge(mixuClocks[i & M]!, mixuClocks[(i * 31 + 7) & M]!);
      sink += c === undefined ? 0 : 1;
    }),
    thing: measure((i) => {
      const c = thingMerge(thingClocks[i & M]!, thingClocks[(i * 31 + 7) & M]!);
      sink += c === undefined ? 0 : 1;
    }),
  };
  rows.push({ op: "merge", size, ...merge });

  const cmp = {
    ours: measure((i) => {
      const o = ours[i & M]!.compare(ours[(i * 31 + 7) & M]!);
      sink += o.length;
    }),
    mixu: measure((i) => {
      sink += mixu.compare(mixuClocks[i & M]!, mixuClocks[(i * 31 + 7) & M]!);
    }),
    thing: measure((i) => {
      sink += thingCompare(thingClocks[i & M]!, thingClocks[(i * 31 + 7) & M]!);
    }),
  };
  rows.push({ op: "compare", size, ...cmp });
}

console.log("@distkit/clocks VectorClock vs vectorclock@0.0.0 (mixu) and @thi.ng/vclock@0.1.10");
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}; best of 5 rounds x 120 ms; pool of ${POOL} clocks\n`,
);
const header = ["op", "entries", "distkit", "vectorclock", "@thi.ng/vclock", "vs faster peer", "vs @thi.ng"];
const table = rows.map((r) => {
  const peer = Math.max(r.mixu, r.thing);
  return [
    r.op,
    String(r.size),
    fmt(r.ours),
    fmt(r.mixu),
    fmt(r.thing),
    `${(r.ours / peer).toFixed(1)}x`,
    `${(r.ours / r.thing).toFixed(1)}x`,
  ];
});
const widths = header.map((h, c) => Math.max(h.length, ...table.map((t) => t[c]!.length)));
const line = (cells: string[]) => cells.map((x, c) => x.padEnd(widths[c]!)).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const t of table) console.log(line(t));
const target = rows.filter((r) => r.op !== "increment");
const worst = Math.min(...target.map((r) => r.ours / Math.max(r.mixu, r.thing)));
console.log(`\nmerge/compare: worst ratio vs the faster peer ${worst.toFixed(1)}x (target >= 3x)`);
console.log(
  "increment: ours and @thi.ng/vclock return a new clock (O(n) copy); vectorclock mutates its argument in place (O(1)).",
);
if (sink === 42) console.log("");
