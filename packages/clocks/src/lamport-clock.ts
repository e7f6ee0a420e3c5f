import { ClocksError, checkCounter, checkId } from "./errors.js";

/**
 * A Lamport timestamp paired with the id of the process that issued it. Ordering by
 * {@link compareLamport} (time, then id) is a total order that extends happened-before.
 *
 * @example
 * ```ts
 * import { type LamportTimestamp, compareLamport } from "@distkit/clocks";
 * const a: LamportTimestamp = { time: 3, node: "n1" };
 * compareLamport(a, { time: 3, node: "n2" }); // -1
 * ```
 */
export interface LamportTimestamp {
  /** The logical time. */
  readonly time: number;
  /** The issuing process, used to break ties. */
  readonly node: string;
}

/**
 * A Lamport clock (Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", 1978):
 * one counter per process. Every local event and send increments it; a receive sets it to
 * `max(local, received) + 1`. If event a happened before b then `time(a) < time(b)`, though not
 * conversely: Lamport time cannot detect concurrency (use a {@link VectorClock} for that).
 *
 * Mutable: one instance per process.
 *
 * @example
 * ```ts
 * import { LamportClock } from "@distkit/clocks";
 * const p = new LamportClock();
 * const q = new LamportClock();
 * const sent = p.tick();      // 1
 * q.tick();                   // 1
 * q.receive(sent);            // 2
 * ```
 */
export class LamportClock {
  private t: number;

  /**
   * @param initial - starting time (e.g. restored from storage), a non-negative safe integer; default 0
   */
  constructor(initial = 0) {
    checkCounter(initial, "LamportClock: initial");
    this.t = initial;
  }

  /**
   * The current time, without advancing.
   *
   * @example
   * ```ts
   * import { LamportClock } from "@distkit/clocks";
   * new LamportClock(5).time; // 5
   * ```
   */
  get time(): number {
    return this.t;
  }

  /**
   * A local event or a send: advances by one and returns the new time.
   *
   * @example
   * ```ts
   * import { LamportClock } from "@distkit/clocks";
   * new LamportClock().tick(); // 1
   * ```
   */
  tick(): number {
    return this.set(this.t + 1);
  }

  /**
   * A receive of a message stamped `remote`: sets the time to `max(time, remote) + 1` and returns it.
   * Throws {@link ClocksError} `invalid-argument` unless `remote` is a non-negative safe integer.
   *
   * @example
   * ```ts
   * import { LamportClock } from "@distkit/clocks";
   * new LamportClock(2).receive(7); // 8
   * ```
   */
  receive(remote: number): number {
    checkCounter(remote, "LamportClock.receive: remote");
    return this.set(Math.max(this.t, remote) + 1);
  }

  private set(next: number): number {
    if (!Number.isSafeInteger(next)) {
      throw new ClocksError("invalid-argument", "LamportClock: time would exceed 2^53-1");
    }
    this.t = next;
    return next;
  }
}

/**
 * Total order on Lamport timestamps: by time, then by node id. Returns -1, 0 or 1.
 *
 * @example
 * ```ts
 * import { compareLamport } from "@distkit/clocks";
 * compareLamport({ time: 1, node: "b" }, { time: 2, node: "a" }); // -1
 * ```
 */
export function compareLamport(a: LamportTimestamp, b: LamportTimestamp): -1 | 0 | 1 {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

/**
 * Builds a validated {@link LamportTimestamp}.
 *
 * @example
 * ```ts
 * import { lamportTimestamp } from "@distkit/clocks";
 * lamportTimestamp(4, "n1"); // { time: 4, node: "n1" }
 * ```
 */
export function lamportTimestamp(time: number, node: string): LamportTimestamp {
  checkCounter(time, "lamportTimestamp: time");
  checkId(node, "lamportTimestamp: node");
  return { time, node };
}
