/**
 * Client sessions for exactly-once proposals, shared by every state machine: per client, the
 * latest applied seq with its index and result, bounded by least-recently-used eviction and kept
 * in snapshots. Internal to the node.
 * @module
 */
import { RaftError } from "./errors.js";
import type { JsonValue } from "./json.js";

interface Session {
  seq: number;
  index: number;
  result: JsonValue;
  /** Logical time of the last use, for least-recently-used eviction. */
  touched: number;
}

/** One session in a snapshot: client id, last applied seq, its index and its result. */
export type SessionRecord = readonly [clientId: string, seq: number, index: number, result: JsonValue];

/** How a session sees a (clientId, seq) about to be applied. */
export type SessionLookup =
  | { readonly kind: "new" }
  | { readonly kind: "duplicate"; readonly index: number; readonly result: JsonValue }
  | { readonly kind: "stale" };

/** The session table. Deterministic: replicas applying the same entries hold the same table. */
export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  private useClock = 0;

  constructor(private readonly maxSessions: number) {}

  get size(): number {
    return this.sessions.size;
  }

  /** What applying (clientId, seq) would be. Does not touch the session. */
  lookup(clientId: string, seq: number): SessionLookup {
    const s = this.sessions.get(clientId);
    if (s === undefined || seq > s.seq) return { kind: "new" };
    if (seq === s.seq) return { kind: "duplicate", index: s.index, result: s.result };
    return { kind: "stale" };
  }

  /** Records that (clientId, seq) took effect at `index` with `result`. */
  record(clientId: string, seq: number, index: number, result: JsonValue): void {
    const s = this.sessions.get(clientId);
    if (s !== undefined) {
      s.seq = seq;
      s.index = index;
      s.result = result;
      s.touched = ++this.useClock;
      return;
    }
    if (this.sessions.size >= this.maxSessions) this.evictLeastRecentlyUsed();
    this.sessions.set(clientId, { seq, index, result, touched: ++this.useClock });
  }

  private evictLeastRecentlyUsed(): void {
    let victim: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [id, s] of this.sessions) {
      if (s.touched < oldest) {
        oldest = s.touched;
        victim = id;
      }
    }
    if (victim !== undefined) this.sessions.delete(victim);
  }

  /** Sessions, least recently used first. */
  toSnapshot(): SessionRecord[] {
    return [...this.sessions.entries()]
      .sort((a, b) => a[1].touched - b[1].touched)
      .map(([id, s]) => [id, s.seq, s.index, s.result] as const);
  }

  /** Rebuilds a table from {@link SessionTable.toSnapshot} output (validated). */
  static fromSnapshot(records: unknown, maxSessions: number): SessionTable {
    const t = new SessionTable(maxSessions);
    if (!Array.isArray(records)) {
      throw new RaftError(
        "corrupt-storage",
        "snapshot sessions must be an array of [clientId, seq, index, result]",
      );
    }
    for (const r of records) {
      if (
        !Array.isArray(r) ||
        r.length !== 4 ||
        typeof r[0] !== "string" ||
        !Number.isSafeInteger(r[1]) ||
        !Number.isSafeInteger(r[2])
      ) {
        throw new RaftError(
          "corrupt-storage",
          "snapshot sessions must be [clientId, seq, index, result] tuples",
        );
      }
      t.record(r[0], r[1] as number, r[2] as number, r[3] as JsonValue);
    }
    return t;
  }
}
