/**
 * The table the article's "splitting the data" section needs: for each @distkit/hashing partitioner on 1M
 * keys and 10 members, the lookup time (key hashing included), the load balance (max/mean keys per member),
 * the fraction of keys that move when an 11th member joins and when one of the 10 leaves (against the ideal
 * 1/11 and 1/10), and the memory the partitioner holds.
 *
 * Keys are 20-character strings from a seeded PRNG, so every run prints the same balance and movement
 * figures; times and memory depend on the machine.
 *
 * Run: npx tsx --conditions=source examples/hashing-partitioners.ts [--keys 1000000]
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  BoundedLoadRing,
  HashRing,
  JumpHash,
  loadReport,
  loadReportFromCounts,
  MaglevHash,
  type MemberId,
  ModNPartitioner,
  type Partitioner,
  RangePartitioner,
  RendezvousHash,
  SlotPartitioner,
} from "@distkit/hashing";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

const KEY_COUNT = arg("keys", 1_000_000);
const MEMBERS = Array.from({ length: 10 }, (_, i) => `node-${i}`);
const NEWCOMER = "node-10";
const LEAVER = "node-3";

/** mulberry32, seeded: the same keys on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const random = mulberry32(42);
const keys: string[] = new Array(KEY_COUNT);
const codes = new Array<number>(20);
for (let i = 0; i < KEY_COUNT; i++) {
  // Built from char codes in one go: a flat string, as keys read from the network are (a string grown by +=
  // is a rope that the first lookup would flatten, charging that cost to the first partitioner measured).
  for (let j = 0; j < 20; j++) codes[j] = ALPHABET.charCodeAt(Math.floor(random() * ALPHABET.length));
  keys[i] = String.fromCharCode(...codes);
}

// A gc handle to measure retained heap (the same trick as `node --expose-gc`).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Retained memory of one instance (heap and typed-array buffers): build 10, keep them, divide the growth.
 * Collects twice around a macrotask so that freed array buffers are accounted for.
 */
async function heapBytes(build: () => unknown): Promise<number> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const settle = async () => {
    for (let i = 0; i < 2; i++) {
      gc();
      await tick();
    }
  };
  await settle();
  const before = used();
  const keep = Array.from({ length: 10 }, build);
  await settle();
  const after = used();
  if (keep.length !== 10) throw new Error("unreachable");
  return Math.max(0, (after - before) / 10);
}

function owners(p: Partitioner): { owners: MemberId[]; nsPerLookup: number } {
  for (let i = 0; i < Math.min(50_000, keys.length); i++) p.locate(keys[i]!); // warm up
  const out: MemberId[] = new Array(keys.length);
  // CPU time, not wall time: on a shared machine the process also waits to be scheduled.
  const start = process.cpuUsage();
  for (let i = 0; i < keys.length; i++) out[i] = p.locate(keys[i]!);
  const cpu = process.cpuUsage(start);
  return { owners: out, nsPerLookup: ((cpu.user + cpu.system) * 1000) / keys.length };
}

function movedFraction(a: readonly MemberId[], b: readonly MemberId[]): number {
  let moved = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) moved++;
  return moved / a.length;
}

interface Row {
  name: string;
  ns: number;
  maxOverMean: number;
  addMoved: number;
  removeMoved: number;
  memoryBytes: number;
}

const rows: Row[] = [];
const stateless: [string, () => Partitioner][] = [
  ["hash mod N", () => ModNPartitioner.create(MEMBERS)],
  ["range by hash (1 range/member)", () => RangePartitioner.byHash(MEMBERS)],
  ["ring, 160 vnodes", () => HashRing.create(MEMBERS, { vnodesPerWeight: 160 })],
  [
    "ring, 160 vnodes, balanceRounds 2",
    () => HashRing.create(MEMBERS, { vnodesPerWeight: 160, balanceRounds: 2 }),
  ],
  ["ring, 1000 vnodes", () => HashRing.create(MEMBERS, { vnodesPerWeight: 1000 })],
  ["rendezvous (HRW)", () => RendezvousHash.create(MEMBERS)],
  ["jump", () => JumpHash.create(MEMBERS)],
  ["Maglev, M = 65537", () => MaglevHash.create(MEMBERS)],
  ["slots, Redis 16384 CRC16", () => SlotPartitioner.create(MEMBERS)],
  ["slots, Riak Q = 64", () => SlotPartitioner.create(MEMBERS, { slotting: "hash-range", slotCount: 64 })],
];

for (const [name, build] of stateless) {
  const p = build();
  const base = owners(p);
  const counts = new Map<MemberId, number>();
  for (const o of base.owners) counts.set(o, (counts.get(o) ?? 0) + 1);
  const balance = loadReportFromCounts(p.members(), counts);
  const added = owners(p.withMember(NEWCOMER)).owners;
  const removed = owners(p.withoutMember(LEAVER)).owners;
  rows.push({
    name,
    ns: base.nsPerLookup,
    maxOverMean: balance.maxOverMean,
    addMoved: movedFraction(base.owners, added),
    removeMoved: movedFraction(base.owners, removed),
    memoryBytes: await heapBytes(build),
  });
}

// Bounded loads are stateful: assign every key, then look them up; changes re-place all assigned keys.
{
  const build = () => BoundedLoadRing.create(MEMBERS, { epsilon: 0.25, vnodesPerWeight: 100 });
  const ring = build();
  for (const k of keys) ring.assign(k);
  const base = owners(ring);
  const balance = loadReportFromCounts(ring.members(), ring.loads());
  const added = owners(ring.withMember(NEWCOMER)).owners;
  const removed = owners(ring.withoutMember(LEAVER)).owners;
  const empty = await heapBytes(build);
  rows.push({
    name: "bounded loads, eps 0.25 (100 vnodes)",
    ns: base.nsPerLookup,
    maxOverMean: balance.maxOverMean,
    addMoved: movedFraction(base.owners, added),
    removeMoved: movedFraction(base.owners, removed),
    memoryBytes: empty,
  });
  if (loadReport(ring, keys.slice(0, 1000)).keyCount !== 1000) throw new Error("unreachable");
}

const n = MEMBERS.length;
console.log(`Partitioners on ${KEY_COUNT.toLocaleString("en-US")} keys (20 chars, seeded) and ${n} members`);
console.log(
  `moved: fraction of keys whose owner changes when "${NEWCOMER}" joins (ideal 1/${n + 1} = ${(1 / (n + 1)).toFixed(3)}) ` +
    `and when "${LEAVER}" leaves (ideal 1/${n} = ${(1 / n).toFixed(3)})\n`,
);
const header = ["partitioner", "lookup ns", "max/mean", "moved +1", "moved -1", "memory"];
const widths = [38, 10, 9, 9, 9, 10];
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" ");
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
const kib = (b: number) => (b < 1024 ? `${b.toFixed(0)} B` : `${(b / 1024).toFixed(1)} KiB`);
for (const r of rows) {
  console.log(
    line([
      r.name,
      r.ns.toFixed(0),
      r.maxOverMean.toFixed(3),
      r.addMoved.toFixed(3),
      r.removeMoved.toFixed(3),
      kib(r.memoryBytes),
    ]),
  );
}
console.log(
  "\nlookup ns: CPU time per locate() over all keys, key hashing included (machine-dependent).\n" +
    "memory: retained heap and typed arrays per instance (the bounded-load ring's excludes its per-key map).\n" +
    "bounded loads: max/mean is capped at 1.25 by construction; its lookups read the assignment map.",
);
