import { hlcTimestamp } from "@distkit/clocks";
import { describe, expect, it } from "vitest";
import {
  CausalContext,
  compareTimestamps,
  CrdtError,
  DecodeError,
  DisableWinsFlag,
  EnableWinsFlag,
  GCounter,
  GSet,
  LWWElementSet,
  LWWMap,
  LWWRegister,
  lwwTimestampFromHlc,
  MVRegister,
  ORMap,
  ORSet,
  PNCounter,
  RemoveWinsSet,
  TwoPhaseSet,
} from "../src/index.js";

const t = (wallMs: number, replicaId: string, logical = 0) => ({ wallMs, logical, replicaId });

describe("concurrency semantics", () => {
  it("OR-Set: a concurrent add wins over a remove; a remove of an observed add wins", () => {
    const a = new ORSet<string>("a");
    const b = new ORSet<string>("b");
    b.merge(a.add("x"));
    a.remove("x");
    b.add("x");
    expect(a.clone().merge(b).value()).toEqual(["x"]);
    const c = new ORSet<string>("c").merge(a).merge(b);
    c.remove("x");
    expect(c.clone().merge(a).merge(b).value()).toEqual([]);
  });

  it("OR-Set: removals leave no per-element tombstones (the causal context stays a version vector)", () => {
    const a = new ORSet<number>("a");
    for (let i = 0; i < 1000; i++) a.add(i);
    for (let i = 0; i < 1000; i++) a.remove(i);
    const b = new ORSet<number>("b").merge(a);
    expect(b.value()).toEqual([]);
    expect(a.encode().length).toBeLessThan(100);
    expect(b.encode()).toEqual(a.encode());
  });

  it("Remove-wins set: a concurrent remove wins over an add; a later add restores", () => {
    const a = new RemoveWinsSet<string>("a");
    const b = new RemoveWinsSet<string>("b");
    b.merge(a.add("x"));
    a.add("x");
    b.remove("x");
    const m = a.clone().merge(b);
    expect(m.value()).toEqual([]);
    expect(m.has("x")).toBe(false);
    m.add("x");
    expect(m.value()).toEqual(["x"]);
  });

  it("MV-Register keeps concurrent writes, and a later write supersedes them", () => {
    const a = new MVRegister<number>("a");
    const b = new MVRegister<number>("b");
    a.write(1);
    b.write(2);
    a.merge(b);
    expect(a.value()).toEqual([1, 2]);
    b.merge(a.write(3));
    expect(b.value()).toEqual([3]);
  });

  it("LWW-Register: later timestamp wins; equal time and counter break ties by replica id", () => {
    const a = new LWWRegister<string>("a");
    const b = new LWWRegister<string>("b");
    a.set("from-a", t(10, "a"));
    b.set("from-b", t(10, "b"));
    expect(a.clone().merge(b).value()).toBe("from-b");
    expect(b.clone().merge(a).value()).toBe("from-b");
    a.set("late", t(11, "a"));
    expect(a.clone().merge(b).value()).toBe("late");
    expect(compareTimestamps(t(1, "a", 2), t(1, "b", 1))).toBe(1);
    expect(() => a.set("x", { wallMs: -1, logical: 0, replicaId: "a" })).toThrowError(CrdtError);
  });

  it("LWW timestamps can come from @distkit/clocks hybrid logical clock readings", () => {
    const a = new LWWRegister<string>("a");
    a.set("first", lwwTimestampFromHlc(hlcTimestamp(1000, 5), "a"));
    a.set("second", lwwTimestampFromHlc(hlcTimestamp(1000, 6), "a"));
    a.set("stale", lwwTimestampFromHlc(hlcTimestamp(999, 60), "b"));
    expect(a.value()).toBe("second");
  });

  it("LWW-element-set and LWW-map follow the latest timestamp per element/key", () => {
    const s = new LWWElementSet<string>("a");
    s.add("x", t(1, "a"));
    const other = new LWWElementSet<string>("b");
    other.remove("x", t(2, "b"));
    expect(s.clone().merge(other).value()).toEqual([]);
    other.add("x", t(3, "b"));
    expect(s.clone().merge(other).has("x")).toBe(true);
    const m = new LWWMap<number>("a");
    m.set("k", 1, t(5, "a"));
    const n = new LWWMap<number>("b");
    n.delete("k", t(6, "b"));
    expect([...m.clone().merge(n).value()]).toEqual([]);
    n.set("k", 7, t(4, "b"));
    expect(m.clone().merge(n).get("k")).toBeUndefined();
  });

  it("2P-Set: removal is permanent", () => {
    const a = new TwoPhaseSet<string>("a");
    const b = new TwoPhaseSet<string>("b");
    b.merge(a.add("x"));
    b.remove("x");
    a.add("x");
    expect(a.merge(b).value()).toEqual([]);
  });

  it("flags: enable-wins and disable-wins resolve concurrent toggles oppositely", () => {
    const e1 = new EnableWinsFlag("a");
    const e2 = new EnableWinsFlag("b");
    e2.merge(e1.enable());
    e1.disable();
    e2.enable();
    expect(e1.clone().merge(e2).value()).toBe(true);
    const d1 = new DisableWinsFlag("a");
    const d2 = new DisableWinsFlag("b");
    expect(d1.value()).toBe(false);
    d2.merge(d1.enable());
    d1.enable();
    d2.disable();
    expect(d1.clone().merge(d2).value()).toBe(false);
  });

  it("OR-Map: an update concurrent with a remove keeps the key with merged value", () => {
    const a = new ORMap("a", PNCounter.type());
    const b = new ORMap("b", PNCounter.type());
    b.merge(a.update("milk", (c) => c.increment(2)));
    a.remove("milk");
    b.update("milk", (c) => c.increment(1));
    const m = a.clone().merge(b);
    expect(m.has("milk")).toBe(true);
    expect(m.value().get("milk")).toBe(3);
    const gone = m.clone();
    gone.remove("milk");
    expect(gone.clone().merge(a).merge(b).value().size).toBe(0);
  });

  it("counters and G-Set merge as joins, and mutators validate arguments", () => {
    const a = new GCounter("a");
    a.increment(3);
    const b = new GCounter("b");
    b.increment(4);
    expect(a.clone().merge(b).merge(a).value()).toBe(7);
    expect(() => a.increment(1.5)).toThrowError(expect.objectContaining({ code: "invalid-argument" }));
    const p = new PNCounter("a");
    p.decrement(5);
    expect(p.value()).toBe(-5);
    const g = new GSet<{ id: number; tags: string[] }>("a");
    g.add({ id: 1, tags: ["x"] });
    expect(g.has({ tags: ["x"], id: 1 } as { id: number; tags: string[] })).toBe(true);
  });

  it("merging different kinds and decoding another kind's bytes are rejected", () => {
    const c = new GCounter("a");
    expect(() => c.merge(new PNCounter("b") as unknown as GCounter)).toThrowError(
      expect.objectContaining({ code: "type-mismatch" }),
    );
    expect(() => GCounter.decode(new PNCounter("a").encode(), "x")).toThrowError(DecodeError);
    expect(() => ORMap.decode(new ORMap("a", ORSet.type()).encode(), "x", PNCounter.type())).toThrowError(
      DecodeError,
    );
    const bad = new TextEncoder().encode('{"t":"g-counter","v":1,"counts":[["a",-1]]}');
    expect(() => GCounter.decode(bad, "x")).toThrowError(/non-negative/);
  });

  it("causal context compacts contiguous dots into its version vector", () => {
    const cc = new CausalContext();
    cc.add("a", 3);
    cc.add("a", 2);
    expect(cc.cloudSize).toBe(2);
    cc.add("a", 1);
    expect(cc.cloudSize).toBe(0);
    expect(cc.versionVector().get("a")).toBe(3);
    expect(cc.nextCounter("a")).toBe(4);
  });
});
