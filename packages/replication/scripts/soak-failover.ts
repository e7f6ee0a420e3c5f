/**
 * Soak for automatic failover (issue 12): every configuration, both lease stores, both attack fault
 * shapes, over many seeds; prints per configuration how many seeds lost acknowledged writes or broke
 * linearizability, with the failing seeds (replay one with the test's runCase).
 *
 *   npx tsx --conditions=source packages/replication/scripts/soak-failover.ts [seeds] [firstSeed]
 */
import { CASES, runCase, violation } from "../test/failover-cases.js";
import type { FaultShape, StoreKind } from "../test/failover-harness.js";

const seeds = Number(process.argv[2] ?? 50);
const first = Number(process.argv[3] ?? 1);
const shapes: FaultShape[] = (process.env.SHAPES?.split(",") as FaultShape[] | undefined) ?? [
  "lagging-takeover",
  "deposed-returns",
];
const stores: StoreKind[] = (process.env.STORES?.split(",") as StoreKind[] | undefined) ?? ["server", "raft"];
const only = process.env.CASE;
let failedTotal = 0;
for (const c of CASES) {
  if (only !== undefined && !c.name.includes(only)) continue;
  for (const store of stores) {
    for (const shape of shapes) {
      const t0 = process.hrtime.bigint();
      const lost: number[] = [];
      const nonLin: number[] = [];
      const other: string[] = [];
      let acked = 0;
      let lostWrites = 0;
      for (let seed = first; seed < first + seeds; seed++) {
        const o = runCase(c, store, shape, seed);
        acked += o.acknowledgedCount;
        lostWrites += o.lostAcknowledged.length;
        if (o.lostAcknowledged.length > 0) lost.push(seed);
        if (o.linearizable === false) nonLin.push(seed);
        const v = violation(c, o);
        if (v !== undefined && o.lostAcknowledged.length === 0 && o.linearizable !== false)
          other.push(`${seed}: ${v}`);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (c.commit.kind !== "async") failedTotal += new Set([...lost, ...nonLin]).size + other.length;
      console.log(
        `${c.name.padEnd(22)} ${store.padEnd(6)} ${shape.padEnd(17)} seeds ${seeds}: ` +
          `${lost.length} lost acked writes (${lostWrites} of ${acked} acked), ${nonLin.length} not linearizable, ` +
          `${other.length} other; ${(ms / seeds).toFixed(0)} ms/seed` +
          (lost.length > 0 ? `\n    lost: seeds ${lost.join(" ")}` : "") +
          (nonLin.length > 0 ? `\n    non-linearizable: seeds ${nonLin.join(" ")}` : "") +
          (other.length > 0 ? `\n    other: ${other.slice(0, 5).join(" | ")}` : ""),
      );
    }
  }
}
console.log(`seeds with a violation (non-async configurations): ${failedTotal}`);
