/**
 * Builds a sharded replicated cluster inside a {@link Simulation}: a config-service Raft group holding the
 * versioned map, N shard Raft groups, routers, an admin node, and any number of clients of each routing
 * style. Shards can be added live (their group starts empty; the map is told, and migrations fill it).
 * @module
 */
import type { Message, NodeContext, NodeId, Simulation, SimNode } from "@distkit/sim-net";
import { ShardClient, type ShardClientOptions, type RoutingStyle } from "./client.js";
import { type BalancerHook, ConfigServer } from "./config-server.js";
import type { ConfigCommand, ConfigResult } from "./config-state.js";
import { ShardingError } from "./errors.js";
import { GroupCaller } from "./group-caller.js";
import type { PartitionScheme } from "./position.js";
import type { RaftHostOptions } from "./raft-host.js";
import { RouterNode } from "./router.js";
import { ShardMap, type ShardId } from "./shard-map.js";
import { ShardServer, type ShardServerOptions } from "./shard-server.js";

/**
 * A node that sends admin commands (split, merge, move, add shard) to the config service.
 *
 * @example
 * ```ts
 * import { AdminNode } from "@distkit/sharding";
 * // const admin = sim.addNode("admin", (ctx) => new AdminNode(ctx, ["cfg1", "cfg2", "cfg3"]));
 * // admin.instance.run({ type: "split", rangeId: "r1", at: "m" }, (r) => console.log(r));
 * ```
 */
export class AdminNode implements SimNode<Message> {
  private readonly caller: GroupCaller;
  private readonly configReplicas: readonly NodeId[];

  /** @param configReplicas - the config service's replicas */
  constructor(ctx: NodeContext<Message>, configReplicas: readonly NodeId[]) {
    this.caller = new GroupCaller(ctx, { attemptTimeoutMs: 50, callBudgetMs: 2000 });
    this.configReplicas = configReplicas;
  }

  /**
   * Sends a command; `done` gets the result, or `null` when the service was unreachable.
   * @example `admin.run({ type: "get" }, (r) => {})`
   */
  run(command: ConfigCommand, done: (r: ConfigResult | null) => void): void {
    this.caller.call<ConfigResult>(
      "cfg",
      this.configReplicas,
      (reqId) => ({ type: "cfg.req", reqId, command }),
      (o) => done(o.kind === "reply" ? o.result : null),
    );
  }

  /** Handles replies. */
  onMessage(from: NodeId, m: Message): void {
    this.caller.handle(from, m);
  }
}

/**
 * Options of {@link buildShardedCluster}.
 *
 * @example
 * ```ts
 * import type { ShardedClusterOptions } from "@distkit/sharding";
 * const o: ShardedClusterOptions = { scheme: { kind: "slots" }, shards: 3 };
 * ```
 */
export interface ShardedClusterOptions {
  readonly scheme: PartitionScheme;
  /** Shards in the initial map (ids s1..sN). */
  readonly shards: number;
  /** Replicas per shard group. Default 3. */
  readonly replicasPerShard?: number;
  /** Config-service replicas. Default 3. */
  readonly configReplicas?: number;
  /** Central routers (r1..rN). Default 2. */
  readonly routers?: number;
  /** Ranges per shard in the initial map (hashed and slot schemes). Default 1. */
  readonly rangesPerShard?: number;
  /** Initial split points (key ranges). */
  readonly splitPoints?: readonly string[];
  /** A balancer run by the config leader. */
  readonly balancer?: BalancerHook;
  readonly balancerIntervalMs?: number;
  /** Raft tunables of every group. */
  readonly raft?: Omit<RaftHostOptions, "voters">;
  /** Shard server tunables. */
  readonly shard?: Partial<
    Omit<ShardServerOptions, "shard" | "replicas" | "configReplicas" | "scheme" | "initial">
  >;
}

/**
 * A cluster built by {@link buildShardedCluster}.
 *
 * @example
 * ```ts
 * import { buildShardedCluster } from "@distkit/sharding";
 * import { Simulation } from "@distkit/sim-net";
 * const c = buildShardedCluster(new Simulation({ seed: 1 }), { scheme: { kind: "slots" }, shards: 3 });
 * c.shardIds; // ["s1", "s2", "s3"]
 * ```
 */
export interface ShardedCluster {
  readonly sim: Simulation;
  readonly initialMap: ShardMap;
  readonly scheme: PartitionScheme;
  /** Shard ids started so far (initial and added). */
  readonly shardIds: ShardId[];
  readonly shardReplicas: Map<ShardId, readonly NodeId[]>;
  readonly configReplicas: readonly NodeId[];
  readonly routers: readonly NodeId[];
  readonly adminId: NodeId;
  /** Every shard replica started so far. */
  allShardNodes(): NodeId[];
  /** Adds a client node of the given style. */
  addClient(id: NodeId, style: RoutingStyle, options?: Partial<ShardClientOptions>): void;
  /** Starts the nodes of a new, empty shard group and registers it with the config service. */
  addShard(id: ShardId, done?: (r: ConfigResult | null) => void): readonly NodeId[];
  /** Sends an admin command. */
  admin(command: ConfigCommand, done?: (r: ConfigResult | null) => void): void;
  /** The current leader of a shard group (a running replica that leads), if any. */
  shardLeader(id: ShardId): NodeId | undefined;
  /** The config leader, if any. */
  configLeader(): NodeId | undefined;
  /** The config state of a running config replica with the highest applied index. */
  configState(): ConfigServer | undefined;
}

