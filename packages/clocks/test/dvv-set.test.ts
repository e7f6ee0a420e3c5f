import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClocksError, DecodeError, DVVSet, jsonValueCodec, VersionVector } from "../src/index.js";

const vv = (r: Record<string, number>) => VersionVector.from(r);
const j = <V>(s: DVVSet<V>) => s.toJSON();

describe("DVVSet unit (cases from Riak's dvvset.erl)", () => {
  it("join", () => {
    const a = DVVSet.new("v1");
    const a1 = a.update("a");
    const b = DVVSet.new("v2", a1.join());
    const b1 = b.update("b", a1);
    expect(a.join().toJSON()).toEqual({});
    expect(a1.join().toJSON()).toEqual({ a: 1 });
    expect(b1.join().toJSON()).toEqual({ a: 1, b: 1 });
  });

  it("update", () => {
    const a0 = DVVSet.new("v1").update("a");
    const a1 = DVVSet.new("v2", a0.join()).update("a", a0);
    const a2 = DVVSet.new("v3", a1.join()).update("b", a1);
    const a3 = DVVSet.new("v4", a0.join()).update("b", a1);
    const a4 = DVVSet.new("v5", a0.join()).update("a", a1);
    expect(j(a0)).toEqual({ entries: [["a", 1, ["v1"]]], anonymous: [] });
    expect(j(a1)).toEqual({ entries: [["a", 2, ["v2"]]], anonymous: [] });
    expect(j(a2)).toEqual({
      entries: [
        ["a", 2, []],
        ["b", 1, ["v3"]],
      ],
      anonymous: [],
    });
    expect(j(a3)).toEqual({
      entries: [
        ["a", 2, ["v2"]],
        ["b", 1, ["v4"]],
      ],
      anonymous: [],
    });
    expect(j(a4)).toEqual({ entries: [["a", 3, ["v5", "v2"]]], anonymous: [] });
  });

  it("sync", () => {
    const x = DVVSet.fromJSON<string>({ entries: [["x", 1, []]], anonymous: [] });
    const a = DVVSet.new("v1").update("a");
    const y = DVVSet.new("v2").update("b");
    const a1 = DVVSet.new("v2", a.join()).update("a");
    const a3 = DVVSet.new("v3", a1.join()).update("b");
    const a4 = DVVSet.new("v3", a1.join()).update("c");
    const w = DVVSet.fromJSON<string>({ entries: [["a", 1, []]], anonymous: [] });
    const z = DVVSet.fromJSON<string>({ entries: [["a", 2, ["v2", "v1"]]], anonymous: [] });
    expect(j(DVVSet.syncAll([w, z]))).toEqual({ entries: [["a", 2, ["v2"]]], anonymous: [] });
    expect(j(DVVSet.syncAll([z, w]))).toEqual(j(DVVSet.syncAll([w, z])));
    expect(j(DVVSet.syncAll([a, a1]))).toEqual(j(DVVSet.syncAll([a1, a])));
    expect(j(DVVSet.syncAll([a4, a3]))).toEqual({
      entries: [
        ["a", 2, []],
        ["b", 1, ["v3"]],
        ["c", 1, ["v3"]],
      ],
      anonymous: [],
    });
    expect(j(DVVSet.syncAll([x, a]))).toEqual({
      entries: [
        ["a", 1, ["v1"]],
        ["x", 1, []],
      ],
      anonymous: [],
    });
    expect(j(DVVSet.syncAll([a, y]))).toEqual({
      entries: [
        ["a", 1, ["v1"]],
        ["b", 1, ["v2"]],
      ],
      anonymous: [],
    });
    expect(j(DVVSet.syncAll([y, a]))).toEqual(j(DVVSet.syncAll([a, y])));
  });

  it("sync + update: a stale context replaces only what it saw", () => {
    const a0 = DVVSet.new("v1").update("a"); // Mary writes v1
    const vv1 = a0.join(); // Peter reads v1
    const a1 = DVVSet.new("v2").update("a", a0); // Mary writes v2 blind
    const a2 = DVVSet.new("v3", vv1).update("a", a1); // Peter writes v3 having seen v1
    expect(vv1.toJSON()).toEqual({ a: 1 });
    expect(j(a1)).toEqual({ entries: [["a", 2, ["v2", "v1"]]], anonymous: [] });
    expect(j(a2)).toEqual({ entries: [["a", 3, ["v3", "v2"]]], anonymous: [] });
  });

  it("lww and last", () => {
    const le = (a: number, b: number) => a <= b;
    const x = DVVSet.fromJSON<number>({
      entries: [
        ["a", 4, [5, 2]],
        ["b", 1, []],
        ["c", 1, [3]],
      ],
      anonymous: [],
    });
    const y = DVVSet.fromJSON<number>({ entries: x.toJSON().entries, anonymous: [10, 0] });
    expect(x.last(le)).toBe(5);
    expect(y.last(le)).toBe(10);
    expect(j(x.lww(le))).toEqual({
      entries: [
        ["a", 4, [5]],
        ["b", 1, []],
        ["c", 1, []],
      ],
      anonymous: [],
    });
    expect(j(y.lww(le))).toEqual({
      entries: [
        ["a", 4, []],
        ["b", 1, []],
        ["c", 1, []],
      ],
      anonymous: [10],
    });
    expect(() => DVVSet.empty<number>().last(le)).toThrow(ClocksError);
  });

  it("reconcile", () => {
    const x = DVVSet.fromJSON<number>({
      entries: [
        ["a", 4, [5, 2]],
        ["b", 1, []],
        ["c", 1, [3]],
      ],
      anonymous: [],
    });
    const sum = x.reconcile((vs) => vs.reduce((p, q) => p + q, 0));
    expect(j(sum)).toEqual({
      entries: [
        ["a", 4, []],
        ["b", 1, []],
        ["c", 1, []],
      ],
      anonymous: [10],
    });
    expect(sum.compare(x)).toBe("equal");
  });

  it("less, equal, size, ids, values, map", () => {
    const a = DVVSet.new("v1").update("a");
    const b = DVVSet.new("v2", a.join()).update("b", a);
    expect(a.less(b)).toBe(true);
    expect(b.less(a)).toBe(false);
    expect(a.less(a)).toBe(false);
    expect(a.equal(DVVSet.new("zz").update("a"))).toBe(true);
    expect(b.size).toBe(1);
    expect(b.ids()).toEqual(["a", "b"]);
    expect(
      DVVSet.new(1)
        .update("r")
        .map((v) => `${v}!`)
        .values(),
    ).toEqual(["1!"]);
    expect(a.compare(DVVSet.new("q").update("z"))).toBe("concurrent");
  });

  it("update demands exactly one anonymous value", () => {
    expect(() => DVVSet.newList(["a", "b"]).update("r")).toThrow(ClocksError);
    expect(() => DVVSet.new("a").update("r").update("r")).toThrow(/exactly one anonymous value/);
  });

  it("rejects malformed JSON", () => {
    expect(() => DVVSet.fromJSON({ entries: [["a", 1, ["x", "y"]]], anonymous: [] })).toThrow(ClocksError);
    expect(() =>
      DVVSet.fromJSON({
        entries: [
          ["b", 1, []],
          ["a", 1, []],
        ],
        anonymous: [],
      }),
    ).toThrow(/ascending/);
  });
});

