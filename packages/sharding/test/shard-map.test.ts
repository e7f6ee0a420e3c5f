import { redisHashSlot } from "@distkit/hashing";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyPosition, numericPosition, ShardingError, ShardMap } from "../src/index.js";

const two = [
  { id: "s1", replicas: ["a1"] },
  { id: "s2", replicas: ["b1"] },
];

function expectCode(f: () => unknown, code: string) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShardingError);
    expect((e as ShardingError).code).toBe(code);
    return;
  }
  throw new Error(`expected ShardingError ${code}`);
}

describe("positions", () => {
  it("slots follow Redis CRC16 with hash tags", () => {
    const s = { kind: "slots" } as const;
    expect(keyPosition(s, "123456789")).toBe(numericPosition(s, 12739));
    expect(keyPosition(s, "{user1}.cart")).toBe(keyPosition(s, "{user1}.orders"));
    expect(Number(keyPosition(s, "foo"))).toBe(redisHashSlot("foo"));
  });
  it("hashed positions honour hash tags and are zero-padded", () => {
    const h = { kind: "hashed", seed: 0 } as const;
    expect(keyPosition(h, "{u}.a")).toBe(keyPosition(h, "{u}.b"));
    expect(keyPosition(h, "x")).toHaveLength(10);
  });
  it("string order of positions is numeric order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16383 }), fc.integer({ min: 0, max: 16383 }), (a, b) => {
        const s = { kind: "slots" } as const;
        expect(numericPosition(s, a) < numericPosition(s, b)).toBe(a < b);
      }),
    );
  });
});

describe("ShardMap", () => {
  it("equal cuts cover the slot space, dealt round robin", () => {
    const m = ShardMap.create({ scheme: { kind: "slots" }, shards: two, rangesPerShard: 2 });
    expect(m.ranges.map((r) => r.start)).toEqual(["", "04096", "08192", "12288"]);
    expect(m.ranges.map((r) => r.shard)).toEqual(["s1", "s2", "s1", "s2"]);
    expect(m.version).toBe(1);
  });

  it("every key has exactly one range, and split/merge/assign keep that (property)", () => {
    const keyArb = fc.string({ minLength: 0, maxLength: 6 });
    const opArb = fc.oneof(
      fc.record({
        k: fc.constant("split" as const),
        at: fc.string({ minLength: 1, maxLength: 4 }),
        i: fc.nat(),
      }),
      fc.record({ k: fc.constant("merge" as const), i: fc.nat() }),
      fc.record({ k: fc.constant("assign" as const), i: fc.nat(), to: fc.constantFrom("s1", "s2") }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(keyArb, { maxLength: 30 }), (ops, keys) => {
        let m = ShardMap.create({ scheme: { kind: "range" }, shards: two });
        for (const op of ops) {
          const r = m.ranges[op.i % m.ranges.length]!;
          const before = m;
          try {
            if (op.k === "split") m = m.splitRange(r.id, op.at);
            else if (op.k === "merge") m = m.mergeRanges(r.id);
            else m = m.assignRange(r.id, op.to);
            expect(m.version).toBe(before.version + 1);
          } catch (e) {
            expect(e).toBeInstanceOf(ShardingError);
            expect(m).toBe(before);
          }
          // epochs never exceed the version; ownership of each key is preserved by split and merge
          for (const x of m.ranges) expect(x.epoch).toBeLessThanOrEqual(m.version);
          if (op.k !== "assign") for (const k of keys) expect(m.shardForKey(k)).toBe(before.shardForKey(k));
        }
        for (const k of keys) {
          const owners = m.ranges.filter((x) => k >= x.start && (x.end === null || k < x.end));
          expect(owners).toHaveLength(1);
        }
      }),
    );
  });

  it("assign bumps the range's epoch to the new version", () => {
    const m = ShardMap.create({ scheme: { kind: "range" }, shards: two, splitPoints: ["m"] });
    const n = m.assignRange("r1", "s2");
    expect(n.range("r1")).toMatchObject({ shard: "s2", epoch: 2 });
    expect(n.version).toBe(2);
    expect(m.range("r1")?.shard).toBe("s1");
  });

  it("bad input: typed errors, the map unchanged", () => {
    const m = ShardMap.create({ scheme: { kind: "slots" }, shards: two });
    const json = JSON.stringify(m.toJSON());
    expectCode(() => m.splitRange("r1", "09000"), "split-out-of-range");
    expectCode(() => m.splitRange("r1", "00000"), "split-out-of-range");
    expectCode(() => m.splitRange("r1", "abc"), "split-out-of-range");
    expectCode(() => m.splitRange("r9", "00010"), "unknown-range");
    expectCode(() => m.assignRange("r1", "s9"), "not-member");
    expectCode(() => m.mergeRanges("r1"), "not-adjacent");
    expectCode(() => m.mergeRanges("r2"), "not-adjacent");
    expectCode(() => m.removeShard("s1"), "shard-not-empty");
    expectCode(() => m.drainShard("s9"), "unknown-shard");
    expectCode(() => m.addShard({ id: "s1", replicas: ["x"] }), "duplicate-shard");
    expectCode(
      () => ShardMap.create({ scheme: { kind: "range" }, shards: two, splitPoints: ["m", "c"] }),
      "overlapping-ranges",
    );
    const data = m.toJSON();
    expectCode(
      () => ShardMap.fromJSON({ ...data, ranges: [data.ranges[0]!, { ...data.ranges[1]!, start: "05000" }] }),
      "overlapping-ranges",
    );
    expectCode(
      () => ShardMap.fromJSON({ ...data, ranges: [{ ...data.ranges[0]!, shard: "s7" }, data.ranges[1]!] }),
      "unknown-shard",
    );
    expectCode(() => ShardMap.fromJSON({ ...data, ranges: [data.ranges[0]!] }), "overlapping-ranges");
    expect(JSON.stringify(m.toJSON())).toBe(json);
  });

  it("JSON round trip", () => {
    const m = ShardMap.create({
      scheme: { kind: "hashed", seed: 3 },
      shards: two,
      rangesPerShard: 3,
    }).splitRange("r1", "0000000100");
    const back = ShardMap.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.toJSON()).toEqual(m.toJSON());
  });
});
