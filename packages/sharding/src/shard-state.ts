/**
 * The replicated state machine of one shard: the data of the ranges it owns, client sessions
 * (exactly-once writes that travel with the data when a range moves), and both halves of the migration
 * protocol (outgoing on the source, incoming on the target). Pure and deterministic: every replica of the
 * shard's Raft group applies the same commands in the same order and reaches the same state.
 * @module
 */
import { invariant, ShardingError } from "./errors.js";
import { isWrite, operationKeys, type ShardOperation, type ShardOutcome } from "./operations.js";
import { keyPosition, type PartitionScheme } from "./position.js";
import type { ShardId } from "./shard-map.js";

/**
 * A piece of the position space a shard holds: `[start, end)`, `end: null` = unbounded. `state` is
 * `serving`, `outgoing` (being copied to another shard, still serving) or `frozen` (critical section of a
 * migration: refused until the move commits or aborts).
 *
 * @example
 * ```ts
 * import type { OwnedInterval } from "@distkit/sharding";
 * const i: OwnedInterval = { start: "", end: "08192", epoch: 1, state: "serving", migration: null };
 * ```
 */
export interface OwnedInterval {
  readonly start: string;
  readonly end: string | null;
  readonly epoch: number;
  readonly state: "serving" | "outgoing" | "frozen";
  readonly migration: string | null;
}

/**
 * One unit of a migration stream: a key's value, a deleted key, or a client session.
 *
 * @example
 * ```ts
 * import type { MigrationItem } from "@distkit/sharding";
 * const item: MigrationItem = { k: "set", key: "x", value: "1" };
 * ```
 */
export type MigrationItem =
  | { readonly k: "set"; readonly key: string; readonly value: string }
  | { readonly k: "del"; readonly key: string }
  | {
      readonly k: "session";
      readonly clientId: string;
      readonly seq: number;
      readonly position: string;
      readonly outcome: ShardOutcome;
    };

/**
 * Commands of the shard state machine (the entries of the shard's Raft log).
 *
 * - `op`: a client operation with its request id `(clientId, seq)`, the range epoch it was routed with
 *   (`null`: unchecked), and the Redis `ASKING` flag.
 * - `mig-begin` / `mig-freeze` / `mig-abort` / `mig-done`: the source side of migration `id`.
 * - `in-begin` / `in-items` / `in-final` / `in-abort` / `in-activate`: the target side.
 *
 * @example
 * ```ts
 * import type { ShardCommand } from "@distkit/sharding";
 * const c: ShardCommand = { type: "op", clientId: "c1", seq: 1, epoch: 1, asking: false, op: { kind: "get", key: "x" } };
 * ```
 */
export type ShardCommand =
  | {
      readonly type: "op";
      readonly clientId: string;
      readonly seq: number;
      readonly epoch: number | null;
      readonly asking: boolean;
      readonly op: ShardOperation;
    }
  | {
      readonly type: "mig-begin";
      readonly id: string;
      readonly start: string;
      readonly end: string | null;
      readonly to: ShardId;
    }
  | { readonly type: "mig-freeze"; readonly id: string }
  | { readonly type: "mig-abort"; readonly id: string; readonly targetAborted: boolean }
  | { readonly type: "mig-done"; readonly id: string; readonly epoch: number }
  | {
      readonly type: "in-begin";
      readonly id: string;
      readonly start: string;
      readonly end: string | null;
      readonly from: ShardId;
    }
  | {
      readonly type: "in-items";
      readonly id: string;
      readonly from: number;
      readonly items: readonly MigrationItem[];
    }
  | { readonly type: "in-final"; readonly id: string; readonly total: number }
  | { readonly type: "in-abort"; readonly id: string }
  | { readonly type: "in-activate"; readonly id: string; readonly epoch: number };

