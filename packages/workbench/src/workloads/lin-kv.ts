/**
 * The `lin-kv` workload (Maelstrom's linearizable key-value store, Gossip Glomers 6's building
 * block): `{ type: "read", key }` -> `{ type: "read_ok", value }` (or error 20 for a missing key,
 * which reads as `null`); `{ type: "write", key, value }` -> `write_ok`; `{ type: "cas", key, from,
 * to }` -> `cas_ok`, or error 22 (`precondition-failed`) when the value is not `from`, or 20 when
 * the key is missing. Keys and values are small integers.
 *
 * @module
 */
import {
  type LinearizabilityResult,
  type Model,
  type Operation,
  checkLinearizable,
  historyFromOperations,
  registerModel,
} from "@distkit/check";
import type { Json } from "../protocol.js";
import type { Workload, WorkloadRun } from "../workload.js";

/**
 * Options of {@link linKv}.
 *
 * @example
 * ```ts
 * const o: LinKvOptions = { keys: 3, cas: false };
 * ```
 */
export interface LinKvOptions {
  /** Number of keys (0..keys-1); default 3. */
  readonly keys?: number;
  /** Values written are drawn from 0..values-1; default 5. */
  readonly values?: number;
  /** Whether to issue compare-and-set operations (default true; leaderless stores have none). */
  readonly cas?: boolean;
  /** Step budget of the linearizability search per key (default 2,000,000). */
  readonly maxSteps?: number;
}

interface KvInput {
  readonly key: number;
  readonly value?: Json;
  readonly from?: Json;
  readonly to?: Json;
}

/**
 * A read/write/cas register per key, for @distkit/check: inputs `{ key, value }` (write),
 * `{ key, from, to }` (cas), `{ key }` (read); partitioned by key.
 *
 * @example
 * ```ts
 * checkLinearizable(history, keyedRegisterModel());
 * ```
 */
export function keyedRegisterModel(): Model<unknown> {
  const base = registerModel();
  const unwrapped = new WeakMap<object, Operation>();
  const unwrap = (op: Operation): Operation => {
    let u = unwrapped.get(op);
    if (u === undefined) {
      const input = op.input as KvInput;
      u = {
        ...op,
        input:
          op.f === "cas"
            ? [input.from ?? null, input.to ?? null]
            : op.f === "write"
              ? (input.value ?? null)
              : null,
      };
      unwrapped.set(op, u);
    }
    return u;
  };
  return {
    name: "lin-kv",
    init: base.init,
    step: (state, op) => base.step(state, unwrap(op)),
    partitionKey: (op) => String((op.input as KvInput).key),
    isReadOnly: (op) => base.isReadOnly?.(unwrap(op)) ?? false,
    ...(base.hash !== undefined ? { hash: base.hash } : {}),
    ...(base.equal !== undefined ? { equal: base.equal } : {}),
    describeOperation: (op) =>
      `key ${(op.input as KvInput).key}: ${base.describeOperation?.(unwrap(op)) ?? op.f}`,
    ...(base.describeState !== undefined ? { describeState: base.describeState } : {}),
  };
}

/**
 * The lin-kv workload. Rule: the history is linearizable (checked per key with @distkit/check's
 * checker; `info` operations may have happened at any later time). A search that runs out of its
 * step budget counts as a pass and is reported in the metric `keysUndecided`.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: linKv(), nodes: myRaftAdapter, nodeCount: 3, nemesis: ["partition", "crash"] });
 * ```
 */
export function linKv(options: LinKvOptions = {}): Workload {
  const keys = options.keys ?? 3;
  const values = options.values ?? 5;
  const withCas = options.cas ?? true;
  const maxSteps = options.maxSteps ?? 2_000_000;
  return {
    name: "lin-kv",
    start(): WorkloadRun {
      return {
        next: (c) => {
          const key = c.random.int(0, keys);
          const roll = c.random.next();
          if (roll < (withCas ? 1 / 3 : 0.5))
            return { f: "read", input: { key }, request: { type: "read", key } };
          if (!withCas || roll < 2 / 3) {
            const value = c.random.int(0, values);
            return { f: "write", input: { key, value }, request: { type: "write", key, value } };
          }
          const from = c.random.int(0, values);
          const to = c.random.int(0, values);
          return { f: "cas", input: { key, from, to }, request: { type: "cas", key, from, to } };
        },
        decode(op, reply) {
          if (op.f !== "read") return { ok: true, output: null };
          return reply.value === undefined
            ? { ok: false, reason: "read_ok needs a value field (null for a missing key)" }
            : { ok: true, output: reply.value };
        },
        decodeError: (op, code) => (op.f === "read" && code === 20 ? { ok: true, output: null } : undefined),
        check(ops) {
          const history = historyFromOperations(
            ops.map((o) => ({
              process: o.process,
              f: o.f,
              input: o.input,
              output: o.output,
              status: o.status,
              callMs: o.callMs,
              returnMs: o.returnMs,
            })),
          );
          const model = keyedRegisterModel();
          const result: LinearizabilityResult = checkLinearizable(history, model, { maxSteps });
          const undecided = result.partitions.filter((p) => p.verdict === "unknown").length;
          const problems: string[] = [];
          if (result.verdict === "not-linearizable") problems.push(`not linearizable: ${result.explanation}`);
          return {
            valid: result.verdict !== "not-linearizable",
            problems,
            metrics: { keysUndecided: undecided },
            linearizability: result,
            model,
          };
        },
      };
    },
  };
}
