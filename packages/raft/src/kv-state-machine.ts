/**
 * The replicated key-value state machine with client sessions: every write carries
 * (clientId, seq), and a retried write that was already applied returns the recorded outcome
 * instead of applying twice (exactly-once semantics).
 * @module
 */
import { RaftError } from "./errors.js";
import { KvStore } from "./kv-store.js";

/**
 * A key-value operation: `get` reads; `put`, `append`, `cas` and `delete` write.
 *
 * @example
 * ```ts
 * const op: KvOperation = { kind: "cas", key: "x", expected: "1", value: "2" };
 * ```
 */
export type KvOperation =
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "put"; readonly key: string; readonly value: string }
  | { readonly kind: "append"; readonly key: string; readonly value: string }
  | { readonly kind: "cas"; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly kind: "delete"; readonly key: string };

/**
 * The operations that go through the log.
 *
 * @example
 * ```ts
 * const op: KvWriteOperation = { kind: "put", key: "x", value: "1" };
 * ```
 */
export type KvWriteOperation = Exclude<KvOperation, { readonly kind: "get" }>;

/**
 * A write as stored in the log: the operation and the client session that issued it.
 *
 * @example
 * ```ts
 * const cmd: KvCommand = { clientId: "c1/1", seq: 3, op: { kind: "append", key: "x", value: "a" } };
 * ```
 */
export interface KvCommand {
  /** Unique id of the client (incarnation). */
  readonly clientId: string;
  /** Per-client sequence number, increasing by one per operation. */
  readonly seq: number;
  /** The write. */
  readonly op: KvWriteOperation;
}

/**
 * Outcome of an operation: `value` is the value read (get), the new value (put, append, cas) or
 * the removed value (delete); `ok` is false only for a compare-and-set whose comparison failed.
 *
 * @example
 * ```ts
 * const outcome: KvOutcome = { ok: true, value: "ab" };
 * ```
 */
export interface KvOutcome {
  /** False when a cas comparison failed (the write did not happen). */
  readonly ok: boolean;
  /** See above; null for an absent key. */
  readonly value: string | null;
}

/**
 * Serialized state machine, as stored in Raft snapshots.
 *
 * @example
 * ```ts
 * const data: KvSnapshotData = { entries: [["x", "1"]], sessions: [["c1/1", 3, { ok: true, value: "1" }]] };
 * ```
 */
export interface KvSnapshotData {
  /** Key-value pairs, sorted by key. */
  readonly entries: readonly (readonly [string, string])[];
  /** Client sessions: id, last applied seq and its outcome, least recently used first. */
  readonly sessions: readonly (readonly [string, number, KvOutcome])[];
}

interface Session {
  seq: number;
  outcome: KvOutcome;
  /** Logical time of the last use, for least-recently-used eviction. */
  touched: number;
}

/** Outcome of applying a command whose seq is older than the session's last one (not applied). */
const STALE_OUTCOME: KvOutcome = { ok: false, value: null };

function isString(v: unknown): v is string {
  return typeof v === "string";
}

/**
 * Validates an untrusted operation (from the network).
 *
 * @throws {@link RaftError} `invalid-argument` describing what is accepted.
 * @example
 * ```ts
 * const op = validateKvOperation({ kind: "put", key: "x", value: "1" });
 * ```
 */
export function validateKvOperation(op: unknown): KvOperation {
  const o = op as Record<string, unknown> | null;
  const bad = (why: string): never => {
    throw new RaftError(
      "invalid-argument",
      `invalid kv operation (${why}); accepted: {kind:"get",key}, {kind:"put"|"append",key,value}, {kind:"cas",key,expected,value}, {kind:"delete",key} with string keys and values`,
    );
  };
  if (typeof o !== "object" || o === null) return bad("not an object");
  if (!isString(o.key)) return bad("key must be a string");
  switch (o.kind) {
    case "get":
    case "delete":
      return o as unknown as KvOperation;
    case "put":
    case "append":
      if (!isString(o.value)) return bad("value must be a string");
      return o as unknown as KvOperation;
    case "cas":
      if (!isString(o.value)) return bad("value must be a string");
      if (!(o.expected === null || isString(o.expected))) return bad("expected must be a string or null");
      return o as unknown as KvOperation;
    default:
      return bad(`unknown kind ${String(o.kind)}`);
  }
}

