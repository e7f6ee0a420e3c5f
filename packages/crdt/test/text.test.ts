import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ORMap, TextDoc, type TextUpdate } from "../src/index.js";
import { seededShuffle } from "./harness.js";

/** Naive reference: apply the same local edits to a plain string. */
describe("TextDoc local editing", () => {
  it("matches a plain string under random local edits", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ins: fc.boolean(),
            pos: fc.nat(),
            len: fc.integer({ min: 1, max: 4 }),
            text: fc.string({ minLength: 1, maxLength: 4 }),
          }),
          { maxLength: 200 },
        ),
        (edits) => {
          const doc = new TextDoc("a");
          let model = "";
          for (const e of edits) {
            if (e.ins || model.length === 0) {
              const pos = e.pos % (model.length + 1);
              doc.insert(pos, e.text);
              model = model.slice(0, pos) + e.text + model.slice(pos);
            } else {
              const pos = e.pos % model.length;
              const len = Math.min(e.len, model.length - pos);
              doc.delete(pos, len);
              model = model.slice(0, pos) + model.slice(pos + len);
            }
            expect(doc.length).toBe(model.length);
          }
          expect(doc.toString()).toBe(model);
          expect(TextDoc.decode(doc.encode(), "b").toString()).toBe(model);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("rejects out-of-range edits with invalid-argument", () => {
    const doc = new TextDoc("a");
    doc.insert(0, "abc");
    expect(() => doc.insert(4, "x")).toThrowError(expect.objectContaining({ code: "invalid-argument" }));
    expect(() => doc.insert(-1, "x")).toThrowError(expect.objectContaining({ code: "invalid-argument" }));
    expect(() => doc.delete(2, 2)).toThrowError(expect.objectContaining({ code: "invalid-argument" }));
    expect(doc.toString()).toBe("abc");
  });
});

type Edit = { at: number; ins: boolean; pos: number; len: number; text: string };
const editArb = fc.record({
  at: fc.nat(2),
  ins: fc.boolean(),
  pos: fc.nat(),
  len: fc.integer({ min: 1, max: 3 }),
  text: fc.stringMatching(/^[a-z]{1,3}$/),
});

function applyEdit(doc: TextDoc, e: Edit): TextUpdate {
  if (e.ins || doc.length === 0) return doc.insert(e.pos % (doc.length + 1), e.text);
  const pos = e.pos % doc.length;
  return doc.delete(pos, Math.min(e.len, doc.length - pos));
}

