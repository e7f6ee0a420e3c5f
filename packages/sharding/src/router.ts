/**
 * A central router node (MongoDB's mongos, Vitess's vtgate): clients send it operations, it routes them
 * with its cached map (refreshed from the config service on `stale-config` / `wrong-shard`), and answers.
 * When the config service is unreachable it keeps serving from the cached map.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import { Dispatcher, type DispatcherOptions } from "./dispatcher.js";
import { type ShardingMessage, sendMessage } from "./protocol.js";

/**
 * Options of a {@link RouterNode}.
 *
 * @example
 * ```ts
 * import type { RouterOptions } from "@distkit/sharding";
 * const o: RouterOptions = { scheme: { kind: "slots" }, configReplicas: ["cfg1", "cfg2", "cfg3"] };
 * ```
 */
export type RouterOptions = Omit<DispatcherOptions, "source" | "seedNodes">;

/**
 * A central router.
 *
 * @example
 * ```ts
 * import { RouterNode } from "@distkit/sharding";
 * // sim.addNode("r1", (ctx) => new RouterNode(ctx, { scheme, configReplicas }));
 * ```
 */
export class RouterNode implements SimNode<Message> {
  readonly dispatcher: Dispatcher;
  private readonly ctx: NodeContext<Message>;
  /** Client requests received. */
  requestsReceived = 0;

  /** Builds the router (its map cache starts empty and is fetched on start). */
  constructor(ctx: NodeContext<Message>, options: RouterOptions) {
    this.ctx = ctx;
    this.dispatcher = new Dispatcher(ctx, { ...options, source: "config", seedNodes: [] });
  }

  /** Fetches the map. */
  onStart(): void {
    this.dispatcher.refresh(() => {});
  }

  /** Handles client requests and replies from groups. */
  onMessage(from: NodeId, m: Message): void {
    if (this.dispatcher.handle(from, m)) return;
    const msg = m as ShardingMessage;
    if (msg.type !== "rt.req") return;
    this.requestsReceived++;
    this.dispatcher.submit(msg.clientId, msg.seq, msg.op, (result) => {
      sendMessage(this.ctx, from, { type: "rt.res", clientId: msg.clientId, seq: msg.seq, result });
    });
  }
}
