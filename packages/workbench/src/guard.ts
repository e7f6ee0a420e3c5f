/**
 * The sandbox around a user's node: a node that throws, sends to an unknown node or sends something
 * that is not JSON data is reported per node, and the run goes on (the faulty call is dropped).
 *
 * @module
 */
import type { Message, NodeContext, NodeFactory, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import { jsonProblem } from "./protocol.js";
import { short } from "./workload.js";

/**
 * The kinds of node misbehaviour the workbench reports.
 *
 * - `threw`: the factory, `onStart`, `onMessage` or a timer callback threw (the call is abandoned;
 *   the node keeps running with whatever state it had).
 * - `unknown-destination`: `ctx.send` to an id that is neither a node nor a client.
 * - `invalid-message`: `ctx.send` of something that is not JSON data with a string `type`.
 * - `invalid-factory`: the factory returned something without an `onMessage` method.
 * - `malformed-reply`: a reply to a client that breaks the workload's protocol (wrong type, missing
 *   fields, unknown `in_reply_to`).
 * - `never-answers`: the node answered none of the (at least 3) client requests sent to it.
 *
 * @example
 * ```ts
 * const kind: NodeProblemKind = "threw";
 * ```
 */
export type NodeProblemKind =
  | "threw"
  | "unknown-destination"
  | "invalid-message"
  | "invalid-factory"
  | "malformed-reply"
  | "never-answers";

/**
 * One kind of misbehaviour of one node: how often, and the first occurrence.
 *
 * @example
 * ```ts
 * const p: NodeProblem = { kind: "threw", count: 3, firstAtMs: 12, detail: "TypeError: x is undefined (in onMessage of echo)" };
 * ```
 */
export interface NodeProblem {
  /** What went wrong. */
  readonly kind: NodeProblemKind;
  /** How many times. */
  readonly count: number;
  /** True time of the first occurrence (ms). */
  readonly firstAtMs: number;
  /** What happened the first time. */
  readonly detail: string;
}

/**
 * What the workbench saw of one node: client traffic and misbehaviour.
 *
 * @example
 * ```ts
 * for (const n of result.nodes) if (n.problems.length > 0) console.log(n.id, n.problems);
 * ```
 */
export interface NodeReport {
  /** The node id. */
  readonly id: NodeId;
  /** Client requests sent to it. */
  readonly requests: number;
  /** Replies it sent (ok or error). */
  readonly replies: number;
  /** Requests that got no reply in time. */
  readonly timeouts: number;
  /** Messages it sent to other nodes. */
  readonly messagesToNodes: number;
  /** Misbehaviour, one entry per kind. */
  readonly problems: readonly NodeProblem[];
}

/** @internal Mutable per-node report. */
export class NodeLedger {
  requests = 0;
  replies = 0;
  timeouts = 0;
  messagesToNodes = 0;
  readonly problems = new Map<NodeProblemKind, { count: number; firstAtMs: number; detail: string }>();
  constructor(readonly id: NodeId) {}
  problem(kind: NodeProblemKind, atMs: number, detail: string): void {
    const p = this.problems.get(kind);
    if (p === undefined) this.problems.set(kind, { count: 1, firstAtMs: atMs, detail });
    else p.count++;
  }
  report(): NodeReport {
    const problems: NodeProblem[] = [...this.problems.entries()].map(([kind, p]) => ({ kind, ...p }));
    return {
      id: this.id,
      requests: this.requests,
      replies: this.replies,
      timeouts: this.timeouts,
      messagesToNodes: this.messagesToNodes,
      problems,
    };
  }
}

function describeThrow(error: unknown, where: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${short(error, 80)}`;
  return `${text} (in ${where})`;
}

/** @internal Options of {@link guardNode}. */
export interface GuardOptions {
  readonly ledger: NodeLedger;
  readonly serverIds: readonly NodeId[];
  readonly isKnown: (id: NodeId) => boolean;
  readonly isClient: (id: NodeId) => boolean;
  readonly nowMs: () => number;
  readonly validateMessages: boolean;
  /** Called for every message the node sends to a client (to count replies). */
  readonly onReplyToClient?: (to: NodeId, message: Message) => void;
}

/**
 * @internal Wraps a user's factory: the node sees `ctx.peers` = the other cluster nodes (clients
 * excluded), and every call into it or out of it is checked.
 */
export function guardNode(
  factory: NodeFactory<Message, SimNode<Message>>,
  options: GuardOptions,
): NodeFactory {
  const { ledger } = options;
  return (ctx: NodeContext<Message>) => {
    const peers = Object.freeze(options.serverIds.filter((id) => id !== ctx.id));
    const guarded = (where: string, fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        ledger.problem("threw", options.nowMs(), describeThrow(error, where));
      }
    };
    const guardedCtx: NodeContext<Message> = {
      id: ctx.id,
      peers,
      now: () => ctx.now(),
      random: ctx.random,
      storage: ctx.storage,
      log: (text, data) => {
        try {
          ctx.log(String(text), data);
        } catch (error) {
          ledger.problem("threw", options.nowMs(), describeThrow(error, "ctx.log"));
        }
      },
      send: (to: NodeId, message: Message) => {
        if (typeof to !== "string" || !options.isKnown(to)) {
          ledger.problem(
            "unknown-destination",
            options.nowMs(),
            `send to ${short(to, 40)} (known: ${options.serverIds.join(", ")} and the clients): ${short(message, 80)}`,
          );
          return;
        }
        if (typeof message !== "object" || message === null || typeof message.type !== "string") {
          ledger.problem(
            "invalid-message",
            options.nowMs(),
            `to ${to}: a message must be an object with a string "type", got ${short(message, 80)}`,
          );
          return;
        }
        if (options.validateMessages) {
          const why = jsonProblem(message);
          if (why !== null) {
            ledger.problem("invalid-message", options.nowMs(), `to ${to} (type ${message.type}): ${why}`);
            return;
          }
        }
        if (options.isClient(to)) options.onReplyToClient?.(to, message);
        else ledger.messagesToNodes++;
        ctx.send(to, message);
      },
      setTimer: (delayMs: number, onFire: () => void, label?: string): TimerId => {
        if (typeof onFire !== "function" || typeof delayMs !== "number" || !(delayMs >= 0)) {
          ledger.problem(
            "threw",
            options.nowMs(),
            `ctx.setTimer(${short(delayMs, 20)}, ...) needs a delay >= 0 (ms) and a function`,
          );
          return -1;
        }
        return ctx.setTimer(delayMs, () => guarded(`timer ${label ?? ""}`.trim(), onFire), label);
      },
      cancelTimer: (timer: TimerId) => ctx.cancelTimer(timer),
    };
    let inner: SimNode<Message> | undefined;
    try {
      const made = factory(guardedCtx);
      if (typeof made === "object" && made !== null && typeof made.onMessage === "function") inner = made;
      else
        ledger.problem(
          "invalid-factory",
          options.nowMs(),
          `the factory returned ${short(made, 60)}; it must return an object with onMessage(from, message)`,
        );
    } catch (error) {
      ledger.problem("threw", options.nowMs(), describeThrow(error, "the node factory"));
    }
    return {
      onStart: () => {
        if (inner?.onStart !== undefined) guarded("onStart", () => inner?.onStart?.());
      },
      onMessage: (from: NodeId, message: Message) => {
        if (inner !== undefined)
          guarded(`onMessage of ${String(message?.type).slice(0, 30)}`, () =>
            inner?.onMessage(from, message),
          );
      },
      /** The user's node instance (for tests that look inside). */
      instance: () => inner,
    } as SimNode<Message>;
  };
}