describe("sibling explosion", () => {
  // Riak before DVV kept one version vector per object, advanced by the coordinating replica
  // ("vnode vclocks"). A write whose context does not descend the object's clock cannot tell which
  // siblings its writer saw, so it must keep them all.
  interface VvObject {
    readonly clock: VersionVector;
    readonly values: readonly string[];
  }
  function vvPut(obj: VvObject, ctx: VersionVector, value: string, replica: string): VvObject {
    const values = ctx.descends(obj.clock) ? [value] : [...obj.values, value];
    return { clock: obj.clock.merge(ctx).increment(replica), values };
  }

  it("two clients writing alternately with stale contexts: VV siblings grow, DVVSet stays at 2", () => {
    let vvObj: VvObject = { clock: VersionVector.empty(), values: [] };
    let dvv = DVVSet.empty<string>();
    // Each client keeps the context returned by its own previous write (it never re-reads).
    const vvCtx = { A: VersionVector.empty(), B: VersionVector.empty() };
    const dvvCtx = { A: VersionVector.empty(), B: VersionVector.empty() };
    const vvSizes: number[] = [];
    const dvvSizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      const client = round % 2 === 0 ? "A" : "B";
      const value = `${client}${round}`;
      vvObj = vvPut(vvObj, vvCtx[client], value, "r1");
      vvCtx[client] = vvObj.clock;
      dvv = DVVSet.new(value, dvvCtx[client]).update("r1", dvv);
      dvvCtx[client] = dvv.join();
      vvSizes.push(vvObj.values.length);
      dvvSizes.push(dvv.size);
    }
    // per-object version vector: one more sibling per write
    expect(vvSizes).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // DVVSet: at most the two clients' latest writes
    expect(dvvSizes[0]).toBe(1);
    expect(Math.max(...dvvSizes)).toBe(2);
    expect(dvv.values().sort()).toEqual(["A18", "B19"]);
  });
});

