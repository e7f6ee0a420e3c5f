import fc from "fast-check";
import {
  DisableWinsFlag,
  EnableWinsFlag,
  GCounter,
  GSet,
  LWWElementSet,
  LWWMap,
  LWWRegister,
  MVRegister,
  ORMap,
  ORSet,
  PNCounter,
  RemoveWinsSet,
  TextDoc,
  TwoPhaseSet,
} from "../src/index.js";
import type { Op, Spec } from "./harness.js";

const elem = fc.constantFrom("a", "b", "c", "d");
const amount = fc.nat(5);
// LWW writers stamp with their own replica id, as a real clock would.
const lwwOp = <C extends { replicaId: string }>(
  make: (e: string, t: { wallMs: number; logical: number }) => Op<C>,
): fc.Arbitrary<Op<C>> =>
  fc.tuple(elem, fc.nat(6), fc.nat(2)).map(([e, w, l]) => make(e, { wallMs: w, logical: l }));

const op = <C>(label: string, apply: (c: C) => C): Op<C> => ({ label, apply });

export const gCounter: Spec<GCounter> = {
  name: "GCounter",
  create: (r) => new GCounter(r),
  decode: (b, r) => GCounter.decode(b, r),
  op: amount.map((n) => op(`inc ${n}`, (c) => c.increment(n))),
};

export const pnCounter: Spec<PNCounter> = {
  name: "PNCounter",
  create: (r) => new PNCounter(r),
  decode: (b, r) => PNCounter.decode(b, r),
  op: fc.oneof(
    amount.map((n) => op<PNCounter>(`inc ${n}`, (c) => c.increment(n))),
    amount.map((n) => op<PNCounter>(`dec ${n}`, (c) => c.decrement(n))),
  ),
};

export const lwwRegister: Spec<LWWRegister<string>> = {
  name: "LWWRegister",
  create: (r) => new LWWRegister<string>(r),
  decode: (b, r) => LWWRegister.decode<string>(b, r),
  op: lwwOp((e, t) =>
    op(`set ${e}@${t.wallMs}.${t.logical}`, (c) => c.set(e, { ...t, replicaId: c.replicaId })),
  ),
};

export const mvRegister: Spec<MVRegister<string>> = {
  name: "MVRegister",
  create: (r) => new MVRegister<string>(r),
  decode: (b, r) => MVRegister.decode<string>(b, r),
  op: elem.map((e) => op(`write ${e}`, (c) => c.write(e))),
};

export const gSet: Spec<GSet<string>> = {
  name: "GSet",
  create: (r) => new GSet<string>(r),
  decode: (b, r) => GSet.decode<string>(b, r),
  op: elem.map((e) => op(`add ${e}`, (c) => c.add(e))),
};

export const twoPhaseSet: Spec<TwoPhaseSet<string>> = {
  name: "TwoPhaseSet",
  create: (r) => new TwoPhaseSet<string>(r),
  decode: (b, r) => TwoPhaseSet.decode<string>(b, r),
  op: fc.oneof(
    elem.map((e) => op<TwoPhaseSet<string>>(`add ${e}`, (c) => c.add(e))),
    elem.map((e) => op<TwoPhaseSet<string>>(`remove ${e}`, (c) => c.remove(e))),
  ),
};

export const lwwElementSet: Spec<LWWElementSet<string>> = {
  name: "LWWElementSet",
  create: (r) => new LWWElementSet<string>(r),
  decode: (b, r) => LWWElementSet.decode<string>(b, r),
  op: fc.oneof(
    lwwOp<LWWElementSet<string>>((e, t) => op(`add ${e}`, (c) => c.add(e, { ...t, replicaId: c.replicaId }))),
    lwwOp<LWWElementSet<string>>((e, t) =>
      op(`remove ${e}`, (c) => c.remove(e, { ...t, replicaId: c.replicaId })),
    ),
  ),
};

export const orSet: Spec<ORSet<string>> = {
  name: "ORSet",
  create: (r) => new ORSet<string>(r),
  decode: (b, r) => ORSet.decode<string>(b, r),
  op: fc.oneof(
    elem.map((e) => op<ORSet<string>>(`add ${e}`, (c) => c.add(e))),
    elem.map((e) => op<ORSet<string>>(`remove ${e}`, (c) => c.remove(e))),
    fc.constant(op<ORSet<string>>("clear", (c) => c.clear())),
  ),
};

