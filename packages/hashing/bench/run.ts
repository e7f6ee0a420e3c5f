/**
 * Benchmark: 1M lookups of 20-character keys on 10 members, our partitioners side by side with the npm peers
 * `hashring` (ketama-compatible, MD5, 160 points per server) and `consistent-hash` (40 random points per node),
 * in the same process. Prints ns per lookup (best of the timed passes, key hashing included), ratios, and the
 * load balance (max/mean over 1M keys) against the issue's targets.
 *
 * Run: `npx tsx --conditions=source bench/run.ts [--keys N] [--passes P]`.
 */
import ConsistentHash from "consistent-hash";
import HashRingPeer from "hashring";
import {
  HashRing,
  JumpHash,
  loadReport,
  MaglevHash,
  ModNPartitioner,
  RangePartitioner,
  RendezvousHash,
  SlotPartitioner,
} from "../src/index.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const KEY_COUNT = arg("keys", 1_000_000);
const PASSES = arg("passes", 3);
const MEMBERS = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:6379`);

/** mulberry32: a seeded PRNG so every run looks up the same keys. */
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
function makeKeys(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const out = new Array<string>(count);
  const codes = new Array<number>(20);
  for (let i = 0; i < count; i++) {
    // Built from char codes in one go: a flat string, as keys read from the network are (a string grown by
    // += is a rope that the first lookup would flatten, charging that cost to whoever looks it up first).
    for (let j = 0; j < 20; j++) codes[j] = ALPHABET.charCodeAt(Math.floor(random() * ALPHABET.length));
    out[i] = String.fromCharCode(...codes);
  }
  return out;
}

interface Subject {
  readonly name: string;
  readonly locate: (key: string) => string | null | undefined;
  readonly peer: boolean;
}

const ring160 = HashRing.create(MEMBERS, { vnodesPerWeight: 160 });
const ring160Balanced = HashRing.create(MEMBERS, { vnodesPerWeight: 160, balanceRounds: 2 });
const ring1000 = HashRing.create(MEMBERS, { vnodesPerWeight: 1000 });
const jump = JumpHash.create(MEMBERS);
const maglev = MaglevHash.create(MEMBERS);
const rendezvous = RendezvousHash.create(MEMBERS);
const modN = ModNPartitioner.create(MEMBERS);
const rangeByHash = RangePartitioner.byHash(MEMBERS);
const redisSlots = SlotPartitioner.create(MEMBERS);
const ketama = new HashRingPeer(MEMBERS);
const randomRing = new ConsistentHash();
for (const m of MEMBERS) randomRing.add(m);

const subjects: Subject[] = [
  { name: "hashring (peer, ketama md5, 160 pts/server)", locate: (k) => ketama.get(k), peer: true },
  { name: "consistent-hash (peer, 40 random pts/node)", locate: (k) => randomRing.get(k), peer: true },
  { name: "HashRing, 160 vnodes", locate: (k) => ring160.locate(k), peer: false },
  { name: "HashRing, 160 vnodes, balanceRounds 2", locate: (k) => ring160Balanced.locate(k), peer: false },
  { name: "HashRing, 1000 vnodes", locate: (k) => ring1000.locate(k), peer: false },
  { name: "JumpHash", locate: (k) => jump.locate(k), peer: false },
  { name: "MaglevHash, M=65537", locate: (k) => maglev.locate(k), peer: false },
  { name: "RendezvousHash", locate: (k) => rendezvous.locate(k), peer: false },
  { name: "ModNPartitioner", locate: (k) => modN.locate(k), peer: false },
  { name: "RangePartitioner.byHash", locate: (k) => rangeByHash.locate(k), peer: false },
  { name: "SlotPartitioner (Redis CRC16)", locate: (k) => redisSlots.locate(k), peer: false },
];

/**
 * ns per lookup of CPU time (user + system) spent by this process in the loop: on a machine shared with other
 * jobs, wall time also counts the time the process waits to be scheduled, CPU time does not.
 */
function time(subject: Subject, keys: readonly string[]): { cpuNs: number; wallNs: number } {
  let sink = 0;
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < keys.length; i++) sink += subject.locate(keys[i]!)!.length;
  const used = process.cpuUsage(cpu);
  const wallNs = Number(process.hrtime.bigint() - wall);
  if (sink === 0) throw new Error("unreachable: every lookup returns a member");
  return { cpuNs: ((used.user + used.system) * 1000) / keys.length, wallNs: wallNs / keys.length };
}

const keys = makeKeys(KEY_COUNT, 0x5eed);
const warm = makeKeys(50_000, 0xbeef);
console.log(
  `@distkit/hashing bench: ${KEY_COUNT.toLocaleString("en-US")} lookups of 20-char keys (seeded PRNG), ` +
    `${MEMBERS.length} members, best of ${PASSES} passes (peers: 1; hashring on 1/5 of the keys); node ${process.version}, ${process.platform}/${process.arch}`,
);
const results = new Map<string, number>();
const wallResults = new Map<string, number>();
for (const s of subjects) {
  time(s, warm);
  let best = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  // Peers are slow: one pass each (on a fifth of the keys for hashring) keeps the run under two minutes.
  const passes = s.peer ? 1 : PASSES;
  const timedKeys = s.name.startsWith("hashring") ? keys.slice(0, Math.ceil(keys.length / 5)) : keys;
  for (let p = 0; p < passes; p++) {
    const t = time(s, timedKeys);
    best = Math.min(best, t.cpuNs);
    bestWall = Math.min(bestWall, t.wallNs);
  }
  results.set(s.name, best);
  wallResults.set(s.name, bestWall);
}

const ketamaNs = results.get(subjects[0]!.name)!;
const randomNs = results.get(subjects[1]!.name)!;
const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, d = 1) => x.toFixed(d).padStart(9);
console.log(
  `\n${pad("lookup (ns per lookup, CPU time; wall in brackets)", 52)}${"cpu ns".padStart(9)} ${"(wall)".padStart(9)} ${"vs hashring".padStart(12)} ${"vs consistent-hash".padStart(19)}`,
);
for (const s of subjects) {
  const ns = results.get(s.name)!;
  console.log(
    `${pad(s.name, 52)}${num(ns)} ${`(${wallResults.get(s.name)!.toFixed(0)})`.padStart(9)} ${`${(ketamaNs / ns).toFixed(1)}x`.padStart(12)} ${`${(randomNs / ns).toFixed(1)}x`.padStart(19)}`,
  );
}

// Load balance over the same keys (peers on a 100k subset: they are slow).
console.log(`\n${pad("load balance", 52)}${"max/mean".padStart(9)} ${"std/mean".padStart(12)}`);
const loads = new Map<string, number>();
for (const s of subjects) {
  const sample = s.peer ? keys.slice(0, 100_000) : keys;
  const r = loadReport(
    { locate: (k) => s.locate(k)!, members: () => MEMBERS.map((id) => ({ id, weight: 1 })) },
    sample,
  );
  loads.set(s.name, r.maxOverMean);
  console.log(`${pad(s.name, 52)}${num(r.maxOverMean, 3)} ${num(r.relativeStdDev, 4).padStart(12)}`);
}

const ring160Ns = results.get("HashRing, 160 vnodes")!;
const targets: [string, boolean, string][] = [
  [
    "ring (160 vnodes) at least 20x faster than hashring",
    ketamaNs / ring160Ns >= 20,
    `${(ketamaNs / ring160Ns).toFixed(1)}x`,
  ],
  [
    "Maglev under 150 ns/lookup",
    results.get("MaglevHash, M=65537")! < 150,
    `${results.get("MaglevHash, M=65537")!.toFixed(1)} ns`,
  ],
  ["jump under 150 ns/lookup", results.get("JumpHash")! < 150, `${results.get("JumpHash")!.toFixed(1)} ns`],
  [
    "ring max/mean <= 1.15 at 160 vnodes",
    loads.get("HashRing, 160 vnodes")! <= 1.15,
    loads.get("HashRing, 160 vnodes")!.toFixed(3),
  ],
  [
    "ring max/mean <= 1.15 at 160 vnodes, balanceRounds 2",
    loads.get("HashRing, 160 vnodes, balanceRounds 2")! <= 1.15,
    loads.get("HashRing, 160 vnodes, balanceRounds 2")!.toFixed(3),
  ],
  [
    "ring max/mean <= 1.06 at 1000 vnodes",
    loads.get("HashRing, 1000 vnodes")! <= 1.06,
    loads.get("HashRing, 1000 vnodes")!.toFixed(3),
  ],
  ["jump max/mean <= 1.01", loads.get("JumpHash")! <= 1.01, loads.get("JumpHash")!.toFixed(3)],
];
console.log("\ntargets (issue #4)");
for (const [what, ok, value] of targets) console.log(`  ${ok ? "MET " : "MISS"}  ${pad(what, 56)} ${value}`);
console.log(
  "\nnotes: ns are CPU time of the lookup loop (wall time in brackets; on a shared machine wall time also counts\n" +
    "waiting to be scheduled). A plain ring's max/mean at 160 vnodes depends on the member ids: random point\n" +
    "positions leave arc shares off by about 1/sqrt(160); over 200 random 10-member sets it is 1.12 median,\n" +
    "1.19 at p90. balanceRounds corrects vnode counts (about 1.04) at the price of ~1.25x the ideal movement.",
);
