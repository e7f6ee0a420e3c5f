import { describe, expect, it } from "vitest";
import { ConfigStateMachine, ShardMap } from "../src/index.js";

const map = () =>
  ShardMap.create({
    scheme: { kind: "slots" },
    shards: [
      { id: "s1", replicas: ["a"] },
      { id: "s2", replicas: ["b"] },
      { id: "s3", replicas: ["c"] },
    ],
    rangesPerShard: 2,
  });

describe("ConfigStateMachine", () => {
  it("a migration commits once: ownership and epoch change in one entry", () => {
    const sm = new ConfigStateMachine(map());
    const start = sm.apply({ type: "start-migration", rangeId: "r1", to: "s2" });
    expect(start.kind).toBe("ok");
    const id = start.kind === "ok" ? start.migration!.id : "";
    const v = sm.map.version;
    const c1 = sm.apply({ type: "commit-migration", id });
    expect(c1).toMatchObject({ kind: "ok", migration: { state: "committed", epoch: v + 1 } });
    expect(sm.map.range("r1")).toMatchObject({ shard: "s2", epoch: v + 1 });
    // idempotent, and an abort after the commit changes nothing
    sm.apply({ type: "commit-migration", id });
    sm.apply({ type: "abort-migration", id });
    expect(sm.map.version).toBe(v + 1);
    expect(sm.migration(id)?.state).toBe("committed");
  });

  it("one migration per shard at a time; splits of a migrating range wait", () => {
    const sm = new ConfigStateMachine(map());
    expect(sm.apply({ type: "start-migration", rangeId: "r1", to: "s2" }).kind).toBe("ok");
    expect(sm.apply({ type: "start-migration", rangeId: "r4", to: "s3" })).toMatchObject({
      kind: "rejected",
      code: "migration-conflict",
    });
    expect(sm.apply({ type: "split", rangeId: "r1", at: "00100" })).toMatchObject({
      kind: "rejected",
      code: "migration-conflict",
    });
    expect(sm.apply({ type: "start-migration", rangeId: "r3", to: "s1" })).toMatchObject({
      kind: "rejected",
      code: "migration-conflict",
    });
  });

  it("bad input: typed rejections, nothing changed", () => {
    const sm = new ConfigStateMachine(map());
    const before = JSON.stringify(sm.snapshot());
    expect(sm.apply({ type: "start-migration", rangeId: "r1", to: "s9" })).toMatchObject({
      kind: "rejected",
      code: "not-member",
    });
    expect(sm.apply({ type: "start-migration", rangeId: "r1", to: "s1" })).toMatchObject({
      kind: "rejected",
      code: "migration-conflict",
    });
    expect(sm.apply({ type: "start-migration", rangeId: "r99", to: "s2" })).toMatchObject({
      kind: "rejected",
      code: "unknown-range",
    });
    expect(sm.apply({ type: "split", rangeId: "r1", at: "16000" })).toMatchObject({
      kind: "rejected",
      code: "split-out-of-range",
    });
    expect(sm.apply({ type: "merge", leftId: "r1" })).toMatchObject({
      kind: "rejected",
      code: "not-adjacent",
    });
    expect(sm.apply({ type: "drain-shard", id: "nope" })).toMatchObject({
      kind: "rejected",
      code: "unknown-shard",
    });
    expect(sm.apply({ type: "remove-shard", id: "s1" })).toMatchObject({
      kind: "rejected",
      code: "shard-not-empty",
    });
    expect(sm.apply({ type: "add-shard", id: "s1", replicas: ["z"] })).toMatchObject({
      kind: "rejected",
      code: "duplicate-shard",
    });
    expect(sm.apply({ type: "commit-migration", id: "m42" })).toMatchObject({
      kind: "rejected",
      code: "unknown-migration",
    });
    expect(JSON.stringify(sm.snapshot())).toBe(before);
  });

  it("draining shards take no ranges; a snapshot restores the same state", () => {
    const sm = new ConfigStateMachine(map());
    sm.apply({ type: "drain-shard", id: "s3" });
    expect(sm.apply({ type: "start-migration", rangeId: "r1", to: "s3" })).toMatchObject({
      kind: "rejected",
      code: "not-member",
    });
    const copy = ConfigStateMachine.fromSnapshot(JSON.parse(JSON.stringify(sm.snapshot())));
    expect(copy.snapshot()).toEqual(sm.snapshot());
  });
});