describe("TextDoc concurrent editing", () => {
  it("replicas converge whatever the delivery order, duplication and grouping of updates", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: editArb.map((e) => ({ kind: "edit" as const, e })) },
            {
              weight: 1,
              arbitrary: fc.record({ kind: fc.constant("sync" as const), from: fc.nat(2), to: fc.nat(2) }),
            },
          ),
          { maxLength: 60 },
        ),
        fc.nat(),
        (steps, seed) => {
          const docs = ["a", "b", "c"].map((r) => new TextDoc(r));
          const log: TextUpdate[] = [];
          for (const s of steps) {
            if (s.kind === "edit") log.push(applyEdit(docs[s.e.at] as TextDoc, s.e));
            else (docs[s.to] as TextDoc).merge(docs[s.from] as TextDoc);
          }
          // full-state merge in two orders
          const x = (docs[0] as TextDoc)
            .clone("x")
            .merge(docs[1] as TextDoc)
            .merge(docs[2] as TextDoc);
          const y = (docs[2] as TextDoc)
            .clone("y")
            .merge(docs[1] as TextDoc)
            .merge(docs[0] as TextDoc);
          expect(y.toString()).toBe(x.toString());
          expect(y.equals(x)).toBe(true);
          // a fresh replica receiving every delta shuffled, some twice, converges too
          const shuffled = seededShuffle([...log, ...log.filter((_, i) => i % 3 === 0)], seed);
          const z = new TextDoc("z");
          for (const u of shuffled) z.merge(u);
          expect(z.pendingCount).toBe(0);
          expect(z.toString()).toBe(x.toString());
          expect(z.equals(x)).toBe(true);
          // state round-trip keeps every origin: a decoded copy integrates later concurrent edits
          // exactly like the original does
          const w = TextDoc.decode(x.encode(), "w");
          expect(w.equals(x)).toBe(true);
          const late = [(docs[0] as TextDoc).clone("late1"), (docs[1] as TextDoc).clone("late2")];
          const lateUpdates = steps
            .filter((s) => s.kind === "edit")
            .slice(0, 10)
            .map((s, i) => applyEdit(late[i % 2] as TextDoc, (s as { e: Edit }).e));
          for (const u of lateUpdates) {
            x.merge(u);
            w.merge(u);
          }
          expect(w.toString()).toBe(x.toString());
          expect(w.equals(x)).toBe(true);
          // every replica is below the join
          for (const d of docs) expect(d.leq(x)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never interleaves words typed concurrently at the same position (forward and backward typing)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-m]{2,8}$/),
        fc.stringMatching(/^[n-z]{2,8}$/),
        fc.stringMatching(/^[A-Z]{0,4}$/),
        fc.boolean(),
        fc.boolean(),
        (w1, w2, base, backward1, backward2) => {
          const a = new TextDoc("alice");
          const b = new TextDoc("bob");
          if (base.length > 0) b.merge(a.insert(0, base));
          const at = Math.floor(base.length / 2);
          const type = (doc: TextDoc, word: string, backward: boolean): void => {
            if (backward) for (let i = word.length - 1; i >= 0; i--) doc.insert(at, word[i] as string);
            else for (let i = 0; i < word.length; i++) doc.insert(at + i, word[i] as string);
          };
          type(a, w1, backward1);
          type(b, w2, backward2);
          expect(a.toString()).toBe(base.slice(0, at) + w1 + base.slice(at));
          a.merge(b);
          b.merge(a);
          expect(a.toString()).toBe(b.toString());
          const merged = a.toString();
          expect([
            base.slice(0, at) + w1 + w2 + base.slice(at),
            base.slice(0, at) + w2 + w1 + base.slice(at),
          ]).toContain(merged);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("buffers updates whose predecessors are missing, bounded by maxPending", () => {
    const a = new TextDoc("a");
    const u1 = a.insert(0, "ab");
    const u2 = a.insert(2, "cd");
    const b = new TextDoc("b", { maxPending: 1 });
    b.merge(u2);
    expect(b.toString()).toBe("");
    expect(b.pendingCount).toBe(1);
    expect(() => b.merge(a.insert(4, "e"))).toThrowError(expect.objectContaining({ code: "limit-exceeded" }));
    b.merge(u1);
    expect(b.toString()).toBe("abcd");
    expect(b.pendingCount).toBe(0);
  });

  it("rejects corrupted encodings with decode-error", () => {
    const doc = new TextDoc("a");
    doc.insert(0, "hello world");
    doc.delete(2, 3);
    doc.insert(4, "XY");
    const bytes = doc.encode();
    expect(() => TextDoc.decode(bytes.subarray(0, bytes.length - 2), "b")).toThrowError(
      expect.objectContaining({ code: "decode-error" }),
    );
    expect(() => TextDoc.decode(new Uint8Array([1, 2, 3, 4, 5]), "b")).toThrowError(
      expect.objectContaining({ code: "decode-error" }),
    );
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pos, flip) => {
        const bad = bytes.slice();
        const i = pos % bad.length;
        bad[i] = (bad[i] as number) ^ flip;
        try {
          const d = TextDoc.decode(bad, "b");
          // if it decodes, it must be a usable document
          d.insert(0, "z");
          expect(d.toString().startsWith("z")).toBe(true);
        } catch (e) {
          expect((e as { code?: string }).code).toBe("decode-error");
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("TextUpdate wire format", () => {
  it("round-trips updates and rejects malformed ones with decode-error", () => {
    const a = new TextDoc("a");
    const u1 = a.insert(0, "hello");
    const u2 = a.delete(1, 2);
    const b = new TextDoc("b");
    for (const u of [u2, u1]) b.merge(TextDoc.decodeUpdate(TextDoc.encodeUpdate(u)));
    expect(b.toString()).toBe("hlo");
    const enc = new TextEncoder();
    for (const bad of [
      "not json",
      '{"t":"text-update","v":2,"i":[],"d":[]}',
      '{"t":"text-update","v":1,"i":[["a",0,2,"x",null,null]],"d":[]}',
      '{"t":"text-update","v":1,"i":[],"d":[["a",-1,1]]}',
      '{"t":"text-update","v":1,"i":[["a",0,1,"x",{"replicaId":"","seq":0},null]],"d":[]}',
    ]) {
      expect(() => TextDoc.decodeUpdate(enc.encode(bad))).toThrowError(
        expect.objectContaining({ code: "decode-error" }),
      );
    }
  });
});

describe("TextDoc representation", () => {
  it("keeps consecutively typed text in one run and re-coalesces a run after backspacing", () => {
    const d = new TextDoc("a");
    const text = "the quick brown fox jumps over the lazy dog";
    for (let i = 0; i < text.length; i++) d.insert(i, text[i] as string);
    expect(d.runCount).toBe(1);
    for (let i = 0; i < 9; i++) d.delete(d.length - 1, 1); // backspace "lazy dog" and a space
    expect(d.toString()).toBe("the quick brown fox jumps over the");
    expect(d.runCount).toBe(2); // one visible run, one tombstone run
  });

  it("TextDoc values nest inside an ORMap and merge per key", () => {
    const a = new ORMap("a", TextDoc.type());
    const b = new ORMap("b", TextDoc.type());
    b.merge(a.update("title", (t) => t.insertDelta(0, "Groceries")));
    a.update("title", (t) => t.insertDelta(0, "My "));
    b.update("title", (t) => t.insertDelta(t.length, " list"));
    a.merge(b);
    b.merge(a);
    expect(a.value().get("title")).toBe("My Groceries list");
    expect(b.equals(a)).toBe(true);
  });
});
