/**
 * Trace events: plain data describing everything that happened in a run.
 *
 * @module
 */
import type { Message, NodeId } from "./contract.js";

/**
 * Why a message was not delivered.
 *
 * - `loss`: the link's `lossRate` fault.
 * - `partition`: the link was cut (at send time or while the message was in flight).
 * - `crashed`: the receiver was crashed when the message arrived (or crashed while holding it).
 * - `clogged`: the link was clogged and its buffer was full (`maxHeldPerLink`).
 *
 * @example
 * ```ts
 * const reason: DropReason = "partition";
 * ```
 */
export type DropReason = "loss" | "partition" | "crashed" | "clogged";

/**
 * One entry of a simulation trace. Times are true time in ms. Every event is plain data; messages are
 * the very objects that were sent.
 *
 * @example
 * ```ts
 * sim.onEvent((event: TraceEvent) => {
 *   if (event.kind === "drop") console.log(`${event.from}->${event.to} dropped: ${event.reason}`);
 * });
 * ```
 */
export type TraceEvent =
  | {
      readonly kind: "send";
      readonly atMs: number;
      readonly msgId: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly message: Message;
    }
  | {
      readonly kind: "deliver";
      readonly atMs: number;
      readonly msgId: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly sentAtMs: number;
      readonly message: Message;
    }
  | {
      readonly kind: "drop";
      readonly atMs: number;
      readonly msgId: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly sentAtMs: number;
      readonly reason: DropReason;
    }
  | {
      readonly kind: "duplicate";
      readonly atMs: number;
      readonly msgId: number;
      readonly from: NodeId;
      readonly to: NodeId;
    }
  | {
      readonly kind: "hold";
      readonly atMs: number;
      readonly msgId: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly reason: "clogged" | "paused";
    }
  | {
      readonly kind: "timer";
      readonly atMs: number;
      readonly node: NodeId;
      readonly timerId: number;
      readonly label: string | null;
    }
  | { readonly kind: "start"; readonly atMs: number; readonly node: NodeId }
  | {
      readonly kind: "crash";
      readonly atMs: number;
      readonly node: NodeId;
      readonly unsyncedWritesLost: number;
      readonly tornWritesKept: number;
    }
  | { readonly kind: "restart"; readonly atMs: number; readonly node: NodeId }
  | { readonly kind: "pause"; readonly atMs: number; readonly node: NodeId }
  | { readonly kind: "resume"; readonly atMs: number; readonly node: NodeId }
  | { readonly kind: "partition"; readonly atMs: number; readonly groups: readonly (readonly NodeId[])[] }
  | {
      readonly kind: "partition-one-way";
      readonly atMs: number;
      readonly from: readonly NodeId[];
      readonly to: readonly NodeId[];
    }
  | { readonly kind: "isolate"; readonly atMs: number; readonly node: NodeId }
  | { readonly kind: "heal"; readonly atMs: number }
  | {
      readonly kind: "clock";
      readonly atMs: number;
      readonly node: NodeId;
      readonly offsetMs: number;
      readonly driftPpm: number;
    }
  | {
      readonly kind: "sync";
      readonly atMs: number;
      readonly node: NodeId;
      readonly writes: number;
      readonly lost: boolean;
    }
  | {
      readonly kind: "log";
      readonly atMs: number;
      readonly node: NodeId;
      readonly text: string;
      readonly data?: unknown;
    }
  | { readonly kind: "network"; readonly atMs: number; readonly config: Readonly<Record<string, unknown>> }
  | {
      readonly kind: "link";
      readonly atMs: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly config: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: "clog"; readonly atMs: number; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: "unclog"; readonly atMs: number; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: "action"; readonly atMs: number; readonly label: string | null };

/**
 * The `kind` of a {@link TraceEvent}.
 *
 * @example
 * ```ts
 * const counts = new Map<TraceEventKind, number>();
 * ```
 */
export type TraceEventKind = TraceEvent["kind"];
