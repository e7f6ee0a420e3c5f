import { HistoryRecorder } from "@distkit/check";
import { type LinkConfig, Simulation } from "@distkit/sim-net";
import {
  buildShardedCluster,
  type ConfigServer,
  type RoutingStyle,
  type ShardClient,
  type ShardedCluster,
  type ShardedClusterOptions,
  type ShardServer,
} from "../src/index.js";

export interface WorkloadOptions {
  readonly clients: readonly string[];
  readonly untilMs: number;
  readonly keys: readonly string[];
  readonly readRatio?: number;
  readonly thinkMs?: number;
}

export interface Workload {
  readonly recorder: HistoryRecorder;
  /** Append tokens acknowledged (ok), and those with unknown outcome. */
  readonly acked: Map<string, string[]>;
  readonly unknown: Map<string, string[]>;
  readonly latencies: number[];
  readonly errors: Map<string, number>;
  done(): boolean;
}

export function makeCluster(
  seed: number,
  options: ShardedClusterOptions,
  network: Partial<LinkConfig> = { latency: { kind: "uniform", minMs: 1, maxMs: 3 } },
): ShardedCluster {
  const sim = new Simulation({ seed, network, trace: "off" });
  return buildShardedCluster(sim, options);
}

export function addClients(c: ShardedCluster, style: RoutingStyle, count: number, prefix = "c"): string[] {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}${i}`;
    c.addClient(id, style);
    ids.push(id);
  }
  return ids;
}

/** Each client loops: get (readRatio) or append of a unique token, recording a kv history. */
export function startWorkload(c: ShardedCluster, o: WorkloadOptions): Workload {
  const sim = c.sim;
  const recorder = new HistoryRecorder();
  const acked = new Map<string, string[]>();
  const unknown = new Map<string, string[]>();
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let active = o.clients.length;
  let token = 0;
  for (const id of o.clients) {
    const loop = () => {
      if (sim.nowMs >= o.untilMs) {
        active--;
        return;
      }
      const ref = sim.node<ShardClient>(id);
      if (ref.status !== "up") {
        sim.schedule(20, loop);
        return;
      }
      const client = ref.instance;
      const rnd = ((token * 2654435761) >>> 0) / 4294967296;
      const key = o.keys[token % o.keys.length]!;
      const read = rnd < (o.readRatio ?? 0.4);
      const tok = `${id}.${token++};`;
      const started = sim.nowMs;
      const h = read
        ? recorder.invoke(id, "get", { key }, started)
        : recorder.invoke(id, "append", { key, value: tok }, started);
      client.submit(read ? { kind: "get", key } : { kind: "append", key, value: tok }, (r) => {
        const now = sim.nowMs;
        latencies.push(now - started);
        if (r.kind === "ok") {
          if (read) recorder.ok(h, r.outcome.value ?? "", now);
          else {
            recorder.ok(h, undefined, now);
            acked.set(key, [...(acked.get(key) ?? []), tok]);
          }
        } else {
          errors.set(r.kind, (errors.get(r.kind) ?? 0) + 1);
          if (read) recorder.fail(h, undefined, now);
          else {
            recorder.info(h, now);
            unknown.set(key, [...(unknown.get(key) ?? []), tok]);
          }
        }
        sim.schedule(o.thinkMs ?? 2, loop);
      });
    };
    sim.schedule(1, loop);
  }
  return { recorder, acked, unknown, latencies, errors, done: () => active === 0 };
}

/** The value of `key` at its owner's leader (per the config map), after quiescence. */
export function finalValue(c: ShardedCluster, key: string): string | undefined {
  const cfg = c.configState();
  if (cfg === undefined) return undefined;
  const shard = cfg.state.map.shardForKey(key);
  const leader = c.shardLeader(shard);
  if (leader === undefined) return undefined;
  const sm = c.sim.node<ShardServer>(leader).instance.state;
  const owned = sm.ownedIntervals();
  return sm.peek(key) ?? (owned.length >= 0 ? "" : undefined);
}

/** Checks every acknowledged append appears exactly once, and no token more than once. */
export function auditAppends(
  c: ShardedCluster,
  w: Workload,
): { lost: string[]; duplicated: string[]; keys: number } {
  const lost: string[] = [];
  const duplicated: string[] = [];
  const keys = new Set([...w.acked.keys(), ...w.unknown.keys()]);
  for (const key of keys) {
    const v = finalValue(c, key);
    if (v === undefined) throw new Error(`no leader to read ${key} from`);
    const tokens = v.split(";").filter((t) => t.length > 0);
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of w.acked.get(key) ?? []) if (!counts.has(t.slice(0, -1))) lost.push(`${key}:${t}`);
    for (const [t, n] of counts) if (n > 1) duplicated.push(`${key}:${t}x${n}`);
  }
  return { lost, duplicated, keys: keys.size };
}

export function configOf(c: ShardedCluster): ConfigServer {
  const s = c.configState();
  if (s === undefined) throw new Error("no config replica running");
  return s;
}

export function keysFor(n: number, prefix = "k"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** Ownership agreement after quiescence: every range of the config map is served by its owner only. */
export function ownershipProblems(c: ShardedCluster): string[] {
  const problems: string[] = [];
  const cfg = configOf(c);
  const map = cfg.state.map;
  const pending = cfg.state.pendingMigrations();
  if (pending.length > 0) problems.push(`pending migrations: ${pending.map((m) => m.id).join(",")}`);
  const owned = new Map<string, { start: string; end: string | null; state: string }[]>();
  for (const s of c.shardIds) {
    const leader = c.shardLeader(s);
    if (leader === undefined) {
      problems.push(`shard ${s} has no leader`);
      continue;
    }
    const sm = c.sim.node<ShardServer>(leader).instance.state;
    owned.set(s, [...sm.ownedIntervals()]);
    if (sm.incomingMigrations().length > 0) problems.push(`${s} has incoming migrations left`);
    if (sm.outgoingMigrations().length > 0) problems.push(`${s} has outgoing migrations left`);
  }
  for (const r of map.ranges) {
    for (const [s, intervals] of owned) {
      const covers = intervals.some(
        (i) => i.start <= r.start && (i.end === null || (r.end !== null && r.end <= i.end)),
      );
      const overlaps = intervals.some(
        (i) => (i.end === null || r.start < i.end) && (r.end === null || i.start < r.end),
      );
      if (s === r.shard && !covers)
        problems.push(`${s} should own ${r.id} [${r.start}, ${r.end}) but does not`);
      if (s !== r.shard && overlaps) problems.push(`${s} owns part of ${r.id} (owner ${r.shard})`);
    }
  }
  return problems;
}
