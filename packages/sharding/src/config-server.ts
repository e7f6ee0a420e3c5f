/**
 * One replica of the config service: a {@link RaftHost} running the {@link ConfigStateMachine}. Every
 * request, reads included, goes through the log, so answers are linearizable. The leader can run a
 * balancer that proposes migrations (none start while the service has no leader).
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import {
  type ConfigCommand,
  type ConfigResult,
  type ConfigSnapshot,
  ConfigStateMachine,
} from "./config-state.js";
import { type ShardingMessage, sendMessage } from "./protocol.js";
import { isRaftMessage, RaftHost, type RaftHostOptions } from "./raft-host.js";
import type { ShardMap } from "./shard-map.js";

/**
 * A balancer's decision hook: given the current map and the pending migrations, the commands to propose
 * now (for example one `start-migration`).
 *
 * @example
 * ```ts
 * import type { BalancerHook } from "@distkit/sharding";
 * const never: BalancerHook = () => [];
 * ```
 */
export type BalancerHook = (state: ConfigStateMachine, nowMs: number) => readonly ConfigCommand[];

/**
 * Options of a {@link ConfigServer}.
 *
 * @example
 * ```ts
 * import type { ConfigServerOptions } from "@distkit/sharding";
 * ```
 */
export interface ConfigServerOptions {
  readonly replicas: readonly NodeId[];
  /** The bootstrap map. */
  readonly initialMap: ShardMap;
  readonly raft?: Omit<RaftHostOptions, "voters">;
  /** Runs on the leader every `balancerIntervalMs`; default none. */
  readonly balancer?: BalancerHook;
  /** Default 200 ms. */
  readonly balancerIntervalMs?: number;
}

/**
 * A config-service replica node.
 *
 * @example
 * ```ts
 * import { ConfigServer } from "@distkit/sharding";
 * // sim.addNode("cfg1", (ctx) => new ConfigServer(ctx, { replicas: ["cfg1", "cfg2", "cfg3"], initialMap: map }));
 * ```
 */
export class ConfigServer implements SimNode<Message> {
  readonly host: RaftHost<ConfigCommand, ConfigResult>;
  private readonly ctx: NodeContext<Message>;
  private readonly options: ConfigServerOptions;
  /** Requests served as leader. */
  requestsServed = 0;
  /** Balancer commands proposed. */
  balancerProposals = 0;

  /** Builds the replica; state is recovered from `ctx.storage`. */
  constructor(ctx: NodeContext<Message>, options: ConfigServerOptions) {
    this.ctx = ctx;
    this.options = options;
    this.host = new RaftHost<ConfigCommand, ConfigResult>(
      ctx,
      { ...options.raft, voters: options.replicas },
      (snap) =>
        snap === null
          ? new ConfigStateMachine(options.initialMap)
          : ConfigStateMachine.fromSnapshot(snap as ConfigSnapshot),
    );
  }

  /** The config state machine of this replica. @example `server.state.map.version` */
  get state(): ConfigStateMachine {
    return this.host.stateMachine as ConfigStateMachine;
  }

  /** Starts Raft and the balancer loop. */
  onStart(): void {
    this.host.start();
    const balancer = this.options.balancer;
    if (balancer === undefined) return;
    const every = this.options.balancerIntervalMs ?? 200;
    const tick = () => {
      if (this.host.isLeader && this.host.core.committedInTerm()) {
        for (const c of balancer(this.state, this.ctx.now())) {
          this.balancerProposals++;
          this.host.propose(c, (o) => {
            if (o.kind === "applied" && o.result.kind === "rejected")
              this.ctx.log(`balancer: ${o.result.message}`);
          });
        }
      }
      this.ctx.setTimer(every, tick, "balancer");
    };
    this.ctx.setTimer(every, tick, "balancer");
  }

  /** Handles Raft and config requests. */
  onMessage(from: NodeId, m: Message): void {
    if (isRaftMessage(m)) {
      this.host.step(from, m);
      return;
    }
    const msg = m as ShardingMessage;
    if (msg.type !== "cfg.req") return;
    if (!this.host.isLeader) {
      sendMessage(this.ctx, from, {
        type: "cfg.res",
        reqId: msg.reqId,
        reply: { kind: "notLeader", leaderHint: this.host.leaderHint },
      });
      return;
    }
    this.requestsServed++;
    this.host.propose(msg.command, (o) => {
      const reply =
        o.kind === "applied"
          ? { kind: "result" as const, result: o.result }
          : o.kind === "notLeader"
            ? { kind: "notLeader" as const, leaderHint: o.leaderHint }
            : { kind: "unavailable" as const, reason: o.kind === "dropped" ? o.reason : "lost" };
      sendMessage(this.ctx, from, { type: "cfg.res", reqId: msg.reqId, reply });
    });
  }
}
