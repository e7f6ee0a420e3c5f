// Client load against a local cluster, recorded as per-key register histories for @distkit/check.
import { performance } from "node:perf_hooks";
import { checkLinearizable, HistoryRecorder, registerModel } from "@distkit/check";
import type { ClusterClient } from "../src/cluster.js";

export interface LoadOptions {
  readonly clients: readonly ClusterClient[];
  readonly keys: number;
  readonly durationMs: number;
  /** Use cas in the mix (raft only). */
  readonly cas: boolean;
  /** Deterministic choice of operations (the timing is real, so the history is not). */
  readonly seed: number;
}

export interface LoadResult {
  /** performance.now() at the start: history times are relative to it. */
  readonly t0: number;
  readonly recorders: Map<string, HistoryRecorder<unknown, unknown>>;
  readonly ok: number;
  readonly timeouts: number;
  /** Latencies of acknowledged operations, ms. */
  readonly latenciesMs: number[];
  /** Values of acknowledged writes per key, in acknowledgement order. */
  readonly acknowledged: Map<string, string[]>;
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

/** Each client runs operations back to back until the deadline; `during` runs faults meanwhile. */
export async function runLoad(options: LoadOptions, during: () => Promise<void>): Promise<LoadResult> {
  const recorders = new Map<string, HistoryRecorder<unknown, unknown>>();
  const acknowledged = new Map<string, string[]>();
  const recorder = (key: string): HistoryRecorder<unknown, unknown> => {
    let r = recorders.get(key);
    if (r === undefined) {
      r = new HistoryRecorder<unknown, unknown>();
      recorders.set(key, r);
    }
    return r;
  };
  const latenciesMs: number[] = [];
  let ok = 0;
  let timeouts = 0;
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  let writeCounter = 0;
  const worker = async (client: ClusterClient, index: number): Promise<void> => {
    const rnd = mulberry32(options.seed * 1000 + index);
    // One process id per client and per key: a client never has two operations pending on one key.
    while (performance.now() < deadline) {
      const key = `k${Math.floor(rnd() * options.keys)}`;
      const roll = rnd();
      const h = recorder(key);
      const start = performance.now() - t0;
      if (roll < 0.45) {
        const handle = h.invoke(client.id, "read", null, start);
        const r = await client.get(key);
        const end = performance.now() - t0;
        if (r.kind === "ok") {
          ok++;
          latenciesMs.push(end - start);
          h.ok(handle, r.value, end);
        } else {
          timeouts++;
          h.info(handle, end);
        }
      } else if (!options.cas || roll < 0.85) {
        const value = `${client.id}:${++writeCounter}`;
        const handle = h.invoke(client.id, "write", value, start);
        const r = await client.put(key, value);
        const end = performance.now() - t0;
        if (r.kind === "ok") {
          ok++;
          latenciesMs.push(end - start);
          h.ok(handle, undefined, end);
          acknowledged.set(key, [...(acknowledged.get(key) ?? []), value]);
        } else {
          timeouts++;
          h.info(handle, end);
        }
      } else {
        // cas from the value this client last read of the key (or absent).
        const seen = await client.get(key);
        const from = seen.kind === "ok" ? seen.value : null;
        const value = `${client.id}:${++writeCounter}`;
        const s2 = performance.now() - t0;
        const handle = h.invoke(client.id, "cas", [from, value], s2);
        const r = await client.cas(key, from, value);
        const end = performance.now() - t0;
        if (r.kind === "ok" && !r.casFailed) {
          ok++;
          latenciesMs.push(end - s2);
          h.ok(handle, undefined, end);
          acknowledged.set(key, [...(acknowledged.get(key) ?? []), value]);
        } else if (r.kind === "ok") {
          ok++;
          h.fail(handle, undefined, end);
        } else {
          timeouts++;
          h.info(handle, end);
        }
      }
    }
  };
  await Promise.all([...options.clients.map((c, i) => worker(c, i)), during()]);
  return { t0, recorders, ok, timeouts, latenciesMs, acknowledged };
}

/** Reads every key once more after the load (through `client`) and records the reads. */
export async function finalReads(
  result: LoadResult,
  client: ClusterClient,
): Promise<Map<string, string | null>> {
  const t0 = result.t0;
  const out = new Map<string, string | null>();
  for (const [key, h] of result.recorders) {
    const start = performance.now() - t0;
    const handle = h.invoke("final", "read", null, start);
    const r = await client.get(key);
    if (r.kind !== "ok") throw new Error(`final read of ${key} timed out`);
    h.ok(handle, r.value, performance.now() - t0);
    out.set(key, r.value);
  }
  return out;
}

/** Checks every key's history as a register (linearizability is local: per key is enough). */
export function checkAllKeys(result: LoadResult): { verdict: string; key?: string; explanation?: string } {
  for (const [key, h] of result.recorders) {
    const r = checkLinearizable(h.history(), registerModel({ initial: null }));
    if (r.verdict !== "linearizable") {
      return { verdict: r.verdict, key, explanation: "explanation" in r ? String(r.explanation) : "" };
    }
  }
  return { verdict: "linearizable" };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