export const removeWinsSet: Spec<RemoveWinsSet<string>> = {
  name: "RemoveWinsSet",
  create: (r) => new RemoveWinsSet<string>(r),
  decode: (b, r) => RemoveWinsSet.decode<string>(b, r),
  op: fc.oneof(
    elem.map((e) => op<RemoveWinsSet<string>>(`add ${e}`, (c) => c.add(e))),
    elem.map((e) => op<RemoveWinsSet<string>>(`remove ${e}`, (c) => c.remove(e))),
  ),
};

export const ewFlag: Spec<EnableWinsFlag> = {
  name: "EnableWinsFlag",
  create: (r) => new EnableWinsFlag(r),
  decode: (b, r) => EnableWinsFlag.decode(b, r),
  op: fc.constantFrom(
    op<EnableWinsFlag>("enable", (c) => c.enable()),
    op<EnableWinsFlag>("disable", (c) => c.disable()),
  ),
};

export const dwFlag: Spec<DisableWinsFlag> = {
  name: "DisableWinsFlag",
  create: (r) => new DisableWinsFlag(r),
  decode: (b, r) => DisableWinsFlag.decode(b, r),
  op: fc.constantFrom(
    op<DisableWinsFlag>("enable", (c) => c.enable()),
    op<DisableWinsFlag>("disable", (c) => c.disable()),
  ),
};

export const lwwMap: Spec<LWWMap<number>> = {
  name: "LWWMap",
  create: (r) => new LWWMap<number>(r),
  decode: (b, r) => LWWMap.decode<number>(b, r),
  op: fc.oneof(
    fc
      .tuple(elem, amount, fc.nat(6), fc.nat(2))
      .map(([k, v, w, l]) =>
        op<LWWMap<number>>(`set ${k}=${v}`, (c) =>
          c.set(k, v, { wallMs: w, logical: l, replicaId: c.replicaId }),
        ),
      ),
    lwwOp<LWWMap<number>>((k, t) => op(`delete ${k}`, (c) => c.delete(k, { ...t, replicaId: c.replicaId }))),
  ),
};

export const orMapOfCounters: Spec<ORMap<PNCounter>> = {
  name: "ORMap<PNCounter>",
  create: (r) => new ORMap(r, PNCounter.type()),
  decode: (b, r) => ORMap.decode(b, r, PNCounter.type()),
  op: fc.oneof(
    fc
      .tuple(elem, amount)
      .map(([k, n]) => op<ORMap<PNCounter>>(`inc ${k} ${n}`, (m) => m.update(k, (c) => c.increment(n)))),
    fc
      .tuple(elem, amount)
      .map(([k, n]) => op<ORMap<PNCounter>>(`dec ${k} ${n}`, (m) => m.update(k, (c) => c.decrement(n)))),
    elem.map((k) => op<ORMap<PNCounter>>(`remove ${k}`, (m) => m.remove(k))),
  ),
};

const innerSet = ORSet.type<string>();
export const orMapOfMaps: Spec<ORMap<ORMap<ORSet<string>>>> = {
  name: "ORMap<ORMap<ORSet>>",
  create: (r) => new ORMap(r, ORMap.type(innerSet)),
  decode: (b, r) => ORMap.decode(b, r, ORMap.type(innerSet)),
  op: fc.oneof(
    fc
      .tuple(elem, elem, elem)
      .map(([k, k2, e]) =>
        op<ORMap<ORMap<ORSet<string>>>>(`add ${k}.${k2}+${e}`, (m) =>
          m.update(k, (inner) => inner.update(k2, (s) => s.add(e))),
        ),
      ),
    fc
      .tuple(elem, elem, elem)
      .map(([k, k2, e]) =>
        op<ORMap<ORMap<ORSet<string>>>>(`rm ${k}.${k2}-${e}`, (m) =>
          m.update(k, (inner) => inner.update(k2, (s) => s.remove(e))),
        ),
      ),
    elem.map((k) => op<ORMap<ORMap<ORSet<string>>>>(`remove ${k}`, (m) => m.remove(k))),
  ),
};

export const textDoc: Spec<TextDoc> = {
  name: "TextDoc",
  create: (r) => new TextDoc(r),
  decode: (b, r) => TextDoc.decode(b, r),
  op: fc.oneof(
    fc
      .tuple(fc.nat(), fc.stringMatching(/^[a-z]{1,3}$/))
      .map(([p, t]) => op<TextDoc>(`ins ${p} ${t}`, (d) => d.insertDelta(p % (d.length + 1), t))),
    fc
      .tuple(fc.nat(), fc.integer({ min: 1, max: 3 }))
      .map(([p, n]) =>
        op<TextDoc>(`del ${p} ${n}`, (d) =>
          d.length === 0
            ? d.insertDelta(0, "x")
            : d.deleteDelta(p % d.length, Math.min(n, d.length - (p % d.length))),
        ),
      ),
  ),
};