/**
 * Result of applying a {@link ShardCommand}: the outcome of an `op`, or the migration progress of the other
 * commands (`cursor`: items the target holds; `final`: past the point of no return; `refused`: why not).
 *
 * @example
 * ```ts
 * import type { ShardCommandResult } from "@distkit/sharding";
 * const r: ShardCommandResult = { kind: "migration", id: "m1", cursor: 10, final: false, refused: null };
 * ```
 */
export type ShardCommandResult =
  | { readonly kind: "op"; readonly outcome: ShardOutcome }
  | {
      readonly kind: "migration";
      readonly id: string;
      readonly cursor: number;
      readonly final: boolean;
      readonly refused: string | null;
    };

/**
 * The source side of a migration, as replicated state.
 *
 * @example
 * ```ts
 * import type { OutgoingMigration } from "@distkit/sharding";
 * const o: OutgoingMigration = { id: "m1", start: "", end: "04096", to: "s4", items: [], frozen: false };
 * ```
 */
export interface OutgoingMigration {
  readonly id: string;
  readonly start: string;
  readonly end: string | null;
  readonly to: ShardId;
  /** The snapshot copied at `mig-begin`, then every write applied to the range since. */
  readonly items: MigrationItem[];
  frozen: boolean;
}

/**
 * The target side of a migration, as replicated state.
 *
 * @example
 * ```ts
 * import type { IncomingMigration } from "@distkit/sharding";
 * const i: IncomingMigration = { id: "m1", start: "", end: "04096", from: "s1", cursor: 0, final: false };
 * ```
 */
export interface IncomingMigration {
  readonly id: string;
  readonly start: string;
  readonly end: string | null;
  readonly from: ShardId;
  cursor: number;
  final: boolean;
}

interface Session {
  readonly seq: number;
  readonly position: string;
  readonly outcome: ShardOutcome;
}

/**
 * Snapshot (JSON) of a {@link ShardStateMachine}.
 *
 * @example
 * ```ts
 * import { ShardStateMachine, type ShardSnapshot } from "@distkit/sharding";
 * const snap: ShardSnapshot = new ShardStateMachine({ kind: "slots" }, []).snapshot();
 * ```
 */
export interface ShardSnapshot {
  readonly owned: readonly OwnedInterval[];
  readonly data: readonly (readonly [string, string])[];
  readonly sessions: readonly (readonly [string, number, string, ShardOutcome])[];
  readonly outgoing: readonly OutgoingMigration[];
  readonly incoming: readonly IncomingMigration[];
  readonly finished: readonly (readonly [string, "committed" | "aborted"])[];
  readonly moved: readonly MovedInterval[];
}

/**
 * Where a range went (kept for `MOVED` answers).
 *
 * @example
 * ```ts
 * import type { MovedInterval } from "@distkit/sharding";
 * const m: MovedInterval = { start: "", end: "04096", to: "s4", epoch: 7 };
 * ```
 */
export interface MovedInterval {
  readonly start: string;
  readonly end: string | null;
  readonly to: ShardId;
  readonly epoch: number;
}

const MAX_FINISHED = 1000;
const MAX_MOVED = 1000;

function inInterval(pos: string, start: string, end: string | null): boolean {
  return pos >= start && (end === null || pos < end);
}

function within(start: string, end: string | null, outerStart: string, outerEnd: string | null): boolean {
  return start >= outerStart && (outerEnd === null || (end !== null && end <= outerEnd));
}

/**
 * The shard state machine.
 *
 * @example
 * ```ts
 * import { ShardStateMachine } from "@distkit/sharding";
 * const sm = new ShardStateMachine({ kind: "range" }, [{ start: "", end: null, epoch: 1 }]);
 * sm.apply({ type: "op", clientId: "c1", seq: 1, epoch: 1, asking: false, op: { kind: "put", key: "x", value: "1" } });
 * sm.apply({ type: "op", clientId: "c1", seq: 2, epoch: 1, asking: false, op: { kind: "get", key: "x" } }); // value "1"
 * ```
 */