describe("DVVSet against a ground-truth model", () => {
  // Model: every write k has the set seen(k) of writes its client had observed (the context it read).
  // A replica's correct siblings are the writes it knows of that no other known write has seen.
  const replicas = ["r1", "r2", "r3"] as const;
  type Op =
    | { kind: "read"; from: number }
    | { kind: "write"; at: number; snapshot: number }
    | { kind: "sync"; to: number; from: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("read" as const), from: fc.nat(2) }),
    fc.record({ kind: fc.constant("write" as const), at: fc.nat(2), snapshot: fc.nat(20) }),
    fc.record({ kind: fc.constant("sync" as const), to: fc.nat(2), from: fc.nat(2) }),
  );

  it("siblings are exactly the writes not seen by another known write", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const state = replicas.map(() => DVVSet.empty<number>());
        const known = replicas.map(() => new Set<number>());
        const seen = new Map<number, Set<number>>();
        const snapshots: Array<{ ctx: VersionVector; known: Set<number> }> = [
          { ctx: VersionVector.empty(), known: new Set() },
        ];
        let next = 0;
        for (const op of ops) {
          if (op.kind === "read") {
            snapshots.push({ ctx: state[op.from]!.join(), known: new Set(known[op.from]) });
          } else if (op.kind === "write") {
            const snap = snapshots[op.snapshot % snapshots.length]!;
            const k = next++;
            seen.set(k, snap.known);
            const prev = state[op.at]!;
            state[op.at] = DVVSet.new(k, snap.ctx).update(replicas[op.at]!, prev);
            // update strictly advances the replica's history and covers the client's context
            expect(state[op.at]!.compare(prev)).toBe("after");
            expect(state[op.at]!.join().descends(snap.ctx)).toBe(true);
            known[op.at]!.add(k);
            for (const w of snap.known) known[op.at]!.add(w);
          } else {
            state[op.to] = state[op.to]!.sync(state[op.from]!);
            for (const w of known[op.from]!) known[op.to]!.add(w);
          }
          for (let r = 0; r < replicas.length; r++) {
            const expected = [...known[r]!].filter((w) => ![...known[r]!].some((o) => seen.get(o)?.has(w)));
            expect(state[r]!.values().sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("sync is commutative, associative and idempotent; it dominates both inputs", () => {
    const stateArb = fc
      .array(fc.tuple(fc.nat(2), fc.boolean(), fc.nat(2)), { maxLength: 12 })
      .map((steps) => {
        // build a few related states by writes with contexts taken from other states
        const s = [DVVSet.empty<number>(), DVVSet.empty<number>(), DVVSet.empty<number>()];
        let v = 0;
        for (const [at, useCtx, ctxFrom] of steps) {
          const ctx = useCtx ? s[ctxFrom]!.join() : VersionVector.empty();
          s[at] = DVVSet.new(v++, ctx).update(replicas[at]!, s[at]!);
        }
        return s;
      });
    const same = (x: DVVSet<number>, y: DVVSet<number>) =>
      x.equal(y) && JSON.stringify(x.values().sort()) === JSON.stringify(y.values().sort());
    fc.assert(
      fc.property(stateArb, ([a, b, c]) => {
        expect(same(a!.sync(b!), b!.sync(a!))).toBe(true);
        expect(same(a!.sync(b!).sync(c!), a!.sync(b!.sync(c!)))).toBe(true);
        expect(same(a!.sync(a!), a!)).toBe(true);
        const ab = a!.sync(b!);
        expect(ab.join().descends(a!.join()) && ab.join().descends(b!.join())).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe("DVVSet encoding", () => {
  // a strict one-byte codec, so that any successful decode must re-encode to the same bytes
  const codec = {
    encode: (n: number) => Uint8Array.of(n),
    decode: (b: Uint8Array) => {
      if (b.length !== 1) throw new Error("one byte expected");
      return b[0]!;
    },
  };

  it("round-trips with the JSON codec", () => {
    const json = jsonValueCodec<{ cart: string[] }>();
    const s = DVVSet.new({ cart: ["milk"] })
      .update("r1")
      .sync(DVVSet.new({ cart: ["eggs"] }).update("r2"));
    expect(DVVSet.decode(s.encode(json), json).toJSON()).toEqual(s.toJSON());
    const bad = s.encode(json);
    bad[bad.length - 3] = 0x7b; // "{" inside a JSON value
    expect(() => DVVSet.decode(bad, json)).toThrow(DecodeError);
  });
  const setArb = fc
    .array(fc.tuple(fc.constantFrom("r1", "r2", "r3"), fc.boolean()), { maxLength: 10 })
    .map((steps) => {
      let s = DVVSet.empty<number>();
      let v = 0;
      for (const [r, withCtx] of steps) s = DVVSet.new(v++, withCtx ? s.join() : vv({})).update(r, s);
      return s;
    });

  it("round-trips", () => {
    fc.assert(
      fc.property(setArb, (s) => {
        const d = DVVSet.decode(s.encode(codec), codec);
        expect(d.toJSON()).toEqual(s.toJSON());
      }),
      { numRuns: 100 },
    );
  });

  it("truncated or corrupted bytes throw DecodeError only", () => {
    fc.assert(
      fc.property(setArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (s, cut, at, v) => {
        const bytes = s.encode(codec);
        expect(() => DVVSet.decode(bytes.subarray(0, cut % bytes.length), codec)).toThrow(DecodeError);
        const bad = new Uint8Array(bytes);
        bad[at % bad.length] = v;
        try {
          const d = DVVSet.decode(bad, codec);
          expect([...d.encode(codec)]).toEqual([...bad]);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
