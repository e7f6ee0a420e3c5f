import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  type JsonCrdt,
  crdtPolicy,
  dvvPolicy,
  type Json,
  lwwPolicy,
  MerkleTree,
  type VersioningPolicy,
} from "../src/index.js";

const keyArb = fc.string({ minLength: 1, maxLength: 8 });
const entriesArb = fc.uniqueArray(fc.tuple(keyArb, fc.string({ maxLength: 6 })), {
  selector: ([k]) => k,
  maxLength: 40,
});

describe("MerkleTree", () => {
  test.prop([entriesArb, fc.integer({ min: 0, max: 8 })])(
    "is independent of entry order",
    (entries, depth) => {
      const a = MerkleTree.build(entries, depth);
      const b = MerkleTree.build([...entries].reverse(), depth);
      expect(a.toArray()).toEqual(b.toArray());
      expect(a.diff(b)).toEqual([]);
    },
  );

  test.prop([
    entriesArb,
    fc.integer({ min: 0, max: 8 }),
    fc.nat(),
    fc.string({ minLength: 1, maxLength: 4 }),
  ])("diff finds exactly the leaf of a changed key", (entries, depth, pick, suffix) => {
    fc.pre(entries.length > 0);
    const i = pick % entries.length;
    const [key, digest] = entries[i]!;
    const changed = entries.map((e, j) => (j === i ? ([key, digest + suffix] as [string, string]) : e));
    const a = MerkleTree.build(entries, depth);
    const b = MerkleTree.build(changed, depth);
    expect(a.diff(b)).toEqual([MerkleTree.leafOf(key, depth)]);
  });

  test.prop([entriesArb, fc.integer({ min: 0, max: 8 }), keyArb])(
    "a missing key shows up in its leaf",
    (entries, depth, extra) => {
      fc.pre(!entries.some(([k]) => k === extra));
      const a = MerkleTree.build(entries, depth);
      const b = MerkleTree.build([...entries, [extra, "x"]], depth);
      expect(a.diff(b)).toEqual([MerkleTree.leafOf(extra, depth)]);
    },
  );

  test.prop([entriesArb, fc.integer({ min: 0, max: 6 })])(
    "round-trips through its node array",
    (entries, depth) => {
      const a = MerkleTree.build(entries, depth);
      expect(MerkleTree.fromNodes(depth, a.toArray()).diff(a)).toEqual([]);
    },
  );
});

type GCounter = { readonly [replica: string]: number };
const gcounter: JsonCrdt<GCounter> = {
  name: "g-counter",
  merge: (a, b) => {
    const out: Record<string, number> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
    return out;
  },
  value: (s) => Object.values(s).reduce((x, y) => x + y, 0),
  isState: (j): j is GCounter =>
    typeof j === "object" &&
    j !== null &&
    !Array.isArray(j) &&
    Object.values(j).every((v) => typeof v === "number"),
};

/** Builds replica states by applying random writes at random coordinators, as a store would. */
function statesArb<S extends Json>(policy: VersioningPolicy<S>, value: fc.Arbitrary<Json>) {
  const write = fc.record({
    at: fc.integer({ min: 0, max: 2 }),
    value,
    deleted: fc.boolean(),
    ts: fc.integer({ min: 0, max: 20 }),
    useContext: fc.boolean(),
    from: fc.integer({ min: 0, max: 2 }),
  });
  return fc.array(write, { minLength: 3, maxLength: 12 }).map((writes) => {
    const replicas: (S | undefined)[] = [undefined, undefined, undefined];
    for (const w of writes) {
      const local = replicas[w.at];
      const seen = replicas[w.from];
      const context = w.useContext && seen !== undefined ? policy.read(seen).context : "";
      const deleted = policy.kind === "crdt" ? false : w.deleted;
      const next = policy.write(local, {
        value: w.value,
        deleted,
        context,
        coordinator: `r${w.at}`,
        timestampMs: w.ts,
      });
      replicas[w.at] = local === undefined ? next : policy.merge(local, next);
    }
    return replicas.map(
      (s) =>
        s ??
        policy.write(undefined, {
          value: policy.kind === "crdt" ? {} : 0,
          deleted: false,
          context: "",
          coordinator: "r9",
          timestampMs: 0,
        }),
    );
  });
}

const policies: [string, VersioningPolicy<Json>, fc.Arbitrary<Json>][] = [
  ["lww", lwwPolicy() as unknown as VersioningPolicy<Json>, fc.integer({ min: 0, max: 5 })],
  ["dvv", dvvPolicy() as unknown as VersioningPolicy<Json>, fc.integer({ min: 0, max: 5 })],
  [
    "crdt",
    crdtPolicy(gcounter) as unknown as VersioningPolicy<Json>,
    fc.dictionary(fc.constantFrom("a", "b", "c"), fc.integer({ min: 0, max: 9 })) as fc.Arbitrary<Json>,
  ],
];

describe.each(policies)("%s merge is a join", (_name, policy, value) => {
  const same = (a: Json, b: Json) => expect(policy.digest(a)).toBe(policy.digest(b));
  test.prop([statesArb(policy, value)], { numRuns: 60 })(
    "commutative, associative, idempotent, inflationary",
    ([a, b, c]) => {
      same(policy.merge(a!, b!), policy.merge(b!, a!));
      same(policy.merge(policy.merge(a!, b!), c!), policy.merge(a!, policy.merge(b!, c!)));
      same(policy.merge(a!, a!), a!);
      const ab = policy.merge(a!, b!);
      expect(policy.descends(ab, a!)).toBe(true);
      expect(policy.descends(ab, b!)).toBe(true);
    },
  );
});
