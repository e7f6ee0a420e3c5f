/**
 * Benchmark of @distkit/check's linearizability checker.
 *
 * 1. All 108 Porcupine histories (102 Jepsen etcd logs, 6 kv logs) with their asserted verdicts,
 *    plus the 4 unpartitioned kv checks Porcupine's test suite also runs (c01/c10 ok/bad): the same
 *    112 checks as Porcupine's `go test -run 'TestEtcdJepsen|TestKv'`.
 * 2. A generated 10,000-operation key-value history with 50 clients (atomic, so linearizable), and
 *    the same history with one stale read injected.
 *
 * Reference: Porcupine (https://github.com/anishathalye/porcupine), the Go checker, runs these 112
 * checks in about 10 s on 2 cores (VERDICTS.md records 9.7 s for the 112 upstream tests), a quoted
 * figure NOT measured in this run. This run is single-threaded (one core).
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import {
  checkLinearizable,
  type History,
  kvModel,
  type Operation,
  parseHistory,
  registerModel,
} from "../src/index.js";

const REFERENCE_S = 10;
const DIR = fileURLToPath(new URL("../test/data/porcupine/", import.meta.url));

function readVerdicts(): { file: string; linearizable: boolean }[] {
  const out: { file: string; linearizable: boolean }[] = [];
  for (const line of readFileSync(`${DIR}VERDICTS.md`, "utf8").split("\n")) {
    const m = /^\| ((?:jepsen|kv)\/[^ ]+) \| (linearizable|NOT linearizable) \|/.exec(line);
    if (m !== null) out.push({ file: m[1]!, linearizable: m[2] === "linearizable" });
  }
  return out;
}

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

/** 50 clients, 10 keys, get/put/append, each op atomic at a random point of its interval. */
function generateKv(nOps: number, clients: number, keys: number, seed: number): History {
  const random = mulberry32(seed);
  const clock = new Array<number>(clients).fill(0);
  interface P {
    process: number;
    f: string;
    key: string;
    value: string | null;
    callMs: number;
    returnMs: number;
    pointMs: number;
  }
  const plan: P[] = [];
  for (let i = 0; i < nOps; i++) {
    const c = Math.floor(random() * clients);
    const callMs = clock[c]! + random() * 2;
    const returnMs = callMs + 0.5 + random() * 10;
    clock[c] = returnMs;
    const r = random();
    const f = r < 0.5 ? "get" : r < 0.6 ? "put" : "append";
    const key = String(Math.floor(random() * keys));
    plan.push({
      process: c,
      f,
      key,
      value: f === "get" ? null : `x ${c} ${i} y`,
      callMs,
      returnMs,
      pointMs: callMs + random() * (returnMs - callMs),
    });
  }
  const store = new Map<string, string>();
  const outputs = new Map<P, string>();
  for (const p of [...plan].sort((a, b) => a.pointMs - b.pointMs)) {
    if (p.f === "get") outputs.set(p, store.get(p.key) ?? "");
    else store.set(p.key, p.f === "put" ? p.value! : (store.get(p.key) ?? "") + p.value!);
  }
  return [...plan]
    .sort((a, b) => a.callMs - b.callMs)
    .map(
      (p, id): Operation => ({
        id,
        process: p.process,
        f: p.f,
        input: { key: p.key, value: p.value },
        output: outputs.get(p),
        status: "ok",
        callMs: p.callMs,
        returnMs: p.returnMs,
      }),
    );
}

/**
 * Times `fn` by this process's CPU time (user + system), which the machine's other load does not
 * inflate the way it inflates wall time; the wall time is kept too.
 */
function time<T>(fn: () => T): { value: T; ms: number; wallMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms: (c.user + c.system) / 1000, wallMs };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `@distkit/check benchmark (node ${process.version}, single thread; times are CPU time of this process, wall time in brackets)`,
);
const both = (t: { ms: number; wallMs: number }) => `${fmt(t.ms)} [wall ${fmt(t.wallMs)}]`;

