import { describe, expect, it } from "vitest";
import {
  HashingError,
  planRebalance,
  REDIS_SLOT_COUNT,
  redisHashSlot,
  SlotPartitioner,
} from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

describe("SlotPartitioner", () => {
  it("Redis layout: 16384 slots in contiguous runs, quotas within one slot", () => {
    const p = SlotPartitioner.create(memberIds(3));
    expect(p.slotCount).toBe(REDIS_SLOT_COUNT);
    expect(p.slotOwner(0)).toBe("node-0");
    expect(p.slotOwner(REDIS_SLOT_COUNT - 1)).toBe("node-2");
    expect([...p.slotCounts().values()].sort()).toEqual([5461, 5461, 5462]);
    // A run change happens exactly twice along the slots.
    const owners = p.slotOwners();
    let changes = 0;
    for (let s = 1; s < owners.length; s++) if (owners[s] !== owners[s - 1]) changes++;
    expect(changes).toBe(2);
  });

  it("routes keys by CRC16 slot, so hash-tagged keys share an owner", () => {
    const p = SlotPartitioner.create(memberIds(5));
    expect(p.slotOf("somekey")).toBe(11058);
    expect(p.locate("somekey")).toBe(p.slotOwner(11058));
    expect(p.locate("{user1000}.following")).toBe(p.locate("{user1000}.followers"));
    expect(p.slotOf("foo{hash_tag}")).toBe(redisHashSlot("bar{hash_tag}"));
  });

  it("adding a member moves only whole slots, the fewest possible, all to the newcomer", () => {
    const p = SlotPartitioner.create(memberIds(4));
    const q = p.withMember("node-new");
    const counts = q.slotCounts();
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
    let changed = 0;
    for (let s = 0; s < REDIS_SLOT_COUNT; s++) {
      if (p.slotOwner(s) !== q.slotOwner(s)) {
        changed++;
        expect(q.slotOwner(s)).toBe("node-new");
      }
    }
    expect(changed).toBe(counts.get("node-new"));
    const plan = planRebalance(p, q);
    // Contiguous layout: each donor hands over one run.
    expect(plan.moves.length).toBe(4);
    expect(
      plan.moves.reduce((s, m) => s + (m.unit.type === "slots" ? m.unit.end - m.unit.start : 0), 0),
    ).toBe(changed);
    expect(plan.movedShare!).toBeCloseTo(1 / 5, 3);
  });

  it("Riak layout: interleaved partitions give distinct owners to consecutive partitions", () => {
    const p = SlotPartitioner.create(memberIds(4), { slotting: "hash-range", slotCount: 64 });
    expect(p.layout).toBe("interleaved");
    for (let s = 0; s < 64; s++) expect(p.slotOwner(s)).not.toBe(p.slotOwner((s + 1) % 64));
    for (const k of keys(50)) {
      const slot = p.slotOf(k);
      expect(p.preferenceList(k, 3)).toEqual([
        p.slotOwner(slot),
        p.slotOwner((slot + 1) % 64),
        p.slotOwner((slot + 2) % 64),
      ]);
    }
    const weighted = SlotPartitioner.create(
      [
        { id: "a", weight: 1 },
        { id: "b", weight: 3 },
      ],
      { slotting: "hash-range", slotCount: 64 },
    );
    expect(weighted.slotCounts().get("b")).toBe(48);
  });

  it("moves single slots on request and validates its options", () => {
    const p = SlotPartitioner.create(["a", "b"]);
    // Contiguous halves: slots 8192.. belong to "b".
    expect(p.slotOwner(11058)).toBe("b");
    const q = p.withSlotOwner(11058, "a");
    expect(q.locate("somekey")).toBe("a");
    expect(planRebalance(p, q).moves).toEqual([
      {
        from: "b",
        to: "a",
        unit: { type: "slots", slotting: { type: "redis-crc16" }, start: 11058, end: 11059 },
        share: 1 / REDIS_SLOT_COUNT,
      },
    ]);
    expect(() => p.withSlotOwner(REDIS_SLOT_COUNT, "a")).toThrow(HashingError);
    expect(() => p.withSlotOwner(0, "zz")).toThrow(HashingError);
    expect(() => SlotPartitioner.create(["a"], { slotCount: 100 })).toThrow(HashingError);
    expect(() => SlotPartitioner.create(["a"], { slotting: "hash-range", slotCount: 0 })).toThrow(
      HashingError,
    );
    expect(() => planRebalance(p, SlotPartitioner.create(["a"], { slotting: "hash-range" }))).toThrow(
      HashingError,
    );
  });
});