export class ShardStateMachine {
  /** How keys map to positions. */
  readonly scheme: PartitionScheme;
  private owned: OwnedInterval[];
  private readonly data = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private readonly outgoing = new Map<string, OutgoingMigration>();
  private readonly incoming = new Map<string, IncomingMigration>();
  private readonly finished = new Map<string, "committed" | "aborted">();
  private moved: MovedInterval[] = [];
  private readonly maxSessions: number;
  /** Retried writes answered from the session table instead of being applied again (not replicated state). */
  duplicatesSuppressed = 0;

  /**
   * @param scheme - the cluster's partition scheme
   * @param initial - the intervals this shard owns at bootstrap (sorted, disjoint)
   * @param maxSessions - bound on client sessions kept (oldest evicted); default 10,000
   */
  constructor(
    scheme: PartitionScheme,
    initial: readonly { readonly start: string; readonly end: string | null; readonly epoch: number }[],
    maxSessions = 10_000,
  ) {
    this.scheme = scheme;
    this.maxSessions = maxSessions;
    this.owned = initial.map((i) => ({
      start: i.start,
      end: i.end,
      epoch: i.epoch,
      state: "serving" as const,
      migration: null,
    }));
    this.checkOwned();
  }

  /**
   * Rebuilds a state machine from a snapshot.
   * @example
   * ```ts
   * import { ShardStateMachine } from "@distkit/sharding";
   * const sm = new ShardStateMachine({ kind: "slots" }, []);
   * ShardStateMachine.fromSnapshot({ kind: "slots" }, sm.snapshot());
   * ```
   */
  static fromSnapshot(scheme: PartitionScheme, snap: ShardSnapshot, maxSessions = 10_000): ShardStateMachine {
    const sm = new ShardStateMachine(scheme, [], maxSessions);
    sm.owned = snap.owned.map((o) => ({ ...o }));
    for (const [k, v] of snap.data) sm.data.set(k, v);
    for (const [c, seq, position, outcome] of snap.sessions) sm.sessions.set(c, { seq, position, outcome });
    for (const o of snap.outgoing) sm.outgoing.set(o.id, { ...o, items: [...o.items] });
    for (const i of snap.incoming) sm.incoming.set(i.id, { ...i });
    for (const [id, s] of snap.finished) sm.finished.set(id, s);
    sm.moved = [...snap.moved];
    sm.checkOwned();
    return sm;
  }

  /**
   * A JSON snapshot of the whole state.
   * @example
   * ```ts
   * import { ShardStateMachine } from "@distkit/sharding";
   * JSON.stringify(new ShardStateMachine({ kind: "slots" }, []).snapshot());
   * ```
   */
  snapshot(): ShardSnapshot {
    return {
      owned: this.owned.map((o) => ({ ...o })),
      data: [...this.data.entries()],
      sessions: [...this.sessions.entries()].map(([c, s]) => [c, s.seq, s.position, s.outcome] as const),
      outgoing: [...this.outgoing.values()].map((o) => ({ ...o, items: [...o.items] })),
      incoming: [...this.incoming.values()].map((i) => ({ ...i })),
      finished: [...this.finished.entries()],
      moved: [...this.moved],
    };
  }

  /** Intervals owned now (read-only view). @example `sm.ownedIntervals().length` */
  ownedIntervals(): readonly OwnedInterval[] {
    return this.owned;
  }

  /** Migrations this shard is the source of. @example `sm.outgoingMigrations()` */
  outgoingMigrations(): readonly OutgoingMigration[] {
    return [...this.outgoing.values()];
  }

  /** Migrations this shard is the target of. @example `sm.incomingMigrations()` */
  incomingMigrations(): readonly IncomingMigration[] {
    return [...this.incoming.values()];
  }

  /** How a finished migration ended here, if it did. @example `sm.migrationOutcome("m1")` */
  migrationOutcome(id: string): "committed" | "aborted" | undefined {
    return this.finished.get(id);
  }

  /** Number of keys stored (owned or incoming). @example `sm.keyCount` */
  get keyCount(): number {
    return this.data.size;
  }

