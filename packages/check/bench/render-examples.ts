/**
 * Writes the pictures of @distkit/check for people to look at (and for the screenshots the README
 * describes): a small non-linearizable register history, and a 20-process, 500-operation register
 * history with one stale read. Usage: `npx tsx --conditions=source bench/render-examples.ts [outDir]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import {
  checkLinearizable,
  type History,
  HistoryRecorder,
  registerModel,
  renderHistoryHtml,
  renderHistorySvg,
} from "../src/index.js";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small history: write 1, a concurrent read sees it, a later read sees the old value. */
export function smallHistory(): History {
  const h = new HistoryRecorder();
  const t = 1_700_000_000_123.25; // absolute times: the picture must show them relative
  const w1 = h.invoke("client-1", "write", 1, t);
  const r1 = h.invoke("client-2", "read", null, t + 3.31);
  h.ok(r1, 1, t + 7.92);
  h.ok(w1, undefined, t + 12.42248555245925);
  h.info(h.invoke("client-3", "write", 2, t + 14.2), t + 40);
  const c = h.invoke("client-1", "cas", [1, 3], t + 15.5);
  h.fail(c, undefined, t + 19.9);
  h.ok(h.invoke("client-2", "read", null, t + 21.07), null, t + 24.5);
  h.ok(h.invoke("client-4", "read", null, t + 26), 1, t + 29.2);
  return h.history();
}

/** `processes` clients doing reads and writes of unique values on one register, atomically at a
 * random point of each interval, and one stale read injected near the end. */
export function bigHistory(processes: number, operations: number, seed: number): History {
  const random = mulberry32(seed);
  const clock = new Array<number>(processes).fill(0);
  interface P {
    process: number;
    f: "read" | "write";
    value: number;
    call: number;
    ret: number;
    at: number;
    out?: number | null;
  }
  const plan: P[] = [];
  for (let i = 0; i < operations; i++) {
    const p = i % processes;
    const call = clock[p]! + random() * 3;
    const ret = call + 0.4 + random() * 6;
    clock[p] = ret;
    plan.push({
      process: p,
      f: random() < 0.5 ? "read" : "write",
      value: i + 1,
      call,
      ret,
      at: call + random() * (ret - call),
    });
  }
  let value: number | null = null;
  for (const p of [...plan].sort((a, b) => a.at - b.at)) {
    if (p.f === "write") value = p.value;
    else p.out = value;
  }
  // A stale read: the last read returns a value that a later write, completed before the read
  // began, had overwritten.
  const lastRead = plan.filter((p) => p.f === "read").sort((a, b) => b.call - a.call)[0]!;
  const done = plan.filter((p) => p.f === "write" && p.ret < lastRead.call).sort((a, b) => a.ret - b.ret);
  const overwriting = done[done.length - 1]!;
  const old = done.filter((p) => p.ret < overwriting.call).pop()!;
  lastRead.out = old.value;
  const h = new HistoryRecorder();
  const events: { t: number; k: 0 | 1; p: P }[] = [];
  for (const p of plan) events.push({ t: p.call, k: 0, p }, { t: p.ret, k: 1, p });
  events.sort((a, b) => a.t - b.t || a.k - b.k);
  const handles = new Map<P, ReturnType<HistoryRecorder["invoke"]>>();
  for (const e of events) {
    if (e.k === 0)
      handles.set(e.p, h.invoke(`c${e.p.process}`, e.p.f, e.p.f === "write" ? e.p.value : null, e.t));
    else h.ok(handles.get(e.p)!, e.p.f === "read" ? (e.p.out ?? null) : undefined, e.t);
  }
  return h.history();
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!);
if (isMain) {
  const dir = process.argv[2] ?? "out/check-pictures";
  mkdirSync(dir, { recursive: true });
  const model = registerModel();
  for (const [name, history] of [
    ["small", smallHistory()],
    ["big", bigHistory(20, 500, 7)],
  ] as const) {
    const result = checkLinearizable(history, model);
    const title = name === "small" ? "A stale read (register)" : "20 clients, 500 operations, one stale read";
    writeFileSync(`${dir}/${name}.html`, renderHistoryHtml(history, { result, model, title }));
    writeFileSync(`${dir}/${name}.svg`, renderHistorySvg(history, { result, model, title }));
    console.log(
      `${name}: ${history.length} operations, ${result.verdict}; wrote ${dir}/${name}.html and ${dir}/${name}.svg`,
    );
  }
}
