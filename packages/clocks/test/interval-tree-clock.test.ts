import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClocksError, DecodeError, ItcStamp, type Ordering } from "../src/index.js";

function setOrdering(a: ReadonlySet<number>, b: ReadonlySet<number>): Ordering {
  const le = [...a].every((x) => b.has(x));
  const ge = [...b].every((x) => a.has(x));
  return le ? (ge ? "equal" : "before") : ge ? "after" : "concurrent";
}

/** A random run over a dynamic population: fork, event, join, and message-style peek/receive. */
type Op =
  | { kind: "fork"; who: number }
  | { kind: "event"; who: number }
  | { kind: "join"; a: number; b: number }
  | { kind: "send"; from: number; to: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fork" as const), who: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("event" as const), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("join" as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("send" as const), from: fc.nat(), to: fc.nat() }) },
);

interface Agent {
  stamp: ItcStamp;
  history: Set<number>;
}

function run(
  ops: readonly Op[],
  onStep: (agents: readonly Agent[], retired: readonly Agent[]) => void,
): void {
  let agents: Agent[] = [{ stamp: ItcStamp.seed(), history: new Set() }];
  const retired: Agent[] = [];
  let nextEvent = 0;
  for (const op of ops) {
    if (op.kind === "fork") {
      if (agents.length >= 12) continue;
      const i = op.who % agents.length;
      const [x, y] = agents[i]!.stamp.fork();
      const h = agents[i]!.history;
      agents.splice(i, 1, { stamp: x, history: new Set(h) }, { stamp: y, history: new Set(h) });
    } else if (op.kind === "event") {
      const ag = agents[op.who % agents.length]!;
      const before = ag.stamp;
      ag.stamp = ag.stamp.event();
      ag.history.add(nextEvent++);
      expect(ag.stamp.compare(before)).toBe("after");
    } else if (op.kind === "join") {
      if (agents.length < 2) continue;
      const i = op.a % agents.length;
      let k = op.b % agents.length;
      if (k === i) k = (k + 1) % agents.length;
      const a = agents[i]!;
      const b = agents[k]!;
      retired.push(
        { stamp: a.stamp, history: new Set(a.history) },
        { stamp: b.stamp, history: new Set(b.history) },
      );
      const joined = { stamp: a.stamp.join(b.stamp), history: new Set([...a.history, ...b.history]) };
      agents = agents.filter((_, idx) => idx !== i && idx !== k);
      agents.push(joined);
    } else {
      const from = agents[op.from % agents.length]!;
      const to = agents[op.to % agents.length]!;
      if (from === to) continue;
      // send = event then peek; receive = join then event
      from.stamp = from.stamp.event();
      from.history.add(nextEvent++);
      const msg = { stamp: from.stamp.peek(), history: new Set(from.history) };
      to.stamp = to.stamp.receive(msg.stamp);
      for (const e of msg.history) to.history.add(e);
      to.history.add(nextEvent++);
      retired.push(msg);
    }
    onStep(agents, retired);
  }
}