/**
 * An in-memory key-value map with its own exactly-once client sessions, for standalone use.
 * Deterministic: replicas that apply the same commands in the same order hold the same state.
 * {@link RaftNode} uses {@link KvStore} (no sessions) with sessions kept by the node instead, which
 * works for any state machine.
 *
 * @example
 * ```ts
 * const kv = new KvStateMachine();
 * kv.apply({ clientId: "c", seq: 1, op: { kind: "put", key: "x", value: "1" } });
 * kv.apply({ clientId: "c", seq: 1, op: { kind: "put", key: "x", value: "1" } }); // retry: not applied again
 * console.log(kv.get("x")); // "1"
 * ```
 */
export class KvStateMachine {
  private readonly store = new KvStore();
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;
  private useClock = 0;
  /** Number of commands applied (retries excluded). */
  appliedWrites = 0;

  /** Creates an empty state machine keeping at most `maxSessions` client sessions (LRU). */
  constructor(maxSessions = 10_000) {
    if (!Number.isSafeInteger(maxSessions) || maxSessions <= 0) {
      throw new RaftError("invalid-config", `maxSessions must be a positive integer, got ${maxSessions}`);
    }
    this.maxSessions = maxSessions;
  }

  /** Rebuilds a state machine from snapshot data (validated). */
  static fromSnapshot(data: unknown, maxSessions = 10_000): KvStateMachine {
    const d = data as KvSnapshotData | null;
    if (typeof d !== "object" || d === null || !Array.isArray(d.entries) || !Array.isArray(d.sessions)) {
      throw new RaftError(
        "corrupt-storage",
        "kv snapshot must be {entries: [key, value][], sessions: [...]}",
      );
    }
    const kv = new KvStateMachine(maxSessions);
    for (const e of d.entries) {
      if (!Array.isArray(e) || !isString(e[0]) || !isString(e[1])) {
        throw new RaftError("corrupt-storage", "kv snapshot entries must be [string, string] pairs");
      }
      kv.store.apply({ kind: "put", key: e[0], value: e[1] });
    }
    for (const s of d.sessions) {
      if (!Array.isArray(s) || !isString(s[0]) || typeof s[1] !== "number" || typeof s[2] !== "object") {
        throw new RaftError(
          "corrupt-storage",
          "kv snapshot sessions must be [clientId, seq, outcome] triples",
        );
      }
      kv.sessions.set(s[0], { seq: s[1], outcome: s[2], touched: ++kv.useClock });
    }
    return kv;
  }

  /** Current value of `key`, or null. */
  get(key: string): string | null {
    return this.store.get(key);
  }

  /** Number of keys. */
  get size(): number {
    return this.store.size;
  }

  /** The recorded outcome when (clientId, seq) was already applied, else undefined. */
  appliedOutcome(clientId: string, seq: number): KvOutcome | undefined {
    const s = this.sessions.get(clientId);
    return s !== undefined && s.seq === seq ? s.outcome : undefined;
  }

  /** Applies a command once per (clientId, seq); a retry returns the first outcome. */
  apply(cmd: KvCommand): KvOutcome {
    const session = this.sessions.get(cmd.clientId);
    if (session !== undefined) {
      if (cmd.seq === session.seq) return session.outcome;
      if (cmd.seq < session.seq) return STALE_OUTCOME;
      const outcome = this.execute(cmd.op);
      this.appliedWrites++;
      session.seq = cmd.seq;
      session.outcome = outcome;
      session.touched = ++this.useClock;
      return outcome;
    }
    const outcome = this.execute(cmd.op);
    this.appliedWrites++;
    if (this.sessions.size >= this.maxSessions) this.evictLeastRecentlyUsed();
    this.sessions.set(cmd.clientId, { seq: cmd.seq, outcome, touched: ++this.useClock });
    return outcome;
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

  private execute(op: KvWriteOperation): KvOutcome {
    return this.store.apply(op);
  }

  /** Serializes the state (keys sorted, sessions in LRU order). */
  toSnapshot(): KvSnapshotData {
    const entries = (this.store.snapshot() as { entries: [string, string][] }).entries;
    const byUse = [...this.sessions.entries()].sort((a, b) => a[1].touched - b[1].touched);
    const sessions: [string, number, KvOutcome][] = byUse.map(([id, s]) => [id, s.seq, s.outcome]);
    return { entries, sessions };
  }
}