  /** Keys stored in `[start, end)` of the position space, owned or not. @example `sm.keysIn("", null)` */
  keysIn(start: string, end: string | null): string[] {
    const out: string[] = [];
    for (const k of this.data.keys()) if (inInterval(keyPosition(this.scheme, k), start, end)) out.push(k);
    return out;
  }

  /** A stored value, ignoring ownership (for tests and audits). @example `sm.peek("x")` */
  peek(key: string): string | undefined {
    return this.data.get(key);
  }

  /**
   * Applies one command. Deterministic; never throws on a command from the log (bad commands answer with a
   * refusal), except on a broken internal invariant.
   * @example
   * ```ts
   * import { ShardStateMachine } from "@distkit/sharding";
   * const sm = new ShardStateMachine({ kind: "range" }, [{ start: "", end: null, epoch: 1 }]);
   * sm.apply({ type: "mig-begin", id: "m1", start: "m", end: null, to: "s2" });
   * ```
   */
  apply(c: ShardCommand): ShardCommandResult {
    switch (c.type) {
      case "op":
        return { kind: "op", outcome: this.applyOp(c) };
      case "mig-begin":
        return this.migBegin(c);
      case "mig-freeze": {
        const o = this.outgoing.get(c.id);
        if (o === undefined) return this.progress(c.id, 0, false, "unknown migration");
        o.frozen = true;
        this.setIntervalState(o.start, o.end, "frozen", c.id);
        return this.progress(c.id, o.items.length, false, null);
      }
      case "mig-abort": {
        const o = this.outgoing.get(c.id);
        if (o === undefined) return this.progress(c.id, 0, false, "unknown migration");
        if (o.frozen && !c.targetAborted)
          return this.progress(c.id, 0, false, "frozen: the target must abort first");
        this.setIntervalState(o.start, o.end, "serving", null);
        this.outgoing.delete(c.id);
        this.finish(c.id, "aborted");
        return this.progress(c.id, 0, false, null);
      }
      case "mig-done": {
        const o = this.outgoing.get(c.id);
        if (o === undefined)
          return this.progress(c.id, 0, false, this.finished.has(c.id) ? null : "unknown migration");
        this.owned = this.owned.filter((i) => i.migration !== c.id);
        for (const k of this.keysIn(o.start, o.end)) this.data.delete(k);
        // Sessions travel with the data: retries of these writes are answered by the target from now on.
        for (const [clientId, sess] of this.sessions) {
          if (inInterval(sess.position, o.start, o.end)) this.sessions.delete(clientId);
        }
        this.outgoing.delete(c.id);
        this.moved.push({ start: o.start, end: o.end, to: o.to, epoch: c.epoch });
        if (this.moved.length > MAX_MOVED) this.moved.shift();
        this.finish(c.id, "committed");
        return this.progress(c.id, 0, true, null);
      }
      case "in-begin":
        return this.inBegin(c);
      case "in-items": {
        const m = this.incoming.get(c.id);
        if (m === undefined)
          return this.progress(c.id, 0, false, this.finished.get(c.id) ?? "unknown migration");
        if (c.from === m.cursor && !m.final) {
          for (const it of c.items) this.applyItem(it, m);
          m.cursor += c.items.length;
        }
        return this.progress(c.id, m.cursor, m.final, null);
      }
      case "in-final": {
        const m = this.incoming.get(c.id);
        if (m === undefined)
          return this.progress(c.id, 0, false, this.finished.get(c.id) ?? "unknown migration");
        if (m.cursor !== c.total)
          return this.progress(c.id, m.cursor, m.final, `holds ${m.cursor} of ${c.total} items`);
        m.final = true;
        return this.progress(c.id, m.cursor, true, null);
      }
      case "in-abort": {
        const m = this.incoming.get(c.id);
        if (m === undefined) {
          // Remember the abort so a late in-begin cannot start it again.
          if (!this.finished.has(c.id)) this.finish(c.id, "aborted");
          return this.progress(c.id, 0, false, this.finished.get(c.id) === "committed" ? "committed" : null);
        }
        if (m.final) return this.progress(c.id, m.cursor, true, "past the point of no return");
        for (const k of this.keysIn(m.start, m.end)) this.data.delete(k);
        this.incoming.delete(c.id);
        this.finish(c.id, "aborted");
        return this.progress(c.id, 0, false, null);
      }
      case "in-activate": {
        const m = this.incoming.get(c.id);
        if (m === undefined)
          return this.progress(
            c.id,
            0,
            this.finished.get(c.id) === "committed",
            this.finished.has(c.id) ? null : "unknown migration",
          );
        if (!m.final) return this.progress(c.id, m.cursor, false, "not final");
        this.incoming.delete(c.id);
        this.owned.push({ start: m.start, end: m.end, epoch: c.epoch, state: "serving", migration: null });
        this.owned.sort((a, b) => (a.start < b.start ? -1 : 1));
        this.coalesce();
        this.moved = this.moved.filter(
          (mv) => !(mv.start >= m.start && within(mv.start, mv.end, m.start, m.end)),
        );
        this.finish(c.id, "committed");
        return this.progress(c.id, m.cursor, true, null);
      }
    }
  }

