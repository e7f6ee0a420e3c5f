import { Simulation } from "@distkit/sim-net";
import type { LinkConfig } from "@distkit/sim-net";
import { ReplicaNode, ReplicationClient, type ReplicaConfig } from "../src/index.js";

export interface Cluster {
  readonly sim: Simulation;
  readonly config: ReplicaConfig;
  replica(id: string): ReplicaNode;
  client(id: string): ReplicationClient;
}

export function singleLeaderCluster(
  config: ReplicaConfig,
  options: {
    readonly seed?: number;
    readonly clients?: readonly string[];
    readonly network?: Partial<LinkConfig>;
    readonly requestTimeoutMs?: number;
    readonly extraNodes?: (sim: Simulation) => void;
  } = {},
): Cluster {
  const sim = new Simulation({
    seed: options.seed ?? 1,
    network: options.network ?? { latency: { kind: "constant", ms: 1 } },
    trace: "off",
  });
  options.extraNodes?.(sim);
  for (const id of config.replicas) sim.addNode(id, (ctx) => new ReplicaNode(ctx, config));
  for (const id of options.clients ?? ["c1"]) {
    sim.addNode(
      id,
      (ctx) =>
        new ReplicationClient(ctx, {
          leader: config.initialLeader,
          requestTimeoutMs: options.requestTimeoutMs ?? 2000,
        }),
    );
  }
  return {
    sim,
    config,
    replica: (id) => sim.node<ReplicaNode>(id).instance,
    client: (id) => sim.node<ReplicationClient>(id).instance,
  };
}

/** Converts client operations to a @distkit/check history (kv model: put/get). */
import { HistoryRecorder } from "@distkit/check";
import type { ClientOperation } from "../src/index.js";

export function toHistory(ops: readonly ClientOperation[]) {
  const sorted = [...ops].sort((a, b) => a.callMs - b.callMs);
  // Each client runs one operation at a time, so invoke/complete pairs never overlap per process.
  const events: { t: number; kind: 0 | 1; op: ClientOperation; idx: number }[] = [];
  sorted.forEach((op, idx) => {
    events.push({ t: op.callMs, kind: 0, op, idx });
    if (op.status !== "info") events.push({ t: op.returnMs, kind: 1, op, idx });
  });
  events.sort((a, b) => a.t - b.t || b.kind - a.kind || a.idx - b.idx);
  const rec = new HistoryRecorder<{ key: string; value?: unknown }, unknown>();
  const handles = new Map<number, ReturnType<typeof rec.invoke>>();
  let infoProcess = 0;
  for (const e of events) {
    const { op } = e;
    if (e.kind === 0) {
      // An info operation never completes: give it its own process so its client may go on.
      const process = op.status === "info" ? `${op.client}#info${infoProcess++}` : op.client;
      const input = op.f === "write" ? { key: op.key, value: op.input } : { key: op.key };
      handles.set(e.idx, rec.invoke(process, op.f === "write" ? "put" : "get", input, op.callMs));
    } else {
      const h = handles.get(e.idx)!;
      if (op.status === "ok") rec.ok(h, op.f === "read" ? op.output : undefined, op.returnMs);
      else rec.fail(h, undefined, op.returnMs);
    }
  }
  return rec.history();
}

/** Runs `count` operations one after another on a client: `next(i)` issues op i and calls done. */
export function sequential(
  sim: Simulation,
  startMs: number,
  count: number,
  gapMs: number,
  next: (i: number, done: () => void) => void,
): void {
  let i = 0;
  const step = (): void => {
    if (i >= count) return;
    const n = i++;
    next(n, () => sim.schedule(gapMs, step));
  };
  sim.schedule(startMs, step);
}
