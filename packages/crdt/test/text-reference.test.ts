import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextDoc } from "../src/index.js";

/**
 * Differential test against a deliberately naive model: one item per character in a plain array,
 * integrated with the YjsMod/FugueMax rule written out item by item (after reference-crdts by Joseph
 * Gentle, rewritten here). The run-based TextDoc must produce the same text on every replica.
 */
type Id = readonly [agent: string, seq: number];
interface Item {
  readonly id: Id;
  readonly ol: Id | null;
  readonly or: Id | null;
  readonly ch: string;
  deleted: boolean;
}
interface Model {
  items: Item[];
  version: Map<string, number>; // agent -> next seq
}

const idEq = (a: Id | null, b: Id | null): boolean =>
  a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);
const findIdx = (m: Model, id: Id | null): number =>
  id === null ? -1 : m.items.findIndex((it) => idEq(it.id, id));
const knows = (m: Model, id: Id | null): boolean => id === null || (m.version.get(id[0]) ?? 0) > id[1];

function integrate(m: Model, item: Item): void {
  const left = findIdx(m, item.ol);
  const right = item.or === null ? m.items.length : findIdx(m, item.or);
  let dest = left + 1;
  let scanning = false;
  for (let i = left + 1; ; i++) {
    if (!scanning) dest = i;
    if (i === m.items.length || i === right) break;
    const o = m.items[i] as Item;
    const oleft = findIdx(m, o.ol);
    const oright = o.or === null ? m.items.length : findIdx(m, o.or);
    if (oleft < left) break;
    if (oleft === left) {
      if (oright < right) scanning = true;
      else if (oright === right) {
        if (item.id[0] < o.id[0]) break;
        scanning = false;
      } else scanning = false;
    }
  }
  m.items.splice(dest, 0, item);
  m.version.set(item.id[0], item.id[1] + 1);
}

function localInsert(m: Model, agent: string, pos: number, text: string): void {
  for (let k = 0; k < text.length; k++) {
    // insert right after the visible character at pos+k-1 (before any tombstones that follow it)
    let idx = -1;
    let seen = 0;
    if (pos + k > 0) {
      for (let i = 0; i < m.items.length; i++) {
        if ((m.items[i] as Item).deleted) continue;
        seen++;
        if (seen === pos + k) {
          idx = i;
          break;
        }
      }
    }
    const seq = m.version.get(agent) ?? 0;
    integrate(m, {
      id: [agent, seq],
      ol: idx < 0 ? null : (m.items[idx] as Item).id,
      or: (m.items[idx + 1] as Item | undefined)?.id ?? null,
      ch: text[k] as string,
      deleted: false,
    });
  }
}

function localDelete(m: Model, pos: number, count: number): void {
  let seen = 0;
  for (const it of m.items) {
    if (it.deleted) continue;
    if (seen >= pos && seen < pos + count) it.deleted = true;
    seen++;
  }
}

/** Brings `to` up to date with `from` (causal order), like merging a full state. */
function sync(from: Model, to: Model): void {
  const missing = from.items.filter((it) => !knows(to, it.id));
  let progress = true;
  while (missing.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < missing.length; i++) {
      const it = missing[i] as Item;
      if ((to.version.get(it.id[0]) ?? 0) === it.id[1] && knows(to, it.ol) && knows(to, it.or)) {
        integrate(to, { ...it, deleted: false });
        missing.splice(i, 1);
        i--;
        progress = true;
      }
    }
  }
  expect(missing).toEqual([]);
  for (const it of from.items) {
    if (it.deleted) (to.items[findIdx(to, it.id)] as Item).deleted = true;
  }
}

const text = (m: Model): string =>
  m.items
    .filter((it) => !it.deleted)
    .map((it) => it.ch)
    .join("");

describe("TextDoc against a naive one-item-per-character YjsMod model", () => {
  it("orders a backward-typed word and a concurrent insert without interleaving, like the model", () => {
    const base = new TextDoc("cat");
    base.insert(0, "LR");
    const bob = base.clone("bob");
    const ann = base.clone("ann");
    bob.insert(1, "Y");
    bob.insert(1, "o"); // typed backwards: "oY"
    ann.insert(1, "Z");
    const mBob: Model = { items: [], version: new Map() };
    localInsert(mBob, "cat", 0, "LR");
    const mAnn: Model = { items: mBob.items.map((it) => ({ ...it })), version: new Map(mBob.version) };
    localInsert(mBob, "bob", 1, "Y");
    localInsert(mBob, "bob", 1, "o");
    localInsert(mAnn, "ann", 1, "Z");
    bob.merge(ann);
    ann.merge(bob);
    sync(mAnn, mBob);
    sync(mBob, mAnn);
    expect(bob.toString()).toBe("LZoYR");
    expect(ann.toString()).toBe("LZoYR");
    expect(text(mBob)).toBe("LZoYR");
    expect(text(mAnn)).toBe("LZoYR");
  });

  it("gives the same text on every replica after any history of edits and syncs", () => {
    const step = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant("edit" as const),
          at: fc.nat(2),
          ins: fc.boolean(),
          pos: fc.oneof(fc.nat(2), fc.nat()),
          len: fc.integer({ min: 1, max: 3 }),
          txt: fc.stringMatching(/^[a-z]{1,2}$/),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("sync" as const), from: fc.nat(2), to: fc.nat(2) }),
      },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 80, size: "max" }), (steps) => {
        const agents = ["ann", "bob", "cat"];
        const docs = agents.map((a) => new TextDoc(a));
        const models: Model[] = agents.map(() => ({ items: [], version: new Map() }));
        for (const s of steps) {
          if (s.kind === "edit") {
            const d = docs[s.at] as TextDoc;
            const m = models[s.at] as Model;
            if (s.ins || d.length === 0) {
              const pos = s.pos % (d.length + 1);
              d.insert(pos, s.txt);
              localInsert(m, agents[s.at] as string, pos, s.txt);
            } else {
              const pos = s.pos % d.length;
              const n = Math.min(s.len, d.length - pos);
              d.delete(pos, n);
              localDelete(m, pos, n);
            }
          } else if (s.from !== s.to) {
            (docs[s.to] as TextDoc).merge(docs[s.from] as TextDoc);
            sync(models[s.from] as Model, models[s.to] as Model);
          }
          for (let r = 0; r < 3; r++) expect((docs[r] as TextDoc).toString()).toBe(text(models[r] as Model));
        }
      }),
      { numRuns: 300 },
    );
  });
});