  private progress(id: string, cursor: number, final: boolean, refused: string | null): ShardCommandResult {
    return { kind: "migration", id, cursor, final, refused };
  }

  private finish(id: string, how: "committed" | "aborted"): void {
    this.finished.set(id, how);
    if (this.finished.size > MAX_FINISHED) this.finished.delete(this.finished.keys().next().value as string);
  }

  private migBegin(c: Extract<ShardCommand, { type: "mig-begin" }>): ShardCommandResult {
    if (this.outgoing.has(c.id)) return this.progress(c.id, 0, false, null);
    if (this.finished.has(c.id)) return this.progress(c.id, 0, false, `already ${this.finished.get(c.id)}`);
    const i = this.owned.findIndex((o) => within(c.start, c.end, o.start, o.end));
    if (i < 0 || this.owned[i]!.state !== "serving") {
      return this.progress(c.id, 0, false, "range not wholly owned and serving here");
    }
    const o = this.owned[i]!;
    const pieces: OwnedInterval[] = [];
    if (c.start > o.start) pieces.push({ ...o, end: c.start });
    pieces.push({ start: c.start, end: c.end, epoch: o.epoch, state: "outgoing", migration: c.id });
    if (c.end !== null && (o.end === null || c.end < o.end)) pieces.push({ ...o, start: c.end });
    this.owned.splice(i, 1, ...pieces);
    const items: MigrationItem[] = [];
    const keys = this.keysIn(c.start, c.end).sort();
    for (const key of keys) items.push({ k: "set", key, value: this.data.get(key)! });
    for (const [clientId, s] of this.sessions) {
      if (inInterval(s.position, c.start, c.end))
        items.push({ k: "session", clientId, seq: s.seq, position: s.position, outcome: s.outcome });
    }
    this.outgoing.set(c.id, { id: c.id, start: c.start, end: c.end, to: c.to, items, frozen: false });
    this.checkOwned();
    return this.progress(c.id, items.length, false, null);
  }

  private inBegin(c: Extract<ShardCommand, { type: "in-begin" }>): ShardCommandResult {
    const existing = this.incoming.get(c.id);
    if (existing !== undefined) return this.progress(c.id, existing.cursor, existing.final, null);
    const done = this.finished.get(c.id);
    if (done !== undefined) return this.progress(c.id, 0, done === "committed", done);
    const overlaps =
      this.owned.some((o) => (o.end === null || c.start < o.end) && (c.end === null || o.start < c.end)) ||
      [...this.incoming.values()].some(
        (m) => (m.end === null || c.start < m.end) && (c.end === null || m.start < c.end),
      );
    if (overlaps) return this.progress(c.id, 0, false, "overlaps a range owned or incoming here");
    // Leftovers of an earlier, aborted stay: start from a clean slate.
    for (const k of this.keysIn(c.start, c.end)) this.data.delete(k);
    this.incoming.set(c.id, { id: c.id, start: c.start, end: c.end, from: c.from, cursor: 0, final: false });
    return this.progress(c.id, 0, false, null);
  }