let porcupineTotalMs = 0;
if (!existsSync(`${DIR}VERDICTS.md`)) {
  console.log(`Porcupine data not found at ${DIR}: skipping part 1 (it lives outside the repository).`);
} else {
  const verdicts = readVerdicts();
  const parsed = time(() =>
    verdicts.map((v) => ({ ...v, history: parseHistory(readFileSync(`${DIR}${v.file}`, "utf8")) })),
  );
  let wrong = 0;
  let etcdMs = 0;
  let kvMs = 0;
  let wallMs = parsed.wallMs;
  const slow: string[] = [];
  for (const v of parsed.value) {
    const kv = v.file.startsWith("kv/");
    const r = time(() =>
      checkLinearizable(v.history, kv ? kvModel() : registerModel(), { conflictSteps: 0 }),
    );
    if ((r.value.verdict === "linearizable") !== v.linearizable || r.value.verdict === "unknown") {
      wrong++;
      console.log(`WRONG verdict for ${v.file}: ${r.value.verdict}`);
    }
    if (kv) kvMs += r.ms;
    else etcdMs += r.ms;
    wallMs += r.wallMs;
    if (r.ms > 100) slow.push(`${v.file} ${fmt(r.ms)} (${r.value.steps} steps)`);
  }
  let noPartMs = 0;
  for (const f of ["kv/c01-ok.txt", "kv/c01-bad.txt", "kv/c10-ok.txt", "kv/c10-bad.txt"]) {
    const v = parsed.value.find((x) => x.file === f)!;
    const r = time(() => checkLinearizable(v.history, kvModel({ partitioned: false })));
    if ((r.value.verdict === "linearizable") !== v.linearizable) {
      wrong++;
      console.log(`WRONG verdict for ${f} (unpartitioned): ${r.value.verdict}`);
    }
    noPartMs += r.ms;
    wallMs += r.wallMs;
    console.log(`  ${f} without partitioning: ${both(r)} (${r.value.steps} steps)`);
  }
  porcupineTotalMs = parsed.ms + etcdMs + kvMs + noPartMs;
  // The explanation's conflict search (default conflictSteps), on the non-linearizable histories only.
  let conflictMs = 0;
  let minimal = 0;
  let bad = 0;
  for (const v of parsed.value) {
    if (v.linearizable) continue;
    const kv = v.file.startsWith("kv/");
    const r = time(() => checkLinearizable(v.history, kv ? kvModel() : registerModel()));
    const plain = time(() =>
      checkLinearizable(v.history, kv ? kvModel() : registerModel(), { conflictSteps: 0 }),
    );
    conflictMs += Math.max(0, r.ms - plain.ms);
    bad++;
    if (r.value.verdict === "not-linearizable" && r.value.failures[0]!.conflictMinimal) minimal++;
  }
  console.log(
    `  conflict search for the explanation (the ${bad} non-linearizable histories): +${fmt(conflictMs)} CPU, a minimal conflicting set found for ${minimal} of ${bad} (the checks above ran with conflictSteps: 0)`,
  );
  console.log(`  slowest partitioned checks: ${slow.join("; ") || "none over 100 ms"}`);
  console.log(`Part 1: the 112 checks of Porcupine's test suite on its 108 histories`);
  console.log(`  parse 108 files:                      ${fmt(parsed.ms)}`);
  console.log(`  102 etcd histories (register model):  ${fmt(etcdMs)}`);
  console.log(`  6 kv histories (per-key partitions):  ${fmt(kvMs)}`);
  console.log(`  4 kv histories without partitioning:  ${fmt(noPartMs)}`);
  console.log(`  verdicts wrong: ${wrong} of 112`);
  console.log(`  wall time of all the above: ${fmt(wallMs)} (load average ${os.loadavg()[0]!.toFixed(1)})`);
  console.log(
    `  TOTAL ${fmt(porcupineTotalMs)} CPU vs Porcupine (Go, github.com/anishathalye/porcupine) ~${REFERENCE_S} s on 2 cores (quoted, not measured in this run): ratio ${(porcupineTotalMs / 1000 / REFERENCE_S).toFixed(2)}x (lower is faster)`,
  );
}

const gen = time(() => generateKv(10_000, 50, 10, 42));
const ok = time(() => checkLinearizable(gen.value, kvModel()));
// Inject one stale read: the last get that saw a non-empty value now returns "" (the initial value).
const victim = [...gen.value].reverse().find((o) => o.f === "get" && o.output !== "")!;
const stale = gen.value.map((o) => (o === victim ? { ...o, output: "" } : o));
const bad = time(() => checkLinearizable(stale, kvModel()));
console.log(
  `Part 2: generated kv history, 10,000 operations, 50 clients, 10 keys (generated in ${fmt(gen.ms)})`,
);
console.log(`  atomic (linearizable):  ${both(ok)} -> ${ok.value.verdict} (${ok.value.steps} steps)`);
console.log(`  one stale read:         ${both(bad)} -> ${bad.value.verdict} (${bad.value.steps} steps)`);
console.log(`  (no peer figure for this history: Porcupine was not run here)`);
