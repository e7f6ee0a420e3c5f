import { CheckError } from "./errors.js";
import type { History, HistoryEvent, Operation, OperationStatus, ProcessId } from "./history.js";

/**
 * A handle on an invoked operation, returned by {@link HistoryRecorder.invoke} and passed back to
 * `ok` / `fail` / `info`.
 *
 * @example
 * ```ts
 * import { HistoryRecorder, type OperationHandle } from "@distkit/check";
 * const h = new HistoryRecorder();
 * const op: OperationHandle = h.invoke(0, "read", null, 0);
 * ```
 */
export interface OperationHandle {
  /** The operation's id in the recorded history. */
  readonly id: number;
  /** The process that invoked it. */
  readonly process: ProcessId;
  /** The function. */
  readonly f: string;
}

interface Slot<I, O> {
  id: number;
  process: ProcessId;
  f: string;
  input: I;
  callMs: number;
  done: { status: OperationStatus; output: O | undefined; returnMs: number } | undefined;
}

/**
 * Records a history from simulated (or real) clients: call `invoke` when a client sends a request
 * and `ok` / `fail` / `info` when it learns the outcome. Times are whatever clock the caller uses
 * (for simulations: virtual milliseconds). A process runs one operation at a time; after `info`
 * (outcome unknown) a client should continue under a new process id, as Jepsen does.
 *
 * @example
 * ```ts
 * import { HistoryRecorder, checkLinearizable, registerModel } from "@distkit/check";
 * const h = new HistoryRecorder();
 * const w = h.invoke("c1", "write", 1, 0);
 * const r = h.invoke("c2", "read", null, 1);
 * h.ok(w, undefined, 2);
 * h.ok(r, 1, 3);
 * console.log(checkLinearizable(h.history(), registerModel()).verdict); // "linearizable"
 * ```
 */
export class HistoryRecorder<I = unknown, O = unknown> {
  readonly #slots: Slot<I, O>[] = [];
  readonly #pending = new Map<ProcessId, Slot<I, O>>();
  readonly #events: HistoryEvent[] = [];

  /**
   * Records that `process` invoked `f` with `input` at `timeMs`.
   *
   * @throws CheckError `duplicate-invocation` if the process still has a pending operation,
   *   `invalid-time` if `timeMs` is not finite.
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const op = new HistoryRecorder().invoke(0, "write", 5, 10);
   * ```
   */
  invoke(process: ProcessId, f: string, input: I, timeMs: number): OperationHandle {
    checkTime(timeMs, "invoke");
    const prev = this.#pending.get(process);
    if (prev !== undefined) {
      throw new CheckError(
        "duplicate-invocation",
        `process ${String(process)} invoked ${f} at ${timeMs} while its ${prev.f} (operation ${prev.id}, invoked at ${prev.callMs}) is still pending; complete it with ok/fail/info first, or use a new process id`,
      );
    }
    const slot: Slot<I, O> = { id: this.#slots.length, process, f, input, callMs: timeMs, done: undefined };
    this.#slots.push(slot);
    this.#pending.set(process, slot);
    this.#events.push({ process, type: "invoke", f, value: input, timeMs });
    return { id: slot.id, process, f };
  }

  /**
   * Records that the operation completed and took effect, returning `output`.
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.ok(h.invoke(0, "read", null, 0), 7, 4);
   * ```
   */
  ok(op: OperationHandle, output: O, timeMs: number): void {
    this.#complete(op, "ok", output, timeMs);
  }

  /**
   * Records that the operation completed and definitely did NOT take effect (for a compare-and-set:
   * the compare failed). `output` is optional detail (e.g. the error).
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.fail(h.invoke(0, "cas", [1, 2], 0), undefined, 4);
   * ```
   */
  fail(op: OperationHandle, output: O | undefined, timeMs: number): void {
    this.#complete(op, "fail", output, timeMs);
  }

  /**
   * Records that the outcome is unknown (timeout, lost connection): the operation may or may not
   * have taken effect, now or later. Its return time becomes `Infinity`; `timeMs` is kept in the
   * event list only.
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.info(h.invoke(0, "write", 1, 0), 100);
   * ```
   */
  info(op: OperationHandle, timeMs: number): void {
    this.#complete(op, "info", undefined, timeMs);
  }

  /**
   * Whether the process has an operation still pending.
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.invoke(0, "read", null, 0);
   * h.isPending(0); // true
   * ```
   */
  isPending(process: ProcessId): boolean {
    return this.#pending.has(process);
  }

  /**
   * The number of operations invoked so far.
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * new HistoryRecorder().size; // 0
   * ```
   */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * The recorded operations (a snapshot). Operations still pending are reported as `info`.
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.invoke(0, "write", 1, 0);
   * h.history()[0]?.status; // "info"
   * ```
   */
  history(): History<I, O> {
    return this.#slots.map((s): Operation<I, O> => {
      const d = s.done;
      if (d === undefined || d.status === "info") {
        return {
          id: s.id,
          process: s.process,
          f: s.f,
          input: s.input,
          output: undefined,
          status: "info",
          callMs: s.callMs,
          returnMs: Number.POSITIVE_INFINITY,
        };
      }
      return {
        id: s.id,
        process: s.process,
        f: s.f,
        input: s.input,
        output: d.output,
        status: d.status,
        callMs: s.callMs,
        returnMs: d.returnMs,
      };
    });
  }

  /**
   * The recorded events in the order they were recorded (Jepsen's view of the history).
   *
   * @example
   * ```ts
   * import { HistoryRecorder } from "@distkit/check";
   * const h = new HistoryRecorder();
   * h.invoke(0, "read", null, 0);
   * h.events().length; // 1
   * ```
   */
  events(): readonly HistoryEvent[] {
    return this.#events.slice();
  }

  #complete(op: OperationHandle, status: OperationStatus, output: O | undefined, timeMs: number): void {
    checkTime(timeMs, status);
    const slot = this.#slots[op.id];
    if (slot === undefined || slot.process !== op.process || this.#pending.get(op.process) !== slot) {
      throw new CheckError(
        "unmatched-completion",
        `${status} for operation ${op.id} (${op.f} of process ${String(op.process)}) matches no pending invocation; each operation completes exactly once`,
      );
    }
    if (timeMs < slot.callMs) {
      throw new CheckError(
        "invalid-time",
        `${status} of operation ${op.id} at ${timeMs} is earlier than its invocation at ${slot.callMs}`,
      );
    }
    this.#pending.delete(op.process);
    slot.done = { status, output, returnMs: timeMs };
    this.#events.push({ process: op.process, type: status, f: slot.f, value: output, timeMs });
  }
}

function checkTime(timeMs: number, what: string): void {
  if (typeof timeMs !== "number" || !Number.isFinite(timeMs)) {
    throw new CheckError(
      "invalid-time",
      `${what} time ${String(timeMs)} is not a finite number; pass the (virtual) time in milliseconds`,
    );
  }
}