describe("ItcStamp", () => {
  it("matches the paper's examples", () => {
    const [a, b] = ItcStamp.seed().fork();
    expect(a.toString()).toBe("((1, 0); 0)");
    expect(b.toString()).toBe("((0, 1); 0)");
    const a1 = a.event();
    expect(a1.toString()).toBe("((1, 0); (0, 1, 0))");
    const [b1, c] = b.event().fork();
    expect(b1.toString()).toBe("((0, (1, 0)); (0, 0, 1))");
    expect(c.toString()).toBe("((0, (0, 1)); (0, 0, 1))");
    const a2 = a1.event();
    expect(a2.toString()).toBe("((1, 0); (0, 2, 0))");
    const c1 = c.event();
    expect(c1.toString()).toBe("((0, (0, 1)); (0, 0, (1, 0, 1)))");
    const ab = a2.join(b1);
    expect(ab.toString()).toBe("((1, (1, 0)); (1, 1, 0))");
    // fill cannot inflate (the owned left half is already at the maximum), so the tree grows on the left
    const abe = ab.event();
    expect(abe.toString()).toBe("((1, (1, 0)); (1, 2, 0))");
    expect(abe.compare(c1)).toBe("concurrent");
    expect(abe.join(c1).compare(abe)).toBe("after");
    expect(abe.join(c1).id).toBe(1);
  });

  it("normalises on construction", () => {
    expect(ItcStamp.from([1, 1], [2, 1, 1]).toString()).toBe("(1; 3)");
    expect(ItcStamp.from([0, [0, 0]], [1, [0, 2, 2], 3]).toString()).toBe("(0; (3, 0, 1))");
    expect(() => ItcStamp.from(2 as never, 0)).toThrow(ClocksError);
    expect(() => ItcStamp.from(1, -1)).toThrow(ClocksError);
  });

  it("refuses events on anonymous stamps and joins of overlapping ids", () => {
    expect(() => ItcStamp.seed().peek().event()).toThrow(ClocksError);
    const [a] = ItcStamp.seed().fork();
    expect(() => a.join(a)).toThrow(/overlap/);
  });

  it("compare equals set inclusion of causal histories (model-based)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        run(ops, (agents, retired) => {
          const all = [...agents, ...retired.slice(-6)];
          for (const x of all) {
            for (const y of all) expect(x.stamp.compare(y.stamp)).toBe(setOrdering(x.history, y.history));
          }
          // ids of live agents stay disjoint and sum to the whole interval
          const total = agents.reduce(
            (acc, ag) => acc.join(ItcStamp.from(ag.stamp.id, 0)),
            ItcStamp.from(0, 0),
          );
          expect(total.id).toBe(1);
        });
      }),
      { numRuns: 120 },
    );
  });

  it("join is commutative, associative, idempotent on event trees; stamps stay normalised", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        run(ops, (_agents, retired) => {
          const rs = retired.slice(-3).map((r) => r.stamp.peek());
          if (rs.length < 3) return;
          const [a, b, c] = rs as [ItcStamp, ItcStamp, ItcStamp];
          expect(a.join(b).equals(b.join(a))).toBe(true);
          expect(
            a
              .join(b)
              .join(c)
              .equals(a.join(b.join(c))),
          ).toBe(true);
          expect(a.join(a).equals(a)).toBe(true);
          expect(a.leq(a.join(b)) && b.leq(a.join(b))).toBe(true);
          // normalised: rebuilding from the JSON form changes nothing
          expect(ItcStamp.fromJSON(a.join(b).toJSON()).equals(a.join(b))).toBe(true);
        });
      }),
      { numRuns: 80 },
    );
  });

  it("encode/decode round-trips; corrupted bytes throw DecodeError only", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 30 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (ops, at, v) => {
          let last = ItcStamp.seed();
          run(ops, (agents) => {
            last = agents[agents.length - 1]!.stamp;
          });
          const bytes = last.encode();
          expect(ItcStamp.decode(bytes).equals(last)).toBe(true);
          expect(() => ItcStamp.decode(bytes.subarray(0, at % bytes.length))).toThrow(DecodeError);
          const bad = new Uint8Array(bytes);
          bad[at % bad.length] = v;
          try {
            expect([...ItcStamp.decode(bad).encode()]).toEqual([...bad]);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decode rejects non-normalised trees", () => {
    // header, id = node(1, 1) -> not normalised
    expect(() => ItcStamp.decode(Uint8Array.of(0xc5, 1, 2, 1, 1, 0))).toThrow(/normalised/);
    // id 1, event node n=0 with leaves 1 and 1
    expect(() => ItcStamp.decode(Uint8Array.of(0xc5, 1, 1, 1, 2, 2))).toThrow(/normalised/);
  });
});