  private applyItem(it: MigrationItem, m: IncomingMigration): void {
    if (it.k === "session") {
      const cur = this.sessions.get(it.clientId);
      if (cur === undefined || cur.seq < it.seq)
        this.setSession(it.clientId, { seq: it.seq, position: it.position, outcome: it.outcome });
      return;
    }
    invariant(
      inInterval(keyPosition(this.scheme, it.key), m.start, m.end),
      "migration items stay in their range",
    );
    if (it.k === "set") this.data.set(it.key, it.value);
    else this.data.delete(it.key);
  }

  private setSession(clientId: string, s: Session): void {
    this.sessions.delete(clientId);
    this.sessions.set(clientId, s);
    if (this.sessions.size > this.maxSessions)
      this.sessions.delete(this.sessions.keys().next().value as string);
  }

  private setIntervalState(
    start: string,
    end: string | null,
    state: OwnedInterval["state"],
    migration: string | null,
  ): void {
    const i = this.owned.findIndex((o) => o.start === start && o.end === end);
    invariant(i >= 0, "a migration's interval is owned until it is done");
    this.owned[i] = { ...this.owned[i]!, state, migration };
    if (state === "serving") this.coalesce();
  }

  private coalesce(): void {
    const out: OwnedInterval[] = [];
    for (const o of this.owned) {
      const last = out[out.length - 1];
      if (
        last !== undefined &&
        last.end === o.start &&
        last.state === "serving" &&
        o.state === "serving" &&
        last.epoch === o.epoch
      ) {
        out[out.length - 1] = { ...last, end: o.end };
      } else out.push(o);
    }
    this.owned = out;
    this.checkOwned();
  }

  private checkOwned(): void {
    for (let i = 1; i < this.owned.length; i++) {
      const a = this.owned[i - 1]!;
      const b = this.owned[i]!;
      invariant(a.end !== null && a.end <= b.start, "owned intervals are sorted and disjoint");
    }
  }

