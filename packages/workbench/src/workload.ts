/**
 * What a workload is: a client generator (which requests the simulated clients send, and what the
 * replies mean) plus a checker with the workload's own rules.
 *
 * @module
 */
import type { LinearizabilityResult, Model } from "@distkit/check";
import type { NodeId, Random } from "@distkit/sim-net";
import type { Json } from "./protocol.js";

/**
 * One operation a client is about to perform: the request body (without `msg_id`, which the client
 * adds), the name and input recorded in the history, and optionally the node it must go to.
 *
 * @example
 * ```ts
 * const op: PlannedOperation = { f: "add", input: 3, request: { type: "add", delta: 3 } };
 * ```
 */
export interface PlannedOperation {
  /** The function recorded in the history (`read`, `write`, `broadcast`, ...). */
  readonly f: string;
  /** The input recorded in the history. */
  readonly input: Json;
  /** The request body; its `type` is the request type. */
  readonly request: { readonly type: string; readonly [field: string]: Json };
  /** Send it to this node (default: a node drawn at random by the client). */
  readonly node?: NodeId;
}

/**
 * How a reply decodes: the output for the history, or why the reply breaks the protocol.
 *
 * @example
 * ```ts
 * const d: Decoded = { ok: true, output: 5 };
 * ```
 */
export type Decoded =
  | { readonly ok: true; readonly output: Json }
  | { readonly ok: false; readonly reason: string };

/**
 * One operation as the workbench recorded it (the history plus where it went and its phase).
 *
 * @example
 * ```ts
 * const ok = ops.filter((o: WorkbenchOperation) => o.status === "ok");
 * ```
 */
export interface WorkbenchOperation {
  /** Position in invocation order. */
  readonly id: number;
  /** Client process (a new process after every indeterminate result, as in Jepsen). */
  readonly process: string;
  /** The client node that ran it. */
  readonly client: NodeId;
  /** The node the request went to. */
  readonly node: NodeId;
  /** The function. */
  readonly f: string;
  /** The input. */
  readonly input: Json;
  /** The output (`null` unless ok; for `fail` the error code). */
  readonly output: Json;
  /** `ok`, `fail` (definitely did not happen) or `info` (unknown). */
  readonly status: "ok" | "fail" | "info";
  /** Invocation time (true ms). */
  readonly callMs: number;
  /** Completion time (true ms); for `info` the time the client gave up. */
  readonly returnMs: number;
  /** `main` during the workload, `final` for the reads after the cluster healed. */
  readonly phase: "main" | "final";
  /** The error code of an error reply. */
  readonly errorCode?: number;
}

/**
 * What a client shows the workload when it asks for the next operation.
 *
 * @example
 * ```ts
 * const next = (c: ClientView) => ({ f: "add", input: c.random.int(1, 5), request: { type: "add", delta: 1 } });
 * ```
 */
export interface ClientView {
  /** The client node's id (`c1`, `c2`, ...). */
  readonly client: NodeId;
  /** Its index (0-based). */
  readonly clientIndex: number;
  /** The client's seeded random stream. */
  readonly random: Random;
  /** The current true time (ms). */
  readonly nowMs: number;
  /** The cluster's node ids. */
  readonly nodeIds: readonly NodeId[];
}

/**
 * A workload's verdict on one run.
 *
 * @example
 * ```ts
 * const outcome: CheckOutcome = { valid: false, problems: ["message 7 missing on n2"], metrics: {} };
 * ```
 */
export interface CheckOutcome {
  /** Whether the run obeyed the workload's rules. */
  readonly valid: boolean;
  /** What was wrong, one line each (bounded). */
  readonly problems: readonly string[];
  /** Workload metrics (stable latency, lost messages, ...), named with units. */
  readonly metrics: Readonly<Record<string, number>>;
  /** For linearizability-checked workloads: the checker's result (drawn in the history picture). */
  readonly linearizability?: LinearizabilityResult;
  /** The model to label the history picture with. */
  readonly model?: Model<unknown>;
}

/**
 * What a workload knows about the run it checks.
 *
 * @example
 * ```ts
 * const check = (ops: readonly WorkbenchOperation[], info: CheckContext) => info.nodeIds.length;
 * ```
 */
export interface CheckContext {
  /** The cluster's node ids. */
  readonly nodeIds: readonly NodeId[];
  /** When the main phase ended and the cluster healed (true ms). */
  readonly healedAtMs: number;
  /** Messages sent between cluster nodes during the run. */
  readonly nodeMessages: number;
}

/**
 * The per-run state of a workload (a fresh one for every seed).
 *
 * @example
 * ```ts
 * const run: WorkloadRun = echo().start({ nodeIds: ["n1"] });
 * ```
 */
export interface WorkloadRun {
  /** The next operation of a client in the main phase, or `undefined` to idle this time. */
  next(client: ClientView): PlannedOperation | undefined;
  /** Operations to run after the cluster healed and settled (e.g. a read on every node). */
  final?(nodeIds: readonly NodeId[]): readonly PlannedOperation[];
  /** Decodes a `<type>_ok` reply to `op` (the workbench has checked `type` and `in_reply_to`). */
  decode(op: PlannedOperation, reply: { readonly [field: string]: Json }): Decoded;
  /**
   * Optionally turns a definite error reply into an ok output (lin-kv: a read of a missing key,
   * error 20, reads `null`); `undefined` keeps the default (definite: `fail`, else `info`).
   */
  decodeError?(op: PlannedOperation, code: number): Decoded | undefined;
  /** Checks the recorded operations. */
  check(ops: readonly WorkbenchOperation[], context: CheckContext): CheckOutcome;
}

/**
 * A workload: a name and a factory of per-run state.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: broadcast(), nodes: myNode, nodeCount: 5, seeds: 50 });
 * ```
 */
export interface Workload {
  /** Its name (`echo`, `broadcast`, ...). */
  readonly name: string;
  /** Starts one run. */
  start(context: { readonly nodeIds: readonly NodeId[] }): WorkloadRun;
}

/** @internal A shortened JSON text for messages. */
export function short(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** @internal Bounded list of problem lines. */
export class ProblemList {
  readonly lines: string[] = [];
  count = 0;
  constructor(private readonly max = 20) {}
  add(line: string): void {
    this.count++;
    if (this.lines.length < this.max) this.lines.push(line);
  }
  result(): string[] {
    return this.count > this.lines.length
      ? [...this.lines, `... and ${this.count - this.lines.length} more`]
      : [...this.lines];
  }
}
