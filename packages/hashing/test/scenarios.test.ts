import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { HashRing, planRebalance, RendezvousHash, SlotPartitioner } from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

describe("scenario: Dynamo preference lists when a node leaves", () => {
  for (const [name, create] of [
    ["ring", (ms: string[]) => HashRing.create(ms, { vnodesPerWeight: 32 })],
    ["rendezvous", (ms: string[]) => RendezvousHash.create(ms)],
  ] as const) {
    test.prop([fc.integer({ min: 3, max: 9 }), fc.nat(), fc.integer({ min: 1, max: 3 })], { numRuns: 15 })(
      `${name}: the other members keep their order; the next one in line joins the list`,
      (n, pick, replicas) => {
        const members = memberIds(n);
        const before = create(members);
        const leaver = members[pick % n]!;
        const after = before.withoutMember(leaver);
        const r = Math.min(replicas, n - 1);
        for (const k of keys(80)) {
          const full = before.preferenceList(k, n);
          expect(after.preferenceList(k, r)).toEqual(full.filter((id) => id !== leaver).slice(0, r));
        }
      },
    );
  }
});

describe("scenario: Redis Cluster resharding slot by slot", () => {
  it("migrating the plan's slots one at a time ends at the target layout, every key always owned", () => {
    const cluster = SlotPartitioner.create(["a", "b", "c"]);
    const target = cluster.withMember("d");
    const plan = planRebalance(cluster, target);
    const ks = keys(500);
    // The new node joins empty (CLUSTER MEET), then slots migrate to it one at a time.
    let current = cluster.withEmptyMember("d");
    expect(current.preferenceList("somekey", 4)).toContain("d");
    let migrations = 0;
    for (const move of plan.moves) {
      if (move.unit.type !== "slots") throw new Error("slot plans move slot runs");
      // The first slots one at a time (as MIGRATE does), the rest of the run at once.
      const { start, end } = move.unit;
      const single = Math.min(end, start + 20);
      for (let slot = start; slot < single; slot++) {
        expect(current.slotOwner(slot)).toBe(move.from);
        current = current.withSlotOwner(slot, move.to);
        migrations++;
      }
      if (single < end) {
        expect(current.slotOwner(single)).toBe(move.from);
        current = current.withSlotRangeOwner(single, end, move.to);
        migrations += end - single;
      }
      // Mid-migration, a key is on its old owner or its new one, never elsewhere.
      for (const k of ks) expect([cluster.locate(k), target.locate(k)]).toContain(current.locate(k));
    }
    expect(current.slotOwners()).toEqual(target.slotOwners());
    expect(migrations).toBe(target.slotCounts().get("d"));
  });
});
