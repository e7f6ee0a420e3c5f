import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DurableStorage, type NodeContext, Simulation } from "../src/index.js";

type Op =
  | { readonly op: "set"; readonly key: string; readonly value: number }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "sync" }
  | { readonly op: "crash"; readonly torn: boolean };

const key = fc.constantFrom("a", "b", "c", "d/1", "d/2");
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("set" as const), key, value: fc.integer({ min: 0, max: 9 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
  { weight: 2, arbitrary: fc.constant({ op: "sync" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("crash" as const), torn: fc.boolean() }) },
);

type Write = { key: string; value: number | undefined };

function apply(state: Map<string, number>, writes: readonly Write[]): Map<string, number> {
  const out = new Map(state);
  for (const w of writes) {
    if (w.value === undefined) out.delete(w.key);
    else out.set(w.key, w.value);
  }
  return out;
}

function snapshot(storage: DurableStorage): Map<string, number> {
  return new Map(storage.keys().map((k) => [k, storage.get<number>(k) as number]));
}

describe("durable storage model", () => {
  it("behaves like a map whose unsynced suffix is lost (or torn to a prefix) on crash", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(opArb, { maxLength: 60 }), (seed, ops) => {
        const sim = new Simulation({ seed, trace: "off" });
        let ctx: NodeContext | undefined;
        const ref = sim.addNode("n", (c) => {
          ctx = c;
          return { onMessage() {} };
        });
        sim.runFor(0);
        let durable = new Map<string, number>();
        let pending: Write[] = [];
        for (const o of ops) {
          const storage = (ctx as NodeContext).storage;
          if (o.op === "set") {
            storage.set(o.key, o.value);
            pending.push({ key: o.key, value: o.value });
          } else if (o.op === "delete") {
            storage.delete(o.key);
            pending.push({ key: o.key, value: undefined });
          } else if (o.op === "sync") {
            storage.sync();
            durable = apply(durable, pending);
            pending = [];
          } else {
            sim.crash("n", { tornWrites: o.torn });
            sim.restart("n");
            const after = snapshot((ctx as NodeContext).storage);
            if (!o.torn) expect(after).toEqual(durable);
            else {
              // Some prefix of the pending writes survived.
              const prefixes = Array.from({ length: pending.length + 1 }, (_, k) =>
                apply(durable, pending.slice(0, k)),
              );
              expect(
                prefixes.some((p) => JSON.stringify([...p].sort()) === JSON.stringify([...after].sort())),
              ).toBe(true);
            }
            durable = after;
            pending = [];
          }
          const current = snapshot((ctx as NodeContext).storage);
          expect(current).toEqual(apply(durable, pending));
          expect((ctx as NodeContext).storage.unsyncedWrites).toBe(pending.length);
          expect(new Map(ref.durableEntries() as [string, number][])).toEqual(durable);
        }
        expect((ctx as NodeContext).storage.keys("d/")).toEqual(
          [...apply(durable, pending).keys()].filter((k) => k.startsWith("d/")).sort(),
        );
      }),
      { numRuns: 150 },
    );
  });
});