  private intervalAt(pos: string): OwnedInterval | undefined {
    let lo = 0;
    let hi = this.owned.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = this.owned[mid]!;
      if (pos < o.start) hi = mid - 1;
      else if (o.end !== null && pos >= o.end) lo = mid + 1;
      else return o;
    }
    return undefined;
  }

  private notOwned(pos: string, asking: boolean): ShardOutcome | "serve-incoming" {
    for (const m of this.incoming.values()) {
      if (inInterval(pos, m.start, m.end))
        return m.final && asking ? "serve-incoming" : { kind: "migrating", to: "" };
    }
    for (let i = this.moved.length - 1; i >= 0; i--) {
      const mv = this.moved[i]!;
      if (inInterval(pos, mv.start, mv.end)) return { kind: "wrong-shard", movedTo: mv.to, epoch: mv.epoch };
    }
    return { kind: "wrong-shard", movedTo: null, epoch: 0 };
  }

  private applyOp(c: Extract<ShardCommand, { type: "op" }>): ShardOutcome {
    const op = c.op;
    const write = isWrite(op);
    if (write) {
      const s = this.sessions.get(c.clientId);
      if (s !== undefined && s.seq === c.seq) {
        this.duplicatesSuppressed++;
        return s.outcome;
      }
      if (s !== undefined && s.seq > c.seq) return { kind: "stale-request", latestSeq: s.seq };
    }
    if (op.kind === "scan") return this.scan(op, c.epoch);
    const keys = operationKeys(op);
    const positions = keys.map((k) => keyPosition(this.scheme, k));
    const first = positions[0]!;
    const interval = this.intervalAt(first);
    let outgoing: OutgoingMigration | undefined;
    if (interval === undefined) {
      const r = this.notOwned(first, c.asking);
      if (r !== "serve-incoming") return r;
      // ASKING at the target past the point of no return: the source is frozen, the data is all here.
      const m = [...this.incoming.values()].find((x) => inInterval(first, x.start, x.end))!;
      for (const p of positions) {
        if (!inInterval(p, m.start, m.end))
          return { kind: "cross-shard", reason: "keys are not all in one range" };
      }
    } else {
      for (const p of positions) {
        if (!inInterval(p, interval.start, interval.end)) {
          return {
            kind: "cross-shard",
            reason: "keys are not all in one range; give them a common {hash tag}",
          };
        }
      }
      if (interval.state === "frozen") {
        const o = this.outgoing.get(interval.migration!);
        return { kind: "migrating", to: o?.to ?? "" };
      }
      if (c.epoch !== null && c.epoch < interval.epoch)
        return { kind: "stale-config", epoch: interval.epoch };
      if (interval.state === "outgoing") outgoing = this.outgoing.get(interval.migration!);
    }
    const outcome = this.execute(op, outgoing);
    if (write) {
      this.setSession(c.clientId, { seq: c.seq, position: first, outcome });
      outgoing?.items.push({ k: "session", clientId: c.clientId, seq: c.seq, position: first, outcome });
    }
    return outcome;
  }

  private write(key: string, value: string | null, outgoing: OutgoingMigration | undefined): void {
    if (value === null) this.data.delete(key);
    else this.data.set(key, value);
    outgoing?.items.push(value === null ? { k: "del", key } : { k: "set", key, value });
  }

  private execute(op: ShardOperation, outgoing: OutgoingMigration | undefined): ShardOutcome {
    switch (op.kind) {
      case "get":
        return { kind: "ok", value: this.data.get(op.key) ?? null };
      case "put":
        this.write(op.key, op.value, outgoing);
        return { kind: "ok", value: null };
      case "append": {
        const v = (this.data.get(op.key) ?? "") + op.value;
        this.write(op.key, v, outgoing);
        return { kind: "ok", value: v };
      }
      case "cas": {
        const cur = this.data.get(op.key) ?? null;
        if (cur !== op.expected) return { kind: "ok", value: cur, swapped: false };
        this.write(op.key, op.value, outgoing);
        return { kind: "ok", value: op.value, swapped: true };
      }
      case "delete":
        this.write(op.key, null, outgoing);
        return { kind: "ok", value: null };
      case "mget":
        return { kind: "ok", value: null, values: op.keys.map((k) => this.data.get(k) ?? null) };
      case "mput":
        for (const [k, v] of op.entries) this.write(k, v, outgoing);
        return { kind: "ok", value: null };
      case "scan":
        throw new ShardingError("invariant-violation", "scan is handled before execute");
    }
  }

  private scan(op: Extract<ShardOperation, { kind: "scan" }>, epoch: number | null): ShardOutcome {
    // Every position of [fromPosition, toPosition) must be owned and readable here.
    let at = op.fromPosition;
    for (;;) {
      const o = this.intervalAt(at);
      if (o === undefined) return this.notOwned(at, false) as ShardOutcome;
      if (o.state === "frozen") return { kind: "migrating", to: this.outgoing.get(o.migration!)?.to ?? "" };
      if (epoch !== null && epoch < o.epoch) return { kind: "stale-config", epoch: o.epoch };
      if (o.end === null || (op.toPosition !== null && o.end >= op.toPosition)) break;
      at = o.end;
    }
    const entries: [string, string][] = [];
    for (const [k, v] of this.data) {
      if (k < op.start || (op.end !== null && k >= op.end)) continue;
      if (!inInterval(keyPosition(this.scheme, k), op.fromPosition, op.toPosition)) continue;
      entries.push([k, v]);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return { kind: "ok", value: null, entries: entries.slice(0, op.limit) };
  }
}