/**
 * Builds a sharded cluster in `sim`: config replicas cfg1..3, shards s1..sN with replicas `s1a, s1b, s1c`,
 * routers r1..rN and an admin node.
 *
 * @throws {@link ShardingError} on bad counts
 * @example
 * ```ts
 * import { buildShardedCluster } from "@distkit/sharding";
 * import { Simulation } from "@distkit/sim-net";
 * const sim = new Simulation({ seed: 1, network: { latency: { kind: "uniform", minMs: 1, maxMs: 3 } } });
 * const c = buildShardedCluster(sim, { scheme: { kind: "slots" }, shards: 3 });
 * c.addClient("c1", "router");
 * sim.runFor(500);
 * sim.node<import("@distkit/sharding").ShardClient>("c1").instance.submit({ kind: "put", key: "x", value: "1" }, () => {});
 * ```
 */
export function buildShardedCluster(sim: Simulation, options: ShardedClusterOptions): ShardedCluster {
  const n = options.shards;
  const rps = options.replicasPerShard ?? 3;
  const ncfg = options.configReplicas ?? 3;
  const nrt = options.routers ?? 2;
  for (const [name, v, min] of [
    ["shards", n, 1],
    ["replicasPerShard", rps, 1],
    ["configReplicas", ncfg, 1],
    ["routers", nrt, 0],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < min || v > 100)
      throw new ShardingError("invalid-argument", `${name} must be an integer in [${min}, 100], got ${v}`);
  }
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const replicasOf = (s: ShardId) => Array.from({ length: rps }, (_, i) => `${s}${letters[i] ?? String(i)}`);
  const shardIds = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const configReplicas = Array.from({ length: ncfg }, (_, i) => `cfg${i + 1}`);
  const routers = Array.from({ length: nrt }, (_, i) => `r${i + 1}`);
  const initialMap = ShardMap.create({
    scheme: options.scheme,
    shards: shardIds.map((id) => ({ id, replicas: replicasOf(id) })),
    ...(options.splitPoints === undefined ? {} : { splitPoints: options.splitPoints }),
    ...(options.rangesPerShard === undefined ? {} : { rangesPerShard: options.rangesPerShard }),
  });
  const shardReplicas = new Map<ShardId, readonly NodeId[]>();
  const startShard = (id: ShardId, initial: ShardServerOptions["initial"]) => {
    const replicas = replicasOf(id);
    shardReplicas.set(id, replicas);
    for (const r of replicas) {
      sim.addNode(
        r,
        (ctx: NodeContext<Message>) =>
          new ShardServer(ctx, {
            ...options.shard,
            shard: id,
            replicas,
            configReplicas,
            scheme: initialMap.scheme,
            initial,
            ...(options.raft === undefined ? {} : { raft: options.raft }),
          }),
      );
    }
    return replicas;
  };
  for (const r of configReplicas) {
    sim.addNode(
      r,
      (ctx: NodeContext<Message>) =>
        new ConfigServer(ctx, {
          replicas: configReplicas,
          initialMap,
          ...(options.raft === undefined ? {} : { raft: options.raft }),
          ...(options.balancer === undefined ? {} : { balancer: options.balancer }),
          ...(options.balancerIntervalMs === undefined
            ? {}
            : { balancerIntervalMs: options.balancerIntervalMs }),
        }),
    );
  }
  for (const id of shardIds) {
    startShard(
      id,
      initialMap.rangesOf(id).map((r) => ({ start: r.start, end: r.end, epoch: r.epoch })),
    );
  }
  for (const r of routers) {
    sim.addNode(
      r,
      (ctx: NodeContext<Message>) => new RouterNode(ctx, { scheme: initialMap.scheme, configReplicas }),
    );
  }
  const adminId = "admin";
  sim.addNode(adminId, (ctx: NodeContext<Message>) => new AdminNode(ctx, configReplicas));
  const started = [...shardIds];
  const running = (id: NodeId) => sim.node(id).status === "up";
  const cluster: ShardedCluster = {
    sim,
    initialMap,
    scheme: initialMap.scheme,
    shardIds: started,
    shardReplicas,
    configReplicas,
    routers,
    adminId,
    allShardNodes: () => [...shardReplicas.values()].flat(),
    addClient(id, style, extra = {}) {
      sim.addNode(
        id,
        (ctx: NodeContext<Message>) =>
          new ShardClient(ctx, {
            style,
            scheme: initialMap.scheme,
            routers,
            configReplicas,
            shardNodes: cluster.allShardNodes(),
            ...extra,
          }),
      );
    },
    addShard(id, done) {
      if (shardReplicas.has(id))
        throw new ShardingError("duplicate-shard", `shard ${id} was already started`);
      const replicas = startShard(id, []);
      started.push(id);
      cluster.admin({ type: "add-shard", id, replicas }, done);
      return replicas;
    },
    admin(command, done) {
      sim.node<AdminNode>(adminId).instance.run(command, done ?? (() => {}));
    },
    shardLeader(id) {
      return (shardReplicas.get(id) ?? []).find(
        (r) => running(r) && sim.node<ShardServer>(r).instance.isLeader,
      );
    },
    configLeader() {
      return configReplicas.find((r) => running(r) && sim.node<ConfigServer>(r).instance.host.isLeader);
    },
    configState() {
      let best: ConfigServer | undefined;
      for (const r of configReplicas) {
        if (!running(r)) continue;
        const s = sim.node<ConfigServer>(r).instance;
        if (best === undefined || s.host.core.appliedIndex > best.host.core.appliedIndex) best = s;
      }
      return best;
    },
  };
  return cluster;
}
