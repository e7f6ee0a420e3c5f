import { outcomeText } from "./describe.js";
import { CheckError } from "./errors.js";
import type { Operation } from "./history.js";
import { formatValue } from "./history.js";
import { hashValue, valuesEqual } from "./hash.js";
import { ILLEGAL, type Model } from "./model.js";

/**
 * A register's value: a number, string, boolean, `null` (Jepsen's `nil`, "never written") or any
 * plain data compared structurally.
 *
 * @example
 * ```ts
 * import type { RegisterValue } from "@distkit/check";
 * const v: RegisterValue = 3;
 * ```
 */
export type RegisterValue = unknown;

/**
 * Options of {@link registerModel}.
 *
 * @example
 * ```ts
 * import { registerModel } from "@distkit/check";
 * const m = registerModel({ initial: 0 });
 * ```
 */
export interface RegisterModelOptions {
  /** The initial value (default `null`, Jepsen's `nil`). */
  readonly initial?: RegisterValue;
  /**
   * What a `fail`ed cas tells the checker (see {@link FailedCasConvention}). Default
   * `"compare-failed"`, the convention this model has always had and the one Porcupine's etcd
   * model and Jepsen's etcd client use: it is the stricter reading, so it finds more bugs, and it
   * keeps every existing verdict. Choose `"did-not-happen"` when the store can also fail a cas for
   * other reasons (a rejected or aborted request that definitely did not apply).
   */
  readonly failedCas?: FailedCasConvention;
}

/**
 * How {@link registerModel} reads a compare-and-set that completed with `fail`:
 *
 * - `"compare-failed"` (Porcupine's etcd model, Jepsen's etcd client): the cas was applied and its
 *   compare did not match, so the register's value differed from `from` at that point. This
 *   constrains the history: a failed cas is illegal where the value equals `from`.
 * - `"did-not-happen"` (Knossos / Jepsen's general meaning of `fail`): the operation did not take
 *   effect and says nothing about the value; it is legal anywhere and changes nothing.
 *
 * They differ on `write 0; cas 0→1 fails; read 0`: not linearizable under `"compare-failed"` (the
 * value was 0, so the compare would have matched), linearizable under `"did-not-happen"`.
 *
 * @example
 * ```ts
 * import { registerModel, type FailedCasConvention } from "@distkit/check";
 * const convention: FailedCasConvention = "did-not-happen";
 * const knossosStyle = registerModel({ failedCas: convention });
 * ```
 */
export type FailedCasConvention = "compare-failed" | "did-not-happen";

/**
 * Reads a compare-and-set input: `[from, to]` (Jepsen's form) or `{ from, to }`.
 * @internal
 */
export function casInput(op: Operation<unknown, unknown>): { from: unknown; to: unknown } {
  const input = op.input;
  if (Array.isArray(input) && input.length === 2) return { from: input[0], to: input[1] };
  if (typeof input === "object" && input !== null && "from" in input && "to" in input) {
    const r = input as { from: unknown; to: unknown };
    return { from: r.from, to: r.to };
  }
  throw new CheckError(
    "invalid-operation",
    `op ${op.id}: cas input ${formatValue(input)} is not [from, to] or { from, to }`,
  );
}

/**
 * A read/write/compare-and-set register (Jepsen's cas-register, Porcupine's etcd model).
 *
 * - `read`: input ignored, output the value read. `fail`/`info` reads constrain nothing.
 * - `write`: input the value. A `fail` write did not happen.
 * - `cas`: input `[from, to]` or `{ from, to }`. `ok` means the swap happened (unless the output is
 *   `false`, which means the compare failed); `info` swaps iff the value equals `from`. A `fail`
 *   cas follows `options.failedCas`: by default (`"compare-failed"`) the compare failed, so it is
 *   legal only where the value differs from `from` (how Jepsen's etcd client reports it, and how
 *   Porcupine checks it); with `"did-not-happen"` it is a no-op legal anywhere (Knossos).
 *
 * Any other function throws `CheckError` `unknown-function`.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, registerModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
 * h.ok(h.invoke(1, "read", null, 20), null, 30); // stale: the write completed before
 * console.log(checkLinearizable(h.history(), registerModel()).verdict); // "not-linearizable"
 *
 * // write 0; cas 0→1 fails; read 0: the two conventions for a failed cas disagree.
 * const g = new HistoryRecorder();
 * g.ok(g.invoke(0, "write", 0, 0), undefined, 1);
 * g.fail(g.invoke(0, "cas", [0, 1], 2), undefined, 3);
 * g.ok(g.invoke(0, "read", null, 4), 0, 5);
 * checkLinearizable(g.history(), registerModel()).verdict; // "not-linearizable"
 * checkLinearizable(g.history(), registerModel({ failedCas: "did-not-happen" })).verdict; // "linearizable"
 * ```
 */
export function registerModel(options: RegisterModelOptions = {}): Model<RegisterValue> {
  const initial = options.initial ?? null;
  const failedCas = options.failedCas ?? "compare-failed";
  if (failedCas !== "compare-failed" && failedCas !== "did-not-happen") {
    throw new CheckError(
      "invalid-argument",
      `failedCas ${JSON.stringify(failedCas)} is not "compare-failed" or "did-not-happen"`,
    );
  }
  const failMeansCompareFailed = failedCas === "compare-failed";
  return {
    name: "register",
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case "read":
          if (op.status !== "ok") return [state];
          return valuesEqual(op.output ?? null, state) ? [state] : ILLEGAL;
        case "write":
          if (op.status === "fail") return [state];
          return [op.input];
        case "cas": {
          const { from, to } = casInput(op);
          const matches = valuesEqual(from, state);
          if (op.status === "info") return matches ? [to] : [state];
          if (op.status === "fail" && !failMeansCompareFailed) return [state];
          if (op.status === "fail" || op.output === false) return matches ? ILLEGAL : [state];
          return matches ? [to] : ILLEGAL;
        }
        default:
          throw new CheckError(
            "unknown-function",
            `op ${op.id}: the register model has no function ${JSON.stringify(op.f)}; it accepts read, write, cas`,
          );
      }
    },
    isReadOnly: (op) =>
      op.f === "read" ||
      (op.status === "fail" && op.f === "write") ||
      (op.f === "cas" && (op.status === "fail" || (op.status === "ok" && op.output === false))),
    hash: hashValue,
    equal: valuesEqual,
    describeOperation(op) {
      switch (op.f) {
        case "read":
          return `read() -> ${outcomeText(op)}`;
        case "write":
          return `write(${formatValue(op.input)})${op.status === "ok" ? "" : ` -> ${outcomeText(op)}`}`;
        case "cas": {
          const { from, to } = casInput(op);
          const res =
            op.status === "info"
              ? "? (unknown)"
              : op.status === "fail"
                ? failMeansCompareFailed
                  ? "compare failed"
                  : "failed (did not happen)"
                : op.output === false
                  ? "compare failed"
                  : "swapped";
          return `cas(${formatValue(from)} -> ${formatValue(to)}) -> ${res}`;
        }
        default:
          return `${op.f}(${formatValue(op.input)}) -> ${outcomeText(op)}`;
      }
    },
    describeState: formatValue,
  };
}
