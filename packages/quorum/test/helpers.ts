import { HashRing } from "@distkit/hashing";
import { type LinkConfig, type NodeRef, Simulation } from "@distkit/sim-net";
import {
  type Json,
  kvCheckEvents,
  partitionerPlacement,
  type PlacementStrategy,
  QuorumClient,
  type QuorumClientConfig,
  QuorumNode,
  type QuorumNodeConfig,
} from "../src/index.js";

/** Consistent-hashing ring with virtual nodes, from @distkit/hashing. */
export function testPlacement(members: readonly string[]): PlacementStrategy {
  return partitionerPlacement(HashRing.create(members));
}

export interface Cluster<S extends Json> {
  readonly sim: Simulation;
  readonly nodes: NodeRef<QuorumNode<S>>[];
  readonly clients: NodeRef<QuorumClient>[];
  readonly placement: PlacementStrategy;
}

export interface ClusterOptions<S extends Json> {
  readonly seed?: number;
  readonly nodes?: number;
  readonly clients?: number;
  readonly network?: Partial<LinkConfig>;
  readonly trace?: "full" | "off" | "digest";
  readonly placement?: (members: string[]) => PlacementStrategy;
  readonly node: Omit<QuorumNodeConfig<S>, "placement">;
  readonly client?: Omit<QuorumClientConfig, "placement">;
  /** Clock offset (ms) of each store node, by index (clients keep true time, so histories stay comparable). */
  readonly clockOffsetsMs?: readonly number[];
}

export function makeCluster<S extends Json>(opts: ClusterOptions<S>): Cluster<S> {
  const ids = Array.from({ length: opts.nodes ?? 5 }, (_, i) => `n${i + 1}`);
  const placement = (opts.placement ?? testPlacement)(ids);
  const sim = new Simulation({
    seed: opts.seed ?? 1,
    network: opts.network ?? { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } },
    trace: opts.trace ?? "off",
  });
  const nodes = ids.map((id, i) =>
    sim.addNode(id, (ctx) => new QuorumNode<S>(ctx, { ...opts.node, placement }), {
      clock: { offsetMs: opts.clockOffsetsMs?.[i] ?? 0 },
    }),
  );
  const clients = Array.from({ length: opts.clients ?? 1 }, (_, i) =>
    sim.addNode(
      `c${i + 1}`,
      (ctx) => new QuorumClient(ctx, { n: opts.node.n ?? 3, ...opts.client, placement }),
    ),
  );
  return { sim, nodes, clients, placement };
}

/** A small seeded PRNG for test drivers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOptions {
  readonly opsPerClient: number;
  readonly keys: readonly string[];
  readonly readRatio: number;
  readonly thinkMs: number;
  readonly seed: number;
  readonly put?: import("../src/index.js").PutOptions;
  readonly get?: import("../src/index.js").RequestOptions;
}

/** Each client runs its operations one after the other (a Jepsen process), with random think times. */
export function driveClients<S extends Json>(cluster: Cluster<S>, opts: WorkloadOptions): void {
  const next = rng(opts.seed);
  for (const ref of cluster.clients) {
    let done = 0;
    const step = (): void => {
      if (done >= opts.opsPerClient) return;
      done++;
      const key = opts.keys[Math.floor(next() * opts.keys.length)] as string;
      const after = (): void => cluster.sim.schedule(next() * opts.thinkMs, step);
      if (next() < opts.readRatio) ref.instance.get(key, opts.get ?? {}, after);
      else ref.instance.put(key, `${ref.id}-${done}`, opts.put ?? {}, after);
    };
    cluster.sim.schedule(next() * opts.thinkMs, step);
  }
}

/** The clients' histories merged in time order, as @distkit/check kv-model events (put/get). */
export function checkEvents<S extends Json>(
  cluster: Cluster<S>,
  extra: readonly NodeRef<QuorumClient>[] = [],
): import("@distkit/check").HistoryEvent[] {
  return kvCheckEvents([...cluster.clients, ...extra].map((c) => c.instance.history));
}

/**
 * A seeded random fault schedule over the store nodes until `untilMs`: two-way partitions, heals, crashes
 * (at most `maxDown` nodes down at once) and restarts, one event every 40 to 160 ms; at `untilMs`
 * everything heals and restarts. Returns a count of the faults applied, by kind.
 */
export function randomFaults<S extends Json>(
  cluster: Cluster<S>,
  seed: number,
  untilMs: number,
  maxDown: number,
): { partitions: number; crashes: number } {
  const { sim, nodes } = cluster;
  const next = rng(seed * 7919 + 13);
  const ids = nodes.map((n) => n.id);
  const down = new Set<string>();
  const counts = { partitions: 0, crashes: 0 };
  for (let t = 30; t < untilMs; t += 40 + next() * 120) {
    const roll = next();
    sim.schedule(t, () => {
      if (roll < 0.35) {
        const order = [...ids].sort(() => next() - 0.5);
        const cut = 1 + Math.floor(next() * (ids.length - 1));
        sim.partition(order.slice(0, cut), order.slice(cut));
        counts.partitions++;
      } else if (roll < 0.55) {
        sim.heal();
      } else if (roll < 0.8) {
        const id = ids[Math.floor(next() * ids.length)] as string;
        if (down.size < maxDown && !down.has(id)) {
          down.add(id);
          sim.crash(id);
          counts.crashes++;
        }
      } else {
        const id = [...down][0];
        if (id !== undefined) {
          down.delete(id);
          sim.restart(id);
        }
      }
    });
  }
  sim.schedule(untilMs, () => {
    sim.heal();
    for (const id of down) sim.restart(id);
    down.clear();
  });
  return counts;
}
