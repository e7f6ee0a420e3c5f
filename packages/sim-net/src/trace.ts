/**
 * The trace of a run: events as data, an incremental digest, JSON export and an SVG diagram.
 *
 * @module
 */
import type { NodeId } from "./contract.js";
import { SimNetError } from "./errors.js";
import { type SvgOptions, renderSvg } from "./svg.js";
import type { TraceEvent } from "./trace-event.js";

/**
 * How much the simulation records.
 *
 * - `full`: every event is kept (see {@link Trace.events}) and digested.
 * - `digest`: every event is digested but not kept (determinism checks on long runs).
 * - `off`: nothing is recorded (fastest); statistics are still counted.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * ```
 */
export type TraceMode = "full" | "digest" | "off";

/**
 * The JSON export of a trace.
 *
 * @example
 * ```ts
 * const exported: TraceJSON = sim.trace.toJSON();
 * writeFileSync("trace.json", JSON.stringify(exported));
 * ```
 */
export interface TraceJSON {
  /** Format version. */
  readonly version: 1;
  /** The simulation seed. */
  readonly seed: number;
  /** Every node ever added, in insertion order. */
  readonly nodes: readonly NodeId[];
  /** The digest of the whole run (see {@link Trace.digest}). */
  readonly digest: string;
  /** Whether events were dropped from the record because `maxTraceEvents` was reached. */
  readonly truncated: boolean;
  /** The recorded events, in order. */
  readonly events: readonly TraceEvent[];
}

/** @internal What the trace needs to know about the simulation. */
export interface TraceOwner {
  readonly seed: number;
  readonly nodeIds: readonly NodeId[];
  readonly nowMs: number;
}

/**
 * The record of a run, reached through `sim.trace`.
 *
 * @example
 * ```ts
 * sim.runFor(1000);
 * console.log(sim.trace.digest(), sim.trace.events.length);
 * writeFileSync("run.svg", sim.trace.toSVG({ maxMessages: 200 }));
 * ```
 */
export class Trace {
  /** The trace mode. */
  readonly mode: TraceMode;
  private readonly recorded: TraceEvent[] = [];
  private readonly maxEvents: number;
  private h1 = 0x811c9dc5;
  private h2 = 0x2f3a9e4d;
  private digested = 0;
  private isTruncated = false;

  /** @internal */
  constructor(
    mode: TraceMode,
    maxEvents: number,
    private readonly owner: TraceOwner,
  ) {
    this.mode = mode;
    this.maxEvents = maxEvents;
  }

  /** The recorded events (empty unless the mode is `full`). */
  get events(): readonly TraceEvent[] {
    return this.recorded;
  }

  /** Number of events digested so far (all events in `full` and `digest` modes). */
  get size(): number {
    return this.digested;
  }

  /** Whether the record stopped growing at `maxTraceEvents` (the digest still covers everything). */
  get truncated(): boolean {
    return this.isTruncated;
  }

  /** @internal Records one event. */
  record(event: TraceEvent): void {
    this.digestEvent(event);
    if (this.mode === "full") {
      if (this.recorded.length < this.maxEvents) this.recorded.push(event);
      else this.isTruncated = true;
    }
  }

  /**
   * A 64-bit digest (16 hex digits) of every event so far, over a canonical encoding: equal for the same
   * seed and code, different (with overwhelming probability) otherwise. Needs mode `full` or `digest`.
   */
  digest(): string {
    if (this.mode === "off") {
      throw new SimNetError(
        "trace-disabled",
        'trace.digest() needs trace mode "full" or "digest"; this simulation was created with trace: "off"',
      );
    }
    return hex32(fmix(this.h1 ^ this.digested)) + hex32(fmix(this.h2 ^ Math.imul(this.digested, 0x9e3779b1)));
  }

  /** The recorded events as plain JSON-serializable data. Needs mode `full`. */
  toJSON(): TraceJSON {
    this.requireFull("toJSON()");
    return {
      version: 1,
      seed: this.owner.seed,
      nodes: [...this.owner.nodeIds],
      digest: this.digest(),
      truncated: this.isTruncated,
      events: this.recorded.map(toPlainEvent),
    };
  }

  /**
   * An SVG space-time diagram of the recorded events: a lane per node, arrows for delivered messages,
   * dropped messages as arrows ending in an X, crash and partition bands, hover titles with payloads.
   * Needs mode `full`.
   */
  toSVG(options: SvgOptions = {}): string {
    this.requireFull("toSVG()");
    return renderSvg(this.recorded, this.owner.nodeIds, this.owner.nowMs, options);
  }

  private requireFull(what: string): void {
    if (this.mode !== "full") {
      throw new SimNetError(
        "trace-disabled",
        `trace.${what} needs trace mode "full"; this simulation was created with trace: "${this.mode}"`,
      );
    }
  }

  private digestEvent(e: TraceEvent): void {
    // Canonical encoding, hashed field by field: numbers by their IEEE-754 bits (no float-to-string),
    // strings length-prefixed, free-form data (payloads, configs) as JSON. A delivery is identified by
    // its message id: the payload was digested with the send.
    switch (e.kind) {
      case "send":
        this.word(1);
        this.num(e.atMs);
        this.num(e.msgId);
        this.str(e.from);
        this.str(e.to);
        this.str(stableStringify(e.message));
        break;
      case "deliver":
        this.word(2);
        this.num(e.atMs);
        this.num(e.msgId);
        this.str(e.from);
        this.str(e.to);
        this.num(e.sentAtMs);
        break;
      case "drop":
        this.word(3);
        this.num(e.atMs);
        this.num(e.msgId);
        this.str(e.from);
        this.str(e.to);
        this.num(e.sentAtMs);
        this.str(e.reason);
        break;
      case "timer":
        this.word(4);
        this.num(e.atMs);
        this.str(e.node);
        this.num(e.timerId);
        this.str(e.label ?? "");
        break;
      default:
        this.word(5);
        this.str(stableStringify(e));
        break;
    }
    this.word(0x1e1e1e1e); // event separator
    this.digested++;
  }

  private word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 0x01000193);
    const h2 = Math.imul(this.h2 ^ w, 0x5bd1e995);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  private num(x: number): void {
    F64[0] = x;
    this.word(U32[0] as number);
    this.word(U32[1] as number);
  }

  private str(text: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    const n = text.length;
    h1 = Math.imul(h1 ^ n, 0x01000193);
    h2 = Math.imul(h2 ^ n, 0x5bd1e995);
    h2 ^= h2 >>> 15;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1;
    this.h2 = h2;
  }
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/**
 * JSON.stringify that never throws (functions, bigints and cycles become strings).
 * @internal
 */
export function stableStringify(value: unknown): string {
  try {
    // Fast path: no replacer (functions are skipped by JSON.stringify itself).
    return JSON.stringify(value) ?? "undefined";
  } catch {
    try {
      return JSON.stringify(value, jsonSafe) ?? "undefined";
    } catch {
      return String(value);
    }
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `${value.toString()}n`;
  if (typeof value === "function") return undefined;
  return value;
}

function toPlainEvent(event: TraceEvent): TraceEvent {
  const text = stableStringify(event);
  try {
    return JSON.parse(text) as TraceEvent;
  } catch {
    throw new SimNetError(
      "invalid-message",
      `trace event ${event.kind} at ${event.atMs} ms holds data that is not JSON-serializable (a cycle?); messages and log data must be plain JSON data`,
    );
  }
}
