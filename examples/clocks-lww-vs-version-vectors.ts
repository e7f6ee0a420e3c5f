/**
 * Last-writer-wins vs version vectors under clock skew.
 *
 * Two replicas of a key-value store, A and B. B's clock runs 50 ms behind true time (an NTP hiccup).
 * Two clients write the same key concurrently, B's client 20 ms *after* A's in real time:
 *
 *   - Last-writer-wins with physical timestamps keeps the value with the larger timestamp. B's write
 *     gets the smaller timestamp despite happening later, so it is silently dropped on both replicas.
 *     Worse, a write on B that *causally follows* A's write (its client had read A's value) is lost too.
 *   - Version vectors record which writes each value has seen. The two concurrent writes compare as
 *     `concurrent`, so both are kept as siblings for the application (or a CRDT) to merge; the causally
 *     later write compares as `after` and correctly replaces the value it had seen.
 *   - A plain version vector fails when a replica coordinates a write from a client with a stale context
 *     (it cannot name the write without claiming to have seen the replica's earlier writes). Dotted
 *     version vectors fix that; a DVVSet keeps the siblings and their clocks compactly, as Riak does.
 *
 * Run: npx tsx --conditions=source examples/clocks-lww-vs-version-vectors.ts
 */
import { DVVSet, type Ordering, VersionVector } from "@distkit/clocks";

let trueTimeMs = 1_000;
const clockOf = { A: () => trueTimeMs, B: () => trueTimeMs - 50 } as const;
type ReplicaId = keyof typeof clockOf;

// ---- 1. Last-writer-wins with physical timestamps ----
interface Stamped {
  readonly value: string;
  readonly tsMs: number;
  readonly replica: ReplicaId;
}
function lwwMerge(a: Stamped, b: Stamped): Stamped {
  if (a.tsMs !== b.tsMs) return a.tsMs > b.tsMs ? a : b;
  return a.replica > b.replica ? a : b; // deterministic tie-break
}

console.log("Replica B's clock runs 50 ms behind true time.\n");
console.log("1) Last-writer-wins (physical timestamps)");
const w1: Stamped = { value: "blue", tsMs: clockOf.A(), replica: "A" };
trueTimeMs += 20;
const w2: Stamped = { value: "green", tsMs: clockOf.B(), replica: "B" };
console.log(`   t=1000 client 1 writes "blue"  on A, stamped ${w1.tsMs}`);
console.log(`   t=1020 client 2 writes "green" on B, stamped ${w2.tsMs}  (concurrent with "blue")`);
const lww = lwwMerge(w1, w2);
console.log(`   after anti-entropy both replicas hold: "${lww.value}"  -> "green" was lost silently`);
trueTimeMs += 20;
const w3: Stamped = { value: "red (after reading blue)", tsMs: clockOf.B(), replica: "B" };
console.log(`   t=1040 client 3 reads "blue", then writes "red" on B, stamped ${w3.tsMs}`);
console.log(
  `   after anti-entropy: "${lwwMerge(lww, w3).value}"  -> even a causally later write lost to skew\n`,
);

// ---- 2. Version vectors: concurrent writes become siblings ----
interface Versioned {
  readonly value: string;
  readonly vv: VersionVector;
}
/** Keeps every version not superseded by another: the siblings. */
function vvMerge(versions: readonly Versioned[]): Versioned[] {
  const out: Versioned[] = [];
  for (const v of versions) {
    const superseded = versions.some((o) => o !== v && v.vv.compare(o.vv) === "before");
    const duplicate = out.some((o) => o.vv.compare(v.vv) === "equal");
    if (!superseded && !duplicate) out.push(v);
  }
  return out;
}
const show = (vs: readonly Versioned[]) => vs.map((v) => `"${v.value}" ${v.vv}`).join(", ");
const cmp = (a: Versioned, b: Versioned): Ordering => a.vv.compare(b.vv);

console.log("2) Version vectors (each replica counts the writes it coordinates)");
// Both clients start from the same state: no context.
const v1: Versioned = { value: "blue", vv: VersionVector.empty().increment("A") };
const v2: Versioned = { value: "green", vv: VersionVector.empty().increment("B") };
console.log(`   "blue" on A: ${v1.vv}    "green" on B: ${v2.vv}    compare: ${cmp(v1, v2)}`);
let siblings = vvMerge([v1, v2]);
console.log(`   after anti-entropy both replicas hold siblings: ${show(siblings)}`);
// Client 3 read "blue" only (context {A:1}) and writes through A, whose next counter is 2.
const v3: Versioned = { value: "red (after reading blue)", vv: v1.vv.increment("A") };
console.log(
  `   "red" written on A with context ${v1.vv}: ${v3.vv}; vs blue: ${cmp(v3, v1)}, vs green: ${cmp(v3, v2)}`,
);
siblings = vvMerge([...siblings, v3]);
console.log(`   after anti-entropy: ${show(siblings)}`);
// Had "red" gone through B, B would have to stamp it {A:1,B:2} (B:1 is taken by "green"), which
// falsely dominates "green": plain version vectors cannot say "saw A:1 but not B:1". Section 3 fixes it.
// A client that reads both siblings and writes a merged value supersedes them.
const context = VersionVector.mergeAll(siblings.map((s) => s.vv));
const v4: Versioned = { value: "purple (merged)", vv: context.increment("A") };
siblings = vvMerge([...siblings, v4]);
console.log(`   a client reads both, writes the merge on A: ${show(siblings)}\n`);

// ---- 3. The same with a DVVSet, as a store (Riak) keeps it ----
console.log("3) DVVSet (one compact clock per key, siblings inside)");
let onA = DVVSet.new("blue").update("A");
let onB = DVVSet.new("green").update("B");
let merged = onA.sync(onB);
console.log(`   after sync: ${JSON.stringify(merged.values())}, context ${merged.join()}`);
onB = DVVSet.new("red (after reading blue)", onA.join()).update("B", merged);
merged = onB.sync(onA);
console.log(`   "red" written with blue's context: ${JSON.stringify(merged.values())}`);
onA = DVVSet.new("purple (merged)", merged.join()).update("A", merged);
console.log(
  `   a client writes the merge with the full context: ${JSON.stringify(onA.sync(merged).values())}`,
);
